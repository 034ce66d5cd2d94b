"""Erasing a member's personal data in Chromium: every state checked by axe-core, and the job.

The states (SQLite only: the markup does not depend on the database): the member's page with its
link, the question page, the box left unticked (refused), the check page, the done page, the
member's page after. The job, on both databases: a coordinator erases Bob's data by role and label,
and the JSON API then names him "Former member N" with no username.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api


def _erase_bob(page: Page, live: LiveSite, *, checked: bool) -> None:
    site = live.site
    bob = site.names["bob"]
    log_in(page, live, "coordinator")
    page.goto(live.url(f"/members/{site.member_ids['bob']}"))
    if checked:
        check_page(page, "member, before erasure")
    page.get_by_role("link", name="Erase this member's personal data").click()
    expect(page.get_by_role("heading", name=f"Erase {bob}'s personal data")).to_be_visible()
    if checked:
        check_page(page, "erase, question")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_be_visible()
        check_page(page, "erase, box not ticked")
    page.get_by_label("I understand that this cannot be undone").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    if checked:
        check_page(page, "erase, check your answers")
    page.get_by_role("button", name="Erase personal data").click()
    expect(page.get_by_role("heading", name="Personal data erased")).to_be_visible()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_erasure_pages_in_every_state(page: Page, live: LiveSite) -> None:
    _erase_bob(page, live, checked=True)
    check_page(page, "erase, done")
    page.get_by_role("link", name=f"Go to Former member {live.site.member_ids['bob']}'s page").click()
    expect(page.get_by_text("personal data was erased on")).to_be_visible()
    check_page(page, "member, after erasure")


def test_a_coordinator_erases_bobs_personal_data(page: Page, live: LiveSite) -> None:
    site = live.site
    _erase_bob(page, live, checked=False)

    bob = through_the_api(live, "coordinator", f"/members/{site.member_ids['bob']}")
    assert bob["display_name"] == f"Former member {site.member_ids['bob']}"
    assert bob["username"] is None
    assert bob["erased_at"] is not None
