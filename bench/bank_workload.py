"""The bank workload's long run: at least 50,000 operations and 5 SIGKILLs per database (issue 6).

Not a test, but it judges like one: it exits non-zero when any promise breaks. The harness is the one
CI runs in short (``tests/reliability``): the real ``timebank serve`` in its own process, two worker
processes, bound to 127.0.0.1, on a fresh database (a SQLite file in a temporary folder, or a
PostgreSQL database this script creates and drops); 16 concurrent clients doing exchanges on all
three recording paths, confirmations, declines, cancellations, gifts, donations, grants, reversals
and reads; the whole server SIGKILLed at random moments while writes are in flight, and restarted;
one SIGTERM under load; 5% of writes cut off by an impatient client. Every indeterminate write is
retried with its own key. The audit then counts what was lost (must be 0) and duplicated (must be
0), checks the books (zero sum, limits, counters against a replay of every transfer), and on SQLite
runs ``PRAGMA integrity_check``.

Unlike the CI run, the server hashes passwords at its deployed cost (only its four logins a run pay
for it) and runs with every default but the database URL.

    python bench/bank_workload.py                          # both databases, 50,000 operations, 5 kills
    python bench/bank_workload.py --backend sqlite --operations 5000 --kills 2   # a quick look

Figures are printed as a table and saved as JSON in bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the harness lives with the tests it also serves

from ledger_bench import drop_postgres_database, fresh_postgres_database  # noqa: E402

from tests.reliability.audit import Figures, audit  # noqa: E402
from tests.reliability.bank_world import build_bank_world  # noqa: E402
from tests.reliability.server import ServerProcess  # noqa: E402
from tests.reliability.workload import WorkloadConfig, run_workload  # noqa: E402
from timebank.db import make_engine, upgrade  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SHOWN = (
    "operations",
    "writes",
    "reads",
    "acknowledged",
    "refused",
    "indeterminate",
    "cut_writes",
    "replayed_after_cut",
    "killed_writes_committed",
    "killed_writes_not_committed",
    "unkeyed_settled_by_retry",
    "unsent_attempts",
    "busy_retries",
    "kills",
    "restarts",
    "sigterm_in_flight",
    "sigterm_answered",
    "sigterm_cut_not_committed",
    "sigterm_cut_after_commit",
    "sigterm_timed_out_by_client",
    "sigterm_exit_status",
    "lost",
    "duplicated",
    "refused_but_recorded",
    "status_mismatches",
    "balance_mismatches",
    "zero_sum_failures",
    "limit_breaches",
    "invariant_violations",
    "read_anomalies",
    "server_errors",
    "integrity",
    "elapsed_seconds",
    "operations_per_second",
)


def run_backend(backend: str, args: argparse.Namespace, scratch: Path) -> Figures:
    if backend == "sqlite":
        url, drop = f"sqlite:///{scratch / 'bank.sqlite3'}", None
    else:
        url = fresh_postgres_database()
        drop = url
    upgrade(url)
    engine = make_engine(url)
    server = ServerProcess(url, scratch / f"server-{backend}.log", workers=args.workers)
    try:
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=60) as client:
            world = build_bank_world(engine, client, members_per_timebank=args.members)
        config = WorkloadConfig(
            operations=args.operations, clients=args.clients, kills=args.kills, seed=args.seed
        )
        log = run_workload(world, server, engine, config)
        return audit(engine, world, log)
    finally:
        server.stop()
        engine.dispose()
        if drop is not None:
            drop_postgres_database(drop)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--operations", type=int, default=50_000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--members", type=int, default=12, help="members per timebank (two timebanks)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    results: dict[str, Figures] = {}
    with tempfile.TemporaryDirectory(prefix="bank-workload-") as scratch:
        for backend in backends:
            print(f"{backend}: {args.operations:,} operations, {args.kills} kills, {args.clients} clients …")
            results[backend] = run_backend(backend, args, Path(scratch))
    print(f"\n{'figure':32}" + "".join(f"{b:>16}" for b in results))
    for name in SHOWN:
        print(f"{name:32}" + "".join(f"{getattr(f, name)!s:>16}" for f in results.values()))
    for backend, figures in results.items():
        print(f"\n{backend} refusals: {figures.refusal_codes}")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    saved = RESULTS / f"bank_workload-{stamp}.json"
    saved.write_text(
        json.dumps({"args": vars(args), **{b: f.as_dict() for b, f in results.items()}}, indent=1)
    )
    print(f"\nsaved {saved.relative_to(ROOT)}")
    broken = {b: f.failures() for b, f in results.items() if f.failures()}
    if broken:
        print(f"\nBROKEN: {json.dumps(broken, indent=1)}")
        sys.exit(1)
    print("\nlost = 0 and duplicated = 0 on every database; every check held.")


if __name__ == "__main__":
    main()
