"""The ``timebank`` command: migrate the database and serve the API, report, and tidy up.

``TIMEBANK_DATABASE_URL`` picks the database; unset, a SQLite file in the working directory.

A command that only works on an existing database (``report``, ``tidy``, ``expire-pending``,
``downgrade``) first looks for it without creating anything, and where there is none says so and
how to point at one. Only ``migrate``, ``serve`` and ``admin create`` create a database. Every
refusal is one line on standard error, in plain words (``timebank.rendering.refusals``), with a
non-zero exit: 1 when the database or the settings are not right, 2 when the command was asked
something it cannot do (a bad date, an unknown format, a refusal of the ledger's).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from timebank.db import migrate
from timebank.db.migrate import DatabaseState, database_state
from timebank.settings import get_settings

if TYPE_CHECKING:
    from timebank.db.checks import DatabaseCheck
    from timebank.imports import ImportRefused, ImportReport, SourceFile
    from timebank.notifications import BackgroundJobs
    from timebank.people.callers import Caller
    from timebank.reporting.views import MemberReportView
    from timebank.reports import Report

__all__ = ["app"]

# Locals are never shown with a traceback: they may hold the database URL and its password.
app = typer.Typer(
    help="timebank: a ledger of time credits.", no_args_is_help=True, pretty_exceptions_show_locals=False
)

SETTINGS_BROKEN = 1  # exit code: the database or the settings are not right
REQUEST_REFUSED = 2  # exit code: the command was asked something it cannot do
CHECKS_FAILED = 3  # exit code: the database breaks an invariant, or SQLite finds it damaged
PROBLEMS_SHOWN_MAX = 100  # a badly broken database says how many problems, and shows the first


@app.command("migrate")
def migrate_command(
    revision: str = typer.Option("head", help="Migrate forward to this revision."),
) -> None:
    """Bring the database schema up to date (safe to run again)."""
    with _refusals():
        migrate.upgrade(revision=revision)
    typer.echo(f"Database is at {revision}: {_safe_url()}")


@app.command("downgrade")
def downgrade_command(
    revision: str = typer.Argument(..., help="Migrate back to this revision ('base' empties it)."),
) -> None:
    """Migrate the schema back. Every migration is reversible."""
    with _refusals():
        _require_database(allow={DatabaseState.READY, DatabaseState.BEHIND, DatabaseState.NOT_MIGRATED})
        migrate.downgrade(revision=revision)
    typer.echo(f"Database is at {revision}: {_safe_url()}")


@app.command("expire-pending")
def expire_pending_command() -> None:
    """Close pending exchanges older than each timebank's setting (run daily from a scheduler)."""
    from timebank.db import make_engine
    from timebank.exchanges.lifecycle import expire_pending_everywhere

    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            reports = expire_pending_everywhere(engine)
        finally:
            engine.dispose()
    expired = sum(r.expired for r in reports.values())
    confirmed = sum(r.auto_confirmed for r in reports.values())
    typer.echo(f"{len(reports)} timebank(s): {expired} pending exchange(s) expired, {confirmed} confirmed")


@app.command("deliver")
def deliver_command(
    limit: int = typer.Option(
        None, min=1, max=1000, help="At most this many messages [default: TIMEBANK_DELIVERY_BATCH_MAX]."
    ),
) -> None:
    """Send the notifications that are due, once (for cron, when serve runs no background jobs)."""
    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.notifications import deliver_due, queue_expiry_reminders_everywhere, transport_from_settings

    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            reminded = queue_expiry_reminders_everywhere(engine)
            report = deliver_due(engine, transport_from_settings(), utc_now(), limit)
        finally:
            engine.dispose()
    typer.echo(
        f"{report.sent} message(s) sent, {report.retrying} to try again later, {report.given_up} given up"
        f" ({reminded} reminder(s) queued)"
    )


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
    from datetime import timedelta

    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.people.callers import Caller
    from timebank.reporting.reports import member_report, reciprocity_report
    from timebank.reports import OrganisationGroup, TagGroup

    # What was asked is checked before the database is looked for: a typo needs no database.
    if output not in ("text", "csv", "json"):
        _refuse(f"Choose text, csv or json for --format, not {output!r}.", REQUEST_REFUSED)
    end = _day(to_on, "--to") or utc_now().date() + timedelta(days=1)
    # Never before the first day a date can name (a '--to' early in the year 1 was a traceback).
    first = _day(from_on, "--from") or end - min(timedelta(days=90), end - date.min)
    # Whoever runs the command on the server may read what the timebank's coordinators may read.
    caller = Caller("system:cli", False, timebank_id, None, None, True, frozenset())
    group = TagGroup(tag) if tag else OrganisationGroup(organisation_id) if organisation_id else None
    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            if account_id is not None:
                figures = member_report(engine, timebank_id, caller, account_id, first, end)
                typer.echo(_account_report_as(figures, output), nl=False)
            else:
                report = reciprocity_report(engine, timebank_id, caller, first, end, group)
                typer.echo(_report_as(report, output), nl=False)
        finally:
            engine.dispose()


