"""Changing your own password: the old one stops working, other sessions end, this one goes on."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, World
from tests.people_calls import add_member
from timebank.people.access import log_in
from timebank.people.callers import Caller

NEW_PASSWORD = "a brand new password"


def _fresh_member(world: World) -> tuple[str, dict[str, str]]:
    username = f"pw_{uuid.uuid4().hex[:12]}"
    admin = Caller("system:test", True, None, None, None, False, frozenset())
    add_member(world.engine, world.timebank_id, admin, "Pat", username=username, password=PASSWORD)
    return username, {"Authorization": f"Bearer {log_in(world.engine, username, PASSWORD).access_token}"}


def _change(world: World, headers: dict[str, str], current: str, new: str = NEW_PASSWORD) -> int:
    response = world.client.post(
        "/v1/auth/password", json={"current_password": current, "new_password": new}, headers=headers
    )
    if response.status_code != 204:
        assert response.headers["content-type"] == "application/problem+json"
    return response.status_code


def _login(client: TestClient, username: str, password: str) -> int:
    return client.post("/v1/auth/token", data={"username": username, "password": password}).status_code


def test_the_new_password_works_the_old_does_not_and_other_sessions_end(world: World) -> None:
    username, headers = _fresh_member(world)
    _, other_session = (
        username,
        {"Authorization": f"Bearer {log_in(world.engine, username, PASSWORD).access_token}"},
    )
    client = TestClient(world.client.app, client=("10.9.8.7", 50000))

    assert _change(world, headers, PASSWORD) == 204
    assert world.client.get("/v1/me", headers=headers).status_code == 200
    assert world.client.get("/v1/me", headers=other_session).status_code == 401
    assert _login(client, username, PASSWORD) == 401
    assert _login(client, username, NEW_PASSWORD) == 200


def test_a_wrong_current_password_is_refused_and_changes_nothing(world: World) -> None:
    username, headers = _fresh_member(world)

    response = world.client.post(
        "/v1/auth/password",
        json={"current_password": "not my password", "new_password": NEW_PASSWORD},
        headers=headers,
    )

    assert response.status_code == 401
    assert response.json()["code"] == "credentials_invalid"
    assert world.client.get("/v1/me", headers=headers).status_code == 200
    assert log_in(world.engine, username, PASSWORD).token_type == "bearer"


def test_guessing_the_current_password_meets_the_failed_login_limit(world: World) -> None:
    _, headers = _fresh_member(world)

    answers = [_change(world, headers, f"guess number {i}") for i in range(6)]

    assert answers == [401] * 5 + [429]


def test_a_short_new_password_and_an_api_key_are_refused(world: World) -> None:
    _, headers = _fresh_member(world)

    short = world.client.post(
        "/v1/auth/password", json={"current_password": PASSWORD, "new_password": "short"}, headers=headers
    )
    key = world.client.post(
        "/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
        headers=world.headers["organisation_key"],
    )

    assert (short.status_code, short.json()["code"]) == (422, "password_invalid")
    assert (key.status_code, key.json()["code"]) == (403, "not_allowed")
