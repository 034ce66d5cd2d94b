"""Page benchmark: how fast the member pages answer under 16 members at once, and how much they weigh.

Not a test: it prints figures. The server is the real thing, ``timebank serve`` in its own process,
bound to 127.0.0.1, one worker by default, at the deployed argon2id cost (the ``TIMEBANK_*``
variables of this process are removed from the server's environment), on the demo timebank
(``timebank.demo.timebank.seed_demo``: 200 members, a year of exchanges), seeded in-process on a
fresh SQLite file, or on a fresh PostgreSQL database made (and dropped) on ``--postgres-url``.

**Who visits.** The demo has three logins (demo-member, demo-coordinator, demo-staff). For the
benchmark only, 13 more members with logins are added through the use cases (``bench-member-01``
...), each with 40 days of exchanges given and received in a ring among them, so each statement has
about 80 lines, close to what demo-member's has. Each of the 16 logs in through the page
(``GET /login`` for the CSRF token, ``POST /login``) and keeps its own session cookie.

**Speed.** For each page (``/``, ``/record``, ``/statement``) in turn, 16 threads, one per session,
each with its own ``httpx.Client`` (keep-alive), ask for the page ``--rounds`` times as fast as the
answers come, after one warm-up request each. The times are client-side round trips on loopback
(from sending the request to reading the whole answer), so they include the client's own share of
a 2-core machine; requests per second is the phase's count over its wall time. A page that does not
answer 200 (``/statement`` before it lands answers 404) is reported with its status and not timed.

**Weight.** The home page's HTML and what it loads (``/static/timebank.css``,
``/static/govuk-frontend.min.js``, ``/static/init.js``), raw and gzip-compressed at level 6 as a
server would compress them; the target is under 100 KB compressed. Whether the server compresses
is read from its answer to ``Accept-Encoding: gzip``.

**Lighthouse** (``--lighthouse``). Lighthouse (``npm install --prefix /tmp/lh lighthouse``) runs
against Debian's Chromium (``--headless=new --no-sandbox``) on each page with a logged-in session
cookie (``--extra-headers``), with its default mobile emulation and simulated throttling, and the
accessibility and performance scores are printed. Skipped, with a message, when it is not found.

    python bench/page_bench.py                                  # SQLite, 20 rounds (about 2 minutes)
    python bench/page_bench.py --rounds 5 --lighthouse          # and Lighthouse
    python bench/page_bench.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/page_bench.py --coordinators                   # the coordinators' and staff's pages

**Coordinators' pages** (``--coordinators``). The 13 bench members are made coordinators and staff
of the demo's first organisation, and the 16 sessions ask for the pages a coordinator runs the
timebank from: the members list, one member's page (demo-member's), the waiting list, the Reports
page (the default 90 days: its charts are drawn on the first request of the phase and kept after),
the audit log, settings, organisations, and the activities of the organisation. The weight printed
is each page's HTML.
"""

from __future__ import annotations

import os

# Seeding only: the logins made in-process get cheap hashes. The server runs with its own
# environment (below), without these, so it verifies (and rehashes) at the deployed cost.
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_PARALLELISM", "1")

import argparse
import contextlib
import gzip
import json
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from timebank.clock import utc_now
from timebank.db import make_engine, run, upgrade
from timebank.demo.timebank import DEMO_PASSWORD, HELP_ACTIVITIES, seed_demo
from timebank.exchanges.imports import ImportRow, import_exchanges
from timebank.people.callers import Caller
from timebank.people.errors import UsernameTaken
from timebank.people.members import add_member
from timebank.people.organisations import add_staff, list_organisations
from timebank.people.requests import AddMember, AddStaff

HOST = "127.0.0.1"
PAGES = ("/", "/record", "/statement")
COORDINATOR_PAGES = (
    "/members",
    "/members/{demo_member}",
    "/waiting",
    "/reports",
    "/audit",
    "/settings",
    "/organisations",
    "/activities",
)
HOME_ASSETS = ("/static/timebank.css", "/static/govuk-frontend.min.js", "/static/init.js")
DEMO_LOGINS = ("demo-member", "demo-coordinator", "demo-staff")
HOME_TARGET_BYTES = 100 * 1024
SESSION_COOKIE = "timebank_session"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# --- the database ------------------------------------------------------------------------------


