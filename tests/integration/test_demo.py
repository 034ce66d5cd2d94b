"""The demo timebank (``timebank serve --demo``) looks like a real community's first year.

It is seeded through the ledger's own use cases into an empty database, on each backend, and must
show what a coordinator would expect to explore: a couple of hundred members with tags, three
organisations with staff, a year of exchanges skewed as in real timebanks (a few very active
members, many occasional, some never), pending and reversed exchanges, and every ledger invariant;
and a user forum where attendees chose every kind of reward, on the demo member's statement.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from tests.conftest import BACKENDS, drop_postgres_database, fresh_postgres_database
from tests.integration.helpers import check_invariants
from timebank.db import make_engine, run, upgrade
from timebank.db.benefit_tables import activities, attendance
from timebank.db.people_tables import member_tags, members, organisation_staff, organisations
from timebank.db.spend_tables import spend_options, spends
from timebank.db.tables import exchange_receivers, exchanges
from timebank.demo.involvement import FORUM_TITLE, SPEND_OPTIONS
from timebank.demo.timebank import DEMO_PASSWORD, seed_demo
from timebank.involvement.statements import benefit_safe_statement
from timebank.people.access import authenticate, log_in


@pytest.fixture(params=BACKENDS)
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        url, admin_url = f"sqlite:///{tmp_path / 'demo.sqlite3'}", None
    else:
        assert os.environ.get("TIMEBANK_TEST_POSTGRES_URL")
        url, admin_url = fresh_postgres_database()
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    if admin_url is not None:
        drop_postgres_database(url, admin_url)


def _scalar(engine: Engine, query: object) -> int:
    return int(run(engine, lambda uow: uow.connection.execute(query).scalar_one(), write=False))


def _rows(engine: Engine, query: object) -> list[tuple[object, ...]]:
    return list(run(engine, lambda uow: [tuple(r) for r in uow.connection.execute(query)], write=False))


def test_the_demo_timebank_has_people_tags_organisations_and_staff(empty_engine: Engine) -> None:
    demo = seed_demo(empty_engine, today=date(2026, 11, 22))
    tb = demo.timebank_id

    assert demo.created
    assert (
        _scalar(empty_engine, select(func.count()).select_from(members).where(members.c.timebank_id == tb))
        == 200
    )
    tags = Counter(tag for (tag,) in _rows(empty_engine, select(member_tags.c.tag)))
    assert 30 <= tags["uses_services"] <= 100
    assert 5 <= tags["staff"] <= 40
    assert _scalar(empty_engine, select(func.count()).select_from(organisations)) == 3
    assert _scalar(empty_engine, select(func.count()).select_from(organisation_staff)) == tags["staff"]
    assert check_invariants(empty_engine, tb) == []


def test_the_demo_year_is_skewed_with_pending_and_reversed_exchanges(empty_engine: Engine) -> None:
    demo = seed_demo(empty_engine, today=date(2026, 11, 22))

    statuses = Counter(status for (status,) in _rows(empty_engine, select(exchanges.c.status)))
    assert statuses["confirmed"] > 1000
    assert statuses["pending"] >= 5
    assert statuses["reversed"] >= 1
    dates = [d for (d,) in _rows(empty_engine, select(exchanges.c.activity_date))]
    assert (max(dates) - min(dates)).days >= 360  # type: ignore[operator]
    # Hours given per member: a few do a lot, some never give or receive at all.
    given = Counter(
        dict(
            _rows(
                empty_engine,
                select(exchanges.c.giver_account_id, func.count()).group_by(exchanges.c.giver_account_id),
            )
        )
    )
    received = Counter(
        dict(
            _rows(
                empty_engine,
                select(exchange_receivers.c.account_id, func.count()).group_by(
                    exchange_receivers.c.account_id
                ),
            )
        )
    )
    member_accounts = [a for (a,) in _rows(empty_engine, select(members.c.account_id))]
    activity = sorted((given[a] + received[a] for a in member_accounts), reverse=True)
    top_tenth = sum(activity[: len(activity) // 10])
    assert top_tenth > 0.4 * sum(activity), "the most active tenth should carry a large share"
    assert sum(1 for a in activity if a == 0) >= 10, "some members never exchange"
    assert check_invariants(empty_engine, demo.timebank_id) == []


def test_seeding_twice_changes_nothing_and_the_printed_logins_work(empty_engine: Engine) -> None:
    first = seed_demo(empty_engine, today=date(2026, 11, 22))
    count = _scalar(empty_engine, select(func.count()).select_from(exchanges))

    again = seed_demo(empty_engine, today=date(2026, 11, 22))

    assert not again.created
    assert again.timebank_id == first.timebank_id
    assert _scalar(empty_engine, select(func.count()).select_from(exchanges)) == count
    text = again.how_to_log_in("127.0.0.1", 8000)
    for username in ("demo-coordinator", "demo-member", "demo-staff", "demo-admin"):
        assert username in text
        assert log_in(empty_engine, username, DEMO_PASSWORD).access_token


def test_the_demo_has_a_user_forum_with_every_reward_choice_on_the_members_statement(
    empty_engine: Engine,
) -> None:
    today = date(2026, 11, 22)
    demo = seed_demo(empty_engine, today=today)
    tb = demo.timebank_id
    titles = [
        t for (t,) in _rows(empty_engine, select(activities.c.title).where(activities.c.timebank_id == tb))
    ]
    assert titles == [FORUM_TITLE]
    rewards = Counter(r for (r,) in _rows(empty_engine, select(attendance.c.reward)))
    assert set(rewards) == {"credits", "payment", "reduced_payment", "decline", "charity"}

    token = log_in(empty_engine, "demo-member", DEMO_PASSWORD).access_token
    caller = authenticate(empty_engine, token)
    assert caller.account_id is not None
    statement = benefit_safe_statement(
        empty_engine, tb, caller, caller.account_id, today.replace(day=1), today + timedelta(days=1)
    )
    forum = [taken for taken in statement.activities if taken.activity.title == FORUM_TITLE]
    assert [taken.choice.value for taken in forum] == ["credits"]
    assert forum[0].activity.classification.label == "Participating as a service user"
    assert statement.received_minutes >= forum[0].minutes
    assert statement.expenses_pence == 320
    assert statement.payments_pence == 0
    # The Trust's spend options, and the demo member's lunch (spent today, so not asserted on the
    # statement above, whose month is the seeding day's).
    offered = _rows(empty_engine, select(spend_options.c.title, spend_options.c.spend_class))
    assert sorted(offered) == sorted((title, spend_class.value) for title, _, spend_class in SPEND_OPTIONS)
    spent = _rows(empty_engine, select(spends.c.account_id, spends.c.spend_class, spends.c.acknowledged))
    assert spent == [(caller.account_id, "community_activity", False)]
    assert "benefit-statement" in demo.how_to_log_in("127.0.0.1", 8000)
    assert check_invariants(empty_engine, tb) == []
