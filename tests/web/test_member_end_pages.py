"""A coordinator ends a membership on the pages: the form, the check, the member's page after.

On both databases: the member's page offers "End membership"; the form says in words what happens
to the balance under the timebank's setting; the check page repeats the answers and only its button
ends the membership; the member's page then says when they left and why, and offers no recording
for them; the list says "Left on". Every refusal is shown beside its field with nothing recorded; a
double click ends the membership once; recording for a former member is refused on the page; the
setting is chosen on the settings page.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.ledger_calls import give_credits
from tests.people_calls import get_account, get_timebank
from tests.web.site import Site, Visitor, build_site
from timebank.benefits.formatting import format_date
from timebank.clock import utc_now
from timebank.ledger.types import Actor


def _end_form(site: Site, cora: Visitor, who: str) -> tuple[str, str]:
    path = f"/members/{site.member_ids[who]}/end"
    return path, cora.get(path).text


def _day(prefix: str, days_ago: int) -> dict[str, str]:
    on = utc_now().date() - timedelta(days=days_ago)
    return {f"{prefix}-day": str(on.day), f"{prefix}-month": str(on.month), f"{prefix}-year": str(on.year)}


def test_a_coordinator_ends_bobs_membership_after_checking_and_his_page_says_he_left(engine: Engine) -> None:
    site = build_site(engine)
    site.record("bob", "alice", 90, "Gardening", by="alice", days_ago=3)
    cora = site.logged_in("coordinator")
    member_page = cora.get(f"/members/{site.member_ids['bob']}")
    assert f'href="/members/{site.member_ids["bob"]}/end"' in member_page.text
    path, form = _end_form(site, cora, "bob")
    assert "1 hour 30 minutes of credits. They stay on" in form
    before = row_counts(engine)

    check = cora.submit(form, path, {"reason": "Moved to Leeds", **_day("ended", 1)})

    assert check.status_code == 200 and "Check your answers" in check.text
    assert "Moved to Leeds" in check.text
    assert format_date(utc_now().date() - timedelta(days=1)) in check.text
    assert row_counts(engine) == before  # nothing recorded until the check page's button
    done = cora.submit(check, path, {"action": "end"})
    assert (
        done.status_code == 303
        and done.headers["location"] == f"/members/{site.member_ids['bob']}?done=ended"
    )
    after = cora.get(done.headers["location"]).text
    assert "membership has ended" in after and "Left on" in after and "Why: Moved to Leeds" in after
    assert "Record an exchange for" not in after and "End membership" not in after
    assert site.balance("bob") == 90  # the timebank keeps balances (its default)
    listed = cora.get("/members").text
    assert f"Left on {format_date(utc_now().date() - timedelta(days=1))}" in listed
    again = cora.get(path).text
    assert "membership has ended" in again and 'action="/members/' not in again.split("<main", 1)[1]


def test_where_balances_go_to_the_pot_the_form_says_so_and_the_pot_gets_them(engine: Engine) -> None:
    site = build_site(engine)
    site.record("bob", "alice", 120, "Shopping", by="alice", days_ago=2)
    cora = site.logged_in("coordinator")
    settings = cora.get("/settings")
    saved = cora.submit(settings, "/settings", {"balance_on_leaving": "to_pot"})
    assert saved.status_code == 303
    assert get_timebank(engine, site.timebank_id).balance_on_leaving == "to_pot"
    path, form = _end_form(site, cora, "bob")
    assert "2 hours of credits. They go to the community pot" in form

    check = cora.submit(form, path, {"reason": "Moved away"})
    cora.submit(check, path, {"action": "end"})

    assert site.balance("bob") == 0
    assert balance_of(site, site.pot_account_id) == 120


def balance_of(site: Site, account_id: int) -> int:
    return get_account(site.engine, site.timebank_id, account_id).balance_minutes


def test_a_balance_below_zero_the_pot_cannot_cover_is_refused_on_the_form(engine: Engine) -> None:
    site = build_site(engine)
    site.record("bob", "alice", 60, "Shopping", by="alice", days_ago=2)  # Alice is at -60
    cora = site.logged_in("coordinator")
    cora.submit(cora.get("/settings"), "/settings", {"balance_on_leaving": "to_pot"})
    path, form = _end_form(site, cora, "alice")
    assert "The community pot covers this" in form
    before = row_counts(engine)

    check = cora.submit(form, path, {"reason": "Moved away"})
    refused = cora.submit(check, path, {"action": "end"})

    assert refused.status_code == 422 and "The pot holds 0 minutes" in refused.text
    # Only the refusal, kept under the form's key as its answer (a replay is refused the same way).
    assert row_counts(engine) == before | {"idempotency_keys": before["idempotency_keys"] + 1}
    give_credits(
        engine, site.timebank_id, Actor("test:bob", site.account_ids["bob"]), site.account_ids["bob"],
        site.pot_account_id, 60, None,
    )  # fmt: skip
    ended = cora.submit(refused, path, {"action": "check"})
    assert cora.submit(ended, path, {"action": "end"}).status_code == 303
    assert site.balance("alice") == 0 and balance_of(site, site.pot_account_id) == 0


def test_each_refusal_is_shown_beside_its_field_and_nothing_is_recorded(engine: Engine) -> None:
    site = build_site(engine)
    site.record("bob", "alice", 30, "Gardening", by="alice", days_ago=2)
    cora = site.logged_in("coordinator")
    path, form = _end_form(site, cora, "bob")
    before = row_counts(engine)

    no_reason = cora.submit(form, path, {"reason": "  "})
    tomorrow = cora.submit(form, path, {"reason": "Moved", **_day("ended", -1)})
    not_a_day = cora.submit(form, path, {"reason": "Moved", "ended-day": "31", "ended-month": "2"})
    before_his_exchange = cora.submit(
        cora.submit(form, path, {"reason": "Moved", **_day("ended", 5)}), path, {"action": "end"}
    )

    assert no_reason.status_code == 422 and 'href="#reason"' in no_reason.text
    assert tomorrow.status_code == 422 and "today or in the past" in tomorrow.text
    assert not_a_day.status_code == 422 and 'href="#ended-day"' in not_a_day.text
    assert before_his_exchange.status_code == 422 and "before their last exchange" in before_his_exchange.text
    assert 'href="#ended-day"' in before_his_exchange.text
    assert "Moved" in before_his_exchange.text  # what was typed is kept
    assert row_counts(engine) == before


def test_a_double_click_on_the_check_page_ends_the_membership_once(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    path, form = _end_form(site, cora, "carol")
    check = cora.submit(form, path, {"reason": "Moved away"})

    first = cora.submit(check, path, {"action": "end"})
    counts = row_counts(engine)
    second = cora.submit(check, path, {"action": "end"})

    assert first.status_code == second.status_code == 303
    assert row_counts(engine) == counts


def test_recording_for_a_former_member_is_refused_and_records_nothing(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    path, form = _end_form(site, cora, "bob")
    cora.submit(cora.submit(form, path, {"reason": "Moved away"}), path, {"action": "end"})
    record = f"/members/{site.member_ids['bob']}/record"
    before = row_counts(engine)

    checked = cora.submit(
        cora.get(record),
        record,
        {"role": "gave", "receiver-1": site.names["alice"], "each-hours": "1", "description": "Lifts"},
    )
    refused = cora.submit(checked, record, {"action": "record"})

    assert refused.status_code == 422 and "membership" in refused.text and "has ended" in refused.text
    # Only the refusal, kept under the form's key as its answer: a refusal for the state it met.
    assert row_counts(engine) == before | {"idempotency_keys": before["idempotency_keys"] + 1}
    # Nobody finds Bob to record with any more: the pickers leave former members out.
    alice_record = f"/members/{site.member_ids['alice']}/record"
    found = cora.submit(
        cora.get(alice_record),
        alice_record,
        {"role": "received", "giver": site.names["bob"], "each-hours": "1", "description": "Lifts"},
    )
    assert "No member&#39;s name has" in found.text


def test_bob_can_still_log_in_and_read_his_statement_after_he_left_and_his_home_says_so(
    engine: Engine,
) -> None:
    site = build_site(engine)
    site.record("bob", "alice", 45, "Gardening", by="alice", days_ago=2)
    cora = site.logged_in("coordinator")
    path, form = _end_form(site, cora, "bob")
    cora.submit(cora.submit(form, path, {"reason": "Moved away"}), path, {"action": "end"})

    bob = site.logged_in("bob")
    home = bob.get("/").text

    assert "Your membership has ended" in home and "govuk-button--start" not in home
    assert bob.get("/statement").status_code == 200
    assert "Gardening" in bob.get("/statement").text
    assert site.logged_in("alice").get("/").text.count("Your membership has ended") == 0
