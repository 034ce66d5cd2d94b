"""Importing a timebank's export into an empty timebank: every row, new ids, the same figures.

The ZIP an export made (``timebank.exports.export``) is read file by file, in the order the files
depend on each other (settings, accounts, members ... spends), a row at a time. Each row is checked
(every cell parses by its column's kind, every reference names a row of an earlier file, every id
comes after the one before) and written with a new id reserved here, its references mapped to the
new ids. Times and days are kept as they were, so statements and reports read the same. Actors
("login:7") become "moved:login:7", which names nobody who can log in here.

Then the ledger is checked as the ledger core checks a database (``timebank.ledger.invariants``):
the transfers are replayed in posting order, and each transfer's balances after it, and each
account's balance, earned and spent minutes and transfer count, must be what the replay makes;
each balance lies within its floor and cap; each transaction has transfers; each confirmed or
reversed exchange's receivers add up to the minutes its transaction moved, and a reversal moved as
many back. The report's running totals are recounted (``uow.rollups.rebuild``).

All of it happens in one database transaction. Any problem (a missing column, an unknown account,
a balance its transfers do not make) refuses the whole import with every problem listed, by file
and row, and nothing is written. The timebank must be empty: no accounts but its pot, no members,
organisations, transactions or limit changes; its default categories and rating thresholds are
replaced by the export's, and its settings too, except its name.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from timebank.db.repositories.bulk import CHUNK_ROWS
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exports.files import FILES, ExportFile
from timebank.exports.ledger_check import LedgerCheck
from timebank.exports.reading import Archive, CellError, open_archive, parse_cell
from timebank.imports.errors import ImportRefused, Problem
from timebank.imports.plan import SourceFile
from timebank.ledger.errors import CoordinatorRequired
from timebank.offers.words import name_key, search_text
from timebank.people.callers import Caller

__all__ = ["PROBLEMS_MAX", "RestoreReport", "import_export", "moved"]

# A badly broken file could have a problem on every one of a million rows: list this many.
PROBLEMS_MAX = 1000
_MOVED = "moved:"
# The rows other rows name: only their old ids are remembered (never each transfer's, say).
_REFERENCED = frozenset(c.space for file in FILES for c in file.columns if c.kind == "ref")
# Settings the timebank being imported into keeps: its own number, name and the day it was made.
_SETTINGS_KEPT = ("id", "name", "created_at")


@dataclass(frozen=True)
class RestoreReport:
    """What an import of an export wrote (or, in a dry run, would write): rows of each file."""

    dry_run: bool
    rows: Mapping[str, int]


def import_export(
    engine: Engine, timebank_id: int, caller: Caller, source: SourceFile, *, dry_run: bool
) -> RestoreReport:
    """Import an export's ZIP into an empty timebank (coordinators), or refuse it whole."""
    if not caller.actor(timebank_id).is_coordinator:
        raise CoordinatorRequired("Only a coordinator can import a timebank")
    archive, problems = open_archive(source)
    if archive is None:
        raise ImportRefused(problems)

    def use_case(uow: UnitOfWork) -> RestoreReport:
        rows = _Restore(uow, timebank_id, archive).run()
        if not dry_run:
            uow.commit()
        return RestoreReport(dry_run, rows)

    return run(engine, use_case)


def moved(actor: str) -> str:
    """Who did something, as kept here: never a login or key of this service."""
    return actor if actor.startswith(_MOVED) else _MOVED + actor


