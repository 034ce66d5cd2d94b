"""L8: the ledger holds under concurrent writers.

DESIGN §3 L8 says that with many writers at once (many clients on a real PostgreSQL; several OS
processes sharing one SQLite file) L2–L4 still hold, no acknowledged write is lost and no double
spend gets through. Each test here runs on both databases the way each is deployed:

- on PostgreSQL, many threads in one process, each with its own connection from one engine whose
  pool is large enough that nobody queues for a connection, so the row locks really contend;
- on SQLite, several OS processes started with "spawn", each with its own engine on a fresh
  migrated file, so ``BEGIN IMMEDIATE`` really contends for the file's write lock.

``tests/integration/crews.py`` runs these crews. Workers open their connection, wait at a barrier
and start together. Each reports what it was told: an acknowledged transaction (its id and
transfers) or the refusal's code; anything else is an escape and fails the test. At the end the
test reads the database and checks that the acknowledged transactions are exactly the ones stored
(none lost, none duplicated, none half-written, nothing from a refusal), that balances are what the
acknowledged transfers imply, and that ``check_all`` (L1–L4, L9, L10) finds nothing.

- No double spend: 50 spends start at once from an account that can afford exactly 17 of them;
  exactly 17 go through and 33 are refused with ``balance_below_floor``. (On SQLite the 50 run as
  five threads in each of ten processes, every one on its own connection.)
- A bank workload: 8 workers make 500 random transfers each among 10 accounts while readers take
  snapshots throughout; every snapshot sums to zero, respects every floor and cap, and never goes
  back in time.
- Rings: gifts around rings (A→B→C→A and longer) and multi-receiver exchanges recorded by a
  coordinator, started together round after round, lock overlapping accounts in every order; no
  deadlock or serialization failure reaches the caller and every write lands.
"""

from __future__ import annotations

import itertools
import random
import time
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from tests.conftest import BACKENDS, STORY_BACKDATE_DAYS
from tests.integration.crews import Barrier, Crew, Event, Job, ProcessCrew, SpawnPool, ThreadCrew
from tests.ledger_calls import give_credits, receiver_pairs, record_exchange, transfer_triples
from tests.people_calls import create_timebank
from timebank.accounts.accounts import open_account
from timebank.db import upgrade
from timebank.db.tables import exchanges, transaction_texts, transactions, transfers
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import TimebankError
from timebank.ledger.invariants import check_all, check_limits_hold, check_zero_sum
from timebank.ledger.types import AccountKind, Actor, ReceiverShare

pytestmark = pytest.mark.slow

# Enough SQLite processes for the largest crew (8 writers and 2 readers); a larger crew shares them,
# one thread and one connection per job.
PROCESSES = 10
BARRIER_TIMEOUT_SECONDS = 60
# Readers pause between snapshots so that, on a two-core machine, they leave the writers room.
READER_PAUSE_SECONDS = 0.002
SNAPSHOTS_MIN = 50
ACTIVITY_DATE = date(2024, 5, 1)
COORDINATOR = Actor("coordinator:l8", is_coordinator=True)


# --- what workers do --------------------------------------------------------------------------


@dataclass(frozen=True)
class Movement:
    """Credits moving from each source into one target: a gift (one source) or an exchange.

    In an exchange the target is the giver of help and the sources are its receivers, who pay.
    """

    key: str
    kind: str  # "gift" or "exchange"
    actor: Actor
    target_account_id: int
    sources: tuple[tuple[int, int], ...]  # (source_account_id, minutes)

    def triples(self) -> tuple[tuple[int, int, int], ...]:
        return tuple(sorted((source, self.target_account_id, m) for source, m in self.sources))


@dataclass(frozen=True)
class Outcome:
    """What one request was told: acknowledged (a transaction), refused (a code), or an escape."""

    key: str
    transaction_id: int | None = None
    transfers: tuple[tuple[int, int, int], ...] = ()
    refusal_code: str | None = None
    escaped: str | None = None


@dataclass(frozen=True)
class ReaderReport:
    snapshots_read: int
    states_seen: int
    problems: tuple[str, ...]


