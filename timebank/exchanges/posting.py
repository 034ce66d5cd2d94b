"""Posting a transaction: lock, check, write — the one path by which credits move.

Every use case that moves credits (exchanges, gifts, reversals) comes through ``post_transaction``.
It locks the accounts in ascending id order, lets the pure rules decide, and only then writes the
transaction header, the account counters and the transfer rows. The time is read after the locks are
held, so on each account posting order and ``posted_at`` agree, which keeps running balances and
past balances consistent (L10).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from timebank.clock import utc_now
from timebank.db.repositories import TimebankSettings
from timebank.db.unit_of_work import UnitOfWork
from timebank.exchanges.views import TransferView
from timebank.ledger import rules
from timebank.ledger.types import AccountState, PostedTransfer, TransactionKind, TransferIntent

__all__ = ["Posting", "post_transaction"]


@dataclass(frozen=True)
class Posting:
    transaction_id: int
    transfers: tuple[PostedTransfer, ...]
    posted_at: datetime

    def transfer_views(self) -> tuple[TransferView, ...]:
        return tuple(
            TransferView(
                source_account_id=t.source_account_id,
                target_account_id=t.target_account_id,
                minutes=t.minutes,
            )
            for t in self.transfers
        )


def post_transaction(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    kind: TransactionKind,
    intents: Sequence[TransferIntent],
    created_by: str,
    *,
    limit_minutes: int | None = None,
    reverses_transaction_id: int | None = None,
    reason: str | None = None,
    note: str | None = None,
    locked: Mapping[int, AccountState] | None = None,
) -> Posting:
    """Post ``intents`` as one transaction, or raise the broken rule having written nothing.

    ``locked`` passes accounts the caller has already locked in this transaction.
    """
    assert intents, "a transaction has at least one transfer"
    account_ids = {i.source_account_id for i in intents} | {i.target_account_id for i in intents}
    if locked is None or not account_ids <= locked.keys():
        locked = uow.accounts.lock(timebank.timebank_id, account_ids)
    changed, posted = rules.post(
        locked,
        intents,
        timebank.minutes_per_transfer_max if limit_minutes is None else limit_minutes,
    )
    posted_at = utc_now()
    transaction_id = uow.transactions.insert(
        timebank.timebank_id,
        kind,
        created_by,
        posted_at,
        reverses_transaction_id=reverses_transaction_id,
        reason=reason,
        note=note,
    )
    uow.accounts.save(locked, changed.values())
    uow.transfers.insert_many(timebank.timebank_id, transaction_id, posted, posted_at)
    return Posting(transaction_id, tuple(posted), posted_at)
