"""Alembic's entry point: runs migrations on the URL handed over by ``timebank.db.migrate``."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from timebank.db import people_tables, report_tables  # noqa: F401  (register their tables on the metadata)
from timebank.db.engine import make_engine
from timebank.db.tables import metadata

config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise SystemExit("timebank migrations run online only: use `timebank migrate`")
run_migrations_online()
