"""The coordinators' offers-and-requests pages, on SQLite and PostgreSQL: categories, posting for a
member, and the offers report.

A coordinator adds a category after checking its name, renames one, retires it (members can no
longer choose it) and restores it, each after being asked; a name taken whatever its case or
accents, an empty one and one too long are refused beside the field, with what was typed kept and
nothing changed. From a member's page they reach the member's offers and requests, post one for
Carol (who has no login) after checking it, and close one; Carol's membership ended, nothing new can
be posted for her. The offers report shows hours by category in words, members with no open offer
and the requests open longest, linking to their member; a window refused is said beside its field;
its CSV carries the same hours with a name that looks like a formula made harmless.
"""

from __future__ import annotations

import csv
import html
import io
import re
from datetime import timedelta

from sqlalchemy import Engine, update

from tests.api.db_snapshot import row_counts
from tests.ledger_calls import record_exchange
from tests.offer_calls import category_id_named, post_for
from tests.people_calls import end_membership
from tests.web.site import Site, build_site
from tests.web.test_offer_pages import main_text, typed
from timebank.clock import utc_now
from timebank.db.offer_tables import posts
from timebank.ledger.types import Actor, ReceiverShare
from timebank.offers import AddCategory, PostKind, add_category, list_categories
from timebank.offers.categories import CATEGORIES_MAX
from timebank.people.callers import Caller


def _category_names(site: Site, *, retired: bool) -> set[str]:
    listed = list_categories(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))
    return {c.name for c in listed.categories if c.retired is retired}


