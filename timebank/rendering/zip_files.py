"""Files in a ZIP, as the downloads of a member's data and of a whole timebank are made.

Each entry carries the moment its data was read (so the same data always gives the same bytes),
is compressed, and is readable by everyone who can read the ZIP. A CSV entry is written row by
row straight into the ZIP (``csv_entry``), so a file of millions of rows is never held whole in
memory: the ZIP compresses it as it comes.

A ZIP made for a download is written to a ``spool`` (memory up to ``SPOOL_BYTES``, a temporary
file beyond) and sent from it a megabyte at a time (``sent_in_pieces``), so that it can be whole,
and its download audited, before a byte is sent, without holding a large one in memory.

Text people typed is guarded against spreadsheets that run a cell starting with ``=``, ``+``,
``-`` or ``@`` as a formula (``spreadsheet_text``). A file meant to be read back by a program as
well as by people needs the guard to be undone exactly: ``reversible_text`` also guards a cell that
starts with an apostrophe, so that ``read_back_text`` takes exactly one apostrophe off any cell
that starts with one.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, Any

from timebank.rendering.statement_lines import spreadsheet_text

__all__ = [
    "SPOOL_BYTES",
    "csv_entry",
    "read_back_text",
    "reversible_text",
    "sent_in_pieces",
    "spool",
    "zip_entry",
]

_GUARD = "'"
# A ZIP made for a download is kept in memory up to this size, and in a temporary file beyond it.
SPOOL_BYTES = 16 * 1024 * 1024
_SEND_BYTES = 1024 * 1024


def zip_entry(name: str, moment: datetime) -> zipfile.ZipInfo:
    """A compressed entry dated ``moment``, readable by everyone."""
    info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


@contextmanager
def csv_entry(archive: zipfile.ZipFile, name: str, moment: datetime, header: Sequence[str]) -> Iterator[Any]:
    """A ``csv.writer`` whose rows go straight into a new entry of the archive, header first."""
    with archive.open(zip_entry(name, moment), "w", force_zip64=True) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(text)
        writer.writerow(header)
        yield writer
        text.flush()
        text.detach()


def reversible_text(text: str) -> str:
    """``spreadsheet_text``, and an apostrophe before a text that starts with one, so that the
    guard can be taken off again exactly."""
    if text.startswith(_GUARD):
        return _GUARD + text
    return spreadsheet_text(text)


def read_back_text(cell: str) -> str:
    """The text ``reversible_text`` was given."""
    return cell.removeprefix(_GUARD)


def spool() -> IO[bytes]:
    """A binary file to write a download into: in memory while small, on disk when large."""
    return tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)


def sent_in_pieces(file: IO[bytes]) -> Iterator[bytes]:
    """The file from its start, a megabyte at a time, closed (and so deleted) once sent or abandoned."""
    try:
        file.seek(0)
        while piece := file.read(_SEND_BYTES):
            yield piece
    finally:
        file.close()
