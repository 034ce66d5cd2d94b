"""A property test: the ledger's invariants hold however memberships end (DESIGN §3, issue 18).

Hypothesis builds a timebank of its own per example, under either setting for balances on leaving:
three to five members, random exchanges between them (recorded by a coordinator, so they post),
random gifts to the pot, perhaps an exchange left waiting; then it ends random memberships in a
random order, perhaps switching the setting between two endings, each ending keyed and replayed.
Checked on SQLite and PostgreSQL, with the checker of the ledger's state machine
(``invariants.check_all`` over ``read_snapshot``):

- L1–L4, L9 and L10 (running balances) after every step, and the report's running totals equal a
  recount of the exchanges;
- what the setting promises: a kept balance is exactly as it was, a balance moved to the pot leaves
  the account at zero and the pot changed by it; a debt the pot cannot cover is refused with
  ``pot_cannot_cover_balance``;
- L5: that refusal, and every later write naming a closed account (an exchange, a gift, the
  reversal of the move to the pot), changes nothing at all;
- L7: an ending replayed under its key answers as the first time and writes nothing;
- L10 again, from the other side: ``balance_at`` a moment remembered before the endings gives every
  balance as it was then.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import STORY_BACKDATE_DAYS
from tests.integration.rollup_oracle import recounted_rollups, stored_rollups
from tests.integration.test_ledger_state_machine import Snapshot, read_snapshot
from tests.ledger_calls import give_credits, record_exchange, reverse_transaction
from tests.people_calls import add_member, change_settings, create_timebank, end_membership
from timebank.accounts.statements import balance_at
from timebank.clock import utc_now
from timebank.errors import LimitBreached
from timebank.ledger import invariants
from timebank.ledger.errors import MembershipEnded
from timebank.ledger.types import Actor, BalanceOnLeaving, ReceiverShare
from timebank.people.callers import Caller
from timebank.people.errors import PotCannotCoverBalance

COORDINATOR = Actor("coordinator", None, True)
SETTINGS = st.sampled_from(list(BalanceOnLeaving))


def _holder(account_id: int) -> Actor:
    return Actor(f"member:{account_id}", account_id)


def _check(engine: Engine, timebank_id: int) -> Snapshot:
    snap = read_snapshot(engine, timebank_id)
    assert invariants.check_all(snap.accounts, snap.transfers) == []
    assert stored_rollups(engine, timebank_id) == recounted_rollups(engine, timebank_id)
    return snap


def _balances(snap: Snapshot) -> dict[int, int]:
    return {a.account_id: a.balance_minutes for a in snap.accounts}


@given(data=st.data())
def test_the_ledger_holds_its_invariants_however_memberships_end(engine: Engine, data: st.DataObject) -> None:
    setting = data.draw(SETTINGS, label="setting")
    timebank = create_timebank(
        engine,
        f"Leavers {datetime.now(UTC).timestamp()}",
        backdate_days_max=STORY_BACKDATE_DAYS,
        balance_on_leaving=setting,
    )
    tb, pot = timebank.timebank_id, timebank.pot_account_id
    coordinator = Caller.coordinator_of(tb)
    count = data.draw(st.integers(3, 5), label="members")
    people = [add_member(engine, tb, coordinator, f"Member {i}") for i in range(count)]
    accounts = [p.account_id for p in people]
    today = utc_now().date()

    # Random balances: exchanges the coordinator records, and gifts to the pot (a floor may refuse one).
    trades = st.tuples(st.sampled_from(accounts), st.sampled_from(accounts), st.integers(1, 400))
    for giver, receiver, minutes in data.draw(st.lists(trades, max_size=8), label="exchanges"):
        if giver == receiver:
            continue
        days_ago = data.draw(st.integers(1, 60), label="days ago")
        with contextlib.suppress(LimitBreached):
            record_exchange(
                engine,
                tb,
                COORDINATOR,
                giver,
                [ReceiverShare(receiver, minutes)],
                today - timedelta(days_ago),
                "help",
            )
    for giver, minutes in data.draw(
        st.lists(st.tuples(st.sampled_from(accounts), st.integers(1, 200)), max_size=3), label="donations"
    ):
        with contextlib.suppress(LimitBreached):
            give_credits(engine, tb, _holder(giver), giver, pot, minutes)
    if data.draw(st.booleans(), label="one waits"):
        record_exchange(
            engine, tb, _holder(accounts[0]), accounts[0], [ReceiverShare(accounts[1], 30)], today, "waits"
        )
    snap = _check(engine, tb)
    remembered, then = datetime.now(UTC), _balances(snap)

    leavers = data.draw(st.permutations(accounts), label="order")[
        : data.draw(st.integers(1, count), label="how many")
    ]
    ended: list[int] = []
    moves: list[int] = []
    for account_id in leavers:
        if data.draw(st.booleans(), label="switch the setting"):
            setting = BalanceOnLeaving.TO_POT if setting is BalanceOnLeaving.KEPT else BalanceOnLeaving.KEPT
            change_settings(engine, tb, coordinator, {"balance_on_leaving": setting})
            snap = read_snapshot(engine, tb)
        before = _balances(snap)
        balance = before[account_id]
        member_id = next(p.member_id for p in people if p.account_id == account_id)
        key = f"leave-{account_id}"
        if setting is BalanceOnLeaving.TO_POT and balance < 0 and before[pot] + balance < 0:
            with pytest.raises(PotCannotCoverBalance):
                end_membership(engine, tb, coordinator, member_id, today, idempotency_key=key)
            after = read_snapshot(engine, tb)
            # L5: nothing changed but the refusal kept under its key (a refusal for the state it met).
            assert _same_but_keys(after, snap)
            snap = after
            continue
        view = end_membership(engine, tb, coordinator, member_id, today, idempotency_key=key)
        snap = _check(engine, tb)
        after = _balances(snap)
        assert view.balance_minutes == balance
        if setting is BalanceOnLeaving.KEPT or balance == 0:
            assert view.transaction_id is None and after == before
        else:
            assert view.transaction_id is not None
            assert after[account_id] == 0 and after[pot] == before[pot] + balance
            moves.append(view.transaction_id)
        ended.append(account_id)
        # L7: the replay answers the same and writes nothing.
        assert end_membership(engine, tb, coordinator, member_id, today, idempotency_key=key) == view
        assert read_snapshot(engine, tb) == snap

    # L5: every write naming a closed account is refused and changes nothing.
    still = [a for a in accounts if a not in ended]
    for closed in ended:
        other = still[0] if still else pot
        attempts = [
            lambda c=closed, o=other: give_credits(engine, tb, COORDINATOR, o, c, 1),
            lambda c=closed: give_credits(engine, tb, COORDINATOR, c, pot, 1),
        ]
        if still:
            attempts.append(
                lambda c=closed: record_exchange(
                    engine, tb, COORDINATOR, c, [ReceiverShare(still[0], 1)], today, "after leaving"
                )
            )
        for attempt in attempts:
            with pytest.raises(MembershipEnded):
                attempt()
            assert read_snapshot(engine, tb) == snap
    for transaction_id in moves:
        with pytest.raises(MembershipEnded):
            reverse_transaction(engine, tb, COORDINATOR, transaction_id, "changed our mind")
        assert read_snapshot(engine, tb) == snap

    # L10: the balances at a moment before the endings are what they were then.
    for account_id, balance in then.items():
        assert balance_at(engine, tb, account_id, remembered) == balance


def _same_but_keys(after: Snapshot, before: Snapshot) -> bool:
    counts_after, counts_before = dict(after.counts), dict(before.counts)
    counts_after.pop("idempotency_keys")
    counts_before.pop("idempotency_keys")
    return (after.accounts, after.transfers, after.exchanges, after.receivers) == (
        before.accounts,
        before.transfers,
        before.exchanges,
        before.receivers,
    ) and counts_after == counts_before
