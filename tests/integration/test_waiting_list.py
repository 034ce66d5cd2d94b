"""The coordinators' list of exchanges waiting for confirmation: oldest first, named, paged, theirs only.

On SQLite and PostgreSQL: only pending exchanges are listed, the oldest first; each carries the
names of its people, when it was recorded and when it closes (recorded + the timebank's
``pending_expiry_days``); the cursor pages upwards without repeating or skipping; a member, or a
coordinator of another timebank, is refused.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import decline_exchange
from tests.web.site import build_site
from timebank.errors import NotAllowed, NotFound
from timebank.exchanges.waiting import list_waiting
from timebank.ledger.types import Actor
from timebank.people.callers import Caller


def test_only_pending_exchanges_are_listed_oldest_first_with_names_and_when_they_close(
    engine: Engine,
) -> None:
    site = build_site(engine)
    first = site.record("alice", "bob", 90, "Gardening", by="alice")
    site.record("bob", "alice", 30, "Posted at once", by="alice")  # recorded by its receiver
    declined = site.record("bob", "alice", 45, "Declined", by="bob")
    decline_exchange(
        engine, site.timebank_id, Actor("test:alice", site.account_ids["alice"]), declined.exchange_id
    )
    second = site.record("bob", "carol", 60, "Shopping", by="bob")

    page = list_waiting(engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))

    assert [x.exchange_id for x in page.exchanges] == [first.exchange_id, second.exchange_id]
    oldest = page.exchanges[0]
    assert oldest.giver_name == site.names["alice"]
    assert oldest.receiver_names == (site.names["bob"],)
    assert oldest.awaiting_names == (site.names["bob"],)
    assert oldest.minutes == 90
    assert oldest.description == "Gardening"
    assert oldest.closes_at - oldest.recorded_at == timedelta(days=page.pending_expiry_days)
    assert page.auto_confirm_pending is False
    assert page.next_cursor is None


def test_the_waiting_list_pages_upwards_without_repeating_or_skipping(engine: Engine) -> None:
    site = build_site(engine)
    recorded = [site.record("alice", "bob", 10 + n, f"Job {n}", by="alice").exchange_id for n in range(5)]
    coordinator = Caller.coordinator_of(site.timebank_id)

    seen: list[int] = []
    cursor = None
    for _ in range(5):
        page = list_waiting(engine, site.timebank_id, coordinator, cursor=cursor, limit=2)
        seen += [x.exchange_id for x in page.exchanges]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == recorded


def test_a_member_and_another_timebanks_coordinator_are_refused(engine: Engine) -> None:
    site = build_site(engine)
    site.record("alice", "bob", 30, "Gardening", by="alice")
    member = Caller.holder_of(site.timebank_id, site.account_ids["alice"], "test:alice")
    with pytest.raises(NotAllowed):
        list_waiting(engine, site.timebank_id, member)
    with pytest.raises(NotFound):
        list_waiting(engine, site.timebank_id, Caller.coordinator_of(site.other_timebank_id))
