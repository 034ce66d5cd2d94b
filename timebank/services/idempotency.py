"""Run a keyed write at most once: a replay returns the first answer and creates nothing (L7).

The key is scoped to the timebank and the caller. The request is reduced to a canonical JSON text
and hashed; the same key with a different request is refused with ``idempotency_key_reused``. The
record is written in the same database transaction as the work, so either both exist or neither.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Protocol, Self, TypeVar

from timebank.db.unit_of_work import UnitOfWork
from timebank.ledger.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, TextTooLong
from timebank.ledger.types import Actor
from timebank.services.clock import utc_now

__all__ = ["IDEMPOTENCY_KEY_LENGTH_MAX", "once"]

IDEMPOTENCY_KEY_LENGTH_MAX = 200


class _JsonView(Protocol):
    def to_json(self) -> dict[str, Any]: ...

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self: ...


V = TypeVar("V", bound=_JsonView)


def request_sha256(operation: str, request: dict[str, Any]) -> str:
    canonical = json.dumps([operation, request], sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def once(
    uow: UnitOfWork,
    timebank_id: int,
    actor: Actor,
    key: str | None,
    operation: str,
    request: dict[str, Any],
    view_type: type[V],
    work: Callable[[], V],
) -> V:
    """Do ``work`` unless this key was seen; then answer as the first time (or refuse a new body)."""
    if key is None:
        return work()
    if len(key) > IDEMPOTENCY_KEY_LENGTH_MAX:
        raise TextTooLong(f"An idempotency key may be at most {IDEMPOTENCY_KEY_LENGTH_MAX} characters")
    digest = request_sha256(operation, request)
    if not uow.idempotency.try_claim(timebank_id, actor.caller, key):
        raise IdempotencyKeyInFlight("A request with this idempotency key is still running; retry shortly")
    found = uow.idempotency.find(timebank_id, actor.caller, key)
    if found is not None:
        if found.request_sha256 != digest:
            raise IdempotencyKeyReused(
                "This idempotency key was already used for a different request; use a new key"
            )
        return view_type.from_json(json.loads(found.response_json))
    view = work()
    uow.idempotency.insert(
        timebank_id,
        actor.caller,
        key,
        operation,
        digest,
        json.dumps(view.to_json()),
        utc_now(),
    )
    return view
