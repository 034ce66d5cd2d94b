"""Transfer rows: written in bulk, read back as statements and past balances.

A statement lists an account's transfers newest first with the balance after each. Pages are cut
with a keyset cursor on ``(posted_at, id)`` over the per-side indexes, never with OFFSET, so the
thousandth page costs what the first does. The balance at a past moment is the balance-after of the
account's last transfer at or before it: one descent of each side's index.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, insert, literal, or_, select, union_all

from timebank.db.tables import transactions, transfers
from timebank.ledger.invariants import StoredTransfer
from timebank.ledger.types import PostedTransfer, TransactionKind

__all__ = ["StatementRow", "TransferRepository"]

_INSERT = insert(transfers)


@dataclass(frozen=True)
class StatementRow:
    """One line of an account's statement, seen from that account."""

    transfer_id: int
    transaction_id: int
    kind: TransactionKind
    counterparty_account_id: int
    minutes: int  # positive when credits came in, negative when they went out
    balance_after_minutes: int
    posted_at: datetime


class TransferRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert_many(
        self,
        timebank_id: int,
        transaction_id: int,
        posted: Sequence[PostedTransfer],
        posted_at: datetime,
    ) -> None:
        self.connection.execute(
            _INSERT,
            [
                {
                    "timebank_id": timebank_id,
                    "transaction_id": transaction_id,
                    "source_account_id": p.source_account_id,
                    "target_account_id": p.target_account_id,
                    "minutes": p.minutes,
                    "source_balance_after_minutes": p.source_balance_after_minutes,
                    "target_balance_after_minutes": p.target_balance_after_minutes,
                    "posted_at": posted_at,
                }
                for p in posted
            ],
        )

    def for_transaction(self, timebank_id: int, transaction_id: int) -> list[PostedTransfer]:
        rows = self.connection.execute(
            select(transfers)
            .where(
                transfers.c.timebank_id == timebank_id,
                transfers.c.transaction_id == transaction_id,
            )
            .order_by(transfers.c.id)
        ).mappings()
        return [
            PostedTransfer(
                source_account_id=r["source_account_id"],
                target_account_id=r["target_account_id"],
                minutes=r["minutes"],
                source_balance_after_minutes=r["source_balance_after_minutes"],
                target_balance_after_minutes=r["target_balance_after_minutes"],
            )
            for r in rows
        ]

    def statement(
        self,
        timebank_id: int,
        account_id: int,
        before: tuple[datetime, int] | None,
        limit: int,
    ) -> list[StatementRow]:
        """Up to ``limit`` lines strictly older than the ``before`` cursor, newest first."""
        t = transfers
        sides = []
        for side, own, other, balance, sign in (
            (
                "out",
                t.c.source_account_id,
                t.c.target_account_id,
                t.c.source_balance_after_minutes,
                -1,
            ),
            (
                "in",
                t.c.target_account_id,
                t.c.source_account_id,
                t.c.target_balance_after_minutes,
                1,
            ),
        ):
            conditions = [own == account_id, t.c.timebank_id == timebank_id]
            if before is not None:
                posted_at, transfer_id = before
                conditions.append(
                    or_(
                        t.c.posted_at < posted_at,
                        and_(t.c.posted_at == posted_at, t.c.id < transfer_id),
                    )
                )
            sides.append(
                select(
                    t.c.id.label("transfer_id"),
                    t.c.transaction_id,
                    other.label("counterparty_account_id"),
                    (t.c.minutes * literal(sign)).label("minutes"),
                    balance.label("balance_after_minutes"),
                    t.c.posted_at,
                )
                .where(*conditions)
                .order_by(t.c.posted_at.desc(), t.c.id.desc())
                .limit(limit)
                .subquery(side)
            )
        both = union_all(select(sides[0]), select(sides[1])).subquery("lines")
        rows = self.connection.execute(
            select(both, transactions.c.kind)
            .join(transactions, transactions.c.id == both.c.transaction_id)
            .order_by(both.c.posted_at.desc(), both.c.transfer_id.desc())
            .limit(limit)
        ).mappings()
        return [
            StatementRow(
                transfer_id=r["transfer_id"],
                transaction_id=r["transaction_id"],
                kind=TransactionKind(r["kind"]),
                counterparty_account_id=r["counterparty_account_id"],
                minutes=r["minutes"],
                balance_after_minutes=r["balance_after_minutes"],
                posted_at=r["posted_at"],
            )
            for r in rows
        ]

    def balance_at(self, account_id: int, at: datetime) -> int:
        """The account's balance just after its last transfer posted at or before ``at``."""
        t = transfers
        best: tuple[datetime, int, int] | None = None
        for own, balance in (
            (t.c.source_account_id, t.c.source_balance_after_minutes),
            (t.c.target_account_id, t.c.target_balance_after_minutes),
        ):
            row = self.connection.execute(
                select(t.c.posted_at, t.c.id, balance)
                .where(own == account_id, t.c.posted_at <= at)
                .order_by(t.c.posted_at.desc(), t.c.id.desc())
                .limit(1)
            ).first()
            if row is not None and (best is None or (row[0], row[1]) > (best[0], best[1])):
                best = (row[0], row[1], row[2])
        return 0 if best is None else best[2]

    def all_in_timebank(self, timebank_id: int) -> list[StoredTransfer]:
        rows = self.connection.execute(
            select(transfers).where(transfers.c.timebank_id == timebank_id).order_by(transfers.c.id)
        ).mappings()
        return [
            StoredTransfer(
                transfer_id=r["id"],
                timebank_id=r["timebank_id"],
                source_account_id=r["source_account_id"],
                target_account_id=r["target_account_id"],
                minutes=r["minutes"],
                source_balance_after_minutes=r["source_balance_after_minutes"],
                target_balance_after_minutes=r["target_balance_after_minutes"],
            )
            for r in rows
        ]
