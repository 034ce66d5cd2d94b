"""Idempotency over HTTP (L7): a retried write is answered as the first time and creates nothing.

For each keyed write (record an exchange, confirm one, give credits, reverse an exchange): the same
key with the same body replays the first status and the very same bytes, and not a row changes; the
same key with another body (or on another operation) is refused with 422 ``idempotency_key_reused``
and not a row changes; a key belongs to its caller, so another caller's identical key is a request of
its own, while a second token of the same login replays. A refusal is the key's answer too: it is
replayed byte for byte, even once its cause is gone, and the corrected request needs a new key. Twenty
concurrent requests with one key make exactly one exchange (or one gift): each answer is either the
201 or, on PostgreSQL while the first still runs, 409 ``idempotency_key_in_flight`` with Retry-After.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from httpx import Response

from timebank.people.access import log_in

from .conftest import PASSWORD, World
from .db_snapshot import counts, snapshot

LEDGER_TABLES = ("exchanges", "transactions", "transfers", "idempotency_keys")


def key() -> str:
    return str(uuid.uuid4())


def keyed(w: World, role: str, idempotency_key: str) -> dict[str, str]:
    return {**w.headers[role], "Idempotency-Key": idempotency_key}


def exchange_body(
    w: World, giver: str = "member", receiver: str = "other_member", minutes: int = 60
) -> dict[str, Any]:
    return {
        "giver_account_id": w.account_ids[giver],
        "receivers": [{"account_id": w.account_ids[receiver], "minutes": minutes}],
        "activity_date": "2024-05-01",
        "description": "fixed the garden gate",
    }


def gift_body(w: World, minutes: int = 30, note: str | None = "thank you") -> dict[str, Any]:
    return {
        "from_account_id": w.account_ids["member"],
        "to_account_id": w.account_ids["other_member"],
        "minutes": minutes,
        "note": note,
    }


def record(w: World, body: dict[str, Any], role: str = "coordinator", k: str | None = None) -> Response:
    return w.client.post(w.url("/exchanges"), json=body, headers=keyed(w, role, k or key()))


def posted_exchange(w: World) -> int:
    response = record(w, exchange_body(w))
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def pending_exchange(w: World) -> int:
    """Recorded by its giver (member), so it waits for the receiver (other_member) to confirm."""
    response = record(w, exchange_body(w), role="member")
    assert response.status_code == 201, response.text
    assert response.json()["status"] == "pending"
    return int(response.json()["id"])


def everything(w: World) -> dict[str, Any]:
    return snapshot(w.engine, (w.timebank_id, w.other_timebank_id))


# --- the keyed writes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """A keyed write: ``send(world, key, variant)``; variant 0 is the request, 1 a different one."""

    name: str
    status: int
    creates: dict[str, int]  # rows of each ledger table the first request adds
    arrange: Callable[[World], Any]
    send: Callable[[World, str, Any, int], Response]


def _send_exchange(w: World, k: str, _: Any, variant: int) -> Response:
    return record(w, exchange_body(w, minutes=60 + variant), k=k)


def _send_confirm(w: World, k: str, pending: tuple[int, int], variant: int) -> Response:
    path = w.url(f"/exchanges/{pending[variant]}/confirm")
    return w.client.post(path, headers=keyed(w, "other_member", k))


def _send_gift(w: World, k: str, _: Any, variant: int) -> Response:
    body = gift_body(w, note="thank you" if variant == 0 else "thanks again")
    return w.client.post(w.url("/gifts"), json=body, headers=keyed(w, "member", k))


def _send_reverse(w: World, k: str, exchange_id: int, variant: int) -> Response:
    reason = "recorded twice" if variant == 0 else "recorded for the wrong person"
    path = w.url(f"/exchanges/{exchange_id}/reverse")
    return w.client.post(path, json={"reason": reason}, headers=keyed(w, "coordinator", k))


WRITES = [
    Write(
        "record_exchange",
        201,
        {"exchanges": 1, "transactions": 1, "transfers": 1, "idempotency_keys": 1},
        lambda w: None,
        _send_exchange,
    ),
    Write(
        "confirm_exchange",
        200,
        {"exchanges": 0, "transactions": 1, "transfers": 1, "idempotency_keys": 1},
        lambda w: (pending_exchange(w), pending_exchange(w)),
        _send_confirm,
    ),
    Write(
        "give_credits",
        201,
        {"exchanges": 0, "transactions": 1, "transfers": 1, "idempotency_keys": 1},
        lambda w: None,
        _send_gift,
    ),
    Write(
        "reverse_exchange",
        201,
        {"exchanges": 0, "transactions": 1, "transfers": 1, "idempotency_keys": 1},
        posted_exchange,
        _send_reverse,
    ),
]


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
def test_a_replay_answers_as_the_first_time_and_changes_nothing(world: World, write: Write) -> None:
    arranged = write.arrange(world)
    k = key()
    before = counts(world.engine, world.timebank_id, *LEDGER_TABLES)
    first = write.send(world, k, arranged, 0)
    assert first.status_code == write.status, first.text
    after_first = counts(world.engine, world.timebank_id, *LEDGER_TABLES)
    assert {t: after_first[t] - before[t] for t in LEDGER_TABLES} == write.creates
    state = everything(world)

    for _ in range(3):
        again = write.send(world, k, arranged, 0)
        assert again.status_code == write.status, again.text
        assert again.content == first.content
        assert again.headers["content-type"] == first.headers["content-type"]
        assert everything(world) == state


def test_a_replay_is_the_first_answer_even_after_the_exchange_was_reversed(world: World) -> None:
    k = key()
    first = record(world, exchange_body(world), k=k)
    assert first.status_code == 201
    assert first.json()["status"] == "confirmed"
    reversal = _send_reverse(world, key(), first.json()["id"], 0)
    assert reversal.status_code == 201, reversal.text
    state = everything(world)

    again = record(world, exchange_body(world), k=k)
    assert again.status_code == 201
    assert again.content == first.content  # still "confirmed": the answer that was given
    assert everything(world) == state
    now = world.client.get(
        world.url(f"/exchanges/{first.json()['id']}"), headers=world.headers["coordinator"]
    )
    assert now.json()["status"] == "reversed"


def test_the_same_body_written_differently_is_the_same_request(world: World) -> None:
    """The request is compared as data, not as bytes: field order and spacing do not matter."""
    k = key()
    body = exchange_body(world)
    first = record(world, body, k=k)
    assert first.status_code == 201
    state = everything(world)
    reordered = json.dumps(dict(reversed(list(body.items()))), indent=4).encode()
    headers = {**keyed(world, "coordinator", k), "Content-Type": "application/json"}
    again = world.client.post(world.url("/exchanges"), content=reordered, headers=headers)
    assert again.status_code == 201, again.text
    assert again.content == first.content
    assert everything(world) == state


@pytest.mark.parametrize("write", WRITES, ids=lambda write: write.name)
def test_the_same_key_with_another_request_is_refused_and_changes_nothing(world: World, write: Write) -> None:
    arranged = write.arrange(world)
    k = key()
    first = write.send(world, k, arranged, 0)
    assert first.status_code == write.status, first.text
    state = everything(world)

    refused = write.send(world, k, arranged, 1)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "idempotency_key_reused"
    assert everything(world) == state
    # ... and the first request still replays.
    assert write.send(world, k, arranged, 0).content == first.content


@pytest.mark.parametrize("second", WRITES[1:], ids=lambda write: write.name)
def test_a_key_used_on_one_operation_is_refused_on_another(world: World, second: Write) -> None:
    """Each caller below sent the key first on an exchange; the key is theirs, whatever they do next."""
    arranged = second.arrange(world)
    k = key()
    role = {"confirm_exchange": "other_member", "give_credits": "member", "reverse_exchange": "coordinator"}
    # The second write's caller uses the key on an exchange first (recorded by its receiver, or by
    # the coordinator, it posts at once).
    caller = role[second.name]
    body = exchange_body(world) if caller == "coordinator" else exchange_body(world, "coordinator", caller)
    first = record(world, body, caller, k)
    assert first.status_code == 201, first.text
    state = everything(world)

    refused = second.send(world, k, arranged, 0)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "idempotency_key_reused"
    assert everything(world) == state


def test_keys_belong_to_their_caller(world: World) -> None:
    """The same key from another caller is another request; from the same login, a replay."""
    k = key()
    body = exchange_body(world)
    by_coordinator = record(world, body, "coordinator", k)
    # other_member is the receiver, so recording it themselves posts at once too.
    by_receiver = record(world, body, "other_member", k)
    assert by_coordinator.status_code == by_receiver.status_code == 201
    assert by_coordinator.json()["id"] != by_receiver.json()["id"]

    # Other callers may use the key for anything else.
    gift = world.client.post(world.url("/gifts"), json=gift_body(world), headers=keyed(world, "member", k))
    assert gift.status_code == 201, gift.text
    organisation_gift = {
        "from_account_id": world.account_ids["organisation"],
        "to_account_id": world.account_ids["member"],
        "minutes": 15,
    }
    by_key = world.client.post(
        world.url("/gifts"), json=organisation_gift, headers=keyed(world, "organisation_key", k)
    )
    assert by_key.status_code == 201, by_key.text
    assert counts(world.engine, world.timebank_id, "exchanges", "idempotency_keys") == {
        "exchanges": 2,
        "idempotency_keys": 4,
    }

    # A second token of the coordinator's login is the same caller: its request replays.
    token = log_in(world.engine, world.usernames["coordinator"], PASSWORD).access_token
    state = everything(world)
    again = world.client.post(
        world.url("/exchanges"), json=body, headers={"Authorization": f"Bearer {token}", "Idempotency-Key": k}
    )
    assert again.status_code == 201
    assert again.content == by_coordinator.content
    assert everything(world) == state


def test_a_refusal_is_replayed_as_the_keys_answer(world: World) -> None:
    """The first answer is final, a refusal included, so a late first attempt cannot succeed after it."""
    k = key()
    timebanks = (world.timebank_id, world.other_timebank_id)
    ledger = snapshot(world.engine, timebanks, ignore=("idempotency_keys",))
    keys = counts(world.engine, world.timebank_id, "idempotency_keys")["idempotency_keys"]
    too_much = world.client.post(
        world.url("/gifts"), json=gift_body(world, minutes=10 * 60 + 1), headers=keyed(world, "member", k)
    )
    assert too_much.status_code == 409, too_much.text
    assert too_much.json()["code"] == "balance_below_floor"
    # Nothing in the ledger moved; only the answer was recorded, under the key.
    assert snapshot(world.engine, timebanks, ignore=("idempotency_keys",)) == ledger
    assert counts(world.engine, world.timebank_id, "idempotency_keys")["idempotency_keys"] == keys + 1

    # The member's floor is lowered, so the same gift would now go through; under the same key it
    # is still refused, with the very same bytes.
    lowered = world.client.put(
        world.url(f"/accounts/{world.account_ids['member']}/limits"),
        json={"floor_minutes": -1200},
        headers=world.headers["coordinator"],
    )
    assert lowered.status_code == 200, lowered.text
    again = world.client.post(
        world.url("/gifts"), json=gift_body(world, minutes=10 * 60 + 1), headers=keyed(world, "member", k)
    )
    assert (again.status_code, again.content) == (too_much.status_code, too_much.content)

    renewed = world.client.post(
        world.url("/gifts"), json=gift_body(world, minutes=10 * 60 + 1), headers=keyed(world, "member", key())
    )
    assert renewed.status_code == 201, renewed.text


# --- concurrency ---------------------------------------------------------------------------------


CONCURRENT = 20


async def _all_at_once(w: World, path: str, body: dict[str, Any], headers: dict[str, str]) -> list[Response]:
    # Through the ASGI app itself: the sync routes run on the app's thread pool, so the requests
    # reach the database together, as from many clients.
    transport = httpx.ASGITransport(app=w.client.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        return list(
            await asyncio.gather(*(client.post(path, json=body, headers=headers) for _ in range(CONCURRENT)))
        )


@pytest.mark.parametrize("operation", ["record_exchange", "give_credits"])
def test_concurrent_requests_with_one_key_make_one_write(world: World, operation: str) -> None:
    k = key()
    if operation == "record_exchange":
        path, body, headers = world.url("/exchanges"), exchange_body(world), keyed(world, "coordinator", k)
    else:
        path, body, headers = world.url("/gifts"), gift_body(world), keyed(world, "member", k)
    before = counts(world.engine, world.timebank_id, *LEDGER_TABLES)
    balances_before = {
        role: world.client.get(
            world.url(f"/accounts/{world.account_ids[role]}"), headers=world.headers[role]
        ).json()
        for role in ("member", "other_member")
    }

    answers = asyncio.run(_all_at_once(world, path, body, headers))

    created = [a for a in answers if a.status_code == 201]
    in_flight = [a for a in answers if a.status_code == 409]
    assert created, [a.text for a in answers]
    assert len(created) + len(in_flight) == CONCURRENT, [a.text for a in answers]
    assert {a.content for a in created} == {created[0].content}
    for answer in in_flight:
        assert answer.json()["code"] == "idempotency_key_in_flight"
        assert answer.headers["content-type"] == "application/problem+json"
        assert int(answer.headers["Retry-After"]) >= 1
    if world.engine.dialect.name == "sqlite":
        # One writer at a time: each duplicate starts after the first committed, and replays.
        assert not in_flight

    after = counts(world.engine, world.timebank_id, *LEDGER_TABLES)
    expected = {"record_exchange": {"exchanges": 1}, "give_credits": {"exchanges": 0}}[operation]
    assert {t: after[t] - before[t] for t in LEDGER_TABLES} == {
        **expected,
        "transactions": 1,
        "transfers": 1,
        "idempotency_keys": 1,
    }
    minutes = 60 if operation == "record_exchange" else 30
    sign = 1 if operation == "record_exchange" else -1  # the member gives help, or gives credits
    for role, direction in (("member", sign), ("other_member", -sign)):
        account = world.client.get(
            world.url(f"/accounts/{world.account_ids[role]}"), headers=world.headers[role]
        )
        assert (
            account.json()["balance_minutes"]
            == balances_before[role]["balance_minutes"] + direction * minutes
        )

    # Those told to retry get the one answer when they do.
    retried = world.client.post(path, json=body, headers=headers)
    assert retried.status_code == 201
    assert retried.content == created[0].content
