"""Ways back in, over HTTP on both databases: set-password codes, reset links, logins turned off.

Each refusal names its rule and changes nothing (the database is compared before and after); a
code works once and not late; a reset request answers 202 whoever is named; every way back in ends
the login's sessions; a login turned off has no live token and cannot log in.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.api.conftest import PASSWORD, World
from tests.api.db_snapshot import row_counts
from tests.notification_calls import verification_token
from tests.people_calls import add_member
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.people_tables import password_codes
from timebank.people.callers import Caller
from timebank.people.recovery import CODE_ALPHABET, CODE_LENGTH, normalise_code
from timebank.settings import get_settings

NEW_PASSWORD = "a new long password here"
# Usernames are unique across every timebank of a database many tests share: this module's own.
CAROL = f"carol.{uuid.uuid4().hex[:8]}"


@pytest.fixture(autouse=True)
def own_address(world: World) -> Iterator[None]:
    """This test's requests come from an address of its own: the limits counted per address
    (failed logins and code guesses, reset requests) live in a database many tests share."""
    shared = world.client
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    world.client = TestClient(shared.app, client=(address, 50000))
    yield
    shared.close()


def coordinator_of(world: World) -> Caller:
    return Caller("system:test", False, world.timebank_id, None, None, True, frozenset())


def issue(world: World, member_id: int, **body: object) -> dict[str, object]:
    answer = world.client.post(
        world.url(f"/members/{member_id}/password-code"), json=body, headers=world.headers["coordinator"]
    )
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def use(world: World, code: str, new_password: str = NEW_PASSWORD, username: str | None = None):  # type: ignore[no-untyped-def]
    body = {"code": code, "new_password": new_password} | ({"username": username} if username else {})
    return world.client.post("/v1/auth/password-code", json=body)


def log_in(world: World, username: str, password: str):  # type: ignore[no-untyped-def]
    return world.client.post("/v1/auth/token", data={"username": username, "password": password})


def outbox_bodies(world: World, role_member_id: int) -> list[str]:
    messages = run(
        world.engine,
        lambda uow: uow.notifications.messages_for(world.timebank_id, role_member_id),
        write=False,
    )
    return [message.body for message in messages]


def verified(world: World, role: str, email: str) -> None:
    me = world.headers[role]
    world.client.put(world.url(f"/members/{world.member_ids[role]}/email"), json={"email": email}, headers=me)
    token = verification_token(outbox_bodies(world, world.member_ids[role])[-1])
    assert world.client.post("/v1/email/verify", json={"token": token}).status_code == 200


def test_a_member_with_no_login_gets_one_from_a_code(world: World) -> None:
    carol = add_member(world.engine, world.timebank_id, coordinator_of(world), "Carol White")

    issued = issue(world, carol.member_id)
    used = use(world, str(issued["code"]).lower().replace("-", " "), username=CAROL)
    again = use(world, str(issued["code"]), username=CAROL + "x")

    assert issued["username"] is None and issued["sent_by_email"] is False
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", str(issued["code"]))
    assert used.status_code == 200, used.text
    assert used.json() == {"username": CAROL}
    assert log_in(world, CAROL, NEW_PASSWORD).status_code == 200
    assert (again.status_code, again.json()["code"]) == (409, "password_code_used")
    member = world.client.get(world.url(f"/members/{carol.member_id}"), headers=world.headers["coordinator"])
    assert member.json()["username"] == CAROL


def test_a_code_for_a_member_with_a_login_sets_a_new_password_and_ends_every_session(world: World) -> None:
    old_session = world.headers["member"]
    issued = issue(world, world.member_ids["member"])

    used = use(world, str(issued["code"]))

    assert issued["username"] == world.usernames["member"]
    assert used.json() == {"username": world.usernames["member"]}
    assert world.client.get("/v1/me", headers=old_session).status_code == 401
    assert log_in(world, world.usernames["member"], PASSWORD).status_code == 401
    assert log_in(world, world.usernames["member"], NEW_PASSWORD).status_code == 200


def test_refused_codes_change_nothing(world: World) -> None:
    carol = add_member(world.engine, world.timebank_id, coordinator_of(world), "Carol White")
    first = str(issue(world, carol.member_id)["code"])
    second = str(issue(world, carol.member_id)["code"])  # voids the first
    before = row_counts(world.engine)

    cases = [
        (use(world, first, username=CAROL + "r"), 409, "password_code_used"),
        (use(world, "0000-0000-0000", username=CAROL + "r"), 404, "password_code_unknown"),
        (use(world, second), 422, "username_required"),
        (use(world, second, username="Not Valid!"), 422, "username_invalid"),
        (use(world, second, username=world.usernames["member"]), 409, "username_taken"),
        (use(world, second, new_password="short", username=CAROL + "r"), 422, "password_invalid"),
    ]

    for answer, status, code in cases:
        assert (answer.status_code, answer.json()["code"]) == (status, code), answer.text
    # Only the failed guesses were counted (with failed logins, for the limit); nothing else moved.
    after = row_counts(world.engine)
    assert {k: v for k, v in after.items() if k != "login_failures"} == {
        k: v for k, v in before.items() if k != "login_failures"
    }
    assert use(world, second, username=CAROL + "r").status_code == 200


def test_a_code_used_late_is_refused(world: World) -> None:
    code = str(issue(world, world.member_ids["member"])["code"])
    with world.engine.begin() as connection:
        connection.execute(
            update(password_codes)
            .where(password_codes.c.member_id == world.member_ids["member"])
            .values(created_at=utc_now() - timedelta(days=30), expires_at=utc_now() - timedelta(days=29))
        )

    late = use(world, code)

    assert (late.status_code, late.json()["code"]) == (409, "password_code_expired")
    assert log_in(world, world.usernames["member"], PASSWORD).status_code == 200


def test_guessing_codes_is_limited_per_address(world: World) -> None:
    # Counted with failed logins from the same address: one budget of guesses, whatever is guessed.
    limit = get_settings().login_failures_per_address_max
    answers = [use(world, f"{n:04d}-0000-0000").status_code for n in range(limit + 1)]

    assert answers[:limit] == [404] * limit
    assert answers[-1] == 429
    assert use(world, "0000-0000-0000").json()["code"] == "login_attempts_exceeded"


def test_codes_are_sixty_bits_of_an_unambiguous_alphabet() -> None:
    assert len(CODE_ALPHABET) == 32 and CODE_LENGTH == 12  # 32**12 == 2**60
    assert not set("ILOU") & set(CODE_ALPHABET)
    assert normalise_code("7kq2 m9xd-4htr") == "7KQ2M9XD4HTR"
    assert normalise_code("O1L1-IOOO-0000") == "011110000000"


def test_a_code_by_email_goes_only_to_a_checked_address(world: World) -> None:
    member_id = world.member_ids["member"]
    refused = world.client.post(
        world.url(f"/members/{member_id}/password-code"),
        json={"send_by_email": True},
        headers=world.headers["coordinator"],
    )
    verified(world, "member", "member@riverside.example")

    issued = issue(world, member_id, send_by_email=True)

    assert (refused.status_code, refused.json()["code"]) == (409, "verified_email_required")
    assert issued["sent_by_email"] is True
    assert str(issued["code"]) in outbox_bodies(world, member_id)[-1]


def reset_link_token(world: World, member_id: int) -> str:
    body = outbox_bodies(world, member_id)[-1]
    match = re.search(r"/password/reset\?token=(\S+)", body)
    assert match, body
    return match.group(1)


def test_a_reset_link_by_email_works_once_and_ends_every_session(world: World) -> None:
    verified(world, "member", "member@riverside.example")
    old_session = world.headers["member"]

    asked = world.client.post(
        "/v1/auth/password-reset-request", json={"username_or_email": "member@riverside.example"}
    )
    token = reset_link_token(world, world.member_ids["member"])
    reset = world.client.post("/v1/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD})
    again = world.client.post(
        "/v1/auth/password-reset", json={"token": token, "new_password": "another one entirely"}
    )

    assert asked.status_code == 202
    assert reset.json() == {"username": world.usernames["member"]}
    assert (again.status_code, again.json()["code"]) == (409, "reset_link_used")
    assert world.client.get("/v1/me", headers=old_session).status_code == 401
    assert log_in(world, world.usernames["member"], NEW_PASSWORD).status_code == 200
    # The checked address is told, in case it was not the member who asked.
    assert "was changed with a reset link" in outbox_bodies(world, world.member_ids["member"])[-1]


def test_asking_for_a_reset_answers_the_same_whoever_is_named(world: World) -> None:
    verified(world, "member", "member@riverside.example")
    names = [
        world.usernames["member"],  # a login with a checked address: sent
        world.usernames["other_member"],  # a login without an address: nothing sent
        "nobody_at_all",
        "nobody@nowhere.example",
    ]
    answers = [
        world.client.post("/v1/auth/password-reset-request", json={"username_or_email": name})
        for name in names
    ]

    assert {(a.status_code, a.content) for a in answers} == {(202, b"")}
    assert len([b for b in outbox_bodies(world, world.member_ids["member"]) if "/password/reset" in b]) == 1
    assert outbox_bodies(world, world.member_ids["other_member"]) == []


def test_asking_for_resets_is_limited_per_address(world: World) -> None:
    answers = [
        world.client.post("/v1/auth/password-reset-request", json={"username_or_email": f"x{n}"}).status_code
        for n in range(6)
    ]
    assert answers == [202] * 5 + [429]


def test_refused_reset_links_change_nothing(world: World) -> None:
    before = row_counts(world.engine)
    unknown = world.client.post(
        "/v1/auth/password-reset", json={"token": "tbr_nothing", "new_password": NEW_PASSWORD}
    )
    short = world.client.post("/v1/auth/password-reset", json={"token": "tbr_nothing", "new_password": "x"})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "reset_link_unknown")
    assert (short.status_code, short.json()["code"]) == (422, "password_invalid")
    assert row_counts(world.engine) == before


def test_a_login_turned_off_ends_its_sessions_and_cannot_log_in_until_turned_on(world: World) -> None:
    member_id, coordinator = world.member_ids["member"], world.headers["coordinator"]
    session = world.headers["member"]
    off_url, on_url = (
        world.url(f"/members/{member_id}/login/off"),
        world.url(f"/members/{member_id}/login/on"),
    )

    off = world.client.post(off_url, json={"reason": "Asked us to while away"}, headers=coordinator)
    me = world.client.get("/v1/me", headers=session)
    refused = log_in(world, world.usernames["member"], PASSWORD)
    wrong = log_in(world, world.usernames["member"], "not the password")
    on = world.client.post(on_url, json={"reason": "Back home"}, headers=coordinator)

    assert off.json() == {
        "member_id": member_id,
        "username": world.usernames["member"],
        "login_disabled": True,
    }
    assert me.status_code == 401
    assert (refused.status_code, refused.json()["code"]) == (403, "login_disabled")
    assert wrong.json()["code"] == "credentials_invalid"  # the turned-off login says so only to its password
    assert on.json()["login_disabled"] is False
    assert log_in(world, world.usernames["member"], PASSWORD).status_code == 200
    audit = world.client.get(world.url("/audit-log"), headers=coordinator).json()
    actions = [entry["action"] for entry in audit["entries"]]
    assert {"login_turned_off", "login_turned_on"} <= set(actions)


@pytest.mark.parametrize(
    ("who", "target", "status", "code"),
    [
        ("coordinator", "coordinator", 403, "own_login_stays_on"),
        ("member", "other_member", 403, "coordinator_required"),
        ("staff", "member", 403, "coordinator_required"),
        ("other_coordinator", "member", 404, "timebank_not_found"),
    ],
)
def test_who_may_turn_a_login_off(world: World, who: str, target: str, status: int, code: str) -> None:
    before = row_counts(world.engine)
    answer = world.client.post(
        world.url(f"/members/{world.member_ids[target]}/login/off"),
        json={"reason": "Testing"},
        headers=world.headers[who],
    )
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert row_counts(world.engine) == before


def test_a_member_with_no_login_has_none_to_turn_off(world: World) -> None:
    carol = add_member(world.engine, world.timebank_id, coordinator_of(world), "Carol White")
    answer = world.client.post(
        world.url(f"/members/{carol.member_id}/login/off"),
        json={"reason": "x"},
        headers=world.headers["coordinator"],
    )
    assert (answer.status_code, answer.json()["code"]) == (409, "member_has_no_login")


def test_only_coordinators_issue_codes(world: World) -> None:
    before = row_counts(world.engine)
    for who in ("member", "staff", "organisation_key"):
        answer = world.client.post(
            world.url(f"/members/{world.member_ids['other_member']}/password-code"),
            json={},
            headers=world.headers[who],
        )
        assert answer.status_code == 403, (who, answer.text)
    far = world.client.post(
        world.url(f"/members/{world.member_ids['member']}/password-code", world.other_timebank_id),
        json={},
        headers=world.headers["coordinator"],
    )
    assert far.status_code == 404
    assert row_counts(world.engine) == before


def test_a_reset_link_followed_late_is_refused_and_changes_nothing(world: World) -> None:
    verified(world, "member", "member@riverside.example")
    world.client.post(
        "/v1/auth/password-reset-request", json={"username_or_email": world.usernames["member"]}
    )
    token = reset_link_token(world, world.member_ids["member"])
    with world.engine.begin() as connection:
        connection.execute(
            update(password_codes)
            .where(password_codes.c.member_id == world.member_ids["member"])
            .values(created_at=utc_now() - timedelta(hours=3), expires_at=utc_now() - timedelta(hours=2))
        )
    before = row_counts(world.engine)

    late = world.client.post("/v1/auth/password-reset", json={"token": token, "new_password": NEW_PASSWORD})

    assert (late.status_code, late.json()["code"]) == (409, "reset_link_expired")
    assert row_counts(world.engine) == before
    assert log_in(world, world.usernames["member"], PASSWORD).status_code == 200
