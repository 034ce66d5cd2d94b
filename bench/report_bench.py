"""Report benchmark: the reciprocity report's time and peak memory at a million exchanges.

Not a test: it prints figures. Issue 5's targets, on SQLite and on PostgreSQL, for 1,000,000
exchanges among 10,000 members (``report_data.py`` builds that timebank):

- the full report (every figure, the monthly series, JSON written) in ≤ 2 s and ≤ 500 MB;
- the report for one member in ≤ 50 ms.

Each measurement runs in a fresh process of its own, so its peak memory is its own: the figure is
the process's peak resident set (``ru_maxrss``), everything included (Python, SQLAlchemy,
numpy, scipy and the report), next to the same process's resident set just before the report
(libraries loaded, connection open). A report is timed ``--repeat`` times in that process; the
first run reads a cold cache and is shown apart from the best and the median of the rest. Time is
split into storage (the SQL and the shaping of its rows into the engine's inputs), the engine, and
writing JSON.

Windows: the API's default (the rolling 90 days up to today, ending at tomorrow's midnight), the
last 365 days, and all two years of history, ending the same day. The machine is shared and noisy:
compare figures measured in one run, not across runs.

    python bench/report_bench.py                                      # seeds both datasets first
    python bench/report_bench.py --sqlite-url sqlite:////path/report.sqlite3 \\
                                 --postgres-url postgresql+psycopg://postgres@127.0.0.1/report1m
    python bench/report_bench.py --members 1000 --exchanges 100000    # a smaller smoke run

**The Reports page** (``--page``): the coordinators' page (``/reports``) for the last 90 days (its
default) and the last 12 months, against the same budget as the report (≤ 2 s, ≤ 500 MB), measured
in a fresh process per window like the report: the whole app in-process (``TestClient``, no
network), a coordinator logged in through the login page, the page asked for ``--repeat`` times.
Its time is the server's whole answer: the report use case, the four charts drawn as SVG and made
fit to sit inline, and the template. Timed three ways after one warm-up page (the first page of a
worker also imports matplotlib; shown apart): with every chart drawn (the kept charts cleared each
time, as for a period nobody has opened), with the charts kept from the ask before (a reload, the
printable version), and the use case alone, so the rest is the page's own cost. To log in, the
benchmark adds one coordinator with a login to the dataset (``bench-report-coordinator``, once; one
member more of 10,000, with no exchanges).

    python bench/report_bench.py --page --sqlite-url sqlite:////path/report.sqlite3
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
WINDOWS = {"90 days": 90, "365 days": 365, "730 days": 730}
TARGET_SECONDS, TARGET_MEGABYTES, MEMBER_TARGET_MS = 2.0, 500, 50


def _rss_megabytes() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _busiest_and_typical(engine: Engine, timebank_id: int) -> tuple[int, int]:
    """The member account with the most exchanges, and the one at the median."""
    from timebank.db.people_tables import members
    from timebank.db.report_tables import report_account_months

    m = report_account_months.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(m.account_id, func.sum(m.exchange_count).label("n"))
            .where(m.timebank_id == timebank_id, m.account_id.in_(select(members.c.account_id)))
            .group_by(m.account_id)
            .order_by(func.sum(m.exchange_count).desc())
        ).all()
    return rows[0][0], rows[len(rows) // 2][0]


def measure_one(url: str, timebank_id: int, days: int, repeat: int, today: date) -> dict[str, Any]:
    """Time one window's report in this process; return the figures as plain JSON values."""
    from timebank.db import make_engine, run
    from timebank.people.callers import Caller
    from timebank.reporting.gc_pause import cyclic_gc_paused
    from timebank.reporting.reports import member_report, report_inputs
    from timebank.reports import build_report
    from timebank.reports.report_json import report_json

    engine = make_engine(url)
    to_on = today + timedelta(days=1)
    from_on = to_on - timedelta(days=days)
    with engine.connect() as connection:  # open the pool's connection before measuring memory
        connection.exec_driver_sql("SELECT 1")
    before_megabytes = _rss_megabytes()
    runs = []
    pairs = 0
    for _ in range(repeat):
        # As the service does (services.reports.reciprocity_report): the cyclic collector waits.
        with cyclic_gc_paused():
            began = time.perf_counter()
            inputs = run(
                engine,
                lambda uow: report_inputs(uow, timebank_id, from_on, to_on, None),
                write=False,
                snapshot=True,
            )
            stored = time.perf_counter()
            report = build_report(inputs)
            built = time.perf_counter()
        text = json.dumps(report_json(report))
        written = time.perf_counter()
        runs.append((stored - began, built - stored, written - built))
        pairs = len(inputs.pairs)
        del inputs, report, text
    figures: dict[str, Any] = {
        "window_days": days,
        "pairs": pairs,
        "rss_before_megabytes": round(before_megabytes),
        "peak_rss_megabytes": round(_rss_megabytes()),
        "runs": [[round(part, 3) for part in one] for one in runs],
    }
    if days == min(WINDOWS.values()):
        busiest, typical = _busiest_and_typical(engine, timebank_id)
        coordinator = Caller("bench:coordinator", False, timebank_id, None, None, True, frozenset())
        for name, account_id in (("busiest", busiest), ("typical", typical)):
            times = []
            for _ in range(max(repeat, 5)):
                began = time.perf_counter()
                member_report(engine, timebank_id, coordinator, account_id, from_on, to_on)
                times.append(time.perf_counter() - began)
            figures[f"member_{name}_ms"] = [round(t * 1000, 1) for t in times]
    engine.dispose()
    return figures


