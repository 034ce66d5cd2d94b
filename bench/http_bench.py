"""HTTP benchmark: the API as a whole, under load, beside pgbench measured in the same run.

Not a test. The machine is shared and noisy, so the figure that matters is a ratio to a baseline
measured moments before on the same machine:

- exchanges recorded through the API with 16 clients  ≥ 0.33 × pgbench tpcb-like TPS at 16 clients

The server is the real thing, ``timebank serve`` in its own process, bound to 127.0.0.1 only, with as
many workers as cores and default settings (only the database URL is set), on a fresh PostgreSQL
database that this script creates and drops. It is seeded through the API: a timebank, 16
coordinators with logins and 1,000 members whose floors are the lowest allowed, so no exchange is
refused for credit. The load comes from a second process: one asyncio loop keeping 16 keep-alive
connections busy, each with a coordinator's bearer token, spread evenly over the workers (see
``Placement``). By default it speaks HTTP/1.1 itself over asyncio streams, so that on a 2-core machine
the load generator takes as little CPU as possible from the server; ``--client httpx`` uses
``httpx.AsyncClient`` instead.

An exchange is a coordinator recording help between two random members (it posts at once), with a
fresh ``Idempotency-Key``; a balance read is ``GET /v1/timebanks/{tb}/accounts/{id}``. Each workload
runs for a warm-up (not counted), then for a fixed window; only 2xx answers count as successes,
everything else is reported as an error. Latency is measured by the client, from sending a request to
reading its answer. The "cores busy" columns say where the CPU went during the window: the server's
workers, the PostgreSQL backends serving this database, the load generator, and the whole machine
(the rest is other tenants). ``--ladder`` then sends one request at a time to endpoints that add one
layer each (HTTP only, + the token lookup, + a balance read, + an exchange) and prints the server's
and the database's CPU per request.

    python bench/http_bench.py                           # PostgreSQL, 20 s windows (about 2 minutes)
    python bench/http_bench.py --sqlite --ladder         # also SQLite (1 worker) and the ladder (~5 min)
    python bench/http_bench.py --seconds 5 --warmup 2    # a smoke run
    python bench/http_bench.py --py-spy /tmp/profile     # sample the workers' GIL holder (perturbs)
    python bench/http_bench.py --server-pythonpath /tmp/before   # serve another copy of timebank/

Results are printed and saved as JSON in bench/results/ (git-ignored).
"""

from __future__ import annotations

import os

# Seeding only: the admin this script creates in-process gets a cheap password hash. The server
# runs with its own environment (below), so it hashes and verifies at the default cost.
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_PARALLELISM", "1")

import argparse
import asyncio
import collections
import contextlib
import json
import multiprocessing as mp
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from ledger_bench import (
    drop_postgres_database,
    fresh_postgres_database,
    pgbench_tps,
)
from sqlalchemy.engine import make_url

from timebank.db import make_engine
from timebank.people.access import create_admin

HOST = "127.0.0.1"
RESULTS = Path(__file__).resolve().parent / "results"
ADMIN_USERNAME = "bench-admin"
ADMIN_PASSWORD = "bench-admin-password"
COORDINATOR_PASSWORD = "bench-coordinator-password"
FLOOR_MINUTES = -527_040  # the lowest floor allowed: no exchange is ever refused for credit
TARGET_RATIO = 0.33


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found += [int(p) for p in (task / "children").read_text().split()]
    return found


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


