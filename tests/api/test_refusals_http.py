"""Refusals about people and access, provoked through HTTP: one row per code in ``ACCESS_CODES``.

``tests/integration/test_refusals.py`` provokes every refusal of the ledger through the services and
leaves these codes (who may do what, logins, tokens, keys) to the API. Each row here arranges what
its refusal needs, takes a snapshot of the database (every row of both timebanks, every table's row
count), sends one request, and checks the status, the problem document and its ``code``, the headers
that go with it (``WWW-Authenticate`` on 401, ``Retry-After`` on 429 and on a key in flight), and
that the snapshot is unchanged. A meta-test checks that the table names every code in
``ACCESS_CODES``, so a new access refusal cannot go untested. The refusals of recognising
involvement (issue 4) have a table of their own, in ``tests/api/test_involvement_refusals_http.py``.

Then the lives of credentials: a logged-out token, an expired token and a revoked API key stop
working at once; a successful login clears the username's failed attempts; the per-username limit
holds from any address; the per-address limit holds for any username. Every failed login here comes
from an address of its own (``TestClient(client=(host, port))``), so the per-address limit of one
test never reaches another.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.integration.test_refusals import ACCESS_CODES
from tests.people_calls import add_member, update_member
from timebank.api.problems import PROBLEM_TYPE_BASE
from timebank.clock import utc_now
from timebank.db.repositories import IdempotencyRepository
from timebank.people.callers import Caller
from timebank.people.errors import RoleUnknown, TagInvalid
from timebank.settings import get_settings

from .conftest import PASSWORD, World
from .db_snapshot import snapshot

UNKNOWN = 10**9  # an id no test creates


def fresh_address() -> str:
    """A client address no other test uses (a TEST-NET-like private range, random per call)."""
    a, b, c = secrets.token_bytes(3)
    return f"10.{a}.{b}.{c}"


@pytest.fixture
def at_own_address(world: World) -> Iterator[Callable[[], TestClient]]:
    """Clients of the world's app, each from an address of its own."""
    made: list[TestClient] = []

    def make() -> TestClient:
        client = TestClient(world.client.app, client=(fresh_address(), 50000))
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def log_in_over_http(client: TestClient, username: str, password: str) -> Response:
    return client.post("/v1/auth/token", data={"username": username, "password": password})


def new_login(w: World) -> tuple[str, int]:
    """A member with a username never used before; returns the username and the member id."""
    username = f"dee_{uuid.uuid4().hex[:12]}"
    response = w.client.post(
        w.url("/members"),
        json={"display_name": "Dee", "username": username, "password": PASSWORD},
        headers=w.headers["coordinator"],
    )
    assert response.status_code == 201, response.text
    return username, int(response.json()["id"])


