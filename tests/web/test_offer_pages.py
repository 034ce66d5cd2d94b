"""Offers and requests through the pages, on SQLite and PostgreSQL: post, check, find, close.

Alice posts an offer through the question page and the check-your-answers page (only its button
posts; "Change your answers" brings the form back as she typed it). Bob finds it by a word typed
without its accent, by category and kind, sees her name and never how to reach her. A refusal (no
kind, no title, an end date more than a year ahead) is shown beside its field with what she typed
kept, and nothing is recorded. She closes it from her own list, after being asked; then nobody finds
it. Another member cannot open the page that closes it.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.offer_calls import category_id_named
from tests.web.site import Site, Visitor, build_site
from timebank.clock import utc_now


def main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def typed(site: Site, **changes: str) -> dict[str, str]:
    ends = utc_now().date() + timedelta(days=30)
    answers = {
        "kind": "offer",
        "category": str(category_id_named(site.engine, site.timebank_id, "Befriending")),
        "title": "Café visits",
        "description": "A chat over coffee once a week",
        "area": "Riverside",
        "availability": "Tuesday mornings",
        "expires_on-day": str(ends.day),
        "expires_on-month": str(ends.month),
        "expires_on-year": str(ends.year),
    }
    return answers | changes


def post(visitor: Visitor, answers: dict[str, str]) -> str:
    checked = visitor.submit(visitor.get("/offers/new"), "/offers/new", answers)
    assert checked.status_code == 200, checked.text
    assert "Check your answers</h1>" in checked.text
    posted = visitor.submit(checked, "/offers/new", {"action": "post"})
    assert posted.status_code == 303, posted.text
    return str(posted.headers["location"])


def test_a_member_posts_an_offer_after_checking_it_and_another_finds_it(engine: Engine) -> None:
    site = build_site(engine)
    alice, bob = site.logged_in("alice"), site.logged_in("bob")

    where = post(alice, typed(site))

    assert where == "/offers/mine?posted=1"
    mine = main_text(alice.get(where).text)
    assert "Your offer or request is posted" in mine
    assert "Offer: Café visits" in mine
    found = main_text(bob.get("/offers?q=CAFE+visits").text)
    assert "Offer: Café visits" in found
    assert site.names["alice"] in found
    assert site.usernames["alice"] not in found
    befriending = category_id_named(engine, site.timebank_id, "Befriending")
    assert "Café visits" in main_text(bob.get(f"/offers?category={befriending}&kind=offer").text)
    assert "Café visits" not in main_text(bob.get("/offers?kind=request").text)


def test_changing_the_answers_brings_the_form_back_as_typed_and_posts_nothing(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    before = row_counts(engine)

    checked = alice.submit(alice.get("/offers/new"), "/offers/new", typed(site))
    back = alice.submit(checked, "/offers/new", {"action": "change"})

    assert back.status_code == 200
    assert 'value="Café visits"' in back.text
    assert row_counts(engine) == before


def test_each_refusal_is_shown_beside_its_field_and_nothing_is_posted(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    far = utc_now().date() + timedelta(days=400)
    before = row_counts(engine)

    for field_id, changes in (
        ("kind", {"kind": ""}),
        ("title", {"title": "  "}),
        ("expires_on-day", {"expires_on-day": "31", "expires_on-month": "2"}),
        (
            "expires_on-day",
            {
                "expires_on-day": str(far.day),
                "expires_on-month": str(far.month),
                "expires_on-year": str(far.year),
            },
        ),
    ):
        answer = alice.submit(alice.get("/offers/new"), "/offers/new", typed(site, **changes))
        if answer.status_code == 200 and "Check your answers</h1>" in answer.text:
            answer = alice.submit(answer, "/offers/new", {"action": "post"})
        assert answer.status_code == 422, (field_id, answer.text)
        assert "There is a problem" in answer.text
        assert f'href="#{field_id}"' in answer.text
        assert 'value="A chat over coffee once a week"' in answer.text or "A chat over coffee" in answer.text
    assert row_counts(engine) == before


def test_a_member_closes_their_own_after_being_asked_and_nobody_finds_it(engine: Engine) -> None:
    site = build_site(engine)
    alice, bob = site.logged_in("alice"), site.logged_in("bob")
    post(alice, typed(site))
    link = re.search(r'href="(/offers/\d+/close)"', alice.get("/offers/mine").text)
    assert link is not None
    close_path = link.group(1)

    assert bob.get(close_path).status_code == 404  # not his to close
    asked = alice.get(close_path)
    assert asked.status_code == 200
    assert "Close Café visits?" in main_text(asked.text)
    closed = alice.submit(asked, close_path)

    assert (closed.status_code, closed.headers["location"]) == (303, "/offers/mine?closed=1")
    assert "Closed" in main_text(alice.get("/offers/mine").text)
    assert "Café visits" not in main_text(bob.get("/offers?q=cafe").text)


def test_a_search_too_long_is_said_beside_the_box(engine: Engine) -> None:
    site = build_site(engine)
    answer = site.logged_in("bob").get("/offers?q=" + "a+" * 10)

    assert answer.status_code == 422
    assert 'href="#q"' in answer.text
