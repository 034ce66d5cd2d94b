"""The reciprocity report's benchmark dataset (``bench/report_data.py``), small, on both databases.

The benchmark's timings mean something only if its data is a ledger like any other and shaped like
a real timebank's. Seeded small (200 members, 3,000 exchanges) into the shared test database beside
other timebanks, it must keep every ledger invariant; tag its members in the intended shares; skew
activity (the most active tenth carry most of the hours, some members never exchange); have pairs
that reciprocate and pairs that don't; let members join over the two years and exchange only once
they have joined; post in time order on the activity dates; and hold what the report keeps apart:
reversed exchanges pointing back, recognition from organisations, pot donations and grants, and
exchanges that moved nothing. Its own figures must agree with the rows.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bench.report_data import DatasetInfo, seed_report_dataset
from timebank.db.people_tables import member_tags, members, organisation_staff, organisations
from timebank.db.tables import (
    accounts,
    exchange_receivers,
    exchanges,
    transaction_texts,
    transactions,
    transfers,
)

from .helpers import check_invariants
from .rollup_oracle import recounted_rollups, stored_rollups

MEMBERS, EXCHANGES = 200, 3_000
NEIGHBOURHOODS = {"north", "south", "riverside", "hillside", "old_town", "east"}

_seeded: dict[str, DatasetInfo] = {}


@pytest.fixture
def dataset(engine: Engine, database_url: str) -> DatasetInfo:
    """One small dataset per database, seeded on first use and shared by this module's tests."""
    if database_url not in _seeded:
        _seeded[database_url] = seed_report_dataset(engine, MEMBERS, EXCHANGES, seed=1)
    return _seeded[database_url]


def rows(engine: Engine, query: Any) -> list[Any]:
    with engine.connect() as connection:
        return list(connection.execute(query))


def counted_minutes(engine: Engine, timebank_id: int) -> dict[int, int]:
    """Given plus received minutes per account, over exchanges confirmed and not reversed."""
    query = (
        select(exchanges.c.giver_account_id, exchange_receivers.c.account_id, exchange_receivers.c.minutes)
        .join(exchange_receivers, exchange_receivers.c.exchange_id == exchanges.c.id)
        .where(exchanges.c.timebank_id == timebank_id, exchanges.c.status == "confirmed")
    )
    minutes: dict[int, int] = defaultdict(int)
    for giver, receiver, amount in rows(engine, query):
        minutes[giver] += amount
        minutes[receiver] += amount
    return minutes


def member_accounts(engine: Engine, timebank_id: int) -> dict[int, date]:
    """Each member's account and the day they joined."""
    query = select(members.c.account_id, members.c.created_at).where(members.c.timebank_id == timebank_id)
    return {account_id: created_at.date() for account_id, created_at in rows(engine, query)}


def test_the_dataset_keeps_every_ledger_invariant(engine: Engine, dataset: DatasetInfo) -> None:
    assert check_invariants(engine, dataset.timebank_id) == []
    by_status = dict(
        rows(
            engine,
            select(exchanges.c.status, func.count())
            .where(exchanges.c.timebank_id == dataset.timebank_id)
            .group_by(exchanges.c.status),
        )
    )
    assert by_status["confirmed"] + by_status["reversed"] == dataset.exchanges == EXCHANGES
    assert by_status["reversed"] == dataset.reversed_exchanges
    assert sum(by_status.values()) == EXCHANGES + dataset.unposted_exchanges
    (transfer_count,) = rows(
        engine,
        select(func.count()).select_from(transfers).where(transfers.c.timebank_id == dataset.timebank_id),
    )[0]
    assert transfer_count == dataset.transfers


def test_the_reports_running_totals_are_counted_for_the_dataset(engine: Engine, dataset: DatasetInfo) -> None:
    stored = stored_rollups(engine, dataset.timebank_id)
    assert stored == recounted_rollups(engine, dataset.timebank_id)
    assert len(stored[0]) > MEMBERS  # pairs: every member who exchanged has at least one


