"""Reading CSV files as people make them: the text, the rows, and amounts of time.

Spreadsheets save CSV as UTF-8, often with a byte-order mark in front (Excel's "CSV UTF-8"); both
are taken. Any other encoding is refused with a plain reason rather than guessed, because a wrong
guess turns "Muñoz" into "MuÃ±oz" silently. Quoted fields may hold commas and line breaks (RFC
4180, as Python's ``csv`` reads them); the row number of a problem is the line where its row starts.

Amounts of time come as whole minutes (``90``), hours and minutes (``1:30``, ``30:15``: hours may
pass 24), or, from TimeOverflow, whole seconds. Every amount is held as integer minutes.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

from timebank.imports.errors import Problem

__all__ = ["CsvRow", "decode", "parse_day", "parse_hours_minutes", "parse_minutes", "read_rows"]

_BOM = "\ufeff"
_HOURS_MINUTES = re.compile(r"^(-?)(\d{1,6}):([0-5]\d)$")
_WHOLE = re.compile(r"^-?\d{1,9}$")
_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class CsvRow:
    """A row's cells, and the line of the file where it starts (1 is the first line)."""

    line: int
    cells: tuple[str, ...]


def decode(name: str, content: bytes) -> tuple[str | None, Problem | None]:
    """The file's text, without a byte-order mark; or the problem that it is not UTF-8."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as error:
        reason = (
            f"This file is not saved as UTF-8 (the byte at position {error.start} is not UTF-8 text). "
            "Save it again as 'CSV UTF-8' and import that."
        )
        return None, Problem(name, None, reason)
    return text.removeprefix(_BOM), None


def read_rows(name: str, text: str) -> tuple[list[CsvRow], Problem | None]:
    """Every row that is not wholly blank, with the line it starts on, cells trimmed of spaces;
    or, where the CSV itself is broken (a quote never closed, a field too long), the problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[CsvRow] = []
    line = 1
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(CsvRow(line, tuple(cell.strip() for cell in cells)))
            line = reader.line_num + 1
    except csv.Error as error:
        return rows, Problem(name, line, f"This row is not valid CSV ({error}). Check its quotes.")
    return rows, None


def parse_hours_minutes(text: str) -> int | None:
    """``h:mm`` as minutes (hours may pass 24); None if the text is not that shape."""
    found = _HOURS_MINUTES.match(text)
    if found is None:
        return None
    sign, hours, minutes = found.groups()
    total = int(hours) * 60 + int(minutes)
    return -total if sign else total


def parse_minutes(text: str) -> int | None:
    """Whole minutes (``90``) or ``h:mm``, as minutes; None if the text is neither."""
    if _WHOLE.match(text):
        return int(text)
    return parse_hours_minutes(text)


def parse_day(text: str) -> date | None:
    """A day written ``YYYY-MM-DD``, perhaps followed by a time (``2024-05-01 10:20:30 +0200``)."""
    found = _DAY.match(text)
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None
