"""Giving credits through the pages, on SQLite and PostgreSQL: to the pot or to a member, checked first.

Alice gives through the question page and the check-your-answers page; the ledger is read back
through the use cases (the accounts' balances and Alice's statement). Every refusal (not enough
credits, nothing to give, 60 minutes or more in the minutes box, nobody by that name, herself) is
shown beside its field with what she typed kept, and nothing is recorded; a double click gives once.
"""

from __future__ import annotations

import re

from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.people_calls import add_member, get_account, statement
from tests.web.site import Site, Visitor, build_site
from timebank.accounts.accounts import change_limits
from timebank.accounts.requests import ChangeLimits
from timebank.benefits.wording import find_forbidden_words
from timebank.people.callers import Caller


def ledger_rows(engine: Engine) -> dict[str, int]:
    """Every table's rows but the idempotency keys: a refusal for the state met (below the floor) is
    kept under its key, so that a late retry gets the same answer (``timebank.exchanges.idempotency``)."""
    return {name: rows for name, rows in row_counts(engine).items() if name != "idempotency_keys"}


def balance(site: Site, account_id: int) -> int:
    return get_account(site.engine, site.timebank_id, account_id).balance_minutes


def main_text(html: str) -> str:
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def check(visitor: Visitor, typed: dict[str, str]) -> Response:
    return visitor.submit(visitor.get("/give"), "/give", typed)


def give(visitor: Visitor, typed: dict[str, str]) -> Response:
    checked = check(visitor, typed)
    assert checked.status_code == 200, checked.text
    assert "Check your answers</h1>" in checked.text
    return visitor.submit(checked, "/give", {"action": "give"})


def assert_refused(answer: Response, field_id: str) -> None:
    assert answer.status_code == 422, answer.text
    assert "There is a problem" in answer.text
    assert f'href="#{field_id}"' in answer.text
    assert f'id="{field_id}-error"' in answer.text


def test_the_give_page_asks_who_how_much_and_a_note(engine: Engine) -> None:
    page = build_site(engine).logged_in("alice").get("/give")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1 and ">Give credits</h1>" in page.text
    text = main_text(page.text)
    for words in (
        "Who do you want to give credits to?",
        "The community pot",
        "Another member",
        "Hours",
        "Minutes",
    ):
        assert words in text
    assert 'id="to"' in page.text and 'id="other_name"' in page.text and 'id="note"' in page.text
    assert not find_forbidden_words(text)