PAGE_WINDOWS = {"90 days": 90, "12 months": 365}
PAGE_COORDINATOR = "bench-report-coordinator"
PAGE_PASSWORD = "bench report coordinator password"


def _page_coordinator(engine: Engine, timebank_id: int) -> None:
    """A coordinator with a login to ask for the page as (added once; a second try finds it taken)."""
    from timebank.people.callers import Caller
    from timebank.people.errors import UsernameTaken
    from timebank.people.members import add_member
    from timebank.people.requests import AddMember

    request = AddMember(
        display_name="Bench Report Coordinator",
        username=PAGE_COORDINATOR,
        password=PAGE_PASSWORD,
        roles=["member", "coordinator"],
    )
    with contextlib.suppress(UsernameTaken):
        add_member(engine, timebank_id, Caller.coordinator_of(timebank_id), request)


def measure_page(url: str, timebank_id: int, days: int, repeat: int, today: date) -> dict[str, Any]:
    """Time the Reports page for one window in this process; the use case alone after it."""
    # Logging in checks a password; at the deployed cost (64 MiB of argon2id) that alone would be
    # the process's peak memory. The coordinator's password is hashed and checked cheaply instead.
    os.environ["TIMEBANK_PASSWORD_HASH_MEMORY_KIB"] = "1024"
    os.environ["TIMEBANK_PASSWORD_HASH_TIME_COST"] = "1"
    os.environ["TIMEBANK_PASSWORD_HASH_PARALLELISM"] = "1"
    from fastapi.testclient import TestClient

    from timebank.app import create_app
    from timebank.db import make_engine
    from timebank.people.callers import Caller
    from timebank.reporting.reports import reciprocity_report
    from timebank.web import report_charts

    engine = make_engine(url)
    _page_coordinator(engine, timebank_id)
    client = TestClient(create_app(engine), base_url="http://testserver")
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token, "no CSRF token on the login page"
    answer = client.post(
        "/login",
        data={"csrf_token": token.group(1), "username": PAGE_COORDINATOR, "password": PAGE_PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text[:300]
    from_on = today - timedelta(days=days - 1)
    address = f"/reports?period=dates&from={from_on.isoformat()}&to={today.isoformat()}"

    def ask() -> float:
        began = time.perf_counter()
        page = client.get(address)
        seconds = time.perf_counter() - began
        assert page.status_code == 200, page.text[:500]
        assert "Headline figures" in page.text
        return seconds

    # A week's page first: the first page of a process also imports matplotlib, loads its fonts and
    # compiles the templates, once in a worker's life; that is timed apart ("first in process").
    began = time.perf_counter()
    warm_up = client.get(f"/reports?period=dates&from={(today - timedelta(days=6)).isoformat()}&to={today}")
    first_in_process = time.perf_counter() - began
    assert warm_up.status_code == 200
    before_megabytes = _rss_megabytes()
    drawn = []
    for _ in range(repeat):
        report_charts._drawn.clear()  # every chart drawn, as for a period nobody has opened yet
        drawn.append(ask())
    kept = [ask() for _ in range(repeat)]  # the charts kept from the last ask
    size = len(client.get(address).content)
    caller = Caller.coordinator_of(timebank_id)
    reports = []
    for _ in range(repeat):
        began = time.perf_counter()
        reciprocity_report(engine, timebank_id, caller, from_on, today + timedelta(days=1))
        reports.append(time.perf_counter() - began)
    engine.dispose()
    return {
        "window_days": days,
        "first_in_process_seconds": round(first_in_process, 3),
        "rss_before_megabytes": round(before_megabytes),
        "peak_rss_megabytes": round(_rss_megabytes()),
        "charts_drawn_seconds": [round(t, 3) for t in drawn],
        "charts_kept_seconds": [round(t, 3) for t in kept],
        "report_seconds": [round(t, 3) for t in reports],
        "html_kilobytes": round(size / 1024, 1),
    }


def page_benchmark(urls: dict[str, str], repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for backend, url in urls.items():
        timebank_id, last_on = _dataset(url)
        # The page refuses a period ending after today; a dataset seeded on an earlier day is read
        # as if today were the day after its last activity, as the report's windows are.
        today = min(date.today(), last_on + timedelta(days=1))
        for name, days in PAGE_WINDOWS.items():
            figures = _measure_in_child(url, timebank_id, days, repeat, today, page=True)
            results[f"{backend} {name}"] = figures
            print(f"  measured the page, {backend} {name}", file=sys.stderr)
    return results


def print_page_table(results: dict[str, Any]) -> None:
    print(
        f"\n{'Reports page':18}{'charts drawn s':>16}{'charts kept s':>15}{'report alone s':>16}"
        f"{'1st in process s':>18}{'HTML':>10}{'peak RSS':>10}"
        f"  target ≤ {TARGET_SECONDS:g} s, ≤ {TARGET_MEGABYTES} MB"
    )
    for name, r in results.items():
        drawn, kept, reports = r["charts_drawn_seconds"], r["charts_kept_seconds"], r["report_seconds"]
        ok = min(drawn) <= TARGET_SECONDS and r["peak_rss_megabytes"] <= TARGET_MEGABYTES
        print(
            f"{name:18}{_best_median(drawn):>16}{_best_median(kept):>15}{_best_median(reports):>16}"
            f"{r['first_in_process_seconds']:>18.2f}{r['html_kilobytes']:>7} KB"
            f"{r['peak_rss_megabytes']:>7} MB"
            f"  {'met' if ok else 'MISSED'} (charts drawn)"
        )
    print("(best / median; 'charts kept': the same period again, its charts drawn already)")


def _best_median(times: list[float]) -> str:
    return f"{min(times):.2f} / {statistics.median(times):.2f}"


def _measure_in_child(
    url: str, timebank_id: int, days: int, repeat: int, today: date, *, page: bool = False
) -> dict[str, Any]:
    command = [
        sys.executable,
        __file__,
        *(["--page"] if page else []),
        "--one",
        url,
        "--timebank",
        str(timebank_id),
        "--days",
        str(days),
        "--repeat",
        str(repeat),
        "--today",
        today.isoformat(),
    ]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _dataset(url: str) -> tuple[int, date]:
    """The timebank with the most exchanges in the database, and its last activity date."""
    from timebank.db import make_engine
    from timebank.db.tables import exchanges

    engine = make_engine(url)
    with engine.connect() as connection:
        timebank_id, last_on = connection.execute(
            select(exchanges.c.timebank_id, func.max(exchanges.c.activity_date))
            .group_by(exchanges.c.timebank_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    engine.dispose()
    return int(timebank_id), last_on


def _summary(figures: dict[str, Any]) -> dict[str, Any]:
    totals = [sum(one) for one in figures["runs"]]
    warm = totals[1:] or totals
    best = totals.index(min(warm), 1 if len(totals) > 1 else 0)
    return {
        "cold_seconds": totals[0],
        "best_seconds": totals[best],
        "median_seconds": statistics.median(warm),
        "best_split": figures["runs"][best],
        "peak_rss_megabytes": figures["peak_rss_megabytes"],
        "rss_before_megabytes": figures["rss_before_megabytes"],
        "pairs": figures["pairs"],
    }


def benchmark(urls: dict[str, str], repeat: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for backend, url in urls.items():
        timebank_id, last_on = _dataset(url)
        # The API's default window ends at tomorrow's midnight; a dataset seeded on an earlier day
        # is read as if today were the day after its last activity.
        today = max(last_on + timedelta(days=1), date.today())
        for name, days in WINDOWS.items():
            figures = _measure_in_child(url, timebank_id, days, repeat, today)
            results[f"{backend} {name}"] = {**_summary(figures), **figures}
            print(f"  measured {backend} {name}", file=sys.stderr)
    return results


def print_table(results: dict[str, Any]) -> None:
    print(
        f"\n{'report':22}{'pairs':>9}{'cold s':>8}{'best s':>8}{'median s':>10}"
        f"{'  storage/engine/json s':>24}{'RSS before':>12}{'peak RSS':>10}  target"
    )
    for name, r in results.items():
        split = "/".join(f"{part:.2f}" for part in r["best_split"])
        ok = r["best_seconds"] <= TARGET_SECONDS and r["peak_rss_megabytes"] <= TARGET_MEGABYTES
        print(
            f"{name:22}{r['pairs']:>9,}{r['cold_seconds']:>8.2f}{r['best_seconds']:>8.2f}"
            f"{r['median_seconds']:>10.2f}{split:>24}{r['rss_before_megabytes']:>10} MB"
            f"{r['peak_rss_megabytes']:>7} MB  {'met' if ok else 'MISSED'}"
        )
    print(f"\n{'member report':22}{'best ms':>9}{'median ms':>11}  target ≤ {MEMBER_TARGET_MS} ms")
    for name, r in results.items():
        for who in ("busiest", "typical"):
            times = r.get(f"member_{who}_ms")
            if times:
                label = f"{name.split()[0]} {who}"
                met = "met" if min(times) <= MEMBER_TARGET_MS else "MISSED"
                print(f"{label:22}{min(times):>9.1f}{statistics.median(times):>11.1f}  {met}")


def _seed(backend: str, members: int, exchanges: int, folder: Path) -> str:
    sys.path.insert(0, str(ROOT / "bench"))
    from ledger_bench import fresh_postgres_database  # type: ignore[import-not-found]
    from report_data import seed_report_dataset  # type: ignore[import-not-found]

    from timebank.db import upgrade

    url = fresh_postgres_database() if backend == "postgresql" else f"sqlite:///{folder / 'report.sqlite3'}"
    upgrade(url)
    print(f"  seeding {backend}: {members:,} members, {exchanges:,} exchanges …", file=sys.stderr)
    seed_report_dataset(url, members, exchanges)
    return url


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sqlite-url")
    parser.add_argument("--postgres-url")
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=4)
    parser.add_argument("--page", action="store_true", help="time the Reports page (given URLs only)")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    parser.add_argument("--timebank", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--days", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--today", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        measure = measure_page if args.page else measure_one
        figures = measure(args.one, args.timebank, args.days, args.repeat, date.fromisoformat(args.today))
        print(json.dumps(figures))
        return
    if args.page:
        given = {"sqlite": args.sqlite_url, "postgresql": args.postgres_url}
        urls = {backend: url for backend, url in given.items() if url}
        if not urls:
            parser.error("--page measures existing datasets: give --sqlite-url or --postgres-url")
        results = page_benchmark(urls, args.repeat)
        print_page_table(results)
        RESULTS.mkdir(parents=True, exist_ok=True)
        path = RESULTS / f"report_page_bench_{time.strftime('%Y%m%d_%H%M%S')}.json"
        path.write_text(json.dumps(results, indent=2, default=str))
        print(f"\nsaved {path.relative_to(ROOT)}")
        return
    with tempfile.TemporaryDirectory(prefix="timebank_report_bench_") as scratch:
        urls = {
            "sqlite": args.sqlite_url or _seed("sqlite", args.members, args.exchanges, Path(scratch)),
            "postgresql": args.postgres_url
            or _seed("postgresql", args.members, args.exchanges, Path(scratch)),
        }
        try:
            results = benchmark(urls, args.repeat)
        finally:
            if not args.postgres_url:
                from ledger_bench import drop_postgres_database

                drop_postgres_database(urls["postgresql"])
    print_table(results)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"report_bench_{time.strftime('%Y%m%d_%H%M%S')}.json"
    path.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nsaved {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
