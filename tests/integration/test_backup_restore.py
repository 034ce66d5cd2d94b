"""``timebank backup``, ``restore`` and ``check``: a consistent copy, and a restore that passes every check.

On SQLite a backup is taken while exchanges keep being recorded, restored into a fresh file, and
compared with the source: every transfer the copy holds is the source's, in order, with nothing
missing before it (one moment of the ledger), every invariant holds, and the restored database
serves a balance through the use case. A backup of an older schema is migrated to the current one
on restore. Every refusal is one line and changes nothing. ``timebank check`` names a planted
violation. On PostgreSQL the same round trip goes through ``pg_dump`` and ``pg_restore``.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import threading
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic.script import ScriptDirectory
from click.testing import Result
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.people_calls import get_account
from timebank.cli import app
from timebank.db import backup, make_engine, run, upgrade
from timebank.db.checks import check_database
from timebank.db.migrate import alembic_config
from timebank.db.tables import accounts, transfers
from timebank.settings import get_settings

from .helpers import World, check_invariants, make_world

HEAD = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()


def cli(url: str, *arguments: str) -> Result:
    """``timebank ARGUMENTS`` with TIMEBANK_DATABASE_URL set to ``url``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIMEBANK_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(arguments))
        finally:
            get_settings.cache_clear()


def one_line(result: Result) -> str:
    lines = result.output.splitlines()
    assert len(lines) == 1, result.output
    assert "Traceback" not in result.output
    return lines[0]


def with_history(w: World) -> None:
    """Exchanges posted, confirmed, declined and reversed; a gift and its reversal."""
    w.posted(w.ann, {w.bo: 60})
    pending = w.pending(w.bo, {w.cy: 30, w.ann: 15})
    w.confirm(w.holder(w.cy), pending.exchange_id)
    w.confirm(w.holder(w.ann), pending.exchange_id)
    w.decline(w.holder(w.ann), w.pending(w.cy, {w.ann: 10}).exchange_id)
    w.reverse(w.posted(w.cy, {w.bo: 45}).exchange_id)
    w.give(w.holder(w.bo), w.bo, w.pot, 30)  # a donation to the pot
    grant = w.give(w.coordinator, w.pot, w.cy, 20, "a welcome")
    w.give(w.holder(w.ann), w.ann, w.cy, 5, "for Cy's birthday")
    w.reverse_transaction(grant.transaction_id)


