"""Ledger benchmark: prints figures beside this machine's own ceiling, measured in the same run.

Not a test. The machine is shared and noisy, so every figure is printed next to a baseline measured
moments before on the same machine, and the targets are ratios:

- PostgreSQL exchanges/s at 16 workers  ≥ 0.5 × pgbench tpcb-like TPS at 16 clients
- SQLite exchanges/s, one commit each    ≥ 0.5 × raw sqlite3 commits of 2 inserts + 2 updates
- bulk import of 1,000,000 transfers     ≥ 0.5 × raw executemany of the same rows
- balance read with 1,000,000 transfers  ≤ 1.5 × the same read with 1,000

An "exchange" here is the real use case: ``record_exchange`` recorded by the receiver (so it posts
at once) with an idempotency key, one database transaction each. Workers are separate processes.

    python bench/ledger_bench.py                       # everything (several minutes)
    python bench/ledger_bench.py --quick               # smaller sizes, for a smoke run
    python bench/ledger_bench.py --skip-postgres       # SQLite only
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import raw_exchange  # type: ignore[import-not-found]
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from timebank.accounts.accounts import open_account, read_account
from timebank.accounts.statements import balance_at, read_statement
from timebank.db import make_engine, upgrade
from timebank.db.tables import exchange_receivers, exchanges, transactions, transfers
from timebank.exchanges.imports import ImportRow, import_exchanges
from timebank.exchanges.lifecycle import record_exchange
from timebank.exchanges.requests import ReceiverShareIn, RecordExchange
from timebank.ledger import AccountKind, Actor
from timebank.people.callers import Caller
from timebank.people.requests import CreateTimebank
from timebank.people.timebanks import create_timebank

POSTGRES_ADMIN_URL = os.environ.get(
    "TIMEBANK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
COORDINATOR = Actor("bench:coordinator", is_coordinator=True)


@dataclass
class Sizes:
    members: int
    sequential_seconds: float
    concurrent_seconds: float
    raw_sqlite_commits: int
    import_rows: int
    latency_samples: int


FULL = Sizes(
    members=1_000,
    sequential_seconds=8,
    concurrent_seconds=10,
    raw_sqlite_commits=3_000,
    import_rows=1_000_000,
    latency_samples=300,
)
QUICK = Sizes(
    members=200,
    sequential_seconds=2,
    concurrent_seconds=3,
    raw_sqlite_commits=500,
    import_rows=20_000,
    latency_samples=50,
)


# --- set-up -----------------------------------------------------------------------------------


def fresh_postgres_database() -> str:
    name = f"timebank_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def make_timebank(url: str, members: int) -> tuple[int, list[int]]:
    """A timebank with ``members`` members whose floors are deep enough never to refuse."""
    engine = make_engine(url)
    tb = create_timebank(
        engine,
        Caller("bench:admin", True, None, None, None, False, frozenset()),
        CreateTimebank(name="bench", minutes_per_transfer_max=24 * 60),
    )
    account_ids = [
        open_account(
            engine,
            tb.timebank_id,
            COORDINATOR,
            AccountKind.MEMBER,
            f"member {i}",
            floor_minutes=-(10**12),
        ).account_id
        for i in range(members)
    ]
    engine.dispose()
    return tb.timebank_id, account_ids


# --- exchanges per second ---------------------------------------------------------------------


def _exchange_worker(
    url: str,
    timebank_id: int,
    account_ids: list[int],
    seconds: float,
    start: mp.synchronize.Event,
    results: mp.Queue,
    seed: int,
) -> None:  # type: ignore[name-defined]
    engine = make_engine(url)
    rng = random.Random(seed)
    today = datetime.now(UTC).date()  # the ledger's today: an exchange after it is refused
    # Warm the connection and the statement cache before the clock starts.
    _one_exchange(engine, timebank_id, account_ids, rng, today)
    start.wait()
    done = 0
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    while time.perf_counter() < deadline:
        _one_exchange(engine, timebank_id, account_ids, rng, today)
        done += 1
    results.put((done, time.perf_counter() - began))
    engine.dispose()


def _one_exchange(engine, timebank_id, account_ids, rng, today) -> None:  # type: ignore[no-untyped-def]
    giver, receiver = rng.sample(account_ids, 2)
    record_exchange(
        engine,
        timebank_id,
        Caller.holder_of(timebank_id, receiver, f"member:{receiver}"),
        RecordExchange(
            giver_account_id=giver,
            receivers=[ReceiverShareIn(account_id=receiver, minutes=rng.randint(15, 180))],
            activity_date=today,
            description="bench help",
        ),
        idempotency_key=uuid.uuid4().hex,
    )


def exchanges_per_second(
    url: str,
    timebank_id: int,
    account_ids: list[int],
    workers: int,
    seconds: float,
    target: Callable[..., None] | None = None,
) -> float:
    context = mp.get_context("spawn")
    start = context.Event()
    results = context.Queue()
    processes = [
        context.Process(
            target=target or _exchange_worker,
            args=(url, timebank_id, account_ids, seconds, start, results, seed),
        )
        for seed in range(workers)
    ]
    for p in processes:
        p.start()
    time.sleep(1.0 + 0.15 * workers)  # let every worker import, connect and warm up
    start.set()
    counts = [results.get(timeout=120 + seconds) for _ in processes]
    for p in processes:
        p.join()
    total = sum(c for c, _ in counts)
    elapsed = max(e for _, e in counts)
    return total / elapsed


# --- baselines --------------------------------------------------------------------------------


def raw_sqlite_commits_per_second(commits: int) -> float:
    """Plain sqlite3, same pragmas: per commit, two inserts and two updates."""
    with tempfile.TemporaryDirectory() as folder:
        db = sqlite3.connect(Path(folder) / "raw.sqlite3", isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")
        db.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)")
        db.execute(
            "CREATE TABLE history (id INTEGER PRIMARY KEY, source INTEGER, target INTEGER,"
            " minutes INTEGER, at TEXT)"
        )
        db.executemany("INSERT INTO account VALUES (?, 0)", [(i,) for i in range(1000)])
        rng = random.Random(1)
        began = time.perf_counter()
        for _ in range(commits):
            a, b = rng.sample(range(1000), 2)
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE account SET balance = balance - 60 WHERE id = ?", (a,))
            db.execute("UPDATE account SET balance = balance + 60 WHERE id = ?", (b,))
            db.execute(
                "INSERT INTO history (source, target, minutes, at) VALUES (?, ?, 60, ?)",
                (a, b, datetime.now(UTC).isoformat()),
            )
            db.execute(
                "INSERT INTO history (source, target, minutes, at) VALUES (?, ?, 0, ?)",
                (b, a, datetime.now(UTC).isoformat()),
            )
            db.execute("COMMIT")
        elapsed = time.perf_counter() - began
        db.close()
    return commits / elapsed


def pgbench_tps(clients: list[int], seconds: float) -> dict[int, float]:
    """pgbench's built-in tpcb-like workload, scale 16 (so 16 clients do not queue on one branch)."""
    if shutil.which("pgbench") is None:
        return {}
    url = fresh_postgres_database()
    parts = make_url(url)
    base = [
        "-h",
        parts.host or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    subprocess.run(
        ["pgbench", "-i", "-q", "-s", "16", *base, parts.database], check=True, capture_output=True
    )
    found: dict[int, float] = {}
    for c in clients:
        out = subprocess.run(
            [
                "pgbench",
                "-c",
                str(c),
                "-j",
                str(min(c, 2)),
                "-T",
                str(int(seconds)),
                "-n",
                *base,
                parts.database,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        match = re.search(r"tps = ([0-9.]+)", out)
        found[c] = float(match.group(1)) if match else float("nan")
    drop_postgres_database(url)
    return found


# --- bulk import ------------------------------------------------------------------------------


def import_rows(account_ids: list[int], count: int) -> list[ImportRow]:
    rng = random.Random(7)
    rows = []
    for _ in range(count):
        giver, receiver = rng.sample(account_ids, 2)
        rows.append(ImportRow(giver, receiver, rng.randint(15, 180), date(2024, 1, 1), "history"))
    return rows


def timed(action: Callable[[], object]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def raw_executemany_seconds(url: str, rows: list[ImportRow]) -> tuple[float, float]:
    """Time plain SQLAlchemy Core executemany, with no checks, into a fresh database of the same
    schema: (a) the four rows the import writes per exchange, committed; (b) the transfer rows alone.
    """
    upgrade(url)
    timebank_id, accounts = make_timebank(url, 100)
    remap = dict(
        zip(
            sorted({r.giver_account_id for r in rows} | {r.receiver_account_id for r in rows}),
            accounts,
            strict=False,
        )
    )
    rows = [
        ImportRow(
            remap[r.giver_account_id], remap[r.receiver_account_id], r.minutes, r.activity_date, r.description
        )
        for r in rows
    ]
    engine = make_engine(url)
    now = datetime.now(UTC)

    def insert_all(connection, table, builder, offset):  # type: ignore[no-untyped-def]
        for start in range(0, len(rows), 20_000):
            chunk = rows[start : start + 20_000]
            connection.execute(
                insert(table),
                [builder(offset + start + i, timebank_id, r, now) for i, r in enumerate(chunk, start=1)],
            )

    def four_rows() -> None:
        with engine.begin() as connection:
            for table, builder in (
                (transactions, _raw_transaction),
                (exchanges, _raw_exchange),
                (exchange_receivers, _raw_receiver),
                (transfers, _raw_transfer),
            ):
                insert_all(connection, table, builder, 0)

    seconds_all = timed(four_rows)
    with engine.begin() as connection:
        insert_all(connection, transactions, _raw_transaction, len(rows))

    def transfers_only() -> None:
        with engine.begin() as connection:
            insert_all(connection, transfers, lambda i, tb, r, at: _raw_transfer(i, tb, r, at), len(rows))

    seconds_transfers = timed(transfers_only)
    engine.dispose()
    return seconds_all, seconds_transfers


def _raw_transaction(i: int, tb: int, r: ImportRow, now: datetime) -> dict:  # type: ignore[type-arg]
    return {
        "id": i,
        "timebank_id": tb,
        "kind": "exchange",
        "reverses_transaction_id": None,
        "created_by": "bench",
        "created_at": now,
    }


def _raw_exchange(i: int, tb: int, r: ImportRow, now: datetime) -> dict:  # type: ignore[type-arg]
    return {
        "id": i,
        "timebank_id": tb,
        "giver_account_id": r.giver_account_id,
        "status": "confirmed",
        "activity_date": r.activity_date,
        "description": r.description,
        "category": None,
        "recorded_by": "bench",
        "recorded_by_account_id": None,
        "giver_consent_needed": False,
        "giver_consented_at": None,
        "transaction_id": i,
        "reversal_transaction_id": None,
        "created_at": now,
        "decided_at": now,
    }


def _raw_receiver(i: int, tb: int, r: ImportRow, now: datetime) -> dict:  # type: ignore[type-arg]
    return {
        "exchange_id": i,
        "account_id": r.receiver_account_id,
        "timebank_id": tb,
        "minutes": r.minutes,
        "consent_needed": False,
        "consented_at": None,
    }


def _raw_transfer(i: int, tb: int, r: ImportRow, now: datetime) -> dict:  # type: ignore[type-arg]
    return {
        "id": i,
        "timebank_id": tb,
        "transaction_id": i,
        "source_account_id": r.receiver_account_id,
        "target_account_id": r.giver_account_id,
        "minutes": r.minutes,
        "source_balance_after_minutes": 0,
        "target_balance_after_minutes": 0,
        "posted_at": now,
    }


# --- read latency -----------------------------------------------------------------------------


def read_latencies_ms(url: str, timebank_id: int, account_ids: list[int], samples: int) -> dict[str, float]:
    engine = make_engine(url)
    rng = random.Random(3)
    now = datetime.now(UTC)
    figures: dict[str, list[float]] = {"balance": [], "statement": [], "balance_at": []}
    coordinator = Caller.coordinator_of(timebank_id)
    for _ in range(samples):
        account = rng.choice(account_ids)
        figures["balance"].append(timed(lambda a=account: read_account(engine, timebank_id, coordinator, a)))
        figures["statement"].append(
            timed(lambda a=account: read_statement(engine, timebank_id, coordinator, a, limit=50))
        )
        figures["balance_at"].append(timed(lambda a=account: balance_at(engine, timebank_id, a, now)))
    engine.dispose()
    return {name: statistics.median(values) * 1000 for name, values in figures.items()}


# --- the run ----------------------------------------------------------------------------------


def bench_backend(name: str, url: str, scratch_url: str, sizes: Sizes, report: list[str]) -> dict[str, float]:
    upgrade(url)
    figures: dict[str, float] = {}
    tb, accounts = make_timebank(url, sizes.members)
    for workers in (1, 4, 16):
        seconds = sizes.sequential_seconds if workers == 1 else sizes.concurrent_seconds
        rate = exchanges_per_second(url, tb, accounts, workers, seconds)
        figures[f"exchanges_{workers}"] = rate
        report.append(f"{name:10} exchanges/s, {workers:2} worker(s): {rate:9.0f}")
    for workers in (1, 16):
        seconds = sizes.sequential_seconds if workers == 1 else sizes.concurrent_seconds
        rate = exchanges_per_second(url, tb, accounts, workers, seconds, target=raw_exchange.worker)
        figures[f"raw_exchanges_{workers}"] = rate
        report.append(
            f"{name:10} the same statements through the bare driver, {workers:2} worker(s): {rate:9.0f}/s"
        )

    # Reads with about 1,000 transfers present, in a timebank of their own.
    small_tb, small_accounts = make_timebank(url, 100)
    import_exchanges(
        make_engine(url), small_tb, Caller.coordinator_of(small_tb), import_rows(small_accounts, 1_000)
    )
    small = read_latencies_ms(url, small_tb, small_accounts, sizes.latency_samples)

    # Bulk import into a fresh timebank of 100 members (so each has ~20,000 transfers at 1M).
    big_tb, big_accounts = make_timebank(url, 100)
    rows = import_rows(big_accounts, sizes.import_rows)
    engine = make_engine(url)
    seconds_import = timed(lambda: import_exchanges(engine, big_tb, Caller.coordinator_of(big_tb), rows))
    engine.dispose()
    seconds_raw_all, seconds_raw_transfers = raw_executemany_seconds(scratch_url, rows)
    figures["import_s"] = seconds_import
    figures["raw_all_s"] = seconds_raw_all
    figures["raw_transfers_s"] = seconds_raw_transfers
    report.append(
        f"{name:10} bulk import of {len(rows):,} exchanges: {seconds_import:6.1f} s "
        f"({len(rows) / seconds_import:,.0f} rows/s)"
    )
    report.append(
        f"{name:10} raw executemany of the same 4 rows per exchange: {seconds_raw_all:6.1f} s; "
        f"of the transfer rows alone: {seconds_raw_transfers:6.1f} s"
    )

    big = read_latencies_ms(url, big_tb, big_accounts, sizes.latency_samples)
    for key in ("balance", "statement", "balance_at"):
        figures[f"{key}_small_ms"] = small[key]
        figures[f"{key}_big_ms"] = big[key]
        report.append(
            f"{name:10} {key:10} median ms: {small[key]:6.2f} at ~1,000 transfers, "
            f"{big[key]:6.2f} at {sizes.import_rows:,}"
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    report: list[str] = [
        f"timebank ledger bench, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    ]
    ratios: list[str] = []

    if not args.skip_sqlite:
        raw = raw_sqlite_commits_per_second(sizes.raw_sqlite_commits)
        report.append(
            f"{'sqlite3':10} raw commits/s (2 inserts + 2 updates, WAL, synchronous=FULL): {raw:9.0f}"
        )
        with tempfile.TemporaryDirectory() as folder:
            figures = bench_backend(
                "SQLite",
                f"sqlite:///{folder}/bench.sqlite3",
                f"sqlite:///{folder}/raw.sqlite3",
                sizes,
                report,
            )
        ratios += _ratios("SQLite", figures, raw_ceiling=raw, pgbench=None)

    if not args.skip_postgres:
        pg = pgbench_tps([1, 4, 16], sizes.concurrent_seconds)
        for clients, tps in pg.items():
            report.append(f"{'pgbench':10} tpcb-like TPS, {clients:2} client(s): {tps:9.0f}")
        url, scratch_url = fresh_postgres_database(), fresh_postgres_database()
        try:
            figures = bench_backend("PostgreSQL", url, scratch_url, sizes, report)
        finally:
            drop_postgres_database(url)
            drop_postgres_database(scratch_url)
        ratios += _ratios("PostgreSQL", figures, raw_ceiling=None, pgbench=pg)

    print("\n".join(report))
    print("\nratios (target in brackets):")
    print("\n".join(ratios))


def _ratios(
    name: str, f: dict[str, float], raw_ceiling: float | None, pgbench: dict[int, float] | None
) -> list[str]:
    lines = []
    if raw_ceiling:
        lines.append(
            f"{name:10} exchanges/s ÷ raw sqlite3 commits/s: {f['exchanges_1'] / raw_ceiling:5.2f} [≥ 0.5]"
        )
    if pgbench:
        for c in (1, 4, 16):
            if c in pgbench:
                lines.append(
                    f"{name:10} exchanges/s ÷ pgbench TPS at {c:2}: "
                    f"{f[f'exchanges_{c}'] / pgbench[c]:5.2f}" + (" [≥ 0.5]" if c == 16 else "")
                )
    for c in (1, 16):
        lines.append(
            f"{name:10} exchanges/s ÷ the same statements through the bare driver at {c:2}: "
            f"{f[f'exchanges_{c}'] / f[f'raw_exchanges_{c}']:5.2f}"
        )
    if raw_ceiling:
        lines.append(
            f"{name:10} bare-driver exchange statements ÷ raw sqlite3 commits: "
            f"{f['raw_exchanges_1'] / raw_ceiling:5.2f} (the bookkeeping's own ceiling)"
        )
    if pgbench and 16 in pgbench:
        lines.append(
            f"{name:10} bare-driver exchange statements at 16 ÷ pgbench at 16: "
            f"{f['raw_exchanges_16'] / pgbench[16]:5.2f} (the bookkeeping's own ceiling)"
        )
    lines.append(
        f"{name:10} raw executemany ÷ import time (same rows): {f['raw_all_s'] / f['import_s']:5.2f} [≥ 0.5]"
    )
    lines.append(
        f"{name:10} raw executemany ÷ import time (transfer rows only): "
        f"{f['raw_transfers_s'] / f['import_s']:5.2f}"
    )
    for key in ("balance", "statement", "balance_at"):
        lines.append(
            f"{name:10} {key} latency at big ÷ at ~1,000: {f[f'{key}_big_ms'] / f[f'{key}_small_ms']:5.2f}"
            + (" [≤ 1.5]" if key == "balance" else "")
        )
    return lines


if __name__ == "__main__":
    main()
