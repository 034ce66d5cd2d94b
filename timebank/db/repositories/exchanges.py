"""Exchanges and their receivers: the record of help given, and who still has to consent.

Writing an exchange here changes nothing else: the report's running totals
(``ReportRollups``) are counted by the use case that confirms or reverses it, in the same
transaction, where a reader of the use case sees it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Connection, func, insert, or_, select, union_all, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql import Select

from timebank.db.tables import exchange_receivers, exchanges, transaction_texts
from timebank.errors import ExchangeNotFound
from timebank.ledger.types import ClosedBecause, ExchangeRecord, ExchangeStatus, ReceiverShare

__all__ = ["ExchangeRepository"]

_INSERT = insert(exchanges).returning(exchanges.c.id)
# An exchange read back with the reason it was reversed for, if it was: in the same query, so a
# page of exchanges stays one query (and one more for their receivers).
_REVERSAL_REASON = (
    select(transaction_texts.c.reason)
    .where(transaction_texts.c.transaction_id == exchanges.c.reversal_transaction_id)
    .scalar_subquery()
    .label("reversal_reason")
)
_WITH_REASON = select(exchanges, _REVERSAL_REASON)
_INSERT_RECEIVERS = insert(exchange_receivers)


class ExchangeRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(self, exchange: ExchangeRecord) -> int:
        """Write a new exchange and its receivers; its ``exchange_id`` is ignored and returned anew."""
        awaiting = exchange.awaiting_consent_from
        exchange_id = int(
            self.connection.execute(
                _INSERT,
                {
                    "timebank_id": exchange.timebank_id,
                    "giver_account_id": exchange.giver_account_id,
                    "status": exchange.status.value,
                    "activity_date": exchange.activity_date,
                    "description": exchange.description,
                    "category": exchange.category,
                    "recorded_by": exchange.recorded_by,
                    "recorded_by_account_id": exchange.recorded_by_account_id,
                    "giver_consent_needed": exchange.giver_account_id in awaiting,
                    "giver_consented_at": None,
                    "transaction_id": exchange.transaction_id,
                    "reversal_transaction_id": None,
                    "created_at": exchange.created_at,
                    "decided_at": None if exchange.status is ExchangeStatus.PENDING else exchange.created_at,
                    "post_id": exchange.post_id,
                },
            ).scalar_one()
        )
        self.connection.execute(
            _INSERT_RECEIVERS,
            [
                {
                    "exchange_id": exchange_id,
                    "account_id": r.account_id,
                    "timebank_id": exchange.timebank_id,
                    "minutes": r.minutes,
                    "consent_needed": r.account_id in awaiting,
                    "consented_at": None,
                }
                for r in exchange.receivers
            ],
        )
        return exchange_id

    def get(self, timebank_id: int, exchange_id: int, *, for_update: bool = False) -> ExchangeRecord:
        query = _WITH_REASON.where(exchanges.c.timebank_id == timebank_id, exchanges.c.id == exchange_id)
        if for_update:
            # Two receivers confirming at once must see each other's consent.
            query = query.with_for_update(of=exchanges)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise ExchangeNotFound(f"There is no exchange {exchange_id} in this timebank")
        receiver_rows = (
            self.connection.execute(
                select(exchange_receivers)
                .where(exchange_receivers.c.exchange_id == exchange_id)
                .order_by(exchange_receivers.c.account_id)
            )
            .mappings()
            .all()
        )
        return _record(row, receiver_rows)

    def page(
        self,
        timebank_id: int,
        *,
        status: ExchangeStatus | None,
        account_id: int | None,
        before_id: int | None,
        limit: int,
    ) -> list[ExchangeRecord]:
        """Newest first, ``limit`` at most, with ids below ``before_id`` (the keyset cursor)."""
        query = _WITH_REASON.where(exchanges.c.timebank_id == timebank_id)
        if status is not None:
            query = query.where(exchanges.c.status == status.value)
        if account_id is not None:
            as_receiver = select(exchange_receivers.c.exchange_id).where(
                exchange_receivers.c.account_id == account_id
            )
            query = query.where(
                or_(exchanges.c.giver_account_id == account_id, exchanges.c.id.in_(as_receiver))
            )
        if before_id is not None:
            query = query.where(exchanges.c.id < before_id)
        rows = self.connection.execute(query.order_by(exchanges.c.id.desc()).limit(limit)).mappings().all()
        return self._with_receivers(rows)

    def pending_oldest_first(
        self, timebank_id: int, *, after_id: int | None, limit: int
    ) -> list[ExchangeRecord]:
        """The timebank's pending exchanges, oldest first, ``limit`` at most, with ids above ``after_id``.

        Ids are given out in the order exchanges are recorded, so the oldest has the lowest id and
        the keyset cursor runs upwards.
        """
        query = _WITH_REASON.where(
            exchanges.c.timebank_id == timebank_id, exchanges.c.status == ExchangeStatus.PENDING.value
        )
        if after_id is not None:
            query = query.where(exchanges.c.id > after_id)
        rows = self.connection.execute(query.order_by(exchanges.c.id).limit(limit)).mappings().all()
        return self._with_receivers(rows)

    def _with_receivers(self, rows: Sequence[RowMapping]) -> list[ExchangeRecord]:
        """The exchanges of ``rows`` with their receivers, read in one more query."""
        if not rows:
            return []
        receivers_by_exchange: dict[int, list[RowMapping]] = {row["id"]: [] for row in rows}
        receiver_rows = self.connection.execute(
            select(exchange_receivers)
            .where(exchange_receivers.c.exchange_id.in_(list(receivers_by_exchange)))
            .order_by(exchange_receivers.c.exchange_id, exchange_receivers.c.account_id)
        ).mappings()
        for receiver in receiver_rows:
            receivers_by_exchange[receiver["exchange_id"]].append(receiver)
        return [_record(row, receivers_by_exchange[row["id"]]) for row in rows]

    def record_consent(self, exchange: ExchangeRecord, account_id: int, at: datetime) -> None:
        if account_id == exchange.giver_account_id:
            self.connection.execute(
                update(exchanges).where(exchanges.c.id == exchange.exchange_id).values(giver_consented_at=at)
            )
        self.connection.execute(
            update(exchange_receivers)
            .where(
                exchange_receivers.c.exchange_id == exchange.exchange_id,
                exchange_receivers.c.account_id == account_id,
            )
            .values(consented_at=at)
        )

    def set_status(
        self,
        exchange_id: int,
        status: ExchangeStatus,
        at: datetime,
        *,
        transaction_id: int | None = None,
        reversal_transaction_id: int | None = None,
        closed_because: ClosedBecause | None = None,
    ) -> None:
        values: dict[str, object] = {"status": status.value}
        if closed_because is not None:
            values["closed_because"] = closed_because.value
        if status is ExchangeStatus.REVERSED:
            values["reversal_transaction_id"] = reversal_transaction_id
        else:
            values["decided_at"] = at
            values["transaction_id"] = transaction_id
        self.connection.execute(update(exchanges).where(exchanges.c.id == exchange_id).values(values))

    def _taking_part(self, timebank_id: int, account_id: int, status: ExchangeStatus) -> Select[tuple[int]]:
        """The ids of ``status`` exchanges the account gives or receives in, through each side's index."""
        as_giver = select(exchanges.c.id).where(
            exchanges.c.giver_account_id == account_id,
            exchanges.c.timebank_id == timebank_id,
            exchanges.c.status == status.value,
        )
        as_receiver = (
            select(exchanges.c.id)
            .join(exchange_receivers, exchange_receivers.c.exchange_id == exchanges.c.id)
            .where(
                exchange_receivers.c.account_id == account_id,
                exchanges.c.timebank_id == timebank_id,
                exchanges.c.status == status.value,
            )
        )
        return select(union_all(as_giver, as_receiver).subquery().c.id)

    def pending_for_account(self, timebank_id: int, account_id: int) -> list[int]:
        """The pending exchanges the account gives or receives in, oldest first, locked for update."""
        ids = self._taking_part(timebank_id, account_id, ExchangeStatus.PENDING)
        return list(
            self.connection.execute(
                select(exchanges.c.id)
                .where(exchanges.c.id.in_(ids))
                .order_by(exchanges.c.id)
                .with_for_update(of=exchanges)
            ).scalars()
        )

    def activity_span(self, timebank_id: int, account_id: int) -> tuple[date | None, date | None]:
        """The first and last days of the confirmed exchanges the account gave or received in."""
        ids = self._taking_part(timebank_id, account_id, ExchangeStatus.CONFIRMED)
        first, last = self.connection.execute(
            select(func.min(exchanges.c.activity_date), func.max(exchanges.c.activity_date)).where(
                exchanges.c.id.in_(ids)
            )
        ).one()
        return first, last

    def pending_created_before(self, timebank_id: int, cutoff: datetime, limit: int) -> list[int]:
        return list(
            self.connection.execute(
                select(exchanges.c.id)
                .where(
                    exchanges.c.timebank_id == timebank_id,
                    exchanges.c.status == ExchangeStatus.PENDING.value,
                    exchanges.c.created_at < cutoff,
                )
                .order_by(exchanges.c.id)
                .limit(limit)
            ).scalars()
        )

    def for_transaction(self, transaction_id: int) -> int | None:
        return self.connection.execute(
            select(exchanges.c.id).where(exchanges.c.transaction_id == transaction_id)
        ).scalar_one_or_none()


