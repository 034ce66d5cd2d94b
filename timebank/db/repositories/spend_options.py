"""Spend options and spends: what an organisation offers for credits, and who spent credits on what.

Plain values in and out: a class is its code (``"goods"``), as the benefits core spells it; the
services turn codes into its ``SpendClass``. An option is never deleted, only withdrawn, because
spends point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import RowMapping

from timebank.db.spend_tables import spend_options, spends
from timebank.errors import SpendOptionNotFound

__all__ = ["SpendOptionRecord", "SpendOptionRepository", "SpendRecord"]


@dataclass(frozen=True)
class SpendOptionRecord:
    spend_option_id: int
    timebank_id: int
    organisation_id: int
    title: str
    minutes: int
    spend_class: str
    active: bool
    created_by: str
    created_at: datetime
    withdrawn_by: str | None
    withdrawn_at: datetime | None


@dataclass(frozen=True)
class SpendRecord:
    spend_id: int | None  # None until written
    spend_option_id: int
    account_id: int
    exchange_id: int
    spend_class: str
    acknowledgement: str | None  # the member's words; None when no acknowledgement was needed
    recorded_by: str
    spent_at: datetime

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None


def _option(row: RowMapping) -> SpendOptionRecord:
    return SpendOptionRecord(
        spend_option_id=row["id"],
        timebank_id=row["timebank_id"],
        organisation_id=row["organisation_id"],
        title=row["title"],
        minutes=row["minutes"],
        spend_class=row["spend_class"],
        active=bool(row["active"]),
        created_by=row["created_by"],
        created_at=row["created_at"],
        withdrawn_by=row["withdrawn_by"],
        withdrawn_at=row["withdrawn_at"],
    )


class SpendOptionRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        organisation_id: int,
        title: str,
        minutes: int,
        spend_class: str,
        created_by: str,
        created_at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                insert(spend_options)
                .values(
                    timebank_id=timebank_id,
                    organisation_id=organisation_id,
                    title=title,
                    minutes=minutes,
                    spend_class=spend_class,
                    active=True,
                    created_by=created_by,
                    created_at=created_at,
                )
                .returning(spend_options.c.id)
            ).scalar_one()
        )

    def get(self, timebank_id: int, spend_option_id: int, *, for_share: bool = False) -> SpendOptionRecord:
        """The option; ``for_share`` holds it against a concurrent withdrawal until the commit."""
        o = spend_options.c
        query = select(spend_options).where(o.timebank_id == timebank_id, o.id == spend_option_id)
        if for_share:
            # PostgreSQL: FOR SHARE, so a withdrawal waits for a spend in flight, and a spend that
            # waited on a withdrawal reads the option as withdrawn. SQLite leaves it out: writers
            # there hold the whole database already.
            query = query.with_for_update(read=True)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise SpendOptionNotFound(f"There is no spend option {spend_option_id} in this timebank")
        return _option(row)

    def page(
        self,
        timebank_id: int,
        *,
        organisation_id: int | None,
        active_only: bool,
        after_id: int | None,
        limit: int,
    ) -> list[SpendOptionRecord]:
        """Options in id order, ``limit`` at most, with ids above ``after_id`` (the keyset cursor)."""
        o = spend_options.c
        query = select(spend_options).where(o.timebank_id == timebank_id)
        if organisation_id is not None:
            query = query.where(o.organisation_id == organisation_id)
        if active_only:
            query = query.where(o.active.is_(True))
        if after_id is not None:
            query = query.where(o.id > after_id)
        rows = self.connection.execute(query.order_by(o.id).limit(limit)).mappings()
        return [_option(row) for row in rows]

    def withdraw(self, timebank_id: int, spend_option_id: int, withdrawn_by: str, at: datetime) -> bool:
        """Withdraw an active option; False if it was already withdrawn (that is not an error)."""
        o = spend_options.c
        changed = self.connection.execute(
            update(spend_options)
            .where(o.timebank_id == timebank_id, o.id == spend_option_id, o.active.is_(True))
            .values(active=False, withdrawn_by=withdrawn_by, withdrawn_at=at)
        ).rowcount
        return changed > 0

    def insert_spend(self, timebank_id: int, record: SpendRecord) -> int:
        """Write a spend; its ``spend_id`` is ignored and returned anew."""
        return int(
            self.connection.execute(
                insert(spends)
                .values(
                    timebank_id=timebank_id,
                    spend_option_id=record.spend_option_id,
                    account_id=record.account_id,
                    exchange_id=record.exchange_id,
                    spend_class=record.spend_class,
                    acknowledged=record.acknowledged,
                    acknowledgement=record.acknowledgement,
                    recorded_by=record.recorded_by,
                    spent_at=record.spent_at,
                )
                .returning(spends.c.id)
            ).scalar_one()
        )

    def spends_of(self, timebank_id: int, account_id: int) -> list[SpendRecord]:
        """Every spend from the account, oldest first."""
        s = spends.c
        rows = self.connection.execute(
            select(spends)
            .where(s.timebank_id == timebank_id, s.account_id == account_id)
            .order_by(s.spent_at, s.id)
        ).mappings()
        return [
            SpendRecord(
                spend_id=row["id"],
                spend_option_id=row["spend_option_id"],
                account_id=row["account_id"],
                exchange_id=row["exchange_id"],
                spend_class=row["spend_class"],
                acknowledgement=row["acknowledgement"],
                recorded_by=row["recorded_by"],
                spent_at=row["spent_at"],
            )
            for row in rows
        ]