def seed(url: str, clients: int, *, coordinators: bool = False) -> tuple[list[str], int]:
    """Migrate, seed the demo, add bench members with logins: the usernames to log in as, and
    demo-member's member id."""
    upgrade(url)
    engine = make_engine(url)
    try:
        demo = seed_demo(engine)
        tb = demo.timebank_id
        coordinator = Caller.coordinator_of(tb, "system:page-bench")
        usernames = list(DEMO_LOGINS[:clients])
        accounts: list[int] = []
        first_organisation = list_organisations(engine, tb, coordinator).organisations[0].organisation_id
        for index in range(1, clients - len(usernames) + 1):
            username = f"bench-member-{index:02d}"
            request = AddMember(
                display_name=f"Bench Member {index:02d}",
                username=username,
                password=DEMO_PASSWORD,
                roles=["member", "coordinator"] if coordinators else ["member"],
            )
            with contextlib.suppress(UsernameTaken):  # seeded by an earlier run on this file
                added = add_member(engine, tb, coordinator, request)
                accounts.append(added.account_id)
                if coordinators:
                    staff = AddStaff(member_id=added.member_id)
                    add_staff(engine, tb, coordinator, first_organisation, staff)
            usernames.append(username)
        if len(accounts) > 1:
            import_exchanges(engine, tb, coordinator, ring_of_exchanges(accounts))
        found = run(engine, lambda uow: uow.recovery.member_of_username("demo-member"), write=False)
        assert found is not None, "the demo has demo-member"
        return usernames, found[1]
    finally:
        engine.dispose()


def ring_of_exchanges(accounts: list[int], days: int = 40) -> list[ImportRow]:
    """Each day every bench member gives an hour to another: balances end each day where they began."""
    today = utc_now().date()
    rows = []
    for day in range(days):
        shift = 1 + day % (len(accounts) - 1)
        description, category = HELP_ACTIVITIES[day % len(HELP_ACTIVITIES)]
        on = today - timedelta(days=days - day)
        for index, giver in enumerate(accounts):
            receiver = accounts[(index + shift) % len(accounts)]
            rows.append(ImportRow(giver, receiver, 60, on, description, category))
    return rows


