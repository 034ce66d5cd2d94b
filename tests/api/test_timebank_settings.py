"""A coordinator changes a timebank's settings after it is made; new rules apply from then on."""

from __future__ import annotations

import uuid

import pytest

from tests.api.conftest import World
from tests.people_calls import change_settings
from timebank.errors import InvalidRequest
from timebank.people.callers import Caller


def _patch(world: World, body: dict[str, object], role: str = "coordinator") -> dict[str, object]:
    response = world.client.patch(world.url(""), json=body, headers=world.headers[role])
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_a_lower_limit_per_transfer_applies_to_the_next_exchange(world: World) -> None:
    settings = _patch(world, {"minutes_per_transfer_max": 120})

    response = world.client.post(
        world.url("/exchanges"),
        json={
            "giver_account_id": world.account_ids["member"],
            "receivers": [{"account_id": world.account_ids["other_member"], "minutes": 180}],
            "activity_date": "2026-11-20",
            "description": "A long afternoon of gardening",
        },
        headers={**world.headers["coordinator"], "Idempotency-Key": str(uuid.uuid4())},
    )

    assert settings["minutes_per_transfer_max"] == 120
    assert response.status_code == 422
    assert response.json()["code"] == "minutes_above_transfer_limit"
    assert response.json()["detail"] == (
        "The timebank allows at most 2 hours in one exchange or gift, not 3 hours"
    )


def test_new_default_limits_apply_to_members_added_afterwards_and_only_what_is_sent_changes(
    world: World,
) -> None:
    before = world.client.get(world.url(""), headers=world.headers["coordinator"]).json()

    after = _patch(world, {"default_member_floor_minutes": -120, "default_member_cap_minutes": 600})
    added = world.client.post(
        world.url("/members"), json={"display_name": "Newcomer"}, headers=world.headers["coordinator"]
    ).json()
    account = world.client.get(
        world.url(f"/accounts/{added['account_id']}"), headers=world.headers["coordinator"]
    )
    existing = world.client.get(
        world.url(f"/accounts/{world.account_ids['member']}"), headers=world.headers["coordinator"]
    )

    assert (account.json()["floor_minutes"], account.json()["cap_minutes"]) == (-120, 600)
    assert existing.json()["floor_minutes"] == before["default_member_floor_minutes"]
    unchanged = {k: v for k, v in after.items() if not k.startswith("default_member_")}
    assert unchanged == {k: v for k, v in before.items() if not k.startswith("default_member_")}


def test_an_empty_update_changes_nothing(world: World) -> None:
    before = world.client.get(world.url(""), headers=world.headers["coordinator"]).json()

    assert _patch(world, {}) == before


def test_the_cap_is_removed_with_null(world: World) -> None:
    _patch(world, {"default_member_cap_minutes": 600})

    after = _patch(world, {"default_member_cap_minutes": None})

    assert after["default_member_cap_minutes"] is None
    assert after["pending_expiry_days"] == 14


def test_bad_settings_are_refused_and_nothing_changes(world: World) -> None:
    before = world.client.get(world.url(""), headers=world.headers["coordinator"]).json()

    refusals = [
        world.client.patch(world.url(""), json=body, headers=world.headers["coordinator"])
        for body in (
            {"default_member_floor_minutes": 60},
            {"minutes_per_transfer_max": 0},
            {"pending_expiry_days": 0},
            {"pot_account_id": 1},
            {"name": "Riverside\u202e"},
            {"name": "x" * 201},
            {"pending_expiry_days": None},
        )
    ]

    assert [r.status_code for r in refusals] == [422] * 7
    assert [r.json()["code"] for r in refusals[:4]] == [
        "floor_must_not_be_positive",
        "minutes_must_be_positive",
        "request_invalid",
        "unknown_field",
    ]
    assert world.client.get(world.url(""), headers=world.headers["coordinator"]).json() == before


def test_the_service_refuses_an_expiry_outside_its_range_that_the_schema_would_stop(world: World) -> None:
    coordinator = Caller("system:test", False, world.timebank_id, None, None, True, frozenset())
    for days in (0, 367):
        with pytest.raises(InvalidRequest):
            change_settings(world.engine, world.timebank_id, coordinator, {"pending_expiry_days": days})
    assert (
        world.client.get(world.url(""), headers=world.headers["coordinator"]).json()["pending_expiry_days"]
        == 14
    )
