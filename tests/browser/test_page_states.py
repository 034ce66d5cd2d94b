"""Every page in every state, in Chromium: axe-core finds nothing at WCAG 2.2 AA, at 320 and 1280 px.

Each test brings the pages into their states as a member would (empty, full, with errors, with a
choice to make, after a job is done) and checks each with ``check_page``: axe-core's rules, reflow
at 320 CSS pixels, one main landmark and one h1, reading ease of at least 60.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.ledger_calls import cancel_exchange
from tests.notification_calls import make_street, verification_token
from tests.people_calls import add_member
from timebank.ledger.types import Actor
from timebank.notifications.addresses import set_email
from timebank.notifications.requests import SetEmail
from timebank.people.callers import Caller

# The markup does not depend on the database: the states are checked on SQLite, and the jobs
# (tests/browser/test_member_jobs.py) are done on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_login_page_empty_refused_and_after_logging_out(page: Page, live: LiveSite) -> None:
    page.goto(live.url("/"))
    expect(page).to_have_url(live.url("/login"))
    check_page(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "login, nothing typed")
    page.get_by_label("Username").fill(live.site.usernames["alice"])
    page.get_by_label("Password", exact=True).fill("not the password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("wrong")
    check_page(page, "login, wrong password")
    log_in(page, live, "alice")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You have logged out.")).to_be_visible()
    check_page(page, "login, logged out")


def test_home_empty_then_full(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    check_page(page, "home, empty")
    site = live.site
    site.record("bob", "alice", 90, "Gardening", by="bob")  # waits for Alice
    site.record("alice", "bob", 45, "Shopping", by="alice")  # waits for Bob: Alice may cancel
    site.record("carol", "alice", 60, "A lift to the shops", by="alice")  # posted: Alice received
    page.reload()
    expect(page.get_by_role("button", name="Confirm")).to_have_count(1)
    check_page(page, "home, waiting and recent")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You confirmed the exchange.")).to_be_visible()
    check_page(page, "home, after confirming")


def test_home_with_a_refusal_at_the_top(page: Page, live: LiveSite) -> None:
    site = live.site
    exchange = site.record("bob", "alice", 30, "Dog walking", by="bob")
    log_in(page, live, "alice")
    bob = Actor("test:bob", site.account_ids["bob"])
    cancel_exchange(site.engine, site.timebank_id, bob, exchange.exchange_id)
    page.get_by_role("button", name="Confirm").click()  # the page still shows it
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "home, refusal")


def test_record_empty_refused_choosing_and_checking(page: Page, live: LiveSite) -> None:
    site = live.site
    system = Caller.coordinator_of(site.timebank_id)
    for name in ("Sam Ash", "Sam Birch"):
        add_member(site.engine, site.timebank_id, system, name)
    log_in(page, live, "alice")
    page.get_by_role("link", name="Record an exchange").first.click()
    check_page(page, "record, empty")
    page.get_by_label("Day").fill("")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "record, every field refused")
    page.get_by_label("Someone helped me").check()
    page.get_by_label("What is the other person's name?").fill("Sam")
    page.get_by_label("Hours").fill("1")
    page.get_by_label("Day").fill("1")
    page.get_by_label("What was it?").fill("Fixing a shelf")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which one do you mean?")).to_be_visible()
    check_page(page, "record, choosing between two members")
    page.get_by_label("Sam Birch").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "record, check your answers")
    page.get_by_role("button", name="Record this exchange").click()
    expect(page.get_by_role("heading", name="Exchange recorded")).to_be_visible()
    check_page(page, "exchange, posted")


def test_a_pending_exchange_and_pages_that_are_not_there(page: Page, live: LiveSite) -> None:
    exchange = live.site.record("alice", "bob", 60, "Ironing", by="alice")
    log_in(page, live, "alice")
    page.goto(live.url(f"/exchanges/{exchange.exchange_id}"))
    expect(page.get_by_role("heading", name="waiting to be confirmed")).to_be_visible()
    check_page(page, "exchange, waiting")
    page.goto(live.url("/exchanges/999999999"))
    check_page(page, "exchange, not found")
    page.goto(live.url("/no-such-page"))
    check_page(page, "unknown page")


def test_the_statement_empty_full_printable_and_refused(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.get_by_role("link", name="My statement").click()
    check_page(page, "statement, empty")
    for day in range(1, 4):
        live.site.record("bob", "alice", 30 * day, f"Help number {day}", by="alice", days_ago=day)
    page.reload()
    expect(page.get_by_text("Help number 3")).to_be_visible()
    check_page(page, "statement, with lines")
    page.goto(live.url("/statement/print"))
    check_page(page, "statement to print")
    page.goto(live.url("/statement/print?from=2026-05-01&to=2026-04-01"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "statement to print, period refused")
    page.goto(live.url("/statement?cursor=not-a-cursor"))
    check_page(page, "statement, tampered cursor")


def test_the_pages_a_message_s_link_opens(page: Page, live: LiveSite) -> None:
    street = make_street(live.site.engine, verified=False)
    member_id = street.member_ids["ann"]
    set_email(street.engine, street.timebank_id, street.member("ann"), member_id, SetEmail(email="ann@x.org"))
    token = verification_token(street.outbox("ann")[-1].body)
    page.goto(live.url(f"/email/verify?token={token}"))
    check_page(page, "check an email address")
    page.get_by_role("button", name="Check my email address").click()
    expect(page.get_by_role("heading", name="Your email address is checked")).to_be_visible()
    check_page(page, "email address checked")
    page.goto(live.url("/email/verify?token=tbv_not-ours"))
    page.get_by_role("button", name="Check my email address").click()
    check_page(page, "a verification link that does not work")
    page.goto(live.url("/notifications/unsubscribe?token=not-ours"))
    check_page(page, "stop these emails")
    page.get_by_role("button", name="Stop these emails").click()
    check_page(page, "an unsubscribe link that does not work")