@app.command("import")
def import_command(
    timebank_id: int = typer.Argument(..., help="The timebank's id."),
    files: list[Path] = typer.Argument(
        ..., help="The CSV files (or TimeOverflow's ZIP, or an export's ZIP)."
    ),
    source: str = typer.Option("spreadsheet", "--from", help="spreadsheet, timeoverflow or export."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check everything and say what would happen; write nothing."
    ),
    openings_from: int | None = typer.Option(
        None,
        "--openings-from",
        help="An organisation's id: opening balances come from its account rather than the pot.",
    ),
) -> None:
    """Import a timebank's history (members, exchanges, opening balances) from files, all or nothing.

    With --from export, the ZIP 'timebank export' wrote goes into an empty timebank, whole."""
    from rich.progress import Progress

    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.imports import (
        ImportRefused,
        SourceFile,
        files_sha256,
        import_history,
        read_spreadsheet,
        read_timeoverflow,
    )
    from timebank.imports.plan import IMPORT_FILE_BYTES_MAX, IMPORT_FILES_MAX
    from timebank.people.callers import Caller

    if source not in ("spreadsheet", "timeoverflow", "export"):
        _refuse(f"Choose spreadsheet, timeoverflow or export for --from, not {source!r}.", REQUEST_REFUSED)
    if len(files) > IMPORT_FILES_MAX:
        _refuse(f"At most {IMPORT_FILES_MAX} files in one import.", REQUEST_REFUSED)
    if source == "export" and len(files) != 1:
        _refuse("Give the one ZIP that 'timebank export' wrote.", REQUEST_REFUSED)
    if source == "export" and openings_from is not None:
        _refuse(
            "An export brings every balance as it was: --openings-from is for other files.", REQUEST_REFUSED
        )
    given = []
    for path in files:
        if not path.is_file() or path.stat().st_size > IMPORT_FILE_BYTES_MAX:
            _refuse(f"{path} is not a file of at most {IMPORT_FILE_BYTES_MAX // 2**20} MB.", REQUEST_REFUSED)
        given.append(SourceFile(path.name, path.read_bytes()))
    caller = Caller("system:cli", False, timebank_id, None, None, True, frozenset())
    if source == "export":
        _import_export(timebank_id, caller, given[0], dry_run)
        return
    read = read_timeoverflow if source == "timeoverflow" else read_spreadsheet
    plan, problems = read(given, utc_now().date())
    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            if problems:
                raise ImportRefused(problems)
            with Progress(transient=True) as bar:
                task = bar.add_task("Importing", total=None)

                def progress(stage: str, done: int, total: int) -> None:
                    bar.update(task, description=stage, completed=done, total=total or None)

                report = import_history(
                    engine,
                    timebank_id,
                    caller,
                    plan,
                    files_sha256(given),
                    dry_run=dry_run,
                    progress=progress,
                    openings_from=openings_from,
                )
        except ImportRefused as refused:
            _say_problems(refused)
        finally:
            engine.dispose()
    typer.echo(_import_summary(report), nl=False)


def _import_export(timebank_id: int, caller: Caller, given: SourceFile, dry_run: bool) -> None:
    from timebank.db import make_engine
    from timebank.exports import import_export
    from timebank.imports import ImportRefused

    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            report = import_export(engine, timebank_id, caller, given, dry_run=dry_run)
        except ImportRefused as refused:
            _say_problems(refused)
        finally:
            engine.dispose()
    rows = report.rows
    verb = "Would import" if dry_run else "Imported"
    typer.echo(
        f"{verb} {rows['members.csv']} member(s), {rows['organisations.csv']} organisation(s),"
        f" {rows['exchanges.csv']} exchange(s) and {rows['transfers.csv']} transfer(s) into timebank"
        f" {timebank_id}; every balance checked against its transfers."
    )
    if dry_run:
        typer.echo("Dry run: nothing was recorded.")


def _say_problems(refused: ImportRefused) -> NoReturn:
    for problem in refused.problems:
        typer.echo(problem.line(), err=True)
    _refuse(f"Refused: {len(refused.problems)} problem(s); nothing was recorded.", REQUEST_REFUSED)


