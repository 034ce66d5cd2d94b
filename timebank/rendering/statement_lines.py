"""A member's statement lines in words, and as CSV for a spreadsheet.

A line says what it was in one phrase: the description of the exchange, activity or gift, or, for
a reversal, that it was a correction, of what, and why. The page and the CSV use the same phrase.

The CSV has one row per line, oldest first, so that the running balance reads down the sheet::

    date,with,description,minutes_in,minutes_out,balance_after_minutes
    2026-03-02,Bob Stone,Gardening,90,0,90

``date`` is the day of the activity (or the day the line was posted, when it has none), as
``YYYY-MM-DD``; ``with`` is the other side's name ("Community pot" for the pot); ``minutes_in`` and
``minutes_out`` are whole minutes, one of them 0; ``balance_after_minutes`` is the balance just
after the line, in whole minutes, below zero when the member has received more than given.

Names and descriptions are typed by people, and a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula. Such a text cell is
written with a leading apostrophe, which spreadsheets show as plain text (OWASP "CSV injection").
Numbers are written from integers, never from text, so they need no guard.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from typing import Protocol

__all__ = [
    "STATEMENT_CSV_COLUMNS",
    "StatementLineLike",
    "line_day",
    "line_what",
    "spreadsheet_text",
    "statement_csv",
]

STATEMENT_CSV_COLUMNS = ("date", "with", "description", "minutes_in", "minutes_out", "balance_after_minutes")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class StatementLineLike(Protocol):
    """What ``timebank.accounts.views.StatementLine`` holds (rendering imports no use case)."""

    @property
    def minutes(self) -> int: ...
    @property
    def balance_after_minutes(self) -> int: ...
    @property
    def posted_at(self) -> datetime: ...
    @property
    def counterparty_name(self) -> str: ...
    @property
    def description(self) -> str | None: ...
    @property
    def activity_date(self) -> date | None: ...
    @property
    def reverses_transaction_id(self) -> int | None: ...
    @property
    def reason(self) -> str | None: ...


def line_day(line: StatementLineLike) -> date:
    """The day a line is about: the activity's day, or the day it was posted."""
    return line.activity_date if line.activity_date is not None else line.posted_at.date()


def line_what(line: StatementLineLike) -> str:
    """What the line was, in words; a reversal says it was a correction, of what, and why."""
    if line.reverses_transaction_id is None:
        return line.description or ""
    what = f"Correction of “{line.description}”." if line.description else "Correction of an earlier entry."
    return f"{what} Reason: {line.reason}" if line.reason else what


def spreadsheet_text(text: str) -> str:
    """Text for a CSV cell that a spreadsheet shows as typed, never runs as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def statement_csv(lines_newest_first: Iterable[StatementLineLike]) -> str:
    """The lines as CSV text, oldest first (header first; lines end with CRLF, as RFC 4180 says)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(STATEMENT_CSV_COLUMNS)
    for line in reversed(list(lines_newest_first)):
        writer.writerow(
            (
                line_day(line).isoformat(),
                spreadsheet_text(line.counterparty_name),
                spreadsheet_text(line_what(line)),
                max(line.minutes, 0),
                max(-line.minutes, 0),
                line.balance_after_minutes,
            )
        )
    return out.getvalue()
