"""A post's page and what starts from it, in every state, in Chromium, checked by ``check_page``.

Each state is reached as a person would reach it, by links and buttons found by role and label, and
checked once (axe-core at WCAG 2.2 AA at 320 and 1280 px, reflow, one main landmark and one h1,
reading ease): Bob opens Alice's offer from the search, records the help she gave him from it (the
form filled in, the check page naming the offer, the exchange with its link back), writes to her
(the form, refused empty, then sent); Alice's own post, and her own post refused as a start for an
exchange; Alice answering Bob by the link in his message; a coordinator hides it (the question,
refused without a reason, then hidden with the reason shown), and shows it again.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.offer_calls import post_for
from timebank.clock import utc_now
from timebank.db import run
from timebank.notifications.keys import preferences_of, reply_token

# The markup does not depend on the database: the states are checked on SQLite.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _alices_offer(live: LiveSite) -> int:
    site = live.site
    return post_for(
        site.engine, site.timebank_id, site.member_ids["alice"], title="Help in the garden"
    ).post_id


def test_a_member_opens_an_offer_records_from_it_and_writes_to_its_member(page: Page, live: LiveSite) -> None:
    post_id = _alices_offer(live)
    alice = live.site.names["alice"]
    log_in(page, live, "bob")
    page.goto(live.url("/offers?q=garden"))
    page.get_by_role("link", name="Offer: Help in the garden").click()
    expect(page.get_by_role("heading", name="Help in the garden", level=1)).to_be_visible()
    check_page(page, "post page, someone else's open offer")

    page.get_by_role("button", name=f"Record help {alice} gave you").click()
    expect(page.get_by_label("What was it?")).to_have_value("Help in the garden")
    check_page(page, "record from an offer, the form filled in")
    page.get_by_label("Hours").fill("2")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text(f"{alice}'s offer: Help in the garden")).to_be_visible()
    check_page(page, "record from an offer, check your answers")
    page.get_by_role("button", name="Record this exchange").click()
    expect(page.get_by_role("link", name="See the offer or request it came from")).to_be_visible()
    check_page(page, "the exchange recorded from an offer")
    page.get_by_role("link", name="See the offer or request it came from").click()
    expect(page).to_have_url(live.url(f"/offers/{post_id}"))

    page.get_by_role("link", name=f"Send {alice} a message").click()
    expect(page.get_by_role("heading", name=f"Send a message to {alice}")).to_be_visible()
    check_page(page, "message, the form")
    page.get_by_role("button", name="Send message").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "message, refused empty")
    page.get_by_label("Your message").fill("Could you help on Saturday morning?")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Your message is on its way.")).to_be_visible()
    check_page(page, "post page, message sent")


def test_a_members_own_post_and_its_refusal_as_a_start_for_an_exchange(page: Page, live: LiveSite) -> None:
    post_id = _alices_offer(live)
    log_in(page, live, "alice")
    page.goto(live.url("/offers/mine"))
    page.get_by_role("link", name="Offer: Help in the garden").click()
    expect(page.get_by_text("This is yours.")).to_be_visible()
    check_page(page, "post page, your own")
    page.goto(live.url(f"/record?post={post_id}"))
    expect(page.get_by_role("heading", name="This is your own offer or request")).to_be_visible()
    check_page(page, "record from your own post, refused")


def test_a_coordinator_hides_a_post_and_shows_it_again(page: Page, live: LiveSite) -> None:
    post_id = _alices_offer(live)
    log_in(page, live, "coordinator")
    page.goto(live.url(f"/offers/{post_id}"))
    check_page(page, "post page, for a coordinator")
    page.get_by_role("link", name="Hide this offer").click()
    expect(page.get_by_role("heading", name="Hide Help in the garden?")).to_be_visible()
    check_page(page, "hide, the question")
    page.get_by_role("button", name="Hide it").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "hide, refused without a reason")
    page.get_by_label("Why are you hiding it?").fill("It asks for money in return.")
    page.get_by_role("button", name="Hide it").click()
    expect(page.get_by_text("The reason: It asks for money in return.")).to_be_visible()
    check_page(page, "post page, hidden")
    page.get_by_role("button", name="Show it again").click()
    expect(page.get_by_text("It is showing again.")).to_be_visible()
    check_page(page, "post page, shown again")


def test_a_posts_member_answers_by_the_link_in_a_message(page: Page, live: LiveSite) -> None:
    site = live.site
    post_id = _alices_offer(live)
    alice_id, bob_id = site.member_ids["alice"], site.member_ids["bob"]

    def alices_key(uow):  # type: ignore[no-untyped-def]
        key = preferences_of(uow, site.timebank_id, alice_id, utc_now()).unsubscribe_key
        uow.commit()  # made here if no message made it before
        return key

    token = reply_token(run(site.engine, alices_key), post_id, bob_id, alice_id)
    log_in(page, live, "alice")
    page.goto(live.url(f"/offers/{post_id}/message?to={bob_id}&token={token}"))
    expect(page.get_by_role("heading", name=f"Answer {site.names['bob']}")).to_be_visible()
    check_page(page, "message, an answer")
