"""Quantities as a member reads them: money in pounds, time in hours and minutes, plain dates.

Whole pence and whole minutes are what the code holds; these turn them into short English without
ever passing through a float (``divmod`` on integers). Month names are spelled here rather than
taken from ``strftime``, which follows the process's locale and could print another language.
Money and time have separate functions and nothing converts one into the other (DESIGN B1).
"""

from __future__ import annotations

from datetime import date

__all__ = ["format_date", "format_minutes", "format_pence", "format_span"]

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def format_pence(pence: int) -> str:
    """``2000`` → ``£20``; ``19550`` → ``£195.50``; ``123456`` → ``£1,234.56``."""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}" + (f".{remainder:02d}" if remainder else "")


def format_minutes(minutes: int) -> str:
    """``150`` → ``2 hours 30 minutes``; ``60`` → ``1 hour``; ``0`` → ``0 minutes``."""
    assert minutes >= 0, minutes
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour" + ("" if hours == 1 else "s"))
    if rest or not hours:
        parts.append(f"{rest} minute" + ("" if rest == 1 else "s"))
    return " ".join(parts)


def format_date(on: date) -> str:
    """``date(2025, 5, 3)`` → ``3 May 2025``."""
    return f"{on.day} {_MONTHS[on.month - 1]} {on.year}"


def format_span(from_on: date, to_on: date) -> str:
    """A half-open period ``[from_on, to_on)`` as the inclusive dates a person expects."""
    last_on = date.fromordinal(to_on.toordinal() - 1)
    return f"{format_date(from_on)} to {format_date(last_on)}"
