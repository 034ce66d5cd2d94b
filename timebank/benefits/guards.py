"""The guards that keep payments and spending from harming a member's benefits (DESIGN B5, B6).

Before an organisation pays a member, ``check_payment`` adds the proposed payment to the member's
payments already made, totals them per Monday-start week and per monthly period (calendar months,
or Universal Credit assessment periods when a start day is given), and compares the totals of the
week and period the new payment lands in with every limit in force that day for the benefits the
member declared. A limit is *reached* when the total equals it and *crossed* when the total is
above it: exactly £195.50 is within the permitted work higher limit, £195.51 is over. A limit with
an hours condition applies only while the week's paid work is below it: 15.9 hours (954 minutes)
keeps the permitted work higher limit open, 16 hours (960 minutes) does not, and that is itself a
warning.

A member who declared nothing gets totals but no warnings and needs no acknowledgement. A member
who declared anything, "prefer not to say" included, gets advice to tell the benefit office with
any payment, and the payment needs the organisation to record an explicit acknowledgement. The
outcome says so; recording the acknowledgement and logging every check is the caller's job.

Totals count each payment in the week and period of the day it is paid, with the minutes of paid
work it pays for. (Universal Credit counts earnings in the assessment period they are received;
for other benefits the office may assign them to the period they are for. The benefit office
decides; these totals are a warning, not a ruling.)

``default_reward`` and ``check_spend`` (in ``timebank.benefits.spending``) complete B5.
"""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from timebank.benefits import advice
from timebank.benefits.activities import minutes_breaches
from timebank.benefits.advice import BenefitWarning, WarningCode
from timebank.benefits.categories import BenefitCategory, has_declared, limit_codes_for
from timebank.benefits.checks import is_whole, pence_breaches
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.limits import DEFAULT_SCHEDULE, BenefitLimit, LimitSchedule
from timebank.benefits.periods import PeriodKind, period_of

__all__ = [
    "PAYMENTS_MAX",
    "LimitCheck",
    "LimitStatus",
    "PaidInvolvement",
    "PaymentGuard",
    "PeriodTotal",
    "check_payment",
    "period_totals",
]

# A member's payment history read for one check; years of weekly payments fit many times over.
PAYMENTS_MAX = 10_000


@dataclass(frozen=True, slots=True)
class PaidInvolvement:
    """A payment for involvement as the guards count it: the day paid, the money, the paid work.

    ``worked_minutes`` is the time of work the payment is for (zero for a gift unrelated to time).
    It is time worked for pay, which the permitted work hours condition counts; it is never
    credits, and nothing here relates it to the pence.
    """

    paid_on: date
    amount_pence: int
    worked_minutes: int


def _involvement_breaches(name: str, item: PaidInvolvement) -> list[Breach]:
    breaches = pence_breaches(f"{name}'s amount", item.amount_pence)
    minutes = item.worked_minutes
    # Zero minutes is fine here (a gift pays for no time); otherwise the ledger's rules for minutes.
    if is_whole(minutes) and minutes < 0:
        breaches.append(
            Breach(BreachCode.MINUTES_MUST_NOT_BE_NEGATIVE, f"{name}'s paid work cannot be negative")
        )
    elif not (is_whole(minutes) and minutes == 0):
        breaches += minutes_breaches(f"{name}'s paid work", minutes)
    return breaches


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    """The payments of one week or monthly period ``[from_on, to_on)``, added up."""

    kind: PeriodKind
    from_on: date
    to_on: date
    amount_pence: int
    worked_minutes: int
    payment_count: int


def period_totals(
    payments: Iterable[PaidInvolvement], kind: PeriodKind, month_start_day: int = 1
) -> tuple[PeriodTotal, ...]:
    """One total per period that has a payment, in date order; each payment counts in exactly one."""
    sums: dict[tuple[date, date], list[int]] = defaultdict(lambda: [0, 0, 0])
    for payment in payments:
        entry = sums[period_of(kind, payment.paid_on, month_start_day)]
        entry[0] += payment.amount_pence
        entry[1] += payment.worked_minutes
        entry[2] += 1
    return tuple(
        PeriodTotal(kind, from_on, to_on, pence, minutes, count)
        for (from_on, to_on), (pence, minutes, count) in sorted(sums.items())
    )


class LimitStatus(enum.StrEnum):
    WITHIN = "within"
    REACHED = "reached"
    CROSSED = "crossed"
    HOURS_CONDITION_NOT_MET = "hours_condition_not_met"


@dataclass(frozen=True, slots=True)
class LimitCheck:
    """One limit against the total of the period the proposed payment lands in."""

    limit: BenefitLimit
    from_on: date
    to_on: date
    before_pence: int
    after_pence: int
    status: LimitStatus