def _perform(engine: Engine, timebank_id: int, movement: Movement) -> Outcome:
    try:
        if movement.kind == "gift":
            ((source, minutes),) = movement.sources
            gift = give_credits(
                engine,
                timebank_id,
                movement.actor,
                source,
                movement.target_account_id,
                minutes,
                note=movement.key,
                idempotency_key=movement.key,
            )
            transaction_id, triples = gift.transaction_id, transfer_triples(gift)
        else:
            exchange = record_exchange(
                engine,
                timebank_id,
                movement.actor,
                movement.target_account_id,
                [ReceiverShare(source, m) for source, m in movement.sources],
                ACTIVITY_DATE,
                movement.key,
                idempotency_key=movement.key,
            )
            assert exchange.status == "confirmed", exchange
            assert exchange.transaction_id is not None
            transaction_id = exchange.transaction_id
            triples = tuple((r, exchange.giver_account_id, m) for r, m in receiver_pairs(exchange))
    except TimebankError as refusal:
        return Outcome(movement.key, refusal_code=refusal.code)
    except Exception as error:  # Reported, not swallowed: every test asserts there are none.
        return Outcome(movement.key, escaped=f"{type(error).__name__}: {error}")
    return Outcome(movement.key, transaction_id=transaction_id, transfers=tuple(sorted(triples)))


def _warm_up(engine: Engine, timebank_id: int) -> None:
    # Open this worker's connection before the barrier, so that the start is really simultaneous.
    run(engine, lambda uow: uow.timebanks.get(timebank_id), write=False)


def write_movements(
    engine: Engine,
    start: Barrier,
    stop: Event,
    timebank_id: int,
    movements: Sequence[Movement],
    lockstep: bool,
) -> list[Outcome]:
    """Perform ``movements`` in order; in lockstep every one starts with the whole crew."""
    assert movements, "every worker must reach the barrier"
    _warm_up(engine, timebank_id)
    outcomes = []
    for number, movement in enumerate(movements):
        if number == 0 or lockstep:
            start.wait(BARRIER_TIMEOUT_SECONDS)
        outcomes.append(_perform(engine, timebank_id, movement))
    return outcomes


def read_snapshots(
    engine: Engine, start: Barrier, stop: Event, timebank_id: int, accounts_expected: int
) -> ReaderReport:
    """Read every balance in one read transaction, again and again, until the writers finish."""
    _warm_up(engine, timebank_id)
    start.wait(BARRIER_TIMEOUT_SECONDS)
    snapshots_read = 0
    versions_seen: set[int] = set()
    version_last = -1
    problems: list[str] = []
    while not stop.is_set() and len(problems) < 20:
        snapshot = run(engine, lambda uow: uow.accounts.all_in_timebank(timebank_id), write=False)
        snapshots_read += 1
        # Every posting adds to the versions of the accounts it touches, so their total orders states.
        version_total = sum(a.version for a in snapshot)
        if len(snapshot) != accounts_expected:
            problems.append(f"a snapshot held {len(snapshot)} accounts, not {accounts_expected}")
        problems.extend(check_zero_sum(snapshot))
        problems.extend(check_limits_hold(snapshot))
        if version_total < version_last:
            problems.append(f"a snapshot went back in time: version {version_total} after {version_last}")
        version_last = version_total
        versions_seen.add(version_total)
        time.sleep(READER_PAUSE_SECONDS)
    return ReaderReport(snapshots_read, len(versions_seen), tuple(problems))


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[SpawnPool]:
    pool = SpawnPool(PROCESSES)
    yield pool
    pool.close()


@pytest.fixture(params=BACKENDS)
def crew(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Crew]:
    """Threads on the session's PostgreSQL, or processes on a fresh migrated SQLite file."""
    chosen: Crew
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'timebank.sqlite3'}"
        upgrade(url)
        chosen = ProcessCrew(url, request.getfixturevalue("spawn_pool"))
    else:
        # The same lookup as conftest's ``database_url``: the session's migrated database.
        chosen = ThreadCrew(request.getfixturevalue(f"{request.param}_url"))
    yield chosen
    chosen.engine.dispose()


