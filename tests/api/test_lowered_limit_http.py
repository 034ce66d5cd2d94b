"""A timebank that lowers its limit on one transfer: what was agreed above it no longer posts.

The limit (``minutes_per_transfer_max``) is checked when credits move, not only when an exchange
is recorded or an option offered. An exchange recorded within the old limit and confirmed after it
was lowered, and an option offered within it and spent after, are refused with 422
``minutes_above_transfer_limit``, and nothing changes. Found by schemathesis; these rows also hold
the contract's list of each operation's refusals to it (``TIMEBANK_STRICT_PROBLEMS``).
"""

from __future__ import annotations

from .conftest import World
from .test_idempotency_http import everything, key, keyed, pending_exchange


def _lower_the_limit_to_half_an_hour(world: World) -> None:
    answer = world.client.patch(
        world.url(""), json={"minutes_per_transfer_max": 30}, headers=world.headers["coordinator"]
    )
    assert answer.status_code == 200, answer.text


def test_an_exchange_above_the_lowered_limit_is_not_confirmed(world: World) -> None:
    pending = pending_exchange(world)  # an hour, recorded under the default limit of 24 hours
    _lower_the_limit_to_half_an_hour(world)
    before = everything(world)

    answer = world.client.post(
        world.url(f"/exchanges/{pending}/confirm"), headers=keyed(world, "other_member", key())
    )

    assert (answer.status_code, answer.json()["code"]) == (422, "minutes_above_transfer_limit")
    assert everything(world) == before


def test_an_option_above_the_lowered_limit_is_not_spent(world: World) -> None:
    option = world.client.post(
        world.url(f"/organisations/{world.organisation_id}/spend-options"),
        json={"title": "Swimming session", "minutes": 45, "spend_class": "community_activity"},
        headers=world.headers["coordinator"],
    )
    assert option.status_code == 201, option.text
    _lower_the_limit_to_half_an_hour(world)
    before = everything(world)

    answer = world.client.post(
        world.url(f"/spend-options/{option.json()['id']}/spends"),
        json={"account_id": world.account_ids["member"]},
        headers=keyed(world, "member", key()),
    )

    assert (answer.status_code, answer.json()["code"]) == (422, "minutes_above_transfer_limit")
    assert everything(world) == before
