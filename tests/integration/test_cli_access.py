"""The command line around the API: bootstrapping an admin, and writing the OpenAPI document."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.ledger_calls import record_exchange
from tests.people_calls import create_timebank
from timebank import clock
from timebank.accounts.accounts import open_account
from timebank.cli import app
from timebank.db import UnitOfWork, make_engine, run, upgrade
from timebank.db.people_tables import access_tokens
from timebank.db.tables import idempotency_keys
from timebank.ledger.types import AccountKind, Actor, ReceiverShare
from timebank.people.access import create_admin, log_in
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


def test_tidy_forgets_expired_tokens_and_old_keys_but_keeps_live_ones(
    database_url_setting: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrade(database_url_setting)
    engine = make_engine(database_url_setting)
    try:
        create_admin(engine, "root-admin", "a long admin password")
        tb = create_timebank(engine, "Tidy").timebank_id
        coordinator = Actor("system:test", None, True)
        ann = open_account(engine, tb, coordinator, AccountKind.MEMBER, "Ann").account_id
        bo = open_account(engine, tb, coordinator, AccountKind.MEMBER, "Bo").account_id
        real_now = clock.utc_now()
        # An old token and an old key, made as if 40 days ago; then a live token and key made now.
        for module in ("timebank.people.access", "timebank.exchanges.idempotency"):
            monkeypatch.setattr(f"{module}.utc_now", lambda: real_now - timedelta(days=40))
        log_in(engine, "root-admin", "a long admin password")
        record_exchange(
            engine,
            tb,
            coordinator,
            ann,
            [ReceiverShare(bo, 30)],
            real_now.date(),
            "old",
            None,
            idempotency_key="old",
        )
        monkeypatch.undo()
        monkeypatch.setenv("TIMEBANK_DATABASE_URL", database_url_setting)
        log_in(engine, "root-admin", "a long admin password")
        record_exchange(
            engine,
            tb,
            coordinator,
            ann,
            [ReceiverShare(bo, 30)],
            real_now.date(),
            "new",
            None,
            idempotency_key="new",
        )

        result = CliRunner().invoke(app, ["tidy"])

        def counts(uow: UnitOfWork) -> tuple[int, list[str]]:
            tokens = uow.connection.execute(select(func.count()).select_from(access_tokens)).scalar_one()
            keys = uow.connection.execute(select(idempotency_keys.c.key)).scalars().all()
            return int(tokens), list(keys)

        assert result.exit_code == 0, result.output
        assert run(engine, counts, write=False) == (1, ["new"])
    finally:
        engine.dispose()
