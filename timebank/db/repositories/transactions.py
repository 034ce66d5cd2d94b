"""Ledger transactions: append-only headers that group the transfers written together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select

from timebank.db.tables import transactions
from timebank.errors import TransactionNotFound
from timebank.ledger.types import TransactionKind

__all__ = ["TransactionRepository", "TransactionRow"]

_INSERT = insert(transactions).returning(transactions.c.id)


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
                "reason": reason,
                "note": note,
                "created_by": created_by,
                "created_at": created_at,
            },
        )
        return int(result.scalar_one())

    def get(self, timebank_id: int, transaction_id: int) -> TransactionRow:
        row = (
            self.connection.execute(
                select(transactions).where(
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
