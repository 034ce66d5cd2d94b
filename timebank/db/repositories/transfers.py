"""Transfer rows: written in bulk, read back as statements and past balances.

A statement lists an account's transfers newest first with the balance after each. Pages are cut
with a keyset cursor on ``(posted_at, id)`` over the per-side indexes, never with OFFSET, so the
thousandth page costs what the first does. The balance at a past moment is the balance-after of the
account's last transfer at or before it: one descent of each side's index.

A statement line also says what it was for and with whom, read in the same query as the page: the
page's lines are cut first, and only those few are joined to what describes them (each join is on a
unique key or, for attendance, on the member's own index), so a page stays one query whatever the
history. What a line was for: an exchange's description and day; a recognition's activity, by title
and day; a gift's, donation's or grant's note. A reversal is described by what it reverses, and
carries its own reason (notes and reasons are kept beside the transactions, in
``transaction_texts``). With whom: a member by the name they go by now (the account's own name is
the one they joined with), an organisation by its name; the pot's kind is given, for the use case
to name it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Connection,
    RowMapping,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
)

from timebank.db.benefit_tables import activities, attendance
from timebank.db.people_tables import members, organisations
from timebank.db.tables import accounts, exchanges, transaction_texts, transactions, transfers
from timebank.ledger.invariants import StoredTransfer
from timebank.ledger.types import AccountKind, PostedTransfer, TransactionKind

__all__ = ["TRANSFERS_PER_BATCH", "StatementRow", "TransferRepository"]

_INSERT = insert(transfers)
# Rows fetched at once when transfers are streamed: a few megabytes of Python objects at most.
TRANSFERS_PER_BATCH = 5_000


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
    counterparty_kind: AccountKind
    counterparty_name: str
    # What it was for: for a reversal, what the reversed transaction was for.
    exchange_id: int | None  # the exchange whose transaction this is (or reverses)
    description: str | None
    activity_date: date | None
    reverses_transaction_id: int | None
    reason: str | None  # a reversal's


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
        values: dict[str, object] = {"account_id": account_id, "timebank_id": timebank_id, "limit": limit}
        if before is not None:
            values["posted_at"], values["transfer_id"] = before
        query = _FIRST_PAGE if before is None else _NEXT_PAGE
        rows = self.connection.execute(query, values).mappings()
        return [
            StatementRow(
                transfer_id=r["transfer_id"],
                transaction_id=r["transaction_id"],
                kind=TransactionKind(r["kind"]),
                counterparty_account_id=r["counterparty_account_id"],
                minutes=r["minutes"],
                balance_after_minutes=r["balance_after_minutes"],
                posted_at=r["posted_at"],
                counterparty_kind=AccountKind(r["counterparty_kind"]),
                counterparty_name=r["counterparty_name"],
                exchange_id=r["exchange_id"],
                description=r["description"],
                activity_date=r["activity_date"],
                reverses_transaction_id=r["reverses_transaction_id"],
                reason=r["reason"],
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
        return [_stored(r) for r in self.connection.execute(_in_posting_order(timebank_id)).mappings()]

    def in_posting_order(self, timebank_id: int) -> Iterator[StoredTransfer]:
        """Every transfer of the timebank, oldest first, fetched in batches, so that a check of
        millions of transfers holds one batch at a time. On PostgreSQL the batches come from a
        server-side cursor, which needs a transaction: read with ``snapshot=True``."""
        query = _in_posting_order(timebank_id).execution_options(yield_per=TRANSFERS_PER_BATCH)
        for r in self.connection.execute(query).mappings():
            yield _stored(r)


def _in_posting_order(timebank_id: int) -> Select[Any]:
    return select(transfers).where(transfers.c.timebank_id == timebank_id).order_by(transfers.c.id)


def _stored(r: RowMapping) -> StoredTransfer:
    return StoredTransfer(
        transfer_id=r["id"],
        timebank_id=r["timebank_id"],
        source_account_id=r["source_account_id"],
        target_account_id=r["target_account_id"],
        minutes=r["minutes"],
        source_balance_after_minutes=r["source_balance_after_minutes"],
        target_balance_after_minutes=r["target_balance_after_minutes"],
    )


def _page_of_lines(*, paged: bool) -> Subquery:
    """The account's newest transfers from either side (older than the cursor when ``paged``)."""
    t = transfers
    sides = []
    for side, own, other_side, balance, sign in (
        ("out", t.c.source_account_id, t.c.target_account_id, t.c.source_balance_after_minutes, -1),
        ("in", t.c.target_account_id, t.c.source_account_id, t.c.target_balance_after_minutes, 1),
    ):
        conditions = [own == bindparam("account_id"), t.c.timebank_id == bindparam("timebank_id")]
        if paged:
            posted_at = bindparam("posted_at", type_=t.c.posted_at.type)
            transfer_id = bindparam("transfer_id", type_=t.c.id.type)
            conditions.append(
                or_(t.c.posted_at < posted_at, and_(t.c.posted_at == posted_at, t.c.id < transfer_id))
            )
        sides.append(
            select(
                t.c.id.label("transfer_id"),
                t.c.transaction_id,
                t.c.source_account_id,
                t.c.target_account_id,
                other_side.label("counterparty_account_id"),
                (t.c.minutes * literal(sign)).label("minutes"),
                balance.label("balance_after_minutes"),
                t.c.posted_at,
            )
            .where(*conditions)
            .order_by(t.c.posted_at.desc(), t.c.id.desc())
            .limit(bindparam("limit"))
            .subquery(side)
        )
    return union_all(select(sides[0]), select(sides[1])).subquery("lines")