def everything(w: World, ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    return snapshot(w.engine, (w.timebank_id, w.other_timebank_id), ignore=ignore)


def assert_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = response.json()
    assert problem["code"] == code, problem
    assert problem["status"] == status
    assert problem["type"] == PROBLEM_TYPE_BASE + code
    assert problem["title"] and problem["detail"]
    return problem


def assert_bearer_challenge(response: Response) -> None:
    assert response.headers.get("WWW-Authenticate") == "Bearer"


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """``arrange`` what the refusal needs, then ``act`` must be refused with ``status`` and ``code``."""

    code: str
    status: int
    act: Callable[[World, Any], Response]
    arrange: Callable[[World, Callable[[], TestClient]], Any] = lambda w, clients: None
    headers: Callable[[Response], None] = lambda response: None
    postgres_only: str | None = None  # the reason, where SQLite cannot get into the state
    # Tables the refused request is meant to write to (a failed login is recorded, by design).
    writes: tuple[str, ...] = ()
    check: Callable[[World, Any, dict[str, Any], dict[str, Any]], None] = field(
        default=lambda w, arranged, before, after: None
    )


def _exchange(w: World) -> dict[str, Any]:
    return {
        "giver_account_id": w.account_ids["member"],
        "receivers": [{"account_id": w.account_ids["other_member"], "minutes": 60}],
        "activity_date": "2024-05-01",
        "description": "painted the fence",
    }


def _add_member(w: World, **fields: Any) -> Response:
    return w.client.post(
        w.url("/members"), json={"display_name": "Dee", **fields}, headers=w.headers["coordinator"]
    )


def _no_key(w: World, _: Any) -> Response:
    return w.client.post(w.url("/exchanges"), json=_exchange(w), headers=w.headers["coordinator"])


def _hold_key(w: World, clients: Callable[[], TestClient]) -> dict[str, Any]:
    me = w.client.get("/v1/me", headers=w.headers["coordinator"]).json()
    return {"caller": me["caller"], "key": str(uuid.uuid4())}


def _key_in_flight(w: World, held: dict[str, Any]) -> Response:
    # Another transaction holds the key, as the first of two identical requests would while it runs.
    with w.engine.connect() as connection, connection.begin():
        claimed = IdempotencyRepository(connection).try_claim(w.timebank_id, held["caller"], held["key"])
        assert claimed
        return w.client.post(
            w.url("/exchanges"),
            json=_exchange(w),
            headers={**w.headers["coordinator"], "Idempotency-Key": held["key"]},
        )


def _retry_after_seconds(response: Response) -> None:
    assert int(response.headers["Retry-After"]) >= 1


def _forged_token(w: World, _: Any) -> Response:
    gift = {"from_account_id": w.account_ids["member"], "to_account_id": w.pot_account_id, "minutes": 5}
    headers = {
        "Authorization": f"Bearer tbt_{secrets.token_urlsafe(32)}",
        "Idempotency-Key": str(uuid.uuid4()),
    }
    return w.client.post(w.url("/gifts"), json=gift, headers=headers)


def _wrong_password_arrange(w: World, clients: Callable[[], TestClient]) -> dict[str, Any]:
    return {"client": clients(), "username": w.usernames["member"]}


def _wrong_password(w: World, arranged: dict[str, Any]) -> Response:
    return log_in_over_http(arranged["client"], arranged["username"], "not the password")


def _one_failure_recorded(w: World, arranged: Any, before: dict[str, Any], after: dict[str, Any]) -> None:
    # One row per subject it counts against: the username and the client address.
    assert after["login_failures (count)"] == before["login_failures (count)"] + 2


def _locked_out_arrange(w: World, clients: Callable[[], TestClient]) -> dict[str, Any]:
    username, _ = new_login(w)
    client = clients()
    for _ in range(get_settings().login_failures_per_username_max):
        assert log_in_over_http(client, username, "not the password").status_code == 401
    return {"client": client, "username": username}


def _locked_out(w: World, arranged: dict[str, Any]) -> Response:
    # Even the right password: the limit is checked before the password is.
    return log_in_over_http(arranged["client"], arranged["username"], PASSWORD)


def _retry_after_within_the_window(response: Response) -> None:
    assert 1 <= int(response.headers["Retry-After"]) <= get_settings().login_failure_window_seconds + 1


ROWS = [
    Row("idempotency_key_required", 400, _no_key),
    Row(
        "idempotency_key_in_flight",
        409,
        _key_in_flight,
        arrange=_hold_key,
        headers=_retry_after_seconds,
        postgres_only=(
            "SQLite runs one writer at a time, so a duplicate starts only after the first request "
            "has committed, and replays: there is no request in flight to collide with "
            "(IdempotencyRepository.try_claim always succeeds there)"
        ),
    ),
    Row(
        "username_invalid",
        422,
        lambda w, _: _add_member(w, username="Dee Dee!", password=PASSWORD),
    ),
    Row("password_invalid", 422, lambda w, _: _add_member(w, username=f"dee_{uuid.uuid4().hex[:8]}")),
    Row("tag_invalid", 422, lambda w, _: _add_member(w, tags=["Not A Tag"])),
    Row("role_unknown", 422, lambda w, _: _add_member(w, roles=["admin"])),
    Row(
        "member_not_found",
        404,
        lambda w, _: w.client.patch(
            w.url(f"/members/{UNKNOWN}"), json={"display_name": "X"}, headers=w.headers["coordinator"]
        ),
    ),
    Row(
        "organisation_not_found",
        404,
        lambda w, _: w.client.post(
            w.url(f"/organisations/{UNKNOWN}/staff"),
            json={"member_id": w.member_ids["member"]},
            headers=w.headers["coordinator"],
        ),
    ),
    Row(
        "email_invalid",
        422,
        lambda w, _: w.client.patch(
            w.url(f"/organisations/{w.organisation_id}"),
            json={"contact_email": "involvement at the trust"},
            headers=w.headers["coordinator"],
        ),
    ),
    Row(
        "phone_invalid",
        422,
        lambda w, _: w.client.post(
            w.url("/organisations"),
            json={"name": "Library", "contact_phone": "ask at the desk"},
            headers=w.headers["coordinator"],
        ),
    ),
    Row(
        "api_key_not_found",
        404,
        lambda w, _: w.client.delete(
            w.url(f"/organisations/{w.organisation_id}/api-keys/{UNKNOWN}"), headers=w.headers["coordinator"]
        ),
    ),
    Row(
        "admin_required",
        403,
        lambda w, _: w.client.post(
            "/v1/timebanks", json={"name": "Meadow"}, headers=w.headers["coordinator"]
        ),
    ),
    Row(
        "self_or_coordinator_required",
        403,
        lambda w, _: w.client.get(
            w.url(f"/accounts/{w.account_ids['other_member']}"), headers=w.headers["member"]
        ),
    ),
    Row(
        "username_taken",
        409,
        lambda w, _: _add_member(w, username=w.usernames["other_member"], password=PASSWORD),
    ),
    Row(
        "last_coordinator_required",
        409,
        lambda w, _: w.client.patch(
            w.url(f"/members/{w.member_ids['coordinator']}"),
            json={"roles": ["member"]},
            headers=w.headers["coordinator"],
        ),
    ),
    Row(
        "credentials_invalid",
        401,
        _wrong_password,
        arrange=_wrong_password_arrange,
        headers=assert_bearer_challenge,
        writes=("login_failures",),
        check=_one_failure_recorded,
    ),
    Row("token_invalid", 401, _forged_token, headers=assert_bearer_challenge),
    Row(
        "login_attempts_exceeded",
        429,
        _locked_out,
        arrange=_locked_out_arrange,
        headers=_retry_after_within_the_window,
    ),
]


def _backend_cases() -> list[Any]:
    """Each row on both databases, except a row that only PostgreSQL can get into (its reason says why)."""
    cases = []
    for row in ROWS:
        for backend in ("postgresql",) if row.postgres_only else ("sqlite", "postgresql"):
            marks = [pytest.mark.postgres] if backend == "postgresql" else []
            cases.append(pytest.param(backend, row, id=f"{row.code}-{backend}", marks=marks))
    return cases


@pytest.mark.parametrize(("database_url", "row"), _backend_cases(), indirect=["database_url"])
def test_each_access_refusal_over_http(
    world: World, at_own_address: Callable[[], TestClient], row: Row
) -> None:
    arranged = row.arrange(world, at_own_address)
    before = everything(world)
    response = row.act(world, arranged)
    after = everything(world)

    assert_problem(response, row.status, row.code)
    row.headers(response)
    row.check(world, arranged, before, after)
    unchanged = [name for name in before if name.split(" ")[0] not in row.writes]
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}