def _record(row: RowMapping, receiver_rows: Sequence[RowMapping]) -> ExchangeRecord:
    awaiting: set[int] = set()
    # Only a pending exchange awaits anyone: once closed, consents still missing no longer matter.
    if row["status"] == ExchangeStatus.PENDING.value:
        awaiting = {
            r["account_id"] for r in receiver_rows if r["consent_needed"] and r["consented_at"] is None
        }
        if row["giver_consent_needed"] and row["giver_consented_at"] is None:
            awaiting.add(row["giver_account_id"])
    return ExchangeRecord(
        exchange_id=row["id"],
        timebank_id=row["timebank_id"],
        giver_account_id=row["giver_account_id"],
        receivers=tuple(ReceiverShare(r["account_id"], r["minutes"]) for r in receiver_rows),
        status=ExchangeStatus(row["status"]),
        activity_date=row["activity_date"],
        description=row["description"],
        category=row["category"],
        recorded_by=row["recorded_by"],
        recorded_by_account_id=row["recorded_by_account_id"],
        awaiting_consent_from=frozenset(awaiting),
        transaction_id=row["transaction_id"],
        created_at=row["created_at"],
        reversal_transaction_id=row["reversal_transaction_id"],
        reversal_reason=row["reversal_reason"],
        closed_because=None if row["closed_because"] is None else ClosedBecause(row["closed_because"]),
        post_id=row["post_id"],
    )
