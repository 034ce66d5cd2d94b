"""Ending a membership in Chromium: every state checked by axe-core, and the coordinator's job.

The states (SQLite only: the markup does not depend on the database): the form, empty and refused,
the check page, the member's page after, saying when they left and why, the list, and the former
member's own home, which says their membership has ended. The job, on both
databases: a coordinator ends Bob's membership from his page, found by role and label, and the
JSON API says it ended on that day.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from timebank.clock import utc_now
from timebank.people.callers import Caller
from timebank.people.members import get_member


def _to_bobs_page(page: Page, live: LiveSite) -> None:
    log_in(page, live, "coordinator")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    page.get_by_role("link", name=live.site.names["bob"]).click()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_ending_pages_in_every_state(page: Page, live: LiveSite) -> None:
    live.site.record("bob", "alice", 90, "Gardening", by="alice", days_ago=2)
    _to_bobs_page(page, live)
    page.get_by_role("link", name="End membership").click()
    expect(page.get_by_role("heading", name=f"End {live.site.names['bob']}'s membership")).to_be_visible()
    check_page(page, "end a membership, empty")

    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "end a membership, refused")

    today = utc_now().date()
    page.get_by_label("Day").fill(str(today.day))
    page.get_by_label("Month").fill(str(today.month))
    page.get_by_label("Why did it end?").fill("Moved to Leeds")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    check_page(page, "end a membership, check your answers")

    page.get_by_role("button", name="End the membership").click()
    expect(page.get_by_text("membership has ended.")).to_be_visible()
    expect(page.get_by_text("Why: Moved to Leeds")).to_be_visible()
    check_page(page, "member, membership ended")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Members").click()
    expect(page.get_by_text("Left on").first).to_be_visible()
    check_page(page, "members, one has left")

    page.get_by_role("button", name="Log out").click()
    log_in(page, live, "bob")
    expect(page.get_by_text("Your membership has ended.")).to_be_visible()
    check_page(page, "home, membership ended")


def test_a_coordinator_ends_bobs_membership_and_the_api_says_so(page: Page, live: LiveSite) -> None:
    site = live.site
    _to_bobs_page(page, live)
    page.get_by_role("link", name="End membership").click()
    page.get_by_label("Why did it end?").fill("Moved away")
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="End the membership").click()
    expect(page.get_by_text("membership has ended.")).to_be_visible()

    member = get_member(
        site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.member_ids["bob"]
    )
    assert member.membership_ended_on == utc_now().date()
