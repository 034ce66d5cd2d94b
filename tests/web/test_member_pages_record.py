"""Recording an exchange for a member through the coordinators' pages, on SQLite and PostgreSQL.

Carol has no login. A coordinator records for her a group session she ran (Alice and Bob each got
an hour: one exchange, two receivers, two hours of credits to Carol), and help she received. People
are found by part of their names; several matches are offered to choose from. The check page
repeats it in words, and the result page says it was posted. Every refusal is shown beside its box
with what was typed kept, and nothing is recorded; a double click records once.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.people_calls import add_member, get_account
from tests.web.site import Site, Visitor, build_site
from tests.web.test_give_pages import ledger_rows, main_text
from timebank.clock import utc_now
from timebank.exchanges.listing import list_exchanges
from timebank.people.callers import Caller
from timebank.web.routes.members_record import RECEIVER_BOXES_MAX


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def text_of(answer: Response) -> str:
    return html.unescape(main_text(answer.text))


def path_for(site: Site, who: str) -> str:
    return f"/members/{site.member_ids[who]}/record"


def check(visitor: Visitor, site: Site, who: str, typed: dict[str, str]) -> Response:
    path = path_for(site, who)
    return visitor.submit(visitor.get(path), path, typed)


def record(visitor: Visitor, site: Site, who: str, typed: dict[str, str]) -> Response:
    checked = check(visitor, site, who, typed)
    assert checked.status_code == 200, checked.text
    assert "Check your answers</h1>" in checked.text
    return visitor.submit(checked, path_for(site, who), {"action": "record"})


def assert_refused(answer: Response, field_id: str | None) -> None:
    assert answer.status_code == 422, answer.text
    assert "There is a problem" in answer.text
    if field_id is not None:
        assert f'href="#{field_id}"' in answer.text
        # The date's three boxes share one message, the date input's own.
        message_id = "date" if field_id == "date-day" else field_id
        assert f'id="{message_id}-error"' in answer.text


def exchanges(site: Site) -> list[tuple[str, int, tuple[tuple[int, int], ...], str]]:
    page = list_exchanges(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id))
    return [
        (
            e.description,
            e.giver_account_id,
            tuple((r.account_id, r.minutes) for r in e.receivers),
            e.status.value,
        )
        for e in page.exchanges
    ]


def balance(site: Site, who: str) -> int:
    return get_account(site.engine, site.timebank_id, site.account_ids[who]).balance_minutes


GROUP = {
    "role": "gave",
    "receiver-1": "alice",
    "receiver-2": "STONE",
    "each-hours": "1",
    "description": "Knitting group",
}


def test_the_record_page_asks_what_they_did_who_how_long_when_and_what(site: Site) -> None:
    page = site.logged_in("coordinator").get(path_for(site, "carol"))
    assert page.status_code == 200 and page.text.count("<h1") == 1
    text = text_of(page)
    name = site.names["carol"]
    for words in (
        f"What did {name} do?",
        f"{name} gave help",
        f"{name} received help",
        "Person 1",
        "Person 3",
        "How long did each person get?",
        "When was it?",
        "What was it?",
    ):
        assert words in text, words
    assert 'id="receiver-4"' not in page.text


def test_a_group_session_a_member_ran_is_one_exchange_with_several_receivers(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    checked = check(visitor, site, "carol", GROUP)
    text = text_of(checked)
    assert f"Who gave help {site.names['carol']}" in text
    assert f"Who received it {site.names['alice']}, {site.names['bob']}" in text
    assert "How long each person got 1 hour" in text
    assert "recorded straight away" in text and "That is 2 hours in all." in text
    done = visitor.submit(checked, path_for(site, "carol"), {"action": "record"})
    assert done.status_code == 303
    result = visitor.get(done.headers["location"])
    assert result.status_code == 200 and "Exchange recorded" in result.text
    assert "It was posted straight away. 2 hours of credits went to" in text_of(result)
    assert exchanges(site) == [
        (
            "Knitting group",
            site.account_ids["carol"],
            ((site.account_ids["alice"], 60), (site.account_ids["bob"], 60)),
            "confirmed",
        )
    ]
    assert (balance(site, "carol"), balance(site, "alice"), balance(site, "bob")) == (120, -60, -60)


def test_help_a_member_received_is_recorded_for_them(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    done = record(
        visitor,
        site,
        "carol",
        {
            "role": "received",
            "giver": "bob",
            "each-hours": "0",
            "each-minutes": "45",
            "description": "Shopping",
        },
    )
    assert done.status_code == 303
    assert exchanges(site) == [
        ("Shopping", site.account_ids["bob"], ((site.account_ids["carol"], 45),), "confirmed")
    ]
    assert (balance(site, "carol"), balance(site, "bob")) == (-45, 45)


def test_a_double_click_records_once(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    checked = check(visitor, site, "carol", GROUP)
    first = visitor.submit(checked, path_for(site, "carol"), {"action": "record"})
    second = visitor.submit(checked, path_for(site, "carol"), {"action": "record"})
    assert first.headers["location"] == second.headers["location"]
    assert len(exchanges(site)) == 1 and balance(site, "carol") == 120


def test_another_person_box_is_added_without_javascript(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    page = check(visitor, site, "carol", {**GROUP, "action": "add", "receiver-3": "cora"})
    assert (
        page.status_code == 200 and 'id="receiver-4"' in page.text and "There is a problem" not in page.text
    )
    assert 'value="cora"' in page.text
    done = visitor.submit(page, path_for(site, "carol"), {"receiver-4": "Priya", "action": "check"})
    assert done.status_code == 200 and "Check your answers</h1>" in done.text
    visitor.submit(done, path_for(site, "carol"), {"action": "record"})
    ((_, _, receivers, _),) = exchanges(site)
    assert len(receivers) == 4 and balance(site, "carol") == 240
    many = {**GROUP, "rows": str(RECEIVER_BOXES_MAX), "action": "add"}
    full = check(visitor, site, "carol", many)
    assert f'id="receiver-{RECEIVER_BOXES_MAX}"' in full.text and "Add another person" not in full.text


def test_several_matching_names_are_offered_to_choose_from(site: Site) -> None:
    system = Caller.coordinator_of(site.timebank_id)
    namesake = add_member(site.engine, site.timebank_id, system, "Sam Ash")
    add_member(site.engine, site.timebank_id, system, "Sam Birch")
    visitor = site.logged_in("coordinator")
    choose = check(visitor, site, "carol", {**GROUP, "receiver-2": "sam"})
    assert choose.status_code == 200 and "Which one do you mean?" in choose.text
    assert 'name="receiver-2-choice"' in choose.text
    unchosen = visitor.submit(choose, path_for(site, "carol"), {})
    assert unchosen.status_code == 200 and "Which one do you mean?" in unchosen.text
    checked = visitor.submit(choose, path_for(site, "carol"), {"receiver-2-choice": str(namesake.account_id)})
    assert "Check your answers</h1>" in checked.text and "Sam Ash" in text_of(checked)
    visitor.submit(checked, path_for(site, "carol"), {"action": "record"})
    ((_, _, receivers, _),) = exchanges(site)
    assert receivers == ((site.account_ids["alice"], 60), (namesake.account_id, 60))


def _future() -> dict[str, str]:
    tomorrow = utc_now().date() + timedelta(days=1)
    return {"date-day": str(tomorrow.day), "date-month": str(tomorrow.month), "date-year": str(tomorrow.year)}


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"role": ""}, "role"),
        ({"receiver-1": "", "receiver-2": ""}, "receiver-1"),
        ({"giver": "bob"}, "giver"),
        ({"role": "received", "giver": "bob"}, "receiver-1"),
        ({"role": "received", "receiver-1": "", "receiver-2": ""}, "giver"),
        ({"receiver-2": "alice green"}, "receiver-2"),
        ({"receiver-2": "carol"}, "receiver-2"),
        ({"receiver-2": "nobody like this"}, "receiver-2"),
        ({"each-hours": ""}, "each-hours"),
        ({"each-hours": "0", "each-minutes": "0"}, "each-hours"),
        ({"each-minutes": "60"}, "each-minutes"),
        ({"each-hours": "one"}, "each-hours"),
        (_future(), "date-day"),
        ({"date-month": "13"}, "date-day"),
        ({"description": "  "}, "description"),
        ({"description": "x" * 3000}, "description"),
    ],
)
def test_refusals_are_shown_beside_the_box_and_record_nothing(
    site: Site, typed: dict[str, str], field_id: str
) -> None:
    visitor = site.logged_in("coordinator")
    form = visitor.get(path_for(site, "carol"))
    before = ledger_rows(site.engine)
    answer = visitor.submit(form, path_for(site, "carol"), {**GROUP, **typed})
    assert_refused(answer, field_id)
    assert ledger_rows(site.engine) == before
    for name, value in {**GROUP, **typed}.items():
        if value.strip() and len(value) < 100 and not name.startswith("date"):
            assert f'value="{html.escape(value)}"' in answer.text or f">{value}</textarea>" in answer.text, (
                name
            )


@pytest.mark.parametrize(
    ("each_hours", "field_id", "words"),
    [("11", None, "below their lowest limit"), ("25", "each-hours", "")],
)
def test_a_refusal_when_recording_records_nothing(
    site: Site, each_hours: str, field_id: str | None, words: str
) -> None:
    visitor = site.logged_in("coordinator")
    checked = check(visitor, site, "carol", {**GROUP, "each-hours": each_hours})
    assert checked.status_code == 200
    before = ledger_rows(site.engine)
    answer = visitor.submit(checked, path_for(site, "carol"), {"action": "record"})
    assert_refused(answer, field_id)
    assert words in text_of(answer)
    assert ledger_rows(site.engine) == before


def test_the_result_page_is_only_for_an_exchange_the_member_took_part_in(site: Site) -> None:
    exchange = site.record("bob", "alice", 30, "Dog walking", by="alice")
    visitor = site.logged_in("coordinator")
    assert (
        visitor.get(f"/members/{site.member_ids['alice']}/recorded/{exchange.exchange_id}").status_code == 200
    )
    assert (
        visitor.get(f"/members/{site.member_ids['carol']}/recorded/{exchange.exchange_id}").status_code == 404
    )
    assert visitor.get(f"/members/{site.member_ids['carol']}/recorded/99999999999").status_code == 404
    assert (
        site.logged_in("alice")
        .get(f"/members/{site.member_ids['alice']}/recorded/{exchange.exchange_id}")
        .status_code
        == 403
    )
