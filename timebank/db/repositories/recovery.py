"""Ways back in: set-password codes and reset links, and logins turned off by a coordinator.

A code or link row is written when it is issued and stamped ``used_at`` when it works; issuing a new
one for a member voids (stamps) the member's earlier ones, so at most one of each works at a time.
The secret itself is never here, only its SHA-256. Turning a login off stamps ``logins.disabled_at``
and revokes every token it holds, in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, insert, null, select, update

from timebank.db.people_tables import access_tokens, logins, members, password_codes

__all__ = ["LoginOfMember", "PasswordCodeRecord", "RecoveryRepository"]


@dataclass(frozen=True)
class PasswordCodeRecord:
    code_id: int
    timebank_id: int
    member_id: int
    kind: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class LoginOfMember:
    """A member and their login, if they have one."""

    member_id: int
    timebank_id: int
    account_id: int
    display_name: str
    login_id: int | None
    username: str | None
    disabled_at: datetime | None
    erased_at: datetime | None = None  # an erased member has no login (timebank.people.erasure)


class RecoveryRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_code(
        self,
        timebank_id: int,
        member_id: int,
        kind: str,
        secret_sha256: str,
        issued_by: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                insert(password_codes)
                .values(
                    timebank_id=timebank_id,
                    member_id=member_id,
                    kind=kind,
                    secret_sha256=secret_sha256,
                    issued_by=issued_by,
                    created_at=created_at,
                    expires_at=expires_at,
                )
                .returning(password_codes.c.id)
            ).scalar_one()
        )

    def void_codes(self, timebank_id: int, member_id: int, at: datetime, kind: str | None = None) -> int:
        query = update(password_codes).where(
            password_codes.c.timebank_id == timebank_id,
            password_codes.c.member_id == member_id,
            password_codes.c.used_at.is_(None),
        )
        if kind is not None:
            query = query.where(password_codes.c.kind == kind)
        return self.connection.execute(query.values(used_at=at)).rowcount

    def code_by_hash(self, secret_sha256: str, *, for_update: bool = False) -> PasswordCodeRecord | None:
        query = select(password_codes).where(password_codes.c.secret_sha256 == secret_sha256)
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).mappings().first()
        if row is None:
            return None
        return PasswordCodeRecord(
            row["id"],
            row["timebank_id"],
            row["member_id"],
            row["kind"],
            row["created_at"],
            row["expires_at"],
            row["used_at"],
        )

    def use_code(self, code_id: int, at: datetime) -> None:
        self.connection.execute(
            update(password_codes).where(password_codes.c.id == code_id).values(used_at=at)
        )

    def links_since(self, timebank_id: int, member_id: int, since: datetime) -> int:
        """How many reset links the member was sent since ``since`` (their own limit)."""
        return int(
            self.connection.execute(
                select(func.count())
                .select_from(password_codes)
                .where(
                    password_codes.c.timebank_id == timebank_id,
                    password_codes.c.member_id == member_id,
                    password_codes.c.kind == "link",
                    password_codes.c.created_at >= since,
                )
            ).scalar_one()
        )

    def login_of(self, timebank_id: int, member_id: int, *, for_update: bool = False) -> LoginOfMember | None:
        query = (
            select(
                members.c.id,
                members.c.timebank_id,
                members.c.account_id,
                members.c.display_name,
                # An erased member's login is a tombstone: they have none (timebank.people.erasure).
                case((members.c.erased_at.is_(None), members.c.login_id), else_=null()).label("login_id"),
                logins.c.username,
                logins.c.disabled_at,
                members.c.erased_at,
            )
            .outerjoin(logins, and_(logins.c.id == members.c.login_id, members.c.erased_at.is_(None)))
            .where(members.c.timebank_id == timebank_id, members.c.id == member_id)
        )
        if for_update:
            query = query.with_for_update(of=members)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            return None
        return LoginOfMember(
            row["id"],
            row["timebank_id"],
            row["account_id"],
            row["display_name"],
            row["login_id"],
            row["username"],
            row["disabled_at"],
            row["erased_at"],
        )

    def members_with_verified_email(self, email: str) -> list[tuple[int, int]]:
        """(timebank id, member id) of every member whose verified address is ``email``, with a login."""
        rows = self.connection.execute(
            select(members.c.timebank_id, members.c.id)
            .where(
                func.lower(members.c.email) == email.lower(),
                members.c.email_verified_at.is_not(None),
                members.c.login_id.is_not(None),
            )
            .order_by(members.c.id)
            .limit(20)
        ).all()
        return [(int(timebank_id), int(member_id)) for timebank_id, member_id in rows]

    def member_of_username(self, username: str) -> tuple[int, int] | None:
        row = self.connection.execute(
            select(members.c.timebank_id, members.c.id)
            .join(logins, logins.c.id == members.c.login_id)
            .where(logins.c.username == username)
        ).first()
        return None if row is None else (int(row[0]), int(row[1]))

    def give_login(self, timebank_id: int, member_id: int, login_id: int) -> None:
        self.connection.execute(
            update(members)
            .where(members.c.timebank_id == timebank_id, members.c.id == member_id)
            .values(login_id=login_id)
        )

    def set_disabled(self, login_id: int, at: datetime | None) -> None:
        self.connection.execute(update(logins).where(logins.c.id == login_id).values(disabled_at=at))

    def revoke_all_tokens(self, login_id: int, at: datetime) -> int:
        return self.connection.execute(
            update(access_tokens)
            .where(access_tokens.c.login_id == login_id, access_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        ).rowcount
