"""A member's benefit-safe statement for a period, read from storage (DESIGN B7).

The pure model, ``timebank.benefits.statement.Statement``, holds what a benefit office asks about;
this use case fills it in for one member and a period ``[from_on, to_on)``:

- **credits** received and spent: the member's account's transfers posted in the period (the
  ledger keeps them in minutes), each described by why credits moved. An exchange keeps the
  members' own description unless it uses a word credits are never called (B8);
- **activities** held in the period that the member attended, with their classification and the
  member's reward choice;
- **money**, kept apart: expenses with their evidence, payments made, payments turned down (when an
  amount was offered) and payments given to a charity at the member's request;
- the **issuer**: the timebank, signed by the coordinator who reads it or, for the member's own
  read, by the timebank's longest-serving coordinator.

Who may read it: the member and the timebank's coordinators; nobody else (not an organisation's
staff, not other members). It holds no benefit category, but it is a person's money and
involvement, so a coordinator's read of someone else's statement leaves an audit row, as a read of
a declaration does; the member's own read writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Engine

from timebank.benefits.activities import Activity, ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.money import (
    DeclinedPayment,
    Evidence,
    Expense,
    Mileage,
    Payment,
    PaymentKind,
    PaymentPeriod,
    Receipt,
    RedirectedPayment,
)
from timebank.benefits.statement import (
    STATEMENT_ENTRIES_MAX,
    ActivityTaken,
    CreditDirection,
    CreditEntry,
    Signatory,
    Statement,
)
from timebank.benefits.wording import find_forbidden_words
from timebank.db.repositories import AttendedRow, CreditMovementRow, ExpenseRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.errors import MemberAccountRequired, PeriodMustEndAfterStart, SelfOrCoordinatorRequired
from timebank.ledger.types import AccountKind, TransactionKind
from timebank.services.audit import AuditAction, AuditTrail
from timebank.services.benefit_rules import benefit_rules
from timebank.services.callers import Caller
from timebank.services.clock import utc_now
from timebank.services.tenancy import not_found_before_refused

__all__ = ["benefit_safe_statement", "statement_json"]

COORDINATOR_ROLE = "Coordinator"
# Signs when the timebank has no coordinator with a name to sign.
_NO_COORDINATOR = Signatory("The timebank's coordinators", COORDINATOR_ROLE)

# Why credits moved, in words a member and a benefit office read. None of them says pay (B8).
_CREDIT_REASONS = {
    TransactionKind.EXCHANGE: "an exchange of time",
    TransactionKind.GIFT: "a gift of time credits",
    TransactionKind.POT_DONATION: "a gift to the community pot",
    TransactionKind.POT_GRANT: "a grant from the community pot",
    TransactionKind.REVERSAL: "a correction of an earlier entry",
    TransactionKind.RECOGNITION: "taking part in an activity",
}


def _is_self(caller: Caller, account_id: int) -> bool:
    return caller.account_id is not None and caller.account_id == account_id


def _check_may_read(caller: Caller, timebank_id: int, account_id: int) -> None:
    caller.check_timebank(timebank_id)
    if not (_is_self(caller, account_id) or caller.is_coordinator):
        raise SelfOrCoordinatorRequired("A benefit statement is seen only by the member and coordinators")


def _credit(row: CreditMovementRow) -> CreditEntry:
    kind = TransactionKind(row.transaction_kind)
    description = _CREDIT_REASONS[kind]
    own = row.exchange_description
    # The members' own words describe an exchange, unless they would call credits pay (B8).
    if kind is TransactionKind.EXCHANGE and own and not find_forbidden_words(own):
        description = own
    direction = CreditDirection.RECEIVED if row.minutes > 0 else CreditDirection.SPENT
    return CreditEntry(row.given_on, abs(row.minutes), direction, description)


def _taken(row: AttendedRow) -> ActivityTaken:
    activity = Activity(
        row.title,
        row.held_on,
        row.duration_minutes,
        ActivityClassification(row.classification),
        row.purpose,
    )
    return ActivityTaken(activity, row.minutes, Reward(row.reward))


def _evidence(record: ExpenseRecord) -> Evidence:
    if record.evidence_kind == "mileage":
        assert record.journey is not None and record.miles is not None
        assert record.pence_per_mile is not None
        return Mileage(record.journey, record.miles, record.pence_per_mile)
    assert record.receipt_reference is not None
    return Receipt(record.receipt_reference, record.evidenced_pence)


def _within(on: date, from_on: date, to_on: date) -> bool:
    return from_on <= on < to_on


def _money(
    uow: UnitOfWork, timebank_id: int, account_id: int, from_on: date, to_on: date
) -> dict[str, tuple[Any, ...]]:
    expenses = tuple(
        Expense(e.incurred_on, e.description, e.amount_pence, _evidence(e))
        for e in uow.money.expenses_of(timebank_id, account_id)
        if _within(e.incurred_on, from_on, to_on)
    )
    payments = tuple(
        Payment(
            p.paid_on,
            p.description,
            p.amount_pence,
            PaymentKind(p.kind),
            PaymentPeriod(p.period_kind, p.period_from_on, p.period_to_on),  # type: ignore[arg-type]
        )
        for p in uow.money.payments_of(timebank_id, account_id)
        if _within(p.paid_on, from_on, to_on)
    )
    turned_down = [
        d for d in uow.money.declined_of(timebank_id, account_id) if _within(d.declined_on, from_on, to_on)
    ]
    # A decline with no amount offered is shown by the activity's choice alone: there is no sum to state.
    declined = tuple(
        DeclinedPayment(d.declined_on, d.description, d.offered_pence, PaymentKind(d.kind))
        for d in turned_down
        if d.choice == "decline" and d.offered_pence is not None and d.kind is not None
    )
    redirected = tuple(
        RedirectedPayment(d.declined_on, d.description, d.offered_pence, d.charity_name)
        for d in turned_down
        if d.choice == "charity" and d.offered_pence is not None and d.charity_name is not None
    )
    return {"expenses": expenses, "payments": payments, "declined": declined, "redirected": redirected}


def _signatory(uow: UnitOfWork, timebank_id: int, caller: Caller) -> Signatory:
    if caller.is_coordinator and caller.member_id is not None:
        return Signatory(uow.members.get(timebank_id, caller.member_id).display_name, COORDINATOR_ROLE)
    name = uow.benefit_statements.first_coordinator_name(timebank_id)
    return _NO_COORDINATOR if name is None else Signatory(name, COORDINATOR_ROLE)


def _build(
    uow: UnitOfWork, timebank_id: int, caller: Caller, account_id: int, from_on: date, to_on: date
) -> Statement:
    account = uow.accounts.get(timebank_id, account_id)
    if account.kind is not AccountKind.MEMBER:
        raise MemberAccountRequired(f"Only a member has a benefit statement; account {account_id} is not one")
    timebank = uow.timebanks.get(timebank_id)
    # One more than a statement may hold, so that a longer section is refused, not cut short.
    credits = uow.benefit_statements.credit_movements(
        timebank_id, account_id, from_on, to_on, STATEMENT_ENTRIES_MAX + 1
    )
    attended = uow.benefit_statements.attended(
        timebank_id, account_id, from_on, to_on, STATEMENT_ENTRIES_MAX + 1
    )
    with benefit_rules():
        return Statement(
            member_name=uow.accounts.name_of(account_id),
            organisation_name=timebank.name,
            signatory=_signatory(uow, timebank_id, caller),
            from_on=from_on,
            to_on=to_on,
            issued_on=utc_now().date(),
            activities=tuple(_taken(row) for row in attended),
            credits=tuple(_credit(row) for row in credits),
            **_money(uow, timebank_id, account_id, from_on, to_on),
        )


def benefit_safe_statement(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, from_on: date, to_on: date
) -> Statement:
    """The member's benefit-safe statement for ``[from_on, to_on)``; a coordinator's read is audited."""
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        _check_may_read(caller, timebank_id, account_id)
    if to_on <= from_on:
        raise PeriodMustEndAfterStart(f"A statement's period {from_on} to {to_on} is empty")
    audited = not _is_self(caller, account_id)

    def use_case(uow: UnitOfWork) -> Statement:
        statement = _build(uow, timebank_id, caller, account_id, from_on, to_on)
        if audited:
            trail = AuditTrail(caller.caller)
            trail.add(
                AuditAction.STATEMENT_READ,
                account_id,
                from_on=from_on.isoformat(),
                to_on=to_on.isoformat(),
            )
            trail.write(uow, timebank_id)
            uow.commit()
        return statement

    return run(engine, use_case, write=audited)


def statement_json(statement: Statement) -> dict[str, Any]:
    """The statement as JSON: minutes for credits and pence for money, in sections of their own (B1)."""
    return {
        "member_name": statement.member_name,
        "organisation_name": statement.organisation_name,
        "signatory": {"name": statement.signatory.name, "role": statement.signatory.role},
        "from_on": statement.from_on.isoformat(),
        "to_on": statement.to_on.isoformat(),
        "issued_on": statement.issued_on.isoformat(),
        "credits": {
            "received_minutes": statement.received_minutes,
            "spent_minutes": statement.spent_minutes,
            "entries": [
                {
                    "on": c.on.isoformat(),
                    "minutes": c.minutes,
                    "direction": c.direction.value,
                    "description": c.description,
                }
                for c in statement.credits
            ],
        },
        "activities": [
            {
                "title": t.activity.title,
                "held_on": t.activity.held_on.isoformat(),
                "classification": t.activity.classification.value,
                "classification_label": t.activity.classification.label,
                "minutes": t.minutes,
                "choice": t.choice.value,
            }
            for t in statement.activities
        ],
        "money": {
            "expenses_pence": statement.expenses_pence,
            "payments_pence": statement.payments_pence,
            "declined_pence": statement.declined_pence,
            "redirected_pence": statement.redirected_pence,
            "expenses": [
                {
                    "incurred_on": e.incurred_on.isoformat(),
                    "description": e.description,
                    "amount_pence": e.amount_pence,
                    "evidence": "mileage" if isinstance(e.evidence, Mileage) else "receipt",
                }
                for e in statement.expenses
            ],
            "payments": [
                {
                    "paid_on": p.paid_on.isoformat(),
                    "description": p.description,
                    "amount_pence": p.amount_pence,
                    "kind": p.kind.value,
                }
                for p in statement.payments
            ],
            "declined": [
                {
                    "declined_on": d.declined_on.isoformat(),
                    "description": d.description,
                    "offered_pence": d.offered_pence,
                    "kind": d.kind.value,
                }
                for d in statement.declined
            ],
            "redirected": [
                {
                    "redirected_on": r.redirected_on.isoformat(),
                    "description": r.description,
                    "amount_pence": r.amount_pence,
                    "charity_name": r.charity_name,
                }
                for r in statement.redirected
            ],
        },
    }
