"""The offers-and-requests pages in every state, in Chromium, checked by ``check_page``.

As in ``test_page_states``, each state is reached as a member would reach it: by the links and
buttons, found by role and label, and each is checked once (axe-core at WCAG 2.2 AA at 320 and
1280 px, reflow at 320 px, one main landmark and one h1, reading ease of at least 60): the list
with nothing posted, the form, the form refused, check your answers, your own list just posted,
the search with results and with none, the close page and your list after closing. Then another
member finds the offer by keyboard alone, and the API says it is closed after its member closes it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import tab_to, through_the_api

# The markup does not depend on the database: the states are checked on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_offers_empty_posting_refused_checked_posted_found_and_closed(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.get_by_role("link", name="Offers and requests", exact=True).click()
    expect(page.get_by_text("Nobody has posted anything yet.")).to_be_visible()
    check_page(page, "offers, nothing posted")
    page.get_by_role("button", name="Post an offer or request").click()
    expect(page.get_by_role("heading", name="Post an offer or request")).to_be_visible()
    check_page(page, "offers, the form")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "offers, the form refused")
    page.get_by_label("I can offer help").check()
    page.get_by_label("What kind of help is it?").select_option(label="Befriending")
    page.get_by_label("Title").fill("Café visits")
    page.get_by_label("Tell people about it").fill("A chat over coffee once a week.")
    page.get_by_label("Where (optional)").fill("Riverside")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "offers, check your answers")
    page.get_by_role("button", name="Post it").click()
    expect(page.get_by_role("heading", name="Your offers and requests")).to_be_visible()
    check_page(page, "offers, your own, just posted")
    page.get_by_role("link", name="See all offers and requests").click()
    page.get_by_label("Words to look for").fill("cafe")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name="Offer: Café visits")).to_be_visible()
    check_page(page, "offers, found")
    page.get_by_label("Words to look for").fill("piano")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("Nothing matches your search.")).to_be_visible()
    check_page(page, "offers, nothing found")
    page.goto(live.url("/offers/mine"))
    page.get_by_role("link", name="Close Café visits").click()
    expect(page.get_by_role("heading", name="Close Café visits?")).to_be_visible()
    check_page(page, "offers, close")
    page.get_by_role("button", name="Close it").click()
    expect(page.get_by_text("It is closed.")).to_be_visible()
    check_page(page, "offers, your own, closed")


def test_another_member_finds_an_offer_by_keyboard_alone(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "alice")
    page.goto(live.url("/offers/new"))
    page.get_by_label("I can offer help").check()
    page.get_by_label("What kind of help is it?").select_option(label="Gardening")
    page.get_by_label("Title").fill("Help in the garden")
    page.get_by_label("Tell people about it").fill("Weeding and mowing.")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Post it").click()
    expect(page.get_by_role("heading", name="Your offers and requests")).to_be_visible()
    page.context.clear_cookies()

    log_in(page, live, "bob")
    tab_to(page, page.get_by_role("link", name="Offers and requests", exact=True))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_label("Words to look for"))
    page.keyboard.type("garden")
    tab_to(page, page.get_by_role("button", name="Search"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Offer: Help in the garden")).to_be_visible()

    found = through_the_api(live, "bob", "/posts?q=garden")["posts"]
    assert [(post["title"], post["member_id"]) for post in found] == [
        ("Help in the garden", site.member_ids["alice"])
    ]
