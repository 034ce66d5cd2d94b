"""A member's benefit-safe statement for a period, read from storage (DESIGN B7).

The pure model, ``timebank.benefits.statement.Statement``, holds what a benefit office asks about;
this use case fills it in for one member and a period ``[from_on, to_on)``:

- the **period**: by default from the first of this month, and never past today. A period that
  ends later is cut to end today (the answer says which days it covers); one that starts after
  today is refused with ``period_starts_after_today``;
- **credits** received and spent: the member's account's transfers posted in the period (the
  ledger keeps them in minutes), each described by why credits moved. An exchange keeps the
  members' own description unless it uses a word credits are never called (B8). A transaction
  that was reversed is a **correction**, counted in neither total; its reversal is not listed on
  its own. A spend on an organisation's offer is named by the offer's class, so that goods and
  vouchers are called what they are;
- **activities** held in the period that the member attended, with the organisation that ran
  each, its classification and the member's reward choice;
- **money**, kept apart: expenses with their evidence, payments made, payments turned down (when an
  amount was offered) and payments given to a charity at the member's request, each with the
  organisation that repaid, paid or offered it;
- the **issuer**: the timebank, with its contact details. A coordinator's read is signed by that
  coordinator. The member's own read is signed by nobody, and names the timebank's longest-serving
  coordinator as the person to contact; it never claims a signature nobody gave.

Who may read it: the member and the timebank's coordinators; nobody else (not an organisation's
staff, not other members). It holds no benefit category, but it is a person's money and
involvement, so a coordinator's read of someone else's statement leaves an audit row, as a read of
a declaration does; the member's own read writes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from timebank.benefits.activities import Activity, ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.errors import PeriodMustEndAfterStart, benefit_rules
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
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import SpendClass
from timebank.benefits.statement import (
    STATEMENT_ENTRIES_MAX,
    ActivityTaken,
    Correction,
    CreditDirection,
    CreditEntry,
    FromOrganisation,
    Party,
    Signatory,
    Statement,
)
from timebank.benefits.wording import find_forbidden_words
from timebank.clock import utc_now
from timebank.db.repositories import AttendedRow, CreditMovementRow, ExpenseRecord, TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.involvement.errors import MemberAccountRequired, PeriodStartsAfterToday
from timebank.ledger.types import AccountKind, TransactionKind
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused

__all__ = ["benefit_safe_statement", "statement_period"]

COORDINATOR_ROLE = "Coordinator"
# Named when the timebank has no coordinator with a name to answer for it.
_NO_COORDINATOR_NAME = "the timebank's coordinators"

# Why credits moved, in words a member and a benefit office read. None of them says pay (B8).
_CREDIT_REASONS = {
    TransactionKind.EXCHANGE: "an exchange of time",
    TransactionKind.GIFT: "a gift of time credits",
    TransactionKind.POT_DONATION: "a gift to the community pot",
    TransactionKind.POT_GRANT: "a grant from the community pot",
    TransactionKind.REVERSAL: "a correction of an earlier entry",
    TransactionKind.RECOGNITION: "taking part in an activity",
    TransactionKind.MEMBERSHIP_END: "the balance settled with the community pot as the membership ended",
    TransactionKind.OPENING_BALANCE: "the balance brought from the timebank's earlier records",
}
# A spend whose offer's own title would call credits something they are not (B8).
_SPEND_REASON = "something an organisation offers"


def _is_self(caller: Caller, account_id: int) -> bool:
    return caller.account_id is not None and caller.account_id == account_id


def _check_may_read(caller: Caller, timebank_id: int, account_id: int) -> None:
    caller.check_timebank(timebank_id)
    if not (_is_self(caller, account_id) or caller.is_coordinator):
        raise SelfOrCoordinatorRequired("A benefit statement is seen only by the member and coordinators")


def _description(row: CreditMovementRow, kind: TransactionKind) -> str:
    own = row.exchange_description
    # The members' own words describe an exchange (or an offer's title, a spend), unless they would
    # call credits pay (B8).
    if kind is TransactionKind.EXCHANGE and own and not find_forbidden_words(own):
        return own
    return _SPEND_REASON if row.spend_class is not None else _CREDIT_REASONS[kind]


def _credit(row: CreditMovementRow) -> CreditEntry | Correction:
    kind = TransactionKind(row.transaction_kind)
    assert kind is not TransactionKind.REVERSAL, "a reversal is read through what it reversed"
    direction = CreditDirection.RECEIVED if row.minutes > 0 else CreditDirection.SPENT
    description = _description(row, kind)
    if row.reversed_on is not None:
        return Correction(row.given_on, abs(row.minutes), direction, description, row.reversed_on)
    spent_on = None if row.spend_class is None else SpendClass(row.spend_class)
    return CreditEntry(
        row.given_on, abs(row.minutes), direction, description, spent_on, row.spend_organisation_name
    )


def _taken(row: AttendedRow, organisations: dict[int, Party]) -> ActivityTaken:
    activity = Activity(
        row.title,
        row.held_on,
        row.duration_minutes,
        ActivityClassification(row.classification),
        row.purpose,
    )
    return ActivityTaken(activity, row.minutes, Reward(row.reward), organisations[row.organisation_id])


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
) -> dict[str, tuple[tuple[int, Any], ...]]:
    """Each section's entries in the period, each with the id of the organisation it came from."""
    expenses = tuple(
        (e.organisation_id, Expense(e.incurred_on, e.description, e.amount_pence, _evidence(e)))
        for e in uow.money.expenses_of(timebank_id, account_id)
        if _within(e.incurred_on, from_on, to_on)
    )
    payments = tuple(
        (
            p.organisation_id,
            Payment(
                p.paid_on,
                p.description,
                p.amount_pence,
                PaymentKind(p.kind),
                PaymentPeriod(PeriodKind(p.period_kind), p.period_from_on, p.period_to_on),
            ),
        )
        for p in uow.money.payments_of(timebank_id, account_id)
        if _within(p.paid_on, from_on, to_on)
    )
    turned_down = [
        d for d in uow.money.declined_of(timebank_id, account_id) if _within(d.declined_on, from_on, to_on)
    ]
    # A decline with no amount offered is shown by the activity's choice alone: there is no sum to state.
    declined = tuple(
        (
            d.organisation_id,
            DeclinedPayment(d.declined_on, d.description, d.offered_pence, PaymentKind(d.kind)),
        )
        for d in turned_down
        if d.choice == "decline" and d.offered_pence is not None and d.kind is not None
    )
    redirected = tuple(
        (d.organisation_id, RedirectedPayment(d.declined_on, d.description, d.offered_pence, d.charity_name))
        for d in turned_down
        if d.choice == "charity" and d.offered_pence is not None and d.charity_name is not None
    )
    return {"expenses": expenses, "payments": payments, "declined": declined, "redirected": redirected}