def test_the_table_covers_every_access_code() -> None:
    codes = [row.code for row in ROWS]
    assert len(codes) == len(set(codes))
    assert set(codes) == ACCESS_CODES


# The refusals of recognising involvement (issue 4), one row per code, with the checks that each is
# a leaf of the error tree, not an access code, with a status of its own: in
# tests/api/test_involvement_refusals_http.py.


# --- refusals the schema makes first: the services refuse them too -------------------------------


def _coordinator(w: World) -> Caller:
    return Caller("system:test", False, w.timebank_id, None, None, True, frozenset())


def test_the_services_refuse_an_unknown_role_and_a_bad_tag_too(world: World) -> None:
    """Over HTTP the schema refuses these first (naming the same rule); the service is the last word."""
    before = everything(world)
    with pytest.raises(RoleUnknown):
        add_member(world.engine, world.timebank_id, _coordinator(world), "Dee", roles=("member", "admin"))
    with pytest.raises(RoleUnknown):
        update_member(
            world.engine, world.timebank_id, _coordinator(world), world.member_ids["member"], roles=["root"]
        )
    with pytest.raises(TagInvalid):
        add_member(world.engine, world.timebank_id, _coordinator(world), "Dee", tags=["Not A Tag"])
    with pytest.raises(TagInvalid):
        update_member(
            world.engine, world.timebank_id, _coordinator(world), world.member_ids["member"], tags=["x"] * 21
        )
    assert everything(world) == before


# --- the lives of credentials --------------------------------------------------------------------


