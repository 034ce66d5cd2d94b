"""The command line refuses in one plain line, exits non-zero, and creates nothing it was not asked to.

Run where there is no database, a command that works on an existing one (``report``, ``tidy``,
``expire-pending``, ``downgrade``, ``export``) says none was found and how to point at one: before, it created
an empty ``timebank.sqlite3`` in the working directory and printed SQLAlchemy's traceback. A bad
date, an unknown format, a setting that is not a number and the ledger's own refusals are one line
each, in words for people.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import create_engine, inspect
from typer.testing import CliRunner

from tests.conftest import drop_postgres_database, fresh_postgres_database
from timebank.cli import app
from timebank.settings import get_settings

COMMANDS_ON_AN_EXISTING_DATABASE = [
    ["report", "1"],
    ["report", "1", "--account", "2", "--format", "csv"],
    ["tidy"],
    ["expire-pending"],
    ["downgrade", "base"],
    ["export", "1", "everything.zip"],
]


@pytest.fixture
def empty_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """A working directory with nothing in it, and no TIMEBANK_DATABASE_URL: the default SQLite file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TIMEBANK_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    get_settings.cache_clear()


def _one_line(result: Result) -> str:
    """The refusal, having checked it is a single line and not a traceback."""
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return lines[0]


@pytest.mark.parametrize("command", COMMANDS_ON_AN_EXISTING_DATABASE, ids=" ".join)
def test_with_no_database_a_command_says_how_to_point_at_one_and_creates_nothing(
    empty_directory: Path, command: list[str]
) -> None:
    result = CliRunner().invoke(app, command)

    assert result.exit_code == 1
    line = _one_line(result)
    assert line.startswith(f"No database found at {empty_directory.resolve() / 'timebank.sqlite3'}: ")
    assert "TIMEBANK_DATABASE_URL" in line
    assert "timebank migrate" in line
    assert list(empty_directory.iterdir()) == []


def test_an_empty_sqlite_file_is_left_empty(empty_directory: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = empty_directory / "empty.sqlite3"
    empty.touch()
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", f"sqlite:///{empty}")
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["report", "1"])

    assert result.exit_code == 1
    assert _one_line(result) == (
        f"The database at {empty} holds no timebank yet: run 'timebank migrate' first, "
        "or set TIMEBANK_DATABASE_URL to point at yours."
    )
    assert sorted(p.name for p in empty_directory.iterdir()) == ["empty.sqlite3"]
    assert empty.stat().st_size == 0


@pytest.mark.postgres
def test_an_empty_postgresql_database_gets_no_tables(
    empty_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, admin_url = fresh_postgres_database()
    try:
        monkeypatch.setenv("TIMEBANK_DATABASE_URL", url)
        get_settings.cache_clear()

        for command in COMMANDS_ON_AN_EXISTING_DATABASE[:4]:
            result = CliRunner().invoke(app, command)
            assert result.exit_code == 1, command
            assert "holds no timebank yet: run 'timebank migrate' first" in _one_line(result)

        engine = create_engine(url)
        try:
            assert inspect(engine).get_table_names() == []
        finally:
            engine.dispose()
    finally:
        drop_postgres_database(url, admin_url)


def test_a_database_server_that_does_not_answer_is_one_line_without_the_password(
    empty_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Port 9 (discard) on the loopback: nothing listens there, so the connection is refused at once.
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", "postgresql+psycopg://someone:secret@127.0.0.1:9/timebank")
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["report", "1"])

    assert result.exit_code == 1
    line = _one_line(result)
    assert line.startswith("Could not open the database at postgresql+psycopg://someone:***@127.0.0.1:9/")
    assert "secret" not in line


def test_migrate_against_a_server_that_does_not_answer_is_one_line(
    empty_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", "postgresql+psycopg://someone:secret@127.0.0.1:9/timebank")
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["migrate"])

    assert result.exit_code == 1
    assert _one_line(result) == (
        "Could not open the database at postgresql+psycopg://someone:***@127.0.0.1:9/timebank: "
        "check TIMEBANK_DATABASE_URL and that the database server is running."
    )


def test_an_older_schema_is_sent_to_migrate_and_left_as_it_was(empty_directory: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate", "--revision", "0001"]).exit_code == 0
    before = (empty_directory / "timebank.sqlite3").read_bytes()

    result = runner.invoke(app, ["report", "1"])

    assert result.exit_code == 1
    assert _one_line(result) == (
        f"The database at {empty_directory.resolve() / 'timebank.sqlite3'} is from an older version: "
        "run 'timebank migrate' first."
    )
    assert (empty_directory / "timebank.sqlite3").read_bytes() == before


@pytest.mark.parametrize(
    ("option", "value"),
    [("--from", "2024-13-01"), ("--to", "yesterday"), ("--from", "01/05/2024")],
)
def test_a_bad_date_is_one_line_naming_the_option(empty_directory: Path, option: str, value: str) -> None:
    result = CliRunner().invoke(app, ["report", "1", option, value])

    assert result.exit_code == 2
    assert _one_line(result) == (
        f"{option} must be a date written as YYYY-MM-DD, such as 2024-05-01; {value!r} is not one."
    )
    assert list(empty_directory.iterdir()) == []


def test_an_unknown_format_is_one_line(empty_directory: Path) -> None:
    result = CliRunner().invoke(app, ["report", "1", "--account", "3", "--format", "pdf"])

    assert result.exit_code == 2
    assert _one_line(result) == "Choose text, csv or json for --format, not 'pdf'."
    assert list(empty_directory.iterdir()) == []


def test_a_setting_that_is_not_a_number_is_named_by_its_variable(
    empty_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIMEBANK_POOL_SIZE", "ten")
    get_settings.cache_clear()

    result = CliRunner().invoke(app, ["tidy"])

    assert result.exit_code == 1
    assert _one_line(result) == "TIMEBANK_POOL_SIZE must be a whole number."
    assert list(empty_directory.iterdir()) == []


def test_a_ledger_refusal_is_its_sentence_then_its_code(
    empty_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["migrate"]).exit_code == 0

    result = runner.invoke(app, ["report", "7", "--from", "2024-05-01", "--to", "2024-06-01"])

    assert result.exit_code == 2
    assert _one_line(result) == "Refused: There is no timebank 7. (timebank_not_found)"