@app.command("export")
def export_command(
    timebank_id: int = typer.Argument(..., help="The timebank's id."),
    output: Path = typer.Argument(..., help="The ZIP file to write."),
    force: bool = typer.Option(False, "--force", help="Replace OUTPUT if it exists."),
) -> None:
    """Write everything of a timebank to a ZIP of CSV files with a README, to move it elsewhere."""
    from timebank.db import make_engine
    from timebank.db.backup import write_beside
    from timebank.exports import export_timebank
    from timebank.people.callers import Caller

    if output.exists() and not force:
        _refuse(
            f"{output} exists already: choose another name, or add --force to replace it.", REQUEST_REFUSED
        )
    if not output.parent.is_dir():
        _refuse(f"There is no folder {output.parent} to write {output.name} in.", REQUEST_REFUSED)
    caller = Caller("system:cli", False, timebank_id, None, None, True, frozenset())
    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            # Written beside OUTPUT and renamed over it once whole and audited: never half an export.
            with write_beside(output, force=force) as partial, partial.open("wb") as out:
                summary = export_timebank(engine, timebank_id, caller, out)
        finally:
            engine.dispose()
    rows = summary.rows
    typer.echo(
        f"Wrote {output}: {rows['members.csv']} member(s), {rows['organisations.csv']} organisation(s),"
        f" {rows['exchanges.csv']} exchange(s) and {rows['transfers.csv']} transfer(s), read at"
        f" {summary.read_at:%Y-%m-%d %H:%M} UTC. README.txt in it says what each file holds."
    )


def _import_summary(report: ImportReport) -> str:
    if report.already_imported_at is not None:
        return (
            f"These files were imported on {report.already_imported_at:%Y-%m-%d %H:%M} UTC; nothing to do.\n"
        )
    verb = "Would add" if report.dry_run else "Added"
    lines = [
        f"{verb} {report.members_added} member(s), {report.exchanges_added} exchange(s) "
        f"({report.minutes_exchanged // 60} hours {report.minutes_exchanged % 60} minutes) and "
        f"{report.opening_balances_added} opening balance(s).",
        f"Already here before: {report.members_known} member(s), {report.exchanges_known} exchange(s), "
        f"{report.opening_balances_known} opening balance(s).",
        *report.notes,
    ]
    if report.posts_added or report.posts_known:
        lines.insert(
            1,
            f"{verb} {report.posts_added} offer(s) and request(s); {report.posts_known} were brought before.",
        )
    if report.dry_run:
        lines.append("Dry run: nothing was recorded.")
    return "\n".join(lines) + "\n"


@app.command("import-template")
def import_template_command(
    folder: Path = typer.Argument(
        ..., help="Where to write members.csv, exchanges.csv and opening_balances.csv."
    ),
) -> None:
    """Write the spreadsheet layout's templates, with an example row each, to a folder."""
    from timebank.imports import TEMPLATES

    folder.mkdir(parents=True, exist_ok=True)
    for name, text in TEMPLATES.items():
        (folder / name).write_text("\ufeff" + text, encoding="utf-8", newline="")
        typer.echo(f"Wrote {folder / name}")


def _report_as(report: Report, output: str) -> str:
    import json

    from timebank.rendering.report_csv import report_csv
    from timebank.rendering.report_text import report_text
    from timebank.reports import report_json

    if output == "csv":
        return report_csv(report)
    if output == "json":
        return json.dumps(report_json(report), indent=2) + "\n"
    return report_text(report)


def _account_report_as(figures: MemberReportView, output: str) -> str:
    import json

    from timebank.rendering.account_report import account_report_csv, account_report_text

    if output == "csv":
        return account_report_csv(figures)
    if output == "json":
        # By the code's names (exchange_count, partner_count), as the command always wrote them.
        return json.dumps(figures.to_json(), indent=2) + "\n"
    return account_report_text(figures)


@app.command("tidy")
def tidy_command() -> None:
    """Delete expired tokens, old failed logins, old idempotency keys and expired uploads (run daily)."""
    from timebank.db import make_engine
    from timebank.people.housekeeping import tidy

    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            report = tidy(engine)
        finally:
            engine.dispose()
    typer.echo(
        f"Deleted {report.tokens_deleted} expired token(s), {report.login_failures_deleted} old failed "
        f"login(s), {report.idempotency_keys_deleted} idempotency key(s) past retention, "
        f"{report.import_uploads_deleted} expired upload(s) of files to import"
    )