def test_a_coordinator_adds_renames_retires_and_restores_a_category_after_checking(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    post_for(engine, site.timebank_id, site.member_ids["alice"])

    listed = main_text(cora.get("/categories").text)
    assert "Gardening 1 In use" in listed
    checked = cora.submit(cora.get("/categories/new"), "/categories/new", {"name": "  Dog   walking "})
    assert "Check the name</h1>" in checked.text
    assert "Dog walking" in main_text(checked.text)
    assert "Dog walking" not in _category_names(site, retired=False)
    back = cora.submit(checked, "/categories/new", {"action": "change"})
    assert 'value="Dog walking"' in back.text
    added = cora.submit(checked, "/categories/new", {"action": "save"})
    assert (added.status_code, added.headers["location"]) == (303, "/categories?done=added")
    assert "Category added" in main_text(cora.get("/categories?done=added").text)
    assert "Dog walking" in _category_names(site, retired=False)

    walking = category_id_named(engine, site.timebank_id, "Dog walking")
    rename_path = f"/categories/{walking}/rename"
    asked = cora.get(rename_path)
    assert 'value="Dog walking"' in asked.text
    checked = cora.submit(asked, rename_path, {"name": "Dog walks"})
    renamed = cora.submit(checked, rename_path, {"action": "save"})
    assert renamed.headers["location"] == "/categories?done=renamed"
    assert "Dog walks" in _category_names(site, retired=False)

    retire_path = f"/categories/{walking}/retire"
    asked = cora.get(retire_path)
    assert "Retire Dog walks?" in main_text(asked.text)
    retired = cora.submit(asked, retire_path)
    assert retired.headers["location"] == "/categories?done=retired"
    assert "Dog walks" in _category_names(site, retired=True)
    assert "Dog walks" not in site.logged_in("alice").get("/offers/new").text
    assert "already retired" in main_text(cora.get(retire_path).text)
    restore_path = f"/categories/{walking}/restore"
    restored = cora.submit(cora.get(restore_path), restore_path)
    assert restored.headers["location"] == "/categories?done=restored"
    assert "Dog walks" in _category_names(site, retired=False)


def test_a_category_name_refused_is_said_beside_the_field_and_nothing_changes(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    lifts = category_id_named(engine, site.timebank_id, "Lifts")
    before = row_counts(engine)

    for path, name, words in (
        ("/categories/new", "gardening", "already has the category 'Gardening'"),
        ("/categories/new", "LÍFTS", "already has the category 'Lifts'"),
        ("/categories/new", "   ", "Enter the category's name"),
        ("/categories/new", "x" * 81, "80 characters or fewer"),
        ("/categories/new", "!!!", "needs a letter or a digit"),
        (f"/categories/{lifts}/rename", "Gardening", "already has the category 'Gardening'"),
    ):
        answer = cora.submit(cora.get(path), path, {"name": name})
        assert answer.status_code == 422, (name, answer.text)
        assert "There is a problem" in answer.text
        assert 'href="#name"' in answer.text
        assert words in html.unescape(answer.text)
        if name.strip():
            assert f'value="{name}"' in answer.text
    # The name checked, then taken by another coordinator before the button was pressed: said beside it.
    checked = cora.submit(cora.get("/categories/new"), "/categories/new", {"name": "Knitting"})
    cora.submit(cora.get("/categories/new"), "/categories/new", {"name": "knitting", "action": "save"})
    taken = cora.submit(checked, "/categories/new", {"action": "save"})
    assert taken.status_code == 422
    assert 'href="#name"' in taken.text
    assert "already has the category 'knitting'" in html.unescape(taken.text)
    assert row_counts(engine)["categories"] == before["categories"] + 1


def test_a_coordinator_posts_for_a_member_from_their_page_and_closes_it(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    carol = site.member_ids["carol"]

    member_page = cora.get(f"/members/{carol}")
    assert f'href="/members/{carol}/offers"' in member_page.text
    listed = cora.get(f"/members/{carol}/offers")
    assert "has not posted anything yet" in main_text(listed.text)
    assert f'href="/members/{carol}/offers/new"' in listed.text
    path = f"/members/{carol}/offers/new"
    refused_answer = cora.submit(cora.get(path), path, typed(site, title=""))
    assert refused_answer.status_code == 422
    assert 'href="#title"' in refused_answer.text
    checked = cora.submit(cora.get(path), path, typed(site))
    assert "Check your answers</h1>" in checked.text
    assert site.names["carol"] in main_text(checked.text)
    posted = cora.submit(checked, path, {"action": "post"})
    assert (posted.status_code, posted.headers["location"]) == (303, f"/members/{carol}/offers?posted=1")

    mine = main_text(cora.get(posted.headers["location"]).text)
    assert f"It is posted for {site.names['carol']}" in mine
    assert "Offer: Café visits" in mine
    found = main_text(site.logged_in("bob").get("/offers?q=cafe").text)
    assert site.names["carol"] in found
    link = re.search(
        rf'href="(/members/{carol}/offers/\d+/close)"', cora.get(f"/members/{carol}/offers").text
    )
    assert link is not None
    asked = cora.get(link.group(1))
    assert "Close Café visits?" in main_text(asked.text)
    closed = cora.submit(asked, link.group(1))
    assert closed.headers["location"] == f"/members/{carol}/offers?closed=1"
    assert "Closed" in main_text(cora.get(f"/members/{carol}/offers").text)


def test_another_members_post_is_not_found_under_a_member(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    alices = post_for(engine, site.timebank_id, site.member_ids["alice"])
    before = row_counts(engine)

    path = f"/members/{site.member_ids['bob']}/offers/{alices.post_id}/close"
    assert cora.get(path).status_code == 404
    answer = cora.client.post(path, data={"csrf_token": _csrf(cora.get("/"))}, follow_redirects=False)
    assert answer.status_code == 404
    assert row_counts(engine) == before


def _csrf(page: object) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', getattr(page, "text", ""))
    assert match
    return match.group(1)


def test_nothing_new_is_posted_for_a_member_whose_membership_has_ended(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    carol = site.member_ids["carol"]
    path = f"/members/{carol}/offers/new"
    checked = cora.submit(cora.get(path), path, typed(site))
    end_membership(engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), carol, utc_now().date())
    before = row_counts(engine)

    listed = cora.get(f"/members/{carol}/offers")
    assert "membership ended on" in main_text(listed.text)
    assert f'href="{path}"' not in listed.text
    form = cora.get(path)
    assert form.status_code == 409
    assert "membership has ended, so nothing new can be posted for them" in html.unescape(form.text)
    answer = cora.submit(checked, path, {"action": "post"})
    assert answer.status_code == 409
    assert row_counts(engine) == before


def _report_world(site: Site) -> int:
    """A garden offer, an exchange in its category, one whose category looks like a formula, and
    Bob's request posted 40 days ago; the request's id."""
    engine, tb = site.engine, site.timebank_id
    post_for(engine, tb, site.member_ids["alice"])
    request = post_for(
        engine,
        tb,
        site.member_ids["bob"],
        kind=PostKind.REQUEST,
        category="Lifts",
        title="A lift to the clinic",
    )
    with engine.begin() as connection:
        connection.execute(
            update(posts)
            .where(posts.c.id == request.post_id)
            .values(created_at=utc_now() - timedelta(days=40))
        )
    coordinator = Actor("test:cora", None, is_coordinator=True)
    alice, bob = site.account_ids["alice"], site.account_ids["bob"]
    yesterday = utc_now().date() - timedelta(days=1)
    record_exchange(
        engine, tb, coordinator, alice, [ReceiverShare(bob, 150)], yesterday, "Weeding", category="Gardening"
    )
    record_exchange(
        engine, tb, coordinator, bob, [ReceiverShare(alice, 60)], yesterday, "Sums", category="=1+2"
    )
    return request.post_id


def test_the_offers_report_shows_hours_in_words_who_has_no_offer_and_who_waits(engine: Engine) -> None:
    site = build_site(engine)
    _report_world(site)
    cora = site.logged_in("coordinator")

    assert 'href="/reports/offers"' in cora.get("/reports").text
    page = cora.get("/reports/offers")
    text = main_text(page.text)

    assert page.status_code == 200
    today = utc_now().date()
    assert f"to {today.day} " in text
    assert "Gardening 2 hours 30 minutes 1" in text
    assert "=1+2 1 hour 1" in text
    assert "3 hours 30 minutes of help" in text
    assert "have no open offer today" in text
    assert f'href="/members/{site.member_ids["bob"]}"' in page.text
    assert "A lift to the clinic Lifts 40 days" in text
    assert "No request has been open that long" in main_text(cora.get("/reports/offers?days=50").text)


def test_the_offers_report_csv_carries_the_hours_with_formulas_made_harmless(engine: Engine) -> None:
    site = build_site(engine)
    _report_world(site)
    cora = site.logged_in("coordinator")
    link = re.search(r'href="(/reports/offers\.csv\?[^"]+)"', cora.get("/reports/offers").text)
    assert link is not None

    answer = cora.get(link.group(1).replace("&amp;", "&"))

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[0] == ["category", "minutes", "exchanges"]
    assert ["Gardening", "150", "1"] in rows
    assert ["'=1+2", "60", "1"] in rows


def test_a_report_window_refused_is_said_beside_its_field(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    future = utc_now().date() + timedelta(days=3)

    for query, field_id in (
        ("from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026", "from-day"),
        ("from-day=2&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026", "to-day"),
        (
            f"from-day=1&from-month=1&from-year=2026&to-day={future.day}&to-month={future.month}&to-year={future.year}",
            "to-day",
        ),
        ("from-day=1&from-month=1&from-year=1990&to-day=1&to-month=1&to-year=2026", "from-day"),
        ("days=lots", "days"),
        ("days=99999", "days"),
    ):
        answer = cora.get(f"/reports/offers?{query}")
        assert answer.status_code == 422, (query, answer.status_code)
        assert "There is a problem" in answer.text
        assert f'href="#{field_id}"' in answer.text, query
        assert "Hours by category" not in answer.text
        assert cora.get(f"/reports/offers.csv?{query}").status_code == 422


def test_a_category_past_the_limit_is_refused_by_the_use_case_in_the_summary(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    coordinator = Caller.coordinator_of(site.timebank_id)
    existing = len(list_categories(engine, site.timebank_id, coordinator).categories)
    for n in range(CATEGORIES_MAX - existing):
        add_category(engine, site.timebank_id, coordinator, AddCategory(name=f"Kind {n}"))
    checked = cora.submit(cora.get("/categories/new"), "/categories/new", {"name": "One more"})
    before = row_counts(engine)

    answer = cora.submit(checked, "/categories/new", {"action": "save"})

    assert answer.status_code == 409
    assert "There is a problem" in answer.text
    assert f"at most {CATEGORIES_MAX} categories" in answer.text
    assert 'value="One more"' in answer.text
    assert row_counts(engine) == before
