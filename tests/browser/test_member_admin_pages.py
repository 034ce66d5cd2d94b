"""The coordinators' member pages in Chromium: every state checked by axe-core, and a coordinator's job.

The states (SQLite only: the markup does not depend on the database) are walked as a coordinator
would: the list and its search, adding a member and its refusals, the member's page, their
statement, changing details and limits, and recording for them (refused, choosing among namesakes,
checking, recorded). The job, on both databases: a coordinator adds Dora, who has no login, and
records a group session she ran for Alice and Bob, found by role and label; the JSON API confirms it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api
from tests.people_calls import add_member
from timebank.people.callers import Caller


def _error_summary(page: Page) -> None:
    expect(page.locator(".govuk-error-summary")).to_be_visible()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_member_pages_in_every_state(page: Page, live: LiveSite) -> None:
    site = live.site
    system = Caller.coordinator_of(site.timebank_id)
    for name in ("Sam Ash", "Sam Birch"):
        add_member(site.engine, site.timebank_id, system, name)
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Members").click()
    check_page(page, "members, all")
    page.get_by_label("Name", exact=True).fill("nobody like this")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("No member matches your search")).to_be_visible()
    check_page(page, "members, none found")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Tag").fill("two words")
    page.get_by_role("button", name="Search").click()
    _error_summary(page)
    check_page(page, "members, tag refused")

    page.get_by_role("button", name="Add a member").click()
    check_page(page, "add a member, empty")
    page.get_by_label("Tags").fill("Not A Tag")
    page.get_by_role("button", name="Add member").click()
    _error_summary(page)
    check_page(page, "add a member, refused")
    page.get_by_label("Name", exact=True).fill("Dora Lane")
    page.get_by_label("Tags").fill("")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Dora Lane was added.")).to_be_visible()
    check_page(page, "member, just added, no exchanges")

    page.get_by_role("link", name="Change Dora Lane's details").click()
    check_page(page, "change details")
    page.get_by_label("Tags").fill("Not A Tag")
    page.get_by_role("button", name="Save changes").click()
    _error_summary(page)
    check_page(page, "change details, refused")
    page.get_by_label("Tags").fill("garden")
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_text("details were changed")).to_be_visible()

    page.get_by_role("link", name="Change Dora Lane's limits").click()
    check_page(page, "change limits")
    page.get_by_role("button", name="Save limits").click()
    _error_summary(page)
    check_page(page, "change limits, refused")
    page.get_by_label("Why are you changing them?").fill("She asked for a lower limit")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_text("limits were changed")).to_be_visible()

    page.get_by_role("button", name="Record an exchange for Dora Lane").click()
    check_page(page, "record for, empty")
    page.get_by_role("button", name="Continue").click()
    _error_summary(page)
    check_page(page, "record for, refused")
    page.get_by_label("Dora Lane gave help").check()
    page.get_by_label("Person 1").fill("alice")
    page.get_by_label("Person 2").fill("sam")
    page.get_by_label("Hours").fill("1")
    page.get_by_label("What was it?").fill("Knitting group")
    page.get_by_role("button", name="Add another person").click()
    expect(page.get_by_label("Person 4")).to_be_visible()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("Which one do you mean?")).to_be_visible()
    check_page(page, "record for, choosing")
    page.get_by_label("Sam Ash").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "record for, check your answers")
    page.get_by_role("button", name="Record this exchange").click()
    expect(page.get_by_role("heading", name="Exchange recorded")).to_be_visible()
    check_page(page, "record for, recorded")

    page.get_by_role("link", name="Go to Dora Lane's page").click()
    check_page(page, "member, with exchanges")
    page.get_by_role("link", name="See Dora Lane's whole statement").click()
    check_page(page, "member's statement")
    page.get_by_role("link", name="Members").click()
    check_page(page, "members, after adding")


def test_a_coordinator_adds_a_member_without_a_login_and_records_a_group_session(
    page: Page, live: LiveSite
) -> None:
    site = live.site
    log_in(page, live, "coordinator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("button", name="Add a member").click()
    page.get_by_label("Name", exact=True).fill("Dora Lane")
    page.get_by_label("Tags (optional)").fill("uses_services")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("Dora Lane was added.")).to_be_visible()

    page.get_by_role("button", name="Record an exchange for Dora Lane").click()
    page.get_by_label("Dora Lane gave help").check()
    page.get_by_label("Person 1").fill("alice green")
    page.get_by_label("Person 2").fill("bob")
    page.get_by_label("Hours").fill("1")
    page.get_by_label("Minutes").fill("30")
    page.get_by_label("What was it?").fill("Knitting group")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("That is 3 hours in all.")).to_be_visible()
    page.get_by_role("button", name="Record this exchange").click()
    expect(page.get_by_text("It was posted straight away.")).to_be_visible()

    members = through_the_api(live, "coordinator", "/members?tag=uses_services")["members"]
    assert [(m["display_name"], m["username"]) for m in members] == [("Dora Lane", None)]
    dora = members[0]["account_id"]
    (exchange,) = through_the_api(live, "coordinator", f"/exchanges?account_id={dora}")["exchanges"]
    assert exchange["status"] == "confirmed" and exchange["description"] == "Knitting group"
    assert exchange["giver_account_id"] == dora
    assert exchange["receivers"] == [
        {"account_id": site.account_ids["alice"], "minutes": 90},
        {"account_id": site.account_ids["bob"], "minutes": 90},
    ]
    assert through_the_api(live, "coordinator", f"/accounts/{dora}")["balance_minutes"] == 180
    assert through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")["balance_minutes"] == -90
