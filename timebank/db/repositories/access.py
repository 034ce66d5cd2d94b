"""Logins, access tokens, organisation API keys and failed logins: who is asking, and may they try.

Looking up a token answers everything a request needs to know about its caller in one query: the
login, the member it belongs to (if any) with their timebank, account and role, and the accounts of
the organisations they are staff of.

A failed login is a row per subject (``username:<name>``, ``address:<ip>``). A login attempt is
written as a failure *before* its password is checked, under a lock on its subjects, and taken back
if the password was right; so the count the next attempt reads already holds every attempt in flight.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, RowMapping, and_, bindparam, delete, func, insert, select, text, update

from timebank.db.people_tables import (
    access_tokens,
    api_keys,
    login_failures,
    logins,
    members,
    organisation_staff,
    organisations,
)

__all__ = ["AccessRepository", "ApiKeyRecord", "CallerRecord", "LoginRecord"]


@dataclass(frozen=True)
class LoginRecord:
    login_id: int
    username: str
    password_hash: str
    is_admin: bool
    disabled_at: datetime | None = None


@dataclass(frozen=True)
class CallerRecord:
    """A login behind a live token, with its member (if any) and the organisations it staffs."""

    login_id: int
    is_admin: bool
    member_id: int | None
    timebank_id: int | None
    account_id: int | None
    is_coordinator: bool
    organisation_account_ids: frozenset[int]


@dataclass(frozen=True)
class ApiKeyRecord:
    api_key_id: int
    timebank_id: int
    organisation_id: int
    account_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


# Built once: this runs on every authenticated request.
_CALLER = (
    select(
        logins.c.id.label("login_id"),
        logins.c.is_admin,
        members.c.id.label("member_id"),
        members.c.timebank_id,
        members.c.account_id,
        members.c.is_coordinator,
        organisations.c.account_id.label("organisation_account_id"),
    )
    .select_from(access_tokens)
    .join(logins, logins.c.id == access_tokens.c.login_id)
    .outerjoin(members, members.c.login_id == logins.c.id)
    .outerjoin(organisation_staff, organisation_staff.c.member_id == members.c.id)
    .outerjoin(organisations, organisations.c.id == organisation_staff.c.organisation_id)
    .where(
        access_tokens.c.token_sha256 == bindparam("token_sha256"),
        access_tokens.c.revoked_at.is_(None),
        access_tokens.c.expires_at > bindparam("now"),
        # A login a coordinator turned off has no live token (they are revoked too: this is the belt).
        logins.c.disabled_at.is_(None),
    )
)

_API_KEY = (
    select(api_keys, organisations.c.account_id)
    .join(
        organisations,
        and_(
            organisations.c.id == api_keys.c.organisation_id,
            organisations.c.timebank_id == api_keys.c.timebank_id,
        ),
    )
    .where(api_keys.c.secret_sha256 == bindparam("secret_sha256"), api_keys.c.revoked_at.is_(None))
)

_LOCK = text("SELECT pg_advisory_xact_lock(:lock_id)")


def _lock_id(subject: str) -> int:
    # A 64-bit key of PostgreSQL's advisory locks, from the subject (as services.idempotency does for
    # its keys; the prefix keeps the two apart). Two subjects sharing a key only wait for each other.
    digest = hashlib.sha256(f"login_failures\x00{subject}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class AccessRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- logins ---------------------------------------------------------------------------------
    def insert_login(self, username: str, password_hash: str, is_admin: bool, at: datetime) -> int:
        return int(
            self.connection.execute(
                insert(logins)
                .values(username=username, password_hash=password_hash, is_admin=is_admin, created_at=at)
                .returning(logins.c.id)
            ).scalar_one()
        )

    def login_by_username(self, username: str) -> LoginRecord | None:
        row = self.connection.execute(select(logins).where(logins.c.username == username)).mappings().first()
        if row is None:
            return None
        return LoginRecord(
            row["id"], row["username"], row["password_hash"], row["is_admin"], row["disabled_at"]
        )

    def login_by_id(self, login_id: int) -> LoginRecord:
        row = self.connection.execute(select(logins).where(logins.c.id == login_id)).mappings().one()
        return LoginRecord(
            row["id"], row["username"], row["password_hash"], row["is_admin"], row["disabled_at"]
        )

    def revoke_other_tokens(self, login_id: int, keep_token_sha256: str, at: datetime) -> int:
        """Revoke every live token of a login but the one in use (after a password change)."""
        result = self.connection.execute(
            update(access_tokens)
            .where(
                access_tokens.c.login_id == login_id,
                access_tokens.c.token_sha256 != keep_token_sha256,
                access_tokens.c.revoked_at.is_(None),
            )
            .values(revoked_at=at)
        )
        return result.rowcount

    def username_exists(self, username: str) -> bool:
        return (
            self.connection.execute(select(logins.c.id).where(logins.c.username == username)).first()
            is not None
        )

    def set_password_hash(self, login_id: int, password_hash: str) -> None:
        self.connection.execute(
            update(logins).where(logins.c.id == login_id).values(password_hash=password_hash)
        )

    # --- tokens ---------------------------------------------------------------------------------
    def insert_token(
        self, login_id: int, token_sha256: str, created_at: datetime, expires_at: datetime
    ) -> None:
        self.connection.execute(
            insert(access_tokens).values(
                login_id=login_id, token_sha256=token_sha256, created_at=created_at, expires_at=expires_at
            )
        )

    def caller_for_token(self, token_sha256: str, now: datetime) -> CallerRecord | None:
        rows = self.connection.execute(_CALLER, {"token_sha256": token_sha256, "now": now}).mappings().all()
        if not rows:
            return None
        first = rows[0]
        return CallerRecord(
            login_id=first["login_id"],
            is_admin=first["is_admin"],
            member_id=first["member_id"],
            timebank_id=first["timebank_id"],
            account_id=first["account_id"],
            is_coordinator=bool(first["is_coordinator"]),
            organisation_account_ids=frozenset(
                row["organisation_account_id"] for row in rows if row["organisation_account_id"] is not None
            ),
        )

    def revoke_token(self, token_sha256: str, at: datetime) -> bool:
        result = self.connection.execute(
            update(access_tokens)
            .where(access_tokens.c.token_sha256 == token_sha256, access_tokens.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        return result.rowcount > 0

    def delete_tokens_expired_before(self, cutoff: datetime) -> int:
        result = self.connection.execute(delete(access_tokens).where(access_tokens.c.expires_at < cutoff))
        return result.rowcount

    # --- organisation API keys ------------------------------------------------------------------
    def insert_api_key(
        self,
        timebank_id: int,
        organisation_id: int,
        label: str,
        secret_sha256: str,
        created_by: str,
        at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                insert(api_keys)
                .values(
                    timebank_id=timebank_id,
                    organisation_id=organisation_id,
                    label=label,
                    secret_sha256=secret_sha256,
                    created_by=created_by,
                    created_at=at,
                )
                .returning(api_keys.c.id)
            ).scalar_one()
        )

    def api_key_by_secret(self, secret_sha256: str) -> ApiKeyRecord | None:
        row = self.connection.execute(_API_KEY, {"secret_sha256": secret_sha256}).mappings().first()
        return None if row is None else _api_key(row)

    def api_keys_for(self, timebank_id: int, organisation_id: int) -> list[ApiKeyRecord]:
        rows = self.connection.execute(
            select(api_keys, organisations.c.account_id)
            .join(organisations, organisations.c.id == api_keys.c.organisation_id)
            .where(api_keys.c.timebank_id == timebank_id, api_keys.c.organisation_id == organisation_id)
            .order_by(api_keys.c.id)
        ).mappings()
        return [_api_key(row) for row in rows]

    def revoke_api_key(self, timebank_id: int, organisation_id: int, api_key_id: int, at: datetime) -> bool:
        """Revoke a key; False if no such key. Revoking twice keeps the first time."""
        found = self.connection.execute(
            select(api_keys.c.revoked_at).where(
                api_keys.c.id == api_key_id,
                api_keys.c.timebank_id == timebank_id,
                api_keys.c.organisation_id == organisation_id,
            )
        ).first()
        if found is None:
            return False
        if found[0] is None:
            self.connection.execute(update(api_keys).where(api_keys.c.id == api_key_id).values(revoked_at=at))
        return True

    # --- failed logins --------------------------------------------------------------------------
    def lock_subjects(self, subjects: list[str]) -> None:
        """Make counting and recording attempts for ``subjects`` one at a time, until the transaction ends.

        Without it two logins for one username on PostgreSQL could both count four failures, both
        record a fifth and both go on to check a password. A transaction-scoped advisory lock per
        subject makes the second wait until the first commits, and its count (READ COMMITTED takes a
        fresh snapshot per statement) then sees the first's row. The locks are taken in ascending
        key order, so two logins never wait on each other in a cycle. SQLite needs none: a write
        transaction holds the database's one write lock from its BEGIN IMMEDIATE.
        """
        if self.connection.dialect.name != "postgresql":
            return
        for lock_id in sorted({_lock_id(subject) for subject in subjects}):
            self.connection.execute(_LOCK, {"lock_id": lock_id})

    def record_failure(self, subjects: list[str], at: datetime) -> list[int]:
        """A failure for each subject; their ids, in the order of ``subjects``."""
        statement = insert(login_failures).returning(login_failures.c.id)
        return [
            int(self.connection.execute(statement, {"subject": subject, "failed_at": at}).scalar_one())
            for subject in subjects
        ]

    def failures_since(self, subject: str, since: datetime) -> tuple[int, datetime | None]:
        """How many failures ``subject`` had since ``since``, and the oldest of them."""
        count, oldest = self.connection.execute(
            select(func.count(), func.min(login_failures.c.failed_at)).where(
                login_failures.c.subject == subject, login_failures.c.failed_at >= since
            )
        ).one()
        return int(count), oldest

    def forget_failures(self, subjects: list[str], before: datetime | None = None) -> None:
        query = delete(login_failures).where(login_failures.c.subject.in_(subjects))
        if before is not None:
            query = query.where(login_failures.c.failed_at < before)
        self.connection.execute(query)

    def forget_failure_ids(self, failure_ids: list[int]) -> None:
        self.connection.execute(delete(login_failures).where(login_failures.c.id.in_(failure_ids)))


def _api_key(mapping: RowMapping) -> ApiKeyRecord:
    return ApiKeyRecord(
        api_key_id=mapping["id"],
        timebank_id=mapping["timebank_id"],
        organisation_id=mapping["organisation_id"],
        account_id=mapping["account_id"],
        label=mapping["label"],
        created_at=mapping["created_at"],
        revoked_at=mapping["revoked_at"],
    )
