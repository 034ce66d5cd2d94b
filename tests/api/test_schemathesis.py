"""Schemathesis over every operation of the committed OpenAPI document, on each backend.

The document fuzzed is ``openapi/openapi.json`` as committed (``test_openapi`` keeps it equal to the
app), so what is checked is the contract clients were promised. For every operation schemathesis
sends valid requests and invalid ones (its negative mode, and its coverage phase of boundary values,
missing fields and wrong types), and every response must:

- not be a server error (``not_a_server_error``);
- have a documented status code, the documented content type, documented headers and a body that
  matches its schema (``status_code_conformance``, ``content_type_conformance``,
  ``response_headers_conformance``, ``response_schema_conformance``);
- refuse invalid input with a 4xx (``negative_data_rejection``) and a required header left out
  (``missing_required_header``); answer an unsupported method with 405 and a true ``Allow``;
- be refused without a token where the document asks for one (``ignored_auth`` re-sends without);
- and, ours, not refuse as "does not fit the schema" a request the document accepts
  (``schema_valid_requests_fit_the_apps_models`` below).

Reaching the code behind the 404s. Requests are made as the coordinator of a small world built per
backend (``build_world``; an admin creates timebanks), and the ids in each generated request are
aimed at that world before it is sent: a valid timebank id becomes the world's timebank most of the
time (sometimes the other timebank, sometimes left as generated), and account, member, exchange,
organisation and API-key ids become real ones from a pool. The choice is a function of the generated
value, so hypothesis still reproduces and shrinks a failure; only valid ids are replaced, and by
valid ids, so a request meant to be invalid stays invalid. The world has pending exchanges to
confirm, decline and cancel, confirmed ones to reverse, a pot with credits and spare API keys to
revoke; most generated Idempotency-Keys are replaced by fresh ones so writes are not all replays.

Shared state is protected: the coordinator's own member record is never aimed at (a PATCH of its
roles would demote it), ``POST /v1/auth/logout`` gets a fresh token of its own per call, and the
fuzzer reaches the app from a client address of its own, so its failed logins (the limiter counts
per address as well as per username) never count against the ``testclient`` address other tests
log in from. The usernames it fails to log in as are random or its own world's spare login.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import Case, GenerationMode
from sqlalchemy import create_engine

from tests.api.conftest import PASSWORD, World, build_world
from tests.conftest import BACKENDS
from tests.offer_calls import post_for
from tests.people_calls import add_member, create_api_key
from timebank.api.app import create_app
from timebank.db import make_engine
from timebank.exchanges.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from timebank.fields import ID_MAX
from timebank.offers import list_categories
from timebank.people.access import log_in
from timebank.people.callers import Caller

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

# Generated requests per operation and backend, on top of the coverage phase's deterministic ones
# (from ten to about a hundred an operation). With the CI profile's 200 the file would take minutes.
EXAMPLES = 25

# An address from TEST-NET-3 (RFC 5737): never a real client, and not TestClient's "testclient".
FUZZER_ADDRESS = ("203.0.113.7", 50000)

schema = schemathesis.openapi.from_path(SPEC)
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    # The token is the test's to send (see FuzzWorld.headers_for), not generated: a random
    # 'Authorization' header can only be refused, and ignored_auth checks that it is.
    with_security_parameters=False,
)
# Valid by the document is not always valid by the ledger: a giver cannot also receive, a cursor
# must be one we gave out, a member with a password needs a username. Such refusals are 4xx problems
# with a ledger code, which the document cannot express, so schemathesis' positive_data_acceptance
# would flag them. The narrower schema_valid_requests_fit_the_apps_models keeps its point.
schema.config.checks.update(excluded_check_names=["positive_data_acceptance"])

Scope = dict[str, Any]


class _FuzzedApp:
    """The app under test as the fuzzer reaches it: the current backend's, from the fuzzer's address.

    Schemathesis sends its probes (``ignored_auth``, ``unsupported_method``...) to the schema's app,
    so the schema has one app for the module; the backend fixture points it at its world's app.
    """

    def __init__(self) -> None:
        self.target: Any = None

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # the worlds' apps need no startup or shutdown
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        assert self.target is not None, "the fuzz_world fixture sets the app"
        if scope["type"] == "http":
            scope = {**scope, "client": FUZZER_ADDRESS}
        await self.target(scope, receive, send)


FUZZED_APP = _FuzzedApp()
schema.app = FUZZED_APP

_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_LENGTH_MAX}}}")
_EXCHANGE_ACTIONS = ("confirm", "decline", "cancel", "reverse")


def _as_id(value: Any) -> int | None:
    """The id a generated value stands for, if it is a valid one (an int, or its decimal string)."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and value == str(int(value)):
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= ID_MAX:
        return value
    return None


