"""The coordinators' offers-and-requests pages in Chromium: every state checked by ``check_page``.

Each state is reached as a coordinator reaches it, by links and buttons found by role and label,
and checked once (axe-core at WCAG 2.2 AA at 320 and 1280 px, reflow, one main and one h1, reading
ease): the categories list, adding one (the form, refused, checked, added), renaming one, retiring
and restoring one and their pages when there is nothing to do; a member's offers and requests
(none, posted for them, closing one, closed), the form, refused, checked, and after their
membership ends; the offers report empty, full and refused. The job, posting for a member who is
not online and finding it as another member, runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api
from tests.ledger_calls import record_exchange
from tests.offer_calls import post_for
from tests.people_calls import end_membership
from timebank.clock import utc_now
from timebank.db.offer_tables import posts
from timebank.ledger.types import Actor, ReceiverShare
from timebank.offers import PostKind
from timebank.people.callers import Caller

_SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@_SQLITE_ONLY
def test_the_categories_in_every_state(page: Page, live: LiveSite) -> None:
    log_in(page, live, "coordinator")
    page.goto(live.url("/reports/offers"))
    page.get_by_role("link", name="Manage the categories").click()
    expect(page.get_by_role("heading", name="Categories of offers and requests")).to_be_visible()
    check_page(page, "categories")
    page.get_by_role("button", name="Add a category").click()
    check_page(page, "categories, add")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "categories, add refused")
    page.get_by_label("What is the new category called?").fill("Dog walking")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check the name")).to_be_visible()
    check_page(page, "categories, add checked")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_text("Category added.")).to_be_visible()
    check_page(page, "categories, added")

    page.get_by_role("link", name="Rename Dog walking").click()
    check_page(page, "categories, rename")
    page.get_by_label("What should Dog walking be called?").fill("Dog walks")
    page.get_by_role("button", name="Continue").click()
    check_page(page, "categories, rename checked")
    page.get_by_role("button", name="Rename category").click()
    expect(page.get_by_text("Category renamed.")).to_be_visible()

    page.get_by_role("link", name="Retire Dog walks").click()
    expect(page.get_by_role("heading", name="Retire Dog walks?")).to_be_visible()
    check_page(page, "categories, retire")
    page.get_by_role("button", name="Retire Dog walks").click()
    expect(page.get_by_text("Category retired.")).to_be_visible()
    check_page(page, "categories, one retired")
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", name="Dog walks is already retired")).to_be_visible()
    check_page(page, "categories, already retired")
    page.goto(live.url("/categories"))
    page.get_by_role("link", name="Restore Dog walks").click()
    check_page(page, "categories, restore")
    page.get_by_role("button", name="Restore Dog walks").click()
    expect(page.get_by_text("Category restored.")).to_be_visible()
    page.go_back()
    page.reload()
    expect(page.get_by_role("heading", name="Dog walks is in use")).to_be_visible()
    check_page(page, "categories, restore when in use")


@_SQLITE_ONLY
def test_a_members_offers_in_every_state(page: Page, live: LiveSite) -> None:
    site = live.site
    carol = site.names["carol"]
    log_in(page, live, "coordinator")
    page.goto(live.url(f"/members/{site.member_ids['carol']}"))
    page.get_by_role("link", name=f"{carol}'s offers and requests").click()
    expect(page.get_by_text("has not posted anything yet")).to_be_visible()
    check_page(page, "member's offers, none")
    page.get_by_role("button", name="Post an offer or request for them").click()
    check_page(page, "member's offers, the form")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "member's offers, the form refused")
    page.get_by_label("They need help").check()
    page.get_by_label("What kind of help is it?").select_option(label="Shopping")
    page.get_by_label("Title").fill("Shopping on Fridays")
    page.get_by_label("Tell people about it").fill("Help to carry the bags home.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "member's offers, check your answers")
    page.get_by_role("button", name="Post it").click()
    expect(page.get_by_text(f"It is posted for {carol}.")).to_be_visible()
    check_page(page, "member's offers, posted")
    page.get_by_role("link", name="Close Shopping on Fridays").click()
    expect(page.get_by_role("heading", name="Close Shopping on Fridays?")).to_be_visible()
    check_page(page, "member's offers, close")
    page.get_by_role("button", name="Close it").click()
    expect(page.get_by_text("It is closed.")).to_be_visible()
    check_page(page, "member's offers, closed")

    end_membership(
        site.engine,
        site.timebank_id,
        Caller.coordinator_of(site.timebank_id),
        site.member_ids["carol"],
        utc_now().date(),
    )
    page.reload()
    expect(page.get_by_text("nothing new can be posted for them")).to_be_visible()
    check_page(page, "member's offers, membership ended")
    page.goto(live.url(f"/members/{site.member_ids['carol']}/offers/new"))
    expect(page.get_by_role("heading", name=f"Nothing can be posted for {carol}")).to_be_visible()
    check_page(page, "member's offers, the form refused after the membership ended")


@_SQLITE_ONLY
def test_the_offers_report_empty_full_and_refused(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Reports").click()
    page.get_by_role("link", name="See the offers and requests report").click()
    expect(page.get_by_text("No exchanges were confirmed in these days.")).to_be_visible()
    check_page(page, "offers report, empty")

    engine, tb = site.engine, site.timebank_id
    post_for(engine, tb, site.member_ids["alice"])
    waiting = post_for(
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
            .where(posts.c.id == waiting.post_id)
            .values(created_at=utc_now() - timedelta(days=40))
        )
    cora = Actor("test:cora", None, is_coordinator=True)
    yesterday = utc_now().date() - timedelta(days=1)
    alice, bob = site.account_ids["alice"], site.account_ids["bob"]
    record_exchange(
        engine, tb, cora, alice, [ReceiverShare(bob, 150)], yesterday, "Weeding", category="Gardening"
    )
    page.reload()
    expect(page.get_by_role("cell", name="2 hours 30 minutes")).to_be_visible()
    expect(page.get_by_role("link", name=site.names["bob"])).to_be_visible()
    check_page(page, "offers report, full")

    page.get_by_label("Show requests open longer than how many days?").fill("lots")
    page.get_by_role("button", name="Show report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "offers report, refused")


def test_a_coordinator_posts_for_a_member_who_is_not_online_and_another_finds_it(
    page: Page, live: LiveSite
) -> None:
    site = live.site
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Members", exact=True).click()
    page.goto(live.url(f"/members/{site.member_ids['carol']}/offers/new"))
    page.get_by_label("They can offer help").check()
    page.get_by_label("What kind of help is it?").select_option(label="Befriending")
    page.get_by_label("Title").fill("Walks in the park")
    page.get_by_label("Tell people about it").fill("A slow walk and a chat.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Post it").click()
    expect(page.get_by_text(f"It is posted for {site.names['carol']}.")).to_be_visible()

    found = through_the_api(live, "bob", "/posts?q=walks")["posts"]
    assert [(post["title"], post["member_id"]) for post in found] == [
        ("Walks in the park", site.member_ids["carol"])
    ]