@app.command("backup")
def backup_command(
    file: Path = typer.Argument(..., help="The backup file to write (a pg_dump archive on PostgreSQL)."),
    force: bool = typer.Option(False, "--force", help="Replace FILE if it exists."),
) -> None:
    """Copy the whole database to FILE while the service runs, then check the copy."""
    from timebank.db import backup

    with _refusals():
        _require_database(allow={DatabaseState.READY, DatabaseState.BEHIND})
        result = backup.back_up(get_settings().database_url, file, force=force)
    typer.echo(f"Backed up {_database_words()} to {file} ({result.size_bytes:,} bytes).")
    # pg_dump's file is checked in the snapshot it was dumped from (timebank.db.pg_dump).
    _say_checked(result.check, "the copy" if result.check.file_checked else "the database as dumped")


@app.command("restore")
def restore_command(
    file: Path = typer.Argument(..., help="A backup made by 'timebank backup'."),
    force: bool = typer.Option(False, "--force", help="Replace the timebanks the database holds now."),
) -> None:
    """Replace the database with a backup, migrate it and check it. Stop the service first."""
    from timebank.db import backup

    with _refusals():
        result = backup.restore(get_settings().database_url, file, force=force)
    revision = result.check.summary.revision
    migrated = "" if result.revision_before == revision else f", migrated from {result.revision_before}"
    typer.echo(f"Restored {file} into {_database_words()}{migrated}.")
    _say_checked(result.check, "the restored database")


@app.command("check")
def check_command() -> None:
    """Check the ledger's invariants (and SQLite's integrity) in the database; exit 3 on a problem."""
    from timebank.db import make_engine
    from timebank.db.checks import check_database

    with _refusals():
        _require_database()
        engine = make_engine()
        try:
            check = check_database(engine)
        finally:
            engine.dispose()
    _say_checked(check, _database_words())


def _say_checked(check: DatabaseCheck, what: str) -> None:
    """The summary, then every problem as a sentence (exit 3), or that every check passed."""
    summary = check.summary
    typer.echo(
        f"{summary.timebanks:,} timebank(s), {summary.accounts:,} account(s), {summary.transfers:,} "
        f"transfer(s), schema {summary.revision}."
    )
    for problem in check.problems[:PROBLEMS_SHOWN_MAX]:
        typer.echo(problem)
    if check.problems:
        left = len(check.problems) - PROBLEMS_SHOWN_MAX
        more = f" ({left:,} more not shown)" if left > 0 else ""
        typer.echo(f"Checked {what}: {len(check.problems):,} problem(s) found{more}.", err=True)
        raise typer.Exit(CHECKS_FAILED)
    intact = ", and SQLite finds the file intact" if check.file_checked else ""
    typer.echo(f"Checked {what}: every ledger invariant holds (L1-L4, L9, L10){intact}.")


admin_app = typer.Typer(help="Platform admins: the people who create timebanks.", no_args_is_help=True)
app.add_typer(admin_app, name="admin")


