"""Account rows: read, lock in ascending id order, write back counters under a version check, close."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update
from sqlalchemy.engine import RowMapping

from timebank.db.tables import accounts
from timebank.errors import AccountNotFound
from timebank.ledger.types import AccountKind, AccountState

__all__ = ["AccountRepository"]

_STATE_COLUMNS = (
    accounts.c.id,
    accounts.c.timebank_id,
    accounts.c.kind,
    accounts.c.balance_minutes,
    accounts.c.earned_minutes,
    accounts.c.spent_minutes,
    accounts.c.floor_minutes,
    accounts.c.cap_minutes,
    accounts.c.version,
    accounts.c.closed_at,
)

_LOCK = (
    select(*_STATE_COLUMNS)
    .where(
        accounts.c.timebank_id == bindparam("timebank_id"),
        accounts.c.id.in_(bindparam("account_ids", expanding=True)),
    )
    .order_by(accounts.c.id)
    .with_for_update()
)

_SAVE = (
    update(accounts)
    .where(accounts.c.id == bindparam("b_id"), accounts.c.version == bindparam("b_version_before"))
    .values(
        balance_minutes=bindparam("b_balance"),
        earned_minutes=bindparam("b_earned"),
        spent_minutes=bindparam("b_spent"),
        version=bindparam("b_version"),
    )
)


def _state(row: RowMapping) -> AccountState:
    return AccountState(
        account_id=row["id"],
        timebank_id=row["timebank_id"],
        kind=AccountKind(row["kind"]),
        balance_minutes=row["balance_minutes"],
        earned_minutes=row["earned_minutes"],
        spent_minutes=row["spent_minutes"],
        floor_minutes=row["floor_minutes"],
        cap_minutes=row["cap_minutes"],
        version=row["version"],
        closed=row["closed_at"] is not None,
    )


class AccountRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        kind: AccountKind,
        name: str,
        floor_minutes: int,
        cap_minutes: int | None,
        created_at: datetime,
    ) -> int:
        result = self.connection.execute(
            insert(accounts)
            .values(
                timebank_id=timebank_id,
                kind=kind.value,
                name=name,
                balance_minutes=0,
                earned_minutes=0,
                spent_minutes=0,
                floor_minutes=floor_minutes,
                cap_minutes=cap_minutes,
                version=0,
                created_at=created_at,
            )
            .returning(accounts.c.id)
        )
        return int(result.scalar_one())

    def get(self, timebank_id: int, account_id: int) -> AccountState:
        row = (
            self.connection.execute(
                select(*_STATE_COLUMNS).where(
                    accounts.c.timebank_id == timebank_id, accounts.c.id == account_id
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise AccountNotFound(f"There is no account {account_id} in this timebank")
        return _state(row)

    def get_many(self, timebank_id: int, account_ids: Iterable[int]) -> dict[int, AccountState]:
        """Read these accounts without locking them; ``account_not_found`` names the first missing."""
        wanted = sorted(set(account_ids))
        rows = self.connection.execute(
            select(*_STATE_COLUMNS)
            .where(accounts.c.timebank_id == timebank_id, accounts.c.id.in_(wanted))
            .order_by(accounts.c.id)
        ).mappings()
        found = {row["id"]: _state(row) for row in rows}
        for account_id in wanted:
            if account_id not in found:
                raise AccountNotFound(f"There is no account {account_id} in this timebank")
        return found

    def name_of(self, account_id: int) -> str:
        return str(
            self.connection.execute(select(accounts.c.name).where(accounts.c.id == account_id)).scalar_one()
        )

    def lock(
        self, timebank_id: int, account_ids: Iterable[int], *, missing_ok: bool = False
    ) -> dict[int, AccountState]:
        """Read and lock these accounts in ascending id order (no lock cycles between writers).

        Accounts of another timebank are not found. On SQLite the whole database is already locked
        by ``BEGIN IMMEDIATE``, and SQLAlchemy leaves FOR UPDATE out.
        """
        wanted = sorted(set(account_ids))
        rows = self.connection.execute(_LOCK, {"timebank_id": timebank_id, "account_ids": wanted}).mappings()
        found = {row["id"]: _state(row) for row in rows}
        if missing_ok:
            return found
        for account_id in wanted:
            if account_id not in found:
                raise AccountNotFound(f"There is no account {account_id} in this timebank")
        return found

    def save(self, before: Mapping[int, AccountState], after: Iterable[AccountState]) -> None:
        """Write new counters; each row must still carry the version it was read with."""
        parameters = [
            {
                "b_id": state.account_id,
                "b_version_before": before[state.account_id].version,
                "b_balance": state.balance_minutes,
                "b_earned": state.earned_minutes,
                "b_spent": state.spent_minutes,
                "b_version": state.version,
            }
            for state in after
        ]
        if not parameters:
            return
        result = self.connection.execute(_SAVE, parameters)
        # A lost update here would mean the lock did not hold; never write on top of it.
        assert result.rowcount in (len(parameters), -1), "an account changed under its lock"

    def close(self, state: AccountState, at: datetime) -> None:
        """Close an account locked in this transaction, at the version it has now: from here on the
        database refuses any change of its counters (``ck_accounts_closed_account_unmoved``)."""
        assert not state.closed, "an account closes once"
        result = self.connection.execute(
            update(accounts)
            .where(
                accounts.c.id == state.account_id,
                accounts.c.version == state.version,
                accounts.c.closed_at.is_(None),
            )
            .values(closed_at=at, closed_version=state.version)
        )
        assert result.rowcount == 1, "the account changed under its lock"

    def set_limits(self, account_id: int, floor_minutes: int, cap_minutes: int | None) -> None:
        self.connection.execute(
            update(accounts)
            .where(accounts.c.id == account_id)
            .values(floor_minutes=floor_minutes, cap_minutes=cap_minutes)
        )

    def all_in_timebank(self, timebank_id: int) -> list[AccountState]:
        rows = self.connection.execute(
            select(*_STATE_COLUMNS).where(accounts.c.timebank_id == timebank_id).order_by(accounts.c.id)
        ).mappings()
        return [_state(row) for row in rows]
