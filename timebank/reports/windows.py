"""The spans of time a report looks at, besides its own window.

A window is a half-open range of activity dates, ``[from_on, to_on)``: it contains ``from_on`` and
stops the day before ``to_on``, so consecutive windows share no day. Around it:

- the *previous window* has the same length and ends where this one starts (for ``retention``);
- the *months* are the calendar months the window touches, each clipped to the window, so a rolling
  90 days from 15 January gives four months, the first and last of them partial (for ``monthly``);
- the *dormancy cut-off* is 180 days before the window's end: a member whose last exchange is
  before it had no exchange in the 180 days ``[to_on - 180 days, to_on)`` and is dormant.

The storage layer uses these to shape its queries; the engine uses them to check what it is given.
"""

from __future__ import annotations

from datetime import date, timedelta

__all__ = [
    "DORMANT_AFTER_DAYS",
    "dormancy_cutoff_on",
    "month_window",
    "months_touched",
    "previous_window",
]

DORMANT_AFTER_DAYS = 180


def previous_window(from_on: date, to_on: date) -> tuple[date, date]:
    """The window of the same number of days that ends where ``[from_on, to_on)`` starts."""
    assert from_on < to_on
    return from_on - (to_on - from_on), from_on


def _next_month_on(month_on: date) -> date:
    return date(month_on.year + month_on.month // 12, month_on.month % 12 + 1, 1)


def months_touched(from_on: date, to_on: date) -> list[date]:
    """The first day of each calendar month with at least one day in ``[from_on, to_on)``."""
    assert from_on < to_on
    months = []
    month_on = from_on.replace(day=1)
    while month_on < to_on:
        months.append(month_on)
        month_on = _next_month_on(month_on)
    return months


def month_window(month_on: date, from_on: date, to_on: date) -> tuple[date, date]:
    """The part of the calendar month starting ``month_on`` that lies inside ``[from_on, to_on)``."""
    assert month_on.day == 1
    start_on, end_on = max(month_on, from_on), min(_next_month_on(month_on), to_on)
    assert start_on < end_on, f"the month {month_on} is outside the window"
    return start_on, end_on


def dormancy_cutoff_on(to_on: date) -> date:
    """The earliest last-exchange date that keeps a member from being dormant at ``to_on``."""
    return to_on - timedelta(days=DORMANT_AFTER_DAYS)
