"""Erasure benchmark: how long erasing a member takes, busiest and quietest, on a timebank with history.

Not a test. It builds one timebank of ``--members`` members (1,000) with ``--exchanges`` historical
exchanges (100,000, through the bulk import use case). One member, the busiest, takes part in a
fifth of them, and one exchange in a hundred between two other members names the busiest in its
description ("Drove Ysolde Quillfeather to the clinic"), so that the erasure has the ledger's texts
to replace and other members' words to rename. Then it erases two members who never took part
(the first warms up) and the busiest, each in one transaction as the API does, and prints the
seconds of each, with the time an ordinary read of the busiest member's statement takes beside
them (side by side in one run, on a shared machine: read the ratio).

    python bench/erasure_bench.py                          # SQLite, in a temporary folder
    python bench/erasure_bench.py --backend postgresql     # a fresh PostgreSQL database, then dropped
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import date, timedelta

from ledger_bench import drop_postgres_database, fresh_postgres_database  # type: ignore[import-not-found]

BUSIEST_NAME = "Ysolde Quillfeather"


def build(url: str, members: int, exchanges: int) -> tuple[int, int, list[int]]:
    """The timebank, the busiest member's id and two quiet members' ids."""
    from timebank.db import make_engine, upgrade
    from timebank.exchanges.imports import ImportRow, import_exchanges
    from timebank.people import add_member
    from timebank.people.callers import Caller
    from timebank.people.requests import AddMember, CreateTimebank
    from timebank.people.timebanks import create_timebank

    upgrade(url)
    engine = make_engine(url)
    admin = Caller("bench:admin", True, None, None, None, False, frozenset())
    timebank_id = create_timebank(engine, admin, CreateTimebank(name="bench")).timebank_id
    coordinator = Caller.coordinator_of(timebank_id)
    began = time.perf_counter()
    added = [
        add_member(
            engine,
            timebank_id,
            coordinator,
            AddMember(display_name=BUSIEST_NAME if i == 0 else f"Member {i}", floor_minutes=-527_040),
        )
        for i in range(members)
    ]
    busiest, quiet = added[0], [added[-1].member_id, added[-2].member_id]
    others = [m.account_id for m in added[1:-2]]
    rng = random.Random(7)
    rows = []
    for n in range(exchanges):
        if n % 5 == 0:
            pair = [busiest.account_id, rng.choice(others)]
            rng.shuffle(pair)
            giver, receiver = pair
            description = "Help with the garden"
        else:
            giver, receiver = rng.sample(others, 2)
            description = f"Drove {BUSIEST_NAME} to the clinic" if n % 100 == 1 else "Shopping"
        day = date(2024, 1, 1) + timedelta(days=n % 600)
        rows.append(ImportRow(giver, receiver, rng.randint(15, 180), day, description))
    for start in range(0, len(rows), 50_000):
        import_exchanges(engine, timebank_id, coordinator, rows[start : start + 50_000])
    print(f"{'built':28} {members:,} members, {exchanges:,} exchanges in {time.perf_counter() - began:.1f} s")
    engine.dispose()
    return timebank_id, busiest.member_id, quiet


def measure(url: str, timebank_id: int, busiest_id: int, quiet_ids: list[int]) -> None:
    from timebank.accounts.statements import read_statement
    from timebank.db import make_engine
    from timebank.people.callers import Caller
    from timebank.people.erasure import erase_member
    from timebank.people.members import get_member
    from timebank.people.requests import EraseMember

    engine = make_engine(url)
    coordinator = Caller.coordinator_of(timebank_id)
    busiest = get_member(engine, timebank_id, coordinator, busiest_id)
    began = time.perf_counter()
    read_statement(engine, timebank_id, coordinator, busiest.account_id)
    read_seconds = time.perf_counter() - began
    print(f"{'statement page of the busiest':28} {read_seconds:.3f} s")
    # The first erasure of a process pays for its imports and warm caches: a quiet member takes it.
    erasures = (("erase a quiet member, first", quiet_ids[0]), ("erase a quiet member", quiet_ids[1]))
    for label, member_id in (*erasures, ("erase the busiest", busiest_id)):
        began = time.perf_counter()
        view = erase_member(engine, timebank_id, coordinator, member_id, EraseMember(confirm=True))
        seconds = time.perf_counter() - began
        print(
            f"{label:28} {seconds:.3f} s  ({seconds / read_seconds:.1f} x the statement)",
            f"-> {view.display_name}",
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--members", type=int, default=1_000)
    parser.add_argument("--exchanges", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        if args.backend == "sqlite":
            url = f"sqlite:///{folder}/erasure.sqlite3"
            measure(url, *build(url, args.members, args.exchanges))
            return
        url = fresh_postgres_database()
        try:
            measure(url, *build(url, args.members, args.exchanges))
        finally:
            drop_postgres_database(url)


if __name__ == "__main__":
    main()
