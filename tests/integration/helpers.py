"""Builders and read-backs shared by the service-level integration tests.

``make_world`` creates a timebank of its own (so tests never see each other's rows) with three
members, Ann, Bo and Cy, and a coordinator actor who holds no account. Its small methods wrap the
services with the timebank and a sensible activity date filled in, so a test reads as the story it
tells. ``snapshot`` reads back everything a refused operation must leave untouched (L5): every
account row, every exchange and receiver row, the row count of each ledger table, and the report's
rating thresholds, for one timebank. ``check_invariants`` runs the ledger's own invariant checks
(L1–L4, L9, L10) on the rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, select

from tests.conftest import STORY_BACKDATE_DAYS
from tests.ledger_calls import (
    cancel_exchange,
    confirm_exchange,
    decline_exchange,
    get_exchange,
    give_credits,
    record_exchange,
    reverse_exchange,
)
from tests.ledger_calls import reverse_transaction as reverse_transaction_in_ledger
from tests.people_calls import create_timebank, get_account
from tests.people_calls import set_limits as set_limits_in_ledger
from timebank.accounts.accounts import open_account
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.checks import check_timebank
from timebank.db.report_tables import report_rating_thresholds
from timebank.db.tables import (
    accounts,
    exchange_receivers,
    exchanges,
    idempotency_keys,
    limit_changes,
    transactions,
    transfers,
)
from timebank.exchanges.lifecycle import expire_pending
from timebank.exchanges.views import ExchangeView, ExpiryReport, TransactionView
from timebank.ledger.types import AccountKind, Actor, ReceiverShare

__all__ = [
    "ACTIVITY_DATE",
    "World",
    "check_invariants",
    "exchange_ids",
    "make_world",
    "snapshot",
]

ACTIVITY_DATE = date(2024, 5, 1)

_names = itertools.count(1)


@dataclass
class World:
    """One timebank with members Ann, Bo and Cy, its pot, and a coordinator actor."""

    engine: Engine
    timebank_id: int
    pot: int
    ann: int
    bo: int
    cy: int
    coordinator: Actor
    others: list[World] = field(default_factory=list)

    # --- who acts ---------------------------------------------------------------------------

    def holder(self, account_id: int) -> Actor:
        """The member (or organisation staff) who holds ``account_id``."""
        return Actor(caller=f"member:{account_id}", account_id=account_id)

    def other(self) -> World:
        """A second timebank in the same database (made once per world, on first use)."""
        if not self.others:
            self.others.append(make_world(self.engine))
        return self.others[0]

    def open_member(self, name: str, **limits: Any) -> int:
        view = open_account(
            self.engine, self.timebank_id, self.coordinator, AccountKind.MEMBER, name, **limits
        )
        return view.account_id

    # --- what they do -----------------------------------------------------------------------

    def record(
        self,
        actor: Actor,
        giver: int,
        receivers: Mapping[int, object] | Sequence[tuple[int, object]],
        *,
        description: str = "help in the garden",
        category: str | None = None,
        idempotency_key: str | None = None,
    ) -> ExchangeView:
        """Record that ``giver`` helped each receiver (account id → minutes, or a list of pairs)."""
        pairs = receivers.items() if isinstance(receivers, Mapping) else receivers
        shares = [ReceiverShare(account_id, minutes) for account_id, minutes in pairs]
        return record_exchange(
            self.engine,
            self.timebank_id,
            actor,
            giver,
            shares,
            ACTIVITY_DATE,
            description,
            category,
            idempotency_key=idempotency_key,
        )

    def posted(self, giver: int, receivers: Mapping[int, int]) -> ExchangeView:
        """An exchange recorded by the coordinator, so it posts at once."""
        return self.record(self.coordinator, giver, receivers)

    def pending(self, giver: int, receivers: Mapping[int, int]) -> ExchangeView:
        """An exchange recorded by its giver, so it waits for the receivers."""
        return self.record(self.holder(giver), giver, receivers)

    def confirm(self, actor: Actor, exchange_id: int, **keyed: Any) -> ExchangeView:
        return confirm_exchange(self.engine, self.timebank_id, actor, exchange_id, **keyed)

    def decline(self, actor: Actor, exchange_id: int) -> ExchangeView:
        return decline_exchange(self.engine, self.timebank_id, actor, exchange_id)

    def cancel(self, actor: Actor, exchange_id: int) -> ExchangeView:
        return cancel_exchange(self.engine, self.timebank_id, actor, exchange_id)

    def give(
        self,
        actor: Actor,
        source: int,
        target: int,
        minutes: object,
        note: str | None = None,
        **keyed: Any,
    ) -> TransactionView:
        return give_credits(
            self.engine,
            self.timebank_id,
            actor,
            source,
            target,
            minutes,
            note,
            **keyed,
        )

    def reverse(self, exchange_id: int, reason: str = "recorded twice", **keyed: Any) -> TransactionView:
        return reverse_exchange(self.engine, self.timebank_id, self.coordinator, exchange_id, reason, **keyed)

    def reverse_transaction(
        self, transaction_id: int, reason: str = "given by mistake", **keyed: Any
    ) -> TransactionView:
        return reverse_transaction_in_ledger(
            self.engine, self.timebank_id, self.coordinator, transaction_id, reason, **keyed
        )

    def expire(self, days_later: float, now: datetime | None = None) -> ExpiryReport:
        """Run pending expiry as if ``days_later`` days had passed."""
        moment = (now or utc_now()) + timedelta(days=days_later)
        return expire_pending(self.engine, self.timebank_id, now=moment)

    def set_limits(self, account_id: int, floor_minutes: int, cap_minutes: int | None) -> None:
        set_limits_in_ledger(
            self.engine,
            self.timebank_id,
            self.coordinator,
            account_id,
            floor_minutes=floor_minutes,
            cap_minutes=cap_minutes,
            reason="test set-up",
        )

    # --- what they see ----------------------------------------------------------------------

    def balance(self, account_id: int) -> int:
        return get_account(self.engine, self.timebank_id, account_id).balance_minutes

    def balances(self) -> dict[int, int]:
        """Every account's balance in this timebank, by account id."""
        rows = _read(self.engine, lambda uow: uow.accounts.all_in_timebank(self.timebank_id))
        return {a.account_id: a.balance_minutes for a in rows}

    def status(self, exchange_id: int) -> str:
        return get_exchange(self.engine, self.timebank_id, exchange_id).status