def _me(client: TestClient, token: str) -> Response:
    return client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_a_logged_out_token_stops_working_and_only_that_token(
    world: World, at_own_address: Callable[[], TestClient]
) -> None:
    client = at_own_address()
    login = log_in_over_http(client, world.usernames["member"], PASSWORD)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    assert _me(client, token).status_code == 200

    out = client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {token}"})
    assert out.status_code == 204

    refused = _me(client, token)
    assert_problem(refused, 401, "token_invalid")
    assert_bearer_challenge(refused)
    before = everything(world)
    gift = {
        "from_account_id": world.account_ids["member"],
        "to_account_id": world.pot_account_id,
        "minutes": 5,
    }
    spend = client.post(
        world.url("/gifts"),
        json=gift,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_problem(spend, 401, "token_invalid")
    assert everything(world) == before
    assert_problem(
        client.post("/v1/auth/logout", headers={"Authorization": f"Bearer {token}"}), 401, "token_invalid"
    )
    # The member's other token (the world's) still works.
    assert world.client.get("/v1/me", headers=world.headers["member"]).status_code == 200


def test_an_expired_token_stops_working(
    world: World, at_own_address: Callable[[], TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    client = at_own_address()
    login = log_in_over_http(client, world.usernames["member"], PASSWORD)
    assert login.status_code == 200, login.text
    token = login.json()["access_token"]
    lifetime = timedelta(minutes=get_settings().token_lifetime_minutes)
    assert login.json()["expires_in"] == int(lifetime.total_seconds())
    issued = utc_now()

    def later(by: timedelta) -> None:
        # authenticate() asks timebank.people.access what time it is.
        monkeypatch.setattr("timebank.people.access.utc_now", lambda: issued + by)

    later(lifetime - timedelta(minutes=1))
    assert _me(client, token).status_code == 200
    later(lifetime + timedelta(minutes=1))
    refused = _me(client, token)
    assert_problem(refused, 401, "token_invalid")
    assert_bearer_challenge(refused)
    before = everything(world)
    spend = client.post(
        world.url("/gifts"),
        json={
            "from_account_id": world.account_ids["member"],
            "to_account_id": world.pot_account_id,
            "minutes": 5,
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": str(uuid.uuid4())},
    )
    assert_problem(spend, 401, "token_invalid")
    assert everything(world) == before


def test_a_revoked_api_key_stops_working(world: World) -> None:
    key_headers = world.headers["organisation_key"]
    assert world.client.get("/v1/me", headers=key_headers).json()["roles"] == ["organisation_api_key"]
    keys_path = world.url(f"/organisations/{world.organisation_id}/api-keys")
    keys = world.client.get(keys_path, headers=world.headers["coordinator"]).json()
    (key,) = [k for k in keys if k["label"] == "booking system"]

    revoked = world.client.delete(f"{keys_path}/{key['id']}", headers=world.headers["coordinator"])
    assert revoked.status_code == 204, revoked.text

    refused = world.client.get("/v1/me", headers=key_headers)
    assert_problem(refused, 401, "token_invalid")
    assert_bearer_challenge(refused)
    before = everything(world)
    gift = {
        "from_account_id": world.account_ids["organisation"],
        "to_account_id": world.account_ids["member"],
        "minutes": 30,
    }
    spend = world.client.post(
        world.url("/gifts"), json=gift, headers={**key_headers, "Idempotency-Key": str(uuid.uuid4())}
    )
    assert_problem(spend, 401, "token_invalid")
    assert everything(world) == before
    listed = world.client.get(keys_path, headers=world.headers["coordinator"]).json()
    assert datetime.fromisoformat(next(k for k in listed if k["id"] == key["id"])["revoked_at"])


def test_a_successful_login_clears_the_usernames_failed_attempts(
    world: World, at_own_address: Callable[[], TestClient]
) -> None:
    username, _ = new_login(world)
    client = at_own_address()
    almost = get_settings().login_failures_per_username_max - 1
    for _ in range(2):
        for _ in range(almost):
            assert_problem(log_in_over_http(client, username, "not the password"), 401, "credentials_invalid")
        # Without the reset, the second round would have passed the limit by now.
        assert log_in_over_http(client, username, PASSWORD).status_code == 200


def test_the_username_limit_holds_from_any_address(
    world: World, at_own_address: Callable[[], TestClient]
) -> None:
    username, _ = new_login(world)
    guesser = at_own_address()
    for _ in range(get_settings().login_failures_per_username_max):
        assert_problem(log_in_over_http(guesser, username, "not the password"), 401, "credentials_invalid")
    refused = log_in_over_http(at_own_address(), username, PASSWORD)
    assert_problem(refused, 429, "login_attempts_exceeded")
    _retry_after_within_the_window(refused)
    # Other people log in as before.
    assert log_in_over_http(at_own_address(), world.usernames["member"], PASSWORD).status_code == 200


def test_the_address_limit_holds_for_any_username(
    world: World, at_own_address: Callable[[], TestClient]
) -> None:
    guesser = at_own_address()
    for _ in range(get_settings().login_failures_per_address_max):
        # A new name each time, so the per-username limit is never the one reached.
        wrong = log_in_over_http(guesser, f"nobody_{uuid.uuid4().hex[:12]}", "not the password")
        assert_problem(wrong, 401, "credentials_invalid")
    refused = log_in_over_http(guesser, world.usernames["member"], PASSWORD)
    assert_problem(refused, 429, "login_attempts_exceeded")
    _retry_after_within_the_window(refused)
    # The same person from another address is let in.
    assert log_in_over_http(at_own_address(), world.usernames["member"], PASSWORD).status_code == 200
