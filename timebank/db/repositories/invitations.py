"""Invitations to activities, and the advice a member was given about a payment offered for one.

An **invitation** links a member to an activity of an organisation: the organisation's staff
invite the people they expect (a forum's members, a panel's interviewers). Only an invited member
may be offered a payment for the activity, or have one checked against the benefit guard, so the
guard answers about people the organisation really works with, not about anyone in the timebank.

**Payment advice** is the guard's warnings about such a payment in the member's own words, kept so
that the member (and coordinators) can read what the organisation was told in coarser words. The
latest check per member and activity is kept; it names limits, and so benefits, and is deleted
with the member's declaration.

Both are written with the dialect's upsert (SQLite and PostgreSQL share ``ON CONFLICT``), so two
writers at once never collide on the primary key.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite

from timebank.db.benefit_tables import activities, activity_invitations, attendance, payment_advice
from timebank.db.people_tables import organisations

__all__ = ["AdviceRecord", "InvitationRecord", "InvitationRepository"]


@dataclass(frozen=True)
class InvitationRecord:
    activity_id: int
    account_id: int
    invited_by: str
    invited_at: datetime


@dataclass(frozen=True)
class AdviceRecord:
    activity_id: int
    account_id: int
    organisation_id: int
    paid_on: date
    amount_pence: int
    worked_minutes: int
    # (code, text) pairs, in the order the guard gave them.
    warnings: tuple[tuple[str, str], ...]
    checked_at: datetime
    # Read back with the advice, for the member to know what it was about; not written.
    activity_title: str = ""
    organisation_name: str = ""


class InvitationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def invite(
        self, timebank_id: int, activity_id: int, account_ids: Sequence[int], by: str, at: datetime
    ) -> None:
        """Invite each of ``account_ids``; one already invited stays as they were."""
        if not account_ids:
            return
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        statement = dialect.insert(activity_invitations).on_conflict_do_nothing(
            index_elements=["activity_id", "account_id"]
        )
        self.connection.execute(
            statement,
            [
                {
                    "activity_id": activity_id,
                    "account_id": account_id,
                    "timebank_id": timebank_id,
                    "invited_by": by,
                    "invited_at": at,
                }
                for account_id in account_ids
            ],
        )

    def withdraw(self, timebank_id: int, activity_id: int, account_id: int) -> bool:
        i = activity_invitations.c
        result = self.connection.execute(
            delete(activity_invitations).where(
                i.timebank_id == timebank_id, i.activity_id == activity_id, i.account_id == account_id
            )
        )
        return result.rowcount > 0

    def count(self, timebank_id: int, activity_id: int) -> int:
        i = activity_invitations.c
        return int(
            self.connection.execute(
                select(func.count()).where(i.timebank_id == timebank_id, i.activity_id == activity_id)
            ).scalar_one()
        )

    def of_activity(self, timebank_id: int, activity_id: int) -> list[InvitationRecord]:
        """Everyone invited to the activity, in account order."""
        i = activity_invitations.c
        rows = self.connection.execute(
            select(activity_invitations)
            .where(i.timebank_id == timebank_id, i.activity_id == activity_id)
            .order_by(i.account_id)
        ).mappings()
        return [
            InvitationRecord(row["activity_id"], row["account_id"], row["invited_by"], row["invited_at"])
            for row in rows
        ]

    def not_linked(self, timebank_id: int, activity_id: int, account_ids: Sequence[int]) -> list[int]:
        """Which of ``account_ids`` are neither invited to the activity nor recorded as attending."""
        if not account_ids:
            return []
        wanted = list(dict.fromkeys(account_ids))
        i, a = activity_invitations.c, attendance.c
        invited = select(i.account_id).where(
            i.timebank_id == timebank_id, i.activity_id == activity_id, i.account_id.in_(wanted)
        )
        came = select(a.account_id).where(
            a.timebank_id == timebank_id, a.activity_id == activity_id, a.account_id.in_(wanted)
        )
        linked = set(self.connection.execute(invited.union(came)).scalars())
        return sorted(account_id for account_id in wanted if account_id not in linked)

    def not_invited(self, timebank_id: int, activity_id: int, account_ids: Sequence[int]) -> list[int]:
        """Which of ``account_ids`` are not invited to the activity."""
        if not account_ids:
            return []
        wanted = list(dict.fromkeys(account_ids))
        i = activity_invitations.c
        invited = set(
            self.connection.execute(
                select(i.account_id).where(
                    i.timebank_id == timebank_id, i.activity_id == activity_id, i.account_id.in_(wanted)
                )
            ).scalars()
        )
        return sorted(account_id for account_id in wanted if account_id not in invited)

    # --- the member's advice ------------------------------------------------------------------

    def put_advice(self, timebank_id: int, record: AdviceRecord) -> None:
        """Keep ``record`` as the member's latest advice for its activity."""
        dialect = postgresql if self.connection.dialect.name == "postgresql" else sqlite
        values = {
            "activity_id": record.activity_id,
            "account_id": record.account_id,
            "timebank_id": timebank_id,
            "organisation_id": record.organisation_id,
            "paid_on": record.paid_on,
            "amount_pence": record.amount_pence,
            "worked_minutes": record.worked_minutes,
            "warnings": json.dumps([{"code": code, "text": text} for code, text in record.warnings]),
            "checked_at": record.checked_at,
        }
        statement = dialect.insert(payment_advice).values(values)
        replaced = {
            name: statement.excluded[name] for name in values if name not in ("activity_id", "account_id")
        }
        self.connection.execute(
            statement.on_conflict_do_update(index_elements=["activity_id", "account_id"], set_=replaced)
        )

    def advice_page(
        self, timebank_id: int, account_id: int, *, after_activity_id: int | None, limit: int
    ) -> list[AdviceRecord]:
        """The member's advice by activity, oldest activity first, after ``after_activity_id``."""
        p, a, o = payment_advice.c, activities.c, organisations.c
        query = (
            select(payment_advice, a.title, o.name)
            .join(activities, (a.timebank_id == p.timebank_id) & (a.id == p.activity_id))
            .join(organisations, (o.timebank_id == p.timebank_id) & (o.id == p.organisation_id))
            .where(p.timebank_id == timebank_id, p.account_id == account_id)
        )
        if after_activity_id is not None:
            query = query.where(p.activity_id > after_activity_id)
        rows = self.connection.execute(query.order_by(p.activity_id).limit(limit)).mappings()
        return [
            AdviceRecord(
                activity_id=row["activity_id"],
                account_id=row["account_id"],
                organisation_id=row["organisation_id"],
                paid_on=row["paid_on"],
                amount_pence=row["amount_pence"],
                worked_minutes=row["worked_minutes"],
                warnings=tuple((w["code"], w["text"]) for w in json.loads(row["warnings"])),
                checked_at=row["checked_at"],
                activity_title=row["title"],
                organisation_name=row["name"],
            )
            for row in rows
        ]

    def delete_advice(self, timebank_id: int, account_id: int) -> int:
        """Delete all of the member's advice (with their declaration); how many rows went."""
        p = payment_advice.c
        result = self.connection.execute(
            delete(payment_advice).where(p.timebank_id == timebank_id, p.account_id == account_id)
        )
        return int(result.rowcount)
