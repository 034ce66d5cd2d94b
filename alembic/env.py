"""Alembic's entry point: runs the migrations in ``versions/`` on one database, online.

Two callers: ``timebank migrate`` (and ``timebank serve``), through ``timebank.db.migrate``, which
hands over the URL; and ``alembic upgrade head`` run from a checkout, whose ``alembic.ini`` names
no URL, so the database is the one timebank itself would use: ``TIMEBANK_DATABASE_URL``, or the
SQLite file ``timebank.sqlite3`` in the working directory.
"""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from timebank.db import (  # noqa: F401  (register their tables on the metadata)
    benefit_tables,
    import_tables,
    notification_tables,
    offer_tables,
    people_tables,
    report_tables,
    spend_tables,
)
from timebank.db.engine import make_engine
from timebank.db.tables import metadata

config = context.config
# The alembic command reads alembic.ini, whose logging sections print each step it runs;
# timebank.db.migrate passes no file and leaves the application's logging alone.
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)


def _migrate(connection: Connection) -> None:
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            # Foreign keys were off while the migrations ran (see _run): check them all now,
            # before anything is committed.
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"The migration broke foreign keys: {broken[:10]}")


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The full-text search's own tables, column and index are made in SQL by migration 0015.
        include_name=offer_tables.described_by_metadata,
    )
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        _migrate(connection)
        return
    # SQLite's batch mode rebuilds a table by copying it, dropping the old one and renaming the
    # copy. With foreign keys on, dropping a table that other rows refer to fails, so SQLite's own
    # procedure for altering a table turns them off first; the pragma works only outside a
    # transaction, so it goes to the driver's connection, which is in autocommit mode here.
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        _migrate(connection)
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # No URL (the alembic command): make_engine takes timebank's configured database.
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("timebank migrations run online only: use `timebank migrate` or `alembic upgrade head`")
run_migrations_online()
