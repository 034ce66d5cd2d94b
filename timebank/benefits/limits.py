"""UK benefit limits on money for involvement, as dated and editable settings (DESIGN B6).

Why these exist. Time credits that stay hour-for-hour and cannot be exchanged for goods are not
earnings for income-related benefits (ministerial statement of 15 June 2000, as quoted by
Timebanking UK); credits with a price, as in LETS schemes, were counted as earnings (Hansard,
written answer of 30 July 1997). Genuine out-of-pocket expenses repaid at cost against evidence are
disregarded, while round-sum "expenses" and vouchers are payments (NCVO; SCIE At a glance 50). A
payment for involvement, in cash or in vouchers, counts as earnings if accepted; a person may
decline it, take less or have it given to a charity, and a declined payment is not notional
earnings (Universal Credit Regulations 2013, reg. 60, and the "participating as a service user"
exemption; SCIE At a glance 50; NIHR payment guidance v1.5, April 2024: it is the person's choice
whether to accept payment). So payments are where a member's benefits are at risk, and the limits
below are the lines an organisation must be warned about before it pays.

A limit is a ``BenefitLimit``: a code, a plain-English name, an amount in whole pence per week or
per month, an hours condition where one applies, the first day it is in force and, optionally, the
first day it no longer is (``[valid_from_on, valid_to_on)``, half-open like every period here), and
the source it rests on. A ``LimitSchedule`` holds dated entries and answers "which limits were in
force on day D": for each code, the entry with the latest ``valid_from_on`` on or before D decides,
so next year's figures supersede this year's by being added, never by editing history; if that entry
has ended by D, the code has no limit that day. A timebank may supply its own schedule to correct or
extend the defaults (``DEFAULT_SCHEDULE.with_entries(...)``).

The defaults are the 2025/26 figures, in force from Monday 7 April 2025:

- permitted work lower limit, £20 a week (Employment and Support Allowance Regulations 2008, reg. 45);
- permitted work higher limit, £195.50 a week, only while paid work is under 16 hours a week (ibid.);
- Carer's Allowance earnings limit, £196 a week (Social Security (Invalid Care Allowance)
  Regulations 1976, reg. 8);
- Universal Credit work allowance, £411 a month with help for housing costs, £684 without
  (Universal Credit Regulations 2013, reg. 22; only claimants with children or limited capability
  for work have one, and for everyone else every pound of earnings counts);
- legacy earnings disregards of £5, £10 and £20 a week for means-tested benefits such as Income
  Support and Housing Benefit (Income Support (General) Regulations 1987, Sch. 8, and the matching
  schedules for the other legacy benefits); which one applies depends on the claimant's
  circumstances, so all three are listed.

Hours are whole minutes: "fewer than 16 hours" is ``weekly_work_minutes_below=960``, so 15.9 hours
(954 minutes) meets the condition and 16 hours does not. Money is whole pence; nothing here is a
float. A limit is crossed when a total is *above* its amount: exactly £195.50 is within.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from timebank.benefits.checks import is_whole, pence_breaches, text_breaches
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.benefits.periods import PeriodKind
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX

__all__ = [
    "DEFAULT_LIMITS",
    "DEFAULT_SCHEDULE",
    "LIMITS_2025_26_FROM_ON",
    "LIMIT_ENTRIES_MAX",
    "PERMITTED_WORK_WEEKLY_MINUTES_BELOW",
    "BenefitLimit",
    "LimitCode",
    "LimitSchedule",
]

LIMIT_ENTRIES_MAX = 1000
LIMITS_2025_26_FROM_ON = date(2025, 4, 7)
PERMITTED_WORK_WEEKLY_MINUTES_BELOW = 16 * 60


class LimitCode(enum.StrEnum):
    PERMITTED_WORK_LOWER = "permitted_work_lower"
    PERMITTED_WORK_HIGHER = "permitted_work_higher"
    CARERS_ALLOWANCE_EARNINGS = "carers_allowance_earnings"
    UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING = "universal_credit_work_allowance_with_housing"
    UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITHOUT_HOUSING = "universal_credit_work_allowance_without_housing"
    EARNINGS_DISREGARD_SINGLE = "earnings_disregard_single"
    EARNINGS_DISREGARD_COUPLE = "earnings_disregard_couple"
    EARNINGS_DISREGARD_HIGHER = "earnings_disregard_higher"


@dataclass(frozen=True, slots=True)
class BenefitLimit:
    """One dated limit. ``weekly_work_minutes_below``: it applies only below this much paid work a week.

    ``name`` is written to sit inside a sentence ("above the permitted work lower limit of £20 a
    week"), capitalised only where English capitalises (Carer's Allowance); ``label`` is for headings.
    """

    code: LimitCode
    name: str
    amount_pence: int
    period: PeriodKind
    valid_from_on: date
    source: str
    valid_to_on: date | None = None
    weekly_work_minutes_below: int | None = None

    def __post_init__(self) -> None:
        # Settings are read from storage as plain strings; hold the enums, so "week" is WEEK.
        object.__setattr__(self, "code", LimitCode(self.code))
        object.__setattr__(self, "period", PeriodKind(self.period))
        raise_if_broken(limit_breaches(self))

    @property
    def label(self) -> str:
        """The name as a heading: ``permitted work lower limit`` → ``Permitted work lower limit``."""
        return self.name[:1].upper() + self.name[1:]

    def in_force_on(self, on: date) -> bool:
        return self.valid_from_on <= on and (self.valid_to_on is None or on < self.valid_to_on)

    def hours_condition_met(self, weekly_work_minutes: int) -> bool:
        """Whether this much paid work in a week keeps the limit open to the member."""
        return self.weekly_work_minutes_below is None or weekly_work_minutes < self.weekly_work_minutes_below


def limit_breaches(limit: BenefitLimit) -> list[Breach]:
    where = f"the {limit.code} limit from {limit.valid_from_on.isoformat()}"
    breaches = pence_breaches(f"The amount of {where}", limit.amount_pence)
    breaches += text_breaches(f"The name of {where}", limit.name, NAME_LENGTH_MAX)
    breaches += text_breaches(f"The source of {where}", limit.source, DESCRIPTION_LENGTH_MAX)
    if limit.valid_to_on is not None and limit.valid_to_on <= limit.valid_from_on:
        breaches.append(
            Breach(BreachCode.LIMIT_MUST_END_AFTER_START, f"{where} ends on or before the day it starts")
        )
    minutes = limit.weekly_work_minutes_below
    if minutes is not None and (not is_whole(minutes) or minutes <= 0):
        breaches.append(
            Breach(
                BreachCode.LIMIT_HOURS_MUST_BE_POSITIVE,
                f"{where} has an hours condition of {minutes!r} minutes; "
                "it must be a whole number above zero",
            )
        )
    return breaches


@dataclass(frozen=True, slots=True)
class LimitSchedule:
    """Dated limit entries; for each code, the latest entry that has started is the one in force."""

    entries: tuple[BenefitLimit, ...]

    def __post_init__(self) -> None:
        breaches = []
        if len(self.entries) > LIMIT_ENTRIES_MAX:
            breaches.append(
                Breach(
                    BreachCode.TOO_MANY_LIMIT_ENTRIES,
                    f"A schedule holds at most {LIMIT_ENTRIES_MAX} entries, not {len(self.entries)}",
                )
            )
        # Two entries for one code starting the same day would leave "which is in force" to chance.
        starts = Counter((entry.code, entry.valid_from_on) for entry in self.entries)
        breaches += [
            Breach(
                BreachCode.LIMIT_ENTRY_REPEATED,
                f"The {code} limit has {count} entries starting on {valid_from_on.isoformat()}",
            )
            for (code, valid_from_on), count in starts.items()
            if count > 1
        ]
        raise_if_broken(breaches)

    def with_entries(self, entries: Iterable[BenefitLimit]) -> LimitSchedule:
        """This schedule with more entries: how a timebank edits a default from a date onwards."""
        return LimitSchedule(self.entries + tuple(entries))

    def limit_on(self, code: LimitCode, on: date) -> BenefitLimit | None:
        started = [entry for entry in self.entries if entry.code == code and entry.valid_from_on <= on]
        if not started:
            return None
        latest = max(started, key=lambda entry: entry.valid_from_on)
        return latest if latest.in_force_on(on) else None

    def in_force_on(self, on: date) -> tuple[BenefitLimit, ...]:
        """Every limit in force on ``on``, one per code, in the order of ``LimitCode``."""
        found = (self.limit_on(code, on) for code in LimitCode)
        return tuple(limit for limit in found if limit is not None)


_RATES_2025_26 = "DWP benefit and pension rates 2025 to 2026"
_PERMITTED_WORK = f"Employment and Support Allowance Regulations 2008, reg. 45; {_RATES_2025_26}"
_CARERS_ALLOWANCE = f"Social Security (Invalid Care Allowance) Regulations 1976, reg. 8; {_RATES_2025_26}"
_WORK_ALLOWANCE = f"Universal Credit Regulations 2013, reg. 22; {_RATES_2025_26}"
_DISREGARDS = (
    "Income Support (General) Regulations 1987, Sch. 8, and the matching schedules for "
    f"Jobseeker's Allowance, Employment and Support Allowance and Housing Benefit; {_RATES_2025_26}"
)


def _default(
    code: LimitCode,
    name: str,
    amount_pence: int,
    period: PeriodKind,
    source: str,
    weekly_work_minutes_below: int | None = None,
) -> BenefitLimit:
    return BenefitLimit(
        code,
        name,
        amount_pence,
        period,
        LIMITS_2025_26_FROM_ON,
        source,
        weekly_work_minutes_below=weekly_work_minutes_below,
    )


DEFAULT_LIMITS: tuple[BenefitLimit, ...] = (
    _default(
        LimitCode.PERMITTED_WORK_LOWER, "permitted work lower limit", 2000, PeriodKind.WEEK, _PERMITTED_WORK
    ),
    _default(
        LimitCode.PERMITTED_WORK_HIGHER,
        "permitted work higher limit",
        19550,
        PeriodKind.WEEK,
        _PERMITTED_WORK,
        weekly_work_minutes_below=PERMITTED_WORK_WEEKLY_MINUTES_BELOW,
    ),
    _default(
        LimitCode.CARERS_ALLOWANCE_EARNINGS,
        "Carer's Allowance earnings limit",
        19600,
        PeriodKind.WEEK,
        _CARERS_ALLOWANCE,
    ),
    _default(
        LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING,
        "Universal Credit work allowance, with help for housing costs",
        41100,
        PeriodKind.MONTH,
        _WORK_ALLOWANCE,
    ),
    _default(
        LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITHOUT_HOUSING,
        "Universal Credit work allowance, without help for housing costs",
        68400,
        PeriodKind.MONTH,
        _WORK_ALLOWANCE,
    ),
    _default(
        LimitCode.EARNINGS_DISREGARD_SINGLE,
        "earnings disregard for a single person",
        500,
        PeriodKind.WEEK,
        _DISREGARDS,
    ),
    _default(
        LimitCode.EARNINGS_DISREGARD_COUPLE,
        "earnings disregard for a couple",
        1000,
        PeriodKind.WEEK,
        _DISREGARDS,
    ),
    _default(
        LimitCode.EARNINGS_DISREGARD_HIGHER,
        "higher earnings disregard (for example for disabled people, carers and lone parents)",
        2000,
        PeriodKind.WEEK,
        _DISREGARDS,
    ),
)

DEFAULT_SCHEDULE = LimitSchedule(DEFAULT_LIMITS)
