"""Backing up the whole service to one file, and restoring it: SQLite here, PostgreSQL in ``pg_dump``.

A backup is worth what its restore is worth, so every backup is checked before it is kept, and
every restore is checked before it is reported done: SQLite's ``integrity_check`` on the file, and
the ledger's invariants (L1–L4, L9, L10) on its rows (``timebank.db.checks``).

**Backing up SQLite while the service runs.** SQLite's online backup API
(``sqlite3.Connection.backup``) copies the database page by page, a few hundred pages a step, so it
never holds the database in memory. Between steps the service may commit; SQLite would then restart
the copy from the first page, and under a steady stream of exchanges it might never finish. So the
copy runs inside one read transaction on the source: in WAL mode that is a snapshot, which writers
do not disturb and which the copy reads from start to end. The copy is one moment of the ledger,
however many exchanges are recorded meanwhile.

**Never half a backup under the backup's name.** The copy is written to a hidden file beside the
target, switched from WAL to a plain rollback journal (so the backup is one self-contained file),
checked, synced to disk, and only then renamed over the target, which is atomic on one file system.
A crash, a full disk or a failed check leaves the target as it was. An existing file is replaced
only when asked (``force``).

**Restoring SQLite.** The backup is first checked to be one: a SQLite file with an alembic version
this code knows. It is then copied into the configured database with the same backup API, which
writes the whole copy in one transaction of the target: if it stops half-way, the target is as it
was. A database that already holds a timebank is replaced only when asked. A backup from an older
schema is migrated to the current one, then checked. The service should be stopped meanwhile: its
open transactions would be cut off from under it.

A refusal here is a ``BackupRefused``, with a code named for the rule and a sentence for the
operator; these are the command line's refusals, not the API's, so they are not in the error tree.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from timebank.db.checks import DatabaseCheck, check_database
from timebank.db.engine import SQLITE_BUSY_TIMEOUT_MS, make_engine
from timebank.db.migrate import alembic_config, upgrade

__all__ = [
    "PAGES_PER_STEP",
    "PG_DUMP_MAGIC",
    "BackupRefused",
    "BackupResult",
    "back_up",
    "known_revision",
    "known_revisions",
    "not_empty_sentence",
    "restore",
    "sqlite_path",
    "write_beside",
]

# Pages copied per step of the backup API: 1,024 pages of 4 KiB is 4 MiB a step. The source's
# snapshot is held throughout, so the step's size bounds memory, not consistency.
PAGES_PER_STEP = 1024
_SQLITE_MAGIC = b"SQLite format 3\x00"
PG_DUMP_MAGIC = b"PGDMP"  # the first bytes of pg_dump's custom format


class BackupRefused(Exception):
    """A backup or restore refused, named for the rule; nothing was changed."""

    def __init__(self, code: str, sentence: str) -> None:
        super().__init__(sentence)
        self.code = code
        self.sentence = sentence


@dataclass(frozen=True)
class BackupResult:
    """The file written or read, its size, and the check of the database it holds."""

    path: Path
    size_bytes: int
    check: DatabaseCheck
    revision_before: str | None = None  # a restore's: the backup's own schema, before migrating


def back_up(url: str, target: Path, *, force: bool = False) -> BackupResult:
    """Copy the whole database at ``url`` to the file ``target``, then check the copy."""
    if make_url(url).get_backend_name() != "sqlite":
        from timebank.db import pg_dump

        return pg_dump.back_up(url, target, force=force)
    source = sqlite_path(url)
    with write_beside(target, force=force) as partial:
        _copy_sqlite(source, partial, snapshot=True)
        check = _check_sqlite_file(partial)
        if any(problem.startswith("SQLite's integrity check") for problem in check.problems):
            raise BackupRefused(
                "backup_copy_damaged",
                f"The copy failed SQLite's integrity check, so it was not kept: {check.problems[0]}",
            )
    return BackupResult(target, target.stat().st_size, check)


def restore(url: str, backup: Path, *, force: bool = False) -> BackupResult:
    """Replace the database at ``url`` with the backup in ``backup``, migrate it, and check it."""
    if make_url(url).get_backend_name() != "sqlite":
        from timebank.db import pg_dump

        return pg_dump.restore(url, backup, force=force)
    revision = _sqlite_backup_revision(backup)
    target = sqlite_path(url)
    timebanks = _sqlite_timebank_count(target)
    if timebanks and not force:
        raise BackupRefused("database_not_empty", not_empty_sentence(str(target.resolve()), timebanks))
    _copy_sqlite(backup, target, snapshot=False)
    return migrated_and_checked(url, backup, revision)


def migrated_and_checked(url: str, backup: Path, revision: str) -> BackupResult:
    """The end of every restore: the schema brought to head, then the ledger checked."""
    upgrade(url)
    engine = make_engine(url)
    try:
        check = check_database(engine)
    finally:
        engine.dispose()
    return BackupResult(backup, backup.stat().st_size, check, revision_before=revision)


def sqlite_path(url: str) -> Path:
    """The file a SQLite URL names (an in-memory database has none to back up)."""
    database = make_url(url).database or ""
    if database.startswith("file:"):
        database = database.removeprefix("file:").partition("?")[0]
    if database in ("", ":memory:"):
        raise BackupRefused("database_in_memory", "An in-memory database has no file to back up or restore.")
    return Path(database)


def known_revisions() -> set[str]:
    """Every schema revision this copy of timebank can migrate from."""
    return {
        script.revision
        for script in ScriptDirectory.from_config(alembic_config("sqlite://")).walk_revisions()
    }


@contextlib.contextmanager
def write_beside(target: Path, *, force: bool) -> Iterator[Path]:
    """A hidden file beside ``target`` to write; renamed over it when the block ends without error."""
    if target.exists() and not force:
        raise BackupRefused(
            "backup_file_exists",
            f"{target} exists already: choose another name, or add --force to replace it.",
        )
    if not target.parent.is_dir():
        raise BackupRefused(
            "backup_folder_missing", f"There is no folder {target.parent} to write the backup in."
        )
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial")
    os.close(handle)
    partial = Path(name)
    try:
        yield partial
        _sync(partial)
        os.replace(partial, target)
        _sync(target.parent)
    finally:
        for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm"), Path(f"{partial}-journal")):
            leftover.unlink(missing_ok=True)


def _sync(path: Path) -> None:
    """Flush a file (or a folder's entries) to disk, so a rename is not kept before the data."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _copy_sqlite(source: Path, target: Path, *, snapshot: bool) -> None:
    """Copy ``source`` into ``target`` with the backup API, a step of pages at a time.

    With ``snapshot`` the source is a live database: the copy reads one read transaction of it.
    A backup is kept as one file in a rollback journal; a restored database keeps its journal
    mode as the backup had it, and the service's engine switches it to WAL when it connects.
    """
    timeout = SQLITE_BUSY_TIMEOUT_MS / 1000
    # A live source is opened as the service opens it; a backup file is only ever read.
    opened = (str(source), False) if snapshot else (_read_only(source), True)
    reader = sqlite3.connect(opened[0], uri=opened[1], isolation_level=None, timeout=timeout)
    writer = sqlite3.connect(target, isolation_level=None, timeout=timeout)
    try:
        if snapshot:
            # The snapshot begins at the first read, not at BEGIN: read something at once.
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM sqlite_master").fetchone()
        reader.backup(writer, pages=PAGES_PER_STEP)
        if snapshot:
            reader.execute("COMMIT")
            writer.execute("PRAGMA journal_mode=DELETE")
    finally:
        writer.close()
        reader.close()


def _read_only(path: Path) -> str:
    return f"file:{quote(str(path.resolve()))}?mode=ro"


def _check_sqlite_file(path: Path) -> DatabaseCheck:
    # A plain engine: the service's would switch the copy back to WAL.
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    try:
        return check_database(engine)
    finally:
        engine.dispose()


def _sqlite_backup_revision(backup: Path) -> str:
    """The schema revision of a SQLite backup; refused unless it is a timebank backup we know."""
    if not backup.is_file():
        raise BackupRefused("backup_file_missing", f"There is no backup file at {backup}.")
    with backup.open("rb") as file:
        magic = file.read(len(_SQLITE_MAGIC))
    if magic.startswith(PG_DUMP_MAGIC):
        sentence = f"{backup} is a pg_dump archive, for PostgreSQL, but the configured database is SQLite."
        raise BackupRefused("backup_for_another_database", sentence)
    if magic != _SQLITE_MAGIC:
        raise BackupRefused(
            "not_a_timebank_backup", f"{backup} is not a timebank backup: it is not a SQLite database."
        )
    try:
        with contextlib.closing(sqlite3.connect(_read_only(backup), uri=True)) as connection:
            damage = connection.execute("PRAGMA quick_check(1)").fetchone()[0]
            row = (
                connection.execute("SELECT version_num FROM alembic_version").fetchone()
                if damage == "ok"
                else None
            )
    except sqlite3.DatabaseError:
        damage, row = "ok", None
    if damage != "ok":
        raise BackupRefused(
            "backup_damaged", f"{backup} is damaged, so nothing was restored: SQLite found {damage}."
        )
    if row is None:
        sentence = f"{backup} is not a timebank backup: it holds no timebank schema (no alembic version)."
        raise BackupRefused("not_a_timebank_backup", sentence)
    return known_revision(backup, str(row[0]))


def known_revision(backup: Path, revision: str) -> str:
    """``revision``, refused when it is newer than this copy of timebank knows."""
    if revision not in known_revisions():
        sentence = f"{backup} comes from a newer timebank (schema {revision}): upgrade timebank first."
        raise BackupRefused("backup_from_newer_version", sentence)
    return revision


def _sqlite_timebank_count(path: Path) -> int:
    """How many timebanks the SQLite file holds: none when it is missing, empty or not migrated."""
    if not path.is_file():
        return 0
    try:
        with contextlib.closing(sqlite3.connect(_read_only(path), uri=True)) as connection:
            return int(connection.execute("SELECT count(*) FROM timebanks").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0


def not_empty_sentence(where: str, timebanks: int) -> str:
    return (
        f"The database at {where} already holds {timebanks} timebank(s), which restoring would replace: "
        "add --force to replace them, or point TIMEBANK_DATABASE_URL at an empty database."
    )