def make_world(engine: Engine, **timebank_settings: Any) -> World:
    """A fresh timebank (settings as ``create_timebank`` takes them) with Ann, Bo and Cy."""
    timebank_settings.setdefault("backdate_days_max", STORY_BACKDATE_DAYS)
    timebank = create_timebank(engine, f"Timebank {next(_names)}", **timebank_settings)
    coordinator = Actor(caller=f"coordinator:{timebank.timebank_id}", is_coordinator=True)
    ids = [
        open_account(engine, timebank.timebank_id, coordinator, AccountKind.MEMBER, name).account_id
        for name in ("Ann", "Bo", "Cy")
    ]
    return World(engine, timebank.timebank_id, timebank.pot_account_id, *ids, coordinator)


def _read(engine: Engine, use_case: Any) -> Any:
    return run(engine, use_case, write=False)


def snapshot(engine: Engine, timebank_id: int) -> dict[str, Any]:
    """Every account, exchange and receiver row, each ledger table's row count, and the rating
    thresholds, for a timebank."""

    def read(uow: Any) -> dict[str, Any]:
        c = uow.connection

        def rows(table: Any, *order: Any) -> list[dict[str, Any]]:
            query = select(table).where(table.c.timebank_id == timebank_id).order_by(*order)
            return [dict(r) for r in c.execute(query).mappings()]

        def count(table: Any) -> int:
            query = select(func.count()).select_from(table).where(table.c.timebank_id == timebank_id)
            return int(c.execute(query).scalar_one())

        return {
            "accounts": rows(accounts, accounts.c.id),
            "exchanges": rows(exchanges, exchanges.c.id),
            "exchange_receivers": rows(
                exchange_receivers, exchange_receivers.c.exchange_id, exchange_receivers.c.account_id
            ),
            "report_rating_thresholds": rows(report_rating_thresholds, report_rating_thresholds.c.figure),
            "counts": {
                table.name: count(table)
                for table in (
                    transfers,
                    transactions,
                    exchanges,
                    exchange_receivers,
                    idempotency_keys,
                    limit_changes,
                )
            },
        }

    return _read(engine, read)


def exchange_ids(engine: Engine, timebank_id: int) -> list[int]:
    """Every exchange in the timebank, oldest first."""
    query = select(exchanges.c.id).where(exchanges.c.timebank_id == timebank_id).order_by(exchanges.c.id)
    return _read(engine, lambda uow: list(uow.connection.execute(query).scalars()))


def check_invariants(engine: Engine, timebank_id: int) -> list[str]:
    """The ledger's invariant checks over the timebank's rows; an empty list means all hold."""
    return check_timebank(engine, timebank_id)