class Server:
    """``timebank serve`` in its own process group, default settings but for the database URL."""

    def __init__(
        self, database_url: str, workers: int, log_path: Path, pythonpath: str | None = None
    ) -> None:
        self.database_url = database_url
        self.pythonpath = pythonpath
        self.workers = workers
        self.port = free_port()
        self.base_url = f"http://{HOST}:{self.port}"
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
        env["TIMEBANK_DATABASE_URL"] = self.database_url
        if self.pythonpath:
            # Serve another copy of the code (say, before a change), found ahead of the installed one.
            env["PYTHONPATH"] = self.pythonpath
        timebank = shutil.which("timebank")
        command = (
            [timebank] if timebank else [sys.executable, "-c", "from timebank.cli import app; app()"]
        ) + ["serve", "--host", HOST, "--port", str(self.port), "--workers", str(self.workers)]
        self._log = self.log_path.open("wb")
        # The access log goes to stdout, as in production; it is formatted either way.
        self.process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, stderr=self._log, start_new_session=True
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited; see {self.log_path}")
            try:
                if httpx.get(self.base_url + "/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError(f"the server did not answer in 90 s; see {self.log_path}")
        # With several workers uvicorn supervises spawned children; with one it serves in-process.
        deadline = time.monotonic() + 30
        while self.workers > 1 and len(self.worker_pids()) < self.workers and time.monotonic() < deadline:
            time.sleep(0.3)
        return self

    def worker_pids(self) -> list[int]:
        assert self.process is not None
        if self.workers == 1:
            return [self.process.pid]
        return [
            pid
            for pid in _children(self.process.pid)
            if "spawn_main" in _cmdline(pid) and "resource_tracker" not in _cmdline(pid)
        ]

    def __exit__(self, *exc: object) -> None:
        assert self.process is not None
        # Only the process started here (uvicorn stops its own workers on SIGINT).
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self._log.close()


# --- seeding through the API ------------------------------------------------------------------


@dataclass
class Seeded:
    timebank_id: int
    account_ids: list[int]
    tokens: list[str]  # one per coordinator


def _check(response: httpx.Response, status: int) -> Any:
    if response.status_code != status:
        raise RuntimeError(
            f"{response.request.method} {response.request.url}: {response.status_code} {response.text[:300]}"
        )
    return response.json()


def _log_in(client: httpx.Client, username: str, password: str) -> str:
    body = _check(client.post("/v1/auth/token", data={"username": username, "password": password}), 200)
    token: str = body["access_token"]
    return token


def seed(server: Server, members: int, coordinators: int) -> Seeded:
    """An admin (in-process, cheap hash), then through the API: a timebank, coordinators with logins
    (hashed by the server at its default cost), and members without logins, floors at the minimum."""
    engine = make_engine(server.database_url)
    create_admin(engine, ADMIN_USERNAME, ADMIN_PASSWORD)
    engine.dispose()
    with httpx.Client(base_url=server.base_url, timeout=60) as client:
        admin = {"Authorization": f"Bearer {_log_in(client, ADMIN_USERNAME, ADMIN_PASSWORD)}"}
        tb = _check(client.post("/v1/timebanks", json={"name": "http bench"}, headers=admin), 201)["id"]

        def add(i: int, coordinator: bool) -> int:
            body: dict[str, Any] = {"display_name": f"member {i}", "floor_minutes": FLOOR_MINUTES}
            if coordinator:
                body |= {
                    "display_name": f"coordinator {i}",
                    "username": f"coordinator-{i}",
                    "password": COORDINATOR_PASSWORD,
                    "roles": ["member", "coordinator"],
                }
            path = f"/v1/timebanks/{tb}/members"
            account_id: int = _check(client.post(path, json=body, headers=admin), 201)["account_id"]
            return account_id

        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda i: add(i, True), range(coordinators)))
            account_ids = list(pool.map(lambda i: add(i, False), range(members)))
            tokens = list(
                pool.map(
                    lambda i: _log_in(client, f"coordinator-{i}", COORDINATOR_PASSWORD), range(coordinators)
                )
            )
    return Seeded(tb, account_ids, tokens)


# --- the load generator (a separate process) --------------------------------------------------