class _Restore:
    def __init__(self, uow: UnitOfWork, timebank_id: int, archive: Archive) -> None:
        self.uow = uow
        self.rows_store = uow.timebank_rows
        self.timebank_id = timebank_id
        self.archive = archive
        pot = uow.timebanks.get(timebank_id).pot_account_id
        assert pot is not None, "every timebank has its pot"
        self.pot_id = pot
        self.problems: list[Problem] = []
        self.problems_left_out = 0
        self.ids: dict[str, dict[int, int]] = defaultdict(dict)
        self.ledger = LedgerCheck()
        self.counts: dict[str, int] = {}

    # --- problems ---------------------------------------------------------------------------

    def problem(self, file: str, row: int | None, reason: str) -> None:
        if len(self.problems) < PROBLEMS_MAX:
            self.problems.append(Problem(file, row, reason))
        else:
            self.problems_left_out += 1

    @property
    def writing(self) -> bool:
        """Rows are written until the first problem; after it they are only checked."""
        return not self.problems

    # --- the run ----------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        # Two imports into one timebank take turns, and the second then finds it full.
        self.uow.timebanks.lock(self.timebank_id)
        filled = self.rows_store.filled(self.timebank_id, self.pot_id)
        if filled:
            held = ", ".join(_held(name, count) for name, count in filled.items())
            raise ImportRefused(
                [
                    Problem(
                        self.archive.name,
                        None,
                        f"This timebank is not empty: it has {held}. An export is imported only into a"
                        " new timebank, with no members, organisations or transactions yet.",
                    )
                ]
            )
        self.rows_store.clear("categories", self.timebank_id)
        self.rows_store.clear("report_rating_thresholds", self.timebank_id)
        for file in FILES:
            self._file(file)
        for problem in self.ledger.problems():
            self.problem(problem.file, problem.row, problem.reason)
        if self.problems_left_out:
            self.problems.append(
                Problem(self.archive.name, None, f"And {self.problems_left_out} more problems, not listed.")
            )
        if self.problems:
            raise ImportRefused(self.problems)
        self.uow.rollups.rebuild(self.timebank_id)
        return self.counts

    def _file(self, file: ExportFile) -> None:
        id_column = file.id_column
        last_id = 0
        writer = _Chunks(self, file)
        count = 0
        try:
            reserved = iter(self._reserve(file) if id_column is not None else ())
            for line, cells in self.archive.rows(file):
                count += 1
                if cells is None:
                    self.problem(file.name, line, "This row has a different number of cells from the header.")
                    continue
                values, old = self._values(file, line, cells)
                if values is None:
                    continue
                if id_column is not None:
                    old_id = old[id_column.name]
                    if old_id <= last_id:
                        self.problem(
                            file.name, line, f"{id_column.name} {old_id} does not come after {last_id}."
                        )
                        continue
                    last_id = old_id
                    new_id = self.pot_id if _is_pot(file, values) else next(reserved)
                    space = id_column.space or ""
                    if space in _REFERENCED:
                        self.ids[space][old_id] = new_id
                    values[id_column.name] = new_id
                writer.add(line, values, old)
        except CellError as error:
            self.problem(file.name, None, str(error))
        writer.flush()
        if file.name == "settings.csv" and count != 1:
            self.problem(file.name, None, f"This file has {count} rows of settings; it needs exactly one.")
        if file.name == "accounts.csv" and writer.pots == 0:
            self.problem(file.name, None, "No row is the pot (kind pot); a timebank has one.")
        self.counts[file.name] = count

    def _reserve(self, file: ExportFile) -> list[int]:
        if not self.writing:
            return list(range(1, 1 + sum(1 for _ in self.archive.rows(file))))
        count = sum(1 for _ in self.archive.rows(file))
        # Ascending, so the new ids keep the old order: posting order is transfer id order.
        return sorted(self.rows_store.reserve_ids(file.table, count))

    def _values(
        self, file: ExportFile, line: int, cells: dict[str, str]
    ) -> tuple[dict[str, Any] | None, dict[str, int]]:
        """The row's values by column name, references mapped to new ids, and the old numbers."""
        values: dict[str, Any] = {}
        old: dict[str, int] = {}
        broken = False
        for column in file.columns:
            try:
                value = parse_cell(column, cells[column.name])
            except CellError as error:
                self.problem(file.name, line, str(error))
                broken = True
                continue
            if column.kind == "ref" and value is not None:
                old[column.name] = value
                found = self.ids[column.space or ""].get(value)
                if found is None:
                    self.problem(
                        file.name,
                        line,
                        f"{column.name} {value} is not a row of {column.space}.csv before it.",
                    )
                    broken = True
                value = found
            elif column.kind == "id":
                old[column.name] = value
            elif column.kind == "actor" and value is not None:
                value = moved(value)
            values[column.name] = value
        return (None if broken else values), old


_HELD = {
    "accounts": ("account besides its pot", "accounts besides its pot"),
    "members": ("member", "members"),
    "organisations": ("organisation", "organisations"),
    "transactions": ("transaction", "transactions"),
    "limit_changes": ("change of limits", "changes of limits"),
}