def ledger_rows(engine: Engine) -> tuple[list[tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
    """Every transfer in posting order, and every account's counters by id."""

    def read(uow: Any) -> tuple[list[tuple[Any, ...]], dict[int, tuple[Any, ...]]]:
        c = uow.connection
        moved = [tuple(r) for r in c.execute(select(transfers).order_by(transfers.c.id))]
        columns = (accounts.c.balance_minutes, accounts.c.earned_minutes, accounts.c.spent_minutes)
        held = {r[0]: tuple(r[1:]) for r in c.execute(select(accounts.c.id, *columns, accounts.c.version))}
        return moved, held

    return run(engine, read, write=False, snapshot=True)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(tmp_path: Path) -> Iterator[World]:
    """A SQLite file of its own with two timebanks and their history."""
    url = f"sqlite:///{tmp_path / 'live.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    w = make_world(engine)
    with_history(w)
    with_history(w.other())
    yield w
    engine.dispose()


def url_of(w: World) -> str:
    return str(w.engine.url)


# --- SQLite: a consistent copy, restored ---------------------------------------------------------


def test_a_backup_taken_while_exchanges_are_recorded_restores_to_one_moment_of_the_ledger(
    source: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One page a step, so the copy takes many steps and the writer gets in between them.
    monkeypatch.setattr(backup, "PAGES_PER_STEP", 1)
    stop, recorded = threading.Event(), []

    def keep_recording() -> None:
        while not stop.is_set():
            recorded.append(source.posted(source.ann, {source.bo: 1}).exchange_id)

    writer = threading.Thread(target=keep_recording)
    writer.start()
    try:
        while len(recorded) < 3:
            stop.wait(0.01)
        result = cli(url_of(source), "backup", str(tmp_path / "backup.sqlite3"))
        during = len(recorded)
        while len(recorded) < during + 3:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Checked the copy: every ledger invariant holds" in result.output

    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    restored = cli(restored_url, "restore", str(tmp_path / "backup.sqlite3"))

    assert restored.exit_code == 0, restored.output
    engine = make_engine(restored_url)
    try:
        copied, copied_accounts = ledger_rows(engine)
        now, _ = ledger_rows(source.engine)
        # One moment: a prefix of the source's transfers, nothing after it, nothing missing before.
        assert copied == now[: len(copied)]
        assert len(copied) < len(now)  # the writer went on recording after the copy
        assert check_database(engine).problems == ()
        for account_id, (balance, _earned, _spent, _version) in copied_accounts.items():
            timebank_id = (
                source.timebank_id if account_id in source.balances() else source.other().timebank_id
            )
            assert get_account(engine, timebank_id, account_id).balance_minutes == balance
    finally:
        engine.dispose()


class _WritesBetweenSteps:
    """A source connection whose backup runs a page at a time and records an exchange after each step."""

    def __init__(self, connection: sqlite3.Connection, between: Callable[[], object]) -> None:
        self._connection = connection
        self._between = between

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def backup(self, target: sqlite3.Connection, **_options: Any) -> None:
        self._connection.backup(target, pages=1, progress=lambda *_: self._between())


def test_exchanges_recorded_between_the_steps_of_a_backup_are_not_in_it(
    source: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before, _ = ledger_rows(source.engine)
    connections: list[int] = []

    def connect(database: str, **options: Any) -> Any:
        connection = sqlite3.connect(database, **options)
        connections.append(1)
        # The first connection is the live source; the second, the copy being written.
        if len(connections) == 1:
            return _WritesBetweenSteps(connection, lambda: source.posted(source.ann, {source.bo: 1}))
        return connection

    monkeypatch.setattr(
        backup, "sqlite3", types.SimpleNamespace(connect=connect, DatabaseError=sqlite3.DatabaseError)
    )
    result = backup.back_up(url_of(source), tmp_path / "backup.sqlite3")

    after, _ = ledger_rows(source.engine)
    assert len(after) > len(before) + 10  # an exchange after each of the copy's many steps
    assert result.check.problems == ()
    assert result.check.summary.transfers == len(before)


def test_a_restored_database_equals_its_source_and_serves_balances(source: World, tmp_path: Path) -> None:
    backed_up = cli(url_of(source), "backup", str(tmp_path / "backup.sqlite3"))
    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    restored = cli(restored_url, "restore", str(tmp_path / "backup.sqlite3"))

    assert backed_up.exit_code == 0, backed_up.output
    assert restored.exit_code == 0, restored.output
    moved, held = ledger_rows(source.engine)
    summary = f"2 timebank(s), {len(held)} account(s), {len(moved)} transfer(s), schema {HEAD}."
    assert summary in restored.output
    engine = make_engine(restored_url)
    try:
        assert ledger_rows(engine) == ledger_rows(source.engine)
        assert check_invariants(engine, source.timebank_id) == []
        assert get_account(engine, source.timebank_id, source.bo).balance_minutes == source.balance(source.bo)
    finally:
        engine.dispose()


def test_a_backup_is_written_beside_its_name_and_leaves_nothing_else(source: World, tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()

    result = cli(url_of(source), "backup", str(folder / "monday.sqlite3"))

    assert result.exit_code == 0, result.output
    assert [p.name for p in folder.iterdir()] == ["monday.sqlite3"]
    assert f"({(folder / 'monday.sqlite3').stat().st_size:,} bytes)" in result.output
    with open(folder / "monday.sqlite3", "rb") as file:
        header = file.read(20)
    assert header[18:20] == b"\x01\x01"  # a rollback journal: one self-contained file, no -wal


def test_a_backup_of_an_older_schema_is_migrated_to_the_current_one_on_restore(tmp_path: Path) -> None:
    old_url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(old_url, "0005")
    backed_up = cli(old_url, "backup", str(tmp_path / "old-backup.sqlite3"))
    restored_url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"

    restored = cli(restored_url, "restore", str(tmp_path / "old-backup.sqlite3"))

    assert backed_up.exit_code == 0, backed_up.output
    assert "schema 0005" in backed_up.output
    assert restored.exit_code == 0, restored.output
    assert "migrated from 0005" in restored.output
    engine = make_engine(restored_url)
    try:
        assert check_database(engine).summary.revision == HEAD
    finally:
        engine.dispose()


def test_restore_with_force_replaces_the_timebanks_a_database_holds(source: World, tmp_path: Path) -> None:
    assert cli(url_of(source), "backup", str(tmp_path / "backup.sqlite3")).exit_code == 0
    other_url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    upgrade(other_url)
    other = make_engine(other_url)
    make_world(other)
    other.dispose()

    result = cli(other_url, "restore", "--force", str(tmp_path / "backup.sqlite3"))

    assert result.exit_code == 0, result.output
    engine = make_engine(other_url)
    try:
        assert ledger_rows(engine) == ledger_rows(source.engine)
    finally:
        engine.dispose()


# --- refusals: one line, nothing changed ---------------------------------------------------------


def test_restore_refuses_a_database_that_holds_timebanks_without_force(source: World, tmp_path: Path) -> None:
    assert cli(url_of(source), "backup", str(tmp_path / "backup.sqlite3")).exit_code == 0
    live = Path(source.engine.url.database or "")
    before = ledger_rows(source.engine)

    result = cli(url_of(source), "restore", str(tmp_path / "backup.sqlite3"))

    assert result.exit_code == 2
    line = one_line(result)
    assert line.startswith(f"Refused: The database at {live.resolve()} already holds 2 timebank(s)")
    assert "--force" in line
    assert line.endswith("(database_not_empty)")
    assert ledger_rows(source.engine) == before


def test_backup_refuses_to_replace_an_existing_file_without_force(source: World, tmp_path: Path) -> None:
    existing = tmp_path / "backup.sqlite3"
    existing.write_bytes(b"last week's backup")

    refused = cli(url_of(source), "backup", str(existing))
    assert refused.exit_code == 2
    assert one_line(refused) == (
        f"Refused: {existing} exists already: choose another name, or add --force to replace it."
        " (backup_file_exists)"
    )
    assert existing.read_bytes() == b"last week's backup"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "backup.sqlite3",
        "live.sqlite3",
        "live.sqlite3-shm",
        "live.sqlite3-wal",
    ]

    forced = cli(url_of(source), "backup", "--force", str(existing))
    assert forced.exit_code == 0, forced.output
    assert existing.read_bytes().startswith(b"SQLite format 3\x00")


@pytest.mark.parametrize(
    ("content", "says", "code"),
    [
        (
            b"name,minutes\nAnn,60\n",
            "is not a timebank backup: it is not a SQLite database.",
            "not_a_timebank_backup",
        ),
        (
            None,
            "is not a timebank backup: it holds no timebank schema (no alembic version).",
            "not_a_timebank_backup",
        ),
        (
            b"PGDMP\x01\x0e",
            "is a pg_dump archive, for PostgreSQL, but the configured database is SQLite.",
            "backup_for_another_database",
        ),
    ],
    ids=["a CSV file", "a SQLite file of something else", "a pg_dump archive"],
)
def test_restore_refuses_a_file_that_is_not_a_timebank_backup(
    source: World, tmp_path: Path, content: bytes | None, says: str, code: str
) -> None:
    not_a_backup = tmp_path / "not-a-backup"
    if content is None:
        with sqlite3.connect(not_a_backup) as connection:
            connection.execute("CREATE TABLE recipes (name TEXT)")
        connection.close()
    else:
        not_a_backup.write_bytes(content)
    fresh = tmp_path / "fresh.sqlite3"

    result = cli(f"sqlite:///{fresh}", "restore", str(not_a_backup))

    assert result.exit_code == 2
    assert one_line(result) == f"Refused: {not_a_backup} {says} ({code})"
    assert not fresh.exists()


def test_restore_refuses_a_missing_file(tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.sqlite3"

    result = cli(f"sqlite:///{fresh}", "restore", str(tmp_path / "no-such-backup.sqlite3"))

    assert result.exit_code == 2
    assert (
        one_line(result)
        == f"Refused: There is no backup file at {tmp_path / 'no-such-backup.sqlite3'}. (backup_file_missing)"
    )
    assert list(tmp_path.iterdir()) == []


def test_backup_with_no_database_says_how_to_point_at_one(tmp_path: Path) -> None:
    result = cli(f"sqlite:///{tmp_path / 'missing.sqlite3'}", "backup", str(tmp_path / "backup.sqlite3"))

    assert result.exit_code == 1
    assert one_line(result).startswith(f"No database found at {tmp_path / 'missing.sqlite3'}")
    assert list(tmp_path.iterdir()) == []


# --- timebank check ------------------------------------------------------------------------------


def test_check_passes_on_a_clean_database(source: World) -> None:
    result = cli(url_of(source), "check")

    assert result.exit_code == 0, result.output
    assert "every ledger invariant holds (L1-L4, L9, L10), and SQLite finds the file intact." in result.output


def test_check_names_a_balance_changed_behind_the_ledgers_back(source: World) -> None:
    # The database refuses a balance that is not earned minus spent, so both are changed.
    planted = "UPDATE accounts SET balance_minutes = balance_minutes + 5, earned_minutes = earned_minutes + 5"
    with source.engine.begin() as connection:
        connection.execute(text(f"{planted} WHERE id = :id"), {"id": source.cy})

    result = cli(url_of(source), "check")

    assert result.exit_code == 3
    tb, cy = source.timebank_id, source.cy
    assert f"In timebank {tb}, timebank {tb} balances sum to 5." in result.output
    assert f"In timebank {tb}, account {cy} earned " in result.output
    assert f"In timebank {tb}, account {cy} has balance " in result.output
    where = Path(source.engine.url.database or "").resolve()
    assert result.output.splitlines()[-1] == f"Checked {where}: 3 problem(s) found."


# --- PostgreSQL: pg_dump and pg_restore ----------------------------------------------------------

needs_pg_tools = pytest.mark.skipif(
    shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
    reason="pg_dump and pg_restore are not installed (apt-get install postgresql-client-15; .ci/run does)",
)


@pytest.fixture
def postgres_pair() -> Iterator[tuple[str, str]]:
    """Two fresh PostgreSQL databases: a migrated source, and an empty target."""
    made = [fresh_postgres_database() for _ in range(2)]
    try:
        yield made[0][0], made[1][0]
    finally:
        for url, admin_url in made:
            drop_postgres_database(url, admin_url)


@pytest.mark.postgres
@needs_pg_tools
def test_a_postgresql_database_round_trips_through_pg_dump_and_pg_restore(
    postgres_pair: tuple[str, str], tmp_path: Path
) -> None:
    source_url, target_url = postgres_pair
    upgrade(source_url)
    engine = make_engine(source_url)
    try:
        w = make_world(engine)
        with_history(w)
        archive = tmp_path / "timebank.dump"

        backed_up = cli(source_url, "backup", str(archive))
        restored = cli(target_url, "restore", str(archive))
        refused = cli(source_url, "restore", str(archive))

        assert backed_up.exit_code == 0, backed_up.output
        assert "Checked the database as dumped: every ledger invariant holds" in backed_up.output
        assert archive.read_bytes().startswith(b"PGDMP")
        assert restored.exit_code == 0, restored.output
        assert refused.exit_code == 2
        assert one_line(refused).endswith("(database_not_empty)")
        target = make_engine(target_url)
        try:
            assert ledger_rows(target) == ledger_rows(engine)
            assert check_database(target).problems == ()
            assert get_account(target, w.timebank_id, w.ann).balance_minutes == w.balance(w.ann)
        finally:
            target.dispose()
    finally:
        engine.dispose()


@pytest.mark.postgres
@needs_pg_tools
def test_postgresql_restore_refuses_a_sqlite_backup(
    postgres_pair: tuple[str, str], source: World, tmp_path: Path
) -> None:
    assert cli(url_of(source), "backup", str(tmp_path / "backup.sqlite3")).exit_code == 0
    _, target_url = postgres_pair

    result = cli(target_url, "restore", str(tmp_path / "backup.sqlite3"))

    assert result.exit_code == 2
    assert one_line(result).endswith(
        "is a SQLite backup, but the configured database is PostgreSQL. (backup_for_another_database)"
    )
