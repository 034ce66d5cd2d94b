"""Correcting mistakes without rewriting history.

Nothing posted is ever changed or deleted. A coordinator corrects a posted exchange, gift or grant
by a reversal: a new transaction, pointing at the original, that moves the same minutes back the
other way, with a reason. Each transaction can be reversed once (a unique key on the pointer), and
a reversal is itself never reversed: to redo a corrected exchange, record it again. A reversal is
refused if it would take an account outside its limits, for instance if the giver has since spent
the credits and has no room left above their floor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import Engine

from timebank.db.repositories import TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import Posting, post_transaction
from timebank.exchanges.requests import ReverseExchange
from timebank.exchanges.views import TransactionView
from timebank.ledger import consent, rules
from timebank.ledger.errors import (
    CoordinatorRequired,
    ReasonRequired,
    ReversalCannotBeReversed,
    TransactionAlreadyReversed,
)
from timebank.ledger.limits import REASON_LENGTH_MAX
from timebank.ledger.types import Actor, ExchangeStatus, TransactionKind, TransferIntent
from timebank.people.callers import Caller

__all__ = ["reverse_exchange", "reverse_transaction"]


def _check_reason(reason: str) -> None:
    if not reason or not reason.strip():
        raise ReasonRequired("Say why this is being reversed")
    rules.check_text("reason", reason, REASON_LENGTH_MAX)


def _post_reversal(
    uow: UnitOfWork, timebank: TimebankSettings, actor: Actor, transaction_id: int, reason: str
) -> Posting:
    original = uow.transactions.get(timebank.timebank_id, transaction_id)
    if original.kind is TransactionKind.REVERSAL:
        raise ReversalCannotBeReversed("A reversal cannot be reversed; record the exchange again")
    if uow.transactions.reversal_of(transaction_id) is not None:
        raise TransactionAlreadyReversed(f"Transaction {transaction_id} was already reversed")
    mirrored = [
        TransferIntent(t.target_account_id, t.source_account_id, t.minutes)
        for t in uow.transfers.for_transaction(timebank.timebank_id, transaction_id)
    ]
    # The original already passed the per-transfer limit; a lower limit set since must not block
    # its correction, so only the hard ceiling applies.
    return post_transaction(
        uow,
        timebank,
        TransactionKind.REVERSAL,
        mirrored,
        actor.caller,
        limit_minutes=rules.MINUTES_PER_TRANSFER_MAX,
        reverses_transaction_id=transaction_id,
        reason=reason,
    )


def reverse_exchange(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    exchange_id: int,
    request: ReverseExchange,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    """Correct a confirmed exchange by posting its reversal, with a reason (a coordinator)."""
    actor = caller.actor(timebank_id)
    _check_reason(request.reason)

    def work(uow: UnitOfWork) -> TransactionView:
        return _reverse_exchange_in(uow, timebank_id, actor, exchange_id, request.reason)

    return _run_keyed(
        engine,
        timebank_id,
        actor,
        idempotency_key,
        "reverse_exchange",
        {"exchange_id": exchange_id, "reason": request.reason},
        work,
    )


def reverse_transaction(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    transaction_id: int,
    request: ReverseExchange,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    """Reverse a gift, donation or grant; an exchange's transaction is reversed via its exchange."""
    actor = caller.actor(timebank_id)
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can reverse a transaction")
    reason = request.reason
    _check_reason(reason)

    def work(uow: UnitOfWork) -> TransactionView:
        exchange_id = uow.exchanges.for_transaction(transaction_id)
        if exchange_id is not None:
            uow.transactions.get(timebank_id, transaction_id)  # not found across timebanks
            return _reverse_exchange_in(uow, timebank_id, actor, exchange_id, reason)
        timebank = uow.timebanks.get(timebank_id)
        posting = _post_reversal(uow, timebank, actor, transaction_id, reason)
        return TransactionView(
            transaction_id=posting.transaction_id,
            kind=TransactionKind.REVERSAL,
            transfers=posting.transfer_views(),
            reverses_transaction_id=transaction_id,
            reason=reason,
        )

    return _run_keyed(
        engine,
        timebank_id,
        actor,
        idempotency_key,
        "reverse_transaction",
        {"transaction_id": transaction_id, "reason": reason},
        work,
    )


def _reverse_exchange_in(
    uow: UnitOfWork, timebank_id: int, actor: Actor, exchange_id: int, reason: str
) -> TransactionView:
    timebank = uow.timebanks.get(timebank_id)
    exchange = uow.exchanges.get(timebank_id, exchange_id, for_update=True)
    consent.check_may_reverse(exchange, actor)
    assert exchange.transaction_id is not None
    posting = _post_reversal(uow, timebank, actor, exchange.transaction_id, reason)
    uow.exchanges.set_status(
        exchange_id,
        ExchangeStatus.REVERSED,
        posting.posted_at,
        reversal_transaction_id=posting.transaction_id,
    )
    # The report's running totals no longer count it (timebank.db.report_tables).
    uow.rollups.recount_exchanges(timebank_id, [exchange_id])
    return TransactionView(
        transaction_id=posting.transaction_id,
        kind=TransactionKind.REVERSAL,
        transfers=posting.transfer_views(),
        reverses_transaction_id=exchange.transaction_id,
        exchange_id=exchange_id,
        reason=reason,
    )


def _run_keyed(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    key: str | None,
    operation: str,
    request: dict[str, Any],
    work: Callable[[UnitOfWork], TransactionView],
) -> TransactionView:
    def use_case(uow: UnitOfWork) -> TransactionView:
        view = once(
            uow, timebank_id, actor.caller, key, operation, request, TransactionView, lambda: work(uow)
        )
        uow.commit()
        return view

    return run(engine, use_case)
