"""What a member's benefit-safe statement reads (DESIGN B7): credits moved, activities attended.

Credits are read from the ledger's transfers, seen from the member's account: each with the day it
posted, its minutes, which way it went, why credits moved (the transaction's kind) and, for an
exchange, the description the members gave it. Two more facts keep the statement true. A transaction
that was later reversed carries the day of its reversal, and the reversal itself is not read: the
pair is one correction, dated by the original, which nets to nothing wherever its two halves fall.
A spend on an organisation's offer carries the offer's class at the time (goods, a voucher ...) and
the organisation's name. Activities are the member's attendance joined to the activity it was at,
with the organisation that ran it. The money a statement lists is read by ``MoneyRepository``;
nothing here reads pence, so credits and money stay apart (B1, B2).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import Connection, and_, or_, select

from timebank.db.benefit_tables import activities, attendance
from timebank.db.people_tables import members, organisations
from timebank.db.spend_tables import spend_options, spends
from timebank.db.tables import exchanges, transactions, transfers
from timebank.ledger.types import TransactionKind

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
    reversed_on: date | None = None  # the day (UTC) a reversal of this transaction was recorded
    spend_class: str | None = None  # a spend on an organisation's offer: the offer's class then
    spend_organisation_name: str | None = None


@dataclass(frozen=True)
class AttendedRow:
    """The member's attendance at one activity, with the activity's own fields."""

    activity_id: int
    organisation_id: int
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
        held in May and recorded in June is on May's statement. Reversals are left out; what they
        reversed says when it was reversed.
        """
        t, e, a = transfers.c, exchanges.c, activities.c
        from_at, to_at = (datetime.combine(day, time.min, UTC) for day in (from_on, to_on))
        recognised = attendance.alias("recognised")
        reversal = transactions.alias("reversal")
        query = (
            select(
                t.posted_at,
                t.source_account_id,
                t.minutes,
                transactions.c.kind,
                e.description,
                e.activity_date,
                a.held_on,
                reversal.c.created_at,
                spends.c.spend_class,
                organisations.c.name,
            )
            .join(transactions, transactions.c.id == t.transaction_id)
            .outerjoin(reversal, reversal.c.reverses_transaction_id == t.transaction_id)
            .outerjoin(exchanges, e.transaction_id == t.transaction_id)
            .outerjoin(spends, spends.c.exchange_id == e.id)
            .outerjoin(spend_options, spend_options.c.id == spends.c.spend_option_id)
            .outerjoin(organisations, organisations.c.id == spend_options.c.organisation_id)
            .outerjoin(
                recognised,
                (recognised.c.recognition_transaction_id == t.transaction_id)
                & (recognised.c.account_id == account_id),
            )
            .outerjoin(activities, a.id == recognised.c.activity_id)
            .where(
                t.timebank_id == timebank_id,
                or_(t.source_account_id == account_id, t.target_account_id == account_id),
                transactions.c.kind != TransactionKind.REVERSAL.value,
                or_(
                    and_(t.posted_at >= from_at, t.posted_at < to_at),
                    and_(e.activity_date >= from_on, e.activity_date < to_on),
                    and_(a.held_on >= from_on, a.held_on < to_on),
                ),
            )
            .order_by(t.posted_at, t.id)
        )
        found = []
        for row in self.connection.execute(query):
            posted_at, source, minutes, kind, description, activity_date, held_on = row[:7]
            reversed_at, spend_class, spend_organisation_name = row[7:]
            given_on = activity_date or held_on or posted_at.astimezone(UTC).date()
            # Posted in the period but given before it (or the other way round): not this period's.
            if not from_on <= given_on < to_on:
                continue
            signed = -minutes if source == account_id else minutes
            reversed_on = None if reversed_at is None else reversed_at.astimezone(UTC).date()
            found.append(
                CreditMovementRow(
                    given_on, signed, kind, description, reversed_on, spend_class, spend_organisation_name
                )
            )
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
                a.organisation_id,
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
