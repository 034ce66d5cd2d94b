"""A member's jobs done in Chromium, found by role and label as a screen reader user finds them,
then checked through the JSON API: recording, confirming (by keyboard alone, and with JavaScript
switched off), on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Locator, Page, expect

from tests.apps import shared_app
from tests.browser.conftest import LiveSite, log_in
from tests.web.site import PASSWORD
from timebank.api.app import create_app as create_api
from timebank.people.access import log_in as api_log_in

# Enough presses to reach any control on these pages from the top.
_TABS_MAX = 80


def tab_to(page: Page, target: Locator) -> None:
    """Move the focus with the Tab key alone until it is on ``target``."""
    handle = target.element_handle()
    for _ in range(_TABS_MAX):
        page.keyboard.press("Tab")
        if page.evaluate("element => element === document.activeElement", handle):
            return
    raise AssertionError(f"Tab never reached {target}")


def through_the_api(live: LiveSite, who: str, path: str) -> Any:
    """What the JSON API answers ``who`` for ``path`` (under their timebank)."""
    site = live.site
    token = api_log_in(site.engine, site.usernames[who], PASSWORD).access_token
    client = TestClient(shared_app(create_api, site.engine))
    answer = client.get(
        f"/v1/timebanks/{site.timebank_id}{path}", headers={"Authorization": f"Bearer {token}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_recording_help_received_by_keyboard_alone_posts_it(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "alice")
    page.goto(live.url("/record"))
    # A radio group is one stop for Tab; the arrow keys move between its choices (and choose).
    tab_to(page, page.get_by_label("I helped someone"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Someone helped me")).to_be_checked()
    tab_to(page, page.get_by_label("What is the other person's name?"))
    page.keyboard.type("bob stone")
    tab_to(page, page.get_by_label("Hours"))
    page.keyboard.type("2")
    tab_to(page, page.get_by_label("Minutes"))
    page.keyboard.type("15")
    tab_to(page, page.get_by_label("What was it?"))
    page.keyboard.type("Painting the fence")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.get_by_text("straight away")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Record this exchange"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Exchange recorded")).to_be_visible()

    account = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")
    assert account["balance_minutes"] == -135
    exchanges = through_the_api(live, "bob", "/exchanges")["exchanges"]
    assert [(e["description"], e["status"]) for e in exchanges] == [("Painting the fence", "confirmed")]


def test_confirming_by_keyboard_alone_moves_the_credits(page: Page, live: LiveSite) -> None:
    site = live.site
    exchange = site.record("bob", "alice", 90, "Gardening", by="bob")
    log_in(page, live, "alice")
    tab_to(page, page.get_by_role("button", name="Confirm"))
    page.keyboard.press("Enter")
    expect(page.get_by_text("You confirmed the exchange.")).to_be_visible()

    answer = through_the_api(live, "bob", f"/exchanges/{exchange.exchange_id}")
    assert answer["status"] == "confirmed"
    assert through_the_api(live, "bob", f"/accounts/{site.account_ids['bob']}")["balance_minutes"] == 90


@pytest.fixture
def page_without_javascript(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=False)
    yield context.new_page()
    context.close()


def test_recording_and_confirming_work_without_javascript(
    page_without_javascript: Page, live: LiveSite
) -> None:
    page, site = page_without_javascript, live.site
    log_in(page, live, "bob")
    page.get_by_role("link", name="Record an exchange").first.click()
    page.get_by_label("I helped someone").check()
    page.get_by_label("What is the other person's name?").fill("Alice")
    page.get_by_label("Hours").fill("1")
    page.get_by_label("What was it?").fill("Ironing")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("will be asked to confirm")).to_be_visible()
    page.get_by_role("button", name="Record this exchange").click()
    expect(page.get_by_role("heading", name="waiting to be confirmed")).to_be_visible()
    pending = through_the_api(live, "bob", "/exchanges?status=pending")["exchanges"]
    assert [(e["description"], e["receivers"]) for e in pending] == [
        ("Ironing", [{"account_id": site.account_ids["alice"], "minutes": 60}])
    ]

    page.get_by_role("button", name="Log out").click()
    log_in(page, live, "alice")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("You confirmed the exchange.")).to_be_visible()
    assert through_the_api(live, "alice", f"/exchanges/{pending[0]['id']}")["status"] == "confirmed"
    assert through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")["balance_minutes"] == -60


def test_declining_and_cancelling_move_nothing(page: Page, live: LiveSite) -> None:
    site = live.site
    to_decline = site.record("bob", "alice", 30, "Dog walking", by="bob")
    to_cancel = site.record("alice", "bob", 45, "Shopping", by="alice")
    log_in(page, live, "alice")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("You declined the exchange.")).to_be_visible()
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("You cancelled the exchange.")).to_be_visible()
    expect(page.get_by_text("Nothing is waiting for you.")).to_be_visible()

    assert through_the_api(live, "alice", f"/exchanges/{to_decline.exchange_id}")["status"] == "declined"
    assert through_the_api(live, "alice", f"/exchanges/{to_cancel.exchange_id}")["status"] == "cancelled"
    assert through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")["balance_minutes"] == 0
