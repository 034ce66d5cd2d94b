"""The ledger's writes on behalf of an authenticated caller.

A caller may hold more than one account: a member's own, and the accounts of the organisations they
are staff of. The ledger's rules speak of one ``Actor`` holding one account, so each write here
picks the account the caller acts for: the payer's when recording (that is where consent is
needed), the one awaiting consent when confirming or declining. A coordinator acts for anyone.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.gifts import give_credits
from timebank.exchanges.lifecycle import cancel_exchange, confirm_exchange, decline_exchange, record_exchange
from timebank.exchanges.reversals import reverse_exchange
from timebank.exchanges.views import ExchangeView, TransactionView
from timebank.ledger.types import ReceiverShare
from timebank.people.callers import Caller

__all__ = ["cancel_as", "confirm_as", "decline_as", "give_as", "record_as", "reverse_as"]


def record_as(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    giver_account_id: int,
    receivers: Sequence[ReceiverShare],
    activity_date: date,
    description: str,
    category: str | None,
    idempotency_key: str | None,
) -> ExchangeView:
    # Payers first: a staff member recording help their organisation received consents for it.
    parties = [r.account_id for r in receivers] + [giver_account_id]
    actor = caller.actor(timebank_id, parties)
    return record_exchange(
        engine,
        timebank_id,
        actor,
        giver_account_id,
        receivers,
        activity_date,
        description,
        category,
        idempotency_key=idempotency_key,
    )


def _parties_awaiting_first(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> list[int]:
    if caller.is_coordinator or len(caller.account_ids) <= 1:
        return sorted(caller.account_ids)

    # A hint only: the write re-reads the exchange under lock and refuses if it changed meanwhile.
    def read(uow: UnitOfWork) -> list[int]:
        exchange = uow.exchanges.get(timebank_id, exchange_id)
        parties = [exchange.giver_account_id, *(r.account_id for r in exchange.receivers)]
        return sorted(exchange.awaiting_consent_from) + parties

    caller.check_timebank(timebank_id)
    found: list[int] = run(engine, read, write=False)
    return found


def confirm_as(
    engine: Engine, timebank_id: int, caller: Caller, exchange_id: int, idempotency_key: str | None
) -> ExchangeView:
    actor = caller.actor(timebank_id, _parties_awaiting_first(engine, timebank_id, caller, exchange_id))
    return confirm_exchange(engine, timebank_id, actor, exchange_id, idempotency_key=idempotency_key)


def decline_as(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeView:
    actor = caller.actor(timebank_id, _parties_awaiting_first(engine, timebank_id, caller, exchange_id))
    return decline_exchange(engine, timebank_id, actor, exchange_id)


def cancel_as(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeView:
    return cancel_exchange(engine, timebank_id, caller.actor(timebank_id), exchange_id)


def reverse_as(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    exchange_id: int,
    reason: str,
    idempotency_key: str | None,
) -> TransactionView:
    return reverse_exchange(
        engine, timebank_id, caller.actor(timebank_id), exchange_id, reason, idempotency_key=idempotency_key
    )


def give_as(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    from_account_id: int,
    to_account_id: int,
    minutes: int,
    note: str | None,
    idempotency_key: str | None,
) -> TransactionView:
    actor = caller.actor(timebank_id, [from_account_id])
    return give_credits(
        engine,
        timebank_id,
        actor,
        from_account_id,
        to_account_id,
        minutes,
        note,
        idempotency_key=idempotency_key,
    )
