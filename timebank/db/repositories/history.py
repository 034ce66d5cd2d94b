"""Writing a timebank's history at once: many exchanges, each with its transaction, receiver and transfer.

An import of history (``timebank.exchanges.imports``) checks every row and replays them through
the ledger's rules first; this writes what the replay posted, in bulk (ids reserved in blocks,
rows in chunks: ``BulkWriter``), and answers the new exchanges' ids. Each row is one exchange with
one receiver, confirmed. Its transaction carries no text of its own: the exchange's description
says what it was for.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import Connection

from timebank.db.repositories.bulk import BulkWriter
from timebank.db.tables import exchange_receivers, exchanges, transactions, transfers
from timebank.ledger.types import PostedTransfer

__all__ = ["ANALYZE_AFTER_ROWS", "HistoryRow", "HistoryWriter"]

# An import this large changes the tables' size enough to mislead the query planner.
ANALYZE_AFTER_ROWS = 10_000


class HistoryRow(Protocol):
    """One exchange of the history: a giver helped one receiver for some minutes on a day."""

    @property
    def giver_account_id(self) -> int: ...
    @property
    def receiver_account_id(self) -> int: ...
    @property
    def minutes(self) -> int: ...
    @property
    def activity_date(self) -> date: ...
    @property
    def description(self) -> str: ...
    @property
    def category(self) -> str | None: ...


class HistoryWriter:
    def __init__(self, connection: Connection) -> None:
        self.bulk = BulkWriter(connection)

    def write(
        self,
        timebank_id: int,
        created_by: str,
        rows: Sequence[HistoryRow],
        posted: Sequence[PostedTransfer],
        now: datetime,
    ) -> Sequence[int]:
        """Write the rows as confirmed exchanges with the transfers the replay posted; their ids."""
        count = len(rows)
        tb = timebank_id
        transaction_ids = self.bulk.reserve_ids(transactions, count)
        exchange_ids = self.bulk.reserve_ids(exchanges, count)
        transfer_ids = self.bulk.reserve_ids(transfers, count)
        self.bulk.insert(transactions, _transaction_rows(tb, transaction_ids, created_by, now))
        self.bulk.insert(exchanges, _exchange_rows(tb, exchange_ids, transaction_ids, rows, created_by, now))
        self.bulk.insert(exchange_receivers, _receiver_rows(tb, exchange_ids, rows))
        self.bulk.insert(transfers, _transfer_rows(tb, transfer_ids, transaction_ids, posted, now))
        if count >= ANALYZE_AFTER_ROWS:
            self.bulk.refresh_statistics([transactions, exchanges, exchange_receivers, transfers])
        return exchange_ids


def _transaction_rows(tb: int, ids: Sequence[int], caller: str, now: datetime) -> Iterator[dict[str, Any]]:
    for transaction_id in ids:
        yield {
            "id": transaction_id,
            "timebank_id": tb,
            "kind": "exchange",
            "reverses_transaction_id": None,
            "created_by": caller,
            "created_at": now,
        }


def _exchange_rows(
    tb: int,
    ids: Sequence[int],
    transaction_ids: Sequence[int],
    rows: Sequence[HistoryRow],
    created_by: str,
    now: datetime,
) -> Iterator[dict[str, Any]]:
    for exchange_id, transaction_id, row in zip(ids, transaction_ids, rows, strict=True):
        yield {
            "id": exchange_id,
            "timebank_id": tb,
            "giver_account_id": row.giver_account_id,
            "status": "confirmed",
            "activity_date": row.activity_date,
            "description": row.description,
            "category": row.category,
            "recorded_by": created_by,
            "recorded_by_account_id": None,
            "giver_consent_needed": False,
            "giver_consented_at": None,
            "transaction_id": transaction_id,
            "reversal_transaction_id": None,
            "created_at": now,
            "decided_at": now,
        }


def _receiver_rows(
    tb: int, exchange_ids: Sequence[int], rows: Sequence[HistoryRow]
) -> Iterator[dict[str, Any]]:
    for exchange_id, row in zip(exchange_ids, rows, strict=True):
        yield {
            "exchange_id": exchange_id,
            "account_id": row.receiver_account_id,
            "timebank_id": tb,
            "minutes": row.minutes,
            "consent_needed": False,
            "consented_at": None,
        }


def _transfer_rows(
    tb: int,
    ids: Sequence[int],
    transaction_ids: Sequence[int],
    posted: Sequence[PostedTransfer],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    for transfer_id, transaction_id, p in zip(ids, transaction_ids, posted, strict=True):
        yield {
            "id": transfer_id,
            "timebank_id": tb,
            "transaction_id": transaction_id,
            "source_account_id": p.source_account_id,
            "target_account_id": p.target_account_id,
            "minutes": p.minutes,
            "source_balance_after_minutes": p.source_balance_after_minutes,
            "target_balance_after_minutes": p.target_balance_after_minutes,
            "posted_at": now,
        }
