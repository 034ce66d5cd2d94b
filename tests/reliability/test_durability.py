"""What an acknowledged write means: still there after the database crashes.

Once ``record_exchange`` returns, the exchange must survive any crash (README, "Durability"). The
first tests read back the settings each engine really runs with: SQLite in WAL mode with
``synchronous=FULL``, PostgreSQL with ``synchronous_commit=on`` even where the database's own default
says ``off``.

The crash tests run a writer in a child process that records exchanges one at a time and prints each
id as soon as its commit returns. Mid-stream, the database is killed with SIGKILL and brought back;
every printed id must be there, and the ledger's invariants must hold. PostgreSQL is crashed in a
private cluster made for the test (``initdb`` in a temporary directory, a free port on loopback),
never the shared test server: every process of the cluster is killed at once, and the restart runs
crash recovery. That cluster's own default is ``synchronous_commit=off``, which loses the last
commits to a crash like this one, so the test also shows that the engine's setting decides, not the
server's. SQLite lives inside the writer, so killing the writer crashes the database.

A SIGKILL crashes processes, not the machine: what the kernel was handed survives it, synced to disk
or not. What a power cut would take cannot be shown here; FULL and ``on`` are chosen for it.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import pwd
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.integration.helpers import ACTIVITY_DATE, check_invariants, exchange_ids, make_world
from tests.ledger_calls import record_exchange
from tests.reliability.pg_cluster import POSTGRES_BIN, PrivateCluster
from timebank.db import make_engine, upgrade
from timebank.ledger.types import Actor, ReceiverShare
from timebank.settings import get_settings

REPOSITORY = Path(__file__).resolve().parents[2]
DURABILITY_VARIABLES = ("TIMEBANK_SQLITE_SYNCHRONOUS", "TIMEBANK_POSTGRES_SYNCHRONOUS_COMMIT")

# Enough commits that the kill lands in a steady stream of them, few enough to stay quick.
ACKNOWLEDGED_BEFORE_KILL = 400
WRITER_SECONDS_MAX = 30.0


@pytest.fixture
def default_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """Settings read afresh with no durability variable set; the test may set one."""
    for name in DURABILITY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield monkeypatch
    monkeypatch.undo()
    get_settings.cache_clear()


# --- the settings each engine runs with -----------------------------------------------------------


def test_sqlite_runs_in_wal_mode_with_every_commit_synced(
    default_settings: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with engine.connect() as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
        journal_mode = connection.exec_driver_sql("PRAGMA journal_mode").scalar()
    engine.dispose()

    assert synchronous == 2, "FULL is 2"
    assert journal_mode == "wal"


def test_sqlite_synchronous_can_be_lowered_by_the_operator(
    default_settings: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    default_settings.setenv("TIMEBANK_SQLITE_SYNCHRONOUS", "normal")
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    with engine.connect() as connection:
        synchronous = connection.exec_driver_sql("PRAGMA synchronous").scalar()
    engine.dispose()

    assert synchronous == 1, "NORMAL is 1"


@pytest.mark.parametrize(
    ("variable", "value", "url"),
    [
        ("TIMEBANK_SQLITE_SYNCHRONOUS", "sometimes", "sqlite:///never-created.sqlite3"),
        ("TIMEBANK_POSTGRES_SYNCHRONOUS_COMMIT", "true", "postgresql+psycopg://nobody@127.0.0.1:1/none"),
        ("TIMEBANK_POSTGRES_SYNCHRONOUS_COMMIT", "fast", "postgresql+psycopg://nobody@127.0.0.1:1/none"),
    ],
)
def test_an_unknown_durability_level_is_refused_before_connecting(
    default_settings: pytest.MonkeyPatch, variable: str, value: str, url: str
) -> None:
    default_settings.setenv(variable, value)
    get_settings.cache_clear()

    with pytest.raises(ValueError, match="synchronous"):
        make_engine(url)


@pytest.fixture
def database_defaulting_to_asynchronous_commit() -> Iterator[str]:
    """A fresh database on the test server whose own default is synchronous_commit=off."""
    url, admin_url = fresh_postgres_database()
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        name = make_url(url).database
        connection.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    admin.dispose()
    yield url
    drop_postgres_database(url, admin_url)


def _synchronous_commit(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as connection:
        level = str(connection.execute(text("SHOW synchronous_commit")).scalar_one())
    engine.dispose()
    return level


@pytest.mark.postgres
def test_postgres_commits_wait_for_disk_even_where_the_database_default_is_off(
    default_settings: pytest.MonkeyPatch, database_defaulting_to_asynchronous_commit: str
) -> None:
    url = database_defaulting_to_asynchronous_commit
    bare = create_engine(url)
    with bare.connect() as connection:
        database_default = connection.execute(text("SHOW synchronous_commit")).scalar_one()
    bare.dispose()

    assert database_default == "off", "the database's own default must be off, or this proves nothing"
    assert _synchronous_commit(url) == "on"


@pytest.mark.postgres
def test_postgres_synchronous_commit_can_be_set_by_the_operator(
    default_settings: pytest.MonkeyPatch, database_defaulting_to_asynchronous_commit: str
) -> None:
    default_settings.setenv("TIMEBANK_POSTGRES_SYNCHRONOUS_COMMIT", "remote_apply")
    get_settings.cache_clear()

    assert _synchronous_commit(database_defaulting_to_asynchronous_commit) == "remote_apply"


@pytest.mark.postgres
def test_postgres_options_given_in_the_url_are_kept(
    default_settings: pytest.MonkeyPatch, database_defaulting_to_asynchronous_commit: str
) -> None:
    url = make_url(database_defaulting_to_asynchronous_commit)
    with_options = url.update_query_dict({"options": "-c work_mem=7MB -c synchronous_commit=off"})
    engine = make_engine(with_options.render_as_string(hide_password=False))
    with engine.connect() as connection:
        work_mem = connection.execute(text("SHOW work_mem")).scalar_one()
        level = connection.execute(text("SHOW synchronous_commit")).scalar_one()
    engine.dispose()

    assert work_mem == "7MB"
    assert level == "on", "the configured level wins over one given in the URL"


# --- the writer: a child process that prints each acknowledged exchange -------------------------


def record_exchanges_until_killed(url: str, timebank_id: int, account_ids: list[int]) -> None:
    """Record exchanges around the members in turn; print each id once its commit has returned."""
    engine = make_engine(url)
    coordinator = Actor(caller=f"coordinator:{timebank_id}", is_coordinator=True)
    for turn in itertools.count():
        giver = account_ids[turn % len(account_ids)]
        receiver = account_ids[(turn + 1) % len(account_ids)]
        view = record_exchange(
            engine,
            timebank_id,
            coordinator,
            giver,
            [ReceiverShare(receiver, 15)],
            ACTIVITY_DATE,
            "crash test",
        )
        print(view.exchange_id, flush=True)


def _start_writer(url: str, timebank_id: int, account_ids: list[int]) -> subprocess.Popen[bytes]:
    # The writer runs with the shipped defaults, whatever the developer's environment says.
    environment = {k: v for k, v in os.environ.items() if k not in DURABILITY_VARIABLES}
    environment["PYTHONPATH"] = str(REPOSITORY)
    arguments = [url, str(timebank_id), *map(str, account_ids)]
    return subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.test_durability", *arguments],
        cwd=REPOSITORY,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


class _Acknowledgements:
    """The ids a writer has printed, read from its pipe without blocking past a deadline."""

    def __init__(self, writer: subprocess.Popen[bytes]) -> None:
        assert writer.stdout is not None
        self.writer = writer
        self.pipe = writer.stdout.fileno()
        self.pending = b""
        self.ids: list[int] = []

    def read_until(self, count: int, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while len(self.ids) < count and time.monotonic() < deadline:
            ready, _, _ = select.select([self.pipe], [], [], deadline - time.monotonic())
            if ready and not self._read():
                break

    def drain(self) -> None:
        """Everything printed before the writer died: each of those commits was acknowledged."""
        self.writer.wait(timeout=10)
        while self._read():
            pass

    def _read(self) -> bool:
        chunk = os.read(self.pipe, 65536)
        *lines, self.pending = (self.pending + chunk).split(b"\n")
        self.ids.extend(int(line) for line in lines)
        return bool(chunk)

    def stderr(self) -> str:
        if self.writer.poll() is None or self.writer.stderr is None:
            return ""
        return self.writer.stderr.read().decode(errors="replace")[-3000:]


def _stop_writer(writer: subprocess.Popen[bytes]) -> None:
    if writer.poll() is None:
        writer.kill()
    writer.wait(timeout=10)


def _check_recovered(
    engine_url: str, timebank_id: int, acknowledged: list[int], figures: str
) -> tuple[list[int], list[int]]:
    engine = make_engine(engine_url)
    try:
        found = exchange_ids(engine, timebank_id)
        broken = check_invariants(engine, timebank_id)
    finally:
        engine.dispose()
    missing = sorted(set(acknowledged) - set(found))
    unacknowledged = sorted(set(found) - set(acknowledged))
    assert not missing, f"acknowledged exchanges lost in the crash: {missing[:20]} ({figures})"
    # One writer, one exchange at a time: at most the one whose COMMIT was in flight is there
    # without its acknowledgement.
    assert len(unacknowledged) <= 1, f"exchanges nobody acknowledged: {unacknowledged} ({figures})"
    assert broken == [], f"invariants broken after recovery: {broken} ({figures})"
    return found, unacknowledged


# --- SQLite: the writer is the database -----------------------------------------------------------


def test_sqlite_keeps_every_acknowledged_exchange_when_the_writer_is_killed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    world = make_world(engine)
    # No connection of ours may stay open across the crash: the next one to open must recover.
    engine.dispose()
    started = time.monotonic()
    writer = _start_writer(url, world.timebank_id, [world.ann, world.bo, world.cy])
    acknowledgements = _Acknowledgements(writer)
    try:
        acknowledgements.read_until(ACKNOWLEDGED_BEFORE_KILL, WRITER_SECONDS_MAX)
        seen_before_kill = len(acknowledgements.ids)
        assert seen_before_kill >= ACKNOWLEDGED_BEFORE_KILL, (
            f"the writer acknowledged only {seen_before_kill}: {acknowledgements.stderr()}"
        )
        writer.send_signal(signal.SIGKILL)
        acknowledgements.drain()
    finally:
        _stop_writer(writer)

    with contextlib.closing(sqlite3.connect(tmp_path / "crash.sqlite3")) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchall()
    assert integrity == [("ok",)]
    acknowledged = acknowledgements.ids
    figures = (
        f"{len(acknowledged)} acknowledged, {seen_before_kill} of them read before the kill, "
        f"{time.monotonic() - started:.1f} s"
    )
    found, unacknowledged = _check_recovered(url, world.timebank_id, acknowledged, figures)
    print(f"SQLite: {figures}; {len(found)} found after recovery, {len(unacknowledged)} unacknowledged")


# --- PostgreSQL: a private cluster, killed whole ---------------------------------------------------


def _require_postgres_binaries() -> None:
    missing = [name for name in ("initdb", "postgres", "pg_ctl") if not (POSTGRES_BIN / name).exists()]
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            missing.append("the postgres user")
    if not missing:
        return
    reason = f"a private PostgreSQL cluster needs {', '.join(missing)} (in {POSTGRES_BIN})"
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the PostgreSQL crash test: {reason}")
    pytest.skip(reason)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    _require_postgres_binaries()
    # Not pytest's tmp_path: the postgres user must be able to reach the directory.
    directory = Path(tempfile.mkdtemp(prefix="timebank-crash-"))
    cluster = PrivateCluster(directory)
    try:
        cluster.initialise()
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)


def test_postgres_keeps_every_acknowledged_exchange_when_the_whole_server_is_killed(
    private_cluster: PrivateCluster,
) -> None:
    started = time.monotonic()
    upgrade(private_cluster.url)
    engine = make_engine(private_cluster.url)
    world = make_world(engine)
    engine.dispose()
    writer = _start_writer(private_cluster.url, world.timebank_id, [world.ann, world.bo, world.cy])
    acknowledgements = _Acknowledgements(writer)
    try:
        acknowledgements.read_until(ACKNOWLEDGED_BEFORE_KILL, WRITER_SECONDS_MAX)
        seen_before_kill = len(acknowledgements.ids)
        assert seen_before_kill >= ACKNOWLEDGED_BEFORE_KILL, (
            f"the writer acknowledged only {seen_before_kill}: {acknowledgements.stderr()}"
        )
        killed = private_cluster.kill()
        # The writer must not reach the restarted server: whatever it printed so far is the record.
        writer.send_signal(signal.SIGKILL)
        acknowledgements.drain()
    finally:
        _stop_writer(writer)

    restarted = time.monotonic()
    private_cluster.start()
    recovery_seconds = time.monotonic() - restarted
    acknowledged = acknowledgements.ids
    figures = (
        f"{len(acknowledged)} acknowledged, {seen_before_kill} of them read before {killed} "
        f"processes were killed; restart with recovery {recovery_seconds:.1f} s; "
        f"{time.monotonic() - started:.1f} s in all"
    )
    assert "automatic recovery in progress" in private_cluster.log_tail(), (
        f"the restart ran no crash recovery ({figures})"
    )
    found, unacknowledged = _check_recovered(private_cluster.url, world.timebank_id, acknowledged, figures)
    print(f"PostgreSQL: {figures}; {len(found)} found after recovery, {len(unacknowledged)} unacknowledged")


if __name__ == "__main__":
    record_exchanges_until_killed(sys.argv[1], int(sys.argv[2]), [int(a) for a in sys.argv[3:]])
