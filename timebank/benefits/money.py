"""Money kept apart from credits: expenses repaid against evidence, and payments (DESIGN B2).

Credits are whole minutes in the ledger; money is whole pence here, and nothing converts one into
the other in either direction (B1). No type in this module has a field of minutes, and no credit
type has a field of pence.

An *expense* repays a cost the member paid, at actual cost, against evidence: a receipt (its
reference and the amount it shows) or a mileage calculation (whole miles at a rate in pence per
mile; HMRC's approved 45p a mile is the default). Genuine expenses repaid like this are disregarded
for benefits; round-sum "expenses" without evidence are payments in disguise (NCVO; SCIE At a glance
50), so an expense without evidence is refused, and an expense is never more than its evidence.

A *payment* is money or money's worth paid for involvement: cash, a voucher or a gift. Any of them
can count as earnings, so each records the period it covers (a week or a month), which is how
benefits count it. Two records are not payments at all: a *declined payment* notes that the member
turned down an offer (a declined payment is not notional earnings, UC Regulations 2013 reg. 60), and
a *redirected payment* notes that the organisation paid a charity at the member's request instead
of paying the member. Both exist so that the statement (B7) can show the member's choice.

Each value checks itself when made and raises ``BenefitRulesBroken`` with every breach; the
``*_breaches`` functions give the same list without raising, for forms that show all problems.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

from timebank.benefits.checks import is_whole, pence_breaches, text_breaches
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.periods import DAYS_PER_WEEK, PeriodKind, month_period_of, week_of
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "HMRC_PENCE_PER_MILE",
    "MILES_MAX",
    "PENCE_PER_MILE_MAX",
    "DeclinedPayment",
    "Evidence",
    "Expense",
    "Mileage",
    "Payment",
    "PaymentKind",
    "PaymentPeriod",
    "Receipt",
    "RedirectedPayment",
    "evidence_breaches",
    "expense_breaches",
    "period_breaches",
]

# HMRC's approved mileage allowance for a car or van, first 10,000 miles of a tax year.
HMRC_PENCE_PER_MILE = 45
# One claim's miles and rate are bounded: a thousand-mile claim or a pound a mile is a typing slip.
MILES_MAX = 2000
PENCE_PER_MILE_MAX = 100


class PaymentKind(enum.StrEnum):
    """What was handed over. Vouchers and gifts are money's worth and count like cash (SCIE 50)."""

    CASH = "cash"
    VOUCHER = "voucher"
    GIFT = "gift"

    @property
    def phrase(self) -> str:
        """How it reads after an amount: "£20 in cash", "£20 as a voucher"."""
        return {"cash": "in cash", "voucher": "as a voucher", "gift": "as a gift"}[self.value]


def period_breaches(kind: PeriodKind, from_on: date, to_on: date) -> list[Breach]:
    """A week is seven days from any day; a month runs to the same day of the next month (clamped)."""
    if to_on <= from_on:
        return [Breach(BreachCode.PERIOD_MUST_END_AFTER_START, f"The period {from_on} to {to_on} is empty")]
    if kind is PeriodKind.WEEK and to_on - from_on != timedelta(days=DAYS_PER_WEEK):
        return [Breach(BreachCode.WEEK_MUST_BE_SEVEN_DAYS, f"A week is 7 days, not {(to_on - from_on).days}")]
    # A monthly period is one starting on from_on's day of the month; reg. 21(2) moves the start
    # of periods near the month's end, so any start day from 1 to 31 that yields this period counts.
    if kind is PeriodKind.MONTH and all(
        month_period_of(from_on, day) != (from_on, to_on) for day in range(from_on.day, 32)
    ):
        return [Breach(BreachCode.MONTH_MUST_BE_ONE_MONTH, f"{from_on} to {to_on} is not one monthly period")]
    return []


@dataclass(frozen=True, slots=True)
class PaymentPeriod:
    """The week or monthly period a payment covers, half-open: ``[from_on, to_on)``."""

    kind: PeriodKind
    from_on: date
    to_on: date

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", PeriodKind(self.kind))  # "week" from storage is WEEK
        raise_if_broken(period_breaches(self.kind, self.from_on, self.to_on))

    @classmethod
    def week_of(cls, on: date) -> PaymentPeriod:
        return cls(PeriodKind.WEEK, *week_of(on))

    @classmethod
    def month_of(cls, on: date, start_day: int = 1) -> PaymentPeriod:
        return cls(PeriodKind.MONTH, *month_period_of(on, start_day))


@dataclass(frozen=True, slots=True)
class Receipt:
    """A receipt or ticket: its reference (a number, a file name) and the amount it shows."""

    reference: str
    evidenced_pence: int


