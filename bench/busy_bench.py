"""Expensive work under a flood: a worker's peak memory under concurrent logins, and chart renders.

Not a test: it prints figures. The server is the real thing, ``timebank serve`` with one worker in
its own process, on a fresh SQLite file, at the deployed argon2id cost (64 MiB, 3 passes: the
``TIMEBANK_PASSWORD_HASH_*`` variables the tests set are removed from the server's environment).

**Logins.** 60 clients log in at once, each with a name no one has, so every attempt is one whose
password is checked against a dummy hash (64 MiB each). The limit of failed logins per address
is raised for the server, because a real flood comes from many addresses and a single one would
stop at 30. The worker's resident memory is read before (after one warm-up login), sampled every
10 ms during the flood, and its high-water mark (``VmHWM``, reset just before) read after. The
answers are counted by status: 401 is a checked and wrong password, 503 a login refused because
the worker was already checking as many passwords as it may.

**Charts** (``--charts``). The demo timebank (200 members, a year of exchanges) is seeded
in-process; then 40 clients ask at once for a PNG chart of the reciprocity report, while one more
reads a balance every 50 ms. The slowest and the median balance read during the flood are the
figures that matter: before the bound, renders took every worker thread and the balance waited.

    python bench/busy_bench.py                              # logins (about 30 s)
    python bench/busy_bench.py --charts                     # and the chart flood
    python bench/busy_bench.py --server-pythonpath /tmp/before   # serve another copy of timebank/
"""

from __future__ import annotations

import os

# Seeding only (the chart flood's demo timebank is made in-process): cheap hashes. The server runs
# with its own environment (below), without these, so it hashes at the deployed cost.
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_PARALLELISM", "1")

import argparse
import collections
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx

HOST = "127.0.0.1"
LOGINS = 60
CHARTS = 40


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def _status_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


class Server:
    """``timebank serve --workers 1``: uvicorn serves in the process started here."""

    def __init__(self, database_url: str, log_path: Path, pythonpath: str | None) -> None:
        self.port = _free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
        env["TIMEBANK_DATABASE_URL"] = database_url
        # One address stands for the many a real flood comes from (see the module's docstring).
        env["TIMEBANK_LOGIN_FAILURES_PER_ADDRESS_MAX"] = "100000"
        if pythonpath:
            env["PYTHONPATH"] = pythonpath
        timebank = shutil.which("timebank")
        self.command = (
            [timebank] if timebank else [sys.executable, "-c", "from timebank.cli import app; app()"]
        ) + ["serve", "--host", HOST, "--port", str(self.port), "--workers", "1"]
        self.env = env
        self.log_path = log_path

    def __enter__(self) -> Server:
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.command, env=self.env, stdout=subprocess.DEVNULL, stderr=self._log, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(self.base_url + "/v1/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the server did not answer in 90 s; see {self.log_path}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def __exit__(self, *exc: object) -> None:
        # Only the process started here.
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._log.close()


def _at_once(count: int, request: Callable[[httpx.Client], int]) -> list[int]:
    """Send ``count`` requests at the same moment, each on its own connection; their statuses."""
    statuses: list[int] = [0] * count
    start = threading.Barrier(count)

    def one(index: int) -> None:
        with httpx.Client(timeout=120) as client:
            start.wait()
            try:
                statuses[index] = request(client)
            except httpx.HTTPError:
                statuses[index] = -1

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def flood_logins(server: Server) -> None:
    def log_in(client: httpx.Client) -> int:
        form = {"username": f"nobody-{uuid.uuid4().hex[:12]}", "password": "not a password at all"}
        return client.post(server.base_url + "/v1/auth/token", data=form).status_code

    with httpx.Client(timeout=60) as client:
        log_in(client)  # warm-up: the dummy hash is made once, and the login path's modules load
    time.sleep(1)
    at_rest_kib = _status_kib(server.pid, "VmRSS")
    Path(f"/proc/{server.pid}/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    sampled_kib = [at_rest_kib]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sampled_kib.append(_status_kib(server.pid, "VmRSS"))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    statuses = _at_once(LOGINS, log_in)
    elapsed = time.monotonic() - started
    done.set()
    sampler.join()
    peak_kib = _status_kib(server.pid, "VmHWM")
    print(f"{LOGINS} concurrent logins with unknown names, argon2id at the deployed cost")
    print(f"  worker RSS at rest      {at_rest_kib / 1024:7.0f} MiB")
    sampled_max_mib = max(sampled_kib) / 1024
    print(f"  worker RSS peak (HWM)   {peak_kib / 1024:7.0f} MiB   (sampled max {sampled_max_mib:.0f} MiB)")
    print(f"  answers                 {dict(sorted(collections.Counter(statuses).items()))}")
    print(f"  all answered in         {elapsed:7.2f} s")


def flood_charts(server: Server, database_url: str) -> None:
    from timebank.db import make_engine
    from timebank.demo.timebank import DEMO_PASSWORD, seed_demo
    from timebank.people.access import log_in

    engine = make_engine(database_url)
    demo = seed_demo(engine)
    token = log_in(engine, "demo-coordinator", DEMO_PASSWORD).access_token
    coordinator = {"Authorization": f"Bearer {token}"}
    engine.dispose()
    base = f"{server.base_url}/v1/timebanks/{demo.timebank_id}"
    with httpx.Client(timeout=60, headers=coordinator) as client:
        me = client.get(server.base_url + "/v1/me").json()
        balance_url = f"{base}/accounts/{me['account_id']}"
        chart_url = f"{base}/reports/reciprocity/charts/monthly"
        warm = client.get(chart_url, params={"format": "png"})  # matplotlib loads on first use
        print(f"one PNG chart alone: {warm.status_code}, {warm.elapsed.total_seconds() * 1000:.0f} ms")

    reads_ms: list[float] = []
    done = threading.Event()

    def read_balances() -> None:
        with httpx.Client(timeout=120, headers=coordinator) as client:
            while not done.is_set():
                started = time.monotonic()
                client.get(balance_url).raise_for_status()
                reads_ms.append((time.monotonic() - started) * 1000)
                time.sleep(0.05)

    def chart(client: httpx.Client) -> int:
        return client.get(chart_url, params={"format": "png"}, headers=coordinator).status_code

    reader = threading.Thread(target=read_balances)
    reader.start()
    started = time.monotonic()
    statuses = _at_once(CHARTS, chart)
    elapsed = time.monotonic() - started
    done.set()
    reader.join()
    print(f"{CHARTS} concurrent PNG charts, with a balance read every 50 ms beside them")
    print(f"  answers                 {dict(sorted(collections.Counter(statuses).items()))}")
    print(f"  all answered in         {elapsed:7.2f} s")
    print(
        f"  balance reads           {len(reads_ms)}: median {statistics.median(reads_ms):.0f} ms, "
        f"slowest {max(reads_ms):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--charts", action="store_true", help="also flood the chart renders")
    parser.add_argument("--server-pythonpath", help="serve the timebank package found here instead")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database_url = f"sqlite:///{folder}/timebank.sqlite3"
        print(f"cores: {os.cpu_count()}; server code: {arguments.server_pythonpath or 'this checkout'}")
        with Server(database_url, Path(folder) / "server.log", arguments.server_pythonpath) as server:
            flood_logins(server)
            if arguments.charts:
                flood_charts(server, database_url)


if __name__ == "__main__":
    main()
