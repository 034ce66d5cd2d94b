"""A stateful property test of the ledger: random operations through the real services, checked
against a small pure-Python model after every step, on SQLite and on PostgreSQL.

Why: each rule of DESIGN §3 has its own example-based test, but the invariants are promises about
*any* sequence of operations. Hypothesis drives a ``RuleBasedStateMachine`` that records exchanges
(by a receiver, by a giver, by a coordinator, by an outsider), confirms, declines, cancels and
reverses them, gives credits (gifts, donations to the pot, grants from it), reverses transactions,
changes limits, replays idempotent requests and expires pending exchanges, mixing valid requests
with requests that must be refused (bad minutes, the same account twice, unknown or another
timebank's accounts, exchanges and transactions, the wrong person, the wrong state, limits,
reused idempotency keys). For every operation the model predicts either its effect or the exact
error ``code`` (``timebank.ledger.errors``), and the service must agree.

Every example opens a timebank of its own (3–6 members with varied floors and caps, perhaps an
organisation, the pot), so examples never see each other's rows. A second timebank, made once per
backend, supplies foreign accounts, an exchange and transactions that must never be reachable; it
is checked unchanged at the end of every example.

Checked after every step, on this timebank's rows only (a handful of queries):

- L1, L2, L3, L4, L9 and L10 (running balances) with ``invariants.check_all``;
- every account row (balance, earned, spent, version, floor, cap), every exchange's status and
  transaction, and the row counts of transfers, transactions, exchanges, receivers, idempotency
  keys and limit changes equal the model's.

Checked at the step itself:

- L5: a refused operation leaves every account, exchange and receiver row and every row count
  exactly as they were;
- L6: a reversal moves every touched balance back by what the original moved, and reversing again
  (by exchange or by transaction) is refused with ``transaction_already_reversed``;
- L7: a replayed keyed request returns the first answer and creates nothing, however much has
  changed since; the same key with another body is refused with ``idempotency_key_reused``; a keyed
  request refused for the state it met (a conflict or a limit, once its key was claimed) records
  only its refusal, and a replay of it is refused the same way even when it would now go through;
- L10: ``balance_at`` at remembered moments gives the balances the model had then.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import Engine, func, select

from tests.conftest import STORY_BACKDATE_DAYS
from tests.integration.rollup_oracle import recounted_rollups, stored_rollups
from tests.ledger_calls import (
    cancel_exchange,
    confirm_exchange,
    decline_exchange,
    get_exchange,
    give_credits,
    receiver_pairs,
    record_exchange,
    reverse_exchange,
    reverse_transaction,
    transfer_triples,
)
from tests.people_calls import create_timebank, set_limits
from timebank.accounts.accounts import open_account
from timebank.accounts.statements import balance_at
from timebank.db import tables
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import TimebankError, all_error_codes
from timebank.exchanges.idempotency import RECORDED_REFUSALS
from timebank.exchanges.lifecycle import expire_pending
from timebank.ledger import invariants
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import AccountKind, AccountState, Actor, ReceiverShare

ACTIVITY_DATE = date(2024, 5, 1)
UNKNOWN_ID = 10**9  # no account, exchange or transaction has this id
PENDING_EXPIRY_DAYS = 14  # the default, which every example's timebank keeps

# Minutes that must be refused before anything is read, with the code each one earns.
BAD_MINUTES: list[tuple[object, str]] = [
    (0, "minutes_must_be_positive"),
    (-1, "minutes_must_be_positive"),
    (-60, "minutes_must_be_positive"),
    (1.5, "minutes_must_be_whole"),
    (2.0, "minutes_must_be_whole"),
    (True, "minutes_must_be_whole"),
    (False, "minutes_must_be_whole"),
    ("30", "minutes_must_be_whole"),
    (MINUTES_PER_TRANSFER_MAX + 1, "minutes_above_transfer_limit"),
]

_COUNTED = (
    tables.transfers,
    tables.transactions,
    tables.exchanges,
    tables.exchange_receivers,
    tables.idempotency_keys,
    tables.limit_changes,
)


# --- reading the database back -------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """Everything a refused operation must leave untouched, for one timebank."""

    accounts: tuple[AccountState, ...]
    transfers: tuple[invariants.StoredTransfer, ...]
    counts: tuple[tuple[str, int], ...]
    exchanges: tuple[tuple[Any, ...], ...]
    receivers: tuple[tuple[Any, ...], ...]

    def differences(self, other: Snapshot) -> list[str]:
        return [
            name
            for name in ("accounts", "transfers", "counts", "exchanges", "receivers")
            if getattr(self, name) != getattr(other, name)
        ]


def read_snapshot(engine: Engine, timebank_id: int) -> Snapshot:
    """One read transaction, five queries, only this timebank's rows."""

    def read(uow: UnitOfWork) -> Snapshot:
        c = uow.connection
        counts = c.execute(
            select(
                *(
                    select(func.count())
                    .select_from(t)
                    .where(t.c.timebank_id == timebank_id)
                    .scalar_subquery()
                    .label(t.name)
                    for t in _COUNTED
                )
            )
        ).one()
        ex = tables.exchanges
        exchange_rows = c.execute(
            select(
                ex.c.id,
                ex.c.status,
                ex.c.transaction_id,
                ex.c.reversal_transaction_id,
                ex.c.giver_consented_at,
                ex.c.decided_at,
            )
            .where(ex.c.timebank_id == timebank_id)
            .order_by(ex.c.id)
        ).all()
        er = tables.exchange_receivers
        receiver_rows = c.execute(
            select(er.c.exchange_id, er.c.account_id, er.c.minutes, er.c.consented_at)
            .where(er.c.timebank_id == timebank_id)
            .order_by(er.c.exchange_id, er.c.account_id)
        ).all()
        return Snapshot(
            accounts=tuple(uow.accounts.all_in_timebank(timebank_id)),
            transfers=tuple(uow.transfers.all_in_timebank(timebank_id)),
            counts=tuple(zip((t.name for t in _COUNTED), (int(n) for n in counts), strict=True)),
            exchanges=tuple(tuple(r) for r in exchange_rows),
            receivers=tuple(tuple(r) for r in receiver_rows),
        )

    return run(engine, read, write=False)


# --- the model -----------------------------------------------------------------------------------


