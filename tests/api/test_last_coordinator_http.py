"""A timebank keeps at least one coordinator, whoever asks and however the role is taken away.

The role is taken with ``PATCH …/members/{id}`` and ``roles: ["member"]``, the one operation that
changes roles. Bug fix: the last coordinator could drop their own role (200), leaving nobody to run
the timebank; now it is refused with 409 ``last_coordinator_required`` and nothing changes, and two
coordinators taking the role from each other at the same moment cannot leave none.
"""

from __future__ import annotations

import threading
import uuid

import httpx
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, World
from tests.people_calls import add_member, create_timebank
from timebank.people.access import log_in
from timebank.people.callers import Caller

STEP_DOWN = {"roles": ["member"]}
ADMIN = Caller("system:test", True, None, None, None, False, frozenset())
ROUNDS = 8


def _roles(world: World, member_id: int) -> list[str]:
    response = world.client.get(world.url(f"/members/{member_id}"), headers=world.headers["admin"])
    assert response.status_code == 200, response.text
    return list(response.json()["roles"])


def _coordinators(world: World, timebank_id: int) -> list[int]:
    response = world.client.get(world.url("/members", timebank_id), headers=world.headers["admin"])
    assert response.status_code == 200, response.text
    return [m["id"] for m in response.json()["members"] if "coordinator" in m["roles"]]


def _step_down(client: TestClient, world: World, role: str, member_id: int) -> httpx.Response:
    return client.patch(world.url(f"/members/{member_id}"), json=STEP_DOWN, headers=world.headers[role])


def test_the_last_coordinator_cannot_drop_their_own_role(world: World) -> None:
    coordinator = world.member_ids["coordinator"]

    response = _step_down(world.client, world, "coordinator", coordinator)

    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "last_coordinator_required"
    assert _roles(world, coordinator) == ["member", "coordinator"]


def test_an_admin_cannot_take_the_role_from_the_last_coordinator_either(world: World) -> None:
    coordinator = world.member_ids["coordinator"]

    response = _step_down(world.client, world, "admin", coordinator)

    assert response.status_code == 409
    assert response.json()["code"] == "last_coordinator_required"
    assert _roles(world, coordinator) == ["member", "coordinator"]


def test_a_coordinator_may_step_down_while_another_remains_and_the_remaining_one_may_not(
    world: World,
) -> None:
    first = world.member_ids["coordinator"]
    second = world.member_ids["other_member"]
    promoted = world.client.patch(
        world.url(f"/members/{second}"),
        json={"roles": ["member", "coordinator"]},
        headers=world.headers["coordinator"],
    )

    stepped_down = _step_down(world.client, world, "coordinator", first)
    last = _step_down(world.client, world, "admin", second)

    assert promoted.status_code == 200, promoted.text
    assert stepped_down.status_code == 200, stepped_down.text
    assert stepped_down.json()["roles"] == ["member"]
    assert last.status_code == 409
    assert last.json()["code"] == "last_coordinator_required"
    assert _coordinators(world, world.timebank_id) == [second]


def test_a_member_who_is_no_coordinator_is_not_refused_for_being_given_the_member_role(world: World) -> None:
    response = _step_down(world.client, world, "coordinator", world.member_ids["member"])

    assert response.status_code == 200, response.text
    assert response.json()["roles"] == ["member"]


def _pair(world: World) -> tuple[int, dict[str, tuple[int, dict[str, str]]]]:
    """A new timebank with exactly two coordinators, each logged in: (timebank, name → (id, headers))."""
    suffix = uuid.uuid4().hex[:10]
    timebank_id = create_timebank(world.engine, f"Pairside {suffix}").timebank_id
    pair = {}
    for name in ("ada", "bea"):
        username = f"{name}_{suffix}"
        view = add_member(
            world.engine,
            timebank_id,
            ADMIN,
            name.title(),
            username=username,
            password=PASSWORD,
            roles=("member", "coordinator"),
        )
        token = log_in(world.engine, username, PASSWORD).access_token
        pair[name] = (view.member_id, {"Authorization": f"Bearer {token}"})
    return timebank_id, pair


def _race(world: World) -> tuple[int, int, list[str]]:
    """Two coordinators of a new timebank take the role from each other at once.

    Returns how many requests won, how many coordinators are left, and the refusals.
    """
    timebank_id, pair = _pair(world)
    (ada, ada_headers), (bea, bea_headers) = pair["ada"], pair["bea"]
    barrier = threading.Barrier(2)
    answers: dict[str, httpx.Response] = {}

    def demote(name: str, target: int, headers: dict[str, str]) -> None:
        with TestClient(world.client.app) as client:
            barrier.wait()
            answers[name] = client.patch(
                world.url(f"/members/{target}", timebank_id), json=STEP_DOWN, headers=headers
            )

    threads = [
        threading.Thread(target=demote, args=("ada", bea, ada_headers)),
        threading.Thread(target=demote, args=("bea", ada, bea_headers)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    won = [answer for answer in answers.values() if answer.status_code == 200]
    refused = [f"{a.status_code} {a.json()['code']}" for a in answers.values() if a.status_code != 200]
    return len(won), len(_coordinators(world, timebank_id)), refused


def test_two_coordinators_taking_the_role_from_each_other_at_once_leave_one(world: World) -> None:
    """Each round, both requests wait at a barrier and go together; exactly one may win.

    The other is refused: ``last_coordinator_required`` if it met the winner's change while it
    changed roles, or ``coordinator_required`` if the winner had committed before its token was
    even read (no longer a coordinator). Without the lock on the timebank's row, both read two
    coordinators on PostgreSQL and both committed: this test saw rounds end with none.
    """
    outcomes = [_race(world) for _ in range(ROUNDS)]

    assert [(won, left) for won, left, _ in outcomes] == [(1, 1)] * ROUNDS
    refusals = {refusal for _, _, refused in outcomes for refusal in refused}
    assert refusals <= {"409 last_coordinator_required", "403 coordinator_required"}
