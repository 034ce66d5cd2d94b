"""The weeks and monthly periods benefits count money in.

Benefit limits are weekly (permitted work, Carer's Allowance, legacy earnings disregards) or
monthly (the Universal Credit work allowance). A period here is half-open, ``[from_on, to_on)``,
like a report window: it contains ``from_on`` and stops the day before ``to_on``, so consecutive
periods share no day and every day lies in exactly one week and exactly one monthly period.

- A *week* starts on a Monday (an ISO week). Benefit offices may count from another weekday; a
  Monday week is the simple, predictable choice, and the limits are the same size either way.
- A *monthly period* is a calendar month unless a start day is given. Universal Credit counts
  earnings in assessment periods of one month that start on the same day each month as the
  claim's first day of entitlement, with one twist for the end of the month (Universal Credit
  Regulations 2013, reg. 21(2)): a claim that started on the 31st has periods starting on the last
  day of each month; one that started on the 29th or 30th has periods starting on that day, except
  in February, when they start on the 27th (the 28th in a leap year).
"""

from __future__ import annotations

import calendar
import enum
from datetime import date, timedelta

__all__ = [
    "DAYS_PER_WEEK",
    "PeriodKind",
    "month_period_of",
    "month_period_start_on",
    "period_of",
    "week_of",
]

DAYS_PER_WEEK = 7


class PeriodKind(enum.StrEnum):
    WEEK = "week"
    MONTH = "month"

    @property
    def label(self) -> str:
        return "a week" if self is PeriodKind.WEEK else "a month"


def week_of(on: date) -> tuple[date, date]:
    """The Monday-start week ``[from_on, to_on)`` that contains ``on``."""
    from_on = on - timedelta(days=on.weekday())
    return from_on, from_on + timedelta(days=DAYS_PER_WEEK)


def month_period_start_on(year: int, month: int, start_day: int) -> date:
    """The day a monthly period starting on ``start_day`` begins in this month (reg. 21(2))."""
    assert 1 <= start_day <= 31, start_day
    if start_day <= 28:
        return date(year, month, start_day)
    if start_day == 31:
        return date(year, month, calendar.monthrange(year, month)[1])
    if month == 2:
        # Not the last day: reg. 21(2)(b) names the 27th, or the 28th in a leap year.
        return date(year, 2, 28 if calendar.isleap(year) else 27)
    return date(year, month, start_day)  # the 29th and 30th exist in every month but February


def _month_after(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def month_period_of(on: date, start_day: int = 1) -> tuple[date, date]:
    """The monthly period ``[from_on, to_on)`` containing ``on``, periods starting on ``start_day``."""
    this_start_on = month_period_start_on(on.year, on.month, start_day)
    if on >= this_start_on:
        next_start_on = month_period_start_on(*_month_after(on.year, on.month), start_day)
        return this_start_on, next_start_on
    return month_period_start_on(*_month_before(on.year, on.month), start_day), this_start_on


def period_of(kind: PeriodKind, on: date, start_day: int = 1) -> tuple[date, date]:
    """The week or monthly period containing ``on``; ``start_day`` matters only for months."""
    if kind is PeriodKind.WEEK:
        return week_of(on)
    return month_period_of(on, start_day)