class Placement:
    """Spreads keep-alive connections evenly over the server's workers, as a load balancer would.

    Left to the kernel, whichever worker wakes first accepts, and 16 connections opened together
    often land 12/4 on two workers, so that one worker's GIL becomes the bottleneck and the figure
    measures luck. A connection that lands on a worker already holding its share is closed and
    opened again (``--no-balance`` turns this off). Which process accepted it is read from /proc.
    """

    def __init__(self, port: int, pids: list[int], concurrency: int, enabled: bool) -> None:
        self.port = port
        self.pids = pids
        self.quota = -(-concurrency // max(1, len(pids)))
        self.enabled = enabled and len(pids) > 1
        self.held: collections.Counter[int] = collections.Counter()

    def owner(self, client_port: int) -> int | None:
        inode = _server_socket_inode(self.port, client_port)
        return None if inode is None else _socket_owner(inode, self.pids)

    def accept(self, owner: int | None, attempt: int) -> bool:
        if not self.enabled or owner is None or self.held[owner] < self.quota or attempt >= 50:
            if owner is not None:
                self.held[owner] += 1
            return True
        return False


class RawConnection:
    """Just enough HTTP/1.1 for this API's answers, over one keep-alive connection."""

    def __init__(self, port: int, placement: Placement) -> None:
        self.port = port
        self.placement = placement
        self.owner: int | None = None
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        for attempt in range(100):
            self.reader, self.writer = await asyncio.open_connection(HOST, self.port)
            if not self.placement.enabled:
                return
            # Once a request is answered, the connection has certainly been accepted by a worker.
            await self._round_trip("GET", "/v1/health", {}, b"")
            owner = self.placement.owner(self.writer.get_extra_info("sockname")[1])
            if self.placement.accept(owner, attempt):
                self.owner = owner
                return
            await self.close()
            await asyncio.sleep(0.01 * (attempt + 1))

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        if self.writer is None:
            await self._connect()
        return await self._round_trip(method, path, headers, body)

    async def _round_trip(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        assert self.reader is not None and self.writer is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}"]
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body:
            lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        try:
            head = await self.reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split(" ", 2)[1])
            fields = {}
            for line in header_lines:
                if line:
                    name, _, value = line.partition(":")
                    fields[name.strip().lower()] = value.strip()
            if "content-length" in fields:
                await self.reader.readexactly(int(fields["content-length"]))
            elif fields.get("transfer-encoding", "").lower() == "chunked":
                while True:
                    size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                    await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
            if fields.get("connection", "").lower() == "close":
                await self.close()
            return status
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        if self.owner is not None:
            self.placement.held[self.owner] -= 1
        self.reader = self.writer = None
        self.owner = None


class HttpxConnection:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def request(self, method: str, path: str, headers: dict[str, str], body: bytes) -> int:
        if body:
            headers = {**headers, "Content-Type": "application/json"}
        response = await self.client.request(method, path, headers=headers, content=body or None)
        return response.status_code

    async def close(self) -> None:
        pass


def _cpu_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _database_ticks(database: str | None) -> dict[int, int]:
    """CPU ticks of each PostgreSQL backend serving ``database`` (their titles name it)."""
    if database is None:
        return {}
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        title = _cmdline(int(entry.name))  # "postgres: 15/main: USER DATABASE HOST(PORT) STATE"
        if title.startswith("postgres: ") and f" {database} " in title:
            found[int(entry.name)] = _cpu_ticks(int(entry.name))
    return found


def _ticks_delta(start: dict[int, int], end: dict[int, int]) -> int:
    # A backend that started during the window counts from zero.
    return sum(ticks - start.get(pid, 0) for pid, ticks in end.items())


def _machine_ticks() -> tuple[int, int]:
    """(busy, total) clock ticks of the whole machine."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return total - idle, total


def _established(port: int) -> dict[str, int]:
    """Socket inode → remote port, for established TCP connections whose local port is ``port``."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
                    found[fields[9]] = int(fields[2].rsplit(":", 1)[1], 16)
    return found


