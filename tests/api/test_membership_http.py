"""Ending a membership over HTTP (issue 18): the flow, what a former member can still do, the refusals.

On both databases, through the ASGI app: a coordinator sets the timebank's ``balance_on_leaving``
and ends a membership with ``POST …/members/{id}/membership-end``; the member's record then carries
``membership_ended_on``, the directory leaves them out, and a pending exchange of theirs comes back
cancelled with ``closed_because``. The former member still logs in and reads their own account and
statement, and every write that names their account is refused with 409 ``membership_ended``. Each
refusal of an ending is met by its code, with its status, and changes nothing in either timebank.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from httpx import Response

from tests.ledger_calls import record_exchange
from timebank.clock import utc_now
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.access import log_in

from .conftest import PASSWORD, World
from .db_snapshot import snapshot


def _end(w: World, role: str, *, by: str = "coordinator", days_ago: int = 0, **body: Any) -> Response:
    payload = {"ended_on": (utc_now().date() - timedelta(days=days_ago)).isoformat(), "reason": "Moved away"}
    return w.client.post(
        w.url(f"/members/{w.member_ids[role]}/membership-end"),
        json=payload | body,
        headers=w.headers[by] | {"Idempotency-Key": str(uuid.uuid4())},
    )


def _record(w: World, giver: str, receiver: str, minutes: int, *, by: str = "coordinator") -> Response:
    return w.client.post(
        w.url("/exchanges"),
        json={
            "giver_account_id": w.account_ids[giver],
            "receivers": [{"account_id": w.account_ids[receiver], "minutes": minutes}],
            "activity_date": (utc_now().date() - timedelta(days=1)).isoformat(),
            "description": "help with the shopping",
        },
        headers=w.headers[by] | {"Idempotency-Key": str(uuid.uuid4())},
    )


def test_a_coordinator_ends_a_membership_and_the_balance_goes_to_the_pot_as_the_setting_says(
    world: World,
) -> None:
    w = world
    assert _record(w, "member", "other_member", 90).status_code == 201
    waiting = _record(w, "other_member", "member", 30, by="other_member").json()  # waits for member
    setting = w.client.patch(
        w.url(""), json={"balance_on_leaving": "to_pot"}, headers=w.headers["coordinator"]
    )
    assert setting.status_code == 200 and setting.json()["balance_on_leaving"] == "to_pot"

    ended = _end(w, "member")

    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert body["membership_ended_on"] == utc_now().date().isoformat()
    assert body["balance_on_leaving"] == "to_pot" and body["balance_minutes"] == 90
    assert body["cancelled_exchange_ids"] == [waiting["id"]]
    account = w.client.get(
        w.url(f"/accounts/{w.account_ids['member']}"), headers=w.headers["coordinator"]
    ).json()
    pot = w.client.get(w.url(f"/accounts/{w.pot_account_id}"), headers=w.headers["coordinator"]).json()
    assert (account["balance_minutes"], pot["balance_minutes"]) == (0, 90)
    record = w.client.get(
        w.url(f"/members/{w.member_ids['member']}"), headers=w.headers["coordinator"]
    ).json()
    assert record["membership_ended_on"] == utc_now().date().isoformat()
    cancelled = w.client.get(w.url(f"/exchanges/{waiting['id']}"), headers=w.headers["other_member"]).json()
    assert (cancelled["status"], cancelled["closed_because"]) == ("cancelled", "membership_ended")
    directory = w.client.get(w.url("/directory"), headers=w.headers["other_member"]).json()
    assert w.account_ids["member"] not in {m["account_id"] for m in directory["members"]}


def test_a_former_member_still_logs_in_and_reads_their_own_but_moves_no_credits(world: World) -> None:
    w = world
    assert _record(w, "member", "other_member", 45).status_code == 201
    assert _end(w, "member").status_code == 200
    token = log_in(w.engine, w.usernames["member"], PASSWORD).access_token
    own = {"Authorization": f"Bearer {token}"}
    before = snapshot(
        w.engine, [w.timebank_id, w.other_timebank_id], ignore=["access_tokens", "idempotency_keys"]
    )

    statement = w.client.get(w.url(f"/accounts/{w.account_ids['member']}/statement"), headers=own)
    refusals = [
        _record(w, "member", "other_member", 30, by="member"),
        _record(w, "other_member", "member", 30, by="coordinator"),
        w.client.post(
            w.url("/gifts"),
            json={
                "from_account_id": w.account_ids["member"],
                "to_account_id": w.pot_account_id,
                "minutes": 15,
            },
            headers=own | {"Idempotency-Key": str(uuid.uuid4())},
        ),
        w.client.post(
            w.url("/gifts"),
            json={
                "from_account_id": w.pot_account_id,
                "to_account_id": w.account_ids["member"],
                "minutes": 15,
            },
            headers=w.headers["coordinator"] | {"Idempotency-Key": str(uuid.uuid4())},
        ),
    ]

    assert statement.status_code == 200 and statement.json()["lines"]
    for refused in refusals:
        assert refused.status_code == 409, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "membership_ended"
    after = snapshot(
        w.engine, [w.timebank_id, w.other_timebank_id], ignore=["access_tokens", "idempotency_keys"]
    )
    assert after == before


def test_an_ending_replayed_under_its_key_answers_the_same_and_changes_nothing(world: World) -> None:
    w = world
    path = w.url(f"/members/{w.member_ids['other_member']}/membership-end")
    body = {"ended_on": utc_now().date().isoformat(), "reason": "Moved away"}
    headers = w.headers["coordinator"] | {"Idempotency-Key": "leaving-once"}
    first = w.client.post(path, json=body, headers=headers)
    before = snapshot(w.engine, [w.timebank_id])

    again = w.client.post(path, json=body, headers=headers)
    other = w.client.post(path, json=body | {"reason": "Another"}, headers=headers)

    assert (first.status_code, again.status_code) == (200, 200) and again.content == first.content
    assert other.status_code == 422 and other.json()["code"] == "idempotency_key_reused"
    assert snapshot(w.engine, [w.timebank_id]) == before


def _arrange_nothing(w: World) -> None:
    return None


def _member_ended(w: World) -> None:
    assert _end(w, "member").status_code == 200


def _member_owes_the_pot_more_than_it_holds(w: World) -> None:
    record_exchange(
        w.engine,
        w.timebank_id,
        Actor("coordinator", None, True),
        w.account_ids["other_member"],
        [ReceiverShare(w.account_ids["member"], 60)],
        utc_now().date() - timedelta(days=1),
        "help",
    )
    patched = w.client.patch(
        w.url(""), json={"balance_on_leaving": "to_pot"}, headers=w.headers["coordinator"]
    )
    assert patched.status_code == 200


def _member_exchanged_three_days_ago(w: World) -> None:
    record_exchange(
        w.engine,
        w.timebank_id,
        Actor("coordinator", None, True),
        w.account_ids["other_member"],
        [ReceiverShare(w.account_ids["member"], 60)],
        utc_now().date() - timedelta(days=3),
        "help",
    )


ROWS = [
    ("membership_already_ended", 409, _member_ended, {}),
    ("membership_end_date_in_future", 422, _arrange_nothing, {"days_ago": -1}),
    ("membership_end_date_too_far_back", 422, _arrange_nothing, {"days_ago": 4000}),
    ("membership_end_date_too_early", 422, _member_exchanged_three_days_ago, {"days_ago": 5}),
    ("reason_required", 422, _arrange_nothing, {"reason": "   "}),
    ("pot_cannot_cover_balance", 409, _member_owes_the_pot_more_than_it_holds, {}),
    ("coordinator_required", 403, _arrange_nothing, {"by": "other_member"}),
    ("last_coordinator_required", 409, _arrange_nothing, {"role": "coordinator"}),
]


@pytest.mark.parametrize(("code", "status", "arrange", "options"), ROWS, ids=[row[0] for row in ROWS])
def test_each_refusal_of_an_ending_names_its_rule_and_changes_nothing(
    world: World, code: str, status: int, arrange: Any, options: dict[str, Any]
) -> None:
    arrange(world)
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id], ignore=["idempotency_keys"])
    asked = dict(options)  # the row's own is shared by both backends' runs
    role = asked.pop("role", "member")

    refused = _end(world, role, **asked)

    assert refused.status_code == status, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == code
    after = snapshot(world.engine, [world.timebank_id, world.other_timebank_id], ignore=["idempotency_keys"])
    assert after == before


def test_another_timebanks_member_is_not_found_whoever_asks(world: World) -> None:
    stranger = world.client.get(
        world.url("/members", world.other_timebank_id), headers=world.headers["other_coordinator"]
    ).json()["members"][0]["id"]
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])

    refused = world.client.post(
        world.url(f"/members/{stranger}/membership-end"),
        json={"ended_on": utc_now().date().isoformat(), "reason": "Moved away"},
        headers=world.headers["coordinator"] | {"Idempotency-Key": str(uuid.uuid4())},
    )

    assert refused.status_code == 404 and refused.json()["code"] == "member_not_found"
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before
