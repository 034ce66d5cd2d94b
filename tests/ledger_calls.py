"""The exchange use cases called as the ledger's own tests speak: an ``Actor`` and plain values.

The use cases take a ``Caller`` (who is asking, as the edge resolves them) and one typed request.
The ledger's tests and property models speak of an ``Actor`` holding one account, and probe the
use cases' own checks with values no request type would let through (1.5 minutes, no receivers).
These functions build the caller from the actor and the request without the request type's checks
(``model_construct``), so that what each test reaches is the use case's own refusal, inside its
transaction, as before the requests were typed.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine

from timebank.exchanges import gifts, imports, lifecycle, listing, reversals
from timebank.exchanges.imports import ImportRow
from timebank.exchanges.requests import GiveCredits, ReceiverShareIn, RecordExchange, ReverseExchange
from timebank.exchanges.views import ExchangeView, ImportResult, TransactionView
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller

__all__ = [
    "caller_of",
    "cancel_exchange",
    "confirm_exchange",
    "decline_exchange",
    "get_exchange",
    "give_credits",
    "import_exchanges",
    "receiver_pairs",
    "record_exchange",
    "recording",
    "reverse_exchange",
    "reverse_transaction",
    "transfer_triples",
]


def caller_of(actor: Actor, timebank_id: int) -> Caller:
    """The caller an actor stands for: their one account, and a coordinator's rights if they have them."""
    return Caller(actor.caller, False, timebank_id, None, actor.account_id, actor.is_coordinator, frozenset())


def recording(
    giver_account_id: Any,
    receivers: Sequence[ReceiverShare],
    activity_date: Any,
    description: Any,
    category: Any = None,
) -> RecordExchange:
    """The request, unchecked: whatever the test sends reaches the use case."""
    shares = [ReceiverShareIn.model_construct(account_id=r.account_id, minutes=r.minutes) for r in receivers]
    return RecordExchange.model_construct(
        giver_account_id=giver_account_id,
        receivers=shares,
        activity_date=activity_date,
        description=description,
        category=category,
    )


def record_exchange(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    giver_account_id: int,
    receivers: Sequence[ReceiverShare],
    activity_date: date,
    description: str,
    category: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> ExchangeView:
    request = recording(giver_account_id, receivers, activity_date, description, category)
    return lifecycle.record_exchange(
        engine, timebank_id, caller_of(actor, timebank_id), request, idempotency_key=idempotency_key
    )


def confirm_exchange(
    engine: Engine, timebank_id: int, actor: Actor, exchange_id: int, *, idempotency_key: str | None = None
) -> ExchangeView:
    return lifecycle.confirm_exchange(
        engine, timebank_id, caller_of(actor, timebank_id), exchange_id, idempotency_key=idempotency_key
    )


def decline_exchange(engine: Engine, timebank_id: int, actor: Actor, exchange_id: int) -> ExchangeView:
    return lifecycle.decline_exchange(engine, timebank_id, caller_of(actor, timebank_id), exchange_id)


def cancel_exchange(engine: Engine, timebank_id: int, actor: Actor, exchange_id: int) -> ExchangeView:
    return lifecycle.cancel_exchange(engine, timebank_id, caller_of(actor, timebank_id), exchange_id)


def reverse_exchange(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    exchange_id: int,
    reason: Any,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    return reversals.reverse_exchange(
        engine,
        timebank_id,
        caller_of(actor, timebank_id),
        exchange_id,
        ReverseExchange.model_construct(reason=reason),
        idempotency_key=idempotency_key,
    )


def reverse_transaction(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    transaction_id: int,
    reason: Any,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    return reversals.reverse_transaction(
        engine,
        timebank_id,
        caller_of(actor, timebank_id),
        transaction_id,
        ReverseExchange.model_construct(reason=reason),
        idempotency_key=idempotency_key,
    )


def give_credits(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    from_account_id: Any,
    to_account_id: Any,
    minutes: Any,
    note: Any = None,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    request = GiveCredits.model_construct(
        from_account_id=from_account_id, to_account_id=to_account_id, minutes=minutes, note=note
    )
    return gifts.give_credits(
        engine, timebank_id, caller_of(actor, timebank_id), request, idempotency_key=idempotency_key
    )


def get_exchange(engine: Engine, timebank_id: int, exchange_id: int) -> ExchangeView:
    """The exchange as a coordinator reads it."""
    return listing.read_exchange(engine, timebank_id, Caller.coordinator_of(timebank_id), exchange_id)


def import_exchanges(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    rows: Sequence[ImportRow],
    *,
    idempotency_key: str | None = None,
) -> ImportResult:
    return imports.import_exchanges(
        engine, timebank_id, caller_of(actor, timebank_id), rows, idempotency_key=idempotency_key
    )


def receiver_pairs(exchange: ExchangeView) -> tuple[tuple[int, int], ...]:
    """(account, minutes) per receiver, as the ledger's tests compare them."""
    return tuple((r.account_id, r.minutes) for r in exchange.receivers)


def transfer_triples(transaction: TransactionView) -> tuple[tuple[int, int, int], ...]:
    """(source, target, minutes) per transfer, as the ledger's tests compare them."""
    return tuple((t.source_account_id, t.target_account_id, t.minutes) for t in transaction.transfers)
