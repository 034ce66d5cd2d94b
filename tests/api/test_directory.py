"""The member directory shows names and accounts to every member, and nothing personal."""

from __future__ import annotations

from tests.api.conftest import World


def test_a_member_finds_others_by_name_and_account_without_tags_roles_or_usernames(world: World) -> None:
    response = world.client.get(world.url("/directory"), headers=world.headers["member"])

    assert response.status_code == 200
    entries = response.json()["members"]
    assert {e["account_id"] for e in entries} >= {
        world.account_ids["other_member"],
        world.account_ids["staff"],
    }
    for entry in entries:
        assert set(entry) == {"member_id", "account_id", "display_name"}
    assert "uses_services" not in response.text
    assert world.usernames["member"] not in response.text


def test_the_directory_pages_with_a_cursor(world: World) -> None:
    first = world.client.get(world.url("/directory?limit=2"), headers=world.headers["member"]).json()
    second = world.client.get(
        world.url(f"/directory?limit=2&cursor={first['next_cursor']}"), headers=world.headers["member"]
    ).json()

    assert len(first["members"]) == 2
    assert first["next_cursor"] is not None
    seen = [e["member_id"] for e in first["members"] + second["members"]]
    assert len(seen) == len(set(seen)) == 4


def test_another_timebank_cannot_read_the_directory(world: World) -> None:
    response = world.client.get(world.url("/directory"), headers=world.headers["other_coordinator"])

    assert response.status_code == 404
    assert response.json()["code"] == "timebank_not_found"