def _held(name: str, count: int) -> str:
    one, many = _HELD[name]
    return f"{count} {one if count == 1 else many}"


def _is_pot(file: ExportFile, values: dict[str, Any]) -> bool:
    return file.name == "accounts.csv" and values.get("kind") == "pot"


class _Chunks:
    """A file's rows on their way to the database: shaped as stored, checked, written in chunks."""

    def __init__(self, restore: _Restore, file: ExportFile) -> None:
        self.restore = restore
        self.file = file
        self.tb = restore.timebank_id
        self.rows: list[dict[str, Any]] = []
        self.beside: dict[str, list[dict[str, Any]]] = defaultdict(list)
        self.pots = 0

    def add(self, line: int, values: dict[str, Any], old: dict[str, int]) -> None:
        file, restore = self.file, self.restore
        stored = {c.column: values[c.name] for c in file.columns if c.column is not None}
        stored["timebank_id"] = self.tb
        shape = getattr(self, "_" + file.table, None)
        if shape is not None and not shape(line, values, old, stored):
            return
        if file.name == "settings.csv":
            self._update(
                "timebanks",
                self.tb,
                {k: v for k, v in stored.items() if k not in ("timebank_id", *_SETTINGS_KEPT)},
            )
            return
        if restore.writing:
            self.rows.append(stored)
            if len(self.rows) >= CHUNK_ROWS:
                self.flush()

    def flush(self) -> None:
        restore = self.restore
        if restore.writing and self.rows:
            refused = restore.rows_store.insert(self.file.table, self.rows)
            if refused is not None:
                restore.problem(self.file.name, None, f"The database refused a row of this file: {refused}")
        for table, rows in self.beside.items():
            if restore.writing and rows:
                refused = restore.rows_store.insert(table, rows)
                if refused is not None:
                    restore.problem(
                        self.file.name, None, f"The database refused a row of this file: {refused}"
                    )
        self.rows = []
        self.beside = defaultdict(list)

    def _update(self, table: str, row_id: int, values: dict[str, Any]) -> None:
        if self.restore.writing:
            refused = self.restore.rows_store.update(table, self.tb, row_id, values)
            if refused is not None:
                self.restore.problem(self.file.name, None, f"The database refused this file's row: {refused}")

    # --- the files that need more than their columns stored as they are ---------------------

    def _accounts(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        self.pots += values["kind"] == "pot"
        if not self.restore.ledger.add_account(line, old["account_id"], values, self.restore.problem):
            return False
        stored["closed_version"] = values["transfer_count"] if values["closed_at"] is not None else None
        if values["kind"] == "pot":
            if self.pots > 1:
                self.restore.problem(self.file.name, line, "A timebank has one pot; this is a second.")
                return False
            self._update(
                "accounts", self.restore.pot_id, {k: v for k, v in stored.items() if k not in ("id", "kind")}
            )
            return False
        return True

    def _members(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        stored.update(login_id=None, email_verified_at=None)
        for tag in sorted(set(values["tags"])):
            self.beside["member_tags"].append(
                {"member_id": values["member_id"], "tag": tag, "timebank_id": self.tb}
            )
        return True

    def _categories(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        stored["name_key"] = name_key(values["name"])
        return True

    def _posts(self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]) -> bool:
        stored["search_text"] = search_text(values["title"], values["description"], values["area"])
        return True

    def _transactions(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        self.restore.ledger.add_transaction(line, old["transaction_id"])
        if values["reason"] is not None or values["note"] is not None:
            text = {"transaction_id": values["transaction_id"], "timebank_id": self.tb}
            self.beside["transaction_texts"].append(
                text | {"reason": values["reason"], "note": values["note"]}
            )
        return True

    def _transfers(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        return self.restore.ledger.add_transfer(line, old, values, self.restore.problem)

    def _exchanges(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        self.restore.ledger.add_exchange(line, old, values["status"])
        return True

    def _exchange_receivers(
        self, line: int, values: dict[str, Any], old: dict[str, int], stored: dict[str, Any]
    ) -> bool:
        self.restore.ledger.add_receiver(old["exchange_id"], values["minutes"])
        return True