def _described(lines: Subquery) -> Select[Any]:
    """The newest ``limit`` of ``lines``, each with what it was for and the other side's name.

    The page is cut from the two sides' newest lines before anything is joined to them.
    """
    t = transactions.alias("t")
    t_text = transaction_texts.alias("t_text")  # the line's own transaction's reason or note
    reversed_ = transactions.alias("reversed")  # what a reversal line reverses
    reversed_text = transaction_texts.alias("reversed_text")
    # The transaction that says what the line was for: the reversed one for a reversal.
    described_id = func.coalesce(reversed_.c.id, t.c.id)
    other = accounts.alias("other")
    person = members.alias("person")
    organisation = organisations.alias("organisation")
    exchange = exchanges.alias("exchange")
    came = attendance.alias("came")
    activity = activities.alias("activity")
    return (
        select(
            lines,
            t.c.kind,
            t.c.reverses_transaction_id,
            t_text.c.reason,
            other.c.kind.label("counterparty_kind"),
            func.coalesce(person.c.display_name, organisation.c.name, other.c.name).label(
                "counterparty_name"
            ),
            exchange.c.id.label("exchange_id"),
            func.coalesce(
                exchange.c.description, activity.c.title, reversed_text.c.note, t_text.c.note
            ).label("description"),
            func.coalesce(exchange.c.activity_date, activity.c.held_on).label("activity_date"),
        )
        .join(t, t.c.id == lines.c.transaction_id)
        .outerjoin(t_text, t_text.c.transaction_id == t.c.id)
        .outerjoin(reversed_, reversed_.c.id == t.c.reverses_transaction_id)
        .outerjoin(reversed_text, reversed_text.c.transaction_id == reversed_.c.id)
        .join(other, other.c.id == lines.c.counterparty_account_id)
        .outerjoin(person, person.c.account_id == other.c.id)
        .outerjoin(organisation, organisation.c.account_id == other.c.id)
        .outerjoin(exchange, exchange.c.transaction_id == described_id)
        # A recognition moves credits from the organisation to the member, and its reversal back:
        # the member's attendance row is found on their own index, then by the transaction.
        .outerjoin(
            came,
            and_(
                came.c.account_id
                == case(
                    (t.c.kind == TransactionKind.RECOGNITION.value, lines.c.target_account_id),
                    (reversed_.c.kind == TransactionKind.RECOGNITION.value, lines.c.source_account_id),
                    else_=null(),
                ),
                came.c.recognition_transaction_id == described_id,
            ),
        )
        .outerjoin(
            activity, and_(activity.c.timebank_id == came.c.timebank_id, activity.c.id == came.c.activity_id)
        )
        .order_by(lines.c.posted_at.desc(), lines.c.transfer_id.desc())
        .limit(bindparam("limit"))
    )


# Built once, with bound parameters: the statement is large, and building its aliases anew for
# every page cost more than running it (about 2 ms of a 4 ms page).
_FIRST_PAGE = _described(_page_of_lines(paged=False))
_NEXT_PAGE = _described(_page_of_lines(paged=True))
