"""Reading an export back: opening its ZIP safely, checking each file's header, parsing each cell.

The ZIP comes from outside (another service, or a coordinator's own edits), so nothing in it is
trusted: it must be a ZIP; every entry must be a file an export has (``README.txt`` aside), each
named once; its size once unpacked is bounded, and Python's ``zipfile`` never unpacks more than the
size an entry declares, so a "zip bomb" is refused before it is read. Each CSV is then read a row at
a time straight from the ZIP, never whole. A header must hold exactly the file's columns, in any
order. A cell is parsed by its column's kind (``timebank.exports.files``); a cell that does not
parse is a problem naming the file, the row and the column.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from timebank.exports.files import FILES, FILES_BY_NAME, ExportColumn, ExportFile
from timebank.exports.readme import README_NAME
from timebank.imports.errors import Problem
from timebank.imports.plan import IMPORT_FILE_BYTES_MAX, SourceFile
from timebank.ledger.limits import IMPORT_ROWS_MAX
from timebank.rendering.zip_files import read_back_text

__all__ = ["EXPORT_ENTRY_BYTES_MAX", "Archive", "CellError", "open_archive", "parse_cell"]

# A file of the export once unpacked: two million transfers take about 160 MB. Rows are streamed,
# never held, so this bounds the time an import takes rather than its memory.
EXPORT_ENTRY_BYTES_MAX = 4 * IMPORT_FILE_BYTES_MAX
# What a damaged ZIP or a file that is not CSV in UTF-8 raises while it is read.
_UNREADABLE = (
    csv.Error,
    UnicodeDecodeError,
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    RuntimeError,
    NotImplementedError,
)
_INTEGER = re.compile(r"^-?\d{1,18}$")
_TAG = re.compile(r"^[a-z0-9_]{1,50}$")


class CellError(ValueError):
    """A cell that does not hold what its column says; the message says what it should hold."""


@dataclass(frozen=True)
class Archive:
    """An export's ZIP, opened, with each file's column positions read from its header."""

    name: str
    zip: zipfile.ZipFile
    entries: dict[str, zipfile.ZipInfo]  # file name → its entry (perhaps in a folder of the ZIP)
    positions: dict[str, dict[str, int]]  # file name → column name → position in a row

    def rows(self, file: ExportFile) -> Iterator[tuple[int, dict[str, str] | None]]:
        """Each row of the file as column name → cell, with the line it starts on (None for the
        cells of a row that has too few or too many); the header skipped. A file that stops being
        CSV in UTF-8, or holds more rows than an import takes, raises ``CellError``."""
        positions = self.positions[file.name]
        line = 1
        try:
            with self.zip.open(self.entries[file.name]) as raw:
                text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
                reader = csv.reader(text, strict=True)
                next(reader, None)
                line = reader.line_num + 1
                for count, cells in enumerate(reader, start=1):
                    if count > IMPORT_ROWS_MAX:
                        raise CellError(
                            f"This file has more than {IMPORT_ROWS_MAX} rows; an import takes no more."
                        )
                    whole = len(cells) == len(positions)
                    yield line, ({name: cells[at] for name, at in positions.items()} if whole else None)
                    line = reader.line_num + 1
        except _UNREADABLE as error:
            raise CellError(
                f"From row {line} on, this file cannot be read as CSV in UTF-8 ({error})."
            ) from error


def open_archive(source: SourceFile) -> tuple[Archive | None, list[Problem]]:
    """The ZIP with its headers checked; or every problem that stops it being read at all."""
    if len(source.content) > IMPORT_FILE_BYTES_MAX:
        megabytes = IMPORT_FILE_BYTES_MAX // 2**20
        return None, [Problem(source.name, None, f"This file is larger than {megabytes} MB.")]
    try:
        archive = zipfile.ZipFile(io.BytesIO(source.content))
    except (zipfile.BadZipFile, ValueError, EOFError):
        return None, [Problem(source.name, None, "This file is not a ZIP that can be opened.")]
    problems: list[Problem] = []
    entries = [e for e in archive.infolist() if not e.is_dir()]
    # A ZIP made again from the unpacked folder holds the files in that folder: they are known by
    # their own names.
    names = [e.filename.rsplit("/", 1)[-1] for e in entries]
    if len(entries) > len(FILES) + 1:
        return None, [
            Problem(source.name, None, f"This ZIP has {len(entries)} files; an export has {len(FILES) + 1}.")
        ]
    for entry, name in zip(entries, names, strict=True):
        where = f"{source.name}/{entry.filename}"
        if name != README_NAME and name not in FILES_BY_NAME:
            problems.append(
                Problem(where, None, "An export has no file of this name. Take it out of the ZIP.")
            )
        elif names.count(name) > 1:
            problems.append(Problem(where, None, "This file is in the ZIP more than once."))
        elif entry.file_size > EXPORT_ENTRY_BYTES_MAX:
            problems.append(
                Problem(
                    where, None, f"This file is larger than {EXPORT_ENTRY_BYTES_MAX // 2**20} MB unpacked."
                )
            )
    for file in FILES:
        if file.name not in names:
            problems.append(Problem(file.name, None, "This file of the export is missing from the ZIP."))
    if problems:
        return None, problems
    by_name = dict(zip(names, entries, strict=True))
    positions = {}
    for file in FILES:
        found, problem = _header(archive, by_name[file.name], file)
        if problem is not None:
            problems.append(problem)
        positions[file.name] = found
    return (None if problems else Archive(source.name, archive, by_name, positions)), problems


def _header(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, file: ExportFile
) -> tuple[dict[str, int], Problem | None]:
    try:
        with archive.open(entry) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
            header = next(csv.reader(text, strict=True), [])
    except _UNREADABLE:
        return {}, Problem(file.name, 1, "The header cannot be read as CSV in UTF-8.")
    wanted = [c.name for c in file.columns]
    missing = [name for name in wanted if name not in header]
    unknown = [name for name in header if name not in wanted]
    twice = sorted({name for name in header if header.count(name) > 1})
    reasons = []
    if missing:
        reasons.append(f"these columns are missing: {', '.join(missing)}")
    if unknown:
        reasons.append(f"these columns are not the export's: {', '.join(n[:40] for n in unknown[:10])}")
    if twice:
        reasons.append(f"these columns are there twice: {', '.join(twice)}")
    if reasons:
        return {}, Problem(file.name, 1, "The header is not this file's: " + "; ".join(reasons) + ".")
    return {name: header.index(name) for name in wanted}, None


def parse_cell(column: ExportColumn, cell: str) -> Any:
    """The cell's value by its column's kind (None for an empty cell where one may be empty)."""
    if cell == "" and column.kind == "tags":
        return ()
    if cell == "" and column.kind not in ("text", "actor"):
        if column.required:
            raise CellError(f"{column.name} is empty; it needs {_wants(column)}")
        return None
    if cell == "" and not column.required:
        return None
    try:
        return _PARSERS[column.kind](cell)
    except ValueError as error:
        raise CellError(f"{column.name} is {cell[:40]!r}; it needs {_wants(column)}") from error


def _wants(column: ExportColumn) -> str:
    return {
        "id": "a whole number above 0",
        "ref": "a whole number above 0",
        "int": "a whole number",
        "bool": "yes or no",
        "day": "a day, YYYY-MM-DD",
        "moment": "a time in UTC, such as 2024-05-01T10:20:30+00:00",
        "tags": "lower-case words of letters, digits and _, separated by ;",
    }.get(column.kind, "text")


def _integer(cell: str) -> int:
    if not _INTEGER.match(cell):
        raise ValueError(cell)
    return int(cell)


def _number(cell: str) -> int:
    value = _integer(cell)
    if value <= 0:
        raise ValueError(cell)
    return value


def _bool(cell: str) -> bool:
    if cell not in ("yes", "no"):
        raise ValueError(cell)
    return cell == "yes"


def _moment(cell: str) -> datetime:
    value = datetime.fromisoformat(cell)
    if value.tzinfo is None:
        raise ValueError(cell)
    return value.astimezone(UTC)


def _day(cell: str) -> date:
    if len(cell) != 10:
        raise ValueError(cell)
    return date.fromisoformat(cell)


def _tags(cell: str) -> tuple[str, ...]:
    tags = tuple(cell.split(";"))
    if not all(_TAG.match(tag) for tag in tags):
        raise ValueError(cell)
    return tags


def _text(cell: str) -> str:
    return read_back_text(cell)


_PARSERS = {
    "id": _number,
    "ref": _number,
    "int": _integer,
    "bool": _bool,
    "day": _day,
    "moment": _moment,
    "tags": _tags,
    "text": _text,
    "actor": _text,
}
