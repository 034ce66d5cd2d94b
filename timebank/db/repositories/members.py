"""Members and organisations: who is in a timebank, roles and tags, organisations' staff and contacts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, case, delete, func, insert, null, select, update

from timebank.db.people_tables import logins, member_tags, members, organisation_staff, organisations
from timebank.errors import MemberNotFound, OrganisationNotFound
from timebank.ledger.contacts import Contact

__all__ = ["MemberRecord", "MemberRepository", "OrganisationRecord", "OrganisationRepository"]

# An erased member's login is a tombstone kept for its id (``timebank.db.repositories.erasure``):
# they have no username, and no login, as far as anyone reading them can tell.
_USERNAME_UNLESS_ERASED = case((members.c.erased_at.is_(None), logins.c.username), else_=null()).label(
    "username"
)


@dataclass(frozen=True)
class MemberRecord:
    member_id: int
    timebank_id: int
    account_id: int
    display_name: str
    is_coordinator: bool
    username: str | None
    tags: tuple[str, ...]
    organisation_ids: tuple[int, ...]
    created_at: datetime
    # Once the membership has ended: its last day, and the coordinator's words on why.
    membership_ended_on: date | None = None
    membership_end_reason: str | None = None
    erased_at: datetime | None = None  # set once their personal data was erased


@dataclass(frozen=True)
class OrganisationRecord:
    organisation_id: int
    timebank_id: int
    account_id: int
    name: str
    staff_member_ids: tuple[int, ...]
    created_at: datetime
    contact: Contact


def _contact_columns(contact: Contact) -> dict[str, str | None]:
    return {
        "contact_address": contact.address,
        "contact_email": contact.email,
        "contact_phone": contact.phone,
    }


class MemberRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        account_id: int,
        display_name: str,
        is_coordinator: bool,
        login_id: int | None,
        created_at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                insert(members)
                .values(
                    timebank_id=timebank_id,
                    account_id=account_id,
                    login_id=login_id,
                    display_name=display_name,
                    is_coordinator=is_coordinator,
                    created_at=created_at,
                )
                .returning(members.c.id)
            ).scalar_one()
        )

    def set_tags(self, timebank_id: int, member_id: int, tags: Sequence[str]) -> None:
        self.connection.execute(delete(member_tags).where(member_tags.c.member_id == member_id))
        if tags:
            self.connection.execute(
                insert(member_tags),
                [
                    {"member_id": member_id, "tag": tag, "timebank_id": timebank_id}
                    for tag in sorted(set(tags))
                ],
            )

    def set_coordinator(self, member_id: int, is_coordinator: bool) -> None:
        self.connection.execute(
            update(members).where(members.c.id == member_id).values(is_coordinator=is_coordinator)
        )

    def set_display_name(self, member_id: int, display_name: str) -> None:
        self.connection.execute(
            update(members).where(members.c.id == member_id).values(display_name=display_name)
        )

    def end_membership(
        self, member_id: int, ended_on: date, at: datetime, by: str, reason: str | None
    ) -> None:
        """Record the end of a membership; a second end never overwrites the first."""
        result = self.connection.execute(
            update(members)
            .where(members.c.id == member_id, members.c.membership_ended_on.is_(None))
            .values(
                membership_ended_on=ended_on,
                membership_ended_at=at,
                membership_ended_by=by,
                membership_end_reason=reason,
            )
        )
        assert result.rowcount == 1, "a membership ends once"

    def get(self, timebank_id: int, member_id: int) -> MemberRecord:
        found = self.page(timebank_id, member_ids=[member_id], after_id=None, limit=1)
        if not found:
            raise MemberNotFound(f"There is no member {member_id} in this timebank")
        return found[0]

    def timebank_of_username(self, username: str) -> int | None:
        return self.connection.execute(
            select(members.c.timebank_id)
            .join(logins, logins.c.id == members.c.login_id)
            .where(logins.c.username == username)
        ).scalar_one_or_none()

    def coordinator_count(self, timebank_id: int) -> int:
        return int(
            self.connection.execute(
                select(func.count())
                .select_from(members)
                .where(members.c.timebank_id == timebank_id, members.c.is_coordinator.is_(True))
            ).scalar_one()
        )

    def count(self, timebank_id: int) -> int:
        return int(
            self.connection.execute(
                select(func.count()).select_from(members).where(members.c.timebank_id == timebank_id)
            ).scalar_one()
        )

    def id_for_account(self, timebank_id: int, account_id: int) -> int | None:
        return self.connection.execute(
            select(members.c.id).where(
                members.c.timebank_id == timebank_id, members.c.account_id == account_id
            )
        ).scalar_one_or_none()

    def page(
        self,
        timebank_id: int,
        *,
        member_ids: Sequence[int] | None = None,
        account_ids: Sequence[int] | None = None,
        tag: str | None = None,
        name_contains: str | None = None,
        current_only: bool = False,
        after_id: int | None,
        limit: int,
    ) -> list[MemberRecord]:
        """Members in id order after ``after_id`` (the keyset cursor), with their tags and staff links.

        ``current_only`` leaves out those whose membership has ended.

        ``name_contains`` keeps those whose display name holds it, ignoring case (``%`` and ``_`` in
        it are matched as themselves). SQLite's ``lower`` folds only ASCII letters, so there "ÉLODIE"
        does not find "élodie"; PostgreSQL folds every letter.
        """
        query = (
            select(members, _USERNAME_UNLESS_ERASED)
            .outerjoin(logins, logins.c.id == members.c.login_id)
            .where(members.c.timebank_id == timebank_id)
        )
        if member_ids is not None:
            query = query.where(members.c.id.in_(list(member_ids)))
        if account_ids is not None:
            query = query.where(members.c.account_id.in_(list(account_ids)))
        if tag is not None:
            tagged = select(member_tags.c.member_id).where(
                member_tags.c.timebank_id == timebank_id, member_tags.c.tag == tag
            )
            query = query.where(members.c.id.in_(tagged))
        if name_contains is not None:
            query = query.where(
                func.lower(members.c.display_name).contains(name_contains.lower(), autoescape=True)
            )
        if current_only:
            query = query.where(members.c.membership_ended_on.is_(None))
        if after_id is not None:
            query = query.where(members.c.id > after_id)
        rows = self.connection.execute(query.order_by(members.c.id).limit(limit)).mappings().all()
        ids = [row["id"] for row in rows]
        tags: dict[int, list[str]] = {member_id: [] for member_id in ids}
        organisation_ids: dict[int, list[int]] = {member_id: [] for member_id in ids}
        if ids:
            for member_id, tag_name in self.connection.execute(
                select(member_tags.c.member_id, member_tags.c.tag)
                .where(member_tags.c.member_id.in_(ids))
                .order_by(member_tags.c.tag)
            ):
                tags[member_id].append(tag_name)
            for member_id, organisation_id in self.connection.execute(
                select(organisation_staff.c.member_id, organisation_staff.c.organisation_id)
                .where(organisation_staff.c.member_id.in_(ids))
                .order_by(organisation_staff.c.organisation_id)
            ):
                organisation_ids[member_id].append(organisation_id)
        return [
            MemberRecord(
                member_id=row["id"],
                timebank_id=row["timebank_id"],
                account_id=row["account_id"],
                display_name=row["display_name"],
                is_coordinator=row["is_coordinator"],
                username=row["username"],
                tags=tuple(tags[row["id"]]),
                organisation_ids=tuple(organisation_ids[row["id"]]),
                created_at=row["created_at"],
                membership_ended_on=row["membership_ended_on"],
                membership_end_reason=row["membership_end_reason"],
                erased_at=row["erased_at"],
            )
            for row in rows
        ]


class OrganisationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self, timebank_id: int, account_id: int, name: str, created_at: datetime, contact: Contact
    ) -> int:
        return int(
            self.connection.execute(
                insert(organisations)
                .values(
                    timebank_id=timebank_id,
                    account_id=account_id,
                    name=name,
                    created_at=created_at,
                    **_contact_columns(contact),
                )
                .returning(organisations.c.id)
            ).scalar_one()
        )

    def set_contact(self, timebank_id: int, organisation_id: int, contact: Contact) -> None:
        self.connection.execute(
            update(organisations)
            .where(organisations.c.timebank_id == timebank_id, organisations.c.id == organisation_id)
            .values(**_contact_columns(contact))
        )

    def get(self, timebank_id: int, organisation_id: int) -> OrganisationRecord:
        found = self.page(timebank_id, organisation_ids=[organisation_id], after_id=None, limit=1)
        if not found:
            raise OrganisationNotFound(f"There is no organisation {organisation_id} in this timebank")
        return found[0]

    def page(
        self,
        timebank_id: int,
        *,
        organisation_ids: Sequence[int] | None = None,
        after_id: int | None,
        limit: int,
    ) -> list[OrganisationRecord]:
        query = select(organisations).where(organisations.c.timebank_id == timebank_id)
        if organisation_ids is not None:
            query = query.where(organisations.c.id.in_(list(organisation_ids)))
        if after_id is not None:
            query = query.where(organisations.c.id > after_id)
        rows = self.connection.execute(query.order_by(organisations.c.id).limit(limit)).mappings().all()
        staff: dict[int, list[int]] = {row["id"]: [] for row in rows}
        if staff:
            for organisation_id, member_id in self.connection.execute(
                select(organisation_staff.c.organisation_id, organisation_staff.c.member_id)
                .where(organisation_staff.c.organisation_id.in_(list(staff)))
                .order_by(organisation_staff.c.member_id)
            ):
                staff[organisation_id].append(member_id)
        return [
            OrganisationRecord(
                organisation_id=row["id"],
                timebank_id=row["timebank_id"],
                account_id=row["account_id"],
                name=row["name"],
                staff_member_ids=tuple(staff[row["id"]]),
                created_at=row["created_at"],
                contact=Contact(row["contact_address"], row["contact_email"], row["contact_phone"]),
            )
            for row in rows
        ]

    def add_staff(self, timebank_id: int, organisation_id: int, member_id: int, at: datetime) -> bool:
        """Link a member as staff; False if they already were (adding twice is not an error)."""
        exists = self.connection.execute(
            select(organisation_staff.c.member_id).where(
                organisation_staff.c.organisation_id == organisation_id,
                organisation_staff.c.member_id == member_id,
            )
        ).first()
        if exists is not None:
            return False
        self.connection.execute(
            insert(organisation_staff).values(
                organisation_id=organisation_id, member_id=member_id, timebank_id=timebank_id, added_at=at
            )
        )
        return True

    def remove_from_every_staff(self, member_id: int) -> list[int]:
        """Unlink a member from every organisation they are staff of; the organisations' ids."""
        linked = list(
            self.connection.execute(
                select(organisation_staff.c.organisation_id)
                .where(organisation_staff.c.member_id == member_id)
                .order_by(organisation_staff.c.organisation_id)
            ).scalars()
        )
        if linked:
            self.connection.execute(
                delete(organisation_staff).where(organisation_staff.c.member_id == member_id)
            )
        return linked

    def remove_staff(self, organisation_id: int, member_id: int) -> bool:
        result = self.connection.execute(
            delete(organisation_staff).where(
                organisation_staff.c.organisation_id == organisation_id,
                organisation_staff.c.member_id == member_id,
            )
        )
        return result.rowcount > 0