class Refusal(Exception):
    """The model predicts the service refuses, with one of these codes."""

    def __init__(self, *codes: str) -> None:
        super().__init__(codes)
        self.codes = frozenset(codes)


@dataclass
class ModelAccount:
    kind: AccountKind
    floor: int
    cap: int | None
    balance: int = 0
    earned: int = 0
    spent: int = 0
    version: int = 0


@dataclass
class ModelExchange:
    giver: int
    receivers: tuple[tuple[int, int], ...]  # (account_id, minutes) as requested
    status: str
    awaiting: frozenset[int]
    recorder: Actor
    transaction_id: int | None = None
    reversal_transaction_id: int | None = None


@dataclass
class ModelTransaction:
    kind: str
    transfers: tuple[tuple[int, int, int], ...]  # (source, target, minutes) in posting order
    exchange_id: int | None = None
    reversed_by: int | None = None


@dataclass
class Keyed:
    """A keyed request that was answered: its body, its first answer, and how to send it again.

    ``refused_code`` is set when that first answer was a refusal the ledger recorded under the key.
    """

    body: tuple[Any, ...]
    view: Any
    replay: Callable[[], None]
    replay_with_other_body: Callable[[], None]
    refused_code: str | None = None


@dataclass(frozen=True)
class Replay:
    """The model predicts the service answers from its idempotency record."""

    keyed: Keyed


@dataclass(frozen=True)
class Foreign:
    """Another timebank in the same database, with rows nothing here may reach."""

    timebank_id: int
    account_ids: tuple[int, ...]
    exchange_id: int
    exchange_transaction_id: int
    gift_transaction_id: int
    snapshot: Snapshot


def minutes_problem(minutes: object, limit: int) -> str | None:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        return "minutes_must_be_whole"
    if minutes <= 0:
        return "minutes_must_be_positive"
    if minutes > min(limit, MINUTES_PER_TRANSFER_MAX):
        return "minutes_above_transfer_limit"
    return None


def check_exchange_request(giver: int, receivers: tuple[tuple[int, Any], ...], limit: int) -> None:
    """The checks an exchange passes on its own, in the order of the error tree."""
    if not receivers:
        raise Refusal("receivers_required")
    for _, minutes in receivers:
        if problem := minutes_problem(minutes, limit):
            raise Refusal(problem)
    seen: set[int] = set()
    for account_id, _ in receivers:
        if account_id == giver:
            raise Refusal("accounts_must_differ")
        if account_id in seen:
            raise Refusal("receiver_repeated")
        seen.add(account_id)


_STATUS_REFUSALS = {
    "confirmed": "exchange_already_confirmed",
    "declined": "exchange_already_declined",
    "cancelled": "exchange_already_cancelled",
    "expired": "exchange_already_expired",
    "reversed": "transaction_already_reversed",
}

MINUTES = st.one_of(st.integers(1, 90), st.integers(1, 400))
MEMBER_FLOORS = st.sampled_from([0, -30, -120, -600])
MEMBER_CAPS = st.sampled_from([None, None, 60, 240, 900])
NEW_FLOORS = st.sampled_from([0, -15, -60, -240, -600, -3000, 30, -1.5, "tight"])
NEW_CAPS = st.sampled_from([None, 0, 30, 120, 600, -5, True, "tight"])
EXPIRY_OFFSETS = st.sampled_from([None, timedelta(days=13), timedelta(days=15), timedelta(days=400)])
REASONS = st.sampled_from(["recorded twice", "wrong person", "a typo", "", "   "])


