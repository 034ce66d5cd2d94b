"""Reversing an exchange through the pages, on SQLite and PostgreSQL (no browser needed).

A coordinator opens a confirmed exchange, follows "Reverse this exchange", gives a reason, reads on
the check page that it cannot be undone and what it does to each balance, and reverses it: the
credits go back, read through the use cases. A double post reverses once. Every refusal leaves the
database as it was: no reason (beside the field), an exchange already reversed or never posted
(409 pages), another timebank's exchange (404), a reversal that would break the giver's floor (on
the form). Members and staff get 403, and their posts change nothing.
"""

from __future__ import annotations

import re

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.ledger_calls import give_credits, record_exchange
from tests.people_calls import add_member, set_limits
from tests.web.site import Site, Visitor, build_site
from timebank.benefits.wording import find_forbidden_words
from timebank.clock import utc_now
from timebank.exchanges.listing import read_exchange
from timebank.ledger.types import Actor, ExchangeStatus, ReceiverShare
from timebank.people.callers import Caller


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _text(page: Response) -> str:
    main = page.text[page.text.index("<main") : page.text.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _confirmed(site: Site, minutes: int = 90) -> int:
    """Alice helped Bob; Bob recorded it, so it posted at once."""
    return site.record("alice", "bob", minutes, "Gardening", by="bob").exchange_id


def _check(coordinator: Visitor, exchange_id: int, reason: str) -> Response:
    action = f"/exchanges/{exchange_id}/reverse"
    return coordinator.submit(coordinator.get(action), action, {"reason": reason})


def _before(site: Site) -> dict[str, object]:
    return snapshot(site.engine, [site.timebank_id, site.other_timebank_id])


def test_a_coordinator_reverses_an_exchange_with_a_reason(site: Site) -> None:
    exchange_id = _confirmed(site)
    coordinator = site.logged_in("coordinator")
    exchange = coordinator.get(f"/exchanges/{exchange_id}")
    assert f'href="/exchanges/{exchange_id}/reverse"' in exchange.text
    assert "Reverse this exchange" in exchange.text

    question = coordinator.get(f"/exchanges/{exchange_id}/reverse")
    assert question.status_code == 200 and question.text.count("<h1") == 1
    check = coordinator.submit(question, f"/exchanges/{exchange_id}/reverse", {"reason": "Recorded twice"})
    assert check.status_code == 200
    text = _text(check)
    assert "Check your answers" in text and "Recorded twice" in text
    assert "You cannot undo a reversal" in text
    assert f"{site.names['alice']}: goes down by 1 hour 30 minutes" in text
    assert f"{site.names['bob']}: goes up by 1 hour 30 minutes" in text
    assert not find_forbidden_words(text)
    assert site.balance("alice") == 90  # nothing moved yet

    done = coordinator.submit(check, f"/exchanges/{exchange_id}/reverse", {"action": "reverse"})
    assert done.status_code == 303
    assert done.headers["location"] == f"/exchanges/{exchange_id}/reversed"
    page = coordinator.get(done.headers["location"])
    assert page.status_code == 200 and "Exchange reversed" in page.text and "Recorded twice" in page.text
    assert site.balance("alice") == 0 and site.balance("bob") == 0
    view = read_exchange(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), exchange_id)
    assert view.status is ExchangeStatus.REVERSED and view.reversal_reason == "Recorded twice"

    # The same form posted again (a double click) is answered with the first reversal.
    again = coordinator.submit(check, f"/exchanges/{exchange_id}/reverse", {"action": "reverse"})
    assert again.status_code == 303
    assert again.headers["location"] == f"/exchanges/{exchange_id}/reversed"
    assert site.balance("alice") == 0 and site.balance("bob") == 0


def test_the_reverse_link_is_only_for_coordinators_and_confirmed_exchanges(site: Site) -> None:
    posted = _confirmed(site)
    waiting = site.record("alice", "bob", 30, "Shopping", by="alice").exchange_id
    assert "/reverse" not in site.logged_in("alice").get(f"/exchanges/{posted}").text
    assert "/reverse" not in site.logged_in("coordinator").get(f"/exchanges/{waiting}").text


def test_change_the_reason_gives_the_form_back_with_it(site: Site) -> None:
    exchange_id = _confirmed(site)
    coordinator = site.logged_in("coordinator")
    check = _check(coordinator, exchange_id, "Wrong person")
    page = coordinator.submit(check, f"/exchanges/{exchange_id}/reverse", {"action": "change"})
    assert page.status_code == 200 and "Wrong person</textarea>" in page.text


@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_missing_or_too_long_reason_is_refused_beside_the_field(site: Site, reason: str) -> None:
    exchange_id = _confirmed(site)
    coordinator = site.logged_in("coordinator")
    before = _before(site)
    page = _check(coordinator, exchange_id, reason)
    assert page.status_code == 422
    assert 'href="#reason"' in page.text and 'id="reason-error"' in page.text
    # Posting the reverse button with a blank reason reverses nothing either.
    forced = coordinator.submit(
        page, f"/exchanges/{exchange_id}/reverse", {"reason": "", "action": "reverse"}
    )
    assert forced.status_code == 422
    assert _before(site) == before