# --- what the tests check at the end ----------------------------------------------------------


def _member(engine: Engine, timebank_id: int, name: str, **limits: int | None) -> int:
    return open_account(engine, timebank_id, COORDINATOR, AccountKind.MEMBER, name, **limits).account_id


def _holder(account_id: int) -> Actor:
    return Actor(f"member:{account_id}", account_id=account_id)


def _escapes(outcomes: Sequence[Outcome]) -> list[str]:
    return [f"{o.key}: {o.escaped}" for o in outcomes if o.escaped is not None]


def _assert_ledger_matches(
    engine: Engine, timebank_id: int, movements: Sequence[Movement], outcomes: Sequence[Outcome]
) -> dict[int, int]:
    """The stored ledger is exactly the acknowledged writes, and every invariant holds.

    Returns each account's final balance.
    """

    def read(uow: UnitOfWork) -> Any:
        rows = uow.connection.execute(
            select(transactions.c.id, transaction_texts.c.note, exchanges.c.description)
            .outerjoin(transaction_texts, transaction_texts.c.transaction_id == transactions.c.id)
            .outerjoin(exchanges, exchanges.c.transaction_id == transactions.c.id)
            .where(transactions.c.timebank_id == timebank_id)
        ).all()
        moved = uow.connection.execute(
            select(
                transfers.c.transaction_id,
                transfers.c.source_account_id,
                transfers.c.target_account_id,
                transfers.c.minutes,
            ).where(transfers.c.timebank_id == timebank_id)
        ).all()
        return (
            uow.accounts.all_in_timebank(timebank_id),
            uow.transfers.all_in_timebank(timebank_id),
            rows,
            moved,
        )

    accounts, stored_transfers, rows, moved = run(engine, read, write=False)
    assert check_all(accounts, stored_transfers) == []

    planned = {m.key: m.triples() for m in movements}
    acknowledged = {o.transaction_id: (o.key, o.transfers) for o in outcomes if o.transaction_id is not None}
    acknowledged_count = sum(o.transaction_id is not None for o in outcomes)
    assert len(acknowledged) == acknowledged_count, "two acknowledgements named one transaction"
    for key, triples in acknowledged.values():
        assert triples == planned[key], f"{key} was acknowledged with other transfers than asked"

    triples_by_transaction: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for transaction_id, source, target, minutes in moved:
        triples_by_transaction[transaction_id].append((source, target, minutes))
    landed = {
        transaction_id: (note or description, tuple(sorted(triples_by_transaction[transaction_id])))
        for transaction_id, note, description in rows
    }
    # Equal both ways: no acknowledged write is lost, and nothing refused or unacknowledged is stored.
    assert landed == acknowledged

    expected_balances: Counter[int] = Counter()
    for _key, triples in acknowledged.values():
        for source, target, minutes in triples:
            expected_balances[source] -= minutes
            expected_balances[target] += minutes
    balances = {a.account_id: a.balance_minutes for a in accounts}
    assert balances == {account_id: expected_balances[account_id] for account_id in balances}
    return balances


# --- the tests --------------------------------------------------------------------------------

SPENDS = 50
SPENDS_AFFORDABLE = 17
SPEND_MINUTES = 30