@dataclass(frozen=True, slots=True)
class PaymentGuard:
    """What the guard found: totals with the payment added, each limit's check, warnings, and
    whether the organisation must record an explicit acknowledgement before paying.

    ``checks`` and each warning's ``text`` name the limits, and so reveal which benefits the member
    declared: show them only to the member and to coordinators who need them (B4). Organisation
    staff see ``organisation_texts``, which name no benefit.
    """

    declared: bool
    proposed: PaidInvolvement
    week: PeriodTotal
    month: PeriodTotal
    weeks: tuple[PeriodTotal, ...]
    months: tuple[PeriodTotal, ...]
    checks: tuple[LimitCheck, ...]
    warnings: tuple[BenefitWarning, ...]
    acknowledgement_needed: bool

    @property
    def reached(self) -> tuple[BenefitLimit, ...]:
        return tuple(c.limit for c in self.checks if c.status is LimitStatus.REACHED)

    @property
    def crossed(self) -> tuple[BenefitLimit, ...]:
        return tuple(c.limit for c in self.checks if c.status is LimitStatus.CROSSED)

    @property
    def organisation_codes(self) -> tuple[WarningCode, ...]:
        """What organisation staff are told, as a code: one, the same for every declared member (B4)."""
        return (WarningCode.PAYMENT_MAY_AFFECT_BENEFITS,) if self.declared else ()

    @property
    def organisation_texts(self) -> tuple[str, ...]:
        """What organisation staff are told, in words: one sentence, whatever the benefit, amount or limit.

        Not the warnings themselves: a limit reached at one amount and not at the next names the
        benefit whose limit that is, and a warning that appears only for "prefer not to say" names
        that choice. The member and coordinators get the warnings in full (``warnings``).
        """
        return (advice.ORGANISATION_PAYMENT_ADVICE,) if self.declared else ()


def _status(limit: BenefitLimit, after_pence: int, week_worked_minutes: int) -> LimitStatus:
    if not limit.hours_condition_met(week_worked_minutes):
        return LimitStatus.HOURS_CONDITION_NOT_MET
    if after_pence > limit.amount_pence:
        return LimitStatus.CROSSED
    if after_pence == limit.amount_pence:
        return LimitStatus.REACHED
    return LimitStatus.WITHIN


def _check(limit: BenefitLimit, week: PeriodTotal, month: PeriodTotal, proposed_pence: int) -> LimitCheck:
    total = week if limit.period is PeriodKind.WEEK else month
    status = _status(limit, total.amount_pence, week.worked_minutes)
    return LimitCheck(
        limit, total.from_on, total.to_on, total.amount_pence - proposed_pence, total.amount_pence, status
    )


def _warning(check: LimitCheck, week: PeriodTotal) -> BenefitWarning | None:
    if check.status is LimitStatus.CROSSED:
        return advice.limit_crossed(check.limit, check.after_pence, check.from_on, check.to_on)
    if check.status is LimitStatus.REACHED:
        return advice.limit_reached(check.limit, check.after_pence, check.from_on, check.to_on)
    if check.status is LimitStatus.HOURS_CONDITION_NOT_MET:
        return advice.permitted_work_hours_reached(check.limit, week.worked_minutes, week.from_on, week.to_on)
    return None


def _request_breaches(
    made: Sequence[PaidInvolvement], proposed: PaidInvolvement, month_start_day: int
) -> list[Breach]:
    breaches = []
    if len(made) > PAYMENTS_MAX:
        breaches.append(
            Breach(
                BreachCode.TOO_MANY_PAYMENTS, f"At most {PAYMENTS_MAX} payments are checked, not {len(made)}"
            )
        )
    if not is_whole(month_start_day) or not 1 <= month_start_day <= 31:
        breaches.append(
            Breach(
                BreachCode.MONTH_START_DAY_OUT_OF_RANGE,
                f"A monthly period starts on a day from 1 to 31, not {month_start_day!r}",
            )
        )
    for index, item in enumerate(made[:PAYMENTS_MAX]):
        breaches += _involvement_breaches(f"Payment {index + 1}", item)
    return breaches + _involvement_breaches("The proposed payment", proposed)


def check_payment(
    categories: Collection[BenefitCategory],
    made: Sequence[PaidInvolvement],
    proposed: PaidInvolvement,
    *,
    schedule: LimitSchedule = DEFAULT_SCHEDULE,
    month_start_day: int = 1,
) -> PaymentGuard:
    """Check a proposed payment against the member's declared benefits and their payments so far.

    Raises ``BenefitRulesBroken`` with every breach when a payment or the start day is malformed.
    """
    raise_if_broken(_request_breaches(made, proposed, month_start_day))
    everything = (*made, proposed)
    weeks = period_totals(everything, PeriodKind.WEEK)
    months = period_totals(everything, PeriodKind.MONTH, month_start_day)
    week = next(t for t in weeks if t.from_on <= proposed.paid_on < t.to_on)
    month = next(t for t in months if t.from_on <= proposed.paid_on < t.to_on)
    declared = has_declared(categories)
    checks: tuple[LimitCheck, ...] = ()
    warnings: list[BenefitWarning] = []
    if declared:
        limits = (schedule.limit_on(code, proposed.paid_on) for code in limit_codes_for(categories))
        checks = tuple(
            _check(limit, week, month, proposed.amount_pence) for limit in limits if limit is not None
        )
        warnings.append(advice.payment_may_affect_benefits(proposed.amount_pence))
        if BenefitCategory.PREFER_NOT_TO_SAY in categories:
            warnings.append(advice.benefits_not_specified())
        warnings += [w for w in (_warning(check, week) for check in checks) if w is not None]
    return PaymentGuard(
        declared=declared,
        proposed=proposed,
        week=week,
        month=month,
        weeks=weeks,
        months=months,
        checks=checks,
        warnings=tuple(warnings),
        acknowledgement_needed=declared,
    )
