"""Idempotency keys on every write that moves credits (DESIGN §3 "Idempotency", L7).

On SQLite and PostgreSQL, for ``record_exchange`` (posted at once and pending), ``confirm_exchange``,
``give_credits``, ``reverse_exchange`` and ``reverse_transaction``:

- a replay returns the first answer and creates nothing (every row count, account and exchange row
  identical), even after the state has moved on since the first answer;
- the same key with a different body is refused with ``idempotency_key_reused`` and changes nothing;
- keys are scoped per caller (the same key from two callers makes two writes) and per timebank (the
  same caller and key in two timebanks makes a write in each);
- a refusal is the key's final answer, as a success is: the refusal is recorded under the key (and
  nothing else is), so the same request with the same key is refused again even once the cause is
  gone, and cannot succeed behind the back of a client who was told "refused"; a new key goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.exchanges.idempotency import once, request_sha256
from timebank.ledger.errors import BalanceBelowFloor
from timebank.ledger.types import Actor

from .helpers import World, check_invariants, make_world, snapshot

KEY = "9b2f6c1e-request-1"


@dataclass(frozen=True)
class Keyed:
    """``act(w, arranged, key)`` is a keyed write; ``other_body`` is the same key sent differently."""

    act: Callable[[World, Any, str], Any]
    other_body: Callable[[World, Any, str], Any]
    arrange: Callable[[World], Any] = lambda w: None


def pending(w: World) -> Any:
    return w.pending(w.bo, {w.ann: 60})


def posted(w: World) -> Any:
    return w.posted(w.bo, {w.ann: 60})


def two_pending(w: World) -> Any:
    return w.pending(w.bo, {w.ann: 60}), w.pending(w.cy, {w.ann: 30})


def a_gift(w: World) -> Any:
    return w.give(w.holder(w.ann), w.ann, w.bo, 30)


OPERATIONS = {
    "record_exchange_posted_at_once": Keyed(
        act=lambda w, _, key: w.record(w.holder(w.ann), w.bo, {w.ann: 60}, idempotency_key=key),
        other_body=lambda w, _, key: w.record(w.holder(w.ann), w.bo, {w.ann: 61}, idempotency_key=key),
    ),
    "record_exchange_pending": Keyed(
        act=lambda w, _, key: w.record(w.holder(w.bo), w.bo, {w.ann: 60, w.cy: 30}, idempotency_key=key),
        other_body=lambda w, _, key: w.record(
            w.holder(w.bo), w.bo, {w.ann: 60, w.cy: 30}, description="another day", idempotency_key=key
        ),
    ),
    "confirm_exchange": Keyed(
        act=lambda w, xs, key: w.confirm(w.holder(w.ann), xs[0].exchange_id, idempotency_key=key),
        other_body=lambda w, xs, key: w.confirm(w.holder(w.ann), xs[1].exchange_id, idempotency_key=key),
        arrange=two_pending,
    ),
    "give_credits": Keyed(
        act=lambda w, _, key: w.give(w.holder(w.ann), w.ann, w.bo, 30, idempotency_key=key),
        other_body=lambda w, _, key: w.give(w.holder(w.ann), w.ann, w.cy, 30, idempotency_key=key),
    ),
    "reverse_exchange": Keyed(
        act=lambda w, x, key: w.reverse(x.exchange_id, reason="recorded twice", idempotency_key=key),
        other_body=lambda w, x, key: w.reverse(x.exchange_id, reason="wrong member", idempotency_key=key),
        arrange=posted,
    ),
    "reverse_transaction": Keyed(
        act=lambda w, g, key: w.reverse_transaction(g.transaction_id, reason="typo", idempotency_key=key),
        other_body=lambda w, g, key: w.reverse_transaction(
            g.transaction_id, reason="a different reason", idempotency_key=key
        ),
        arrange=a_gift,
    ),
}


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_a_replayed_request_returns_the_first_answer_and_creates_nothing(
    engine: Engine, operation: Keyed
) -> None:
    w = make_world(engine)
    arranged = operation.arrange(w)
    keys_before = snapshot(engine, w.timebank_id)["counts"]["idempotency_keys"]

    first = operation.act(w, arranged, KEY)
    after_first = snapshot(engine, w.timebank_id)
    replay = operation.act(w, arranged, KEY)
    second_replay = operation.act(w, arranged, KEY)

    assert replay == first
    assert second_replay == first
    assert snapshot(engine, w.timebank_id) == after_first
    assert after_first["counts"]["idempotency_keys"] == keys_before + 1
    assert check_invariants(engine, w.timebank_id) == []


@pytest.mark.parametrize("operation", OPERATIONS.values(), ids=OPERATIONS.keys())
def test_the_same_key_with_a_different_body_is_refused_and_changes_nothing(
    engine: Engine, operation: Keyed
) -> None:
    w = make_world(engine)
    arranged = operation.arrange(w)
    operation.act(w, arranged, KEY)
    before = snapshot(engine, w.timebank_id)

    with pytest.raises(IdempotencyKeyReused) as refusal:
        operation.other_body(w, arranged, KEY)

    assert refusal.value.code == "idempotency_key_reused"
    assert snapshot(engine, w.timebank_id) == before


def test_a_replay_answers_as_the_first_time_even_after_the_exchange_moved_on(engine: Engine) -> None:
    w = make_world(engine)
    first = w.record(w.holder(w.bo), w.bo, {w.ann: 60}, idempotency_key=KEY)
    w.confirm(w.holder(w.ann), first.exchange_id)
    w.reverse(first.exchange_id)
    before = snapshot(engine, w.timebank_id)

    replay = w.record(w.holder(w.bo), w.bo, {w.ann: 60}, idempotency_key=KEY)

    assert replay == first
    assert replay.status == "pending"
    assert w.status(first.exchange_id) == "reversed"
    assert snapshot(engine, w.timebank_id) == before


def test_the_same_key_from_two_callers_makes_two_separate_writes(engine: Engine) -> None:
    w = make_world(engine)
    alice = Actor(caller="coordinator:alice", is_coordinator=True)
    brian = Actor(caller="coordinator:brian", is_coordinator=True)

    first = w.record(alice, w.bo, {w.ann: 60}, idempotency_key=KEY)
    second = w.record(brian, w.bo, {w.ann: 60}, idempotency_key=KEY)
    gift_a = w.give(alice, w.ann, w.cy, 10, idempotency_key="gift")
    gift_b = w.give(brian, w.ann, w.cy, 10, idempotency_key="gift")

    assert first.exchange_id != second.exchange_id
    assert first.transaction_id != second.transaction_id
    assert gift_a.transaction_id != gift_b.transaction_id
    assert w.balances() == {w.pot: 0, w.ann: -140, w.bo: 120, w.cy: 20}
    assert snapshot(engine, w.timebank_id)["counts"]["idempotency_keys"] == 4


def test_the_same_caller_and_key_in_two_timebanks_makes_a_write_in_each(engine: Engine) -> None:
    w = make_world(engine)
    o = w.other()
    shared = Actor(caller="coordinator:shared", is_coordinator=True)

    here = w.record(shared, w.bo, {w.ann: 60}, idempotency_key=KEY)
    there = o.record(shared, o.bo, {o.ann: 60}, idempotency_key=KEY)

    assert here.exchange_id != there.exchange_id
    assert w.balance(w.bo) == 60
    assert o.balance(o.bo) == 60
    assert snapshot(engine, w.timebank_id)["counts"]["idempotency_keys"] == 1
    assert snapshot(engine, o.timebank_id)["counts"]["idempotency_keys"] == 1


def test_a_refusal_is_the_keys_final_answer(engine: Engine) -> None:
    w = make_world(engine)
    ann = w.holder(w.ann)
    before = snapshot(engine, w.timebank_id)
    with pytest.raises(BalanceBelowFloor) as first:
        w.give(ann, w.ann, w.bo, 700, idempotency_key=KEY)
    after = snapshot(engine, w.timebank_id)
    # Only the record of the answer was added; the ledger is untouched (L5).
    assert after["counts"].pop("idempotency_keys") == before["counts"].pop("idempotency_keys") + 1
    assert after == before

    # The cause goes away. The same request with the same key (a slow first attempt arriving late,
    # or a retry) is still answered as the first time: refused, with the same words, and nothing moves.
    w.set_limits(w.ann, -1200, None)
    with pytest.raises(BalanceBelowFloor) as again:
        w.give(ann, w.ann, w.bo, 700, idempotency_key=KEY)
    assert again.value.detail == first.value.detail
    assert w.balance(w.ann) == 0
    # Another body under that key is still another request; a new key is a new request.
    with pytest.raises(IdempotencyKeyReused):
        w.give(ann, w.ann, w.bo, 600, idempotency_key=KEY)
    gift = w.give(ann, w.ann, w.bo, 700, idempotency_key=KEY + "-corrected")
    assert w.give(ann, w.ann, w.bo, 700, idempotency_key=KEY + "-corrected") == gift
    assert w.balance(w.ann) == -700
    assert check_invariants(engine, w.timebank_id) == []


def test_a_refused_confirmation_is_replayed_as_refused(engine: Engine) -> None:
    w = make_world(engine)
    pending = w.record(w.holder(w.bo), w.bo, {w.ann: 700})  # recorded by the giver: pending
    with pytest.raises(BalanceBelowFloor):
        w.confirm(w.holder(w.ann), pending.exchange_id, idempotency_key=KEY)
    w.set_limits(w.ann, -1200, None)
    with pytest.raises(BalanceBelowFloor):
        w.confirm(w.holder(w.ann), pending.exchange_id, idempotency_key=KEY)
    assert w.balance(w.ann) == 0
    confirmed = w.confirm(w.holder(w.ann), pending.exchange_id, idempotency_key=KEY + "-again")
    assert confirmed.status == "confirmed"
    assert w.balance(w.ann) == -700


@dataclass(frozen=True)
class _Answer:
    """A stand-in for a service's view: what ``once`` stores and returns."""

    number: int

    def to_json(self) -> dict[str, Any]:
        return {"number": self.number}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Answer:
        return cls(**data)


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)
def test_a_slow_attempt_that_answered_first_wins_over_a_refusal_met_after_it(engine: Engine) -> None:
    """The refusal is recorded only if the key is still unanswered once the work is rolled back.

    Another attempt with the same key commits its answer while this one works (on PostgreSQL the
    claim is an advisory lock, which a writer outside ``once`` does not take, so the test can slip
    one in); this attempt is then refused by the ledger. The key's first answer is the other one's,
    so that is what this attempt returns, and no refusal is recorded.
    """
    w = make_world(engine)
    actor = w.holder(w.ann)
    request = {"what": "a gift"}
    digest = request_sha256("give_credits", request)

    def work() -> _Answer:
        with UnitOfWork(engine) as other:
            other.idempotency.insert(
                w.timebank_id, actor.caller, KEY, "give_credits", digest, '{"number": 7}', utc_now()
            )
            other.commit()
        raise BalanceBelowFloor("a balance would go below its floor")

    def use_case(uow: UnitOfWork) -> _Answer:
        answer = once(uow, w.timebank_id, actor.caller, KEY, "give_credits", request, _Answer, work)
        uow.commit()
        return answer

    assert run(engine, use_case) == _Answer(7)
    assert snapshot(engine, w.timebank_id)["counts"]["idempotency_keys"] == 1
