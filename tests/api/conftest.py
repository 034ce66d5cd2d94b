"""A small world behind the HTTP API, once per backend, and a client to reach it.

Each test gets its own timebank (and a second one, for cross-tenant checks), with one caller of
every kind the authorization rules distinguish: anonymous, an admin, a coordinator, two members,
a staff member of an organisation, the organisation's API key, and a coordinator of the other
timebank. Logins are made through the services, not the HTTP login, so tests never trip the
failed-login limit of each other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.apps import shared_app
from tests.conftest import STORY_BACKDATE_DAYS
from tests.people_calls import add_member, add_organisation, add_staff, create_api_key, create_timebank
from timebank.api.app import create_app
from timebank.people.access import create_admin, log_in
from timebank.people.callers import Caller

PASSWORD = "correct horse battery"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@dataclass
class World:
    client: TestClient
    engine: Engine
    timebank_id: int
    pot_account_id: int
    other_timebank_id: int
    # Authorization headers by role; "anonymous" is empty.
    headers: dict[str, dict[str, str]] = field(default_factory=dict)
    # Account and member ids by role (roles that hold one).
    account_ids: dict[str, int] = field(default_factory=dict)
    member_ids: dict[str, int] = field(default_factory=dict)
    organisation_id: int = 0
    other_account_id: int = 0  # a member account in the other timebank
    usernames: dict[str, str] = field(default_factory=dict)

    def url(self, path: str, timebank_id: int | None = None) -> str:
        return f"/v1/timebanks/{self.timebank_id if timebank_id is None else timebank_id}{path}"


def _system(timebank_id: int | None, *, admin: bool = False) -> Caller:
    return Caller("system:test", admin, timebank_id, None, None, False, frozenset())


def build_world(engine: Engine) -> World:
    suffix = uuid.uuid4().hex[:10]
    admin_name = f"admin_{suffix}"
    create_admin(engine, admin_name, PASSWORD)
    timebank = create_timebank(engine, f"Riverside {suffix}", backdate_days_max=STORY_BACKDATE_DAYS)
    other = create_timebank(engine, f"Hillside {suffix}", backdate_days_max=STORY_BACKDATE_DAYS)
    tb, other_tb = timebank.timebank_id, other.timebank_id
    admin = _system(None, admin=True)
    world = World(
        client=TestClient(shared_app(create_app, engine)),
        engine=engine,
        timebank_id=tb,
        pot_account_id=timebank.pot_account_id,
        other_timebank_id=other_tb,
    )
    world.usernames["admin"] = admin_name

    def person(
        role: str, timebank_id: int, roles: tuple[str, ...] = ("member",), tags: tuple[str, ...] = ()
    ) -> int:
        username = f"{role}_{suffix}"
        view = add_member(
            engine,
            timebank_id,
            admin,
            role.title(),
            username=username,
            password=PASSWORD,
            roles=roles,
            tags=tags,
        )
        world.usernames[role] = username
        world.member_ids[role] = view.member_id
        world.account_ids[role] = view.account_id
        return view.account_id

    person("coordinator", tb, ("member", "coordinator"))
    person("member", tb, tags=("uses_services",))
    person("other_member", tb)
    person("staff", tb, tags=("staff",))
    world.other_account_id = person("other_coordinator", other_tb, ("member", "coordinator"))
    coordinator = Caller("system:test", False, tb, None, None, True, frozenset())
    organisation = add_organisation(engine, tb, coordinator, "Riverside Health Trust")
    world.organisation_id = organisation.organisation_id
    world.account_ids["organisation"] = organisation.account_id
    add_staff(engine, tb, coordinator, organisation.organisation_id, world.member_ids["staff"])
    key = create_api_key(engine, tb, coordinator, organisation.organisation_id, "booking system")

    world.headers["anonymous"] = {}
    for role, username in world.usernames.items():
        world.headers[role] = _bearer(log_in(engine, username, PASSWORD).access_token)
    world.headers["organisation_key"] = _bearer(key.secret)
    return world


@pytest.fixture
def world(engine: Engine) -> Iterator[World]:
    built = build_world(engine)
    yield built
    built.client.close()