def _organisations(uow: UnitOfWork, timebank_id: int, organisation_ids: set[int]) -> dict[int, Party]:
    """Each organisation named, with its contact details, by id."""
    records = uow.organisations.page(
        timebank_id, organisation_ids=sorted(organisation_ids), after_id=None, limit=len(organisation_ids) + 1
    )
    found = {record.organisation_id: Party(record.name, record.contact) for record in records}
    assert set(found) == organisation_ids, (
        "every activity and money row names an organisation of its timebank"
    )
    return found


def _signatory(uow: UnitOfWork, timebank: TimebankSettings, caller: Caller) -> Signatory:
    """A coordinator of the timebank: the one who reads it (and so signs it), or one to contact."""
    if caller.is_coordinator and caller.member_id is not None:
        reader = uow.members.get(timebank.timebank_id, caller.member_id).display_name
        return Signatory(reader, COORDINATOR_ROLE, timebank.contact, signed=True)
    longest_serving = uow.benefit_statements.first_coordinator_name(timebank.timebank_id)
    name = longest_serving or _NO_COORDINATOR_NAME
    return Signatory(name, COORDINATOR_ROLE, timebank.contact, signed=False)


def _build(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    from_on: date,
    to_on: date,
    today: date,
) -> Statement:
    account = uow.accounts.get(timebank_id, account_id)
    if account.kind is not AccountKind.MEMBER:
        raise MemberAccountRequired(f"Only a member has a benefit statement; account {account_id} is not one")
    timebank = uow.timebanks.get(timebank_id)
    # More than the credits and the corrections may hold together, so that a longer section is
    # refused, not cut short.
    movements = uow.benefit_statements.credit_movements(
        timebank_id, account_id, from_on, to_on, 2 * STATEMENT_ENTRIES_MAX + 1
    )
    credits = [_credit(row) for row in movements]
    attended = uow.benefit_statements.attended(
        timebank_id, account_id, from_on, to_on, STATEMENT_ENTRIES_MAX + 1
    )
    money = _money(uow, timebank_id, account_id, from_on, to_on)
    named = {row.organisation_id for row in attended} | {
        organisation_id for section in money.values() for organisation_id, _ in section
    }
    organisations = _organisations(uow, timebank_id, named) if named else {}
    with benefit_rules():
        return Statement(
            member_name=uow.accounts.name_of(account_id),
            issued_by=Party(timebank.name, timebank.contact),
            signatory=_signatory(uow, timebank, caller),
            from_on=from_on,
            to_on=to_on,
            issued_on=today,
            activities=tuple(_taken(row, organisations) for row in attended),
            credits=tuple(entry for entry in credits if isinstance(entry, CreditEntry)),
            corrections=tuple(entry for entry in credits if isinstance(entry, Correction)),
            **{
                name: tuple(
                    FromOrganisation(organisations[organisation_id], entry)
                    for organisation_id, entry in section
                )
                for name, section in money.items()
            },
        )


def statement_period(from_on: date | None, to_on: date | None, today: date) -> tuple[date, date]:
    """The days a statement covers: from ``from_on`` (the 1st of this month if not given) up to
    ``to_on``, but never past today (B7). Refused if it starts after today or is empty."""
    first = from_on or today.replace(day=1)
    after_today = today + timedelta(days=1)
    if first > today:
        raise PeriodStartsAfterToday(
            f"A statement covers days up to today ({today.isoformat()}); {first.isoformat()} is after it"
        )
    end = after_today if to_on is None else min(to_on, after_today)
    if end <= first:
        raise PeriodMustEndAfterStart(f"A statement's period {first} to {end} is empty")
    return first, end


def benefit_safe_statement(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    from_on: date | None = None,
    to_on: date | None = None,
) -> Statement:
    """The member's benefit-safe statement for ``[from_on, to_on)``, cut to end today at the latest
    (see ``statement_period``); a coordinator's read is audited."""
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        _check_may_read(caller, timebank_id, account_id)
    today = utc_now().date()
    first, end = statement_period(from_on, to_on, today)
    audited = not _is_self(caller, account_id)

    def use_case(uow: UnitOfWork) -> Statement:
        statement = _build(uow, timebank_id, caller, account_id, first, end, today)
        if audited:
            trail = AuditTrail(caller.caller)
            trail.add(
                AuditAction.STATEMENT_READ,
                account_id,
                from_on=first.isoformat(),
                to_on=end.isoformat(),
            )
            trail.write(uow, timebank_id)
            uow.commit()
        return statement

    return run(engine, use_case, write=audited)
