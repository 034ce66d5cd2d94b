"""The ways back in, in Chromium: every state axe-clean at WCAG 2.2 AA, at 320 and 1280 px, by label.

A member with no login types the code from a coordinator's letter and logs in with it, by role and
label, and the answer is checked through the JSON API (both databases). The forgotten-password
pages are walked through their states (SQLite: their markup does not depend on the database).
"""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from timebank.app import create_app
from timebank.people.callers import Caller
from timebank.people.recovery import issue_password_code
from timebank.people.requests import IssuePasswordCode

NEW_PASSWORD = "a new long password here"
# Usernames are unique across every timebank of a database many tests share: this module's own.
CAROL = f"carol.{uuid.uuid4().hex[:8]}"


def fill_passwords(page: Page, password: str, again: str | None = None) -> None:
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("Confirm new password").fill(password if again is None else again)


def test_carol_sets_a_password_with_her_code_and_logs_in(page: Page, live: LiveSite) -> None:
    site = live.site
    system = Caller.coordinator_of(site.timebank_id)
    code = issue_password_code(
        site.engine, site.timebank_id, system, site.member_ids["carol"], IssuePasswordCode()
    ).code

    page.goto(live.url("/login"))
    page.get_by_role("link", name="I have a code from my coordinator").click()
    page.get_by_label("Code").fill(code.replace("-", " ").lower())
    page.get_by_label("Username (only if you do not have one yet)").fill(CAROL)
    fill_passwords(page, NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="Your password is set")).to_be_visible()
    check_page(page, "code, password set")
    page.get_by_role("link", name="Log in").last.click()
    page.get_by_label("Username").fill(CAROL)
    page.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live.url("/"))

    with TestClient(create_app(site.engine)) as api:
        token = api.post("/v1/auth/token", data={"username": CAROL, "password": NEW_PASSWORD})
        me = api.get("/v1/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"})
    assert me.json()["member_id"] == site.member_ids["carol"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_ways_back_in_in_every_state(page: Page, live: LiveSite) -> None:
    page.goto(live.url("/login"))
    page.get_by_role("link", name="Forgot your password?").click()
    check_page(page, "forgot, empty")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "forgot, nothing typed")
    page.get_by_label("Username or email address").fill("nobody_at_all")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_page(page, "forgot, link sent")

    page.goto(live.url("/password/code"))
    check_page(page, "code, empty")
    page.get_by_label("Code").fill("0000-0000-0000")
    fill_passwords(page, NEW_PASSWORD, "not the same at all")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "code, passwords differ")
    fill_passwords(page, NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(re.compile("not one we gave out", re.I))
    check_page(page, "code, unknown code")

    page.goto(live.url("/password/reset?token=tbr_not_one_of_ours"))
    check_page(page, "reset, the form")
    fill_passwords(page, "short", "short")
    page.get_by_role("button", name="Set my password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "reset, password too short")
    fill_passwords(page, NEW_PASSWORD)
    page.get_by_role("button", name="Set my password").click()
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    check_page(page, "reset, unknown link")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_email_page_in_every_state(page: Page, live: LiveSite) -> None:
    log_in(page, live, "alice")
    page.get_by_role("link", name="Email and messages").first.click()
    check_page(page, "email, none given")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Save email address").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "email, refused")
    page.get_by_label("Email address").fill("alice@riverside.example")
    page.get_by_role("button", name="Save email address").click()
    expect(page.get_by_text("We sent a link to your new email address.")).to_be_visible()
    check_page(page, "email, waiting for the link")
    page.get_by_label("When an exchange I recorded is confirmed").uncheck()
    page.get_by_role("button", name="Save my choices").click()
    expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    check_page(page, "email, choices saved")
    page.get_by_role("button", name="Remove my email address").click()
    expect(page.get_by_text("Your email address is removed.")).to_be_visible()
    check_page(page, "email, removed")
