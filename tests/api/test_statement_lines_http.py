"""A statement people can read, over HTTP: what each line was for, with whom, and why it was reversed.

The member is helped with their garden by the other member, recorded by a coordinator (so the
member's credits go to the other member); gives the
other member a quarter of an hour for a lift, and the pot ten minutes; takes part in the Riverside
Health Trust's user forum and chooses time credits; then the coordinator reverses the gardening,
which was recorded by mistake. The member's statement names each line's other side (the other
member by the name they go by now, the trust, the community pot), says what it was for (the
exchange's description and day, the gift's note, the activity's title and day) and, on the reversal,
what it reversed and why. The reason is read back from the reverse answer and from the exchange too.
A page is one query of the ledger, however many lines it holds.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event

from .conftest import World

pytestmark = pytest.mark.usefixtures("world")

FORUM = {
    "title": "Mental health user forum",
    "held_on": "2024-03-12",
    "duration_minutes": 120,
    "classification": "uses_services",
    "purpose": "Shaping the crisis line with the people who use it",
}
REASON = "Recorded by mistake: the gardening was the week before, and logged then"


def _post(w: World, role: str, path: str, body: dict[str, Any], *, keyed: bool = True) -> Any:
    headers = {**w.headers[role], **({"Idempotency-Key": str(uuid.uuid4())} if keyed else {})}
    response = w.client.post(w.url(path), json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response.json()


def _story(w: World) -> dict[str, Any]:
    member, other = w.account_ids["member"], w.account_ids["other_member"]
    gardening = _post(
        w,
        "coordinator",
        "/exchanges",
        {
            "giver_account_id": other,
            "receivers": [{"account_id": member, "minutes": 90}],
            "activity_date": "2024-05-01",
            "description": "Weeding and planting the front garden",
        },
    )
    _post(
        w,
        "member",
        "/gifts",
        {"from_account_id": member, "to_account_id": other, "minutes": 15, "note": "For the lift"},
    )
    _post(
        w, "member", "/gifts", {"from_account_id": member, "to_account_id": w.pot_account_id, "minutes": 10}
    )
    forum = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM, keyed=False)
    _post(w, "staff", f"/activities/{forum['id']}/invitations", {"account_ids": [member]}, keyed=False)
    _post(
        w,
        "staff",
        f"/activities/{forum['id']}/attendance",
        {"attendees": [{"account_id": member, "minutes": 120, "choice": "credits"}]},
    )
    reversal = _post(w, "coordinator", f"/exchanges/{gardening['id']}/reverse", {"reason": REASON})
    renamed = w.client.patch(
        w.url(f"/members/{w.member_ids['other_member']}"),
        json={"display_name": "Olu Adeyemi"},
        headers=w.headers["coordinator"],
    )
    assert renamed.status_code == 200, renamed.text
    return {"gardening": gardening, "reversal": reversal}


def _statement(w: World, role: str = "member", **query: Any) -> dict[str, Any]:
    response = w.client.get(
        w.url(f"/accounts/{w.account_ids['member']}/statement"), params=query, headers=w.headers[role]
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def _readable(line: dict[str, Any]) -> tuple[Any, ...]:
    return (
        line["kind"],
        line["minutes"],
        line["counterparty_name"],
        line["description"],
        line["activity_date"],
        line["reason"],
    )


def test_each_line_says_what_it_was_for_with_whom_and_why_it_was_reversed(world: World) -> None:
    w = world
    story = _story(w)
    gardening, reversal = story["gardening"], story["reversal"]

    lines = _statement(w)["lines"]

    garden = "Weeding and planting the front garden"
    assert [_readable(line) for line in lines] == [
        ("reversal", 90, "Olu Adeyemi", garden, "2024-05-01", REASON),
        ("recognition", 120, "Riverside Health Trust", "Mental health user forum", "2024-03-12", None),
        ("pot_donation", -10, "Community pot", None, None, None),
        ("gift", -15, "Olu Adeyemi", "For the lift", None, None),
        ("exchange", -90, "Olu Adeyemi", garden, "2024-05-01", None),
    ]
    reversed_line, _, _, _, exchange_line = lines
    assert reversed_line["reverses_transaction_id"] == gardening["transaction_id"]
    assert reversed_line["transaction_id"] == reversal["id"]
    assert reversed_line["exchange_id"] == exchange_line["exchange_id"] == gardening["id"]
    assert [line["reverses_transaction_id"] for line in lines[1:]] == [None] * 4
    assert [line["exchange_id"] for line in lines[1:4]] == [None] * 3
    # The old fields are all still there, and the running balance still runs.
    assert [line["balance_after_minutes"] for line in lines] == [95, 5, -115, -105, -90]
    assert {line["counterparty_account_id"] for line in lines} == {
        w.account_ids["other_member"],
        w.account_ids["organisation"],
        w.pot_account_id,
    }


def test_the_lines_read_the_same_a_page_at_a_time(world: World) -> None:
    w = world
    _story(w)
    whole = _statement(w)["lines"]

    pages = [_statement(w, limit=2)]
    while pages[-1]["next_cursor"] is not None:
        pages.append(_statement(w, limit=2, cursor=pages[-1]["next_cursor"]))

    assert [len(page["lines"]) for page in pages] == [2, 2, 1]
    assert [line for page in pages for line in page["lines"]] == whole


def test_the_other_side_reads_the_same_lines_from_its_own_statement(world: World) -> None:
    w = world
    _story(w)

    response = w.client.get(
        w.url(f"/accounts/{w.account_ids['organisation']}/statement"), headers=w.headers["staff"]
    )

    assert response.status_code == 200, response.text
    [recognised] = response.json()["lines"]
    assert _readable(recognised) == (
        "recognition",
        -120,
        "Member",
        "Mental health user forum",
        "2024-03-12",
        None,
    )


def test_the_reason_is_read_back_from_the_reverse_answer_and_the_exchange(world: World) -> None:
    w = world
    story = _story(w)
    gardening_id = story["gardening"]["id"]

    read = w.client.get(w.url(f"/exchanges/{gardening_id}"), headers=w.headers["member"])
    listed = w.client.get(
        w.url("/exchanges"), params={"status": "reversed"}, headers=w.headers["coordinator"]
    )

    assert story["reversal"]["reason"] == REASON
    assert story["reversal"]["kind"] == "reversal"
    assert read.status_code == 200, read.text
    assert read.json()["status"] == "reversed"
    assert read.json()["reversal_reason"] == REASON
    assert read.json()["reversal_transaction_id"] == story["reversal"]["id"]
    assert [(e["id"], e["reversal_reason"]) for e in listed.json()["exchanges"]] == [(gardening_id, REASON)]


def test_an_exchange_that_was_not_reversed_has_no_reason(world: World) -> None:
    w = world
    recorded = _post(
        w,
        "coordinator",
        "/exchanges",
        {
            "giver_account_id": w.account_ids["other_member"],
            "receivers": [{"account_id": w.account_ids["member"], "minutes": 30}],
            "activity_date": "2024-05-02",
            "description": "Reading the post aloud",
        },
    )
    gift = _post(
        w,
        "member",
        "/gifts",
        {
            "from_account_id": w.account_ids["member"],
            "to_account_id": w.account_ids["other_member"],
            "minutes": 5,
        },
    )

    read = w.client.get(w.url(f"/exchanges/{recorded['id']}"), headers=w.headers["member"])

    assert (read.json()["reversal_reason"], read.json()["reversal_transaction_id"]) == (None, None)
    assert gift["reason"] is None


@contextmanager
def _statements_run(w: World) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(w.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(w.engine, "before_cursor_execute", record)


def test_a_page_is_one_query_of_the_ledger_however_many_lines_it_holds(world: World) -> None:
    w = world
    _story(w)
    _statement(w, limit=1)  # warm: the token and the caller are read the same way each time

    with _statements_run(w) as one_line:
        assert len(_statement(w, limit=1)["lines"]) == 1
    with _statements_run(w) as five_lines:
        assert len(_statement(w, limit=50)["lines"]) == 5

    assert len(five_lines) == len(one_line)
    reading_transfers = [s for s in five_lines if "FROM transfers" in s]
    assert len(reading_transfers) == 1
