"""The coordinators' pages in Chromium: every state checked by axe-core, and a coordinator's job.

One test per page walks through all its states (empty, full, refused, check-your-answers, done) and
checks each with ``check_page`` on SQLite: the markup does not depend on the database. The job, a
coordinator reversing an exchange found by role and label and checked through the JSON API, runs
on SQLite and PostgreSQL.
"""

from __future__ import annotations

import zipfile

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api
from tests.involvement_calls import set_declaration
from timebank.benefits.categories import BenefitCategory
from timebank.exchanges.lifecycle import cancel_exchange
from timebank.involvement.declarations import read_declaration
from timebank.people.callers import Caller

_SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@_SQLITE_ONLY
def test_the_waiting_list_empty_then_full(page: Page, live: LiveSite) -> None:
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Waiting").click()
    expect(page.get_by_text("No exchanges are waiting")).to_be_visible()
    check_page(page, "waiting, empty")
    site = live.site
    for n in range(21):
        site.record("alice", "bob", 30 + n, f"Gardening visit {n}", by="alice")
    page.reload()
    expect(page.get_by_role("heading", level=2)).to_have_count(20)
    check_page(page, "waiting, full")
    page.get_by_role("link", name="Newer exchanges").click()
    expect(page.get_by_role("heading", level=2)).to_have_count(1)
    check_page(page, "waiting, second page")

    # Acting for the members: confirm one for them, then meet one that moved on meanwhile.
    page.get_by_role("link", name="Confirm, decline or cancel the exchange: Gardening visit 20").click()
    expect(page.get_by_role("heading", name="Act for them")).to_be_visible()
    check_page(page, "pending exchange, a coordinator's buttons")
    page.get_by_role("button", name="Confirm it for them").click()
    expect(page.get_by_text("You confirmed the exchange for them")).to_be_visible()
    check_page(page, "waiting, done")
    page.get_by_role("link", name="Confirm, decline or cancel the exchange: Gardening visit 0").click()
    moved_on = page.url.rsplit("/", 1)[-1]
    cancel_exchange(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), int(moved_on))
    page.get_by_role("button", name="Decline it for them").click()
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_page(page, "pending exchange, refused as it moved on")


@_SQLITE_ONLY
def test_reversing_an_exchange_in_all_its_states(page: Page, live: LiveSite) -> None:
    site = live.site
    exchange = site.record("alice", "bob", 90, "Gardening", by="bob")
    waiting = site.record("alice", "bob", 30, "Shopping", by="alice")
    log_in(page, live, "coordinator")
    page.goto(live.url(f"/exchanges/{exchange.exchange_id}"))
    page.get_by_role("link", name="Reverse this exchange").click()
    check_page(page, "reverse, empty")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "reverse, no reason")
    page.get_by_label("Why are you reversing it?").fill("It was recorded twice.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You cannot undo a reversal")).to_be_visible()
    check_page(page, "reverse, check your answers")
    page.get_by_role("button", name="Reverse exchange").click()
    expect(page.get_by_role("heading", name="Exchange reversed")).to_be_visible()
    check_page(page, "reverse, done")
    page.goto(live.url(f"/exchanges/{exchange.exchange_id}/reverse"))
    check_page(page, "reverse, already reversed")
    page.goto(live.url(f"/exchanges/{waiting.exchange_id}/reverse"))
    check_page(page, "reverse, never posted")


@_SQLITE_ONLY
def test_the_audit_log_empty_full_narrowed_and_refused(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Audit log").click()
    check_page(page, "audit, empty")
    for who in ("alice", "bob"):
        holder = Caller.holder_of(site.timebank_id, site.account_ids[who], f"test:{who}")
        set_declaration(
            site.engine, site.timebank_id, holder, site.account_ids[who], [BenefitCategory.CARERS_ALLOWANCE]
        )
    coordinator = Caller.coordinator_of(site.timebank_id)
    read_declaration(site.engine, site.timebank_id, coordinator, site.account_ids["alice"])
    page.reload()
    check_page(page, "audit, full")
    page.get_by_label("Kind of entry").select_option(label="Benefits details read")
    page.get_by_label("Member").fill("alice")
    page.get_by_role("button", name="Show entries").click()
    expect(page.get_by_text("Showing")).to_be_visible()
    check_page(page, "audit, narrowed")
    page.get_by_label("Member").fill("nobody at all")
    page.get_by_role("button", name="Show entries").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "audit, nobody by that name")
    page.get_by_label("Member").fill("Stone")  # Bob Stone only: one match
    page.get_by_label("Kind of entry").select_option(label="All kinds")
    page.get_by_role("button", name="Show entries").click()
    check_page(page, "audit, one member")


@_SQLITE_ONLY
def test_the_settings_page_refused_and_saved(page: Page, live: LiveSite) -> None:
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Settings").click()
    check_page(page, "settings")
    page.get_by_label("Days an exchange waits").fill("0")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "settings, refused")
    page.get_by_label("Days an exchange waits").fill("10")
    page.get_by_label("Email address").fill("hello@example.org")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("settings are saved")).to_be_visible()
    check_page(page, "settings, saved")
    active = page.get_by_role("group", name="Active members")
    active.get_by_label("Amber from").fill("70")
    active.get_by_label("Green from").fill("20")
    page.get_by_role("button", name="Save colours").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "settings, colours refused")


@_SQLITE_ONLY
def test_a_coordinator_downloads_everything_from_the_settings_page(page: Page, live: LiveSite) -> None:
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Settings").click()
    expect(page.get_by_role("heading", name="Download everything")).to_be_visible()
    check_page(page, "settings, download everything")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download everything (ZIP file)").click()

    archive = zipfile.ZipFile(download.value.path())
    assert download.value.suggested_filename.startswith(f"timebank-{live.site.timebank_id}-")
    assert "README.txt" in archive.namelist()
    assert "Bob Stone" in archive.read("members.csv").decode()


def test_a_coordinator_reverses_an_exchange_by_role_and_label(page: Page, live: LiveSite) -> None:
    site = live.site
    exchange = site.record("alice", "bob", 75, "Fixing a shelf", by="bob")
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Waiting").click()
    page.goto(live.url(f"/exchanges/{exchange.exchange_id}"))
    page.get_by_role("link", name="Reverse this exchange").click()
    page.get_by_label("Why are you reversing it?").fill("Bob says it never happened.")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    page.get_by_role("button", name="Reverse exchange").click()
    expect(page.get_by_role("heading", name="Exchange reversed")).to_be_visible()

    seen = through_the_api(live, "coordinator", f"/exchanges/{exchange.exchange_id}")
    assert seen["status"] == "reversed"
    assert seen["reversal_reason"] == "Bob says it never happened."
    alice = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")
    assert alice["balance_minutes"] == 0
