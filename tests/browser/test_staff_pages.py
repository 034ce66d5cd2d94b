"""The coordinators' organisation pages and the staff's activity pages in Chromium: every state
checked by axe-core (SQLite), and the staff's job (add an activity, invite, record who came) done
by role and label and checked through the JSON API, on both databases.
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


@_SQLITE
def test_organisation_pages_in_every_state(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Organisations").click()
    check_page(page, "organisations, list")
    page.get_by_role("link", name="Add an organisation").click()
    page.get_by_role("button", name="Add organisation").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "add an organisation, refused")
    page.get_by_label("Its name").fill("Meadow Day Centre")
    page.get_by_label("Email (optional)").fill("hello@meadow.example")
    page.get_by_role("button", name="Add organisation").click()
    expect(page.get_by_text("Organisation added.")).to_be_visible()
    check_page(page, "organisation, just added, no staff")
    page.get_by_role("link", name="Change contact details").click()
    page.get_by_label("Phone (optional)").fill("call me")
    page.get_by_role("button", name="Save contact details").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "contact details, refused")
    page.get_by_label("Phone (optional)").fill("01234 567890")
    page.get_by_role("button", name="Save contact details").click()
    page.get_by_label("Add a member as staff").fill("e")
    page.get_by_role("button", name="Add as staff").click()
    check_page(page, "organisation, several names match")
    page.get_by_label("Add a member as staff").fill(site.names["bob"])
    page.get_by_role("button", name="Add as staff").click()
    expect(page.get_by_text("Member of staff added.")).to_be_visible()
    page.get_by_label("Label for a new key").fill("Booking system")
    page.get_by_role("button", name="Make an API key").click()
    expect(page.get_by_text("Copy this key now.")).to_be_visible()
    check_page(page, "API key made, shown once")
    page.get_by_role("link", name="I have copied it").click()
    check_page(page, "organisation, with staff and a key")
    page.get_by_role("link", name="Revoke the key Booking system").click()
    check_page(page, "revoke a key, are you sure")
    page.get_by_role("button", name="Revoke the key").click()
    expect(page.get_by_text("API key revoked.")).to_be_visible()
    check_page(page, "organisation, key revoked")
    page.get_by_role("button", name="Log out").click()
    log_in(page, live, "alice")
    page.goto(live.url("/organisations"))
    check_page(page, "organisations, refused to a member")


@_SQLITE
def test_activity_and_attendance_pages_in_every_state(page: Page, live: LiveSite) -> None:
    site = live.site
    an_activity(site, invite=("alice",), days_ago=-2)
    log_in(page, live, "staff")
    page.get_by_role("link", name="Activities").click()
    check_page(page, "activities, one not yet held")
    page.get_by_role("link", name="Carers' forum").click()
    page.get_by_role("link", name="Record who came").click()
    check_page(page, "attendance, not yet held")
    page.goto(live.url("/activities/new"))
    check_page(page, "add an activity, empty")
    page.get_by_role("button", name="Add activity").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "add an activity, refused")
    held = utc_now().date() - timedelta(days=1)
    page.get_by_label("Title").fill("Board meeting")
    page.get_by_label("Day").fill(str(held.day))
    page.get_by_label("Month").fill(str(held.month))
    page.get_by_label("Year").fill(str(held.year))
    page.get_by_label("Hours").fill("2")
    page.get_by_label("Shaping services").check()
    page.get_by_role("button", name="Add activity").click()
    expect(page.get_by_text("Activity added.")).to_be_visible()
    check_page(page, "activity, nobody invited")
    page.get_by_label("Invite a member").fill("Nobody Here")
    page.get_by_role("button", name="Invite").click()
    check_page(page, "activity, invite refused")
    page.get_by_label("Invite a member").fill(site.names["alice"])
    page.get_by_role("button", name="Invite").click()
    page.get_by_label("Invite a member").fill(site.names["bob"])
    page.get_by_role("button", name="Invite").click()
    page.get_by_role("link", name="Record who came").click()
    check_page(page, "attendance, the form")
    page.get_by_role("button", name="Continue").click()
    check_page(page, "attendance, refused")
    page.get_by_label("Payment for each member, in pounds").fill("20")
    page.get_by_label("What is the payment for?").fill("Thanks for coming")
    page.get_by_label(f"{site.names['alice']} came").check()
    page.get_by_label(f"{site.names['bob']} came").check()
    page.get_by_role("group", name=f"What would {site.names['bob']} like?").get_by_label(
        "The payment offered"
    ).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "attendance, check your answers")
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Attendance recorded.")).to_be_visible()
    check_page(page, "activity, attendance recorded")


def test_staff_add_an_activity_and_record_who_came(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "staff")
    page.get_by_role("link", name="Activities").click()
    page.get_by_role("link", name="Add an activity").click()
    held = utc_now().date() - timedelta(days=1)
    page.get_by_label("Title").fill("Listening event")
    page.get_by_label("Day").fill(str(held.day))
    page.get_by_label("Month").fill(str(held.month))
    page.get_by_label("Year").fill(str(held.year))
    page.get_by_label("Hours").fill("1")
    page.get_by_label("Minutes").fill("30")
    page.get_by_label("Community activity").check()
    page.get_by_role("button", name="Add activity").click()
    page.get_by_label("Invite a member").fill(site.names["alice"])
    page.get_by_role("button", name="Invite").click()
    expect(page.get_by_text("Member invited.")).to_be_visible()
    page.get_by_role("link", name="Record who came").click()
    page.get_by_label(f"{site.names['alice']} came").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Record attendance").click()
    expect(page.get_by_text("Attendance recorded.")).to_be_visible()

    account = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")
    assert account["balance_minutes"] == 90
    activities = through_the_api(live, "staff", f"/organisations/{site.organisation_id}/activities")
    (activity,) = activities["activities"]
    assert (activity["title"], activity["duration_minutes"]) == ("Listening event", 90)
    attendance = through_the_api(live, "staff", f"/activities/{activity['id']}/attendance")
    assert [(a["account_id"], a["minutes"], a["choice"]) for a in attendance["attendees"]] == [
        (site.account_ids["alice"], 90, "credits")
    ]
