"""The bank workload: many clients move credits through the real server while it is killed.

The most trusted ledgers prove themselves with a bank workload: many clients move value while others
read, faults are injected, and at the end the books must balance and every acknowledged write must be
there exactly once. This is ours, against ``timebank serve`` in its own process:

- ``clients`` concurrent clients (16 by default) each loop over random operations: exchanges on all
  three recording paths (by the receiver, who pays, so it posts at once; by the giver, so it waits
  for the receiver's consent; by a coordinator), confirmations, declines and cancellations of pending
  exchanges, gifts member to member, donations to the pot, grants from it, reversals, and reads of
  balances and statements. Every write carries its own ``Idempotency-Key`` and a tag (the run and the
  operation's number) in its description, note or reason, so the audit can find it in the database.
- Each attempt ends **answered** (2xx: acknowledged; 4xx: refused), **unsent** (the connection was
  refused, so the request never left), **timed out** (the client gave up waiting) or **cut** (the
  connection was lost mid-request). The last two are indeterminate: it may or may not have
  happened. An indeterminate write is retried with the same key until it is answered, which is
  exactly what a careful client does and what idempotency keys are for.
- A chaos task SIGKILLs the whole server (supervisor and workers) at random moments while writes are
  in flight, then restarts it; once, it sends SIGTERM instead and checks, while the server is down,
  that no request it had begun was cut off after committing (a graceful stop finishes what it began).
- The model: from the answers alone the workload knows every exchange's final status and every
  gift, so it knows what every balance must be. ``audit.py`` compares that with the database.

Nothing here asserts; it records. ``audit.py`` turns the record and the database into figures, and
the test (short run) and ``bench/bank_workload.py`` (long run) judge them.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import Engine, select

from timebank.db.tables import idempotency_keys

from .bank_world import Actor, BankTimebank, BankWorld
from .server import ServerProcess

__all__ = ["Op", "WorkloadConfig", "WorkloadLog", "run_workload"]

MINUTES_CHOICES = (15, 30, 45, 60, 90, 120, 180, 240)

# How often each kind of operation is chosen (relative weights).
WEIGHTS: dict[str, int] = {
    "record_by_receiver": 16,
    "record_by_giver": 16,
    "record_by_coordinator": 10,
    "confirm": 12,
    "decline": 2,
    "cancel": 2,
    "gift": 6,
    "donation": 4,
    "grant": 4,
    "reverse": 5,
    "read_account": 13,
    "read_statement": 10,
}
WRITES = {kind for kind in WEIGHTS if not kind.startswith("read_")}
# Declining and cancelling move no credits, so the API takes no Idempotency-Key for them: repeating
# one is refused (the exchange is no longer pending) and changes nothing.
KEYED = WRITES - {"decline", "cancel"}
RECORDS = {"record_by_receiver", "record_by_giver", "record_by_coordinator"}
GIFTS = {"gift", "donation", "grant"}
# What the retry of an unkeyed write hears when its cut-off first attempt had already done it.
_DONE_ALREADY = {"decline": "exchange_already_declined", "cancel": "exchange_already_cancelled"}


@dataclass
class WorkloadConfig:
    operations: int = 1_000
    clients: int = 16
    kills: int = 1
    sigterm: bool = True
    seed: int = 0
    request_timeout_seconds: float = 30.0
    # A killed server stays down for a random time up to this long before it is started again.
    down_seconds_max: float = 0.5
    # The network's share of the faults: this share of writes give up on their first attempt after a
    # few milliseconds (an impatient client or a dropped connection), usually after the server has
    # begun and often after it has committed, so that retries meet the replay path all run long.
    impatient_share: float = 0.05
    impatient_timeout_seconds: tuple[float, float] = (0.002, 0.05)


@dataclass
class Op:
    """One logical operation: a request and everything that happened to it until it was answered."""

    number: int
    kind: str
    timebank_id: int
    actor: Actor
    method: str
    path: str
    body: dict[str, Any] | None = None
    key: str | None = None
    tag: str | None = None
    exchange_id: int | None = None  # the exchange a confirm, decline, cancel or reverse acts on
    # How each attempt ended: "answered", "unsent", "timed_out", "cut", "busy" (409 in flight) or
    # "server_error".
    attempts: list[str] = field(default_factory=list)
    sent_at_wall: list[float] = field(default_factory=list)  # time.time() as each attempt was sent
    first_timeout_seconds: float | None = None  # set for an impatient first attempt
    status: int | None = None
    answer: dict[str, Any] | None = None
    started_at: float = 0.0
    answered_at: float = 0.0
    settled_by_retry: bool = False  # see _Workload.absorb

    @property
    def is_write(self) -> bool:
        return self.kind in WRITES

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def refused(self) -> bool:
        return self.status is not None and 400 <= self.status < 500

    @property
    def code(self) -> str | None:
        return None if self.answer is None or self.acknowledged else self.answer.get("code")

    @property
    def indeterminate(self) -> bool:
        return "cut" in self.attempts or "timed_out" in self.attempts


@dataclass
class ExchangeModel:
    """What the answers say about one exchange: its transfers and its final status."""

    timebank_id: int
    transfers: list[tuple[int, int, int]]  # (source account, target account, minutes)
    status: str
    tag: str


@dataclass
class SigtermFigures:
    in_flight: int = 0  # requests the server had been sent when SIGTERM arrived
    answered: int = 0  # ... of which got their whole answer
    cut_not_committed: int = 0  # ... cut off before the server began them: allowed
    cut_after_commit: int = 0  # ... cut off after their write committed: must be 0
    cut_reads: int = 0
    timed_out: int = 0
    cut_unkeyed: int = 0  # declines and cancellations cut off: their retry tells what happened
    exit_status: int | None = None
    stop_seconds: float = 0.0


@dataclass
class WorkloadLog:
    """Everything the audit needs: every operation, the model, and what the chaos task did."""

    config: WorkloadConfig
    ops: list[Op] = field(default_factory=list)
    exchanges: dict[int, ExchangeModel] = field(default_factory=dict)
    kills: int = 0
    restarts: int = 0
    killed_writes_committed: int = 0
    killed_writes_not_committed: int = 0
    sigterm: SigtermFigures | None = None
    read_anomalies: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0

    def counts(self) -> Counter[str]:
        return Counter(op.kind for op in self.ops)


class _Workload:
    def __init__(
        self,
        world: BankWorld,
        server: ServerProcess,
        engine: Engine,
        config: WorkloadConfig,
    ) -> None:
        self.world = world
        self.server = server
        self.engine = engine
        self.config = config
        self.log = WorkloadLog(config=config)
        self.rng = random.Random(config.seed)
        self.started = 0
        self.finished_clients = 0
        self.in_flight: dict[int, Op] = {}
        self.server_up = asyncio.Event()
        self.server_up.set()
        # Exchanges other clients may act on next, per timebank.
        self.pending: dict[int, list[tuple[int, Actor, Actor]]] = {t.timebank_id: [] for t in world.timebanks}
        self.confirmed: dict[int, list[int]] = {t.timebank_id: [] for t in world.timebanks}
        # The ledger's today is UTC's; a day after it would be refused as in the future.
        self.today = datetime.now(UTC).date().isoformat()

    # --- the run ---------------------------------------------------------------------------------

    async def run(self) -> WorkloadLog:
        began = time.monotonic()
        limits = httpx.Limits(
            max_connections=self.config.clients, max_keepalive_connections=self.config.clients
        )
        timeout = httpx.Timeout(self.config.request_timeout_seconds)
        async with httpx.AsyncClient(base_url=self.server.base_url, limits=limits, timeout=timeout) as http:
            self.http = http
            clients = [asyncio.create_task(self.client(i)) for i in range(self.config.clients)]
            chaos = asyncio.create_task(self.chaos())
            await asyncio.gather(*clients)
            chaos.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await chaos
        if not self.server.running:  # the chaos task was cancelled between a kill and the restart
            await asyncio.to_thread(self.server.start)
            self.log.restarts += 1
        self.log.elapsed_seconds = time.monotonic() - began
        return self.log

    async def client(self, index: int) -> None:
        rng = random.Random(f"{self.config.seed}-{index}")
        while self.started < self.config.operations:
            self.started += 1
            op = self.next_op(rng, self.started)
            await self.execute(op)
            self.absorb(op)
            self.log.ops.append(op)

    # --- choosing an operation -------------------------------------------------------------------

    def next_op(self, rng: random.Random, number: int) -> Op:
        timebank = rng.choice(self.world.timebanks)
        kinds, weights = zip(*WEIGHTS.items(), strict=True)
        kind = rng.choices(kinds, weights)[0]
        if kind in ("confirm", "decline", "cancel") and not self.pending[timebank.timebank_id]:
            kind = "record_by_giver"
        if kind == "reverse" and not self.confirmed[timebank.timebank_id]:
            kind = "record_by_coordinator"
        maker: Callable[[random.Random, BankTimebank, int], Op] = getattr(self, f"_{kind}")
        op = maker(rng, timebank, number)
        op.kind = kind
        if kind in KEYED:
            op.key = uuid.uuid4().hex
            if rng.random() < self.config.impatient_share:
                op.first_timeout_seconds = rng.uniform(*self.config.impatient_timeout_seconds)
        return op

    def _tag(self, number: int) -> str:
        return f"{self.world.run_tag} op {number}"

    def _exchange(
        self,
        timebank: BankTimebank,
        actor: Actor,
        giver: Actor,
        receivers: list[tuple[Actor, int]],
        number: int,
    ) -> Op:
        tag = self._tag(number)
        body = {
            "giver_account_id": giver.account_id,
            "receivers": [{"account_id": r.account_id, "minutes": m} for r, m in receivers],
            "activity_date": self.today,
            "description": tag,
        }
        path = f"/v1/timebanks/{timebank.timebank_id}/exchanges"
        return Op(number, "", timebank.timebank_id, actor, "POST", path, body, tag=tag)

    def _record_by_receiver(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        receiver, giver = rng.sample(timebank.members, 2)
        return self._exchange(timebank, receiver, giver, [(receiver, rng.choice(MINUTES_CHOICES))], number)

    def _record_by_giver(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        giver, receiver = rng.sample(timebank.members, 2)
        return self._exchange(timebank, giver, giver, [(receiver, rng.choice(MINUTES_CHOICES))], number)

    def _record_by_coordinator(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        giver, *receivers = rng.sample(timebank.members, 1 + rng.randint(1, 3))
        shares = [(r, rng.choice(MINUTES_CHOICES)) for r in receivers]
        return self._exchange(timebank, timebank.coordinator, giver, shares, number)

    def _decide(self, rng: random.Random, timebank: BankTimebank, number: int, verb: str) -> Op:
        pool = self.pending[timebank.timebank_id]
        exchange_id, giver, receiver = pool.pop(rng.randrange(len(pool)))
        actor = giver if verb == "cancel" else receiver
        path = f"/v1/timebanks/{timebank.timebank_id}/exchanges/{exchange_id}/{verb}"
        return Op(number, verb, timebank.timebank_id, actor, "POST", path, exchange_id=exchange_id)

    def _confirm(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        return self._decide(rng, timebank, number, "confirm")

    def _decline(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        return self._decide(rng, timebank, number, "decline")

    def _cancel(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        return self._decide(rng, timebank, number, "cancel")

    def _give(
        self, timebank: BankTimebank, actor: Actor, source: int, target: int, minutes: int, number: int
    ) -> Op:
        tag = self._tag(number)
        body = {"from_account_id": source, "to_account_id": target, "minutes": minutes, "note": tag}
        path = f"/v1/timebanks/{timebank.timebank_id}/gifts"
        return Op(number, "", timebank.timebank_id, actor, "POST", path, body, tag=tag)

    def _gift(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        giver, receiver = rng.sample(timebank.members, 2)
        return self._give(
            timebank, giver, giver.account_id, receiver.account_id, rng.choice(MINUTES_CHOICES), number
        )

    def _donation(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        donor = rng.choice(timebank.members)
        return self._give(
            timebank, donor, donor.account_id, timebank.pot_account_id, rng.choice(MINUTES_CHOICES), number
        )

    def _grant(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        receiver = rng.choice(timebank.members)
        minutes = rng.choice(MINUTES_CHOICES)
        return self._give(
            timebank, timebank.coordinator, timebank.pot_account_id, receiver.account_id, minutes, number
        )

    def _reverse(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        pool = self.confirmed[timebank.timebank_id]
        exchange_id = pool.pop(rng.randrange(len(pool)))
        tag = self._tag(number)
        path = f"/v1/timebanks/{timebank.timebank_id}/exchanges/{exchange_id}/reverse"
        return Op(
            number,
            "",
            timebank.timebank_id,
            timebank.coordinator,
            "POST",
            path,
            {"reason": tag},
            tag=tag,
            exchange_id=exchange_id,
        )

    def _read_account(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        if rng.random() < 0.25:  # a coordinator reads anyone's account
            actor, account_id = timebank.coordinator, rng.choice(timebank.members).account_id
        else:
            actor = rng.choice(timebank.members)
            account_id = actor.account_id
        path = f"/v1/timebanks/{timebank.timebank_id}/accounts/{account_id}"
        return Op(number, "", timebank.timebank_id, actor, "GET", path)

    def _read_statement(self, rng: random.Random, timebank: BankTimebank, number: int) -> Op:
        actor = rng.choice(timebank.members)
        path = f"/v1/timebanks/{timebank.timebank_id}/accounts/{actor.account_id}/statement?limit=50"
        return Op(number, "", timebank.timebank_id, actor, "GET", path)

    # --- sending it until it is answered ----------------------------------------------------------

    async def execute(self, op: Op) -> None:
        headers = dict(op.actor.headers)
        if op.key is not None:
            headers["Idempotency-Key"] = op.key
        op.started_at = time.monotonic()
        while True:
            await self.server_up.wait()
            self.in_flight[op.number] = op
            op.attempts.append("sending")
            op.sent_at_wall.append(time.time())
            timeout = op.first_timeout_seconds if len(op.attempts) == 1 else None
            try:
                response = await self.http.request(
                    op.method,
                    op.path,
                    json=op.body,
                    headers=headers,
                    timeout=timeout or self.config.request_timeout_seconds,
                )
            except (httpx.ConnectError, httpx.ConnectTimeout):
                # The connection was refused or never made: the request did not leave this process.
                op.attempts[-1] = "unsent"
                await asyncio.sleep(0.05)
                continue
            except httpx.TimeoutException:
                # The client gave up waiting: the server may still do it, or may have done it already.
                op.attempts[-1] = "timed_out"
                await asyncio.sleep(0.01)
                continue
            except httpx.TransportError:
                # The connection was lost mid-request: it may or may not have happened.
                op.attempts[-1] = "cut"
                await asyncio.sleep(0.01)
                continue
            finally:
                self.in_flight.pop(op.number, None)
            body = _json(response)
            if response.status_code == 409 and body.get("code") == "idempotency_key_in_flight":
                # The first attempt is still running on the server (PostgreSQL says so); wait for it.
                op.attempts[-1] = "busy"
                await asyncio.sleep(float(response.headers.get("Retry-After", "1")))
                continue
            if response.status_code >= 500:
                op.attempts[-1] = "server_error"
                self.log.server_errors.append(
                    f"op {op.number} {op.kind}: {response.status_code} {response.text[:300]}"
                )
                await asyncio.sleep(0.1)
                continue
            op.attempts[-1] = "answered"
            op.status = response.status_code
            op.answer = body
            op.answered_at = time.monotonic()
            return

    # --- learning from the answer -----------------------------------------------------------------

    def absorb(self, op: Op) -> None:
        """Update the model and the pools of exchanges other clients may act on next."""
        tb = op.timebank_id
        if op.kind in RECORDS:
            if not op.acknowledged:
                return
            assert op.answer is not None and op.tag is not None
            exchange_id = int(op.answer["id"])
            giver = int(op.answer["giver_account_id"])
            transfers = [(int(r["account_id"]), giver, int(r["minutes"])) for r in op.answer["receivers"]]
            status = str(op.answer["status"])
            self.log.exchanges[exchange_id] = ExchangeModel(tb, transfers, status, op.tag)
            if status == "pending":
                timebank = next(t for t in self.world.timebanks if t.timebank_id == tb)
                receivers = {r["account_id"] for r in op.answer["receivers"]}
                receiver = next(m for m in timebank.members if m.account_id in receivers)
                self.pending[tb].append((exchange_id, op.actor, receiver))
            elif status == "confirmed":
                self.confirmed[tb].append(exchange_id)
        elif op.kind in ("confirm", "decline", "cancel", "reverse"):
            assert op.exchange_id is not None
            if op.indeterminate and op.kind in _DONE_ALREADY and op.code == _DONE_ALREADY[op.kind]:
                # An unkeyed decline or cancel whose cut-off first attempt had done it: the retry is
                # refused because the exchange is already declined or cancelled, which is the answer.
                op.settled_by_retry = True
            if op.acknowledged or op.settled_by_retry:
                self.log.exchanges[op.exchange_id].status = {
                    "confirm": "confirmed",
                    "decline": "declined",
                    "cancel": "cancelled",
                    "reverse": "reversed",
                }[op.kind]
                if op.kind == "confirm":
                    self.confirmed[tb].append(op.exchange_id)
        elif op.kind == "read_account" and op.acknowledged:
            self.check_account_read(op)
        elif op.kind == "read_statement" and op.acknowledged:
            self.check_statement_read(op)

    def check_account_read(self, op: Op) -> None:
        a = op.answer or {}
        floor, cap, balance = a["floor_minutes"], a["cap_minutes"], a["balance_minutes"]
        if balance < floor or (cap is not None and balance > cap):
            self.log.read_anomalies.append(f"op {op.number}: balance {balance} outside [{floor}, {cap}]")
        if balance != a["earned_minutes"] - a["spent_minutes"]:
            self.log.read_anomalies.append(f"op {op.number}: balance {balance} is not earned − spent")

    def check_statement_read(self, op: Op) -> None:
        lines = sorted((op.answer or {}).get("lines", []), key=lambda line: line["transfer_id"])
        for before, after in itertools.pairwise(lines):
            if after["balance_after_minutes"] != before["balance_after_minutes"] + after["minutes"]:
                self.log.read_anomalies.append(
                    f"op {op.number}: running balance jumps between transfers "
                    f"{before['transfer_id']} and {after['transfer_id']}"
                )

    # --- faults ------------------------------------------------------------------------------------

    async def chaos(self) -> None:
        n = self.config.operations
        moments = sorted(self.rng.uniform(0.1 * n, 0.85 * n) for _ in range(self.config.kills))
        plan: list[tuple[float, str]] = [(m, "kill") for m in moments]
        if self.config.sigterm:
            plan.append((self.rng.uniform(0.1 * n, 0.85 * n), "term"))
        plan.sort()
        for at, what in plan:
            while self.started < at:
                await asyncio.sleep(0.01)
            # Strike while a write is in flight, so the fault lands under load and not between requests.
            waited = time.monotonic()
            while not any(o.is_write for o in self.in_flight.values()) and time.monotonic() - waited < 5:
                await asyncio.sleep(0.002)
            if what == "kill":
                await self.kill_and_restart()
            else:
                await self.terminate_and_restart()

    async def kill_and_restart(self) -> None:
        self.server_up.clear()
        caught = [(op, len(op.attempts) - 1) for op in self.in_flight.values() if op.key is not None]
        await asyncio.to_thread(self.server.kill)
        self.log.kills += 1
        await self._settle(caught)
        cut = [op.key for op, i in caught if op.attempts[i] in ("cut", "timed_out") and op.key is not None]
        committed = await asyncio.to_thread(self._committed_keys, cut)
        self.log.killed_writes_committed += len(committed)
        self.log.killed_writes_not_committed += len(cut) - len(committed)
        await asyncio.sleep(self.rng.uniform(0, self.config.down_seconds_max))
        await asyncio.to_thread(self.server.start)
        self.log.restarts += 1
        self.server_up.set()

    async def terminate_and_restart(self) -> None:
        self.server_up.clear()
        # No client sends a new attempt while server_up is clear, so this is every request in flight.
        caught = [(op, len(op.attempts) - 1) for op in self.in_flight.values()]
        figures = SigtermFigures(in_flight=len(caught))
        began = time.monotonic()
        figures.exit_status = await asyncio.to_thread(self.server.terminate)
        figures.stop_seconds = time.monotonic() - began
        await self._settle(caught)
        cut_keys = {op.key: op for op, i in caught if op.attempts[i] == "cut" and op.key is not None}
        committed = await asyncio.to_thread(self._committed_keys, list(cut_keys))
        for op, i in caught:
            if op.attempts[i] in ("answered", "busy", "server_error"):
                figures.answered += 1
            elif op.attempts[i] == "timed_out":
                figures.timed_out += 1  # an impatient client gave up on its own; not the server's doing
            elif not op.is_write:
                figures.cut_reads += 1
            elif op.key is None:
                figures.cut_unkeyed += 1
            elif op.key in committed:
                figures.cut_after_commit += 1
            else:
                figures.cut_not_committed += 1
        self.log.sigterm = figures
        await asyncio.to_thread(self.server.start)
        self.log.restarts += 1
        self.server_up.set()

    async def _settle(self, caught: list[tuple[Op, int]]) -> None:
        """Let the event loop deliver the last answers and errors of ``caught`` before judging them."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(op.attempts[i] == "sending" for op, i in caught):
            await asyncio.sleep(0.01)

    def _committed_keys(self, keys: list[str]) -> set[str]:
        if not keys:
            return set()
        with self.engine.connect() as connection:
            found = connection.execute(select(idempotency_keys.c.key).where(idempotency_keys.c.key.in_(keys)))
            return set(found.scalars())


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def run_workload(
    world: BankWorld, server: ServerProcess, engine: Engine, config: WorkloadConfig
) -> WorkloadLog:
    """Run the workload to its number of operations; the server is up again when this returns."""
    return asyncio.run(_Workload(world, server, engine, config).run())
