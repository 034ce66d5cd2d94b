"""Ledger transactions: append-only headers that group the transfers written together.

A transaction's free text (a reversal's reason, a gift's note) is written beside it, in
``transaction_texts``, never on the append-only row itself: text a person typed may have to be
erased, and an append-only row cannot be changed (``timebank.db.tables``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from timebank.db.tables import transaction_texts, transactions
from timebank.errors import TransactionNotFound
from timebank.ledger.types import TransactionKind

__all__ = ["TransactionRepository", "TransactionRow"]

_INSERT = insert(transactions).returning(transactions.c.id)
_INSERT_TEXT = insert(transaction_texts)
_WITH_TEXT = select(transactions, transaction_texts.c.reason, transaction_texts.c.note).outerjoin(
    transaction_texts, transaction_texts.c.transaction_id == transactions.c.id
)


@dataclass(frozen=True)
class TransactionRow:
    transaction_id: int
    timebank_id: int
    kind: TransactionKind
    reverses_transaction_id: int | None
    reason: str | None
    note: str | None
    created_by: str
    created_at: datetime


class TransactionRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        kind: TransactionKind,
        created_by: str,
        created_at: datetime,
        *,
        reverses_transaction_id: int | None = None,
        reason: str | None = None,
        note: str | None = None,
    ) -> int:
        result = self.connection.execute(
            _INSERT,
            {
                "timebank_id": timebank_id,
                "kind": kind.value,
                "reverses_transaction_id": reverses_transaction_id,
                "created_by": created_by,
                "created_at": created_at,
            },
        )
        transaction_id = int(result.scalar_one())
        if reason is not None or note is not None:
            self.connection.execute(
                _INSERT_TEXT,
                {
                    "transaction_id": transaction_id,
                    "timebank_id": timebank_id,
                    "reason": reason,
                    "note": note,
                },
            )
        return transaction_id

    def get(self, timebank_id: int, transaction_id: int) -> TransactionRow:
        row = (
            self.connection.execute(
                _WITH_TEXT.where(
                    transactions.c.timebank_id == timebank_id, transactions.c.id == transaction_id
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise TransactionNotFound(f"There is no transaction {transaction_id} in this timebank")
        return TransactionRow(
            transaction_id=row["id"],
            timebank_id=row["timebank_id"],
            kind=TransactionKind(row["kind"]),
            reverses_transaction_id=row["reverses_transaction_id"],
            reason=row["reason"],
            note=row["note"],
            created_by=row["created_by"],
            created_at=row["created_at"],
        )

    def reversal_of(self, transaction_id: int) -> int | None:
        return self.connection.execute(
            select(transactions.c.id).where(transactions.c.reverses_transaction_id == transaction_id)
        ).scalar_one_or_none()
