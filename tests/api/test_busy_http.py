"""Logins and slow work hold under a flood, over HTTP (the ASGI app).

First the failed-login limit against guesses sent all at once, on one event loop as a server gets
them: 40 wrong passwords for one username get five password checks between them, and the right
password after them, within the window, gets 429 unchecked. Then the bounds on slow work
(``timebank.busy``): when every slot for a kind of work is taken, a login, a password
change, a chart and a PDF are each answered 503 ``server_busy`` with ``Retry-After`` as a problem
document, having recorded nothing; and once a slot is free the same request succeeds.
"""

from __future__ import annotations

import asyncio
import secrets
import time
import uuid
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.busy_slots import every_slot_taken
from tests.integration.test_refusals import BUSY_CODES
from timebank.api.problems import PROBLEM_TYPE_BASE
from timebank.busy import chart_rendering, password_hashing, pdf_rendering
from timebank.people import access
from timebank.settings import get_settings

from .conftest import PASSWORD, World
from .db_snapshot import row_counts

ATTEMPTS = 40


def fresh_address() -> str:
    a, b, c = secrets.token_bytes(3)
    return f"10.{a}.{b}.{c}"


@pytest.fixture
def verifications(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every password the verifier is asked to check, in order."""
    checked: list[str] = []
    real = access.verify_password

    def verify(password_hash: str | None, password: str) -> bool:
        checked.append(password)  # list.append is atomic under the GIL
        return real(password_hash, password)

    monkeypatch.setattr(access, "verify_password", verify)
    yield checked


@pytest.fixture
def short_waits(monkeypatch: pytest.MonkeyPatch) -> None:
    # The behaviour does not depend on how long a request waits for a slot; the tests' time does.
    monkeypatch.setattr(get_settings(), "busy_wait_milliseconds_max", 50)


def assert_busy(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert int(response.headers["Retry-After"]) >= 1
    problem = response.json()
    assert problem["code"] == "server_busy"
    assert problem["type"] == PROBLEM_TYPE_BASE + "server_busy"
    assert problem["status"] == 503
    assert "busy" in problem["detail"] and "Nothing was done" in problem["detail"]


def new_username(world: World) -> str:
    username = f"flood_{uuid.uuid4().hex[:12]}"
    response = world.client.post(
        world.url("/members"),
        json={"display_name": "Flo", "username": username, "password": PASSWORD},
        headers=world.headers["coordinator"],
    )
    assert response.status_code == 201, response.text
    return username


# --- the failed-login limit, with the guesses sent at once -------------------------------------


async def _log_in_at_once(world: World, username: str, passwords: list[str]) -> list[httpx.Response]:
    """One login per password, all sent at once to the app, each from an address of its own."""

    async def one(password: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=world.client.app, client=(fresh_address(), 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.post("/v1/auth/token", data={"username": username, "password": password})

    return list(await asyncio.gather(*(one(password) for password in passwords)))


def test_forty_wrong_logins_at_once_get_five_checks_and_the_right_password_then_gets_429(
    world: World, verifications: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A slot for every login, so that only the failed-login limit stands between a guess and a check.
    monkeypatch.setattr(get_settings(), "password_hash_concurrency_max", ATTEMPTS)
    username = new_username(world)
    limit = get_settings().login_failures_per_username_max

    answers = asyncio.run(_log_in_at_once(world, username, [f"guess {i}" for i in range(ATTEMPTS)]))

    assert len(verifications) == limit
    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {401: limit, 429: ATTEMPTS - limit}
    codes = Counter(answer.json()["code"] for answer in answers)
    assert codes == {"credentials_invalid": limit, "login_attempts_exceeded": ATTEMPTS - limit}
    right = asyncio.run(_log_in_at_once(world, username, [PASSWORD]))[0]
    assert right.status_code == 429, right.text
    assert right.json()["code"] == "login_attempts_exceeded"
    assert int(right.headers["Retry-After"]) >= 1
    assert len(verifications) == limit


def test_a_flood_of_logins_at_the_default_bounds_checks_no_more_passwords_than_the_limit(
    world: World, verifications: list[str]
) -> None:
    """With the deployed number of slots, some of the flood is told the server is busy instead."""
    username = new_username(world)
    limit = get_settings().login_failures_per_username_max

    answers = asyncio.run(_log_in_at_once(world, username, [f"guess {i}" for i in range(ATTEMPTS)]))

    assert len(verifications) <= limit
    statuses = Counter(answer.status_code for answer in answers)
    assert set(statuses) <= {401, 429, 503}
    assert statuses[401] == len(verifications)
    assert password_hashing().in_use == 0


def test_one_password_slot_is_enough_for_a_login_and_a_password_change(
    world: World, monkeypatch: pytest.MonkeyPatch, short_waits: None
) -> None:
    """The slot the route waits for is the one its password check uses: a request never takes two."""
    monkeypatch.setattr(get_settings(), "password_hash_concurrency_max", 1)
    username = new_username(world)
    client = TestClient(world.client.app, client=(fresh_address(), 50000))

    logged_in = client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
    token = logged_in.json()["access_token"]
    changed = client.post(
        "/v1/auth/password",
        json={"current_password": PASSWORD, "new_password": "a brand new password"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert logged_in.status_code == 200, logged_in.text
    assert changed.status_code == 204, changed.text
    assert password_hashing().size == 1
    assert password_hashing().in_use == 0


# --- every slot taken: 503, nothing recorded, and fine again once a slot is free -----------------


def test_a_login_when_every_password_slot_is_taken_gets_503_and_records_nothing(
    world: World, verifications: list[str], short_waits: None
) -> None:
    username = new_username(world)
    client = TestClient(world.client.app, client=(fresh_address(), 50000))
    before = row_counts(world.engine)

    with every_slot_taken(password_hashing()):
        refused = client.post("/v1/auth/token", data={"username": username, "password": PASSWORD})
        wrong = client.post("/v1/auth/token", data={"username": username, "password": "a wrong guess"})

    assert_busy(refused)
    assert_busy(wrong)
    assert verifications == []
    assert row_counts(world.engine) == before  # no failed login, no token
    assert client.post("/v1/auth/token", data={"username": username, "password": PASSWORD}).status_code == 200


def test_a_password_change_when_every_password_slot_is_taken_gets_503_and_changes_nothing(
    world: World, verifications: list[str], short_waits: None
) -> None:
    body = {"current_password": PASSWORD, "new_password": "a brand new password"}
    before = row_counts(world.engine)

    with every_slot_taken(password_hashing()):
        refused = world.client.post("/v1/auth/password", json=body, headers=world.headers["member"])

    assert_busy(refused)
    assert verifications == []
    assert row_counts(world.engine) == before
    assert access.log_in(world.engine, world.usernames["member"], PASSWORD).token_type == "bearer"


def test_a_request_without_a_valid_token_takes_no_slot_and_is_told_to_log_in(
    world: World, short_waits: None
) -> None:
    with every_slot_taken(password_hashing()):
        anonymous = world.client.post(
            "/v1/auth/password", json={"current_password": PASSWORD, "new_password": "a brand new password"}
        )
    charts = ("/reports/reciprocity/charts/role_mix", "/reports/reciprocity/charts/role_mix.png")
    pdfs = (
        f"/accounts/{world.account_ids['member']}/benefit-statement.pdf",
        f"/accounts/{world.account_ids['member']}/benefit-statement/letter.pdf",
    )
    forged_token = {"Authorization": "Bearer tbt_forged"}
    with every_slot_taken(chart_rendering()), every_slot_taken(pdf_rendering()):
        forged = [world.client.get(world.url(path), headers=forged_token) for path in charts + pdfs]

    assert (anonymous.status_code, anonymous.json()["code"]) == (401, "not_authenticated")
    for answer in forged:
        assert (answer.status_code, answer.json()["code"]) == (401, "token_invalid")


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/reports/reciprocity/charts/role_mix", {"format": "png"}),
        ("/reports/reciprocity/charts/role_mix.png", {}),
    ],
    ids=["by query", "by path"],
)
def test_a_chart_when_every_chart_slot_is_taken_gets_503_and_a_balance_is_read_meanwhile(
    world: World, short_waits: None, path: str, query: dict[str, str]
) -> None:
    chart = world.url(path)
    window = {"from": "2024-03-01", "to": "2024-04-01", **query}
    coordinator = world.headers["coordinator"]

    with every_slot_taken(chart_rendering()):
        refused = world.client.get(chart, params=window, headers=coordinator)
        balance = world.client.get(world.url(f"/accounts/{world.account_ids['member']}"), headers=coordinator)

    assert_busy(refused)
    assert balance.status_code == 200, balance.text
    drawn = world.client.get(chart, params=window, headers=coordinator)
    assert drawn.status_code == 200, drawn.text
    assert drawn.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_pdf_when_every_pdf_slot_is_taken_gets_503_while_the_json_statement_is_answered(
    world: World, short_waits: None
) -> None:
    path = world.url(f"/accounts/{world.account_ids['member']}/benefit-statement")
    member = world.headers["member"]
    before = row_counts(world.engine)

    with every_slot_taken(pdf_rendering()):
        by_query = world.client.get(path, params={"format": "pdf"}, headers=member)
        by_accept = world.client.get(f"{path}/letter", headers={**member, "Accept": "application/pdf"})
        as_json = world.client.get(path, headers=member)

    assert_busy(by_query)
    assert_busy(by_accept)
    assert as_json.status_code == 200, as_json.text
    assert row_counts(world.engine) == before
    written = world.client.get(path, params={"format": "pdf"}, headers=member)
    assert written.status_code == 200, written.text
    assert written.content.startswith(b"%PDF")


def test_the_pdfs_own_paths_wait_for_a_pdf_slot_and_the_pages_need_none(
    world: World, short_waits: None
) -> None:
    statement = world.url(f"/accounts/{world.account_ids['member']}/benefit-statement")
    member = world.headers["member"]
    before = row_counts(world.engine)

    with every_slot_taken(pdf_rendering()):
        pdfs = [world.client.get(f"{statement}{tail}", headers=member) for tail in (".pdf", "/letter.pdf")]
        pages = [world.client.get(f"{statement}{tail}", headers=member) for tail in (".html", "/letter.html")]

    for refused in pdfs:
        assert_busy(refused)
    for page in pages:
        assert page.status_code == 200, page.text
        assert page.headers["content-type"].startswith("text/html")
    assert row_counts(world.engine) == before
    for tail in (".pdf", "/letter.pdf"):
        written = world.client.get(f"{statement}{tail}", headers=member)
        assert written.status_code == 200, written.text
        assert written.content.startswith(b"%PDF")


def test_requests_past_the_waiting_room_are_refused_at_once(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Waiting is bounded in number as well as time: the queue never grows without end."""
    monkeypatch.setattr(get_settings(), "busy_wait_milliseconds_max", 60_000)
    monkeypatch.setattr(get_settings(), "busy_waiters_per_slot_max", 0)
    slots = chart_rendering()
    assert slots.waiting_max == 0

    with every_slot_taken(slots):
        started = time.monotonic()
        refused = world.client.get(
            world.url("/reports/reciprocity/charts/role_mix"), headers=world.headers["coordinator"]
        )
        waited_seconds = time.monotonic() - started

    assert_busy(refused)
    assert waited_seconds < 30  # not the minute a waiter may wait


def test_the_operations_that_do_slow_work_declare_503(world: World) -> None:
    document = world.client.get("/openapi.json").json()
    busy = {
        operation["operationId"]
        for path in document["paths"].values()
        for operation in path.values()
        if "503" in operation["responses"]
    }
    assert busy == {
        "log_in",
        "change_password",
        "add_member",
        "get_reciprocity_chart_svg",
        "get_reciprocity_chart_png",
        "get_benefit_statement",  # ?format=pdf, or Accept: application/pdf
        "get_benefit_letter",
        "get_benefit_statement_pdf",
        "get_benefit_letter_pdf",
        "use_password_code",  # hashes the new password
        "reset_password",  # hashes the new password
    }
    assert {"server_busy"} == BUSY_CODES
