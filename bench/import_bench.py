"""Import benchmark: a spreadsheet history of 100 000 exchanges, against the raw driver, in one run.

Not a test. The machine is shared and noisy, so the figure to read is the ratio: the same rows
written moments later with the bare driver (sqlite3 or psycopg ``executemany``, no checks, no
SQLAlchemy, one transaction) into a fresh database of the same schema (indexes, CHECKs, foreign
keys, triggers). Our import reads and checks the CSV, replays every row through the ledger's rules,
and writes per exchange a transaction, the exchange, its receiver, a transfer and the row's key,
plus the report's running totals and the accounts' counters; the raw baseline writes the first five.

    python bench/import_bench.py                      # SQLite and PostgreSQL, 100 000 exchanges
    python bench/import_bench.py --exchanges 20000    # a smaller size
    python bench/import_bench.py --skip-postgres      # SQLite only
"""

from __future__ import annotations

import argparse
import hashlib
import os
import tempfile
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from timebank.db import make_engine, upgrade
from timebank.imports import SourceFile, files_sha256, import_history, read_spreadsheet
from timebank.people.callers import Caller
from timebank.people.requests import CreateTimebank
from timebank.people.timebanks import create_timebank

POSTGRES_ADMIN_URL = os.environ.get(
    "TIMEBANK_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
MEMBERS = 1_000
ADMIN = Caller("bench:admin", True, None, None, None, False, frozenset())


def spreadsheet(exchanges: int) -> tuple[str, str, list[tuple[int, int, int, date]]]:
    """members.csv, exchanges.csv and the rows as (giver, receiver, minutes, day) by member index.

    Members take turns round a ring, each receiving just before giving about as much, so balances
    stay within the default floor and no row is refused.
    """
    members = "name\r\n" + "".join(f"Member {i}\r\n" for i in range(MEMBERS))
    rows = []
    first_day = date(2020, 1, 1)
    for k in range(exchanges):
        giver, receiver = k % MEMBERS, (k + 1) % MEMBERS
        minutes = 15 + (k // MEMBERS) % 160
        rows.append((giver, receiver, minutes, first_day + timedelta(days=k % 1800)))
    lines = ["date,giver,receiver,time,description"]
    lines += [f"{d},Member {g},Member {r},{m},Help with shopping, and a chat" for g, r, m, d in rows]
    return members, "\r\n".join(lines) + "\r\n", rows


def our_import(url: str, members: str, trades: str) -> tuple[float, float]:
    """Seconds to read and check the files, and seconds for the import's transaction."""
    upgrade(url)
    engine = make_engine(url)
    tb = create_timebank(engine, ADMIN, CreateTimebank(name="bench")).timebank_id
    coordinator = Caller.coordinator_of(tb)
    member_files = [SourceFile("members.csv", members.encode())]
    plan, problems = read_spreadsheet(member_files, date.today())
    assert not problems
    import_history(engine, tb, coordinator, plan, files_sha256(member_files), dry_run=False)
    files = [SourceFile("exchanges.csv", trades.encode())]
    began = time.perf_counter()
    plan, problems = read_spreadsheet(files, date.today())
    read = time.perf_counter() - began
    assert not problems, problems[:3]
    began = time.perf_counter()
    report = import_history(engine, tb, coordinator, plan, files_sha256(files), dry_run=False)
    written = time.perf_counter() - began
    assert report.exchanges_added == len(plan.exchanges)
    engine.dispose()
    return read, written


def raw_import(url: str, rows: list[tuple[int, int, int, date]]) -> float:
    """Seconds for the bare driver to write the same rows into a fresh database of the schema."""
    upgrade(url)
    engine = make_engine(url)
    tb = create_timebank(engine, ADMIN, CreateTimebank(name="raw")).timebank_id
    now = datetime.now(UTC)
    with engine.begin() as connection:
        account_ids = [
            connection.execute(
                text(
                    "INSERT INTO accounts (timebank_id, kind, name, balance_minutes, earned_minutes,"
                    " spent_minutes, floor_minutes, version, created_at)"
                    " VALUES (:tb, 'member', :name, 0, 0, 0, -600, 0, :now) RETURNING id"
                ),
                {"tb": tb, "name": f"Member {i}", "now": now},
            ).scalar_one()
            for i in range(MEMBERS)
        ]
        connection.execute(
            text(
                "INSERT INTO imports (timebank_id, source, files_sha256, created_by, created_at,"
                " members_added, exchanges_added, opening_balances_added)"
                " VALUES (:tb, 'spreadsheet', 'raw', 'bench', :now, 0, 0, 0)"
            ),
            {"tb": tb, "now": now},
        )
        import_id = connection.execute(text("SELECT max(id) FROM imports")).scalar_one()
    engine.dispose()
    parts = make_url(url)
    sqlite = parts.get_backend_name() == "sqlite"
    stamp: Any = now.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else now
    base = 1_000_000
    table_rows: dict[str, list[tuple[Any, ...]]] = {
        "transactions": [],
        "exchanges": [],
        "receivers": [],
        "transfers": [],
        "keys": [],
    }
    for i, (g, r, m, d) in enumerate(rows, start=base):
        giver, receiver = account_ids[g], account_ids[r]
        table_rows["transactions"].append((i, tb, "exchange", "bench", stamp))
        table_rows["exchanges"].append(
            (
                i,
                tb,
                giver,
                d.isoformat() if sqlite else d,
                "Help with shopping, and a chat",
                "bench",
                i,
                stamp,
                stamp,
            )
        )
        table_rows["receivers"].append((i, receiver, tb, m))
        table_rows["transfers"].append((i, tb, i, receiver, giver, m, 0, 0, stamp))
        table_rows["keys"].append((tb, "exchange", hashlib.sha256(str(i).encode()).hexdigest(), import_id, i))
    statements = {
        "transactions": "INSERT INTO transactions (id, timebank_id, kind, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?)",
        "exchanges": "INSERT INTO exchanges (id, timebank_id, giver_account_id, status, activity_date,"
        " description, recorded_by, giver_consent_needed, transaction_id, created_at, decided_at)"
        " VALUES (?, ?, ?, 'confirmed', ?, ?, ?, false, ?, ?, ?)",
        "receivers": "INSERT INTO exchange_receivers"
        " (exchange_id, account_id, timebank_id, minutes, consent_needed) VALUES (?, ?, ?, ?, false)",
        "transfers": "INSERT INTO transfers (id, timebank_id, transaction_id, source_account_id,"
        " target_account_id, minutes, source_balance_after_minutes, target_balance_after_minutes, posted_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "keys": "INSERT INTO import_keys (timebank_id, kind, natural_key_sha256, import_id, target_id)"
        " VALUES (?, ?, ?, ?, ?)",
    }
    if sqlite:
        import sqlite3

        connection = sqlite3.connect(parts.database, isolation_level=None)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
            connection.execute(f"PRAGMA {pragma}")
        began = time.perf_counter()
        connection.execute("BEGIN IMMEDIATE")
        for name, statement in statements.items():
            connection.executemany(statement, table_rows[name])
        connection.execute("COMMIT")
        seconds = time.perf_counter() - began
        connection.close()
        return seconds
    import psycopg

    with psycopg.connect(host=parts.host, port=parts.port, user=parts.username, dbname=parts.database) as pg:
        began = time.perf_counter()
        with pg.cursor() as cursor:
            for name, statement in statements.items():
                cursor.executemany(statement.replace("?", "%s"), table_rows[name])
        pg.commit()
        return time.perf_counter() - began


def _postgres_database() -> tuple[str, str] | None:
    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"PostgreSQL skipped: {type(error).__name__}")
        return None
    finally:
        admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False), name


def _drop(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()
    members, trades, rows = spreadsheet(options.exchanges)
    size = len(trades) / 2**20
    print(f"{options.exchanges} exchanges between {MEMBERS} members; exchanges.csv is {size:.1f} MiB")
    print("| backend | read and check the CSV | import (one transaction) | raw driver, same rows | ratio |")
    print("|---|---|---|---|---|")
    backends: list[str] = ["sqlite"] if options.skip_postgres else ["sqlite", "postgresql"]
    for backend in backends:
        with tempfile.TemporaryDirectory() as folder:
            made: list[str] = []
            urls = []
            for _ in range(2):
                if backend == "sqlite":
                    urls.append(f"sqlite:///{Path(folder) / uuid.uuid4().hex}.sqlite3")
                else:
                    found = _postgres_database()
                    if found is None:
                        break
                    urls.append(found[0])
                    made.append(found[1])
            if len(urls) < 2:
                continue
            try:
                read, written = our_import(urls[0], members, trades)
                raw = raw_import(urls[1], rows)
            finally:
                for name in made:
                    _drop(name)
        print(f"| {backend} | {read:.1f} s | {written:.1f} s | {raw:.1f} s | {written / raw:.1f} |")


if __name__ == "__main__":
    main()