@dataclass
class FuzzWorld:
    world: World
    login_username: str  # a login the fuzzer may log in as (and lock out)
    logout_username: str  # a login whose fresh tokens the fuzzer logs out
    # Real ids by the name of the parameter or field ("exchange_id:confirm": for that action).
    pools: dict[str, list[int]] = field(default_factory=dict)
    # Ids never aimed at, by name: the coordinator's own member (a PATCH could take its role away).
    protected: dict[str, set[int]] = field(default_factory=dict)

    def pick(self, name: str, value: Any, offset: int = 0) -> Any:
        """A real id for a generated one, chosen by the generated value; anything else as it is.

        ``offset`` spreads fields of one request (a giver and its receivers) over different ids.
        """
        pool = self.pools.get(name)
        number = _as_id(value)
        if not pool or number is None:
            return value
        slot = number % 16
        # 15: keep an id that probably does not exist (ID_MAX, 2**63 - 1, is kept this way).
        chosen = number if slot == 15 else pool[(slot + offset) % len(pool)]
        if chosen in self.protected.get(name, ()):
            chosen = pool[0]
        # Path and query values may be generated as strings; a string stays a string.
        return str(chosen) if isinstance(value, str) else chosen

    def aim(self, case: Case) -> None:
        """Point the generated request at the world (see the module's docstring)."""
        action = case.operation.path.rsplit("/", 1)[-1]
        for name, value in list(case.path_parameters.items()):
            if name == "exchange_id" and action in _EXCHANGE_ACTIONS:
                name = f"exchange_id:{action}"
            case.path_parameters[name.split(":")[0]] = self.pick(name, value)
        if isinstance(case.query, dict) and "account_id" in case.query:
            case.query["account_id"] = self.pick("account_id", case.query["account_id"])
        key = case.headers.get("Idempotency-Key") if case.headers else None
        if isinstance(key, str) and _IDEMPOTENCY_KEY.fullmatch(key) and len(key) % 4 != 0:
            # Mostly a fresh key, so writes reach the ledger; the rest replay or reuse keys.
            case.headers["Idempotency-Key"] = str(uuid.uuid4())
        body = case.body
        if not isinstance(body, dict):
            return
        for offset, name in enumerate(("giver_account_id", "from_account_id", "to_account_id")):
            if name in body:
                body[name] = self.pick("account_id", body[name], offset)
        if "member_id" in body:
            body["member_id"] = self.pick("member_id", body["member_id"])
        receivers = body.get("receivers")
        if isinstance(receivers, list):
            for offset, receiver in enumerate(receivers, start=1):
                if isinstance(receiver, dict) and "account_id" in receiver:
                    receiver["account_id"] = self.pick("account_id", receiver["account_id"], offset)
        if case.operation.path == "/v1/auth/token":
            self._aim_login(body)

    def _aim_login(self, form: dict[str, Any]) -> None:
        # Often the spare login, often with its password: reaching 200, 401 and the lockout's 429.
        username, password = form.get("username"), form.get("password")
        if isinstance(username, str) and 1 <= len(username) <= 100 and len(username) % 3 != 0:
            form["username"] = self.login_username
            if isinstance(password, str) and 1 <= len(password) <= 200 and len(password) % 2 == 1:
                form["password"] = PASSWORD

    def headers_for(self, case: Case) -> dict[str, str]:
        if case.operation.path == "/v1/auth/logout":
            # Logging out the shared token would log out every later request; each call has its own.
            token = log_in(self.world.engine, self.logout_username, PASSWORD).access_token
            return {"Authorization": f"Bearer {token}"}
        if case.operation.path == "/v1/timebanks" and case.method.upper() == "POST":
            return self.world.headers["admin"]
        return self.world.headers["coordinator"]


