"""A member's benefit-safe statement for a period: the facts a benefit office asks about (DESIGN B7).

The statement keeps credits and money in separate sections, because they are separate things:

- time credits received and spent, in hours and minutes, stated as having no cash value and as not
  exchangeable for cash or goods;
- the activities the member took part in, each with its classification (the legal phrase
  "participating as a service user", say) and the member's reward choice;
- expenses repaid, each with its evidence (a receipt reference, or miles at a rate);
- payments made to the member, payments declined, and payments given to a charity at the member's
  request;
- the organisation that issues it, and the person who signs it.

``Statement`` is the model; ``timebank.benefits.statement_text`` turns it into short plain-English
lines for the page and the PDF, and into a letter the member can hand to their benefit office. The
period is half-open, ``[from_on, to_on)``, like every period here, and every dated entry must fall
inside it.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from timebank.benefits.activities import Activity, minutes_breaches
from timebank.benefits.checks import text_breaches
from timebank.benefits.choices import Reward
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.money import DeclinedPayment, Expense, Payment, RedirectedPayment
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "STATEMENT_ENTRIES_MAX",
    "ActivityTaken",
    "CreditDirection",
    "CreditEntry",
    "Signatory",
    "Statement",
    "statement_breaches",
]

# Per section; a year of weekly activity is about fifty lines.
STATEMENT_ENTRIES_MAX = 1000


class CreditDirection(enum.StrEnum):
    RECEIVED = "received"
    SPENT = "spent"


@dataclass(frozen=True, slots=True)
class CreditEntry:
    """Credits that came in or went out on one day, and what for. Minutes only: no money here."""

    on: date
    minutes: int
    direction: CreditDirection
    description: str


@dataclass(frozen=True, slots=True)
class ActivityTaken:
    """An activity the member took part in: their time there and the reward they chose."""

    activity: Activity
    minutes: int
    choice: Reward


@dataclass(frozen=True, slots=True)
class Signatory:
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Statement:
    member_name: str
    organisation_name: str
    signatory: Signatory
    from_on: date
    to_on: date
    issued_on: date
    activities: tuple[ActivityTaken, ...] = ()
    credits: tuple[CreditEntry, ...] = ()
    expenses: tuple[Expense, ...] = ()
    payments: tuple[Payment, ...] = ()
    declined: tuple[DeclinedPayment, ...] = ()
    redirected: tuple[RedirectedPayment, ...] = ()

    def __post_init__(self) -> None:
        raise_if_broken(statement_breaches(self))

    def _credit_minutes(self, direction: CreditDirection) -> int:
        return sum(entry.minutes for entry in self.credits if entry.direction is direction)

    @property
    def received_minutes(self) -> int:
        return self._credit_minutes(CreditDirection.RECEIVED)

    @property
    def spent_minutes(self) -> int:
        return self._credit_minutes(CreditDirection.SPENT)

    @property
    def expenses_pence(self) -> int:
        return sum(expense.amount_pence for expense in self.expenses)

    @property
    def payments_pence(self) -> int:
        return sum(payment.amount_pence for payment in self.payments)

    @property
    def declined_pence(self) -> int:
        return sum(declined.offered_pence for declined in self.declined)

    @property
    def redirected_pence(self) -> int:
        return sum(redirected.amount_pence for redirected in self.redirected)


def _dated(statement: Statement) -> list[tuple[str, date]]:
    return (
        [(f"the activity {a.activity.title!r}", a.activity.held_on) for a in statement.activities]
        + [(f"the credits entry {c.description!r}", c.on) for c in statement.credits]
        + [(f"the expense {e.description!r}", e.incurred_on) for e in statement.expenses]
        + [(f"the payment {p.description!r}", p.paid_on) for p in statement.payments]
        + [(f"the declined payment {d.description!r}", d.declined_on) for d in statement.declined]
        + [(f"the charity payment {r.description!r}", r.redirected_on) for r in statement.redirected]
    )


def _section_sizes(statement: Statement) -> list[Breach]:
    sections: Sequence[tuple[str, tuple[object, ...]]] = (
        ("activities", statement.activities),
        ("credits", statement.credits),
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


def statement_breaches(statement: Statement) -> list[Breach]:
    """Every rule a statement breaks: its names, its period, its sections and their dates."""
    breaches = text_breaches("The member's name", statement.member_name, NAME_LENGTH_MAX)
    breaches += text_breaches("The organisation's name", statement.organisation_name, NAME_LENGTH_MAX)
    breaches += text_breaches("The signatory's name", statement.signatory.name, NAME_LENGTH_MAX)
    breaches += text_breaches("The signatory's role", statement.signatory.role, NAME_LENGTH_MAX)
    if statement.to_on <= statement.from_on:
        breaches.append(
            Breach(
                BreachCode.PERIOD_MUST_END_AFTER_START,
                f"A statement's period {statement.from_on} to {statement.to_on} is empty",
            )
        )
    breaches += _section_sizes(statement)
    for entry in statement.credits:
        breaches += minutes_breaches("A credits entry", entry.minutes)
        breaches += text_breaches("A credits entry's description", entry.description, DESCRIPTION_LENGTH_MAX)
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