def test_giving_to_the_pot_moves_the_credits_to_the_pot(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    done = give(alice, {"to": "pot", "hours": "1", "minutes": "30", "note": "For the winter lunches"})
    assert done.status_code == 303
    result = alice.get(done.headers["location"])
    assert result.status_code == 200
    text = main_text(result.text)
    assert "You gave 1 hour 30 minutes of credits to Community pot" in text
    assert "Your balance is now minus 1 hour 30 minutes" in text
    assert not find_forbidden_words(text)
    assert balance(site, site.pot_account_id) == 90
    assert balance(site, site.account_ids["alice"]) == -90
    (line,) = statement(engine, site.timebank_id, site.account_ids["alice"]).lines
    assert (
        line.kind == "pot_donation" and line.minutes == -90 and line.description == "For the winter lunches"
    )


def test_giving_to_a_member_found_by_part_of_their_name(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    checked = check(alice, {"to": "member", "other_name": "bob stone", "hours": "2", "minutes": ""})
    assert checked.status_code == 200
    assert site.names["bob"] in main_text(checked.text) and "2 hours" in main_text(checked.text)
    done = alice.submit(checked, "/give", {"action": "give"})
    assert done.status_code == 303
    assert f"You gave 2 hours of credits to {site.names['bob']}" in main_text(
        alice.get(done.headers["location"]).text
    )
    assert balance(site, site.account_ids["bob"]) == 120
    assert balance(site, site.account_ids["alice"]) == -120
    (line,) = statement(engine, site.timebank_id, site.account_ids["bob"]).lines
    assert (
        line.kind == "gift"
        and line.minutes == 120
        and line.counterparty_account_id == site.account_ids["alice"]
    )


def test_several_matching_names_are_offered_to_choose_from(engine: Engine) -> None:
    site = build_site(engine)
    namesake = add_member(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.names["bob"] + " Junior"
    )
    alice = site.logged_in("alice")
    page = check(alice, {"to": "member", "other_name": "Bob", "hours": "1"})
    assert page.status_code == 200 and 'id="other_account_id"' in page.text
    checked = alice.submit(page, "/give", {"other_account_id": str(namesake.account_id)})
    done = alice.submit(checked, "/give", {"action": "give"})
    assert done.status_code == 303
    assert balance(site, namesake.account_id) == 60 and balance(site, site.account_ids["bob"]) == 0


def test_a_double_submit_gives_once(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    checked = check(alice, {"to": "pot", "hours": "1"})
    first = alice.submit(checked, "/give", {"action": "give"})
    second = alice.submit(checked, "/give", {"action": "give"})
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert balance(site, site.pot_account_id) == 60
    assert len(statement(engine, site.timebank_id, site.account_ids["alice"]).lines) == 1


def test_each_refusal_is_shown_beside_its_field_with_what_was_typed_kept_and_nothing_recorded(
    engine: Engine,
) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    cases = [
        ({"hours": "1"}, "to"),
        ({"to": "pot", "hours": "0", "minutes": "0"}, "hours"),
        ({"to": "pot", "hours": "1", "minutes": "60"}, "minutes"),
        ({"to": "pot", "hours": "one"}, "hours"),
        ({"to": "member", "other_name": "", "hours": "1"}, "other_name"),
        ({"to": "member", "other_name": "Nobody Here", "hours": "1"}, "other_name"),
        ({"to": "member", "other_name": site.names["alice"], "hours": "1"}, "other_name"),
        ({"to": "member", "other_name": site.names["olive"], "hours": "1"}, "other_name"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = check(alice, typed)
        assert_refused(answer, field_id)
        for value in typed.values():
            if value and value not in ("pot", "member"):
                assert f'value="{value}"' in answer.text or f">{value}<" in answer.text, (typed, value)
    assert row_counts(engine) == before
    yourself = check(alice, {"to": "member", "other_name": site.names["alice"], "hours": "1"})
    assert "You cannot give credits to yourself" in yourself.text


def test_giving_below_the_floor_is_refused_on_the_check_page_with_nothing_recorded(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = Caller.coordinator_of(site.timebank_id)
    change_limits(
        engine, site.timebank_id, coordinator, site.account_ids["alice"], ChangeLimits(floor_minutes=-60)
    )
    alice = site.logged_in("alice")
    checked = check(alice, {"to": "pot", "hours": "2", "note": "A gift"})
    before = ledger_rows(engine)
    refused = alice.submit(checked, "/give", {"action": "give"})
    assert_refused(refused, "hours")
    assert 'value="2"' in refused.text and "A gift" in refused.text
    assert ledger_rows(engine) == before
    assert balance(site, site.account_ids["alice"]) == 0
    assert (
        alice.form(refused, "/give").fields["idempotency_key"]
        != alice.form(checked, "/give").fields["idempotency_key"]
    )


def test_another_members_gift_result_is_not_found(engine: Engine) -> None:
    site = build_site(engine)
    done = give(site.logged_in("alice"), {"to": "pot", "hours": "1"})
    assert site.logged_in("bob").get(done.headers["location"]).status_code == 404
    assert site.logged_in("olive").get(done.headers["location"]).status_code == 404
    assert site.logged_in("alice").get("/give/done/999999999").status_code == 404


def test_a_post_without_the_csrf_token_is_refused_with_nothing_recorded(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    checked = check(alice, {"to": "pot", "hours": "1"})
    fields = dict(alice.form(checked, "/give").fields, action="give")
    del fields["csrf_token"]
    before = row_counts(engine)
    refused = alice.client.post("/give", data=fields, follow_redirects=False)
    assert refused.status_code == 403
    assert row_counts(engine) == before


def test_a_visitor_with_no_session_is_sent_to_log_in(engine: Engine) -> None:
    site = build_site(engine)
    visitor = site.visitor()
    for path in ("/give", "/give/done/1"):
        answer = visitor.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
    before = row_counts(engine)
    answer = visitor.client.post(
        "/give", data={"to": "pot", "hours": "1", "action": "give"}, follow_redirects=False
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert row_counts(engine) == before