@admin_app.command("create")
def admin_create_command(
    username: str = typer.Argument(..., help="The admin's username (lower-case letters, digits, . _ -)."),
) -> None:
    """Create a platform admin. The password is read from standard input (typed twice on a terminal)."""
    import sys

    from timebank.db import make_engine
    from timebank.people.access import create_admin

    if sys.stdin.isatty():
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    with _refusals(ledger_exit_code=1):
        migrate.upgrade()
        engine = make_engine()
        try:
            create_admin(engine, username, password)
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
    background_jobs: bool | None = typer.Option(
        None,
        "--background-jobs/--no-background-jobs",
        help="Deliver notifications, expire pending exchanges and tidy up on a schedule, in this"
        " process [default: TIMEBANK_BACKGROUND_JOBS, or yes].",
    ),
    timeout_headers: float | None = typer.Option(  # float ok: seconds, not a quantity
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

    with _refusals():
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
    jobs = _background_jobs() if _flag(background_jobs, get_settings().background_jobs) else None
    try:
        # The app (the API and the pages) is named by string so that nothing here imports an edge;
        # so is its HTTP protocol: uvicorn's own, with a time limit on reading a request's headers.
        uvicorn.run(
            "timebank.app:create_app",
            factory=True,
            http="timebank.api.http_protocol:HeaderTimeoutProtocol",
            host=host,
            port=port,
            workers=workers or get_settings().workers,
        )
    finally:
        if jobs is not None:
            jobs.stop()


def _flag(given: bool | None, setting: bool) -> bool:
    return setting if given is None else given


def _background_jobs() -> BackgroundJobs:
    """Delivery every few seconds, reminders and expiry hourly, tidying daily: one thread for all.

    They run in this process (uvicorn's supervisor when there are several workers), once whatever
    the number of workers; each job is a use case of its own, safe beside another server's.
    """
    from timebank.clock import utc_now
    from timebank.db import make_engine
    from timebank.exchanges.lifecycle import expire_pending_everywhere
    from timebank.notifications import (
        BackgroundJobs,
        Job,
        deliver_due,
        queue_expiry_reminders_everywhere,
        transport_from_settings,
    )
    from timebank.people.housekeeping import tidy

    settings = get_settings()
    engine = make_engine()
    transport = transport_from_settings()

    def expire_and_remind() -> None:
        expire_pending_everywhere(engine)
        queue_expiry_reminders_everywhere(engine)

    where = (settings.smtp_url and "by SMTP") or f"into the folder {Path(settings.mail_folder).resolve()}"
    typer.echo(f"Delivering notifications {where}, every {settings.deliver_every_seconds:g} s")
    return BackgroundJobs(
        [
            Job("deliver", settings.deliver_every_seconds, lambda: deliver_due(engine, transport, utc_now())),
            Job("expire-pending", settings.expire_pending_every_seconds, expire_and_remind),
            Job("tidy", settings.tidy_every_seconds, lambda: tidy(engine)),
        ]
    ).start()


def _safe_url() -> str:
    from sqlalchemy.engine import make_url

    return make_url(get_settings().database_url).render_as_string(hide_password=True)


def _refuse(line: str, exit_code: int) -> NoReturn:
    typer.echo(line, err=True)
    raise typer.Exit(exit_code)


@contextmanager
def _refusals(ledger_exit_code: int = REQUEST_REFUSED) -> Iterator[None]:
    """Say a refusal met inside the block in one plain line, and exit: never a traceback."""
    from pydantic import ValidationError
    from sqlalchemy.exc import OperationalError

    from timebank.db.backup import BackupRefused
    from timebank.errors import TimebankError
    from timebank.rendering.refusals import refusal_sentence

    try:
        yield
    except BackupRefused as refusal:
        _refuse(f"Refused: {refusal.sentence} ({refusal.code})", REQUEST_REFUSED)
    except TimebankError as refusal:
        # The rule's code stays at the end, in brackets: what a person quotes when asking for help.
        _refuse(f"Refused: {refusal_sentence(refusal)} ({refusal.code})", ledger_exit_code)
    except ValidationError as invalid:
        # The settings are the only thing pydantic checks before a command's use case runs, and
        # they come from the environment: each is named by its variable.
        _refuse(refusal_sentence(invalid, lambda field: f"TIMEBANK_{field.upper()}"), SETTINGS_BROKEN)
    except OperationalError:
        # The driver's message names hosts and files, not what to do: say that instead.
        _refuse(_database_line(DatabaseState.UNREACHABLE), SETTINGS_BROKEN)


def _day(text: str | None, option: str) -> date | None:
    """A day given as YYYY-MM-DD, or None when not given; anything else is refused in one line."""
    from timebank.rendering.refusals import field_sentence

    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        said = field_sentence({"type": "date_parsing", "loc": (option,)}, str)
        _refuse(f"{said.removesuffix('.')}; {text!r} is not one.", REQUEST_REFUSED)


def _require_database(
    allow: frozenset[DatabaseState] | set[DatabaseState] = frozenset({DatabaseState.READY}),
) -> None:
    """Refuse, having created nothing, unless the configured database is there (and up to date)."""
    state = database_state()
    if state in allow:
        return
    _refuse(_database_line(state), SETTINGS_BROKEN)


def _database_line(state: DatabaseState) -> str:
    """What a command says when the database is not there to use, by what it found."""
    where = _database_words()
    point = "set TIMEBANK_DATABASE_URL to point at yours"
    migrate_first = "run 'timebank migrate' first"
    if state is DatabaseState.MISSING:
        create = "create one with 'timebank migrate' (or 'timebank serve')"
        return f"No database found at {where}: {point}, or {create}."
    if state is DatabaseState.NOT_MIGRATED:
        return f"The database at {where} holds no timebank yet: {migrate_first}, or {point}."
    if state is DatabaseState.BEHIND:
        return f"The database at {where} is from an older version: {migrate_first}."
    check = "check TIMEBANK_DATABASE_URL and that the database server is running"
    return f"Could not open the database at {where}: {check}."


def _database_words() -> str:
    """The configured database as a person finds it: a SQLite file's full path, else the URL."""
    from sqlalchemy.engine import make_url

    url = make_url(get_settings().database_url)
    if url.get_backend_name() == "sqlite" and url.database and not url.database.startswith(("file:", ":")):
        return str(Path(url.database).resolve())
    return url.render_as_string(hide_password=True)