def _sockets(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    return inodes


def _server_socket_inode(port: int, client_port: int) -> str | None:
    return next((i for i, remote in _established(port).items() if remote == client_port), None)


def _socket_owner(inode: str, pids: list[int]) -> int | None:
    return next((pid for pid in pids if inode in _sockets(pid)), None)


def _connections_per_worker(port: int, pids: list[int]) -> list[int]:
    """How many established connections to ``port`` each server process holds (from /proc)."""
    established = set(_established(port))
    return [len(_sockets(pid) & established) for pid in pids]


@dataclass
class LoadSpec:
    workload: str  # "exchange" or "read"
    port: int
    timebank_id: int
    account_ids: list[int]
    tokens: list[str]
    concurrency: int
    warmup: float
    seconds: float
    client: str  # "raw" or "httpx"
    server_pids: list[int]
    database: str | None = None  # PostgreSQL's database name, to count its backends' CPU
    balance: bool = True
    seed: int = 1


@dataclass
class LoadResult:
    workload: str
    successes: int
    window_seconds: float
    per_second: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    errors: dict[str, int] = field(default_factory=dict)
    cpu_cores_server: float = 0.0  # cores busy on average during the window
    cpu_cores_client: float = 0.0
    cpu_cores_database: float = 0.0  # PostgreSQL backends serving this database
    cpu_cores_machine: float = 0.0
    cores: int = 0
    connections_per_worker: list[int] = field(default_factory=list)  # the load's, one second in


def _percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


async def _load(spec: LoadSpec, measuring: Any) -> LoadResult:
    rng = random.Random(spec.seed)
    tb = spec.timebank_id
    began = time.perf_counter()
    t0 = began + spec.warmup
    t1 = t0 + spec.seconds
    latencies: list[float] = []
    errors: collections.Counter[str] = collections.Counter()
    cpu: dict[str, Any] = {}
    clk = os.sysconf("SC_CLK_TCK")

    def sample() -> dict[str, Any]:
        return {
            "server": sum(_cpu_ticks(p) for p in spec.server_pids),
            "database": _database_ticks(spec.database),
            "client": time.process_time(),
            "machine": _machine_ticks(),
            "at": time.perf_counter(),
        }

    async def sampler() -> None:
        await asyncio.sleep(max(0.0, t0 - time.perf_counter()))
        cpu["start"] = sample()
        measuring.set()
        await asyncio.sleep(1.0)
        cpu["connections"] = _connections_per_worker(spec.port, spec.server_pids)
        await asyncio.sleep(max(0.0, t1 - time.perf_counter()))
        cpu["end"] = sample()

    def next_request(token: str) -> tuple[str, str, dict[str, str], bytes]:
        auth = {"Authorization": f"Bearer {token}"}
        if spec.workload == "exchange":
            giver, receiver = rng.sample(spec.account_ids, 2)
            body = {
                "giver_account_id": giver,
                "receivers": [{"account_id": receiver, "minutes": rng.randint(5, 90)}],
                "activity_date": datetime.now(UTC).date().isoformat(),
                "description": "http bench help",
            }
            auth["Idempotency-Key"] = str(uuid.uuid4())
            return "POST", f"/v1/timebanks/{tb}/exchanges", auth, json.dumps(body).encode()
        if spec.workload == "health":
            return "GET", "/v1/health", {}, b""
        if spec.workload == "me":
            return "GET", "/v1/me", auth, b""
        account = rng.choice(spec.account_ids)
        return "GET", f"/v1/timebanks/{tb}/accounts/{account}", auth, b""

    async def user(connection: RawConnection | HttpxConnection, token: str, delay: float) -> None:
        # Staggered starts: a new connection is accepted by whichever worker wakes first, usually
        # the less busy one, so the 16 keep-alive connections spread over the workers instead of
        # piling onto one (all opened at once, one worker's accept loop tends to take most of them).
        await asyncio.sleep(delay)
        while True:
            method, path, headers, body = next_request(token)
            sent = time.perf_counter()
            if sent >= t1:
                break
            try:
                status = await connection.request(method, path, headers, body)
                outcome = str(status) if not 200 <= status < 300 else ""
            except Exception as error:  # counted, never fatal: the load goes on
                outcome = type(error).__name__
            done = time.perf_counter()
            if t0 <= done <= t1:
                if outcome:
                    errors[outcome] += 1
                else:
                    latencies.append(done - sent)
        await connection.close()

    tokens = [spec.tokens[i % len(spec.tokens)] for i in range(spec.concurrency)]
    stagger = min(0.1, spec.warmup / 2 / spec.concurrency)
    users = [(token, i * stagger) for i, token in enumerate(tokens)]
    if spec.client == "httpx":
        limits = httpx.Limits(max_connections=spec.concurrency, max_keepalive_connections=spec.concurrency)
        async with httpx.AsyncClient(base_url=f"http://{HOST}:{spec.port}", limits=limits, timeout=60) as c:
            await asyncio.gather(sampler(), *(user(HttpxConnection(c), t, d) for t, d in users))
    else:
        placement = Placement(spec.port, spec.server_pids, spec.concurrency, spec.balance)
        await asyncio.gather(sampler(), *(user(RawConnection(spec.port, placement), t, d) for t, d in users))

    start, end = cpu["start"], cpu["end"]
    window = end["at"] - start["at"]
    busy = end["machine"][0] - start["machine"][0]
    total = end["machine"][1] - start["machine"][1]
    cores = os.cpu_count() or 1
    latencies.sort()
    return LoadResult(
        workload=spec.workload,
        successes=len(latencies),
        window_seconds=spec.seconds,
        per_second=len(latencies) / spec.seconds,
        p50_ms=_percentile(latencies, 0.50) * 1000,
        p90_ms=_percentile(latencies, 0.90) * 1000,
        p99_ms=_percentile(latencies, 0.99) * 1000,
        max_ms=(latencies[-1] if latencies else float("nan")) * 1000,
        errors=dict(errors),
        cpu_cores_server=(end["server"] - start["server"]) / clk / window,
        cpu_cores_client=(end["client"] - start["client"]) / window,
        cpu_cores_database=_ticks_delta(start["database"], end["database"]) / clk / window,
        cpu_cores_machine=busy / total * cores if total else float("nan"),
        cores=cores,
        connections_per_worker=cpu["connections"],
    )


def _load_process(spec: LoadSpec, measuring: Any, results: mp.Queue) -> None:  # type: ignore[type-arg]
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    try:
        results.put(asdict(asyncio.run(_load(spec, measuring))))
    except BaseException as error:
        results.put({"error": repr(error)})
        raise


def run_load(spec: LoadSpec, py_spy_dir: Path | None = None) -> LoadResult:
    context = mp.get_context("spawn")
    results = context.Queue()
    measuring = context.Event()  # set by the load generator when the measured window opens
    process = context.Process(target=_load_process, args=(spec, measuring, results))
    process.start()
    profilers: list[subprocess.Popen[bytes]] = []
    if py_spy_dir is not None and measuring.wait(timeout=spec.warmup + 120):
        profilers = start_py_spy(spec, py_spy_dir)
    found = results.get(timeout=spec.warmup + spec.seconds + 300)
    process.join()
    for profiler in profilers:
        profiler.wait(timeout=120)
    if "error" in found:
        raise RuntimeError(f"the load generator failed: {found['error']}")
    return LoadResult(**found)


# --- profiling (optional) ---------------------------------------------------------------------


def start_py_spy(spec: LoadSpec, folder: Path) -> list[subprocess.Popen[bytes]]:
    """Sample every worker during the measured window, writing collapsed stacks (one file each)."""
    if shutil.which("py-spy") is None:
        raise SystemExit("--py-spy needs py-spy: pip install py-spy")
    folder.mkdir(parents=True, exist_ok=True)
    return [
        subprocess.Popen(
            [
                "py-spy", "record", "--pid", str(pid), "--duration", str(int(spec.seconds)),
                "--rate", "100", "--gil", "--nonblocking", "--format", "raw",
                "--output", str(folder / f"{spec.workload}-worker-{pid}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for pid in spec.server_pids
    ]  # fmt: skip


# Where a sample's stack says the time went: the first category whose marker the stack contains.
# py-spy names frames "function (path/file.py:line)", paths shortened to the package.
_CATEGORIES = [
    ("argon2 (password hashing)", ("argon2",)),
    ("auth: bearer token lookup", ("authenticate (timebank/people/access.py",)),
    ("use case: record_exchange", ("record_exchange (timebank/exchanges/lifecycle.py",)),
    ("use case: read_account", ("read_account (timebank/accounts/accounts.py",)),
    ("response: validate + serialize", ("serialize_response", "jsonable_encoder", "render (")),
    ("request: body, params, dependencies", ("request_body_to_args", "_get_body", ".json (", "solve_dep")),
    ("uvicorn access log", ("logging/__init__.py",)),
    ("thread pool hand-offs", ("threading.py", "queue.py", "run_sync_in_worker_thread", "to_thread")),
    ("HTTP: uvicorn, starlette, fastapi routing", ("uvicorn", "starlette", "fastapi", "h11", "httptools")),
    ("event loop", ("asyncio", "uvloop", "anyio")),
]
# Overlapping shares: samples whose stack passes through these, wherever they were called from.
_INSIDE = [
    ("SQLAlchemy Connection.execute (incl. psycopg)", "Connection.execute (sqlalchemy/engine/base.py"),
    ("psycopg", "(psycopg/"),
    ("pydantic", "(pydantic"),
    ("uvicorn sending the response", "RequestResponseCycle.send (uvicorn/"),
    ("logging", "(logging/"),
]


def summarise_profile(folder: Path, workload: str, top: int = 25) -> list[str]:
    """Shares of samples by category, by package, and the functions with the most inclusive time.

    Samples are taken only from the thread holding the GIL (``--gil``): Python's own CPU time,
    including the C code it calls (pydantic-core, psycopg's C parts, uvloop), not waits on sockets.
    """
    samples = 0
    categories: collections.Counter[str] = collections.Counter()
    inside: collections.Counter[str] = collections.Counter()
    packages: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    leaf: collections.Counter[str] = collections.Counter()
    for path in sorted(folder.glob(f"{workload}-*.txt")):
        for line in path.read_text().splitlines():
            stack, _, count_text = line.rpartition(" ")
            if not count_text.isdigit():
                continue
            count = int(count_text)
            samples += count
            frames = stack.split(";")
            category = next(
                (name for name, markers in _CATEGORIES if any(m in stack for m in markers)), "other"
            )
            categories[category] += count
            for name, marker in _INSIDE:
                if marker in stack:
                    inside[name] += count
            for frame in set(frames):
                inclusive[frame] += count
            leaf[frames[-1]] += count
            packages[_package(frames[-1])] += count
    if not samples:
        return [f"no samples in {folder}"]

    def shares(counter: collections.Counter[str], n: int | None = None) -> list[str]:
        return [f"  {100 * c / samples:5.1f}%  {name}" for name, c in counter.most_common(n)]

    return [
        f"{workload}: {samples} samples of the GIL holder in {folder}",
        "by category (each sample counted once, in the first category its stack matches):",
        *shares(categories),
        "inside (overlapping):",
        *shares(inside),
        "self time by package (the innermost frame's):",
        *shares(packages, 12),
        f"top {top} frames by inclusive time:",
        *shares(inclusive, top),
        "top 15 frames by self time:",
        *shares(leaf, 15),
    ]


def _package(frame: str) -> str:
    where = frame.rpartition("(")[2].split(":", 1)[0]
    if where.startswith("timebank/"):
        return ".".join(where.split("/")[:2]).removesuffix(".py")
    return where.split("/", 1)[0].removesuffix(".py") or "?"


# --- the run ----------------------------------------------------------------------------------


def bench_server(
    name: str, database_url: str, workers: int, args: argparse.Namespace, scratch: Path
) -> dict[str, Any]:
    log = scratch / f"server-{name}.log"
    with Server(database_url, workers, log, args.server_pythonpath) as server:
        began = time.perf_counter()
        seeded = seed(server, args.members, args.concurrency)
        print(
            f"{name}: seeded {args.members} members and {args.concurrency} coordinators in "
            f"{time.perf_counter() - began:.1f} s; workers {server.worker_pids()}",
            flush=True,
        )
        figures: dict[str, Any] = {"workers": workers}

        def spec(workload: str, concurrency: int, seconds: float) -> LoadSpec:
            return LoadSpec(
                workload=workload,
                port=server.port,
                timebank_id=seeded.timebank_id,
                account_ids=seeded.account_ids,
                tokens=seeded.tokens,
                concurrency=concurrency,
                warmup=args.warmup,
                seconds=seconds,
                client=args.client,
                server_pids=server.worker_pids(),
                balance=not args.no_balance,
                database=make_url(database_url).database if name == "PostgreSQL" else None,
            )

        for workload in ("exchange", "read"):
            profile_dir = None
            if args.py_spy is not None:
                profile_dir = Path(args.py_spy) / name.lower()
            result = run_load(spec(workload, args.concurrency, args.seconds), profile_dir)
            figures[workload] = asdict(result)
            print(f"{name}: {_row(workload, result)}", flush=True)
        if args.ladder:
            # One client, one request at a time: what each layer adds, in CPU per request.
            figures["ladder"] = {}
            for workload in LADDER:
                result = run_load(spec(workload, 1, args.ladder_seconds))
                figures["ladder"][workload] = asdict(result)
    return figures


# One client at a time, cheapest first: the HTTP stack and SELECT 1; + the bearer token lookup;
# + a balance read; + recording an exchange.
LADDER = {
    "health": "GET /v1/health (no auth; SELECT 1)",
    "me": "GET /v1/me (token lookup only)",
    "read": "GET account (token + balance read)",
    "exchange": "POST exchange (token + record)",
}


def ladder_table(report: dict[str, Any]) -> list[str]:
    lines = []
    for backend, figures in report["backends"].items():
        if "ladder" not in figures:
            continue
        lines += [
            f"{backend}, one client, server CPU per request (sum over workers) and database CPU per request:",
            f"  {'request':40} {'per s':>6} {'p50 ms':>7} {'server CPU ms':>13} {'db CPU ms':>9}",
        ]
        for workload, label in LADDER.items():
            r = figures["ladder"][workload]
            n = max(1, r["successes"])
            server_ms = r["cpu_cores_server"] * r["window_seconds"] / n * 1000
            db_ms = r["cpu_cores_database"] * r["window_seconds"] / n * 1000
            lines.append(
                f"  {label:40} {r['per_second']:6.0f} {r['p50_ms']:7.2f} {server_ms:13.2f} {db_ms:9.2f}"
            )
    return lines


def _row(workload: str, r: LoadResult) -> str:
    label = {"exchange": "exchanges recorded", "read": "balance reads"}[workload]
    errors = sum(r.errors.values())
    return (
        f"{label:18} {r.per_second:8.0f}/s  p50 {r.p50_ms:6.1f} ms  p99 {r.p99_ms:6.1f} ms  "
        f"errors {errors}{' ' + json.dumps(r.errors) if errors else ''}  "
        f"connections per worker {'/'.join(map(str, r.connections_per_worker))}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="measured window per workload")
    parser.add_argument("--warmup", type=float, default=5, help="load before the window, not counted")
    parser.add_argument("--concurrency", type=int, default=16, help="concurrent clients (and pgbench's)")
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="PostgreSQL server's")
    parser.add_argument("--client", choices=("raw", "httpx"), default="raw")
    parser.add_argument(
        "--no-balance", action="store_true", help="let the kernel place connections on workers (raw client)"
    )
    parser.add_argument("--sqlite", action="store_true", help="also run on SQLite (1 worker)")
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-pgbench", action="store_true")
    parser.add_argument("--py-spy", metavar="DIR", help="sample the workers with py-spy into DIR")
    parser.add_argument(
        "--ladder", action="store_true", help="also one client per endpoint: CPU per request, by layer"
    )
    parser.add_argument("--ladder-seconds", type=float, default=10)
    parser.add_argument("--server-pythonpath", metavar="DIR", help="serve the timebank package in DIR")
    args = parser.parse_args()

    started = datetime.now(UTC)
    report: dict[str, Any] = {
        "started": started.isoformat(),
        "cores": os.cpu_count(),
        "python": sys.version.split()[0],
        "args": vars(args),
        "backends": {},
    }
    print(
        f"timebank HTTP bench, {started:%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, "
        f"Python {report['python']}, {args.concurrency} clients ({args.client}), "
        f"{args.warmup:g} s warm-up + {args.seconds:g} s each",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        if not args.skip_postgres:
            if not args.skip_pgbench:
                pg = pgbench_tps([args.concurrency], args.seconds)
                report["pgbench_tps"] = pg.get(args.concurrency)
                print(
                    f"pgbench tpcb-like, {args.concurrency} clients: {report['pgbench_tps']} TPS", flush=True
                )
            url = fresh_postgres_database()
            try:
                report["backends"]["PostgreSQL"] = bench_server(
                    "PostgreSQL", url, args.workers, args, scratch
                )
            finally:
                drop_postgres_database(url)
        if args.sqlite:
            url = f"sqlite:///{scratch}/http_bench.sqlite3"
            report["backends"]["SQLite"] = bench_server("SQLite", url, 1, args, scratch)

    print()
    print("\n".join(table(report)))
    if args.ladder:
        print()
        print("\n".join(ladder_table(report)))
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"http_bench-{started:%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nsaved {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    if args.py_spy:
        for backend in report["backends"]:
            for workload in ("exchange", "read"):
                print()
                print("\n".join(summarise_profile(Path(args.py_spy) / backend.lower(), workload)))


def table(report: dict[str, Any]) -> list[str]:
    pg = report.get("pgbench_tps")
    header = (
        f"{'backend':10} {'workload':18} {'per s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} "
        f"{'÷ pgbench':>9}  cores busy: server/database/client/machine"
    )
    lines = [header, "-" * len(header)]
    if pg:
        lines.append(f"{'PostgreSQL':10} {'pgbench tpcb-like':18} {pg:7.0f}")
    for backend, figures in report["backends"].items():
        for workload in ("exchange", "read"):
            r = figures[workload]
            label = {"exchange": "exchanges recorded", "read": "balance reads"}[workload]
            ratio = f"{r['per_second'] / pg:9.2f}" if pg and backend == "PostgreSQL" else f"{'':9}"
            lines.append(
                f"{backend:10} {label:18} {r['per_second']:7.0f} {r['p50_ms']:7.1f} {r['p99_ms']:7.1f} "
                f"{sum(r['errors'].values()):6d} {ratio}  {r['cpu_cores_server']:.2f} / "
                f"{r['cpu_cores_database']:.2f} / {r['cpu_cores_client']:.2f} / "
                f"{r['cpu_cores_machine']:.2f} of {r['cores']}"
            )
    if pg and "PostgreSQL" in report["backends"]:
        ratio = report["backends"]["PostgreSQL"]["exchange"]["per_second"] / pg
        verdict = "met" if ratio >= TARGET_RATIO else "missed"
        lines.append(f"\ntarget: exchanges recorded ≥ {TARGET_RATIO} × pgbench TPS: {ratio:.2f}, {verdict}")
    return lines


if __name__ == "__main__":
    main()