@pytest.mark.parametrize("kind", ["gift", "exchange"])
def test_fifty_simultaneous_spends_from_an_account_that_can_afford_seventeen_post_exactly_seventeen(
    crew: Crew, kind: str
) -> None:
    engine = crew.engine
    timebank_id = create_timebank(
        engine, f"L8 double spend by {kind}", backdate_days_max=STORY_BACKDATE_DAYS
    ).timebank_id
    # Half a spend of room is left over, so the floor allows exactly 17 and the 18th would cross it.
    floor_minutes = -(SPENDS_AFFORDABLE * SPEND_MINUTES + SPEND_MINUTES // 2)
    payer_id = _member(engine, timebank_id, "payer", floor_minutes=floor_minutes)
    payee_ids = [_member(engine, timebank_id, f"payee {n}") for n in range(5)]
    # A gift is given by the payer; an exchange is recorded by the payer as the one who was helped.
    movements = [
        Movement(
            f"spend-{n}", kind, _holder(payer_id), payee_ids[n % len(payee_ids)], ((payer_id, SPEND_MINUTES),)
        )
        for n in range(SPENDS)
    ]

    outcomes, _ = crew.run([Job(write_movements, (timebank_id, [m], False)) for m in movements])
    outcomes = [o for worker in outcomes for o in worker]

    assert _escapes(outcomes) == []
    codes = Counter(o.refusal_code for o in outcomes)
    assert codes == {None: SPENDS_AFFORDABLE, "balance_below_floor": SPENDS - SPENDS_AFFORDABLE}
    balances = _assert_ledger_matches(engine, timebank_id, movements, outcomes)
    assert balances[payer_id] == -SPENDS_AFFORDABLE * SPEND_MINUTES
    assert balances[payer_id] >= floor_minutes


BANK_WRITERS = 8
BANK_TRANSFERS_PER_WRITER = 500
BANK_READERS = 2


def _bank(engine: Engine) -> tuple[int, list[int], dict[int, Actor]]:
    """Ten accounts: the pot (floor 0), an organisation, and eight members, two of them capped."""
    timebank = create_timebank(engine, "L8 bank", backdate_days_max=STORY_BACKDATE_DAYS)
    timebank_id = timebank.timebank_id
    organisation = open_account(
        engine, timebank_id, COORDINATOR, AccountKind.ORGANISATION, "organisation", floor_minutes=-1200
    )
    members = [
        _member(engine, timebank_id, f"member {n}", cap_minutes=600 if n < 2 else None) for n in range(8)
    ]
    account_ids = [timebank.pot_account_id, organisation.account_id, *members]
    # Only a coordinator grants from the pot; everyone else gives from the account they hold.
    spenders = {a: COORDINATOR if a == timebank.pot_account_id else _holder(a) for a in account_ids}
    return timebank_id, account_ids, spenders


def _writer_switches(outcomes_by_writer: Sequence[Sequence[Outcome]]) -> int:
    """How often, in transaction id order, the next acknowledged transaction is another writer's."""
    writers_in_order = [
        writer
        for _, writer in sorted(
            (o.transaction_id, writer)
            for writer, outcomes in enumerate(outcomes_by_writer)
            for o in outcomes
            if o.transaction_id is not None
        )
    ]
    return sum(a != b for a, b in itertools.pairwise(writers_in_order))


def test_random_transfers_by_eight_writers_lose_nothing_and_every_snapshot_sums_to_zero(crew: Crew) -> None:
    engine = crew.engine
    timebank_id, account_ids, spenders = _bank(engine)
    rng = random.Random(8)
    plans = []
    for writer in range(BANK_WRITERS):
        plan = []
        for n in range(BANK_TRANSFERS_PER_WRITER):
            source, target = rng.sample(account_ids, 2)
            minutes = rng.randint(1, 240)
            plan.append(
                Movement(f"bank-{writer}-{n}", "gift", spenders[source], target, ((source, minutes),))
            )
        plans.append(plan)

    started = time.monotonic()
    outcomes_by_writer, reports = crew.run(
        [Job(write_movements, (timebank_id, plan, False)) for plan in plans],
        [Job(read_snapshots, (timebank_id, len(account_ids))) for _ in range(BANK_READERS)],
    )
    elapsed_seconds = time.monotonic() - started
    outcomes = [o for worker in outcomes_by_writer for o in worker]
    switches = _writer_switches(outcomes_by_writer)

    assert _escapes(outcomes) == []
    # Writers taking turns in commit order shows that they really ran together: one after another
    # would give BANK_WRITERS - 1 switches. (SQLite's busy handler favours whoever just committed,
    # so its writers take turns in long bursts: 20 to 70 switches, where PostgreSQL shows thousands.)
    assert switches >= BANK_WRITERS
    codes = Counter(o.refusal_code for o in outcomes)
    assert codes.keys() <= {None, "balance_below_floor", "balance_above_cap"}
    assert codes[None] > len(outcomes) // 2
    for report in reports:
        assert report.problems == ()
        assert report.snapshots_read > SNAPSHOTS_MIN
        assert report.states_seen > 10  # the reader saw writes land, not one frozen state
    _assert_ledger_matches(engine, timebank_id, [m for plan in plans for m in plan], outcomes)
    print(
        f"\nbank on {engine.dialect.name}: {dict(codes)} in {elapsed_seconds:.1f}s, {switches} switches; "
        f"snapshots {[r.snapshots_read for r in reports]}, states seen {[r.states_seen for r in reports]}"
    )


RING_MEMBERS = 12
RING_WORKERS_POSTGRES = 12
RING_WORKERS_SQLITE = 8
RING_ROUNDS = 40
RING_LENGTH_MAX = 6


def _ring_rounds(rng: random.Random, account_ids: Sequence[int], workers: int) -> list[list[Movement]]:
    """Each round gives every worker one movement: gifts around rings, the rest exchanges.

    A ring's gifts go to different workers in the same round, so A→B, B→C and C→A all start at
    once; an exchange names its receivers in random order. Locked in the order given, these would
    wait on each other in a cycle.
    """
    plans: list[list[Movement]] = [[] for _ in range(workers)]
    for round_number in range(RING_ROUNDS):
        slots = rng.sample(range(workers), workers)
        while len(slots) >= 3 and rng.random() < 0.8:
            members = rng.sample(account_ids, rng.randint(3, min(RING_LENGTH_MAX, len(slots))))
            minutes = rng.randint(1, 120)
            for position, source in enumerate(members):
                target = members[(position + 1) % len(members)]
                key = f"ring-{round_number}-{slots[-1]}"
                plans[slots.pop()].append(
                    Movement(key, "gift", _holder(source), target, ((source, minutes),))
                )
        for worker in slots:
            giver, *receivers = rng.sample(account_ids, rng.randint(3, 6))
            shares = tuple((r, rng.randint(1, 60)) for r in receivers)
            key = f"exchange-{round_number}-{worker}"
            plans[worker].append(Movement(key, "exchange", COORDINATOR, giver, shares))
    return plans


def test_rings_and_multi_receiver_exchanges_started_together_never_deadlock_and_all_land(crew: Crew) -> None:
    engine = crew.engine
    timebank_id = create_timebank(engine, "L8 rings", backdate_days_max=STORY_BACKDATE_DAYS).timebank_id
    # Floors far below anything the rounds can spend, so every movement must be acknowledged.
    account_ids = [
        _member(engine, timebank_id, f"member {n}", floor_minutes=-100_000) for n in range(RING_MEMBERS)
    ]
    workers = RING_WORKERS_POSTGRES if isinstance(crew, ThreadCrew) else RING_WORKERS_SQLITE
    plans = _ring_rounds(random.Random(3), account_ids, workers)

    started = time.monotonic()
    outcomes_by_worker, _ = crew.run([Job(write_movements, (timebank_id, plan, True)) for plan in plans])
    elapsed_seconds = time.monotonic() - started
    outcomes = [o for worker in outcomes_by_worker for o in worker]

    assert _escapes(outcomes) == []
    assert [o.key for o in outcomes if o.refusal_code is not None] == []
    movements = [m for plan in plans for m in plan]
    balances = _assert_ledger_matches(engine, timebank_id, movements, outcomes)
    planned_balances: Counter[int] = Counter()
    for movement in movements:
        for source, target, minutes in movement.triples():
            planned_balances[source] -= minutes
            planned_balances[target] += minutes
    assert balances == {account_id: planned_balances[account_id] for account_id in balances}
    kinds = Counter(m.kind for m in movements)
    print(f"\nrings on {engine.dialect.name}: {dict(kinds)} by {workers} workers in {elapsed_seconds:.1f}s")
