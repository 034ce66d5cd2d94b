"""Lists through the API: exchanges by status and account, members by tag, each paged by cursor."""

from __future__ import annotations

import uuid
from typing import Any

from tests.api.conftest import World


def _record(world: World, role: str, giver: str, receiver: str, minutes: int) -> dict[str, Any]:
    response = world.client.post(
        world.url("/exchanges"),
        json={
            "giver_account_id": world.account_ids[giver],
            "receivers": [{"account_id": world.account_ids[receiver], "minutes": minutes}],
            "activity_date": "2026-11-20",
            "description": "Help with the shopping",
        },
        headers={**world.headers[role], "Idempotency-Key": str(uuid.uuid4())},
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


def _all_pages(world: World, role: str, query: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = None
    while True:
        suffix = f"&cursor={cursor}" if cursor else ""
        page = world.client.get(world.url(f"/exchanges?limit=2&{query}{suffix}"), headers=world.headers[role])
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["exchanges"]) <= 2
        found.extend(body["exchanges"])
        cursor = body["next_cursor"]
        if cursor is None:
            return found


def test_exchanges_list_newest_first_by_status_and_account_across_pages(world: World) -> None:
    posted = [_record(world, "coordinator", "member", "other_member", 30 + i) for i in range(3)]
    pending = [_record(world, "member", "member", "other_member", 60 + i) for i in range(2)]
    elsewhere = _record(world, "coordinator", "other_member", "staff", 15)

    confirmed = _all_pages(world, "coordinator", f"status=confirmed&account_id={world.account_ids['member']}")
    waiting = _all_pages(world, "member", "status=pending")
    everything = _all_pages(world, "coordinator", "")

    assert [e["id"] for e in confirmed] == [e["id"] for e in reversed(posted)]
    assert [e["id"] for e in waiting] == [e["id"] for e in reversed(pending)]
    assert [e["id"] for e in everything] == sorted(
        [e["id"] for e in [*posted, *pending, elsewhere]], reverse=True
    )


def test_a_member_lists_only_their_own_exchanges(world: World) -> None:
    mine = _record(world, "coordinator", "member", "other_member", 30)
    _record(world, "coordinator", "other_member", "staff", 30)

    own = _all_pages(world, "member", "")
    someone_elses = world.client.get(
        world.url(f"/exchanges?account_id={world.account_ids['staff']}"), headers=world.headers["member"]
    )

    assert [e["id"] for e in own] == [mine["id"]]
    assert someone_elses.status_code == 403
    assert someone_elses.json()["code"] == "self_or_coordinator_required"


def test_members_list_by_tag_across_pages(world: World) -> None:
    def page(cursor: str | None) -> dict[str, Any]:
        query = "?limit=1&tag=uses_services" + (f"&cursor={cursor}" if cursor else "")
        response = world.client.get(world.url(f"/members{query}"), headers=world.headers["coordinator"])
        assert response.status_code == 200, response.text
        return dict(response.json())

    first = page(None)

    assert [m["id"] for m in first["members"]] == [world.member_ids["member"]]
    assert first["members"][0]["tags"] == ["uses_services"]
    assert first["next_cursor"] is None


def test_a_cursor_we_did_not_give_is_refused(world: World) -> None:
    response = world.client.get(
        world.url("/exchanges?cursor=not-a-cursor"), headers=world.headers["coordinator"]
    )

    assert response.status_code == 400
    assert response.json()["code"] == "cursor_invalid"


def test_the_statement_of_an_account_that_does_not_exist_is_not_found_not_empty(world: World) -> None:
    response = world.client.get(
        world.url("/accounts/999999999/statement"), headers=world.headers["coordinator"]
    )

    assert response.status_code == 404
    assert response.json()["code"] == "account_not_found"
