"""The staff's expense and spend-option pages in Chromium: every state checked by axe-core (SQLite),
and the staff's job (record an expense from an activity's page) done by role and label and checked
through the JSON API, on both databases.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api
from tests.web.test_activity_pages import an_activity
from timebank.clock import utc_now

_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _fill_day(page: Page, days_ago: int) -> None:
    spent = utc_now().date() - timedelta(days=days_ago)
    page.get_by_label("Day", exact=True).fill(str(spent.day))
    page.get_by_label("Month").fill(str(spent.month))
    page.get_by_label("Year").fill(str(spent.year))


@_SQLITE
def test_expense_pages_in_every_state(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "staff")
    page.get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Expenses").click()
    check_page(page, "expenses, none yet")
    page.get_by_role("link", name="Record an expense").click()
    check_page(page, "record an expense, empty")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "record an expense, refused")
    page.get_by_label("Which member are you paying back?").fill("e")
    _fill_day(page, 1)
    page.get_by_label("What was it for?").fill("Bus fare to the forum")
    page.get_by_label("A receipt or a ticket").check()
    page.get_by_label("Receipt number").fill("Ticket 4471")
    page.get_by_label("Amount on the receipt, in pounds").fill("4.60")
    page.get_by_role("button", name="Continue").click()
    check_page(page, "record an expense, several names match")
    page.get_by_label(site.names["alice"]).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "record an expense, check your answers")
    page.get_by_role("button", name="Record expense").click()
    expect(page.get_by_text("Expense recorded.")).to_be_visible()
    check_page(page, "expenses, one recorded")
    page.get_by_role("button", name="Log out").click()
    log_in(page, live, "alice")
    page.goto(live.url("/expenses"))
    check_page(page, "expenses, refused to a member")


@_SQLITE
def test_spend_option_pages_in_every_state(page: Page, live: LiveSite) -> None:
    log_in(page, live, "staff")
    page.get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Spend options").click()
    check_page(page, "spend options, none yet")
    page.get_by_role("link", name="Add a spend option").click()
    check_page(page, "add a spend option, empty")
    page.get_by_role("button", name="Add spend option").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "add a spend option, refused")
    page.get_by_label("Title").fill("Swim session")
    page.get_by_label("Hours").fill("1")
    page.get_by_label("A community activity").check()
    page.get_by_role("button", name="Add spend option").click()
    expect(page.get_by_text("Spend option added.")).to_be_visible()
    check_page(page, "spend options, one offered")
    page.get_by_role("link", name="Withdraw Swim session").click()
    check_page(page, "withdraw a spend option, are you sure")
    page.get_by_role("button", name="Withdraw it").click()
    expect(page.get_by_text("Spend option withdrawn.")).to_be_visible()
    check_page(page, "spend options, one withdrawn")


def test_staff_record_an_expense_for_an_activity(page: Page, live: LiveSite) -> None:
    site = live.site
    an_activity(site, invite=("alice",))
    log_in(page, live, "staff")
    page.get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Carers' forum").click()
    page.get_by_role("link", name="Record an expense for this activity").click()
    page.get_by_label("Which member are you paying back?").fill(site.names["alice"])
    _fill_day(page, 1)
    page.get_by_label("What was it for?").fill("Drove to the forum")
    page.get_by_label("Mileage", exact=True).check()
    page.get_by_label("Journey").fill("Home to the town hall and back")
    page.get_by_label("Miles").fill("12")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record expense").click()
    expect(page.get_by_text("Expense recorded.")).to_be_visible()

    statement = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}/benefit-statement")
    (expense,) = statement["money"]["expenses"]
    assert (expense["evidence"], expense["miles"], expense["pence_per_mile"]) == ("mileage", 12, 45)
    assert (expense["amount_pence"], expense["description"]) == (540, "Drove to the forum")
