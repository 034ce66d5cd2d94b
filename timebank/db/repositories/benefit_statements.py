"""What a member's benefit-safe statement reads (DESIGN B7): credits moved, activities attended.

Credits are read from the ledger's transfers, seen from the member's account: each with the day it
posted, its minutes, which way it went, why credits moved (the transaction's kind) and, for an
exchange, the description the members gave it. Activities are the member's attendance joined to the
activity it was at. The money a statement lists is read by ``MoneyRepository``; nothing here reads
pence, so credits and money stay apart (B1, B2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, and_, or_, select

from timebank.db.benefit_tables import activities, attendance
from timebank.db.people_tables import members
from timebank.db.tables import exchanges, transactions, transfers

__all__ = ["AttendedRow", "BenefitStatementRepository", "CreditMovementRow"]


@dataclass(frozen=True)
class CreditMovementRow:
    """One transfer to or from the member's account, seen from that account.

    ``given_on`` is the day the time was given, where the ledger knows it: an exchange's activity
    date, or the day of the activity a recognition was for. A gift, a grant or a correction has no
    such day, so it is the day the transfer posted (UTC).
    """

    given_on: date
    minutes: int  # positive: credits came in; negative: credits went out
    transaction_kind: str
    exchange_description: str | None


@dataclass(frozen=True)
class AttendedRow:
    """The member's attendance at one activity, with the activity's own fields."""

    activity_id: int
    title: str
    held_on: date
    duration_minutes: int
    classification: str
    purpose: str
    minutes: int
    reward: str


class BenefitStatementRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def credit_movements(
        self, timebank_id: int, account_id: int, from_on: date, to_on: date, limit: int
    ) -> list[CreditMovementRow]:
        """The account's first ``limit`` transfers whose time was given in ``[from_on, to_on)``.

        A transfer is dated by the day the time was given (see ``CreditMovementRow``), so a forum
        held in May and recorded in June is on May's statement.
        """
        t, e, a = transfers.c, exchanges.c, activities.c
        from_at, to_at = (datetime.combine(day, time.min, UTC) for day in (from_on, to_on))
        recognised = attendance.alias("recognised")
        query = (
            select(
                t.posted_at,
                t.source_account_id,
                t.minutes,
                transactions.c.kind,
                e.description,
                e.activity_date,
                a.held_on,
            )
            .join(transactions, transactions.c.id == t.transaction_id)
            .outerjoin(exchanges, e.transaction_id == t.transaction_id)
            .outerjoin(
                recognised,
                (recognised.c.recognition_transaction_id == t.transaction_id)
                & (recognised.c.account_id == account_id),
            )
            .outerjoin(activities, a.id == recognised.c.activity_id)
            .where(
                t.timebank_id == timebank_id,
                or_(t.source_account_id == account_id, t.target_account_id == account_id),
                or_(
                    and_(t.posted_at >= from_at, t.posted_at < to_at),
                    and_(e.activity_date >= from_on, e.activity_date < to_on),
                    and_(a.held_on >= from_on, a.held_on < to_on),
                ),
            )
            .order_by(t.posted_at, t.id)
        )
        found = []
        for posted_at, source, minutes, kind, description, activity_date, held_on in self.connection.execute(
            query
        ):
            given_on = activity_date or held_on or posted_at.astimezone(UTC).date()
            # Posted in the period but given before it (or the other way round): not this period's.
            if not from_on <= given_on < to_on:
                continue
            signed = -minutes if source == account_id else minutes
            found.append(CreditMovementRow(given_on, signed, kind, description))
            if len(found) == limit:
                break
        return sorted(found, key=lambda row: row.given_on)

    def attended(
        self, timebank_id: int, account_id: int, from_on: date, to_on: date, limit: int
    ) -> list[AttendedRow]:
        """The first ``limit`` activities held in ``[from_on, to_on)`` that the member attended."""
        a, at = activities.c, attendance.c
        query = (
            select(
                a.id,
                a.title,
                a.held_on,
                a.duration_minutes,
                a.classification,
                a.purpose,
                at.minutes,
                at.reward,
            )
            .join(attendance, (at.activity_id == a.id) & (at.timebank_id == a.timebank_id))
            .where(
                a.timebank_id == timebank_id,
                at.account_id == account_id,
                a.held_on >= from_on,
                a.held_on < to_on,
            )
            .order_by(a.held_on, a.id)
            .limit(limit)
        )
        return [AttendedRow(*row) for row in self.connection.execute(query)]

    def first_coordinator_name(self, timebank_id: int) -> str | None:
        """The longest-serving coordinator's name, to sign for the timebank; None if there is none."""
        m = members.c
        return self.connection.execute(
            select(m.display_name)
            .where(m.timebank_id == timebank_id, m.is_coordinator.is_(True))
            .order_by(m.id)
            .limit(1)
        ).scalar_one_or_none()
