"""Engines for the two databases timebank runs on, each set up for a ledger's needs.

SQLite (the embedded default) allows one writer at a time. We take the write lock at the start of
every write transaction (``BEGIN IMMEDIATE``) so that two writers never both read a balance and then
race to update it; readers use a plain ``BEGIN`` and, in WAL mode, never block the writer. A busy
timeout makes a second writer wait instead of failing, and foreign keys are switched on (SQLite
leaves them off unless asked).

PostgreSQL (production) runs at READ COMMITTED; the services lock the account rows they will change
with ``SELECT ... FOR UPDATE`` in ascending id order, so two transactions never wait on each other in
a cycle, and the unit of work retries the rare serialization failure or deadlock.

Both engines say how durable a commit is, rather than trusting the database's own default, because a
ledger that acknowledges a write must still have it after a crash. SQLite runs in WAL mode with
``synchronous=FULL``: the WAL is synced to disk at every commit, so a commit survives a power cut.
``NORMAL`` would sync only at checkpoints, which keeps the database consistent and survives a crash of
the process, but may lose the last commits when the machine itself goes down. PostgreSQL gets
``synchronous_commit`` as a startup option of every connection; a client option outranks the server's,
the database's and the role's defaults, and ``RESET ALL`` returns to it. With ``on`` a commit returns
once its WAL is flushed to disk (and to the synchronous standbys, if any are configured).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

from timebank.settings import get_settings

__all__ = ["SQLITE_BUSY_TIMEOUT_MS", "is_sqlite", "make_engine"]

SQLITE_BUSY_TIMEOUT_MS = 30_000
_SYNCHRONOUS_MODES = {"OFF", "NORMAL", "FULL", "EXTRA"}
# PostgreSQL's own names for its levels. It also takes booleans ("true", "1"), which we refuse so
# that the configured value reads the same as the README's table.
_SYNCHRONOUS_COMMIT_LEVELS = {"on", "remote_apply", "remote_write", "local", "off"}


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str | None = None, **options: Any) -> Engine:
    """Create an engine for ``url`` (default: the configured database)."""
    settings = get_settings()
    url = url or settings.database_url
    if make_url(url).get_backend_name() == "sqlite":
        return _sqlite_engine(url, settings.sqlite_synchronous, **options)
    options.setdefault("pool_size", settings.pool_size)
    options.setdefault("max_overflow", settings.pool_size)
    options["connect_args"] = _postgres_connect_args(
        url, settings.postgres_synchronous_commit, options.get("connect_args", {})
    )
    # No pre-ping: it would cost a round trip on every use case. A connection found dead is
    # invalidated by SQLAlchemy and the unit of work retries the whole use case on a fresh one.
    return create_engine(url, isolation_level="READ COMMITTED", **options)


def _postgres_connect_args(url: str, synchronous_commit: str, connect_args: dict[str, Any]) -> dict[str, Any]:
    level = synchronous_commit.lower()
    if level not in _SYNCHRONOUS_COMMIT_LEVELS:
        raise ValueError(f"postgres_synchronous_commit must be one of {sorted(_SYNCHRONOUS_COMMIT_LEVELS)}")
    # A startup option rather than a SET after connecting: it costs no round trip, no transaction
    # can roll it back, and RESET ALL or DISCARD ALL return to it. Options already given (in the URL
    # or by the caller) are kept; ours comes last, so it wins over any synchronous_commit among them.
    given = connect_args.get("options", make_url(url).query.get("options", ""))
    if not isinstance(given, str):
        given = " ".join(given)
    setting = f"-c synchronous_commit={level}"
    return {**connect_args, "options": f"{given} {setting}" if given else setting}


def _sqlite_engine(url: str, synchronous: str, **options: Any) -> Engine:
    synchronous = synchronous.upper()
    if synchronous not in _SYNCHRONOUS_MODES:
        raise ValueError(f"sqlite_synchronous must be one of {sorted(_SYNCHRONOUS_MODES)}")
    connect_args = options.pop("connect_args", {})
    connect_args.setdefault("timeout", SQLITE_BUSY_TIMEOUT_MS / 1000)
    connect_args.setdefault("check_same_thread", False)
    engine = create_engine(url, connect_args=connect_args, **options)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling issues BEGIN lazily and never IMMEDIATE; switch it
        # off and let the "begin" hook below say exactly what kind of transaction to open.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("timebank_sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
