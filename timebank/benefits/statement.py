"""A member's benefit-safe statement for a period: the facts a benefit office asks about (DESIGN B7).

A member hands this to a benefit office, so it must be true line by line. It keeps credits and money
in separate sections, because they are separate things:

- time credits received and spent, in hours and minutes. An entry recorded by mistake and then
  reversed is not counted: it and its reversal are listed apart, as a **correction**, so that
  neither inflates what was received or spent;
- credits spent on **goods or a voucher**, named as such: time credits are not counted as earnings
  as long as they are not exchanged for goods, so these are exactly what a benefit office may need
  to hear about. Only a statement with none of them says that credits cannot be exchanged for goods;
- the activities the member took part in, each with the **organisation that ran it**, its
  classification (the legal phrase "participating as a service user", say) and the member's choice;
- expenses repaid, each with its evidence (a receipt reference, or miles at a rate), and payments
  made to the member, turned down, or given to a charity at the member's request, each with the
  **organisation** that repaid, paid or offered it;
- every organisation named, with its **contact details**, so that each line can be checked;
- the **timebank** that issues the statement, with its contact details, and the **signatory**: a
  coordinator of the timebank. A copy a coordinator makes is signed by them; the member's own copy
  is signed by nobody and says so, naming a coordinator to contact instead.

``Statement`` is the model; ``timebank.benefits.statement_text`` turns it into short plain-English
lines for the page and the PDF, and into a letter the member can hand to their benefit office. The
period is half-open, ``[from_on, to_on)``, like every period here; every dated entry must fall inside
it, and it never covers a day after the statement was issued.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from timebank.benefits.activities import Activity, minutes_breaches
from timebank.benefits.checks import text_breaches
from timebank.benefits.choices import Reward
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.money import DeclinedPayment, Expense, Payment, RedirectedPayment
from timebank.benefits.spending import SpendClass
from timebank.ledger.contacts import Contact
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "STATEMENT_ENTRIES_MAX",
    "ActivityTaken",
    "Correction",
    "CreditDirection",
    "CreditEntry",
    "FromOrganisation",
    "Party",
    "Signatory",
    "Statement",
    "statement_breaches",
]

# Per section; a year of weekly activity is about fifty lines.
STATEMENT_ENTRIES_MAX = 1000

_Money = TypeVar("_Money", Expense, Payment, DeclinedPayment, RedirectedPayment)


class CreditDirection(enum.StrEnum):
    RECEIVED = "received"
    SPENT = "spent"


@dataclass(frozen=True, slots=True)
class Party:
    """Someone a statement names, with how to reach them: the issuing timebank, or an organisation."""

    name: str
    contact: Contact


@dataclass(frozen=True, slots=True)
class CreditEntry:
    """Credits that came in or went out on one day, and what for. Minutes only: no money here.

    A spend on something an organisation offers carries the offer's class (``spent_on``) and the
    organisation's name, so that goods and vouchers are named as what they are.
    """

    on: date
    minutes: int
    direction: CreditDirection
    description: str
    spent_on: SpendClass | None = None
    organisation_name: str | None = None

    @property
    def is_goods_or_voucher(self) -> bool:
        return self.spent_on is not None and self.spent_on.is_goods_or_voucher


@dataclass(frozen=True, slots=True)
class Correction:
    """An entry recorded by mistake and reversed on ``reversed_on``: with its reversal it nets to nothing."""

    on: date
    minutes: int
    direction: CreditDirection
    description: str
    reversed_on: date


@dataclass(frozen=True, slots=True)
class ActivityTaken:
    """An activity the member took part in: the organisation that ran it, their time there, their choice."""

    activity: Activity
    minutes: int
    choice: Reward
    organisation: Party


@dataclass(frozen=True, slots=True)
class FromOrganisation(Generic[_Money]):
    """A money entry and the organisation it came from: the one that repaid, paid, or made the offer."""

    organisation: Party
    entry: _Money


@dataclass(frozen=True, slots=True)
class Signatory:
    """The coordinator who answers for the statement on the timebank's behalf, and how to reach them.

    ``signed`` is true only when they made this copy themselves; the member's own copy names them as
    the person to contact and claims no signature.
    """

    name: str
    role: str
    contact: Contact
    signed: bool


@dataclass(frozen=True, slots=True)
class Statement:
    member_name: str
    issued_by: Party
    signatory: Signatory
    from_on: date
    to_on: date
    issued_on: date
    activities: tuple[ActivityTaken, ...] = ()
    credits: tuple[CreditEntry, ...] = ()
    corrections: tuple[Correction, ...] = ()
    expenses: tuple[FromOrganisation[Expense], ...] = ()
    payments: tuple[FromOrganisation[Payment], ...] = ()
    declined: tuple[FromOrganisation[DeclinedPayment], ...] = ()
    redirected: tuple[FromOrganisation[RedirectedPayment], ...] = ()

    def __post_init__(self) -> None:
        raise_if_broken(statement_breaches(self))

    def _credit_minutes(self, direction: CreditDirection) -> int:
        # Corrections are not among the credits: an entry and its reversal count for nothing.
        return sum(entry.minutes for entry in self.credits if entry.direction is direction)

    @property
    def received_minutes(self) -> int:
        return self._credit_minutes(CreditDirection.RECEIVED)

    @property
    def spent_minutes(self) -> int:
        return self._credit_minutes(CreditDirection.SPENT)

    @property
    def goods_and_vouchers(self) -> tuple[CreditEntry, ...]:
        """The credits spent on goods or a voucher: what the benefit office may need to hear about."""
        return tuple(entry for entry in self.credits if entry.is_goods_or_voucher)

    @property
    def expenses_pence(self) -> int:
        return sum(expense.entry.amount_pence for expense in self.expenses)

    @property
    def payments_pence(self) -> int:
        return sum(payment.entry.amount_pence for payment in self.payments)

    @property
    def declined_pence(self) -> int:
        return sum(declined.entry.offered_pence for declined in self.declined)

    @property
    def redirected_pence(self) -> int:
        return sum(redirected.entry.amount_pence for redirected in self.redirected)

    @property
    def organisations(self) -> tuple[Party, ...]:
        """Every organisation the statement names, once each, in the order they first appear."""
        named = [taken.organisation for taken in self.activities]
        for section in (self.expenses, self.payments, self.declined, self.redirected):
            named += [money.organisation for money in section]
        return tuple(dict.fromkeys(named))


def _dated(statement: Statement) -> list[tuple[str, date]]:
    return (
        [(f"the activity {a.activity.title!r}", a.activity.held_on) for a in statement.activities]
        + [(f"the credits entry {c.description!r}", c.on) for c in statement.credits]
        + [(f"the corrected entry {c.description!r}", c.on) for c in statement.corrections]
        + [(f"the expense {e.entry.description!r}", e.entry.incurred_on) for e in statement.expenses]
        + [(f"the payment {p.entry.description!r}", p.entry.paid_on) for p in statement.payments]
        + [(f"the declined payment {d.entry.description!r}", d.entry.declined_on) for d in statement.declined]
        + [
            (f"the charity payment {r.entry.description!r}", r.entry.redirected_on)
            for r in statement.redirected
        ]
    )


def _section_sizes(statement: Statement) -> list[Breach]:
    sections: Sequence[tuple[str, tuple[object, ...]]] = (
        ("activities", statement.activities),
        ("credits", statement.credits),
        ("corrections", statement.corrections),
        ("expenses", statement.expenses),
        ("payments", statement.payments),
        ("declined payments", statement.declined),
        ("charity payments", statement.redirected),
    )
    return [
        Breach(
            BreachCode.TOO_MANY_STATEMENT_ENTRIES, f"A statement lists at most {STATEMENT_ENTRIES_MAX} {name}"
        )
        for name, entries in sections
        if len(entries) > STATEMENT_ENTRIES_MAX
    ]


def _period_breaches(statement: Statement) -> list[Breach]:
    if statement.to_on <= statement.from_on:
        return [
            Breach(
                BreachCode.PERIOD_MUST_END_AFTER_START,
                f"A statement's period {statement.from_on} to {statement.to_on} is empty",
            )
        ]
    # The last day covered is the day before to_on; it may be the day of issue, never later.
    if statement.to_on - timedelta(days=1) > statement.issued_on:
        return [
            Breach(
                BreachCode.STATEMENT_COVERS_FUTURE_DAYS,
                f"A statement issued on {statement.issued_on} cannot cover days up to {statement.to_on}",
            )
        ]
    return []


def _name_breaches(statement: Statement) -> list[Breach]:
    breaches = text_breaches("The member's name", statement.member_name, NAME_LENGTH_MAX)
    breaches += text_breaches("The timebank's name", statement.issued_by.name, NAME_LENGTH_MAX)
    breaches += text_breaches("The signatory's name", statement.signatory.name, NAME_LENGTH_MAX)
    breaches += text_breaches("The signatory's role", statement.signatory.role, NAME_LENGTH_MAX)
    for organisation in statement.organisations:
        breaches += text_breaches("An organisation's name", organisation.name, NAME_LENGTH_MAX)
    return breaches


def statement_breaches(statement: Statement) -> list[Breach]:
    """Every rule a statement breaks: its names, its period, its sections and their dates."""
    breaches = _name_breaches(statement) + _period_breaches(statement) + _section_sizes(statement)
    for entry in statement.credits:
        breaches += minutes_breaches("A credits entry", entry.minutes)
        breaches += text_breaches("A credits entry's description", entry.description, DESCRIPTION_LENGTH_MAX)
    for correction in statement.corrections:
        breaches += minutes_breaches("A corrected entry", correction.minutes)
        breaches += text_breaches(
            "A corrected entry's description", correction.description, DESCRIPTION_LENGTH_MAX
        )
    for taken in statement.activities:
        breaches += minutes_breaches(f"The time at {taken.activity.title!r}", taken.minutes)
    breaches += [
        Breach(
            BreachCode.STATEMENT_ENTRY_OUTSIDE_PERIOD,
            f"{what[:1].upper()}{what[1:]} is dated {on.isoformat()}, outside the statement's period",
        )
        for what, on in _dated(statement)
        if not statement.from_on <= on < statement.to_on
    ]
    return breaches
