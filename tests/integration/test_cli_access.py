"""The command line around the API: bootstrapping an admin, and writing the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from timebank.cli import app
from timebank.db import make_engine
from timebank.services.access import log_in
from timebank.settings import get_settings


@pytest.fixture
def database_url_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", url)
    get_settings.cache_clear()
    yield url
    monkeypatch.undo()
    get_settings.cache_clear()


def test_admin_create_reads_the_password_from_standard_input_and_the_admin_can_log_in(
    database_url_setting: str,
) -> None:
    result = CliRunner().invoke(app, ["admin", "create", "root-admin"], input="a long admin password\n")

    assert result.exit_code == 0, result.output
    assert "root-admin" in result.output
    engine = make_engine(database_url_setting)
    try:
        assert log_in(engine, "root-admin", "a long admin password").token_type == "bearer"
    finally:
        engine.dispose()


def test_admin_create_refuses_a_taken_username_and_a_short_password(database_url_setting: str) -> None:
    runner = CliRunner()
    runner.invoke(app, ["admin", "create", "root-admin"], input="a long admin password\n")

    taken = runner.invoke(app, ["admin", "create", "root-admin"], input="another long password\n")
    short = runner.invoke(app, ["admin", "create", "second-admin"], input="short\n")

    assert taken.exit_code == 1
    assert "username_taken" in taken.output
    assert short.exit_code == 1
    assert "password_invalid" in short.output


def test_openapi_writes_the_committed_document(tmp_path: Path) -> None:
    output = tmp_path / "openapi.json"

    result = CliRunner().invoke(app, ["openapi", "--output", str(output)])

    assert result.exit_code == 0, result.output
    committed = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"
    assert json.loads(output.read_text()) == json.loads(committed.read_text())