@dataclass(frozen=True, slots=True)
class Mileage:
    """A mileage calculation: the journey, whole miles, and the rate in pence per mile."""

    journey: str
    miles: int
    pence_per_mile: int = HMRC_PENCE_PER_MILE

    @property
    def evidenced_pence(self) -> int:
        return self.miles * self.pence_per_mile


Evidence = Receipt | Mileage


def _count_breaches(name: str, value: object, count_max: int, codes: tuple[BreachCode, ...]) -> list[Breach]:
    whole, positive, above = codes
    if not is_whole(value):
        return [Breach(whole, f"{name} must be a whole number, not {value!r}")]
    assert isinstance(value, int)
    if value <= 0:
        return [Breach(positive, f"{name} must be more than zero, not {value}")]
    if value > count_max:
        return [Breach(above, f"{name} is {value}; the limit is {count_max}")]
    return []


def evidence_breaches(evidence: Evidence) -> list[Breach]:
    if isinstance(evidence, Receipt):
        return text_breaches("A receipt's reference", evidence.reference, NAME_LENGTH_MAX) + pence_breaches(
            "The amount on a receipt", evidence.evidenced_pence
        )
    miles = _count_breaches(
        "The miles of a journey",
        evidence.miles,
        MILES_MAX,
        (BreachCode.MILES_MUST_BE_WHOLE, BreachCode.MILES_MUST_BE_POSITIVE, BreachCode.MILES_ABOVE_LIMIT),
    )
    rate = _count_breaches(
        "The pence per mile",
        evidence.pence_per_mile,
        PENCE_PER_MILE_MAX,
        (
            BreachCode.MILEAGE_RATE_MUST_BE_WHOLE,
            BreachCode.MILEAGE_RATE_MUST_BE_POSITIVE,
            BreachCode.MILEAGE_RATE_ABOVE_LIMIT,
        ),
    )
    return text_breaches("A journey", evidence.journey, DESCRIPTION_LENGTH_MAX) + miles + rate


def expense_breaches(amount_pence: object, evidence: Evidence | None, description: str) -> list[Breach]:
    """Every rule an expense claim breaks: its amount, its evidence, and the amount against the evidence."""
    amount_problems = pence_breaches("An expense", amount_pence)
    breaches = (
        text_breaches("An expense's description", description, DESCRIPTION_LENGTH_MAX) + amount_problems
    )
    if evidence is None:
        breaches.append(
            Breach(
                BreachCode.EXPENSE_EVIDENCE_MISSING,
                "An expense needs a receipt or a mileage calculation; "
                "a round sum without evidence is a payment",
            )
        )
        return breaches
    evidence_problems = evidence_breaches(evidence)
    breaches += evidence_problems
    # Compare only sound numbers: a malformed amount or evidence has been reported already.
    if not amount_problems and not evidence_problems:
        assert isinstance(amount_pence, int)
        if amount_pence > evidence.evidenced_pence:
            breaches.append(
                Breach(
                    BreachCode.EXPENSE_ABOVE_EVIDENCE,
                    f"An expense of {amount_pence} pence is more than its evidence shows "
                    f"({evidence.evidenced_pence} pence)",
                )
            )
    return breaches


@dataclass(frozen=True, slots=True)
class Expense:
    """A cost the member paid, repaid at cost: never above its evidence, never without it."""

    incurred_on: date
    description: str
    amount_pence: int
    evidence: Evidence | None

    def __post_init__(self) -> None:
        raise_if_broken(expense_breaches(self.amount_pence, self.evidence, self.description))


@dataclass(frozen=True, slots=True)
class Payment:
    """Money or money's worth paid to the member for involvement, and the period it covers."""

    paid_on: date
    description: str
    amount_pence: int
    kind: PaymentKind
    covers: PaymentPeriod

    def __post_init__(self) -> None:
        raise_if_broken(
            text_breaches("A payment's description", self.description, DESCRIPTION_LENGTH_MAX)
            + pence_breaches("A payment", self.amount_pence)
        )


@dataclass(frozen=True, slots=True)
class DeclinedPayment:
    """A payment offered and turned down. Not a payment: no money moved, and none is owed."""

    declined_on: date
    description: str
    offered_pence: int
    kind: PaymentKind

    def __post_init__(self) -> None:
        raise_if_broken(
            text_breaches("A declined payment's description", self.description, DESCRIPTION_LENGTH_MAX)
            + pence_breaches("A declined payment", self.offered_pence)
        )


@dataclass(frozen=True, slots=True)
class RedirectedPayment:
    """A payment the organisation made to a charity at the member's request, not to the member."""

    redirected_on: date
    description: str
    amount_pence: int
    charity_name: str

    def __post_init__(self) -> None:
        raise_if_broken(
            text_breaches("A redirected payment's description", self.description, DESCRIPTION_LENGTH_MAX)
            + pence_breaches("A redirected payment", self.amount_pence)
            + text_breaches("The charity's name", self.charity_name, NAME_LENGTH_MAX)
        )
