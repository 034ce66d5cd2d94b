"""Spending credits through the pages, on SQLite and PostgreSQL: the list, an option, what was spent.

The Leisure Centre offers a swim session (a community activity) and a food voucher, made through
the use cases. Alice spends through the pages; her balance and the spend are read back through
the use cases. For a member who declared benefits the voucher needs the box ticked: the page asks
in words that name no benefit, and nothing moves until the box is ticked. Every refusal leaves the
ledger as it was; a double click spends once; another timebank's option is not found.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

from sqlalchemy import Engine

from tests.api.db_snapshot import counts, row_counts
from tests.involvement_calls import create_spend_option, set_declaration
from tests.people_calls import add_organisation, get_account
from tests.web.site import Site, build_site
from timebank.accounts.accounts import change_limits
from timebank.accounts.requests import ChangeLimits
from timebank.benefits import SpendClass
from timebank.benefits.wording import find_forbidden_words
from timebank.db import run
from timebank.people.callers import Caller
from timebank.spending.spends import withdraw_spend_option
from timebank.spending.views import SpendOptionView
from timebank.web.routes.spending import ACKNOWLEDGEMENT

# The tables a spend writes to. The audit log is left out (a refused spend audits its check), and
# so are idempotency keys: a refusal for the state met (below the floor, withdrawn) is kept under its
# key, so that a late retry gets the same answer (``timebank.exchanges.idempotency``).
LEDGER_TABLES = ("transactions", "transfers", "exchanges", "exchange_receivers", "spends")


@dataclass
class Offers:
    site: Site
    organisation_name: str
    organisation_account_id: int
    swim: SpendOptionView
    voucher: SpendOptionView


def make_offers(engine: Engine) -> Offers:
    return add_offers(build_site(engine))


def add_offers(site: Site) -> Offers:
    """The Leisure Centre, with a swim session (2 hours) and a food voucher (1 hour 30 minutes)."""
    engine = site.engine
    coordinator = Caller.coordinator_of(site.timebank_id)
    name = f"Leisure Centre {uuid.uuid4().hex[:6]}"
    centre = add_organisation(engine, site.timebank_id, coordinator, name)
    swim = create_spend_option(
        engine, site.timebank_id, coordinator, centre.organisation_id, "Swim session", 120,
        SpendClass.COMMUNITY_ACTIVITY,
    )  # fmt: skip
    voucher = create_spend_option(
        engine, site.timebank_id, coordinator, centre.organisation_id, "Food voucher", 90, SpendClass.VOUCHER
    )
    return Offers(site, name, centre.account_id, swim, voucher)


def balance(site: Site, who: str) -> int:
    return get_account(site.engine, site.timebank_id, site.account_ids[who]).balance_minutes


def ledger(site: Site) -> dict[str, int]:
    return counts(site.engine, site.timebank_id, *LEDGER_TABLES)


def declare_benefits(site: Site, who: str) -> None:
    holder = Caller.holder_of(site.timebank_id, site.account_ids[who], who, site.member_ids[who])
    set_declaration(site.engine, site.timebank_id, holder, site.account_ids[who], ["universal_credit"])


def main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def acknowledgements(site: Site, account_id: int) -> list[str | None]:
    spends = run(
        site.engine, lambda uow: uow.spend_options.spends_of(site.timebank_id, account_id), write=False
    )
    return [spend.acknowledgement for spend in spends]


def test_the_list_shows_each_option_with_its_organisation_time_and_kind(engine: Engine) -> None:
    offers = make_offers(engine)
    page = offers.site.logged_in("alice").get("/spend")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert ">Spend credits</h1>" in page.text
    text = main_text(page.text)
    assert "Swim session" in text and offers.organisation_name in text
    assert "2 hours" in text and "1 hour 30 minutes" in text
    assert "A community activity" in text and "A voucher" in text
    assert f'href="/spend/{offers.swim.spend_option_id}"' in page.text
    assert "Spend credits on Swim session" in text
    assert not find_forbidden_words(text)


def test_spending_through_the_page_moves_the_options_minutes_and_shows_the_balance(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    alice = site.logged_in("alice")
    page = alice.get(f"/spend/{offers.swim.spend_option_id}")
    assert page.status_code == 200
    assert "Spend credits on Swim session</h1>" in page.text
    assert "2 hours" in main_text(page.text)

    done = alice.submit(page, f"/spend/{offers.swim.spend_option_id}")
    assert done.status_code == 303
    result = alice.get(done.headers["location"])
    assert result.status_code == 200
    text = main_text(result.text)
    assert "You spent 2 hours on Swim session" in text
    assert "Your balance is now minus 2 hours" in text
    assert not find_forbidden_words(text)
    assert balance(site, "alice") == -120
    assert get_account(engine, site.timebank_id, offers.organisation_account_id).balance_minutes == 120


def test_a_double_submit_spends_once(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    alice = site.logged_in("alice")
    page = alice.get(f"/spend/{offers.swim.spend_option_id}")
    first = alice.submit(page, f"/spend/{offers.swim.spend_option_id}")
    second = alice.submit(page, f"/spend/{offers.swim.spend_option_id}")
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert balance(site, "alice") == -120
    assert ledger(site)["spends"] == 1


def test_goods_and_vouchers_ask_a_member_who_declared_benefits_to_tick_the_box(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    declare_benefits(site, "alice")
    alice = site.logged_in("alice")
    action = f"/spend/{offers.voucher.spend_option_id}"
    page = alice.get(action)
    assert 'name="acknowledge"' not in page.text
    before = ledger(site)

    asked = alice.submit(page, action)
    assert asked.status_code == 422
    assert "There is a problem" in asked.text
    assert 'href="#acknowledge"' in asked.text
    assert 'id="acknowledge"' in asked.text and ACKNOWLEDGEMENT in asked.text
    text = main_text(asked.text)
    assert not find_forbidden_words(text)
    assert "universal credit" not in text.lower()
    assert ledger(site) == before and balance(site, "alice") == 0

    unticked = alice.submit(asked, action)
    assert unticked.status_code == 422 and 'href="#acknowledge"' in unticked.text
    assert ledger(site) == before

    done = alice.submit(unticked, action, {"acknowledge": "yes"})
    assert done.status_code == 303
    assert "You spent 1 hour 30 minutes on Food voucher" in main_text(
        alice.get(done.headers["location"]).text
    )
    assert balance(site, "alice") == -90
    assert acknowledgements(site, site.account_ids["alice"]) == [ACKNOWLEDGEMENT]


def test_a_member_who_declared_nothing_spends_on_a_voucher_without_being_asked(engine: Engine) -> None:
    offers = make_offers(engine)
    alice = offers.site.logged_in("alice")
    action = f"/spend/{offers.voucher.spend_option_id}"
    done = alice.submit(alice.get(action), action)
    assert done.status_code == 303
    assert balance(offers.site, "alice") == -90


def test_a_spend_below_the_floor_is_refused_with_nothing_recorded(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    coordinator = Caller.coordinator_of(site.timebank_id)
    change_limits(
        engine, site.timebank_id, coordinator, site.account_ids["alice"], ChangeLimits(floor_minutes=-60)
    )
    alice = site.logged_in("alice")
    action = f"/spend/{offers.swim.spend_option_id}"
    page = alice.get(action)
    before = ledger(site)
    refused = alice.submit(page, action)
    assert refused.status_code == 422
    assert "There is a problem" in refused.text
    assert "govuk-error-summary" in refused.text
    assert ledger(site) == before
    assert balance(site, "alice") == 0
    # A fresh key after a refusal, so that the next try is a new spend.
    assert (
        alice.form(refused, action).fields["idempotency_key"]
        != alice.form(page, action).fields["idempotency_key"]
    )


def test_a_withdrawn_option_is_refused_with_nothing_recorded(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    alice = site.logged_in("alice")
    action = f"/spend/{offers.swim.spend_option_id}"
    page = alice.get(action)
    withdraw_spend_option(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), offers.swim.spend_option_id
    )
    before = ledger(site)
    refused = alice.submit(page, action)
    assert refused.status_code == 409
    assert "There is a problem" in refused.text and "withdrawn" in refused.text
    assert "Spend credits</button>" not in refused.text
    assert ledger(site) == before and balance(site, "alice") == 0
    assert "Swim session" not in main_text(alice.get("/spend").text)


def test_an_unknown_or_another_timebanks_option_is_not_found(engine: Engine) -> None:
    offers = make_offers(engine)
    site = offers.site
    olive = site.logged_in("olive")
    assert olive.get(f"/spend/{offers.swim.spend_option_id}").status_code == 404
    alice = site.logged_in("alice")
    page = alice.get(f"/spend/{offers.swim.spend_option_id}")
    before = row_counts(engine)
    fields = alice.form(page, f"/spend/{offers.swim.spend_option_id}").fields
    assert olive.client.post(f"/spend/{offers.swim.spend_option_id}", data=fields).status_code in (403, 404)
    olive_page = olive.get("/spend")
    assert "Swim session" not in olive_page.text
    assert alice.get("/spend/999999999").status_code == 404
    assert alice.get(f"/spend/{2**70}").status_code == 404
    assert alice.get("/spend/done/999999999").status_code == 404
    assert row_counts(engine) == before


def test_another_members_spend_result_is_not_found(engine: Engine) -> None:
    offers = make_offers(engine)
    alice = offers.site.logged_in("alice")
    action = f"/spend/{offers.swim.spend_option_id}"
    done = alice.submit(alice.get(action), action)
    bob = offers.site.logged_in("bob")
    assert bob.get(done.headers["location"]).status_code == 404


def test_a_post_without_the_csrf_token_is_refused_with_nothing_recorded(engine: Engine) -> None:
    offers = make_offers(engine)
    alice = offers.site.logged_in("alice")
    action = f"/spend/{offers.swim.spend_option_id}"
    fields = alice.form(alice.get(action), action).fields
    del fields["csrf_token"]
    before = row_counts(engine)
    refused = alice.client.post(action, data=fields, follow_redirects=False)
    assert refused.status_code == 403
    assert row_counts(engine) == before


def test_a_visitor_with_no_session_is_sent_to_log_in(engine: Engine) -> None:
    offers = make_offers(engine)
    visitor = offers.site.visitor()
    for path in ("/spend", f"/spend/{offers.swim.spend_option_id}", "/spend/done/1"):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
    before = row_counts(engine)
    answer = visitor.client.post(f"/spend/{offers.swim.spend_option_id}", data={}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert row_counts(engine) == before
