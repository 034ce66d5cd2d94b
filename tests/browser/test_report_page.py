"""The Reports page in every state, in Chromium: empty, full, a refused period, and printed.

Reached as a coordinator reaches it (the header's "Reports" link, the form's labels, its links) and
checked in each state by ``check_page`` (axe-core at WCAG 2.2 AA at 320 and 1280 px, reflow at
320 px, one main landmark and one h1, reading ease of at least 60). The inline charts are part of
what axe reads; the browser also says whether the page's CSP refused anything (an inline style, a
data: picture), which would show in the console.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.web.test_report_pages import _exchange

# The markup does not depend on the database: the states are checked on SQLite; tests/web reads the
# figures on both.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def test_the_reports_page_empty_full_refused_and_printed(page: Page, live: LiveSite) -> None:
    refused: list[str] = []

    def listen(message: ConsoleMessage) -> None:
        # Only the policy's refusals: a 422 page or a missing favicon is logged as an error too.
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", listen)
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Headline figures")).to_be_visible()
    expect(page.get_by_role("img", name="How members took part")).to_be_visible()
    check_page(page, "reports, empty timebank")

    site = live.site
    _exchange(site, "alice", "bob", 90, days_ago=40)
    _exchange(site, "bob", "alice", 60, days_ago=5)
    _exchange(site, "carol", "coordinator", 30, days_ago=3)
    page.get_by_label("The last 12 months").check()
    page.get_by_role("button", name="Show report").click()
    expect(page.get_by_text("Green: going well").first).to_be_visible()
    page.get_by_text("Show the figures as a table").first.click()
    expect(page.get_by_role("table", name="Activity month by month")).to_be_visible()
    check_page(page, "reports, full, a table open")

    page.get_by_label("Choose the dates").check()
    page.get_by_role("group", name="Start date").get_by_label("Day").fill("10")
    page.get_by_role("group", name="Start date").get_by_label("Month").fill("3")
    page.get_by_role("group", name="Start date").get_by_label("Year").fill("2026")
    page.get_by_role("group", name="End date").get_by_label("Day").fill("1")
    page.get_by_role("group", name="End date").get_by_label("Month").fill("3")
    page.get_by_role("group", name="End date").get_by_label("Year").fill("2026")
    page.get_by_role("button", name="Show report").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("after the start date")
    check_page(page, "reports, refused period")

    page.get_by_label("The last 90 days").check()
    page.get_by_role("button", name="Show report").click()
    page.get_by_role("link", name="Print this report for a board paper").click()
    expect(page.get_by_role("heading", name="Reciprocity report", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Log out")).to_have_count(0)
    check_page(page, "reports, printable")
    page.emulate_media(media="print")
    expect(page.get_by_role("link", name="Back to the Reports page")).to_be_hidden()
    expect(page.get_by_role("table", name="How members took part")).to_be_visible()
    page.emulate_media(media="screen")
    assert refused == []
