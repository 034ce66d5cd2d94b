"""The bank workload's world: timebanks, members and their logins, made through the running server.

Only the platform admin is made in-process (as ``timebank admin create`` would); everything else goes
through the HTTP API, as a coordinator setting up a real timebank would do it. Each timebank gets a
coordinator and members whose floors and caps are tight enough that, under load, some exchanges are
refused for crossing a limit: the refusals are part of what the workload checks (a refused write
must leave no trace), and "no balance outside its limits" is only a meaningful check when balances
press against them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import httpx
from sqlalchemy import Engine

from timebank.people.access import create_admin

__all__ = ["Actor", "BankTimebank", "BankWorld", "build_bank_world"]

PASSWORD = "bank-workload-password"
MEMBER_FLOOR_MINUTES = -600
MEMBER_CAP_MINUTES = 900


@dataclass(frozen=True)
class Actor:
    """Someone with a login: who they are, their account and their bearer token."""

    username: str
    timebank_id: int
    account_id: int
    token: str
    is_coordinator: bool = False

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class BankTimebank:
    timebank_id: int
    pot_account_id: int
    coordinator: Actor
    members: list[Actor] = field(default_factory=list)


@dataclass
class BankWorld:
    run_tag: str  # written into every description, note and reason, so each write can be found
    timebanks: list[BankTimebank]

    @property
    def timebank_ids(self) -> list[int]:
        return [t.timebank_id for t in self.timebanks]


def _ok(response: httpx.Response) -> dict[str, object]:
    if response.status_code >= 300:
        raise RuntimeError(
            f"{response.request.method} {response.request.url} → {response.status_code}: {response.text}"
        )
    body: dict[str, object] = response.json()
    return body


def _log_in(client: httpx.Client, username: str) -> str:
    body = _ok(client.post("/v1/auth/token", data={"username": username, "password": PASSWORD}))
    return str(body["access_token"])


def build_bank_world(
    engine: Engine, client: httpx.Client, *, timebanks: int = 2, members_per_timebank: int = 8
) -> BankWorld:
    """Make ``timebanks`` timebanks, each with a coordinator and members who can log in."""
    run_tag = f"bank-{uuid.uuid4().hex[:8]}"
    admin_name = f"{run_tag}-admin"
    create_admin(engine, admin_name, PASSWORD)
    admin = {"Authorization": f"Bearer {_log_in(client, admin_name)}"}
    made: list[BankTimebank] = []
    for number in range(timebanks):
        created = _ok(
            client.post("/v1/timebanks", json={"name": f"{run_tag} timebank {number}"}, headers=admin)
        )
        timebank_id = int(str(created["id"]))

        def add(username: str, roles: list[str], timebank_id: int = timebank_id) -> Actor:
            body = {
                "display_name": username,
                "username": username,
                "password": PASSWORD,
                "roles": roles,
                "floor_minutes": MEMBER_FLOOR_MINUTES,
                "cap_minutes": MEMBER_CAP_MINUTES,
            }
            member = _ok(client.post(f"/v1/timebanks/{timebank_id}/members", json=body, headers=admin))
            return Actor(
                username=username,
                timebank_id=timebank_id,
                account_id=int(str(member["account_id"])),
                token=_log_in(client, username),
                is_coordinator="coordinator" in roles,
            )

        coordinator = add(f"{run_tag}-t{number}-coordinator", ["member", "coordinator"])
        members = [add(f"{run_tag}-t{number}-m{i}", ["member"]) for i in range(members_per_timebank)]
        made.append(
            BankTimebank(
                timebank_id=timebank_id,
                pot_account_id=int(str(created["pot_account_id"])),
                coordinator=coordinator,
                members=members,
            )
        )
    return BankWorld(run_tag=run_tag, timebanks=made)
