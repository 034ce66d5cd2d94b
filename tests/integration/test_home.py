"""A member's home page figures: the balance, given and received, what waits, the newest lines.

The hours given and received come from the report's monthly running totals; they must say what the
member's report says for the same windows (this year so far, and since the first exchange), a
reversed exchange counting in neither, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import reverse_exchange
from tests.web.site import Site, build_site
from timebank.accounts.home import RECENT_LINES_SHOWN, member_home
from timebank.clock import utc_now
from timebank.ledger.types import Actor
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.reporting.reports import member_report


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _holder(site: Site, who: str) -> Caller:
    return Caller.holder_of(site.timebank_id, site.account_ids[who], f"test:{who}")


def test_given_and_received_agree_with_the_member_s_report(site: Site) -> None:
    today = utc_now().date()
    days_into_year = (today - today.replace(month=1, day=1)).days
    site.record("alice", "bob", 60, "This year, given", by="bob", days_ago=0)
    site.record("bob", "alice", 45, "This year, received", by="alice", days_ago=0)
    site.record("alice", "carol", 30, "Last year, given", by="carol", days_ago=days_into_year + 3)
    wrong = site.record("carol", "alice", 90, "Recorded by mistake", by="alice", days_ago=0)
    coordinator = Actor("test:coordinator", site.account_ids["coordinator"], is_coordinator=True)
    reverse_exchange(site.engine, site.timebank_id, coordinator, wrong.exchange_id, "Never happened")
    site.record("alice", "bob", 20, "Waiting for Bob", by="alice")  # pending: counts nowhere yet

    alice = _holder(site, "alice")
    home = member_home(site.engine, site.timebank_id, alice, today)
    tomorrow = today + timedelta(days=1)
    year = member_report(
        site.engine,
        site.timebank_id,
        alice,
        site.account_ids["alice"],
        today.replace(month=1, day=1),
        tomorrow,
    )
    since = member_report(
        site.engine, site.timebank_id, alice, site.account_ids["alice"], date(today.year - 2, 1, 1), tomorrow
    )

    assert (home.given_this_year_minutes, home.received_this_year_minutes) == (60, 45)
    assert (home.given_this_year_minutes, home.received_this_year_minutes) == (
        year.given_minutes,
        year.received_minutes,
    )
    assert (home.given_all_time_minutes, home.received_all_time_minutes) == (90, 45)
    assert (home.given_all_time_minutes, home.received_all_time_minutes) == (
        since.given_minutes,
        since.received_minutes,
    )
    assert home.balance_minutes == 90 - 45


def test_what_waits_says_who_must_confirm_and_who_may_cancel(site: Site) -> None:
    site.record("bob", "alice", 60, "Gardening", by="bob")
    site.record("alice", "carol", 30, "Shopping", by="alice")
    home = member_home(site.engine, site.timebank_id, _holder(site, "alice"), utc_now().date())

    by_description = {item.description: item for item in home.waiting}
    gardening, shopping = by_description["Gardening"], by_description["Shopping"]
    assert (gardening.waits_for_me, gardening.i_gave, gardening.other_names) == (
        True,
        False,
        (site.names["bob"],),
    )
    assert (shopping.waits_for_me, shopping.i_gave, shopping.recorded_by_me) == (False, True, True)
    assert shopping.waiting_for_names == (site.names["carol"],)
    assert [item.exchange_id for item in home.waiting] == sorted(item.exchange_id for item in home.waiting)


def test_the_newest_lines_are_a_few(site: Site) -> None:
    for day in range(RECENT_LINES_SHOWN + 3):
        site.record("bob", "alice", 10, f"Help {day}", by="alice", days_ago=day)
    home = member_home(site.engine, site.timebank_id, _holder(site, "alice"), utc_now().date())
    assert len(home.recent_lines) == RECENT_LINES_SHOWN
    assert home.recent_lines[0].balance_after_minutes == -10 * (RECENT_LINES_SHOWN + 3)


def test_only_a_member_with_an_account_has_a_home(site: Site) -> None:
    with pytest.raises(SelfOrCoordinatorRequired):
        member_home(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), utc_now().date())