@contextlib.contextmanager
def fresh_postgres(admin_url: str) -> Iterator[str]:
    name = f"timebank_page_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# --- the server --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def server(database_url: str, workers: int, log_path: Path) -> Iterator[str]:
    """``timebank serve`` in its own process group; yields its base URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    env["TIMEBANK_DATABASE_URL"] = database_url
    port = free_port()
    base_url = f"http://{HOST}:{port}"
    timebank = shutil.which("timebank")
    command = [timebank] if timebank else [sys.executable, "-c", "from timebank.cli import app; app()"]
    command += ["serve", "--host", HOST, "--port", str(port), "--workers", str(workers)]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True
        )
        try:
            deadline = time.monotonic() + 90
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"the server exited; see {log_path}")
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(base_url + "/v1/health", timeout=2).status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"the server did not answer in 90 s; see {log_path}")
                time.sleep(0.3)
            yield base_url
        finally:
            # Only the process started here (uvicorn stops its own workers on SIGINT).
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def log_in(base_url: str, username: str) -> httpx.Client:
    """A client holding a session of its own, logged in through the login page."""
    client = httpx.Client(base_url=base_url, timeout=60)
    page = client.get("/login")
    found = _CSRF.search(page.text)
    assert found, "the login page has a CSRF token"
    data = {"csrf_token": found.group(1), "username": username, "password": DEMO_PASSWORD}
    answer = client.post("/login", data=data)
    if answer.status_code != 303 or SESSION_COOKIE not in client.cookies:
        raise RuntimeError(f"{username} could not log in: {answer.status_code} {answer.text[:200]}")
    return client


# --- speed -------------------------------------------------------------------------------------


@dataclass
class PageTimes:
    page: str
    status: int
    milliseconds: list[float] = field(default_factory=list)
    errors: int = 0
    wall_seconds: float = 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.milliseconds)
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def time_page(clients: list[httpx.Client], page: str, rounds: int) -> PageTimes:
    statuses = {client.get(page).status_code for client in clients}  # the warm-up, and a look
    status = 200 if statuses == {200} else min(s for s in statuses if s != 200)
    times = PageTimes(page, status)
    if status != 200:
        return times
    start = threading.Barrier(len(clients) + 1)
    lock = threading.Lock()

    def visit(client: httpx.Client) -> None:
        mine: list[float] = []
        errors = 0
        start.wait()
        for _ in range(rounds):
            began = time.perf_counter()
            answer = client.get(page)
            mine.append((time.perf_counter() - began) * 1000)
            errors += answer.status_code != 200
        with lock:
            times.milliseconds += mine
            times.errors += errors

    threads = [threading.Thread(target=visit, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    times.wall_seconds = time.perf_counter() - began
    return times


def print_speed(results: list[PageTimes], clients: int, rounds: int) -> None:
    print(f"\nSpeed: {clients} sessions at once, {rounds} requests each per page")
    print("(client-side round trip on loopback, whole answer read; the client shares the machine)")
    print(f"  {'page':<16}{'status':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'req/s':>9}{'errors':>8}")
    for r in results:
        if r.status != 200:
            print(f"  {r.page:<16}{r.status:>7}   not timed: the page answered {r.status}")
            continue
        rate = len(r.milliseconds) / r.wall_seconds
        row = f"{r.percentile(50):>9.1f}{r.percentile(95):>9.1f}{max(r.milliseconds):>9.1f}{rate:>9.1f}"
        print(f"  {r.page:<16}{r.status:>7}{row}{r.errors:>8}")


# --- weight ------------------------------------------------------------------------------------


def print_page_weights(client: httpx.Client, pages: list[str]) -> None:
    print("\nWeight of each page's HTML (gzip level 6 shown for comparison; pages are sent uncompressed):")
    for path in pages:
        answer = client.get(path)
        size, packed = len(answer.content), len(gzip.compress(answer.content, compresslevel=6))
        print(f"  {path:<34}{size:>11,}{packed:>12,}  (status {answer.status_code})")


def print_weight(client: httpx.Client) -> None:
    print("\nWeight (gzip level 6, as a server would compress):")
    print(f"  {'resource':<34}{'raw bytes':>11}{'gzip bytes':>12}")
    total_raw = total_gzip = 0
    for path in ("/", *HOME_ASSETS):
        answer = client.get(path)
        body = answer.content
        packed = len(gzip.compress(body, compresslevel=6))
        note = "" if answer.status_code == 200 else f"  (answered {answer.status_code})"
        print(f"  {path:<34}{len(body):>11,}{packed:>12,}{note}")
        total_raw += len(body)
        total_gzip += packed
    verdict = "under" if total_gzip < HOME_TARGET_BYTES else "OVER"
    print(f"  {'home, all together':<34}{total_raw:>11,}{total_gzip:>12,}")
    print(f"  home compressed: {total_gzip / 1024:.1f} KiB, {verdict} the 100 KiB target")
    for path in PAGES[1:]:
        answer = client.get(path)
        size, packed = len(answer.content), len(gzip.compress(answer.content, compresslevel=6))
        print(f"  {path + ' (HTML only)':<34}{size:>11,}{packed:>12,}  (status {answer.status_code})")
    encodings = {
        path: client.get(path, headers={"Accept-Encoding": "gzip"}).headers.get("content-encoding", "none")
        for path in ("/", HOME_ASSETS[0])
    }
    said = ", ".join(f"{path} → Content-Encoding: {value}" for path, value in encodings.items())
    print(f"  Does the server compress? Asked with Accept-Encoding: gzip: {said}")


# --- Lighthouse --------------------------------------------------------------------------------


def lighthouse_command(given: str | None) -> list[str] | None:
    for candidate in (given, shutil.which("lighthouse"), "/tmp/lh/node_modules/.bin/lighthouse"):
        if candidate and Path(candidate).exists():
            return [candidate]
    npx = shutil.which("npx")
    if npx:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            probe = subprocess.run(
                [npx, "--no-install", "lighthouse", "--version"], capture_output=True, timeout=60
            )
            if probe.returncode == 0:
                return [npx, "--no-install", "lighthouse"]
    return None


def run_lighthouse(
    base_url: str, cookie: str, chrome: str, given: str | None, statuses: dict[str, int]
) -> None:
    print("\nLighthouse (default mobile emulation, simulated throttling):")
    command = lighthouse_command(given)
    if command is None:
        print(
            "  skipped: lighthouse not found (npm install --prefix /tmp/lh lighthouse, or --lighthouse-bin)"
        )
        return
    if not Path(chrome).exists():
        print(f"  skipped: no Chromium at {chrome} (--chrome)")
        return
    env = dict(os.environ, CHROME_PATH=chrome)
    print(f"  {'page':<12}{'accessibility':>14}{'performance':>13}  FCP, LCP, TBT, CLS")
    with tempfile.TemporaryDirectory() as folder:
        for page in PAGES:
            if statuses[page] != 200:
                print(f"  {page:<12}  skipped: the page answered {statuses[page]}")
                continue
            report = Path(folder) / "report.json"
            args = [
                f"{base_url}{page}",
                "--quiet",
                "--output=json",
                f"--output-path={report}",
                "--only-categories=accessibility,performance",
                "--chrome-flags=--headless=new --no-sandbox",
                "--extra-headers=" + json.dumps({"Cookie": f"{SESSION_COOKIE}={cookie}"}),
            ]
            try:
                done = subprocess.run(command + args, env=env, capture_output=True, text=True, timeout=300)
            except subprocess.TimeoutExpired:
                print(f"  {page:<12}  lighthouse took over 300 s")
                continue
            if done.returncode != 0 or not report.exists():
                print(f"  {page:<12}  lighthouse failed: {(done.stderr or done.stdout).strip()[-300:]}")
                continue
            print_lighthouse_row(page, json.loads(report.read_text()))


def print_lighthouse_row(page: str, found: dict[str, Any]) -> None:
    categories, audits = found["categories"], found["audits"]
    final = found.get("finalDisplayedUrl") or found.get("finalUrl", "")
    scores = [categories[name]["score"] for name in ("accessibility", "performance")]
    shown = ["n/a" if s is None else str(round(s * 100)) for s in scores]
    metrics = ", ".join(
        audits[name].get("displayValue", "n/a")
        for name in (
            "first-contentful-paint",
            "largest-contentful-paint",
            "total-blocking-time",
            "cumulative-layout-shift",
        )
    )
    print(f"  {page:<12}{shown[0]:>14}{shown[1]:>13}  {metrics}")
    if final.endswith("/login"):
        print("    (sent to /login: the session cookie was not taken)")
    failing = [
        audit_id
        for audit_id in (ref["id"] for ref in categories["accessibility"]["auditRefs"])
        if audits[audit_id].get("score") == 0
    ]
    for audit_id in failing:
        items = audits[audit_id].get("details", {}).get("items", [])
        print(f"    accessibility audit failed: {audit_id}, {len(items)} element(s), such as:")
        for item in items[:3]:
            node = item.get("node", {})
            reason = node.get("explanation", "").splitlines()[-1:] or [""]
            print(f"      {node.get('selector', '?')}: {reason[0].strip()[:230]}")


# --- the run -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sqlite", type=Path, help="the SQLite file to use [default: a fresh one]")
    parser.add_argument(
        "--postgres-url", help="a PostgreSQL server: a fresh database is made on it and dropped"
    )
    parser.add_argument("--clients", type=int, default=16, help="sessions at once (at least 3)")
    parser.add_argument("--rounds", type=int, default=20, help="requests per session per page")
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    parser.add_argument("--lighthouse", action="store_true", help="also run Lighthouse on each page")
    parser.add_argument(
        "--lighthouse-bin", help="the lighthouse command [default: found on PATH or in /tmp/lh]"
    )
    parser.add_argument("--chrome", default="/usr/bin/chromium", help="Chromium for Lighthouse")
    parser.add_argument(
        "--coordinators", action="store_true", help="time the coordinators' and staff's pages instead"
    )
    args = parser.parse_args()
    assert args.clients >= len(DEMO_LOGINS), "the demo's own logins come first"

    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="page-bench-")))
        if args.postgres_url:
            url = stack.enter_context(fresh_postgres(args.postgres_url))
        else:
            url = f"sqlite:///{(args.sqlite or folder / 'bench.sqlite3').resolve()}"
        shown_url = make_url(url).render_as_string(hide_password=True)
        began = time.perf_counter()
        usernames, demo_member = seed(url, args.clients, coordinators=args.coordinators)
        print(f"Database: {shown_url}; seeded in {time.perf_counter() - began:.0f} s")
        base_url = stack.enter_context(server(url, args.workers, folder / "server.log"))
        print(f"Server: timebank serve, {args.workers} worker(s), at {base_url}")
        began = time.perf_counter()
        clients = [log_in(base_url, username) for username in usernames]
        for client in clients:
            stack.callback(client.close)
        print(f"Logged in {len(clients)} sessions through /login in {time.perf_counter() - began:.1f} s")
        print(f"  as {', '.join(usernames[:4])} ... {usernames[-1]}")

        if args.coordinators:
            # demo-coordinator's session first: the demo's member and staff logins are no coordinators.
            pages = [page.format(demo_member=demo_member) for page in COORDINATOR_PAGES]
            coordinator_clients = [clients[1], *clients[len(DEMO_LOGINS) :]]
            results = [time_page(coordinator_clients, page, args.rounds) for page in pages]
            print_speed(results, len(coordinator_clients), args.rounds)
            print_page_weights(coordinator_clients[0], pages)
            return
        results = [time_page(clients, page, args.rounds) for page in PAGES]
        print_speed(results, len(clients), args.rounds)
        print_weight(clients[0])
        if args.lighthouse:
            cookie = clients[0].cookies[SESSION_COOKIE]
            run_lighthouse(
                base_url, cookie, args.chrome, args.lighthouse_bin, {r.page: r.status for r in results}
            )


if __name__ == "__main__":
    main()
