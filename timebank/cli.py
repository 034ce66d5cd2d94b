"""The ``timebank`` command: migrate the database and serve the API.

``TIMEBANK_DATABASE_URL`` picks the database; unset, a SQLite file in the working directory.
"""

from __future__ import annotations

import typer

from timebank.db import migrate
from timebank.settings import get_settings

__all__ = ["app"]

app = typer.Typer(help="timebank: a ledger of time credits.", no_args_is_help=True)


@app.command("migrate")
def migrate_command(
    revision: str = typer.Option("head", help="Migrate forward to this revision."),
) -> None:
    """Bring the database schema up to date (safe to run again)."""
    migrate.upgrade(revision=revision)
    typer.echo(f"Database is at {revision}: {_safe_url()}")


@app.command("downgrade")
def downgrade_command(
    revision: str = typer.Argument(..., help="Migrate back to this revision ('base' empties it)."),
) -> None:
    """Migrate the schema back. Every migration is reversible."""
    migrate.downgrade(revision=revision)
    typer.echo(f"Database is at {revision}: {_safe_url()}")


@app.command("expire-pending")
def expire_pending_command() -> None:
    """Close pending exchanges older than each timebank's setting (run daily from a scheduler)."""
    from timebank.db import make_engine
    from timebank.services import expire_pending_everywhere

    engine = make_engine()
    try:
        reports = expire_pending_everywhere(engine)
    finally:
        engine.dispose()
    expired = sum(r.expired for r in reports.values())
    confirmed = sum(r.auto_confirmed for r in reports.values())
    typer.echo(f"{len(reports)} timebank(s): {expired} pending exchange(s) expired, {confirmed} confirmed")


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
) -> None:
    """Migrate the database, then serve the HTTP API."""
    import uvicorn

    migrate.upgrade()
    typer.echo(f"Serving timebank on http://{host}:{port} with {_safe_url()}")
    # The app is named by string so that nothing here imports timebank.api (layers point inward).
    uvicorn.run("timebank.api.app:create_app", factory=True, host=host, port=port, workers=workers)


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
