"""Keyed exchanges per second through the services, one process, on PostgreSQL and SQLite.

A small A/B tool, not a benchmark of record: run it with PYTHONPATH pointing at two checkouts of
timebank/ in turn (``git worktree add /tmp/before <commit>``), alternating, to see what a change to
the write path costs. The machine is shared, so compare runs made side by side, never absolutes.

    PYTHONPATH=/tmp/before python bench/keyed_exchanges.py 1500
    PYTHONPATH=. python bench/keyed_exchanges.py 1500
"""

import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

import timebank
from timebank.accounts.accounts import open_account
from timebank.db import make_engine, upgrade
from timebank.exchanges.lifecycle import record_exchange
from timebank.exchanges.requests import ReceiverShareIn, RecordExchange
from timebank.ledger import AccountKind, Actor
from timebank.people.callers import Caller
from timebank.people.requests import CreateTimebank
from timebank.people.timebanks import create_timebank

N = int(sys.argv[1]) if len(sys.argv) > 1 else 1500
admin = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def run(url):
    upgrade(url)
    engine = make_engine(url)
    tb = create_timebank(
        engine,
        Caller("bench:admin", True, None, None, None, False, frozenset()),
        CreateTimebank(name="bench", minutes_per_transfer_max=24 * 60),
    )
    coord = Actor("coordinator", None, True)
    ids = [
        open_account(
            engine, tb.timebank_id, coord, AccountKind.MEMBER, f"m{i}", floor_minutes=-(10**12)
        ).account_id
        for i in range(50)
    ]
    rng = random.Random(1)
    today = datetime.now(UTC).date()  # the ledger's today: an exchange after it is refused

    def one():
        g, r = rng.sample(ids, 2)
        record_exchange(
            engine,
            tb.timebank_id,
            Caller.holder_of(tb.timebank_id, r, f"member:{r}"),
            RecordExchange(
                giver_account_id=g,
                receivers=[ReceiverShareIn(account_id=r, minutes=30)],
                activity_date=today,
                description="x",
            ),
            idempotency_key=uuid.uuid4().hex,
        )

    for _ in range(100):
        one()
    t = time.perf_counter()
    for _ in range(N):
        one()
    rate = N / (time.perf_counter() - t)
    engine.dispose()
    return rate


name = f"sp_{uuid.uuid4().hex[:8]}"
e = create_engine(admin, isolation_level="AUTOCOMMIT")
with e.connect() as c:
    c.execute(text(f'CREATE DATABASE "{name}"'))
try:
    pg = run(make_url(admin).set(database=name).render_as_string(hide_password=False))
finally:
    with e.connect() as c:
        c.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
with tempfile.TemporaryDirectory() as d:
    sq = run(f"sqlite:///{d}/b.sqlite3")
print(f"{timebank.__file__}: pg {pg:.0f}/s sqlite {sq:.0f}/s")
