"""Erasing a member's personal data over HTTP: ``POST …/members/{member_id}/erasure``, on both databases.

A coordinator erases another member: the answer counts what changed and names them "Former member N",
the member reads so from then on, their token stops working, and the audit log records the erasure
with counts only. Each refusal is a problem document with its code and changes nothing. Who may call
it at all is the authorization matrix's (tests/api/test_authorization_matrix.py); every page, answer,
export and row after an erasure is swept in tests/web/test_erasure_sweep.py.
"""

from __future__ import annotations

import pytest

from tests.api.db_snapshot import snapshot
from tests.people_calls import add_member
from timebank.people.callers import Caller

from .conftest import World


def _erase(
    world: World, member_id: int, body: object, role: str = "coordinator", timebank_id: int | None = None
):  # type: ignore[no-untyped-def]
    return world.client.post(
        world.url(f"/members/{member_id}/erasure", timebank_id), json=body, headers=world.headers[role]
    )


def test_a_coordinator_erases_a_member_who_is_then_a_former_member(world: World) -> None:
    member_id = world.member_ids["member"]
    username = world.usernames["member"]
    assert world.client.get("/v1/me", headers=world.headers["member"]).status_code == 200

    answer = _erase(world, member_id, {"confirm": True})

    assert answer.status_code == 200, answer.text
    erased = answer.json()
    assert erased["display_name"] == f"Former member {member_id}"
    assert erased["member_id"] == member_id
    assert erased["records_deleted"] >= 1  # their tag, at least
    read = world.client.get(world.url(f"/members/{member_id}"), headers=world.headers["coordinator"]).json()
    assert (read["display_name"], read["username"], read["tags"]) == (f"Former member {member_id}", None, [])
    assert read["erased_at"] == erased["erased_at"]
    gone = world.client.get("/v1/me", headers=world.headers["member"])
    assert (gone.status_code, gone.json()["code"]) == (401, "token_invalid")
    log = world.client.get(
        world.url("/audit-log?action=member_erased"), headers=world.headers["coordinator"]
    ).json()
    (entry,) = log["entries"]
    assert entry["subject_account_id"] == world.account_ids["member"]
    assert set(entry["details"]) == {"member_id", "texts_replaced", "records_deleted"}
    assert entry["note"] is None
    assert username not in answer.text + str(log)


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("not_confirmed", 422, "erasure_not_confirmed"),
        ("not_true", 422, "request_invalid"),
        ("by_a_member", 403, "coordinator_required"),
        ("by_staff", 403, "coordinator_required"),
        ("by_the_organisations_key", 403, "coordinator_required"),
        ("own_data", 403, "own_data_erased_by_another"),
        ("erased_already", 409, "member_already_erased"),
        ("another_timebanks_member", 404, "member_not_found"),
        ("by_an_admin", 404, "timebank_not_found"),
        ("under_another_timebank", 404, "timebank_not_found"),
    ],
)
def test_each_refusal_is_a_problem_and_changes_nothing(
    world: World, case: str, status: int, code: str
) -> None:
    member_id, body, role, timebank_id = world.member_ids["member"], {"confirm": True}, "coordinator", None
    if case == "not_confirmed":
        body = {"confirm": False}
    elif case == "not_true":
        body = {"confirm": "yes"}
    elif case in ("by_a_member", "by_staff", "by_the_organisations_key"):
        role = {"by_a_member": "other_member", "by_staff": "staff"}.get(case, "organisation_key")
    elif case == "own_data":
        member_id = world.member_ids["coordinator"]
    elif case == "erased_already":
        assert _erase(world, member_id, body).status_code == 200
    elif case == "another_timebanks_member":
        member_id = world.member_ids["other_coordinator"]
    elif case == "by_an_admin":
        role = "admin"
    elif case == "under_another_timebank":
        timebank_id = world.other_timebank_id
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])

    answer = _erase(world, member_id, body, role, timebank_id)

    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before


def test_a_member_without_a_login_is_erased_too(world: World) -> None:
    coordinator = Caller("system:test", False, world.timebank_id, None, None, True, frozenset())
    carol = add_member(world.engine, world.timebank_id, coordinator, "Carol Nologin", tags=["uses_services"])

    answer = _erase(world, carol.member_id, {"confirm": True})

    assert answer.status_code == 200, answer.text
    assert answer.json()["display_name"] == f"Former member {carol.member_id}"
    listed = world.client.get(world.url("/members?tag=uses_services"), headers=world.headers["coordinator"])
    assert carol.member_id not in [m["id"] for m in listed.json()["members"]]