def _seed(world: World) -> FuzzWorld:
    """Things for the fuzzer to act on, made through the API as a client would."""
    client, tb = world.client, world.timebank_id
    coordinator = Caller("system:test", False, tb, None, None, True, frozenset())
    suffix = uuid.uuid4().hex[:10]
    for role in ("login", "logout"):
        add_member(
            world.engine, tb, coordinator, role.title(), username=f"{role}_{suffix}", password=PASSWORD
        )

    def write(path: str, role: str, body: dict[str, Any]) -> dict[str, Any]:
        headers = {**world.headers[role], "Idempotency-Key": str(uuid.uuid4())}
        response = client.post(world.url(path), json=body, headers=headers)
        assert response.status_code == 201, response.text
        result: dict[str, Any] = response.json()
        return result

    member, other = world.account_ids["member"], world.account_ids["other_member"]

    def exchanges(role: str, count: int) -> list[int]:
        # Recorded by its giver an exchange waits for the receiver; by a coordinator it posts.
        giver, receiver = (other, member) if role == "other_member" else (member, other)
        body = {
            "giver_account_id": giver,
            "receivers": [{"account_id": receiver, "minutes": 15}],
            "activity_date": date.today().isoformat(),
            "description": "Gardening",
        }
        return [int(write("/exchanges", role, body)["id"]) for _ in range(count)]

    # Each action has exchanges of its own, or the first to run would leave none for the others.
    pools = {
        f"exchange_id:{action}": exchanges("member", 4) + exchanges("other_member", 4)
        for action in _EXCHANGE_ACTIONS[:3]
    }
    pools["exchange_id:reverse"] = exchanges("coordinator", 8)
    pools["exchange_id"] = [i for pool in pools.values() for i in pool]
    # A donation fills the pot, so grants from it can succeed.
    write(
        "/gifts", "member", {"from_account_id": member, "to_account_id": world.pot_account_id, "minutes": 120}
    )

    pools["tb"] = [tb] * 13 + [world.other_timebank_id]
    pools["account_id"] = [
        member,
        other,
        world.account_ids["coordinator"],
        world.account_ids["organisation"],
        world.account_ids["staff"],
        world.pot_account_id,
        world.other_account_id,  # another timebank's: must answer 404
    ]
    # The other coordinator is in the other timebank: must answer 404.
    pools["member_id"] = [
        world.member_ids[role] for role in ("member", "other_member", "staff", "other_coordinator")
    ]
    pools["organisation_id"] = [world.organisation_id]
    pools["api_key_id"] = [
        create_api_key(world.engine, tb, coordinator, world.organisation_id, f"spare {n}").api_key_id
        for n in range(8)
    ]
    # Offers and requests: the member's posts and the timebank's categories (and one post elsewhere).
    pools["post_id"] = [post_for(world.engine, tb, world.member_ids["member"]).post_id for _ in range(6)]
    pools["post_id"].append(
        post_for(world.engine, world.other_timebank_id, world.member_ids["other_coordinator"]).post_id
    )
    listed = list_categories(world.engine, tb, coordinator).categories
    pools["category_id"] = [category.category_id for category in listed]
    return FuzzWorld(
        world=world,
        login_username=f"login_{suffix}",
        logout_username=f"logout_{suffix}",
        pools=pools,
        protected={"member_id": {world.member_ids["coordinator"]}},
    )


@pytest.fixture(scope="module", params=BACKENDS)
def fuzz_world(request: pytest.FixtureRequest) -> Iterator[FuzzWorld]:
    engine = make_engine(str(request.getfixturevalue(f"{request.param}_url")))
    world = build_world(engine)
    FUZZED_APP.target = world.client.app
    # The fuzzer's requests are random: whether each refusal's code is listed for its operation is
    # held by the deterministic tests (tests/conftest.py); here the status must be documented.
    strict = os.environ.pop("TIMEBANK_STRICT_PROBLEMS", None)
    try:
        yield _seed(world)
    finally:
        if strict is not None:
            os.environ["TIMEBANK_STRICT_PROBLEMS"] = strict
        FUZZED_APP.target = None
        world.client.close()
    engine.dispose()


def _outside_json_schema(value: Any) -> bool:
    """Values JSON Schema calls valid that the app refuses by design, or that the validator misjudges.

    ``60.0`` is an integer to JSON Schema, but quantities are strict integers here (schemas.py); and
    schemathesis compares integers beyond 2**53 as floats, so it takes ``2**63 + 100`` for an id
    within the ``2**63 - 1`` maximum.
    """
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, int) and not isinstance(value, bool):
        return abs(value) > 2**53
    if isinstance(value, dict):
        return any(_outside_json_schema(item) for item in value.values())
    if isinstance(value, list):
        return any(_outside_json_schema(item) for item in value)
    return False


def schema_valid_requests_fit_the_apps_models(ctx: Any, response: Any, case: Case) -> bool | None:
    """A request valid by the committed document is not refused for not fitting the request schema.

    The app's request models refuse with 422 and a list of ``errors`` (problems.py); the ledger's
    rules refuse without one. A schema-valid request refused the first way means the document and
    the models disagree.
    """
    if case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return None
    if response.status_code != 422 or "errors" not in response.json():
        return None
    if any(_outside_json_schema(part) for part in (case.body, case.query, case.path_parameters)):
        return None
    raise AssertionError(
        f"The document accepts this request; the app's request models do not: {response.text}"
    )


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_committed_contract_holds(case: Case, fuzz_world: FuzzWorld) -> None:
    fuzz_world.aim(case)
    case.call_and_validate(
        headers=fuzz_world.headers_for(case), additional_checks=[schema_valid_requests_fit_the_apps_models]
    )


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("OPTIONS", "/v1/timebanks/1/members", "GET, POST"),
        ("PUT", "/v1/timebanks/1/members/1", "GET, PATCH"),
        ("DELETE", "/v1/timebanks", "GET, POST"),
        ("GET", "/v1/auth/token", "POST"),
    ],
)
def test_a_405_names_every_method_of_the_path(method: str, path: str, allowed: str) -> None:
    # Found by schemathesis (allow_header_conformance): where two routes share a path, the answer
    # named only the first route's method.
    client = TestClient(create_app(create_engine("sqlite://")))

    response = client.request(method, path)

    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    assert response.json()["code"] == "method_not_allowed"
