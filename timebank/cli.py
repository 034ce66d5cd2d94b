"""The ``timebank`` command: migrate the database and serve the API.

``TIMEBANK_DATABASE_URL`` picks the database; unset, a SQLite file in the working directory.
"""

from __future__ import annotations

from pathlib import Path

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
    from timebank.exchanges.lifecycle import expire_pending_everywhere

    engine = make_engine()
    try:
        reports = expire_pending_everywhere(engine)
    finally:
        engine.dispose()
    expired = sum(r.expired for r in reports.values())
    confirmed = sum(r.auto_confirmed for r in reports.values())
    typer.echo(f"{len(reports)} timebank(s): {expired} pending exchange(s) expired, {confirmed} confirmed")


@app.command("report")
def report_command(
    timebank_id: int = typer.Argument(..., help="The timebank's id."),
    from_on: str = typer.Option(None, "--from", help="First day, YYYY-MM-DD [default: 90 days before --to]."),
    to_on: str = typer.Option(None, "--to", help="The day after the last, YYYY-MM-DD [default: tomorrow]."),
    tag: str = typer.Option(None, help="Only members with this tag."),
    organisation_id: int = typer.Option(None, "--organisation", help="Only this organisation and its staff."),
    account_id: int = typer.Option(None, "--account", help="One account's report instead."),
    output: str = typer.Option("text", "--format", help="text, csv or json."),
) -> None:
    """Print a timebank's reciprocity report (or one account's) for a window, as text, CSV or JSON."""
    import json
    from datetime import date, timedelta

    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.errors import TimebankError
    from timebank.people.callers import Caller
    from timebank.rendering.report_csv import report_csv
    from timebank.rendering.report_text import report_text
    from timebank.reporting.reports import member_report, reciprocity_report
    from timebank.reports import OrganisationGroup, TagGroup, report_json

    if output not in ("text", "csv", "json"):
        raise typer.BadParameter("choose text, csv or json", param_hint="--format")
    end = date.fromisoformat(to_on) if to_on else utc_now().date() + timedelta(days=1)
    first = date.fromisoformat(from_on) if from_on else end - timedelta(days=90)
    # Whoever runs the command on the server may read what the timebank's coordinators may read.
    caller = Caller("system:cli", False, timebank_id, None, None, True, frozenset())
    engine = make_engine()
    try:
        if account_id is not None:
            figures = member_report(engine, timebank_id, caller, account_id, first, end)
            typer.echo(json.dumps(figures.__dict__, default=str, indent=2))
            return
        group = TagGroup(tag) if tag else OrganisationGroup(organisation_id) if organisation_id else None
        report = reciprocity_report(engine, timebank_id, caller, first, end, group)
    except TimebankError as refusal:
        typer.echo(f"Refused ({refusal.code}): {refusal.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    if output == "csv":
        typer.echo(report_csv(report), nl=False)
    elif output == "json":
        typer.echo(json.dumps(report_json(report), indent=2))
    else:
        typer.echo(report_text(report), nl=False)


@app.command("tidy")
def tidy_command() -> None:
    """Delete expired tokens, old failed logins and idempotency keys past retention (run daily)."""
    from timebank.db import make_engine
    from timebank.people.housekeeping import tidy

    engine = make_engine()
    try:
        report = tidy(engine)
    finally:
        engine.dispose()
    typer.echo(
        f"Deleted {report.tokens_deleted} expired token(s), {report.login_failures_deleted} old failed "
        f"login(s), {report.idempotency_keys_deleted} idempotency key(s) past retention"
    )


admin_app = typer.Typer(help="Platform admins: the people who create timebanks.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create")
def admin_create_command(
    username: str = typer.Argument(..., help="The admin's username (lower-case letters, digits, . _ -)."),
) -> None:
    """Create a platform admin. The password is read from standard input (typed twice on a terminal)."""
    import sys

    from timebank.db import make_engine
    from timebank.errors import TimebankError
    from timebank.people.access import create_admin

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    migrate.upgrade()
    engine = make_engine()
    try:
        create_admin(engine, username, password)
    except TimebankError as error:
        typer.echo(f"Refused ({error.code}): {error.detail}", err=True)
        raise typer.Exit(1) from error
    finally:
        engine.dispose()
    typer.echo(f"Admin {username!r} created. Log in with POST /v1/auth/token.")


@app.command("openapi")
def openapi_command(
    output: Path = typer.Option(Path("openapi/openapi.json"), help="Where to write the OpenAPI document."),
) -> None:
    """Write the API's OpenAPI document (the committed openapi/openapi.json)."""
    import importlib
    import json

    from sqlalchemy import create_engine

    # Imported by name: the API is the outermost layer and nothing else imports it.
    api = importlib.import_module("timebank.api.app")
    document = api.openapi_document(api.create_app(create_engine("sqlite://")))
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    typer.echo(f"Wrote {output}")


@app.command("errors")
def errors_command(
    output: Path | None = typer.Option(None, help="Write the tree to this file (docs/errors.md) too."),
) -> None:
    """Print every refusal's code in one tree, with the package that owns it (docs/errors.md)."""
    from timebank.errors import render_tree

    tree = errors_document(render_tree())
    if output is None:
        typer.echo(tree, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(tree)
    typer.echo(f"Wrote {output}")


def errors_document(tree: str) -> str:
    """``docs/errors.md``: the tree, and how to read it."""
    return (
        "# Every refusal, by its code\n\n"
        "Every refusal of the API, the pages and the command line is one of these, named for the rule\n"
        "that was broken (`code` in a problem document). Each line is a class, its code, and the\n"
        "module of `timebank` that owns it; a leaf sits under its group, and the groups come in the\n"
        "order the checks run. The HTTP status of each group is in `timebank/api/problems.py`. This\n"
        "file is written by `timebank errors --output docs/errors.md`, and a test fails when it is\n"
        "out of date.\n\n"
        "```\n" + tree + "```\n"
    )


@app.command("serve")
def serve_command(
    host: str = typer.Option("127.0.0.1", help="Address to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int | None = typer.Option(None, help="Worker processes [default: TIMEBANK_WORKERS, or 1]."),
    demo: bool = typer.Option(False, "--demo", help="First seed a demo timebank and print how to log in."),
    timeout_headers: float | None = typer.Option(
        None,
        help="Seconds a client has to send a request's headers, so slow clients cannot hold connections"
        " open [default: TIMEBANK_HEADER_TIMEOUT_SECONDS, or 10].",
        min=0.1,
        max=300,
    ),
) -> None:
    """Migrate the database, then serve the HTTP API."""
    import os

    import uvicorn

    if timeout_headers is not None:
        # Settings reach the worker processes through the environment, as every other one does.
        os.environ["TIMEBANK_HEADER_TIMEOUT_SECONDS"] = str(timeout_headers)
        get_settings.cache_clear()

    migrate.upgrade()
    if demo:
        from timebank.db import make_engine
        from timebank.demo.timebank import seed_demo

        engine = make_engine()
        try:
            typer.echo(seed_demo(engine).how_to_log_in(host, port))
        finally:
            engine.dispose()
    typer.echo(f"Serving timebank on http://{host}:{port} with {_safe_url()}")
    # The app is named by string so that nothing here imports timebank.api (layers point inward);
    # so is its HTTP protocol: uvicorn's own, with a time limit on reading a request's headers.
    uvicorn.run(
        "timebank.api.app:create_app",
        factory=True,
        http="timebank.api.http_protocol:HeaderTimeoutProtocol",
        host=host,
        port=port,
        workers=workers or get_settings().workers,
    )


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)