def test_members_carry_tags_in_the_intended_shares(engine: Engine, dataset: DatasetInfo) -> None:
    tags: dict[int, set[str]] = defaultdict(set)
    query = select(member_tags.c.member_id, member_tags.c.tag).where(
        member_tags.c.timebank_id == dataset.timebank_id
    )
    for member_id, tag in rows(engine, query):
        tags[member_id].add(tag)
    assert len(tags) == MEMBERS
    assert all(len(t & NEIGHBOURHOODS) == 1 for t in tags.values()), "one neighbourhood each"
    uses_services = sum("uses_services" in t for t in tags.values())
    staff = {member_id for member_id, t in tags.items() if "staff" in t}
    assert uses_services == dataset.uses_services_members
    assert 0.2 <= uses_services / MEMBERS <= 0.4
    assert 0.04 <= len(staff) / MEMBERS <= 0.18
    organisation_rows = rows(
        engine, select(organisations.c.id).where(organisations.c.timebank_id == dataset.timebank_id)
    )
    assert 3 <= len(organisation_rows) == len(dataset.organisation_account_ids) <= 5
    staff_links = rows(
        engine,
        select(organisation_staff.c.organisation_id, organisation_staff.c.member_id).where(
            organisation_staff.c.timebank_id == dataset.timebank_id
        ),
    )
    per_organisation = Counter(organisation_id for organisation_id, _ in staff_links)
    assert all(3 <= per_organisation[o] <= 6 for (o,) in organisation_rows)
    assert {member_id for _, member_id in staff_links} <= staff


