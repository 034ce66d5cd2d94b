"""Everything of a timebank, as a ZIP of CSV files with a README, for its coordinators (issue 20).

A timebank must be able to leave as easily as it came: with every member, organisation, exchange,
transfer, recognition, money record, offer and request, and its settings, in files any spreadsheet
opens and any program reads. The export is that: one CSV per kind of record (``FILES``), and a
``README.txt`` that says what each file and each column holds. Its ids are the ones stored here;
an import of the ZIP into an empty timebank (``timebank.exports.restore``) gives every row a new id
and reproduces every balance, statement and report figure.

**One moment.** Every file is read in one read-only snapshot, so the transfers add up to the
balances in ``accounts.csv`` however many exchanges are recorded meanwhile.

**Bounded memory.** Rows are streamed from the database a batch at a time and written straight
into the ZIP (``timebank.rendering.zip_files.csv_entry``); only members' usernames and tags are
held as maps. The ZIP goes to a binary stream the caller gives: a file for the command line, a
spooled temporary file for a download.

**Left out, on purpose.** Secrets (password hashes, set-password codes, reset links, access
tokens, organisations' API keys, email verification links and the keys of unsubscribe links), and
logins themselves; benefits declarations and the payment advice drawn from them (benefit status is
personal, special-category data: it is shown only to the member and to the coordinators who need
it, never handed out in bulk); the audit log (a record of who did what in this service, including
every read of a declaration); the notification outbox and members' message choices; the record of
earlier imports; idempotency keys. ``README.txt`` says so too.

**Who may.** A coordinator of the timebank (``CoordinatorRequired`` for anyone else; another
timebank answers not found). Every export is audited as ``timebank_exported`` with the count of
rows of each file, in a short transaction after the snapshot was read and before the caller hands
the ZIP on, as the member's own download is (``timebank.people.member_data``).
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exports.files import FILES, ExportColumn, ExportFile
from timebank.exports.readme import README_NAME, readme_text
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.people.callers import Caller
from timebank.rendering.zip_files import csv_entry, reversible_text, zip_entry

__all__ = ["ExportSummary", "export_timebank"]

Cell = str | int


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: the moment it read, and the rows of each file."""

    timebank_id: int
    read_at: datetime
    rows: Mapping[str, int]


def export_timebank(engine: Engine, timebank_id: int, caller: Caller, out: IO[bytes]) -> ExportSummary:
    """Write everything of the timebank to ``out`` as a ZIP (coordinators); audited."""
    caller.check_coordinator(timebank_id)
    summary = run(engine, lambda uow: _write(uow, timebank_id, out), write=False, snapshot=True)
    trail = AuditTrail(caller.caller)
    trail.add(
        AuditAction.TIMEBANK_EXPORTED,
        None,
        **{name.removesuffix(".csv"): count for name, count in summary.rows.items()},
    )

    def audit(uow: UnitOfWork) -> None:
        trail.write(uow, timebank_id)
        uow.commit()

    run(engine, audit)
    return summary


def _write(uow: UnitOfWork, timebank_id: int, out: IO[bytes]) -> ExportSummary:
    timebank = uow.timebanks.get(timebank_id)  # an unknown timebank is not found, not empty
    read_at = utc_now()
    rows: dict[str, int] = {}
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(zip_entry(README_NAME, read_at), readme_text(timebank.name, read_at).encode())
        for file in FILES:
            with csv_entry(archive, file.name, read_at, [c.name for c in file.columns]) as writer:
                count = 0
                for row in _rows(uow, timebank_id, file):
                    writer.writerow(row)
                    count += 1
            rows[file.name] = count
    return ExportSummary(timebank_id, read_at, rows)


def _order(file: ExportFile) -> list[str]:
    """The columns a file's rows are sorted by: its id, or else its references in order."""
    if file.name == "report_ratings.csv":
        return ["figure"]
    if file.id_column is not None:
        return ["id"]
    return [c.name for c in file.columns if c.kind == "ref"]


def _rows(uow: UnitOfWork, timebank_id: int, file: ExportFile) -> Iterator[list[Cell]]:
    stored = [c.column for c in file.columns if c.column is not None]
    usernames: dict[int, str] = {}
    tags: dict[int, list[str]] = {}
    if file.name == "members.csv":
        usernames = uow.timebank_rows.usernames(timebank_id)
        tags = uow.timebank_rows.tags(timebank_id)
    for row in uow.timebank_rows.stream(file.table, stored, timebank_id, _order(file)):
        cells = []
        for column in file.columns:
            if column.name == "username":
                value: Any = usernames.get(row["id"])
            elif column.name == "tags":
                value = tags.get(row["id"], [])
            else:
                value = row[column.column or column.name]
            cells.append(_cell(column, value))
        yield cells


def _cell(column: ExportColumn, value: Any) -> Cell:
    if value is None:
        return ""
    kind = column.kind
    if kind == "bool":
        return "yes" if value else "no"
    if kind in ("day", "moment"):
        assert isinstance(value, (date, datetime)), column.name
        return value.isoformat()
    if kind == "tags":
        return ";".join(value)
    if kind in ("text", "actor"):
        return reversible_text(str(value))
    assert isinstance(value, int) and not isinstance(value, bool), column.name
    return value
