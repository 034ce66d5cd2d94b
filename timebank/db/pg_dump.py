"""Backing up and restoring PostgreSQL with its own tools, ``pg_dump`` and ``pg_restore``.

PostgreSQL's tools are the right ones for its backups: ``pg_dump`` reads one consistent snapshot
while the service runs, and its custom format restores with ``pg_restore``. timebank only runs them
with the configured database's connection details, and checks what they did.

**One moment for the dump and its check.** The backup opens a read-only REPEATABLE READ transaction,
exports its snapshot (``pg_export_snapshot()``) and hands it to ``pg_dump --snapshot``; the ledger's
invariants are checked in that same transaction. So the dump and the check see the same rows, and
the counts printed are the counts in the file. The archive's table of contents is then read back
(``pg_restore --list``), so a file that cannot be restored is never kept.

**Restoring** runs ``pg_restore --clean --if-exists --single-transaction``: the database's objects
are replaced by the backup's in one transaction, all or nothing. An older backup is then migrated
to the current schema and checked, as on SQLite.

The password reaches the tools in their environment (``PGPASSWORD``), never on a command line that
``ps`` shows, and is never printed. Without the tools on ``PATH`` the refusal says how to install
them or run ``pg_dump`` by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from timebank.db.backup import (
    PG_DUMP_MAGIC,
    BackupRefused,
    BackupResult,
    known_revision,
    migrated_and_checked,
    not_empty_sentence,
    write_beside,
)
from timebank.db.checks import DatabaseCheck, database_check
from timebank.db.engine import make_engine
from timebank.db.unit_of_work import UnitOfWork, run

__all__ = ["TOOL_SECONDS_MAX", "back_up", "by_hand", "restore"]

# A dump or restore that runs longer than this is stopped: a hung server must not hang a cron job.
TOOL_SECONDS_MAX = 6 * 60 * 60
_SAFE_URL_KEYS = {"sslmode": "PGSSLMODE", "sslrootcert": "PGSSLROOTCERT", "application_name": "PGAPPNAME"}


def back_up(url: str, target: Path, *, force: bool = False) -> BackupResult:
    """``pg_dump`` the database at ``url`` to ``target`` (custom format), checked at the same moment."""
    pg_dump = _tool("pg_dump", url, target)
    engine = make_engine(url)
    try:
        with write_beside(target, force=force) as partial:

            def dump_and_check(uow: UnitOfWork) -> DatabaseCheck:
                snapshot = uow.connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
                arguments = [pg_dump, "--format=custom", f"--snapshot={snapshot}", f"--file={partial}"]
                _run_tool(arguments, url, "pg_dump_failed")
                return database_check(uow)

            check = run(engine, dump_and_check, write=False, snapshot=True)
            _table_of_contents(partial, url)
    finally:
        engine.dispose()
    return BackupResult(target, target.stat().st_size, check)


def restore(url: str, backup: Path, *, force: bool = False) -> BackupResult:
    """``pg_restore`` the archive ``backup`` into the database at ``url``, migrate it and check it."""
    pg_restore = _tool("pg_restore", url, backup)
    if not backup.is_file():
        raise BackupRefused("backup_file_missing", f"There is no backup file at {backup}.")
    with backup.open("rb") as file:
        magic = file.read(len(PG_DUMP_MAGIC))
    if magic == b"SQLit":
        sentence = f"{backup} is a SQLite backup, but the configured database is PostgreSQL."
        raise BackupRefused("backup_for_another_database", sentence)
    if magic != PG_DUMP_MAGIC:
        sentence = f"{backup} is not a timebank backup for PostgreSQL: it is not a pg_dump archive."
        raise BackupRefused("not_a_timebank_backup", sentence)
    revision = _archive_revision(backup, url)
    timebanks = _timebank_count(url)
    if timebanks and not force:
        where = make_url(url).render_as_string(hide_password=True)
        raise BackupRefused("database_not_empty", not_empty_sentence(where, timebanks))
    arguments = [
        pg_restore,
        "--clean",
        "--if-exists",
        "--no-owner",
        "--no-privileges",
        "--single-transaction",
    ]
    _run_tool(
        [*arguments, "--exit-on-error", f"--dbname={make_url(url).database}", str(backup)],
        url,
        "pg_restore_failed",
    )
    return migrated_and_checked(url, backup, revision)


def by_hand(url: str, target: Path) -> str:
    """The command an operator can run instead, with the password left out."""
    parsed = make_url(url)
    password = "PGPASSWORD=... " if parsed.password else ""
    where = (
        f"--host={parsed.host or 'localhost'} --port={parsed.port or 5432} --username={parsed.username or ''}"
    )
    return f"{password}pg_dump --format=custom {where} --file={target} {parsed.database}"


def _tool(name: str, url: str, path: Path) -> str:
    found = shutil.which(name)
    if found is None:
        install = "install the PostgreSQL client tools (apt-get install postgresql-client-15)"
        sentence = f"{name} is not installed here: {install}, or back up by hand with: {by_hand(url, path)}"
        raise BackupRefused(f"{name}_not_found", sentence)
    return found


def _environment(url: str) -> dict[str, str]:
    """The tools' environment: the URL's connection details as libpq reads them."""
    parsed = make_url(url)
    settings = {
        "PGHOST": parsed.host,
        "PGPORT": str(parsed.port) if parsed.port else None,
        "PGUSER": parsed.username,
        "PGPASSWORD": parsed.password,
        "PGDATABASE": parsed.database,
    }
    for key, variable in _SAFE_URL_KEYS.items():
        value = parsed.query.get(key)
        settings[variable] = value if isinstance(value, str) else None
    return {**os.environ, **{name: str(value) for name, value in settings.items() if value}}


def _run_tool(arguments: list[str], url: str, code: str) -> str:
    completed = subprocess.run(
        arguments,
        env=_environment(url),
        capture_output=True,
        text=True,
        timeout=TOOL_SECONDS_MAX,
        check=False,
    )
    if completed.returncode != 0:
        said = (completed.stderr.strip().splitlines() or ["no message"])[0]
        where = make_url(url).render_as_string(hide_password=True)
        raise BackupRefused(code, f"{Path(arguments[0]).name} failed on {where}: {said}")
    return completed.stdout


def _table_of_contents(archive: Path, url: str) -> str:
    return _run_tool(
        [_tool("pg_restore", url, archive), "--list", str(archive)], url, "not_a_timebank_backup"
    )


def _archive_revision(archive: Path, url: str) -> str:
    """The schema revision inside a dump, read without restoring it (the version table's data)."""
    if " TABLE DATA public alembic_version " not in _table_of_contents(archive, url):
        sentence = f"{archive} is not a timebank backup: it holds no timebank schema (no alembic version)."
        raise BackupRefused("not_a_timebank_backup", sentence)
    script = _run_tool(
        [
            _tool("pg_restore", url, archive),
            "--data-only",
            "--table=alembic_version",
            "--file=-",
            str(archive),
        ],
        url,
        "not_a_timebank_backup",
    )
    # The data comes as COPY ... FROM stdin; one line, the revision, then "\.".
    lines = script.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("COPY public.alembic_version"))
    return known_revision(archive, lines[start + 1].strip())


def _timebank_count(url: str) -> int:
    engine: Engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("timebanks"):
                return 0
            return int(connection.execute(text("SELECT count(*) FROM timebanks")).scalar_one())
    finally:
        engine.dispose()
