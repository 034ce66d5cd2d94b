"""An exchange's day: never in the future, and back-dated no further than the timebank allows.

Bug fix, found by a black-box probe: exchanges dated years ahead, or in 1901, were accepted. Now an
exchange dated after today (UTC) is refused with 422 ``activity_date_in_future``, and one dated
further back than the timebank's ``backdate_days_max`` (365 days unless a coordinator changes it
with ``PATCH /v1/timebanks/{tb}``; migration 0010) with 422 ``activity_date_too_far_back``, whoever
records it, member or coordinator. Nothing is recorded either way. (The bulk import of history is
not bound by the setting: ``tests/integration/test_statements_imports.py``.)
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from tests.api.conftest import World
from timebank.clock import utc_now

TODAY = utc_now().date()


def _record(
    world: World, role: str, activity_date: date | str, timebank_id: int | None = None
) -> httpx.Response:
    """The member helped the other member for an hour; recorded by ``role`` (the receiver pays)."""
    body = {
        "giver_account_id": world.account_ids["member"],
        "receivers": [{"account_id": world.account_ids["other_member"], "minutes": 60}],
        "activity_date": activity_date if isinstance(activity_date, str) else activity_date.isoformat(),
        "description": "Carried the shopping home",
    }
    headers = {**world.headers[role], "Idempotency-Key": str(uuid.uuid4())}
    return world.client.post(world.url("/exchanges", timebank_id), json=body, headers=headers)


def _exchanges(world: World) -> list[dict[str, Any]]:
    response = world.client.get(world.url("/exchanges"), headers=world.headers["coordinator"])
    assert response.status_code == 200, response.text
    return list(response.json()["exchanges"])


def _refused(response: httpx.Response, code: str) -> None:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == code


def _set_backdate(world: World, days: object) -> httpx.Response:
    return world.client.patch(
        world.url(""), json={"backdate_days_max": days}, headers=world.headers["coordinator"]
    )


def test_an_exchange_dated_in_the_future_is_refused_whoever_records_it(world: World) -> None:
    answers = [
        _record(world, "coordinator", TODAY + timedelta(days=1)),
        _record(world, "other_member", TODAY + timedelta(days=1)),
        _record(world, "coordinator", "2031-06-01"),
        _record(world, "other_member", "9999-12-31"),
    ]

    for response in answers:
        _refused(response, "activity_date_in_future")
    assert _exchanges(world) == []


def test_an_exchange_dated_in_1901_is_refused(world: World) -> None:
    response = _record(world, "coordinator", "1901-01-01")

    _refused(response, "activity_date_too_far_back")
    assert _exchanges(world) == []


def test_today_is_accepted(world: World) -> None:
    response = _record(world, "other_member", TODAY)

    assert response.status_code == 201, response.text
    assert response.json()["activity_date"] == TODAY.isoformat()


def test_a_new_timebank_takes_exchanges_up_to_365_days_back(world: World) -> None:
    created = world.client.post(
        "/v1/timebanks", json={"name": f"Brookside {uuid.uuid4().hex[:8]}"}, headers=world.headers["admin"]
    )
    timebank_id = created.json()["id"]
    people = {}
    for role in ("giver", "receiver"):
        added = world.client.post(
            world.url("/members", timebank_id),
            json={"display_name": role.title()},
            headers=world.headers["admin"],
        )
        assert added.status_code == 201, added.text
        people[role] = added.json()["account_id"]
    coordinator = world.client.post(
        world.url("/members", timebank_id),
        json={
            "display_name": "Coordinator",
            "username": f"brook_{uuid.uuid4().hex[:8]}",
            "password": "correct horse battery",
            "roles": ["member", "coordinator"],
        },
        headers=world.headers["admin"],
    ).json()
    token = world.client.post(
        "/v1/auth/token", data={"username": coordinator["username"], "password": "correct horse battery"}
    ).json()["access_token"]

    def record(days_back: int) -> httpx.Response:
        body = {
            "giver_account_id": people["giver"],
            "receivers": [{"account_id": people["receiver"], "minutes": 30}],
            "activity_date": (TODAY - timedelta(days=days_back)).isoformat(),
            "description": "Fixed a bike",
        }
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())}
        return world.client.post(world.url("/exchanges", timebank_id), json=body, headers=headers)

    a_year_back, a_day_more = record(365), record(366)

    assert created.status_code == 201, created.text
    assert created.json()["backdate_days_max"] == 365
    assert a_year_back.status_code == 201, a_year_back.text
    _refused(a_day_more, "activity_date_too_far_back")


def test_a_coordinator_sets_how_far_back_exchanges_may_be_dated(world: World) -> None:
    changed = _set_backdate(world, 30)
    read = world.client.get(world.url(""), headers=world.headers["member"])

    thirty_back = _record(world, "other_member", TODAY - timedelta(days=30))
    thirty_one_back = _record(world, "other_member", TODAY - timedelta(days=31))
    by_the_coordinator = _record(world, "coordinator", TODAY - timedelta(days=31))

    assert changed.status_code == 200, changed.text
    assert changed.json()["backdate_days_max"] == 30
    assert read.json()["backdate_days_max"] == 30
    assert thirty_back.status_code == 201, thirty_back.text
    _refused(thirty_one_back, "activity_date_too_far_back")
    _refused(by_the_coordinator, "activity_date_too_far_back")
    assert [x["activity_date"] for x in _exchanges(world)] == [(TODAY - timedelta(days=30)).isoformat()]


def test_today_only_is_a_setting_too(world: World) -> None:
    changed = _set_backdate(world, 0)

    yesterday = _record(world, "coordinator", TODAY - timedelta(days=1))
    today = _record(world, "coordinator", TODAY)

    assert changed.json()["backdate_days_max"] == 0
    _refused(yesterday, "activity_date_too_far_back")
    assert today.status_code == 201, today.text


def test_the_setting_is_a_whole_number_of_days_from_0_to_ten_years_and_only_a_coordinators(
    world: World,
) -> None:
    before = world.client.get(world.url(""), headers=world.headers["coordinator"]).json()["backdate_days_max"]
    refused = [_set_backdate(world, days) for days in (-1, 3661, 1.5, "30", None, True)]
    by_a_member = world.client.patch(
        world.url(""), json={"backdate_days_max": 10}, headers=world.headers["member"]
    )
    after = world.client.get(world.url(""), headers=world.headers["coordinator"]).json()["backdate_days_max"]

    assert [r.status_code for r in refused] == [422] * len(refused)
    assert by_a_member.status_code == 403
    assert by_a_member.json()["code"] == "coordinator_required"
    assert after == before
