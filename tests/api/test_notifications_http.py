"""Being told, over HTTP: the address, preferences and the two links, on both databases.

Refusals change nothing; another timebank's members are not found; a member never sees another
member's address, and the directory and member records carry none.
"""

from __future__ import annotations

import re

from tests.api.conftest import World
from tests.notification_calls import verification_token
from timebank.db import run


def outbox_bodies(world: World, role: str) -> list[str]:
    member_id = world.member_ids[role]
    messages = run(
        world.engine, lambda uow: uow.notifications.messages_for(world.timebank_id, member_id), write=False
    )
    return [message.body for message in messages]


def email_url(world: World, role: str, timebank_id: int | None = None) -> str:
    return world.url(f"/members/{world.member_ids[role]}/email", timebank_id)


def test_a_member_sets_and_verifies_their_address_by_the_link(world: World) -> None:
    client, me = world.client, world.headers["member"]

    put = client.put(email_url(world, "member"), json={"email": "me@riverside.example"}, headers=me)
    token = verification_token(outbox_bodies(world, "member")[-1])
    verified = client.post("/v1/email/verify", json={"token": token})
    again = client.post("/v1/email/verify", json={"token": token})
    read = client.get(email_url(world, "member"), headers=me)

    assert put.status_code == 200
    assert put.json() | {"email_verified_at": None} == {
        "member_id": world.member_ids["member"],
        "email": "me@riverside.example",
        "verified": False,
        "email_verified_at": None,
        "verification_sent": True,
    }
    assert verified.status_code == 200
    assert verified.json()["email"] == "me@riverside.example"
    assert (again.status_code, again.json()["code"]) == (409, "verification_token_used")
    assert read.json()["verified"] is True


def test_refused_links_and_addresses_change_nothing(world: World) -> None:
    client, me = world.client, world.headers["member"]
    client.put(email_url(world, "member"), json={"email": "me@riverside.example"}, headers=me)

    unknown = client.post("/v1/email/verify", json={"token": "tbv_nothing"})
    bad_address = client.put(email_url(world, "member"), json={"email": "not an address"}, headers=me)
    forged = client.post("/v1/notifications/unsubscribe", json={"token": "1.exchange_confirmed." + "0" * 32})

    assert (unknown.status_code, unknown.json()["code"]) == (404, "verification_token_unknown")
    assert (bad_address.status_code, bad_address.json()["code"]) == (422, "email_invalid")
    assert (forged.status_code, forged.json()["code"]) == (422, "unsubscribe_token_invalid")
    read = client.get(email_url(world, "member"), headers=me).json()
    assert (read["email"], read["verified"]) == ("me@riverside.example", False)


def test_a_member_never_sees_another_members_address(world: World) -> None:
    client = world.client
    client.put(
        email_url(world, "member"),
        json={"email": "secret@riverside.example"},
        headers=world.headers["member"],
    )

    other = client.get(email_url(world, "member"), headers=world.headers["other_member"])
    coordinator = client.get(email_url(world, "member"), headers=world.headers["coordinator"])
    seen = client.get(world.url("/directory"), headers=world.headers["other_member"]).text
    seen += client.get(
        world.url(f"/members/{world.member_ids['member']}"), headers=world.headers["coordinator"]
    ).text

    assert (other.status_code, other.json()["code"]) == (403, "self_or_coordinator_required")
    assert coordinator.json()["email"] == "secret@riverside.example"
    assert "secret@" not in seen


def test_another_timebanks_members_are_not_found(world: World) -> None:
    client = world.client
    stranger = world.member_ids["other_coordinator"]
    mine = client.get(world.url(f"/members/{stranger}/email"), headers=world.headers["coordinator"])
    theirs = client.get(email_url(world, "member", world.other_timebank_id), headers=world.headers["member"])
    prefs = client.put(
        world.url(f"/members/{stranger}/notification-preferences"),
        json={"exchange_confirmed": False},
        headers=world.headers["member"],
    )

    assert (mine.status_code, mine.json()["code"]) == (404, "member_not_found")
    assert (theirs.status_code, theirs.json()["code"]) == (404, "timebank_not_found")
    assert (prefs.status_code, prefs.json()["code"]) == (404, "member_not_found")


def test_preferences_are_chosen_and_unsubscribing_by_the_link_switches_one_kind_off(world: World) -> None:
    client, me = world.client, world.headers["member"]
    url = world.url(f"/members/{world.member_ids['member']}/notification-preferences")
    client.put(email_url(world, "member"), json={"email": "me@riverside.example"}, headers=me)
    client.post("/v1/email/verify", json={"token": verification_token(outbox_bodies(world, "member")[-1])})

    chosen = client.put(url, json={"exchange_declined": False}, headers=me)
    security = client.put(url, json={"email_verification": False}, headers=me)
    record = client.post(
        world.url("/exchanges"),
        json={
            "giver_account_id": world.account_ids["other_member"],
            "receivers": [{"account_id": world.account_ids["member"], "minutes": 60}],
            "activity_date": "2026-01-05",
            "description": "Shopping",
        },
        headers=world.headers["other_member"] | {"Idempotency-Key": "notify-1"},
    )
    token = re.search(r"token=(\S+)", outbox_bodies(world, "member")[-1]).group(1)  # type: ignore[union-attr]
    gone = client.post("/v1/notifications/unsubscribe", json={"token": token})
    read = client.get(url, headers=me).json()

    assert chosen.json()["exchange_declined"] is False
    assert (security.status_code, security.json()["code"]) == (422, "unknown_field")
    assert record.status_code == 201
    assert gone.json() == {"kind": "exchange_awaiting_confirmation"}
    assert (
        read["exchange_awaiting_confirmation"],
        read["exchange_declined"],
        read["exchange_confirmed"],
    ) == (
        False,
        False,
        True,
    )