class LedgerMachine(RuleBasedStateMachine):
    """A timebank driven through its use cases next to a model of what it should hold."""

    def __init__(self, engine: Engine, foreign: Foreign) -> None:
        super().__init__()
        self.engine = engine
        self.foreign = foreign
        self.timebank_id = 0
        self.transfer_max = 0
        self.auto_confirm = False
        self.both_sides = False
        self.pot = 0
        self.accounts: dict[int, ModelAccount] = {}
        self.holders: dict[int, Actor] = {}
        self.coordinator = Actor("coordinator")
        self.visitor = Actor("visitor")  # signed in, holds no account, coordinates nothing
        self.exchanges: dict[int, ModelExchange] = {}
        self.transactions: dict[int, ModelTransaction] = {}
        self.keyed: dict[tuple[str, str], Keyed] = {}
        self.counts = {t.name: 0 for t in _COUNTED}
        self.moments: list[tuple[datetime, dict[int, int]]] = []
        self._keys = itertools.count(1)
        self._claimed: tuple[Actor, str, tuple[Any, ...]] | None = None
        self._current: Snapshot | None = None  # the database as last read, if nothing changed since
        self._fresh: Snapshot | None = None  # read during this step, after its last write

    # --- set-up ----------------------------------------------------------------------------------

    @initialize(
        floors=st.lists(MEMBER_FLOORS, min_size=3, max_size=6),
        caps=st.lists(MEMBER_CAPS, min_size=6, max_size=6),
        with_organisation=st.booleans(),
        transfer_max=st.sampled_from([1440, 240]),
        auto_confirm=st.booleans(),
        both_sides=st.sampled_from([False, False, False, True]),
    )
    def open_a_timebank(
        self,
        floors: list[int],
        caps: list[int | None],
        with_organisation: bool,
        transfer_max: int,
        auto_confirm: bool,
        both_sides: bool,
    ) -> None:
        view = create_timebank(
            self.engine,
            "State machine",
            minutes_per_transfer_max=transfer_max,
            auto_confirm_pending=auto_confirm,
            require_both_sides=both_sides,
            backdate_days_max=STORY_BACKDATE_DAYS,
        )
        self.timebank_id, self.pot = view.timebank_id, view.pot_account_id
        self.transfer_max, self.auto_confirm, self.both_sides = transfer_max, auto_confirm, both_sides
        self.accounts[self.pot] = ModelAccount(AccountKind.POT, 0, None)
        admin = Actor("admin", is_coordinator=True)
        opened = [
            (AccountKind.MEMBER, f"member {i}", floor, cap)
            for i, (floor, cap) in enumerate(zip(floors, caps, strict=False))
        ]
        if with_organisation:
            opened.append((AccountKind.ORGANISATION, "the day centre", -3000, None))
        for kind, name, floor, cap in opened:
            account = open_account(
                self.engine, self.timebank_id, admin, kind, name, floor_minutes=floor, cap_minutes=cap
            )
            assert (account.floor_minutes, account.cap_minutes) == (floor, cap)
            self.accounts[account.account_id] = ModelAccount(kind, floor, cap)
            prefix = "member" if kind is AccountKind.MEMBER else "staff"
            self.holders[account.account_id] = Actor(f"{prefix}:{account.account_id}", account.account_id)
        first_member = next(iter(self.holders))
        # The coordinator is also a member: their consent counts where their account is a party.
        self.coordinator = Actor(f"coordinator:{first_member}", first_member, is_coordinator=True)
        self.moments.append((datetime.now(UTC), self._balances()))

    # --- invariants ------------------------------------------------------------------------------

    @invariant()
    def the_ledger_holds_its_invariants_and_matches_the_model(self) -> None:
        if not self.timebank_id:
            return
        snap = self._fresh or read_snapshot(self.engine, self.timebank_id)
        self._fresh, self._current = None, snap
        assert invariants.check_all(snap.accounts, snap.transfers) == []
        seen = {
            a.account_id: (
                a.balance_minutes,
                a.earned_minutes,
                a.spent_minutes,
                a.version,
                a.floor_minutes,
                a.cap_minutes,
            )
            for a in snap.accounts
        }
        expected = {
            i: (a.balance, a.earned, a.spent, a.version, a.floor, a.cap) for i, a in self.accounts.items()
        }
        assert seen == expected
        assert dict(snap.counts) == self.counts
        assert {row[0]: (row[1], row[2], row[3]) for row in snap.exchanges} == {
            i: (e.status, e.transaction_id, e.reversal_transaction_id) for i, e in self.exchanges.items()
        }

    @invariant()
    def the_reports_running_totals_equal_a_recount_of_the_exchanges(self) -> None:
        if self.timebank_id:
            assert stored_rollups(self.engine, self.timebank_id) == recounted_rollups(
                self.engine, self.timebank_id
            )

    def teardown(self) -> None:
        if self.timebank_id:
            assert read_snapshot(self.engine, self.foreign.timebank_id) == self.foreign.snapshot

    # --- helpers: the model ----------------------------------------------------------------------

    def _balances(self) -> dict[int, int]:
        return {i: a.balance for i, a in self.accounts.items()}

    def _parties(self) -> list[int]:
        """Accounts someone holds: members and the organisation (not the pot)."""
        return list(self.holders)

    def _strangers(self) -> list[int]:
        return [UNKNOWN_ID, *self.foreign.account_ids]

    def _actors(self) -> list[Actor]:
        return [*self.holders.values(), self.coordinator, self.visitor]

    def _check_known(self, account_ids: Iterable[int]) -> None:
        if any(i not in self.accounts for i in account_ids):
            raise Refusal("account_not_found")

    def _check_key(self, actor: Actor, key: str | None, body: tuple[Any, ...]) -> Replay | None:
        if key is None:
            return None
        if (actor.caller, key) not in self.keyed:
            # The service claims the key here: a refusal predicted from now on is recorded under it.
            self._claimed = (actor, key, body)
            return None
        keyed = self.keyed[(actor.caller, key)]
        if keyed.body != body:
            raise Refusal("idempotency_key_reused")
        if keyed.refused_code is not None:
            raise Refusal(keyed.refused_code)
        return Replay(keyed)

    def _check_limits(self, triples: Iterable[tuple[int, int, int]]) -> None:
        """Apply the transfers in order to a copy; refuse with every limit any step would break."""
        balances: dict[int, int] = {}
        broken: set[str] = set()
        for source, target, minutes in triples:
            for account_id, delta in ((source, -minutes), (target, minutes)):
                account = self.accounts[account_id]
                balance = balances.get(account_id, account.balance) + delta
                balances[account_id] = balance
                if balance < account.floor:
                    broken.add("balance_below_floor")
                if account.cap is not None and balance > account.cap:
                    broken.add("balance_above_cap")
        if broken:
            raise Refusal(*broken)

    def _exchange(self, exchange_id: int) -> ModelExchange:
        if exchange_id not in self.exchanges:
            raise Refusal("exchange_not_found")
        return self.exchanges[exchange_id]

    def _check_party(self, actor: Actor, exchange: ModelExchange) -> None:
        parties = {exchange.giver, *(r for r, _ in exchange.receivers)}
        if not actor.is_coordinator and actor.account_id not in parties:
            raise Refusal("not_a_party_to_exchange")

    def _check_pending(self, exchange: ModelExchange) -> None:
        if exchange.status != "pending":
            raise Refusal(_STATUS_REFUSALS[exchange.status])

    def _post(
        self,
        transaction_id: int | None,
        kind: str,
        triples: tuple[tuple[int, int, int], ...],
        exchange_id: int | None = None,
    ) -> None:
        assert transaction_id is not None and transaction_id not in self.transactions
        for source, target, minutes in triples:
            for account_id, delta in ((source, -minutes), (target, minutes)):
                account = self.accounts[account_id]
                account.balance += delta
                account.version += 1
                if delta < 0:
                    account.spent -= delta
                else:
                    account.earned += delta
        self.transactions[transaction_id] = ModelTransaction(kind, triples, exchange_id)
        self.counts["transfers"] += len(triples)
        self.counts["transactions"] += 1

    def _remember_key(self, actor: Actor, key: str | None, keyed: Keyed) -> None:
        if key is not None:
            self.keyed[(actor.caller, key)] = keyed
            self.counts["idempotency_keys"] += 1

    def _draw_key(self, data: st.DataObject) -> str | None:
        """No key, a fresh key, or a key already used (by this caller or another)."""
        choice = data.draw(st.sampled_from(["none", "fresh", "fresh", "used"]), label="key kind")
        if choice == "none":
            return None
        if choice == "used" and self.keyed:
            return data.draw(st.sampled_from(sorted({k for _, k in self.keyed})), label="key")
        return f"key-{next(self._keys)}"

    # --- helpers: calling the service under the model's prediction -------------------------------

    def _snapshot_now(self) -> Snapshot:
        return self._current or read_snapshot(self.engine, self.timebank_id)

    def _changed(self) -> None:
        """Something was written: no snapshot read so far describes the database any more."""
        self._current = self._fresh = None

    def _attempt(self, predict: Callable[[], Any], call: Callable[[], Any]) -> tuple[Any, Any] | None:
        """Run ``call`` as the model predicts: refused (L5), replayed (L7), or done.

        Returns (plan, answer) when the operation went through, for the caller to apply.
        """
        self._claimed = None
        try:
            plan = predict()
        except Refusal as refusal:
            self._expect_refusal(call, refusal.codes, claimed=self._claimed)
            return None
        if isinstance(plan, Replay):
            before = self._snapshot_now()
            answer = call()
            assert answer == plan.keyed.view, "a replay must return the first answer (L7)"
            after = read_snapshot(self.engine, self.timebank_id)
            assert before.differences(after) == [], "a replay must create nothing (L7)"
            self._current = self._fresh = after
            return None
        answer = call()
        self._changed()
        return plan, answer

    def _expect_refusal(
        self,
        call: Callable[[], Any],
        codes: frozenset[str],
        claimed: tuple[Actor, str, tuple[Any, ...]] | None = None,
    ) -> None:
        before = self._snapshot_now()
        try:
            answer = call()
        except TimebankError as error:
            assert error.code in codes, f"refused with {error.code!r}, expected {sorted(codes)}"
            code = error.code
        else:
            raise AssertionError(f"expected a refusal {sorted(codes)}, got {answer!r}")
        after = read_snapshot(self.engine, self.timebank_id)
        if claimed is not None and issubclass(all_error_codes()[code], RECORDED_REFUSALS):
            # The refusal is the key's answer now: one idempotency record, and nothing else (L5, L7).
            counts = dict(before.counts)
            counts["idempotency_keys"] += 1
            before = dataclasses.replace(before, counts=tuple(counts.items()))
            actor, key, body = claimed
            replay = functools.partial(self._expect_refusal, call, frozenset({code}))
            self._remember_key(actor, key, Keyed(body, None, replay, lambda: None, refused_code=code))
        assert before.differences(after) == [], "a refused operation changed the ledger (L5)"
        self._current = self._fresh = after

    # --- operations, each with the model's prediction --------------------------------------------

    def _record(
        self,
        actor: Actor,
        giver: int,
        receivers: tuple[tuple[int, Any], ...],
        *,
        key: str | None = None,
        description: str = "help in the garden",
    ) -> Any:
        body = ("record_exchange", giver, receivers, description)
        receiver_ids = [r for r, _ in receivers]

        def call() -> Any:
            return record_exchange(
                self.engine,
                self.timebank_id,
                actor,
                giver,
                [ReceiverShare(r, m) for r, m in receivers],
                ACTIVITY_DATE,
                description,
                idempotency_key=key,
            )

        def predict() -> Any:
            check_exchange_request(giver, receivers, MINUTES_PER_TRANSFER_MAX)
            if replay := self._check_key(actor, key, body):
                return replay
            check_exchange_request(giver, receivers, self.transfer_max)
            self._check_known([giver, *receiver_ids])
            if self.pot in {giver, *receiver_ids}:
                raise Refusal("pot_cannot_exchange")
            if not actor.is_coordinator and actor.account_id not in {giver, *receiver_ids}:
                raise Refusal("not_a_party_to_exchange")
            awaiting: set[int] = set()
            if not actor.is_coordinator:
                awaiting = {r for r in receiver_ids if r != actor.account_id}
                if self.both_sides and actor.account_id != giver:
                    awaiting.add(giver)
            triples = tuple((r, giver, m) for r, m in receivers)
            if not awaiting:
                self._check_limits(triples)
            return frozenset(awaiting), triples

        done = self._attempt(predict, call)
        if done is None:
            return None
        (awaiting, triples), view = done
        assert view.exchange_id not in self.exchanges
        assert view.giver_account_id == giver
        assert sorted(receiver_pairs(view)) == sorted(receivers)
        assert view.status == ("pending" if awaiting else "confirmed")
        exchange = ModelExchange(giver, receivers, view.status, awaiting, actor)
        self.exchanges[view.exchange_id] = exchange
        self.counts["exchanges"] += 1
        self.counts["exchange_receivers"] += len(receivers)
        if awaiting:
            assert view.transaction_id is None
            assert set(view.awaiting_consent_from) == awaiting
        else:
            exchange.transaction_id = view.transaction_id
            self._post(view.transaction_id, "exchange", triples, view.exchange_id)
        self._remember_key(
            actor,
            key,
            Keyed(
                body,
                view,
                lambda: self._record(actor, giver, receivers, key=key, description=description),
                lambda: self._record(actor, giver, receivers, key=key, description="something else"),
            ),
        )
        return view

    def _confirm(self, actor: Actor, exchange_id: int, *, key: str | None = None) -> None:
        body = ("confirm_exchange", exchange_id)

        def call() -> Any:
            return confirm_exchange(self.engine, self.timebank_id, actor, exchange_id, idempotency_key=key)

        def predict() -> Any:
            if replay := self._check_key(actor, key, body):
                return replay
            # Who asks is checked before the exchange's state: a stranger learns nothing about it.
            exchange = self._exchange(exchange_id)
            self._check_party(actor, exchange)
            self._check_pending(exchange)
            remaining: frozenset[int] = frozenset()
            if not actor.is_coordinator:
                if actor.account_id not in exchange.awaiting:
                    raise Refusal("consent_already_given")
                remaining = exchange.awaiting - {actor.account_id}
            # A pending exchange posts its receivers in account order.
            triples = tuple((r, exchange.giver, m) for r, m in sorted(exchange.receivers))
            if not remaining:
                self._check_limits(triples)
            return remaining, triples

        done = self._attempt(predict, call)
        if done is None:
            return
        (remaining, triples), view = done
        exchange = self.exchanges[exchange_id]
        if remaining:
            assert view.status == "pending"
            assert set(view.awaiting_consent_from) == remaining
            exchange.awaiting = remaining
        else:
            assert view.status == "confirmed"
            exchange.status, exchange.transaction_id = "confirmed", view.transaction_id
            self._post(view.transaction_id, "exchange", triples, exchange_id)
        self._remember_key(
            actor,
            key,
            Keyed(
                body,
                view,
                lambda: self._confirm(actor, exchange_id, key=key),
                lambda: self._confirm(actor, exchange_id + 1, key=key),
            ),
        )

    def _close(self, actor: Actor, exchange_id: int, status: str) -> None:
        def call() -> Any:
            close = decline_exchange if status == "declined" else cancel_exchange
            return close(self.engine, self.timebank_id, actor, exchange_id)

        def predict() -> None:
            exchange = self._exchange(exchange_id)
            if status == "declined":
                # Whoever is asked to consent may refuse; a party already agreed may not.
                self._check_party(actor, exchange)
                self._check_pending(exchange)
                if not actor.is_coordinator and actor.account_id not in exchange.awaiting:
                    raise Refusal("consent_already_given")
            else:
                # Whoever recorded it may withdraw it (by caller, or by the account they hold).
                recorder = exchange.recorder
                if not (
                    actor.is_coordinator
                    or actor.caller == recorder.caller
                    or (recorder.account_id is not None and actor.account_id == recorder.account_id)
                ):
                    raise Refusal("not_a_party_to_exchange")
                self._check_pending(exchange)

        done = self._attempt(predict, call)
        if done is not None:
            assert done[1].status == status
            self.exchanges[exchange_id].status = status

    def _reverse_exchange(
        self, actor: Actor, exchange_id: int, reason: str, *, key: str | None = None
    ) -> None:
        body = ("reverse_exchange", exchange_id, reason)
        before = self._snapshot_now()

        def call() -> Any:
            return reverse_exchange(
                self.engine, self.timebank_id, actor, exchange_id, reason, idempotency_key=key
            )

        def predict() -> Any:
            if not reason.strip():
                raise Refusal("reason_required")
            if replay := self._check_key(actor, key, body):
                return replay
            return self._predict_exchange_reversal(actor, self._exchange(exchange_id))

        self._reversal_done(
            self._attempt(predict, call),
            before,
            actor,
            Keyed(
                body,
                None,
                lambda: self._reverse_exchange(actor, exchange_id, reason, key=key),
                lambda: self._reverse_exchange(actor, exchange_id, reason + " (again)", key=key),
            ),
            key,
        )

    def _predict_exchange_reversal(self, actor: Actor, exchange: ModelExchange) -> int:
        if not actor.is_coordinator:
            raise Refusal("coordinator_required")
        if exchange.status == "reversed":
            raise Refusal("transaction_already_reversed")
        if exchange.status != "confirmed":
            raise Refusal("exchange_not_confirmed")
        assert exchange.transaction_id is not None
        return self._predict_reversal(exchange.transaction_id)

    def _predict_reversal(self, transaction_id: int) -> int:
        original = self.transactions[transaction_id]
        if original.kind == "reversal":
            raise Refusal("reversal_cannot_be_reversed")
        if original.reversed_by is not None:
            raise Refusal("transaction_already_reversed")
        self._check_limits((t, s, m) for s, t, m in original.transfers)
        return transaction_id

    def _reverse_transaction(
        self, actor: Actor, transaction_id: int, reason: str, *, key: str | None = None
    ) -> None:
        body = ("reverse_transaction", transaction_id, reason)
        before = self._snapshot_now()

        def call() -> Any:
            return reverse_transaction(
                self.engine, self.timebank_id, actor, transaction_id, reason, idempotency_key=key
            )

        def predict() -> Any:
            if not actor.is_coordinator:
                raise Refusal("coordinator_required")
            if not reason.strip():
                raise Refusal("reason_required")
            if replay := self._check_key(actor, key, body):
                return replay
            if transaction_id not in self.transactions:
                raise Refusal("transaction_not_found")
            exchange_id = self.transactions[transaction_id].exchange_id
            if exchange_id is not None:
                return self._predict_exchange_reversal(actor, self.exchanges[exchange_id])
            return self._predict_reversal(transaction_id)

        self._reversal_done(
            self._attempt(predict, call),
            before,
            actor,
            Keyed(
                body,
                None,
                lambda: self._reverse_transaction(actor, transaction_id, reason, key=key),
                lambda: self._reverse_transaction(actor, transaction_id, reason + " (again)", key=key),
            ),
            key,
        )

    def _reversal_done(
        self,
        done: tuple[Any, Any] | None,
        before: Snapshot,
        actor: Actor,
        keyed: Keyed,
        key: str | None,
    ) -> None:
        """Apply a reversal that went through, check L6, and check that reversing again is refused."""
        if done is None:
            return
        original_id, view = done
        original = self.transactions[original_id]
        mirrored = tuple((t, s, m) for s, t, m in original.transfers)
        assert view.kind == "reversal"
        assert view.reverses_transaction_id == original_id
        assert view.exchange_id == original.exchange_id
        assert sorted(transfer_triples(view)) == sorted(mirrored)
        self._post(view.transaction_id, "reversal", mirrored)
        original.reversed_by = view.transaction_id
        if original.exchange_id is not None:
            exchange = self.exchanges[original.exchange_id]
            exchange.status, exchange.reversal_transaction_id = "reversed", view.transaction_id
        self._remember_key(actor, key, Keyed(keyed.body, view, keyed.replay, keyed.replay_with_other_body))
        # L6: every touched balance moved back by exactly what the original moved.
        after = read_snapshot(self.engine, self.timebank_id)
        moved: dict[int, int] = {}
        for source, target, minutes in original.transfers:
            moved[source] = moved.get(source, 0) - minutes
            moved[target] = moved.get(target, 0) + minutes
        old = {a.account_id: a.balance_minutes for a in before.accounts}
        new = {a.account_id: a.balance_minutes for a in after.accounts}
        assert {i: new[i] - old[i] for i in moved} == {i: -d for i, d in moved.items()}
        self._current = self._fresh = after
        # L6: a second reversal, by exchange or by transaction, is refused.
        self._expect_refusal(
            lambda: reverse_transaction(
                self.engine, self.timebank_id, self.coordinator, original_id, "once more"
            ),
            frozenset({"transaction_already_reversed"}),
        )
        if original.exchange_id is not None:
            self._expect_refusal(
                lambda: reverse_exchange(
                    self.engine, self.timebank_id, self.coordinator, original.exchange_id, "once more"
                ),
                frozenset({"transaction_already_reversed"}),
            )

    def _give(
        self,
        actor: Actor,
        source: int,
        target: int,
        minutes: Any,
        *,
        key: str | None = None,
        note: str | None = None,
    ) -> None:
        body = ("give_credits", source, target, minutes, note)

        def call() -> Any:
            return give_credits(
                self.engine, self.timebank_id, actor, source, target, minutes, note, idempotency_key=key
            )

        def predict() -> Any:
            if problem := minutes_problem(minutes, MINUTES_PER_TRANSFER_MAX):
                raise Refusal(problem)
            if source == target:
                raise Refusal("accounts_must_differ")
            if replay := self._check_key(actor, key, body):
                return replay
            self._check_known([source, target])
            if not (actor.is_coordinator or actor.account_id == source):
                raise Refusal("account_holder_required")
            if problem := minutes_problem(minutes, self.transfer_max):
                raise Refusal(problem)
            self._check_limits([(source, target, minutes)])
            if source == self.pot:
                return "pot_grant"
            return "pot_donation" if target == self.pot else "gift"

        done = self._attempt(predict, call)
        if done is None:
            return
        kind, view = done
        assert view.kind == kind
        assert transfer_triples(view) == ((source, target, minutes),)
        assert view.reverses_transaction_id is None and view.exchange_id is None
        self._post(view.transaction_id, kind, ((source, target, minutes),))
        self._remember_key(
            actor,
            key,
            Keyed(
                body,
                view,
                lambda: self._give(actor, source, target, minutes, key=key, note=note),
                lambda: self._give(actor, source, target, minutes, key=key, note=f"{note} and more"),
            ),
        )

    def _set_limits(self, actor: Actor, account_id: int, floor: Any, cap: Any) -> None:
        def call() -> Any:
            return set_limits(
                self.engine,
                self.timebank_id,
                actor,
                account_id,
                floor_minutes=floor,
                cap_minutes=cap,
                reason="a state machine step",
            )

        def predict() -> None:
            if not actor.is_coordinator:
                raise Refusal("coordinator_required")
            self._check_known([account_id])
            if isinstance(floor, bool) or not isinstance(floor, int):
                raise Refusal("minutes_must_be_whole")
            if floor > 0:
                raise Refusal("floor_must_not_be_positive")
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int)):
                raise Refusal("minutes_must_be_whole")
            if cap is not None and cap < 0:
                raise Refusal("cap_must_not_be_negative")
            balance = self.accounts[account_id].balance
            if balance < floor or (cap is not None and balance > cap):
                raise Refusal("limit_excludes_balance")
            if account_id == self.pot and floor != 0:
                raise Refusal("pot_floor_must_be_zero")

        done = self._attempt(predict, call)
        if done is not None:
            assert (done[1].floor_minutes, done[1].cap_minutes) == (floor, cap)
            account = self.accounts[account_id]
            account.floor, account.cap = floor, cap
            self.counts["limit_changes"] += 1

    # --- rules: recording exchanges --------------------------------------------------------------

    def _draw_receivers(
        self, data: st.DataObject, candidates: list[int], max_size: int = 3
    ) -> tuple[tuple[int, Any], ...]:
        ids = data.draw(
            st.lists(st.sampled_from(candidates), min_size=1, max_size=max_size, unique=True),
            label="receivers",
        )
        minutes = data.draw(st.lists(MINUTES, min_size=len(ids), max_size=len(ids)), label="minutes")
        return tuple(zip(ids, minutes, strict=True))

    @rule(data=st.data())
    def a_receiver_records_an_exchange(self, data: st.DataObject) -> None:
        parties = self._parties()
        giver = data.draw(st.sampled_from(parties), label="giver")
        receivers = self._draw_receivers(data, [p for p in parties if p != giver])
        self._record(self.holders[receivers[0][0]], giver, receivers, key=self._draw_key(data))

    @rule(data=st.data())
    def a_giver_records_an_exchange_that_waits_for_consent(self, data: st.DataObject) -> None:
        giver = data.draw(st.sampled_from(self._parties()), label="giver")
        receivers = self._draw_receivers(data, [a for a in self.accounts if a != giver])
        self._record(self.holders[giver], giver, receivers, key=self._draw_key(data))

    @rule(data=st.data())
    def a_coordinator_records_an_exchange_for_others(self, data: st.DataObject) -> None:
        everyone = list(self.accounts)
        giver = data.draw(st.sampled_from(everyone), label="giver")
        receivers = self._draw_receivers(data, [a for a in everyone if a != giver])
        self._record(self.coordinator, giver, receivers, key=self._draw_key(data))

    @rule(data=st.data())
    def someone_outside_an_exchange_cannot_record_it(self, data: st.DataObject) -> None:
        outsider = data.draw(st.sampled_from([*self._parties(), None]), label="outsider")
        actor = self.visitor if outsider is None else self.holders[outsider]
        others = [p for p in self._parties() if p != outsider]
        giver = data.draw(st.sampled_from(others), label="giver")
        receivers = self._draw_receivers(data, [p for p in others if p != giver])
        self._record(actor, giver, receivers)

    @rule(data=st.data())
    def an_exchange_naming_an_unknown_or_foreign_account_is_refused(self, data: st.DataObject) -> None:
        stranger = data.draw(st.sampled_from(self._strangers()), label="stranger")
        member = data.draw(st.sampled_from(self._parties()), label="member")
        minutes = data.draw(MINUTES, label="minutes")
        if data.draw(st.booleans(), label="stranger gives"):
            self._record(self.holders[member], stranger, ((member, minutes),))
        else:
            self._record(self.coordinator, member, ((stranger, minutes),))

    @rule(data=st.data())
    def an_exchange_with_bad_minutes_is_refused(self, data: st.DataObject) -> None:
        minutes = data.draw(st.sampled_from([m for m, _ in BAD_MINUTES] + [self.transfer_max + 1]))
        parties = self._parties()
        giver, receiver = data.draw(st.permutations(parties), label="giver, receiver")[:2]
        self._record(self.holders[receiver], giver, ((receiver, minutes),))

    @rule(data=st.data())
    def an_exchange_with_a_repeated_or_missing_party_is_refused(self, data: st.DataObject) -> None:
        giver, other = data.draw(st.permutations(self._parties()), label="giver, other")[:2]
        receivers = data.draw(
            st.sampled_from([(), ((giver, 30),), ((other, 30), (other, 15)), ((other, 30), (giver, 5))]),
            label="receivers",
        )
        self._record(self.coordinator, giver, receivers)

    # --- rules: idempotency ----------------------------------------------------------------------

    @rule(data=st.data())
    def a_keyed_exchange_replayed_at_once_returns_the_same_answer(self, data: st.DataObject) -> None:
        parties = self._parties()
        giver = data.draw(st.sampled_from(parties), label="giver")
        receivers = self._draw_receivers(data, [p for p in parties if p != giver], max_size=2)
        actor = data.draw(st.sampled_from([self.holders[receivers[0][0]], self.coordinator]), label="actor")
        key = f"key-{next(self._keys)}"
        if self._record(actor, giver, receivers, key=key) is not None:
            self.keyed[(actor.caller, key)].replay()

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def an_earlier_keyed_request_replayed_later_returns_its_first_answer(self, data: st.DataObject) -> None:
        keyed = data.draw(st.sampled_from(list(self.keyed.values())), label="request")
        keyed.replay()

    @precondition(lambda self: self.keyed)
    @rule(data=st.data())
    def an_earlier_key_sent_with_another_body_is_refused(self, data: st.DataObject) -> None:
        keyed = data.draw(st.sampled_from(list(self.keyed.values())), label="request")
        keyed.replay_with_other_body()

    # --- rules: the life of an exchange ----------------------------------------------------------

    def _awaited(self) -> list[tuple[int, int]]:
        """(exchange, account) pairs where a holder's consent is awaited."""
        return [
            (i, a)
            for i, e in self.exchanges.items()
            if e.status == "pending"
            for a in sorted(e.awaiting)
            if a in self.holders
        ]

    def _any_exchange(self, data: st.DataObject) -> int:
        """Mostly one of ours, sometimes an unknown id or another timebank's exchange."""
        strangers = st.sampled_from([UNKNOWN_ID, self.foreign.exchange_id])
        if not self.exchanges:
            return data.draw(strangers, label="exchange")
        ours = st.sampled_from(list(self.exchanges))
        return data.draw(st.one_of(ours, ours, ours, strangers), label="exchange")

    @precondition(lambda self: self._awaited())
    @rule(data=st.data())
    def an_awaited_party_confirms(self, data: st.DataObject) -> None:
        exchange_id, account_id = data.draw(st.sampled_from(self._awaited()), label="exchange, party")
        self._confirm(self.holders[account_id], exchange_id, key=self._draw_key(data))
        if data.draw(st.booleans(), label="confirm twice"):
            # consent_already_given while others are awaited, exchange_already_confirmed after.
            self._confirm(self.holders[account_id], exchange_id)

    @rule(data=st.data())
    def anyone_confirms_any_exchange(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        self._confirm(actor, self._any_exchange(data), key=self._draw_key(data))

    @precondition(lambda self: self._awaited())
    @rule(data=st.data())
    def an_awaited_party_declines(self, data: st.DataObject) -> None:
        exchange_id, account_id = data.draw(st.sampled_from(self._awaited()), label="exchange, party")
        self._close(self.holders[account_id], exchange_id, "declined")

    @rule(data=st.data())
    def anyone_declines_any_exchange(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        self._close(actor, self._any_exchange(data), "declined")

    @precondition(lambda self: any(e.status == "pending" for e in self.exchanges.values()))
    @rule(data=st.data())
    def the_recorder_cancels_a_pending_exchange(self, data: st.DataObject) -> None:
        pending = [i for i, e in self.exchanges.items() if e.status == "pending"]
        exchange_id = data.draw(st.sampled_from(pending), label="exchange")
        self._close(self.exchanges[exchange_id].recorder, exchange_id, "cancelled")

    @rule(data=st.data())
    def anyone_cancels_any_exchange(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        self._close(actor, self._any_exchange(data), "cancelled")

    @rule(offset=EXPIRY_OFFSETS)
    def the_expiry_job_runs_at_some_moment(self, offset: timedelta | None) -> None:
        self._expire(offset)

    @precondition(lambda self: any(e.status == "pending" for e in self.exchanges.values()))
    @rule()
    def old_pending_exchanges_expire_or_post_by_themselves(self) -> None:
        self._expire(timedelta(days=PENDING_EXPIRY_DAYS + 1))

    def _expire(self, offset: timedelta | None) -> None:
        """Run the expiry job ``offset`` from now (None: now).

        Pending exchanges older than the setting expire, oldest first; where the timebank
        auto-confirms each posts instead, unless posting would break a limit.
        """
        due = []
        if offset is not None and offset > timedelta(days=PENDING_EXPIRY_DAYS):
            due = [i for i, e in self.exchanges.items() if e.status == "pending"]
        outcome: dict[int, str] = {}
        planned: dict[int, tuple[tuple[int, int, int], ...]] = {}
        saved = {i: (a.balance, a.earned, a.spent, a.version) for i, a in self.accounts.items()}
        for exchange_id in due:  # oldest first, each seeing the balances the earlier ones left
            exchange = self.exchanges[exchange_id]
            triples = tuple((r, exchange.giver, m) for r, m in sorted(exchange.receivers))
            outcome[exchange_id] = "expired"
            if self.auto_confirm:
                try:
                    self._check_limits(triples)
                except Refusal:
                    continue
                outcome[exchange_id] = "confirmed"
                planned[exchange_id] = triples
                for source, target, minutes in triples:  # provisional, redone by _post below
                    self.accounts[source].balance -= minutes
                    self.accounts[target].balance += minutes
        for i, (balance, earned, spent, version) in saved.items():
            account = self.accounts[i]
            account.balance, account.earned, account.spent, account.version = balance, earned, spent, version
        now = None if offset is None else datetime.now(UTC) + offset
        report = expire_pending(self.engine, self.timebank_id, now=now)
        self._changed()
        statuses = list(outcome.values())
        assert (report.expired, report.auto_confirmed) == (
            statuses.count("expired"),
            statuses.count("confirmed"),
        )
        for exchange_id, status in outcome.items():
            exchange = self.exchanges[exchange_id]
            exchange.status = status
            if status == "confirmed":
                view = get_exchange(self.engine, self.timebank_id, exchange_id)
                assert view.status == "confirmed"
                exchange.transaction_id = view.transaction_id
                self._post(view.transaction_id, "exchange", planned[exchange_id], exchange_id)

    # --- rules: reversals ------------------------------------------------------------------------

    @precondition(lambda self: any(e.status == "confirmed" for e in self.exchanges.values()))
    @rule(data=st.data())
    def a_coordinator_reverses_a_confirmed_exchange(self, data: st.DataObject) -> None:
        confirmed = [i for i, e in self.exchanges.items() if e.status == "confirmed"]
        exchange_id = data.draw(st.sampled_from(confirmed), label="exchange")
        self._reverse_exchange(self.coordinator, exchange_id, "recorded twice", key=self._draw_key(data))

    @rule(data=st.data())
    def anyone_reverses_any_exchange(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        exchange_id = self._any_exchange(data)
        reason = data.draw(REASONS, label="reason")
        self._reverse_exchange(actor, exchange_id, reason)

    @rule(data=st.data())
    def a_coordinator_reverses_a_transaction(self, data: st.DataObject) -> None:
        strangers = st.sampled_from(
            [UNKNOWN_ID, self.foreign.exchange_transaction_id, self.foreign.gift_transaction_id]
        )
        ours = st.sampled_from(list(self.transactions)) if self.transactions else strangers
        transaction_id = data.draw(st.one_of(ours, ours, ours, strangers), label="transaction")
        coordinator = data.draw(st.sampled_from([True, True, True, False]), label="by the coordinator")
        actor = self.coordinator if coordinator else data.draw(st.sampled_from(list(self.holders.values())))
        reason = data.draw(REASONS, label="reason")
        self._reverse_transaction(actor, transaction_id, reason, key=self._draw_key(data))

    # --- rules: gifts ----------------------------------------------------------------------------

    @rule(data=st.data())
    def a_member_gives_credits_to_another_member_or_the_pot(self, data: st.DataObject) -> None:
        source = data.draw(st.sampled_from(self._parties()), label="from")
        target = data.draw(st.sampled_from([a for a in self.accounts if a != source]), label="to")
        minutes = data.draw(MINUTES, label="minutes")
        self._give(self.holders[source], source, target, minutes, key=self._draw_key(data))

    @rule(data=st.data())
    def a_coordinator_grants_from_the_pot(self, data: st.DataObject) -> None:
        target = data.draw(st.sampled_from(self._parties()), label="to")
        minutes = data.draw(MINUTES, label="minutes")
        self._give(self.coordinator, self.pot, target, minutes, key=self._draw_key(data))

    @rule(data=st.data())
    def anyone_gives_from_any_account(self, data: st.DataObject) -> None:
        actor = data.draw(st.sampled_from(self._actors()), label="actor")
        everywhere = [*self.accounts, *self._strangers()]
        source = data.draw(st.sampled_from(everywhere), label="from")
        target = data.draw(st.sampled_from(everywhere), label="to")
        minutes = data.draw(
            st.one_of(MINUTES, st.sampled_from([m for m, _ in BAD_MINUTES] + [self.transfer_max + 1])),
            label="minutes",
        )
        self._give(actor, source, target, minutes)

    # --- rules: limits ---------------------------------------------------------------------------

    @rule(data=st.data())
    def a_coordinator_changes_an_accounts_limits(self, data: st.DataObject) -> None:
        account_id = data.draw(st.sampled_from([*self.accounts, *self._strangers()]), label="account")
        actor = data.draw(
            st.sampled_from([self.coordinator, self.coordinator, self.coordinator, self.visitor]),
            label="actor",
        )
        floor, cap = data.draw(NEW_FLOORS, label="floor"), data.draw(NEW_CAPS, label="cap")
        balance = self.accounts[account_id].balance if account_id in self.accounts else 0
        if floor == "tight":  # exactly at the balance when below zero, or a step above it
            floor = min(0, balance + data.draw(st.sampled_from([0, 1]), label="floor step"))
        if cap == "tight":  # exactly at the balance when above zero, or a step below it
            cap = max(0, balance - data.draw(st.sampled_from([0, 1]), label="cap step"))
        self._set_limits(actor, account_id, floor, cap)

    # --- rules: the past -------------------------------------------------------------------------

    @rule()
    def remember_the_time_and_the_balances(self) -> None:
        self.moments = [*self.moments[-3:], (datetime.now(UTC), self._balances())]

    @rule(data=st.data())
    def the_balance_at_a_remembered_moment_is_what_it_was_then(self, data: st.DataObject) -> None:
        moment, balances = data.draw(st.sampled_from(self.moments), label="moment")
        for account_id, balance in balances.items():
            assert balance_at(self.engine, self.timebank_id, account_id, moment) == balance


def make_foreign_timebank(engine: Engine) -> Foreign:
    """A second timebank with two members, a posted exchange and a gift: all out of reach."""
    view = create_timebank(engine, "Elsewhere", backdate_days_max=STORY_BACKDATE_DAYS)
    coordinator = Actor("coordinator:elsewhere", is_coordinator=True)
    a, b = (
        open_account(engine, view.timebank_id, coordinator, AccountKind.MEMBER, name).account_id
        for name in ("Far giver", "Far receiver")
    )
    exchange = record_exchange(
        engine, view.timebank_id, coordinator, a, [ReceiverShare(b, 30)], ACTIVITY_DATE, "far away"
    )
    gift = give_credits(engine, view.timebank_id, coordinator, a, b, 10)
    assert exchange.transaction_id is not None
    return Foreign(
        timebank_id=view.timebank_id,
        account_ids=(a, b),
        exchange_id=exchange.exchange_id,
        exchange_transaction_id=exchange.transaction_id,
        gift_transaction_id=gift.transaction_id,
        snapshot=read_snapshot(engine, view.timebank_id),
    )


def test_random_operations_through_the_services_keep_the_ledger_invariants_and_match_a_model(
    engine: Engine,
) -> None:
    foreign = make_foreign_timebank(engine)
    # The loaded profile decides the number of examples and steps ("ci": 200 x 25).
    run_state_machine_as_test(lambda: LedgerMachine(engine, foreign), settings=settings())
