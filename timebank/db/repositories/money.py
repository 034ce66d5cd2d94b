"""Money kept apart from credits: expenses, payments, and payment offers declined or redirected.

Every amount here is whole pence; the only minutes are a payment's minutes of paid work, which the
benefit guards count (permitted work's hours condition). Nothing here reads or writes the ledger.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, RowMapping, Table, insert, select

from timebank.db.benefit_tables import declined_payments, expenses, payments

__all__ = [
    "DeclinedPaymentRecord",
    "ExpenseRecord",
    "MoneyRepository",
    "PaidRow",
    "PaymentRecord",
]


@dataclass(frozen=True)
class ExpenseRecord:
    """An expense; ``receipt_reference`` for a receipt, ``journey``, ``miles`` and rate for mileage."""

    expense_id: int | None  # None until written
    organisation_id: int
    account_id: int
    activity_id: int | None
    incurred_on: date
    description: str
    amount_pence: int
    evidence_kind: str
    evidenced_pence: int
    receipt_reference: str | None = None
    journey: str | None = None
    miles: int | None = None
    pence_per_mile: int | None = None


@dataclass(frozen=True)
class PaymentRecord:
    payment_id: int | None  # None until written
    organisation_id: int
    account_id: int
    activity_id: int | None
    paid_on: date
    description: str
    amount_pence: int
    offered_pence: int | None  # set when the member took less than was offered
    kind: str
    period_kind: str
    period_from_on: date
    period_to_on: date
    worked_minutes: int
    acknowledgement_needed: bool
    acknowledgement_reference: str | None


@dataclass(frozen=True)
class DeclinedPaymentRecord:
    declined_id: int | None  # None until written
    organisation_id: int
    account_id: int
    activity_id: int
    choice: str  # "decline" or "charity"
    declined_on: date
    description: str
    offered_pence: int | None
    kind: str | None
    charity_name: str | None


@dataclass(frozen=True)
class PaidRow:
    """A payment as the benefit guards count it."""

    paid_on: date
    amount_pence: int
    worked_minutes: int


class MoneyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _insert(self, table: Table, values: Mapping[str, object]) -> int:
        return int(self.connection.execute(insert(table).values(values).returning(table.c.id)).scalar_one())

    def insert_expense(self, timebank_id: int, record: ExpenseRecord, by: str, at: datetime) -> int:
        values = {
            "timebank_id": timebank_id,
            "organisation_id": record.organisation_id,
            "account_id": record.account_id,
            "activity_id": record.activity_id,
            "incurred_on": record.incurred_on,
            "description": record.description,
            "amount_pence": record.amount_pence,
            "evidence_kind": record.evidence_kind,
            "receipt_reference": record.receipt_reference,
            "journey": record.journey,
            "miles": record.miles,
            "pence_per_mile": record.pence_per_mile,
            "evidenced_pence": record.evidenced_pence,
            "recorded_by": by,
            "recorded_at": at,
        }
        return self._insert(expenses, values)

    def insert_payment(self, timebank_id: int, record: PaymentRecord, by: str, at: datetime) -> int:
        values = {
            "timebank_id": timebank_id,
            "organisation_id": record.organisation_id,
            "account_id": record.account_id,
            "activity_id": record.activity_id,
            "paid_on": record.paid_on,
            "description": record.description,
            "amount_pence": record.amount_pence,
            "offered_pence": record.offered_pence,
            "kind": record.kind,
            "period_kind": record.period_kind,
            "period_from_on": record.period_from_on,
            "period_to_on": record.period_to_on,
            "worked_minutes": record.worked_minutes,
            "acknowledgement_needed": record.acknowledgement_needed,
            "acknowledgement_reference": record.acknowledgement_reference,
            "recorded_by": by,
            "recorded_at": at,
        }
        return self._insert(payments, values)

    def insert_declined(self, timebank_id: int, record: DeclinedPaymentRecord, by: str, at: datetime) -> int:
        values = {
            "timebank_id": timebank_id,
            "organisation_id": record.organisation_id,
            "account_id": record.account_id,
            "activity_id": record.activity_id,
            "choice": record.choice,
            "declined_on": record.declined_on,
            "description": record.description,
            "offered_pence": record.offered_pence,
            "kind": record.kind,
            "charity_name": record.charity_name,
            "recorded_by": by,
            "recorded_at": at,
        }
        return self._insert(declined_payments, values)

    def paid_between(self, timebank_id: int, account_id: int, from_on: date, to_on: date) -> list[PaidRow]:
        """The member's payments (from any organisation) paid in ``[from_on, to_on)``, oldest first."""
        p = payments.c
        rows = self.connection.execute(
            select(p.paid_on, p.amount_pence, p.worked_minutes)
            .where(
                p.timebank_id == timebank_id,
                p.account_id == account_id,
                p.paid_on >= from_on,
                p.paid_on < to_on,
            )
            .order_by(p.paid_on, p.id)
        )
        return [PaidRow(paid_on, amount, minutes) for paid_on, amount, minutes in rows]

    def expenses_of(self, timebank_id: int, account_id: int, limit: int | None = None) -> list[ExpenseRecord]:
        e = expenses.c
        rows = self.connection.execute(
            select(expenses)
            .where(e.timebank_id == timebank_id, e.account_id == account_id)
            .order_by(e.id)
            .limit(limit)
        ).mappings()
        return [_expense_record(row) for row in rows]

    def expenses_page(
        self, timebank_id: int, organisation_id: int, *, before_id: int | None, limit: int
    ) -> list[ExpenseRecord]:
        """The organisation's expenses, newest first: those recorded before ``before_id``, if given."""
        e = expenses.c
        query = select(expenses).where(e.timebank_id == timebank_id, e.organisation_id == organisation_id)
        if before_id is not None:
            query = query.where(e.id < before_id)
        rows = self.connection.execute(query.order_by(e.id.desc()).limit(limit)).mappings()
        return [_expense_record(row) for row in rows]

    def payments_of(self, timebank_id: int, account_id: int, limit: int | None = None) -> list[PaymentRecord]:
        p = payments.c
        rows = self.connection.execute(
            select(payments)
            .where(p.timebank_id == timebank_id, p.account_id == account_id)
            .order_by(p.id)
            .limit(limit)
        ).mappings()
        return [
            PaymentRecord(
                payment_id=row["id"],
                organisation_id=row["organisation_id"],
                account_id=row["account_id"],
                activity_id=row["activity_id"],
                paid_on=row["paid_on"],
                description=row["description"],
                amount_pence=row["amount_pence"],
                offered_pence=row["offered_pence"],
                kind=row["kind"],
                period_kind=row["period_kind"],
                period_from_on=row["period_from_on"],
                period_to_on=row["period_to_on"],
                worked_minutes=row["worked_minutes"],
                acknowledgement_needed=row["acknowledgement_needed"],
                acknowledgement_reference=row["acknowledgement_reference"],
            )
            for row in rows
        ]

    def declined_of(
        self, timebank_id: int, account_id: int, limit: int | None = None
    ) -> list[DeclinedPaymentRecord]:
        d = declined_payments.c
        rows = self.connection.execute(
            select(declined_payments)
            .where(d.timebank_id == timebank_id, d.account_id == account_id)
            .order_by(d.id)
            .limit(limit)
        ).mappings()
        return [
            DeclinedPaymentRecord(
                declined_id=row["id"],
                organisation_id=row["organisation_id"],
                account_id=row["account_id"],
                activity_id=row["activity_id"],
                choice=row["choice"],
                declined_on=row["declined_on"],
                description=row["description"],
                offered_pence=row["offered_pence"],
                kind=row["kind"],
                charity_name=row["charity_name"],
            )
            for row in rows
        ]


def _expense_record(row: RowMapping) -> ExpenseRecord:
    return ExpenseRecord(
        expense_id=row["id"],
        organisation_id=row["organisation_id"],
        account_id=row["account_id"],
        activity_id=row["activity_id"],
        incurred_on=row["incurred_on"],
        description=row["description"],
        amount_pence=row["amount_pence"],
        evidence_kind=row["evidence_kind"],
        evidenced_pence=row["evidenced_pence"],
        receipt_reference=row["receipt_reference"],
        journey=row["journey"],
        miles=row["miles"],
        pence_per_mile=row["pence_per_mile"],
    )