def test_an_exchange_already_reversed_gets_a_page_saying_so(site: Site) -> None:
    exchange_id = _confirmed(site)
    coordinator = site.logged_in("coordinator")
    check = _check(coordinator, exchange_id, "Recorded twice")
    other_tab = _check(coordinator, exchange_id, "Wrong day")  # a second form, with its own key
    assert (
        coordinator.submit(check, f"/exchanges/{exchange_id}/reverse", {"action": "reverse"}).status_code
        == 303
    )
    # The late form's refusal is kept under its key, as the API keeps it, so that a retry of it is
    # answered the same (timebank.exchanges.idempotency): everything else is as it was.
    before = snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"])
    late = coordinator.submit(other_tab, f"/exchanges/{exchange_id}/reverse", {"action": "reverse"})
    assert late.status_code == 409 and "already reversed" in late.text
    page = coordinator.get(f"/exchanges/{exchange_id}/reverse")
    assert page.status_code == 409 and "already reversed" in page.text
    assert snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"]) == before


def test_an_exchange_that_never_posted_cannot_be_reversed(site: Site) -> None:
    waiting = site.record("alice", "bob", 30, "Shopping", by="alice").exchange_id
    coordinator = site.logged_in("coordinator")
    before = _before(site)
    page = coordinator.get(f"/exchanges/{waiting}/reverse")
    assert page.status_code == 409 and "cannot be reversed" in page.text
    csrf = coordinator.form(coordinator.get("/waiting"), "/logout").fields["csrf_token"]
    posted = coordinator.client.post(
        f"/exchanges/{waiting}/reverse",
        data={"csrf_token": csrf, "reason": "No", "action": "reverse", "idempotency_key": "k1"},
    )
    assert posted.status_code == 409
    assert coordinator.get(f"/exchanges/{waiting}/reversed").status_code == 404
    assert _before(site) == before


def test_a_reversal_past_the_givers_floor_is_refused_on_the_form(site: Site) -> None:
    exchange_id = _confirmed(site)
    coordinator_actor = Actor("test:coordinator", site.account_ids["coordinator"], is_coordinator=True)
    alice = site.account_ids["alice"]
    set_limits(site.engine, site.timebank_id, coordinator_actor, alice, floor_minutes=0, cap_minutes=None)
    give_credits(site.engine, site.timebank_id, Actor("test:alice", alice), alice, site.pot_account_id, 60)
    coordinator = site.logged_in("coordinator")
    check = _check(coordinator, exchange_id, "Recorded twice")
    before = snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"])
    page = coordinator.submit(check, f"/exchanges/{exchange_id}/reverse", {"action": "reverse"})
    assert page.status_code == 422
    assert "There is a problem" in page.text
    assert snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"]) == before


def _elsewhere(site: Site) -> int:
    """A confirmed exchange in the other timebank: Olive helped Otto, recorded by a coordinator there."""
    other = site.other_timebank_id
    otto = add_member(site.engine, other, Caller.coordinator_of(other), "Otto Elsewhere")
    actor = Actor("test:hillside", None, is_coordinator=True)
    view = record_exchange(
        site.engine,
        other,
        actor,
        site.account_ids["olive"],
        [ReceiverShare(otto.account_id, 60)],
        utc_now().date(),
        "Painting",
    )
    assert view.status is ExchangeStatus.CONFIRMED
    return view.exchange_id


def test_another_timebanks_exchange_is_not_found_and_nothing_changes(site: Site) -> None:
    theirs = _elsewhere(site)
    coordinator = site.logged_in("coordinator")
    before = _before(site)
    for address in (f"/exchanges/{theirs}", f"/exchanges/{theirs}/reverse", f"/exchanges/{theirs}/reversed"):
        assert coordinator.get(address).status_code == 404
    csrf = coordinator.form(coordinator.get("/waiting"), "/logout").fields["csrf_token"]
    posted = coordinator.client.post(
        f"/exchanges/{theirs}/reverse",
        data={"csrf_token": csrf, "reason": "No", "action": "reverse", "idempotency_key": "k2"},
    )
    assert posted.status_code == 404
    assert _before(site) == before


@pytest.mark.parametrize("who", ["alice", "staff", "olive"])
def test_members_and_staff_cannot_reverse(site: Site, who: str) -> None:
    exchange_id = _confirmed(site)
    visitor = site.logged_in(who)
    before = _before(site)
    assert visitor.get(f"/exchanges/{exchange_id}/reverse").status_code == 403
    csrf = visitor.form(visitor.get("/"), "/logout").fields["csrf_token"]
    posted = visitor.client.post(
        f"/exchanges/{exchange_id}/reverse",
        data={"csrf_token": csrf, "reason": "Mine now", "action": "reverse", "idempotency_key": "k3"},
    )
    assert posted.status_code == 403
    assert visitor.get(f"/exchanges/{exchange_id}/reversed").status_code == 403
    assert _before(site) == before
