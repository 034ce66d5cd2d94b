"""A coordinator's view of one member, and the members list searched by name and tag.

``member_summary`` gives a coordinator the figures a member sees on their own home page (balance,
given and received this year and since joining) with what a coordinator manages (login, roles,
tags, limits); it says the same as the member's home, is for coordinators only, and another
timebank's member is not found. ``list_members`` finds members by part of a name, by tag, or both,
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.people_calls import add_member, update_member
from tests.web.site import Site, build_site
from timebank.accounts.home import member_home
from timebank.accounts.member_summary import RECENT_LINES_SHOWN, member_summary
from timebank.clock import utc_now
from timebank.errors import InvalidRequest, NotAllowed, NotFound
from timebank.people.callers import Caller
from timebank.people.members import list_members


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _coordinator(site: Site) -> Caller:
    return Caller.coordinator_of(site.timebank_id)


def test_a_member_s_summary_says_what_their_own_home_says(site: Site) -> None:
    today = utc_now().date()
    site.record("alice", "bob", 60, "Gardening", by="bob", days_ago=0)
    site.record("bob", "alice", 45, "Shopping", by="alice", days_ago=0)
    for day in range(RECENT_LINES_SHOWN + 1):
        site.record("carol", "alice", 5, f"Tea {day}", by="alice", days_ago=0)
    update_member(site.engine, site.timebank_id, _coordinator(site), site.member_ids["alice"], tags=["staff"])

    summary = member_summary(
        site.engine, site.timebank_id, _coordinator(site), site.member_ids["alice"], today
    )
    alice = Caller.holder_of(site.timebank_id, site.account_ids["alice"], "test:alice")
    home = member_home(site.engine, site.timebank_id, alice, today)

    assert summary.member.display_name == site.names["alice"]
    assert summary.member.tags == ("staff",) and summary.member.username == site.usernames["alice"]
    assert summary.balance_minutes == home.balance_minutes == 60 - 45 - 5 * (RECENT_LINES_SHOWN + 1)
    assert summary.floor_minutes == home.floor_minutes and summary.cap_minutes is None
    assert (summary.given_this_year_minutes, summary.received_this_year_minutes) == (
        home.given_this_year_minutes,
        home.received_this_year_minutes,
    )
    assert (summary.given_all_time_minutes, summary.received_all_time_minutes) == (60, 45 + 5 * 6)
    assert summary.recent_lines == home.recent_lines
    assert len(summary.recent_lines) == RECENT_LINES_SHOWN


def test_only_a_coordinator_reads_a_summary_and_another_timebank_s_member_is_not_found(site: Site) -> None:
    today = utc_now().date()
    bob = Caller.holder_of(site.timebank_id, site.account_ids["bob"], "test:bob", site.member_ids["bob"])
    with pytest.raises(NotAllowed):
        member_summary(site.engine, site.timebank_id, bob, site.member_ids["alice"], today)
    with pytest.raises(NotAllowed):
        member_summary(site.engine, site.timebank_id, bob, site.member_ids["bob"], today)
    olive = add_member(
        site.engine, site.other_timebank_id, Caller.coordinator_of(site.other_timebank_id), "Olive Again"
    )
    for caller in (bob, _coordinator(site)):
        with pytest.raises(NotFound):
            member_summary(site.engine, site.timebank_id, caller, olive.member_id, today)


def test_members_are_found_by_part_of_a_name_by_tag_or_both(site: Site) -> None:
    coordinator = _coordinator(site)
    update_member(site.engine, site.timebank_id, coordinator, site.member_ids["alice"], tags=["garden"])
    update_member(site.engine, site.timebank_id, coordinator, site.member_ids["bob"], tags=["garden"])
    green = add_member(site.engine, site.timebank_id, coordinator, "Gary Green")

    def names(**filters: str) -> list[str]:
        page = list_members(site.engine, site.timebank_id, coordinator, **filters)
        return [m.display_name for m in page.members]

    assert names(name=" GREEN ") == [site.names["alice"], green.display_name]
    assert names(tag="garden") == [site.names["alice"], site.names["bob"]]
    assert names(name="green", tag="garden") == [site.names["alice"]]
    assert names(name="nobody by this name") == []
    assert names(name="") == names()


def test_a_name_search_that_is_too_long_is_refused(site: Site) -> None:
    with pytest.raises(InvalidRequest):
        list_members(site.engine, site.timebank_id, _coordinator(site), name="x" * 1000)
