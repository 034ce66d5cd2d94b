"""Checking a whole database: the ledger's invariants in every timebank, and the file itself.

The ledger's invariant checks (``timebank.ledger.invariants``: L1–L4, L9, L10) take plain values;
this module reads them. It reads every timebank's accounts and streams its transfers in posting
order, all in one read-only snapshot, so the checks see one moment of a database that is still
taking writes, and memory grows with the accounts, never with the transfers. On SQLite it also asks
the file itself (``PRAGMA integrity_check``): a backup that SQLite finds damaged is no backup.

``timebank check`` runs it on the configured database, ``timebank backup`` on the copy it made and
``timebank restore`` on the database it restored; the tests run ``check_timebank`` after their
stories. Each problem is a sentence that names the timebank and the rule's words.
"""

from __future__ import annotations

from dataclasses import dataclass

from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, Table, func, select

from timebank.db.tables import accounts, timebanks, transfers
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import invariants

__all__ = [
    "INTEGRITY_PROBLEMS_MAX",
    "DatabaseCheck",
    "DatabaseSummary",
    "check_database",
    "check_timebank",
    "database_check",
]

# SQLite stops its integrity check after this many problems: a damaged file is damaged already.
INTEGRITY_PROBLEMS_MAX = 100


@dataclass(frozen=True)
class DatabaseSummary:
    """What a database holds, in the words an operator checks a backup by."""

    timebanks: int
    accounts: int
    transfers: int
    revision: str | None  # the schema's alembic revision; None when it has none


@dataclass(frozen=True)
class DatabaseCheck:
    """A database's summary and every problem found in it, as sentences (none when all is well)."""

    summary: DatabaseSummary
    problems: tuple[str, ...]
    file_checked: bool  # SQLite checked the file's integrity too

    @property
    def passed(self) -> bool:
        return not self.problems


def check_timebank(engine: Engine, timebank_id: int) -> list[str]:
    """The ledger's invariant checks over one timebank's rows; an empty list means all hold."""
    return run(engine, lambda uow: _timebank_problems(uow, timebank_id), write=False, snapshot=True)


def check_database(engine: Engine) -> DatabaseCheck:
    """Every timebank's invariants and, on SQLite, the file's integrity, seen at one moment."""
    return run(engine, database_check, write=False, snapshot=True)


def database_check(uow: UnitOfWork) -> DatabaseCheck:
    """``check_database`` inside a read-only snapshot the caller opened (``pg_dump`` shares it)."""
    file_checked = uow.connection.dialect.name == "sqlite"
    problems = _integrity_problems(uow.connection) if file_checked else []
    if problems:
        # The rows of a damaged file cannot be trusted to say anything more.
        return DatabaseCheck(_summary(uow.connection), tuple(problems), file_checked)
    for timebank_id in uow.timebanks.all_ids():
        problems.extend(
            f"In timebank {timebank_id}, {problem}." for problem in _timebank_problems(uow, timebank_id)
        )
    return DatabaseCheck(_summary(uow.connection), tuple(problems), file_checked)


def _timebank_problems(uow: UnitOfWork, timebank_id: int) -> list[str]:
    states = uow.accounts.all_in_timebank(timebank_id)
    return invariants.check_all_in_posting_order(states, uow.transfers.in_posting_order(timebank_id))


def _integrity_problems(connection: Connection) -> list[str]:
    # PostgreSQL checks each page's checksum as it reads it, when the cluster has them
    # (pg_amcheck goes further); SQLite is asked.
    rows = connection.exec_driver_sql(f"PRAGMA integrity_check({INTEGRITY_PROBLEMS_MAX})").scalars()
    return [f"SQLite's integrity check found: {row}." for row in rows if row != "ok"]


def _summary(connection: Connection) -> DatabaseSummary:
    def count(table: Table) -> int:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())

    return DatabaseSummary(
        timebanks=count(timebanks),
        accounts=count(accounts),
        transfers=count(transfers),
        revision=MigrationContext.configure(connection).get_current_revision(),
    )
