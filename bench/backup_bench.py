"""Backup, restore and check benchmark: time and peak memory for a ledger of N transfers.

Not a test. It builds one timebank of 100 members with N historical exchanges (one transfer each,
through the bulk import use case), then runs each step in a fresh process of its own, so that the
peak memory printed is the step's and not the build's: ``timebank check`` as the command runs it
(SQLite's integrity check, then the ledger's checks with transfers streamed in posting order), the
ledger's checks alone over that stream and over a list of every transfer (what they would cost
given a list), ``timebank backup`` and ``timebank restore``. A process
that only imports timebank is measured too, as the floor under every figure.

    python bench/backup_bench.py                          # 100,000 transfers on SQLite
    python bench/backup_bench.py --transfers 1000000
    python bench/backup_bench.py --backend postgresql     # a fresh PostgreSQL database, then dropped
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ledger_bench import (  # type: ignore[import-not-found]
    drop_postgres_database,
    fresh_postgres_database,
    import_rows,
    make_timebank,
)

STEPS = ("imports", "check", "invariants-streamed", "invariants-list", "backup", "restore")


def peak_mebibytes() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the parent)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build(url: str, transfers: int) -> None:
    from timebank.db import make_engine, upgrade
    from timebank.exchanges.imports import import_exchanges
    from timebank.people.callers import Caller

    upgrade(url)
    timebank_id, account_ids = make_timebank(url, 100)
    engine = make_engine(url)
    began = time.perf_counter()
    # In chunks: the import checks every row first, and holds a chunk's rows while it does.
    for start in range(0, transfers, 50_000):
        rows = import_rows(account_ids, min(50_000, transfers - start))
        import_exchanges(engine, timebank_id, Caller.coordinator_of(timebank_id), rows)
    engine.dispose()
    print(f"{'built':24} {transfers:,} transfers in {time.perf_counter() - began:.1f} s")


def step(name: str, url: str, folder: Path) -> None:
    """One step, in this (fresh) process; prints its seconds and this process's peak memory."""
    from timebank.db import make_engine
    from timebank.db.backup import back_up, restore
    from timebank.db.checks import check_database
    from timebank.db.unit_of_work import run
    from timebank.ledger import invariants

    began = time.perf_counter()
    said = ""
    if name == "check":
        engine = make_engine(url)
        said = f"{len(check_database(engine).problems)} problem(s)"
        engine.dispose()
    elif name.startswith("invariants-"):
        # The ledger's checks alone (no integrity check), over a stream or over a list.
        engine = make_engine(url)

        def every_timebank(uow):  # type: ignore[no-untyped-def]
            problems = []
            for timebank_id in uow.timebanks.all_ids():
                accounts = uow.accounts.all_in_timebank(timebank_id)
                if name == "invariants-list":
                    problems += invariants.check_all(accounts, uow.transfers.all_in_timebank(timebank_id))
                else:
                    stream = uow.transfers.in_posting_order(timebank_id)
                    problems += invariants.check_all_in_posting_order(accounts, stream)
            return problems

        said = f"{len(run(engine, every_timebank, write=False, snapshot=True))} problem(s)"
        engine.dispose()
    elif name == "backup":
        target = folder / ("backup.dump" if url.startswith("postgresql") else "backup.sqlite3")
        result = back_up(url, target, force=True)
        said = f"{result.size_bytes / 2**20:.1f} MiB, {len(result.check.problems)} problem(s)"
    elif name == "restore":
        if url.startswith("postgresql"):
            restored_url = fresh_postgres_database()
            source = folder / "backup.dump"
        else:
            restored_url, source = f"sqlite:///{folder / 'restored.sqlite3'}", folder / "backup.sqlite3"
        try:
            result = restore(restored_url, source, force=True)
            said = f"{result.check.summary.transfers:,} transfers, {len(result.check.problems)} problem(s)"
        finally:
            if url.startswith("postgresql"):
                drop_postgres_database(restored_url)
    seconds = time.perf_counter() - began
    print(f"{name:24} {seconds:7.2f} s   peak {peak_mebibytes():6.0f} MiB   {said}")


def run_steps(url: str, folder: Path) -> None:
    for name in STEPS:
        subprocess.run(
            [sys.executable, __file__, "--step", name, "--url", url, "--folder", str(folder)], check=True
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--step", choices=STEPS, help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.step:
        step(arguments.step, arguments.url, arguments.folder)
        return
    with tempfile.TemporaryDirectory(prefix="backup-bench-") as folder:
        if arguments.backend == "postgresql":
            url = fresh_postgres_database()
        else:
            url = f"sqlite:///{Path(folder) / 'live.sqlite3'}"
        try:
            build(url, arguments.transfers)
            if not url.startswith("postgresql"):
                size = os.path.getsize(Path(folder) / "live.sqlite3")
                print(f"{'database file':24} {size / 2**20:.1f} MiB")
            run_steps(url, Path(folder))
        finally:
            if arguments.backend == "postgresql":
                drop_postgres_database(url)


if __name__ == "__main__":
    main()
