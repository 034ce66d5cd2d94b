"""Giving credits away, and correcting history by reversal (L6), on SQLite and PostgreSQL.

Gifts: member → member posts a ``gift``; member → pot a ``pot_donation``; pot → member by a
coordinator a ``pot_grant``; the pot never goes below zero, so every grant is backed by donations;
an organisation's staff give from the organisation's account.

Reversals: reversing an exchange, a gift, a donation or a grant posts one ``reversal`` transaction
that mirrors every transfer, points back at the original with its reason, and restores every
balance it touched (L6) while the counters keep the history (earned and spent both grow, versions
count both transfers); a second reversal is refused whichever way it is asked for.
``reverse_transaction`` on an exchange's transaction reverses the exchange itself (status
``reversed``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import transfer_triples
from timebank.accounts.accounts import open_account
from timebank.db import run
from timebank.db.repositories import TransactionRow
from timebank.exchanges.views import TransactionView, TransferView
from timebank.ledger.errors import (
    AccountHolderRequired,
    BalanceBelowFloor,
    PotFloorMustBeZero,
    TransactionAlreadyReversed,
)
from timebank.ledger.types import AccountKind, AccountState, Actor, TransactionKind

from .helpers import World, check_invariants, make_world


def states(w: World) -> dict[int, AccountState]:
    rows = run(w.engine, lambda uow: uow.accounts.all_in_timebank(w.timebank_id), write=False)
    return {a.account_id: a for a in rows}


def transaction(w: World, transaction_id: int) -> TransactionRow:
    return run(  # type: ignore[no-any-return]
        w.engine, lambda uow: uow.transactions.get(w.timebank_id, transaction_id), write=False
    )


# --- gifts ----------------------------------------------------------------------------------------


def test_a_member_gives_credits_to_another_member_as_a_gift(engine: Engine) -> None:
    w = make_world(engine)
    w.posted(w.ann, {w.cy: 60})  # Ann earned an hour helping Cy

    gift = w.give(w.holder(w.ann), w.ann, w.bo, 45, note="for Bo's birthday")

    assert gift.kind == "gift"
    assert transfer_triples(gift) == ((w.ann, w.bo, 45),)
    assert transaction(w, gift.transaction_id).note == "for Bo's birthday"
    assert w.balances() == {w.pot: 0, w.ann: 15, w.bo: 45, w.cy: -60}
    assert check_invariants(engine, w.timebank_id) == []


def test_a_member_donates_credits_to_the_pot(engine: Engine) -> None:
    w = make_world(engine)
    w.posted(w.ann, {w.cy: 60})

    donation = w.give(w.holder(w.ann), w.ann, w.pot, 60)

    assert donation.kind == "pot_donation"
    assert transfer_triples(donation) == ((w.ann, w.pot, 60),)
    assert w.balance(w.pot) == 60
    assert w.balance(w.ann) == 0


def test_a_coordinator_grants_credits_from_the_pot_to_a_member(engine: Engine) -> None:
    w = make_world(engine)
    w.posted(w.ann, {w.cy: 60})
    w.give(w.holder(w.ann), w.ann, w.pot, 60)

    grant = w.give(w.coordinator, w.pot, w.bo, 40)

    assert grant.kind == "pot_grant"
    assert transfer_triples(grant) == ((w.pot, w.bo, 40),)
    assert w.balances() == {w.pot: 20, w.ann: 0, w.bo: 40, w.cy: -60}
    assert check_invariants(engine, w.timebank_id) == []


def test_the_pot_cannot_grant_more_than_was_donated_to_it(engine: Engine) -> None:
    w = make_world(engine)
    w.give(w.holder(w.ann), w.ann, w.pot, 30)

    with pytest.raises(BalanceBelowFloor) as refusal:
        w.give(w.coordinator, w.pot, w.bo, 31)

    assert refusal.value.code == "balance_below_floor"
    assert w.balance(w.pot) == 30
    w.give(w.coordinator, w.pot, w.bo, 30)
    assert w.balance(w.pot) == 0


def test_the_pots_floor_cannot_be_lowered_so_grants_stay_backed_by_donations(engine: Engine) -> None:
    w = make_world(engine)

    with pytest.raises(PotFloorMustBeZero):
        w.set_limits(w.pot, -600, None)


def test_an_organisations_staff_give_from_the_organisations_account(engine: Engine) -> None:
    w = make_world(engine)
    org = open_account(engine, w.timebank_id, w.coordinator, AccountKind.ORGANISATION, "Library")
    staff = Actor(caller="member:librarian", account_id=org.account_id)

    gift = w.give(staff, org.account_id, w.ann, 120)

    assert gift.kind == "gift"
    assert w.balance(org.account_id) == -120  # within the organisation's budget floor
    with pytest.raises(AccountHolderRequired):
        w.give(staff, w.bo, w.ann, 10)


# --- reversals restore every balance they touch (L6) ------------------------------------------------


@dataclass(frozen=True)
class Posted:
    """How to prepare the timebank, post one transaction, and reverse it."""

    post: Callable[[World], TransactionView]
    reverse: Callable[[World, TransactionView], TransactionView]
    prepare: Callable[[World], object] = lambda w: None


def post_a_multi_receiver_exchange(w: World) -> TransactionView:
    x = w.posted(w.bo, {w.ann: 30, w.cy: 45})
    assert x.transaction_id is not None
    transfers = tuple(
        TransferView(source_account_id=s, target_account_id=t, minutes=m)
        for s, t, m in ((w.ann, w.bo, 30), (w.cy, w.bo, 45))
    )
    return TransactionView(
        transaction_id=x.transaction_id,
        kind=TransactionKind.EXCHANGE,
        transfers=transfers,
        exchange_id=x.exchange_id,
    )


def reverse_the_exchange(w: World, posted: TransactionView) -> TransactionView:
    assert posted.exchange_id is not None
    return w.reverse(posted.exchange_id, reason="the session was cancelled")


def reverse_the_transaction(w: World, posted: TransactionView) -> TransactionView:
    return w.reverse_transaction(posted.transaction_id, reason="given by mistake")


POSTINGS = {
    "exchange": Posted(post_a_multi_receiver_exchange, reverse_the_exchange),
    "gift": Posted(lambda w: w.give(w.holder(w.ann), w.ann, w.bo, 50), reverse_the_transaction),
    "pot_donation": Posted(lambda w: w.give(w.holder(w.cy), w.cy, w.pot, 50), reverse_the_transaction),
    "pot_grant": Posted(
        lambda w: w.give(w.coordinator, w.pot, w.ann, 50),
        reverse_the_transaction,
        prepare=lambda w: w.give(w.holder(w.cy), w.cy, w.pot, 80),
    ),
}


@pytest.mark.parametrize("case", POSTINGS.values(), ids=POSTINGS.keys())
def test_a_reversal_restores_every_balance_its_transaction_touched(engine: Engine, case: Posted) -> None:
    w = make_world(engine)
    w.posted(w.ann, {w.bo: 20})  # some history before, so "restored" is not just "zero"
    w.give(w.holder(w.bo), w.bo, w.cy, 5)
    case.prepare(w)
    before = states(w)

    original = case.post(w)
    reversal = case.reverse(w, original)

    after = states(w)
    assert {i: a.balance_minutes for i, a in after.items()} == {
        i: b.balance_minutes for i, b in before.items()
    }
    assert reversal.kind == "reversal"
    assert reversal.reverses_transaction_id == original.transaction_id
    mirrored = [(target, source, minutes) for source, target, minutes in transfer_triples(original)]
    assert sorted(transfer_triples(reversal)) == sorted(mirrored)
    # History is kept, not erased: each touched account earned and spent the minutes once each way.
    for account_id in {a for source, target, _ in transfer_triples(original) for a in (source, target)}:
        mine = [m for source, target, m in transfer_triples(original) if account_id in (source, target)]
        assert after[account_id].earned_minutes - before[account_id].earned_minutes == sum(mine)
        assert after[account_id].spent_minutes - before[account_id].spent_minutes == sum(mine)
        assert after[account_id].version - before[account_id].version == 2 * len(mine)
    row = transaction(w, reversal.transaction_id)
    assert (row.kind.value, row.reverses_transaction_id) == ("reversal", original.transaction_id)
    assert row.reason
    assert check_invariants(engine, w.timebank_id) == []

    with pytest.raises(TransactionAlreadyReversed):
        w.reverse_transaction(original.transaction_id)


def test_reversing_an_exchanges_transaction_reverses_the_exchange(engine: Engine) -> None:
    w = make_world(engine)
    x = w.posted(w.bo, {w.ann: 30, w.cy: 45})
    assert x.transaction_id is not None

    reversal = w.reverse_transaction(x.transaction_id)

    assert reversal.exchange_id == x.exchange_id
    assert reversal.reverses_transaction_id == x.transaction_id
    assert w.status(x.exchange_id) == "reversed"
    assert w.balances() == dict.fromkeys(w.balances(), 0)
    with pytest.raises(TransactionAlreadyReversed):
        w.reverse(x.exchange_id)
    assert check_invariants(engine, w.timebank_id) == []


def test_a_reversed_exchange_can_be_recorded_again_as_a_new_exchange(engine: Engine) -> None:
    w = make_world(engine)
    x = w.posted(w.bo, {w.ann: 30})
    w.reverse(x.exchange_id, reason="wrong minutes")

    again = w.posted(w.bo, {w.ann: 45})

    assert again.exchange_id != x.exchange_id
    assert w.status(x.exchange_id) == "reversed"
    assert w.balances() == {w.pot: 0, w.ann: -45, w.bo: 45, w.cy: 0}


def test_a_reversal_is_refused_when_the_giver_has_spent_the_credits_and_allowed_once_they_earn_again(
    engine: Engine,
) -> None:
    w = make_world(engine)
    x = w.posted(w.bo, {w.ann: 600})
    w.posted(w.cy, {w.bo: 1200})  # Bo spends it all and more: he is at his floor

    with pytest.raises(BalanceBelowFloor):
        w.reverse(x.exchange_id)
    assert w.status(x.exchange_id) == "confirmed"

    w.give(w.holder(w.cy), w.cy, w.bo, 600)  # Cy gives Bo enough room
    w.reverse(x.exchange_id)
    assert w.status(x.exchange_id) == "reversed"
    assert check_invariants(engine, w.timebank_id) == []
