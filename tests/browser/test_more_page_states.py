"""The spend, give, benefits and password pages in every state, in Chromium, checked by ``check_page``.

As in ``test_page_states``, each state is reached as a member would reach it: by the links and
buttons, found by role and label, and each is checked once (axe-core at WCAG 2.2 AA at 320 and
1280 px, reflow at 320 px, one main landmark and one h1, reading ease of at least 60). A test
keeps one logged-in page from state to state.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.people_calls import add_member
from tests.web.site import PASSWORD
from tests.web.test_benefit_pages import give_alice_figures
from tests.web.test_spend_pages import add_offers, declare_benefits
from timebank.accounts.accounts import change_limits
from timebank.accounts.requests import ChangeLimits
from timebank.clock import utc_now
from timebank.ledger.limits import NOTE_LENGTH_MAX
from timebank.people.callers import Caller
from timebank.spending.spends import withdraw_spend_option

# The markup does not depend on the database: the states are checked on SQLite, and the jobs
# (tests/browser/test_spend_job.py) are done on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _error_summary(page: Page) -> None:
    expect(page.locator(".govuk-error-summary")).to_be_visible()


# --- spend --------------------------------------------------------------------------------------


def test_spend_nothing_offered_then_the_list_an_option_and_what_was_spent(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.get_by_role("link", name="Spend credits", exact=True).click()
    expect(page.get_by_text("There is nothing to spend credits on yet.")).to_be_visible()
    check_page(page, "spend, nothing offered")
    add_offers(live.site)
    page.reload()
    expect(page.get_by_role("table")).to_be_visible()
    check_page(page, "spend, the list")
    page.get_by_role("link", name="Spend credits on Swim session").click()
    expect(page.get_by_role("heading", name="Spend credits on Swim session")).to_be_visible()
    check_page(page, "spend, an option")
    page.get_by_role("button", name="Spend credits").click()
    expect(page.get_by_role("heading", name="Credits spent")).to_be_visible()
    check_page(page, "spend, credits spent")


def test_spend_refused_below_the_floor_asked_to_tick_a_box_and_withdrawn(page: Page, live: LiveSite) -> None:
    site = live.site
    offers = add_offers(site)
    coordinator = Caller.coordinator_of(site.timebank_id)
    # The swim session (2 hours) goes below this floor; the voucher (1 hour 30 minutes) does not.
    change_limits(
        site.engine,
        site.timebank_id,
        coordinator,
        site.account_ids["alice"],
        ChangeLimits(floor_minutes=-100),
    )
    declare_benefits(site, "alice")
    log_in(page, live, "alice")
    page.goto(live.url(f"/spend/{offers.swim.spend_option_id}"))
    page.get_by_role("button", name="Spend credits").click()
    _error_summary(page)
    check_page(page, "spend, below the floor")
    page.goto(live.url(f"/spend/{offers.voucher.spend_option_id}"))
    page.get_by_role("button", name="Spend credits").click()
    expect(page.get_by_role("heading", name="Before you go ahead")).to_be_visible()
    _error_summary(page)
    check_page(page, "spend, asked to tick the box")
    withdraw_spend_option(site.engine, site.timebank_id, coordinator, offers.swim.spend_option_id)
    page.goto(live.url(f"/spend/{offers.swim.spend_option_id}"))
    expect(page.locator(".govuk-error-summary")).to_contain_text("withdrawn")
    check_page(page, "spend, withdrawn")


# --- give ---------------------------------------------------------------------------------------


def test_give_empty_refused_choosing_checking_and_given(page: Page, live: LiveSite) -> None:
    site = live.site
    system = Caller.coordinator_of(site.timebank_id)
    for name in ("Sam Ash", "Sam Birch"):
        add_member(site.engine, site.timebank_id, system, name)
    log_in(page, live, "alice")
    page.get_by_role("link", name="Give credits", exact=True).click()
    check_page(page, "give, empty")
    page.get_by_role("button", name="Continue").click()
    _error_summary(page)
    check_page(page, "give, nobody chosen and nothing to give")
    page.get_by_label("Another member", exact=True).check()
    page.get_by_label("Minutes").fill("75")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("59 or fewer")
    check_page(page, "give, no name and too many minutes")
    page.get_by_label("The community pot").check()
    page.get_by_label("Minutes").fill("30")
    page.get_by_label("Add a note (optional)").fill("Thanks " * (NOTE_LENGTH_MAX // 7 + 1))
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary a[href='#note']")).to_be_visible()
    check_page(page, "give, the note too long")
    page.get_by_label("Another member", exact=True).check()
    page.get_by_label("If you chose another member, what is their name?").fill("Sam")
    page.get_by_label("Add a note (optional)").fill("Thank you for the lift")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which one do you mean?")).to_be_visible()
    check_page(page, "give, choosing between two members")
    page.get_by_label("Sam Birch").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "give, check your answers")
    page.get_by_role("button", name="Give credits").click()
    expect(page.get_by_role("heading", name="Credits given")).to_be_visible()
    check_page(page, "give, credits given")


# --- benefits -----------------------------------------------------------------------------------


def test_benefits_hub_statement_refused_period_and_letter(page: Page, live: LiveSite) -> None:
    give_alice_figures(live.site)
    log_in(page, live, "alice")
    page.get_by_role("link", name="Benefits", exact=True).click()
    check_page(page, "benefits, the hub")
    page.get_by_role("link", name="My benefit-safe statement").click()
    expect(page.get_by_text("Time credits received: 1 hour 30 minutes.")).to_be_visible()
    check_page(page, "benefits, the statement")
    tomorrow = utc_now().date() + timedelta(days=1)
    first_day = page.get_by_role("group", name="First day")
    first_day.get_by_label("Day").fill(str(tomorrow.day))
    first_day.get_by_label("Month").fill(str(tomorrow.month))
    first_day.get_by_label("Year").fill(str(tomorrow.year))
    page.get_by_role("button", name="Show these days").click()
    _error_summary(page)
    check_page(page, "benefits, the statement for a period refused")
    page.get_by_role("link", name="Benefits", exact=True).click()
    page.get_by_role("link", name="My letter for the benefit office").click()
    expect(page.get_by_text("To the benefit office")).to_be_visible()
    check_page(page, "benefits, the letter")


def test_benefits_declaration_none_refused_one_deleting_and_deleted(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.goto(live.url("/benefits"))
    page.get_by_role("link", name="My benefits declaration").click()
    expect(page.get_by_text("You have not declared any benefits.")).to_be_visible()
    check_page(page, "declaration, none declared")
    page.get_by_role("button", name="Save my declaration").click()
    _error_summary(page)
    check_page(page, "declaration, nothing chosen")
    page.get_by_label("Universal Credit").check()
    page.get_by_role("button", name="Save my declaration").click()
    expect(page.get_by_text("Your benefits declaration is saved.")).to_be_visible()
    check_page(page, "declaration, one declared")
    page.get_by_role("button", name="Delete my declaration").click()
    expect(page.get_by_role("heading", name="Are you sure")).to_be_visible()
    check_page(page, "declaration, are you sure")
    page.get_by_role("button", name="Yes, delete my declaration").click()
    expect(page.get_by_text("Your benefits declaration is deleted.")).to_be_visible()
    check_page(page, "declaration, deleted")


# --- password -----------------------------------------------------------------------------------


def test_password_empty_refused_and_changed(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.get_by_role("link", name="Change password", exact=True).click()
    check_page(page, "password, empty")
    page.get_by_role("button", name="Change password").click()
    _error_summary(page)
    check_page(page, "password, nothing typed")
    new = "a kettle on the hill"
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Confirm new password").fill("a kettle on the hil")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("do not match")
    check_page(page, "password, the new ones do not match")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Confirm new password").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("current password is wrong")
    check_page(page, "password, the current one wrong")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(new)
    page.get_by_label("Confirm new password").fill(new)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("heading", name="Your password has changed")).to_be_visible()
    check_page(page, "password, changed")
