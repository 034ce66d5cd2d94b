"""The coordinators' waiting list through the pages, on SQLite and PostgreSQL (no browser needed).

A coordinator sees every exchange waiting for confirmation, oldest first, with its people, how long,
what it was, when it was recorded and how long it has left in words; the list pages forward and
back to the oldest; a cursor we did not give out is a plain 400 page. From each exchange's page a
coordinator confirms it for the members it waits for, declines it for them, or cancels it, and
comes back to the list told what they did; an exchange that moved on meanwhile is refused on its
page, with nothing changed. A member and a member of staff get the 403 page, and nothing they send
changes anything.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.web.site import Site, build_site
from timebank.benefits.wording import find_forbidden_words
from timebank.web.routes.waiting import closes_in_words


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _text(page: Response) -> str:
    main = page.text[page.text.index("<main") : page.text.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def test_an_empty_waiting_list_says_nothing_waits(site: Site) -> None:
    page = site.logged_in("coordinator").get("/waiting")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "No exchanges are waiting" in _text(page)
    assert 'aria-current="page"' in page.text


def test_the_waiting_list_shows_each_exchange_oldest_first_in_words(site: Site) -> None:
    site.record("alice", "bob", 150, "Gardening", by="alice", days_ago=3)
    site.record("bob", "carol", 60, "Shopping", by="bob")
    site.record("bob", "alice", 30, "Posted at once", by="alice")  # by its receiver: not waiting
    page = site.logged_in("coordinator").get("/waiting")
    text = _text(page)
    assert page.status_code == 200
    assert text.index("Gardening") < text.index("Shopping")
    assert "Posted at once" not in text
    assert f"{site.names['alice']} helped {site.names['bob']}" in text
    assert "2 hours 30 minutes" in text
    assert "Expires in 13 days." in text  # recorded just now; the timebank's 14 days less a moment
    assert f"Waiting for {site.names['bob']}" in text
    assert not find_forbidden_words(text)


def test_the_waiting_list_pages_forward_and_back_to_the_oldest(site: Site) -> None:
    for n in range(22):
        site.record("alice", "bob", 30, f"Visit number {n}", by="alice")
    coordinator = site.logged_in("coordinator")
    first = coordinator.get("/waiting")
    assert "Visit number 0 " in _text(first) and "Visit number 21" not in _text(first)
    newer = re.search(r'href="(/waiting\?cursor=[^"]+)"', first.text)
    assert newer is not None
    second = coordinator.get(newer.group(1).replace("&amp;", "&"))
    assert second.status_code == 200
    assert "Visit number 21" in _text(second) and "Visit number 0 " not in _text(second)
    assert 'href="/waiting"' in second.text


def test_a_coordinator_confirms_for_them_from_the_waiting_list_and_is_told(site: Site) -> None:
    waiting = site.record("alice", "bob", 90, "Gardening", by="alice").exchange_id
    before = (site.balance("alice"), site.balance("bob"))
    coordinator = site.logged_in("coordinator")
    listed = coordinator.get("/waiting")
    assert f'href="/exchanges/{waiting}"' in listed.text

    page = coordinator.get(f"/exchanges/{waiting}")
    assert "Confirm it for them" in page.text and "1 hour 30 minutes of credits then go" in _text(page)
    done = coordinator.submit(page, f"/exchanges/{waiting}/confirm")
    assert (done.status_code, done.headers["location"]) == (303, "/waiting?done=confirmed")
    told = coordinator.get(done.headers["location"])
    assert "You confirmed the exchange for them" in _text(told)
    assert (site.balance("alice"), site.balance("bob")) == (before[0] + 90, before[1] - 90)

    # The same page, sent again after the exchange moved on: refused on its page, nothing changed.
    again = coordinator.submit(page, f"/exchanges/{waiting}/decline")
    assert again.status_code == 409
    assert "There is a problem" in again.text and "Error: " in again.text
    assert (site.balance("alice"), site.balance("bob")) == (before[0] + 90, before[1] - 90)


@pytest.mark.parametrize(("action", "done"), [("decline", "declined"), ("cancel", "cancelled")])
def test_a_coordinator_declines_or_cancels_for_them_and_no_credits_move(
    site: Site, action: str, done: str
) -> None:
    waiting = site.record("alice", "bob", 60, "Shopping", by="alice").exchange_id
    before = (site.balance("alice"), site.balance("bob"))
    coordinator = site.logged_in("coordinator")
    answer = coordinator.submit(coordinator.get(f"/exchanges/{waiting}"), f"/exchanges/{waiting}/{action}")
    assert answer.headers["location"] == f"/waiting?done={done}"
    assert "No credits moved" in _text(coordinator.get(answer.headers["location"]))
    assert "Shopping" not in _text(coordinator.get("/waiting"))
    assert (site.balance("alice"), site.balance("bob")) == before


def test_a_member_sees_no_buttons_to_act_for_others(site: Site) -> None:
    waiting = site.record("alice", "bob", 60, "Shopping", by="alice").exchange_id
    page = site.logged_in("alice").get(f"/exchanges/{waiting}")
    assert page.status_code == 200
    assert "Confirm it for them" not in page.text and 'name="back"' not in page.text


def test_a_cursor_we_did_not_give_out_is_a_plain_page(site: Site) -> None:
    answer = site.logged_in("coordinator").get("/waiting?cursor=not-ours")
    assert answer.status_code == 400
    assert "cannot be found" in answer.text


@pytest.mark.parametrize("who", ["alice", "staff", "olive"])
def test_only_a_coordinator_sees_the_waiting_list(site: Site, who: str) -> None:
    site.record("alice", "bob", 30, "Gardening", by="alice")
    answer = site.logged_in(who).get("/waiting")
    assert answer.status_code == 403
    assert "Gardening" not in answer.text


def test_time_left_is_said_in_words() -> None:
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert closes_in_words(now + timedelta(days=3, hours=2), now, auto_confirm=False) == "expires in 3 days"
    assert closes_in_words(now + timedelta(days=1), now, auto_confirm=False) == "expires in 1 day"
    assert closes_in_words(now + timedelta(hours=5), now, auto_confirm=True) == "confirms itself in 5 hours"
    assert closes_in_words(now + timedelta(minutes=5), now, auto_confirm=False) == (
        "expires in less than an hour"
    )
    assert closes_in_words(now - timedelta(minutes=5), now, auto_confirm=False).startswith(
        "expires at the next check"
    )
