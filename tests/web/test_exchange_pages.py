"""Recording an exchange and answering one that waits, through the pages (no browser needed).

Every refusal of the record form is shown in the error summary, linked to its field, with what was
typed kept, and leaves the database exactly as it was; a form posted twice records once; a post
that did not come from our page, or from a session of another timebank, records nothing.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.people_calls import add_member, set_limits
from tests.web.site import Site, Visitor, build_site, forms_of
from timebank.clock import utc_now
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX
from timebank.ledger.types import Actor
from timebank.people.callers import Caller


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _text(page: Response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page.text))


def _summary_links(page: Response) -> list[str]:
    summary = page.text.split('class="govuk-error-summary', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def _filled(site: Site, **changes: str) -> dict[str, str]:
    today = utc_now().date()
    fields = {
        "direction": "received",
        "other_name": site.names["bob"],
        "hours": "1",
        "minutes": "30",
        "date-day": str(today.day),
        "date-month": str(today.month),
        "date-year": str(today.year),
        "description": "Gardening",
    }
    fields.update(changes)
    return fields


def _checked(alice: Visitor, site: Site, **changes: str) -> Response:
    page = alice.submit(alice.get("/record"), "/record", _filled(site, **changes))
    assert page.status_code == 200, _text(page)
    assert "Check your answers" in page.text
    return page


def test_recording_help_received_posts_it_and_says_so(site: Site) -> None:
    alice = site.logged_in("alice")
    check = _checked(alice, site)
    assert "straight away" in _text(check)
    recorded = alice.submit(check, "/record", {"action": "record"})
    assert recorded.status_code == 303
    page = alice.get(recorded.headers["location"])
    assert "Exchange recorded" in page.text
    assert "1 hour 30 minutes of credits went from" in _text(page)
    assert site.balance("alice") == -90 and site.balance("bob") == 90


def test_recording_help_given_waits_for_the_other_person(site: Site) -> None:
    alice = site.logged_in("alice")
    check = _checked(alice, site, direction="gave")
    assert "will be asked to confirm" in _text(check)
    page = alice.get(alice.submit(check, "/record", {"action": "record"}).headers["location"])
    assert "waiting to be confirmed" in page.text
    assert site.balance("alice") == 0
    home = site.logged_in("bob").get("/")
    assert "Alice Green" in home.text and "Gardening" in home.text and ">Confirm<" in home.text


def test_a_form_posted_twice_records_once(site: Site) -> None:
    alice = site.logged_in("alice")
    check = _checked(alice, site)
    first = alice.submit(check, "/record", {"action": "record"})
    second = alice.submit(check, "/record", {"action": "record"})  # the back button, a double click
    assert first.headers["location"] == second.headers["location"]
    assert site.balance("alice") == -90


def test_change_your_answers_gives_the_form_back_filled_in(site: Site) -> None:
    alice = site.logged_in("alice")
    check = _checked(alice, site, description="Fixing a shelf")
    form = alice.submit(check, "/record", {"action": "change"})
    assert form.status_code == 200 and "Fixing a shelf" in form.text and "Continue" in form.text


def test_two_members_with_the_name_asks_which_one(site: Site) -> None:
    system = Caller.coordinator_of(site.timebank_id)
    ash = add_member(site.engine, site.timebank_id, system, "Sam Ash")
    add_member(site.engine, site.timebank_id, system, "Sam Birch")
    alice = site.logged_in("alice")
    choosing = alice.submit(alice.get("/record"), "/record", _filled(site, other_name="sam"))
    assert "Which one do you mean?" in choosing.text
    check = alice.submit(choosing, "/record", {"other_account_id": str(ash.account_id)})
    assert "Sam Ash helped you" in _text(check)


def _too_far_back() -> dict[str, str]:
    old = utc_now().date() - timedelta(days=20 * 366)
    return {"date-day": str(old.day), "date-month": str(old.month), "date-year": str(old.year)}


def _tomorrow() -> dict[str, str]:
    day = utc_now().date() + timedelta(days=1)
    return {"date-day": str(day.day), "date-month": str(day.month), "date-year": str(day.year)}


REFUSALS = {
    "no direction": ({"direction": ""}, "direction", "Choose whether"),
    "no name": ({"other_name": " "}, "other_name", "Enter the name"),
    "nobody by that name": ({"other_name": "Nobody Atall"}, "other_name", "Check the spelling"),
    "hours not a number": ({"hours": "two"}, "hours", "whole number"),
    "hours with a point": ({"hours": "1.5"}, "hours", "whole number"),
    "minutes past the hour": ({"minutes": "75"}, "minutes", "59 or fewer"),
    "no time at all": ({"hours": "0", "minutes": "0"}, "hours", "how long"),
    "a day that is not": ({"date-day": "31", "date-month": "2"}, "date-day", "real date"),
    "no date": ({"date-day": "", "date-month": "", "date-year": ""}, "date-day", "Enter the date"),
    "tomorrow": (_tomorrow(), "date-day", "today or in the past"),
    "too far back": (_too_far_back(), "date-day", "back"),
    "nothing said": ({"description": "  "}, "description", "Enter what"),
    "too much said": ({"description": "x" * (DESCRIPTION_LENGTH_MAX + 1)}, "description", "at most"),
    "a control character": ({"description": "Garden\x07ing"}, "description", ""),
    "more than a day's limit": ({"hours": "500"}, "hours", ""),
}


@pytest.mark.parametrize("case", REFUSALS, ids=list(REFUSALS))
def test_each_refusal_is_shown_by_its_field_and_records_nothing(site: Site, case: str) -> None:
    changes, field, words = REFUSALS[case]
    alice = site.logged_in("alice")
    form = alice.get("/record")
    before = snapshot(site.engine, [site.timebank_id])
    page = alice.submit(form, "/record", _filled(site, **changes))
    if page.status_code == 200 and "Check your answers" in page.text:  # a limit met only on recording
        page = alice.submit(page, "/record", {"action": "record"})

    assert page.status_code == 422, _text(page)[:400]
    assert "There is a problem" in page.text
    assert field in _summary_links(page)
    assert words in _text(page)
    assert f'id="{field}"' in page.text
    for name in ("other_name", "description"):
        typed = changes.get(name, _filled(site)[name]).strip()
        if typed and len(typed) < 100 and "\x07" not in typed:
            assert f'value="{typed}"' in page.text or f">{typed}</textarea>" in page.text
    assert snapshot(site.engine, [site.timebank_id]) == before


def test_recording_below_the_floor_is_refused_on_the_form(site: Site) -> None:
    coordinator = Actor("test:coordinator", site.account_ids["coordinator"], is_coordinator=True)
    set_limits(
        site.engine,
        site.timebank_id,
        coordinator,
        site.account_ids["alice"],
        floor_minutes=-60,
        cap_minutes=None,
    )
    alice = site.logged_in("alice")
    check = _checked(alice, site, hours="2", minutes="0")
    before = snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"])
    page = alice.submit(check, "/record", {"action": "record"})
    assert page.status_code == 422
    assert "hours" in _summary_links(page)
    assert snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"]) == before
    # The form comes back with a fresh key, so the member can record a smaller amount at once.
    again = alice.submit(alice.submit(page, "/record", {"hours": "1"}), "/record", {"action": "record"})
    assert again.status_code == 303 and site.balance("alice") == -60


def test_a_post_without_the_token_or_from_another_site_records_nothing(site: Site) -> None:
    alice = site.logged_in("alice")
    check = _checked(alice, site)
    fields = dict(alice.form(check, "/record").fields, action="record")
    before = snapshot(site.engine, [site.timebank_id])
    no_token = alice.client.post("/record", data={k: v for k, v in fields.items() if k != "csrf_token"})
    wrong = alice.client.post("/record", data=dict(fields, csrf_token="0" * 64))
    elsewhere = alice.client.post("/record", data=fields, headers={"Origin": "https://evil.example"})
    cross_site = alice.client.post("/record", data=fields, headers={"Sec-Fetch-Site": "cross-site"})
    for answer in (no_token, wrong, elsewhere, cross_site):
        assert answer.status_code == 403
        assert "Nothing was recorded" in answer.text
    assert snapshot(site.engine, [site.timebank_id]) == before


def test_confirm_decline_and_cancel_from_the_home_page(site: Site) -> None:
    to_confirm = site.record("bob", "alice", 60, "Gardening", by="bob")
    site.record("carol", "alice", 30, "Shopping", by="carol")
    site.record("alice", "bob", 45, "Ironing", by="alice")
    alice = site.logged_in("alice")
    home = alice.get("/")
    confirmed = alice.submit(home, f"/exchanges/{to_confirm.exchange_id}/confirm")
    assert confirmed.headers["location"] == "/?done=confirmed"
    assert "You confirmed the exchange." in alice.get(confirmed.headers["location"]).text
    again = alice.submit(home, f"/exchanges/{to_confirm.exchange_id}/confirm")  # the same form, twice
    assert again.status_code == 303 and site.balance("alice") == -60
    home = alice.get("/")
    declines = [form.action for form in forms_of(home.text)]
    decline = next(a for a in declines if a.endswith("/decline"))
    cancel = next(a for a in declines if a.endswith("/cancel"))
    assert alice.submit(home, decline).headers["location"] == "/?done=declined"
    assert alice.submit(home, cancel).headers["location"] == "/?done=cancelled"
    assert "Nothing is waiting for you." in alice.get("/").text
    assert site.balance("alice") == -60


def test_answering_an_exchange_that_moved_on_says_so_on_the_home_page(site: Site) -> None:
    exchange = site.record("bob", "alice", 60, "Gardening", by="bob")
    alice = site.logged_in("alice")
    home = alice.get("/")
    assert alice.submit(home, f"/exchanges/{exchange.exchange_id}/decline").status_code == 303
    # The refusal is kept under the form's key (a late retry gets the same answer); nothing else.
    before = snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"])
    late = alice.submit(home, f"/exchanges/{exchange.exchange_id}/confirm")
    assert late.status_code == 409 and "There is a problem" in late.text
    assert snapshot(site.engine, [site.timebank_id], ignore=["idempotency_keys"]) == before


def test_another_timebank_s_session_gets_nothing(site: Site) -> None:
    exchange = site.record("bob", "alice", 60, "Gardening", by="bob")
    olive = site.logged_in("olive")
    assert olive.get(f"/exchanges/{exchange.exchange_id}").status_code == 404
    home = olive.get("/")
    before = snapshot(site.engine, [site.timebank_id, site.other_timebank_id])
    fields = {"csrf_token": olive.form(home, "/logout").fields["csrf_token"], "idempotency_key": "k1"}
    for action in ("confirm", "decline", "cancel"):
        answer = olive.client.post(f"/exchanges/{exchange.exchange_id}/{action}", data=fields)
        assert answer.status_code == 404
    assert snapshot(site.engine, [site.timebank_id, site.other_timebank_id]) == before
    assert olive.submit(olive.get("/record"), "/record", _filled(site)).status_code == 422  # no Bob there


def test_another_member_s_exchange_is_not_shown(site: Site) -> None:
    exchange = site.record("bob", "carol", 60, "Gardening", by="bob")
    alice = site.logged_in("alice")
    assert alice.get(f"/exchanges/{exchange.exchange_id}").status_code in (403, 404)
    assert alice.get("/exchanges/not-a-number").status_code == 404
    assert alice.get("/exchanges/1/whatever").status_code in (404, 405)


def test_a_visitor_is_sent_to_log_in(site: Site) -> None:
    visitor = site.visitor()
    for path in ("/", "/record", "/exchanges/1"):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
    answer = visitor.client.post("/record", data={}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