def test_activity_is_skewed_and_some_members_never_exchange(engine: Engine, dataset: DatasetInfo) -> None:
    minutes = counted_minutes(engine, dataset.timebank_id)
    per_member = sorted(
        (minutes.get(a, 0) for a in member_accounts(engine, dataset.timebank_id)), reverse=True
    )
    top_tenth = sum(per_member[: MEMBERS // 10]) / sum(per_member)
    never = sum(m == 0 for m in per_member)
    assert top_tenth >= 0.4
    assert top_tenth == pytest.approx(dataset.top_tenth_share)
    assert 0.05 <= never / MEMBERS <= 0.25
    assert never == dataset.members_never_exchanging
    assert per_member[MEMBERS // 2] > 0, "most members exchange"


def test_many_pairs_reciprocate_and_many_do_not(engine: Engine, dataset: DatasetInfo) -> None:
    member_set = set(member_accounts(engine, dataset.timebank_id))
    query = (
        select(exchanges.c.giver_account_id, exchange_receivers.c.account_id)
        .join(exchange_receivers, exchange_receivers.c.exchange_id == exchanges.c.id)
        .where(exchanges.c.timebank_id == dataset.timebank_id, exchanges.c.status == "confirmed")
        .distinct()
    )
    pairs = {(g, r) for g, r in rows(engine, query) if g in member_set and r in member_set}
    reciprocated = sum((r, g) in pairs for g, r in pairs) / len(pairs)
    assert 0.2 <= reciprocated <= 0.9
    assert reciprocated == pytest.approx(dataset.pair_reciprocity)


def test_members_join_over_time_and_exchange_only_once_joined(engine: Engine, dataset: DatasetInfo) -> None:
    joined = member_accounts(engine, dataset.timebank_id)
    assert dataset.last_activity_on == date.today() - timedelta(days=1)
    assert (dataset.last_activity_on - dataset.first_activity_on).days in range(725, 735)
    founders = sum(day == dataset.first_activity_on for day in joined.values())
    assert 0.25 <= founders / MEMBERS <= 0.45
    assert len(set(joined.values())) > MEMBERS // 3, "the rest join on many different days"
    query = (
        select(exchanges.c.activity_date, exchanges.c.giver_account_id, exchange_receivers.c.account_id)
        .join(exchange_receivers, exchange_receivers.c.exchange_id == exchanges.c.id)
        .where(exchanges.c.timebank_id == dataset.timebank_id)
    )
    for activity_on, giver, receiver in rows(engine, query):
        assert dataset.first_activity_on <= activity_on <= dataset.last_activity_on
        for account_id in (giver, receiver):
            assert activity_on >= joined.get(account_id, dataset.first_activity_on)


def test_transfers_post_in_time_order_on_their_activity_dates(engine: Engine, dataset: DatasetInfo) -> None:
    query = (
        select(transfers.c.posted_at, exchanges.c.activity_date)
        .outerjoin(exchanges, exchanges.c.transaction_id == transfers.c.transaction_id)
        .where(transfers.c.timebank_id == dataset.timebank_id)
        .order_by(transfers.c.id)
    )
    found = rows(engine, query)
    assert [posted_at for posted_at, _ in found] == sorted(posted_at for posted_at, _ in found)
    assert all(posted_at.date() == activity_on for posted_at, activity_on in found if activity_on)


def test_what_the_report_keeps_apart_is_there(engine: Engine, dataset: DatasetInfo) -> None:
    tb = dataset.timebank_id
    reversed_rows = rows(
        engine,
        select(exchanges.c.transaction_id, transactions.c.kind, transactions.c.reverses_transaction_id)
        .join(transactions, transactions.c.id == exchanges.c.reversal_transaction_id)
        .where(exchanges.c.timebank_id == tb, exchanges.c.status == "reversed"),
    )
    assert len(reversed_rows) == dataset.reversed_exchanges > 0
    assert all(kind == "reversal" and back == original for original, kind, back in reversed_rows)
    kinds = dict(
        rows(
            engine,
            select(transactions.c.kind, func.count())
            .where(transactions.c.timebank_id == tb)
            .group_by(transactions.c.kind),
        )
    )
    assert kinds["reversal"] == dataset.reversed_exchanges
    assert kinds["pot_grant"] == dataset.pot_grants > 0
    assert kinds["pot_donation"] == dataset.pot_donations > 0
    recognitions = rows(
        engine,
        select(accounts.c.kind, transaction_texts.c.note)
        .join(transaction_texts, transaction_texts.c.transaction_id == transactions.c.id)
        .join(transfers, transfers.c.transaction_id == transactions.c.id)
        .join(accounts, accounts.c.id == transfers.c.source_account_id)
        .where(transactions.c.timebank_id == tb, transactions.c.kind == "gift"),
    )
    assert len(recognitions) == kinds["gift"] == dataset.recognitions > 0
    assert all(kind == "organisation" and note.startswith("recognition: ") for kind, note in recognitions)
    unposted = rows(
        engine,
        select(exchanges.c.status, exchanges.c.transaction_id, exchanges.c.activity_date).where(
            exchanges.c.timebank_id == tb, exchanges.c.status.not_in(["confirmed", "reversed"])
        ),
    )
    assert len(unposted) == dataset.unposted_exchanges > 0
    assert all(transaction_id is None for _, transaction_id, _ in unposted)
    fortnight_ago = dataset.last_activity_on - timedelta(days=14)
    assert all(activity_on >= fortnight_ago for status, _, activity_on in unposted if status == "pending")


def test_seeding_again_adds_a_timebank_and_leaves_the_others_alone(
    engine: Engine, dataset: DatasetInfo
) -> None:
    def account_rows(timebank_id: int) -> list[Any]:
        return rows(
            engine, select(accounts).where(accounts.c.timebank_id == timebank_id).order_by(accounts.c.id)
        )

    before = account_rows(dataset.timebank_id)
    again = seed_report_dataset(engine, 60, 500, seed=2, analyze=False)
    assert again.timebank_id != dataset.timebank_id
    assert account_rows(dataset.timebank_id) == before
    assert check_invariants(engine, again.timebank_id) == []
