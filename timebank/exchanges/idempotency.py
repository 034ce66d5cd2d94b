"""Run a keyed write at most once: a replay returns the first answer and creates nothing (L7).

The key is scoped to the timebank and the caller. The request is reduced to a canonical JSON text
and hashed; the same key with a different request is refused with ``idempotency_key_reused``. The
record is written in the same database transaction as the work, so either both exist or neither.

The first answer is final, a refusal included, when the refusal came from the state the request
met: the exchange was no longer pending, a balance would cross its floor or cap. Such a refusal is
recorded under the key, and every later request with that key gets the same refusal. Were it to
leave the key unused, a client whose first attempt was slow to arrive (a retry overtook it, after a
timeout or a lost connection) could be told "refused" by the retry and then have the first attempt
succeed behind its back, once the state had moved on: the bank workload found exactly that
(tests/reliability). The work's transaction is rolled back and the refusal is recorded alone in a
new one, after claiming the key again: if a slow attempt answered it in between, its answer stands.
(A savepoint around the work would say the same more simply, but it costs every successful write a
SAVEPOINT and a RELEASE; this costs only the refusals.)

A request that is wrong in itself (``InvalidRequest``), names what is not there (``NotFound``) or
asks what its caller may not do (``NotAllowed``) is refused whichever attempt arrives first, so its
refusal records nothing and leaves the database exactly as it was.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, Protocol, Self, TypeVar

from sqlalchemy.exc import IntegrityError

from timebank.clock import utc_now
from timebank.db.repositories.idempotency import IdempotencyRecord
from timebank.db.unit_of_work import UnitOfWork, ledger_error_for
from timebank.errors import LimitBreached, StateConflict, TimebankError, all_error_codes
from timebank.exchanges.errors import IdempotencyKeyInFlight, IdempotencyKeyReused, ImportRejected, RowError
from timebank.ledger.errors import TextTooLong

__all__ = ["IDEMPOTENCY_KEY_LENGTH_MAX", "RECORDED_REFUSALS", "once"]

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
    caller: str,
    key: str | None,
    operation: str,
    request: dict[str, Any],
    view_type: type[V],
    work: Callable[[], V],
) -> V:
    """Do ``work`` unless this key was seen; then answer as the first time (or refuse a new body).

    If ``work`` is refused for the state it met, the refusal is recorded under the key, the unit of
    work is committed (with nothing else in it) and the refusal is raised; the caller's own
    ``commit()`` is not reached.
    """
    if key is None:
        return work()
    if len(key) > IDEMPOTENCY_KEY_LENGTH_MAX:
        raise TextTooLong(f"An idempotency key may be at most {IDEMPOTENCY_KEY_LENGTH_MAX} characters")
    digest = request_sha256(operation, request)
    found = _claim(uow, timebank_id, caller, key)
    if found is not None:
        return _first_answer(found, digest, view_type)
    try:
        view = work()
    except (TimebankError, IntegrityError) as raised:
        refusal = ledger_error_for(raised) if isinstance(raised, IntegrityError) else raised
        if not isinstance(refusal, RECORDED_REFUSALS):
            if isinstance(raised, IntegrityError) and refusal is not None:
                raise refusal from raised
            raise
        uow.restart()
        found = _claim(uow, timebank_id, caller, key)
        if found is not None:
            return _first_answer(found, digest, view_type)
        record = json.dumps({_REFUSED: _refusal_to_json(refusal)})
        uow.idempotency.insert(timebank_id, caller, key, operation, digest, record, utc_now())
        uow.commit()
        if refusal is raised:
            raise
        raise refusal from raised
    uow.idempotency.insert(
        timebank_id,
        caller,
        key,
        operation,
        digest,
        json.dumps(view.to_json()),
        utc_now(),
    )
    return view


def _claim(uow: UnitOfWork, timebank_id: int, caller: str, key: str) -> IdempotencyRecord | None:
    """Claim the key for this transaction (PostgreSQL: refuse if another holds it); its record, if any."""
    if not uow.idempotency.try_claim(timebank_id, caller, key):
        raise IdempotencyKeyInFlight("A request with this idempotency key is still running; retry shortly")
    return uow.idempotency.find(timebank_id, caller, key)


def _first_answer(found: IdempotencyRecord, digest: str, view_type: type[V]) -> V:
    """The first answer given under the key: its view, or its refusal raised again."""
    if found.request_sha256 != digest:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different request; use a new key"
        )
    first = json.loads(found.response_json)
    if _REFUSED in first:
        raise _refusal_from_json(first[_REFUSED])
    return view_type.from_json(first)


# The refusals that depend on the state a request meets, which a later attempt might not meet.
RECORDED_REFUSALS = (StateConflict, LimitBreached)

_REFUSED = "refused"  # the key of a recorded refusal; no view has a field of that name


def _refusal_to_json(refusal: TimebankError) -> dict[str, Any]:
    data: dict[str, Any] = {"code": refusal.code, "detail": refusal.detail}
    if isinstance(refusal, ImportRejected):
        data["rows"] = [{"row": e.row, "code": e.code, "detail": e.detail} for e in refusal.errors]
    return data


def _refusal_from_json(data: dict[str, Any]) -> TimebankError:
    error_class = all_error_codes().get(data["code"], TimebankError)
    if issubclass(error_class, ImportRejected):
        return error_class([RowError(**row) for row in data.get("rows", [])])
    return error_class(data["detail"])
