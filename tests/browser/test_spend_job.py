"""Spending credits in Chromium by keyboard alone (Tab, Enter and Space), then checked through the
JSON API: the member's balance goes down by the option's time and the organisation's goes up by it,
on SQLite and PostgreSQL. A member who declared benefits ticks the box with Space before a voucher.
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import tab_to, through_the_api
from tests.web.test_spend_pages import acknowledgements, add_offers, declare_benefits
from timebank.web.routes.spending import ACKNOWLEDGEMENT


def test_spending_on_an_option_by_keyboard_alone_moves_the_credits(page: Page, live: LiveSite) -> None:
    site = live.site
    offers = add_offers(site)
    log_in(page, live, "alice")
    tab_to(page, page.get_by_role("link", name="Spend credits", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Spend credits", exact=True)).to_be_visible()
    tab_to(page, page.get_by_role("link", name="Spend credits on Swim session"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Spend credits on Swim session")).to_be_visible()
    tab_to(page, page.get_by_role("button", name="Spend credits"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", name="Credits spent")).to_be_visible()
    expect(page.get_by_text("You spent 2 hours on Swim session.")).to_be_visible()

    alice = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")
    assert alice["balance_minutes"] == -120
    centre = through_the_api(live, "coordinator", f"/accounts/{offers.organisation_account_id}")
    assert centre["balance_minutes"] == 120
    lines = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}/statement")["lines"]
    assert [(line["description"], line["minutes"]) for line in lines] == [("Swim session", -120)]


def test_a_voucher_for_a_member_who_declared_benefits_by_keyboard_alone(page: Page, live: LiveSite) -> None:
    site = live.site
    offers = add_offers(site)
    declare_benefits(site, "alice")
    log_in(page, live, "alice")
    page.goto(live.url("/spend"))
    tab_to(page, page.get_by_role("link", name="Spend credits on Food voucher"))
    page.keyboard.press("Enter")
    tab_to(page, page.get_by_role("button", name="Spend credits"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Before you go ahead")).to_be_visible()
    # Nothing moves until the box is ticked.
    alice_path = f"/accounts/{site.account_ids['alice']}"
    assert through_the_api(live, "alice", alice_path)["balance_minutes"] == 0
    box = page.get_by_label(ACKNOWLEDGEMENT)
    tab_to(page, box)
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Spend credits"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Credits spent")).to_be_visible()

    assert through_the_api(live, "alice", alice_path)["balance_minutes"] == -90
    centre = through_the_api(live, "coordinator", f"/accounts/{offers.organisation_account_id}")
    assert centre["balance_minutes"] == 90
    assert acknowledgements(site, site.account_ids["alice"]) == [ACKNOWLEDGEMENT]
