"""The consent rule and the life of an exchange (DESIGN §3 "Exchange life", §6 "Consent rule").

Credits leave an account only with its holder's consent. Covered, on SQLite and PostgreSQL:

- recorded by the receiver (who pays) → confirmed and posted at once;
- recorded by a coordinator → posted at once, one transaction with one transfer per receiver, each
  receiver → giver;
- recorded by the giver → ``pending``, touching no balance, awaiting each receiver; each receiver
  confirms and the last confirmation posts; a coordinator may confirm for everyone;
- decline (by a receiver, also after another receiver confirmed), cancel by the recorder;
- ``require_both_sides``: what a receiver records waits for the giver;
- limits are checked when the transfers post, not when the exchange is recorded: a confirmation
  that would now break a floor is refused and the exchange stays pending;
- ``expire_pending``: only exchanges older than the setting expire, without touching balances;
  with ``auto_confirm_pending`` they post instead, except one that would break a floor, which expires.

Every test ends by checking the ledger invariants (L1–L4, L9, L10) on the timebank's rows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import get_exchange, receiver_pairs
from timebank.clock import utc_now
from timebank.db import run
from timebank.exchanges import lifecycle as exchange_service
from timebank.ledger.errors import BalanceBelowFloor, ConsentAlreadyGiven, ExchangeAlreadyDeclined
from timebank.ledger.types import PostedTransfer

from .helpers import World, check_invariants, make_world, snapshot


def transfers_of(w: World, transaction_id: int | None) -> list[PostedTransfer]:
    assert transaction_id is not None
    return run(  # type: ignore[no-any-return]
        w.engine, lambda uow: uow.transfers.for_transaction(w.timebank_id, transaction_id), write=False
    )


def moves(w: World, transaction_id: int | None) -> list[tuple[int, int, int]]:
    """(source, target, minutes) of each transfer in the transaction, in posting order."""
    return [(t.source_account_id, t.target_account_id, t.minutes) for t in transfers_of(w, transaction_id)]


def untouched(w: World) -> dict[int, int]:
    return dict.fromkeys(w.balances(), 0)


# --- posted at once -------------------------------------------------------------------------------


def test_an_exchange_recorded_by_its_receiver_is_confirmed_and_posted_at_once(engine: Engine) -> None:
    w = make_world(engine)

    x = w.record(w.holder(w.ann), w.bo, {w.ann: 90})

    assert x.status == "confirmed"
    assert x.awaiting_consent_from == ()
    assert moves(w, x.transaction_id) == [(w.ann, w.bo, 90)]
    assert w.balances() == {w.pot: 0, w.ann: -90, w.bo: 90, w.cy: 0}
    assert check_invariants(engine, w.timebank_id) == []


def test_an_exchange_recorded_by_a_coordinator_posts_one_transaction_with_a_transfer_per_receiver(
    engine: Engine,
) -> None:
    w = make_world(engine)
    before = snapshot(engine, w.timebank_id)["counts"]

    x = w.posted(w.bo, {w.ann: 30, w.cy: 45})

    assert x.status == "confirmed"
    assert receiver_pairs(x) == ((w.ann, 30), (w.cy, 45))
    assert sorted(moves(w, x.transaction_id)) == sorted([(w.ann, w.bo, 30), (w.cy, w.bo, 45)])
    after = snapshot(engine, w.timebank_id)["counts"]
    assert after["transactions"] == before["transactions"] + 1
    assert after["transfers"] == before["transfers"] + 2
    assert w.balances() == {w.pot: 0, w.ann: -30, w.bo: 75, w.cy: -45}
    assert check_invariants(engine, w.timebank_id) == []


def test_a_coordinator_recording_in_a_both_sides_timebank_still_posts_at_once(engine: Engine) -> None:
    w = make_world(engine, require_both_sides=True)

    x = w.posted(w.bo, {w.ann: 30, w.cy: 45})

    assert x.status == "confirmed"
    assert w.balance(w.bo) == 75


# --- pending until every receiver consents ---------------------------------------------------------


def test_an_exchange_recorded_by_its_giver_waits_for_every_receiver_and_touches_no_balance(
    engine: Engine,
) -> None:
    w = make_world(engine)
    accounts_before = snapshot(engine, w.timebank_id)["accounts"]

    x = w.pending(w.bo, {w.ann: 30, w.cy: 45})

    assert x.status == "pending"
    assert x.transaction_id is None
    assert x.awaiting_consent_from == tuple(sorted((w.ann, w.cy)))
    after = snapshot(engine, w.timebank_id)
    assert after["accounts"] == accounts_before  # balances, counters and versions
    assert after["counts"]["transfers"] == 0
    assert after["counts"]["transactions"] == 0


def test_each_receiver_confirms_and_the_last_confirmation_posts_the_exchange(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30, w.cy: 45})

    first = w.confirm(w.holder(w.cy), x.exchange_id)

    assert first.status == "pending"
    assert first.awaiting_consent_from == (w.ann,)
    assert w.balances() == untouched(w)

    last = w.confirm(w.holder(w.ann), x.exchange_id)

    assert last.status == "confirmed"
    assert last.awaiting_consent_from == ()
    assert len(transfers_of(w, last.transaction_id)) == 2
    assert w.balances() == {w.pot: 0, w.ann: -30, w.bo: 75, w.cy: -45}
    assert check_invariants(engine, w.timebank_id) == []


def test_a_coordinator_confirming_a_pending_exchange_posts_it_for_everyone_still_awaited(
    engine: Engine,
) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30, w.cy: 45})

    view = w.confirm(w.coordinator, x.exchange_id)

    assert view.status == "confirmed"
    assert w.balance(w.bo) == 75


def test_a_receiver_who_declines_closes_the_exchange_and_nothing_posts(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30})

    view = w.decline(w.holder(w.ann), x.exchange_id)

    assert view.status == "declined"
    assert view.transaction_id is None
    assert w.balances() == untouched(w)
    assert snapshot(engine, w.timebank_id)["counts"]["transfers"] == 0


def test_one_receiver_declining_after_another_confirmed_closes_it_for_both(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30, w.cy: 45})
    w.confirm(w.holder(w.ann), x.exchange_id)

    view = w.decline(w.holder(w.cy), x.exchange_id)

    assert view.status == "declined"
    assert w.balances() == untouched(w)
    with pytest.raises(ExchangeAlreadyDeclined) as refusal:
        w.confirm(w.coordinator, x.exchange_id)
    assert refusal.value.code == "exchange_already_declined"


def test_the_person_who_recorded_a_pending_exchange_may_cancel_it(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30})

    view = w.cancel(w.holder(w.bo), x.exchange_id)

    assert view.status == "cancelled"
    assert w.balances() == untouched(w)
    assert w.status(x.exchange_id) == "cancelled"


def test_a_coordinator_may_cancel_a_pending_exchange_someone_else_recorded(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30})

    assert w.cancel(w.coordinator, x.exchange_id).status == "cancelled"


# --- both sides confirm ---------------------------------------------------------------------------


def test_in_a_both_sides_timebank_what_the_receiver_records_waits_for_the_giver(engine: Engine) -> None:
    w = make_world(engine, require_both_sides=True)

    x = w.record(w.holder(w.ann), w.bo, {w.ann: 60})

    assert x.status == "pending"
    assert x.awaiting_consent_from == (w.bo,)
    assert w.balances() == untouched(w)
    with pytest.raises(ConsentAlreadyGiven):
        w.confirm(w.holder(w.ann), x.exchange_id)

    view = w.confirm(w.holder(w.bo), x.exchange_id)

    assert view.status == "confirmed"
    assert w.balances() == {w.pot: 0, w.ann: -60, w.bo: 60, w.cy: 0}
    assert check_invariants(engine, w.timebank_id) == []


def test_in_a_both_sides_timebank_the_giver_may_decline_what_the_receiver_recorded(engine: Engine) -> None:
    w = make_world(engine, require_both_sides=True)
    x = w.record(w.holder(w.ann), w.bo, {w.ann: 60})

    assert w.decline(w.holder(w.bo), x.exchange_id).status == "declined"
    assert w.balances() == untouched(w)


def test_in_a_both_sides_timebank_what_the_giver_records_waits_only_for_the_receivers(
    engine: Engine,
) -> None:
    w = make_world(engine, require_both_sides=True)

    x = w.pending(w.bo, {w.ann: 60})

    assert x.awaiting_consent_from == (w.ann,)
    assert w.confirm(w.holder(w.ann), x.exchange_id).status == "confirmed"


# --- limits are checked when the transfers post ----------------------------------------------------


def test_limits_are_checked_when_a_pending_exchange_posts_not_when_it_was_recorded(engine: Engine) -> None:
    w = make_world(engine)  # members' floor: -600
    x = w.pending(w.bo, {w.ann: 500})  # Ann had room for it then
    w.posted(w.cy, {w.ann: 200})  # and then she spent 200 with Cy
    before = snapshot(engine, w.timebank_id)

    with pytest.raises(BalanceBelowFloor) as refusal:
        w.confirm(w.holder(w.ann), x.exchange_id)

    assert refusal.value.code == "balance_below_floor"
    assert snapshot(engine, w.timebank_id) == before
    still = get_exchange(engine, w.timebank_id, x.exchange_id)
    assert still.status == "pending"
    assert still.awaiting_consent_from == (w.ann,)

    w.posted(w.ann, {w.cy: 100})  # Ann helps Cy back, so she has room again
    assert w.confirm(w.holder(w.ann), x.exchange_id).status == "confirmed"
    assert w.balance(w.ann) == -600
    assert check_invariants(engine, w.timebank_id) == []


def test_a_multi_receiver_exchange_posts_for_nobody_when_one_receiver_has_no_room(engine: Engine) -> None:
    w = make_world(engine)
    x = w.pending(w.bo, {w.ann: 30, w.cy: 500})
    w.posted(w.ann, {w.cy: 200})
    w.confirm(w.holder(w.ann), x.exchange_id)
    before = snapshot(engine, w.timebank_id)

    with pytest.raises(BalanceBelowFloor):
        w.confirm(w.holder(w.cy), x.exchange_id)

    assert snapshot(engine, w.timebank_id) == before
    assert w.status(x.exchange_id) == "pending"


# --- expiry ---------------------------------------------------------------------------------------


def test_a_pending_exchange_past_the_timebanks_setting_expires_without_touching_balances(
    engine: Engine,
) -> None:
    w = make_world(engine, pending_expiry_days=14)
    x = w.pending(w.bo, {w.ann: 60})

    too_soon = w.expire(days_later=13)
    assert (too_soon.expired, too_soon.auto_confirmed) == (0, 0)
    assert w.status(x.exchange_id) == "pending"

    report = w.expire(days_later=15)

    assert (report.expired, report.auto_confirmed) == (1, 0)
    assert w.status(x.exchange_id) == "expired"
    assert w.balances() == untouched(w)
    assert snapshot(engine, w.timebank_id)["counts"]["transfers"] == 0


def test_expiry_closes_only_pending_exchanges_older_than_the_setting(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    w = make_world(engine, pending_expiry_days=14)
    three_weeks_ago = utc_now() - timedelta(days=21)
    monkeypatch.setattr(exchange_service, "utc_now", lambda: three_weeks_ago)
    old = w.pending(w.bo, {w.ann: 60})
    monkeypatch.undo()
    fresh = w.pending(w.bo, {w.cy: 60})
    posted = w.posted(w.cy, {w.ann: 30})

    report = w.expire(days_later=0)

    assert (report.expired, report.auto_confirmed) == (1, 0)
    assert w.status(old.exchange_id) == "expired"
    assert w.status(fresh.exchange_id) == "pending"
    assert w.status(posted.exchange_id) == "confirmed"


def test_expiry_leaves_other_timebanks_pending_exchanges_alone(engine: Engine) -> None:
    w = make_world(engine)
    o = w.other()
    x = o.pending(o.bo, {o.ann: 60})

    w.expire(days_later=30)

    assert o.status(x.exchange_id) == "pending"


def test_with_auto_confirm_an_old_pending_exchange_posts_unless_it_would_break_a_floor(
    engine: Engine,
) -> None:
    w = make_world(engine, auto_confirm_pending=True, pending_expiry_days=7)
    first = w.pending(w.bo, {w.ann: 300})
    second = w.pending(w.cy, {w.ann: 400})  # each fits alone; together they pass Ann's floor of -600

    report = w.expire(days_later=8)

    assert (report.expired, report.auto_confirmed) == (1, 1)
    assert w.status(first.exchange_id) == "confirmed"
    assert w.status(second.exchange_id) == "expired"
    assert w.balances() == {w.pot: 0, w.ann: -300, w.bo: 300, w.cy: 0}
    assert check_invariants(engine, w.timebank_id) == []


def test_an_auto_confirmed_exchange_is_posted_like_a_confirmed_one_and_can_be_reversed(
    engine: Engine,
) -> None:
    w = make_world(engine, auto_confirm_pending=True)
    x = w.pending(w.bo, {w.ann: 45, w.cy: 15})

    w.expire(days_later=30)

    posted = get_exchange(engine, w.timebank_id, x.exchange_id)
    assert posted.status == "confirmed"
    assert len(transfers_of(w, posted.transaction_id)) == 2
    w.reverse(x.exchange_id)
    assert w.balances() == untouched(w)
    assert w.status(x.exchange_id) == "reversed"
    assert check_invariants(engine, w.timebank_id) == []
