"""The floor under our bookkeeping: one exchange's statements sent through the bare database driver.

``record_exchange`` writes, per exchange, a transaction header, the account counters, a transfer, the
exchange, its receiver and an idempotency record, after reading the timebank, the idempotency key
and the locked accounts. This module sends exactly those statements through sqlite3 or psycopg with
no checks, no SQLAlchemy and no error handling, into the same schema (indexes, CHECKs, foreign keys,
triggers). The ratio of our rate to this one says how much our Python costs; the ratio of this one to
the plain baselines says how much the ledger's own bookkeeping costs.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import make_url

STATEMENTS = {
    "timebank": "SELECT * FROM timebanks WHERE id = ?",
    "key": "SELECT operation, request_sha256, response_json FROM idempotency_keys"
    " WHERE timebank_id = ? AND caller = ? AND key = ?",
    "lock": "SELECT id, balance_minutes, earned_minutes, spent_minutes, version FROM accounts"
    " WHERE timebank_id = ? AND id IN (?, ?) ORDER BY id FOR UPDATE",
    "transaction": "INSERT INTO transactions (timebank_id, kind, created_by, created_at)"
    " VALUES (?, 'exchange', ?, ?) RETURNING id",
    "save": "UPDATE accounts SET balance_minutes = ?, earned_minutes = ?, spent_minutes = ?, version = ?"
    " WHERE id = ? AND version = ?",
    "transfer": "INSERT INTO transfers (timebank_id, transaction_id, source_account_id, target_account_id,"
    " minutes, source_balance_after_minutes, target_balance_after_minutes, posted_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "exchange": "INSERT INTO exchanges (timebank_id, giver_account_id, status, activity_date, description,"
    " recorded_by, giver_consent_needed, transaction_id, created_at, decided_at)"
    " VALUES (?, ?, 'confirmed', ?, 'bench help', ?, false, ?, ?, ?) RETURNING id",
    "receiver": "INSERT INTO exchange_receivers"
    " (exchange_id, account_id, timebank_id, minutes, consent_needed)"
    " VALUES (?, ?, ?, ?, false)",
    "remember": "INSERT INTO idempotency_keys (timebank_id, caller, key, operation, request_sha256,"
    " response_json, created_at) VALUES (?, ?, ?, 'record_exchange', ?, ?, ?)",
}


def connect(url: str) -> tuple[Any, dict[str, str], str]:
    """A bare driver connection, the statements in its parameter style, and how to begin."""
    parts = make_url(url)
    if parts.get_backend_name() == "sqlite":
        import sqlite3

        connection = sqlite3.connect(parts.database, isolation_level=None, timeout=30)
        for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON", "busy_timeout=30000"):
            connection.execute(f"PRAGMA {pragma}")
        sqlite_statements = {k: v.replace(" FOR UPDATE", "") for k, v in STATEMENTS.items()}
        return connection, sqlite_statements, "BEGIN IMMEDIATE"
    import psycopg

    connection = psycopg.connect(
        host=parts.host, port=parts.port, user=parts.username, dbname=parts.database, autocommit=True
    )
    return connection, {k: v.replace("?", "%s") for k, v in STATEMENTS.items()}, "BEGIN"


def one_exchange(
    connection: Any,
    sql: dict[str, str],
    begin: str,
    timebank_id: int,
    giver: int,
    receiver: int,
    minutes: int,
) -> None:
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f") if begin.endswith("IMMEDIATE") else now
    caller, key = f"member:{receiver}", uuid.uuid4().hex
    cursor = connection.cursor()
    cursor.execute(begin)
    cursor.execute(sql["timebank"], (timebank_id,)).fetchone()
    cursor.execute(sql["key"], (timebank_id, caller, key)).fetchone()
    rows = {r[0]: r for r in cursor.execute(sql["lock"], (timebank_id, giver, receiver)).fetchall()}
    transaction_id = cursor.execute(sql["transaction"], (timebank_id, caller, stamp)).fetchone()[0]
    g, r = rows[giver], rows[receiver]
    cursor.executemany(
        sql["save"],
        [
            (r[1] - minutes, r[2], r[3] + minutes, r[4] + 1, receiver, r[4]),
            (g[1] + minutes, g[2] + minutes, g[3], g[4] + 1, giver, g[4]),
        ],
    )
    cursor.execute(
        sql["transfer"],
        (timebank_id, transaction_id, receiver, giver, minutes, r[1] - minutes, g[1] + minutes, stamp),
    )
    exchange_id = cursor.execute(
        sql["exchange"], (timebank_id, giver, now.date().isoformat(), caller, transaction_id, stamp, stamp)
    ).fetchone()[0]
    cursor.execute(sql["receiver"], (exchange_id, receiver, timebank_id, minutes))
    body = json.dumps({"exchange_id": exchange_id, "transaction_id": transaction_id})
    cursor.execute(
        sql["remember"], (timebank_id, caller, key, hashlib.sha256(body.encode()).hexdigest(), body, stamp)
    )
    cursor.execute("COMMIT")


def worker(
    url: str, timebank_id: int, account_ids: list[int], seconds: float, start: Any, results: Any, seed: int
) -> None:
    """Run raw exchanges for ``seconds`` once ``start`` is set; put (count, elapsed) on ``results``."""
    connection, sql, begin = connect(url)
    rng = random.Random(seed)
    giver, receiver = rng.sample(account_ids, 2)
    one_exchange(connection, sql, begin, timebank_id, giver, receiver, 30)
    start.wait()
    done, began = 0, time.perf_counter()
    deadline = began + seconds
    while time.perf_counter() < deadline:
        giver, receiver = rng.sample(account_ids, 2)
        one_exchange(connection, sql, begin, timebank_id, giver, receiver, rng.randint(15, 180))
        done += 1
    results.put((done, time.perf_counter() - began))
    connection.close()
