"""The exchanges waiting for confirmation across a timebank, oldest first, for its coordinators.

An exchange recorded by its giver waits for its receivers (or, where the timebank requires both
sides, one recorded by a receiver waits for its giver). It waits for the timebank's
``pending_expiry_days`` from when it was recorded; then the expiry job closes it
(``timebank.exchanges.lifecycle.expire_pending``): it expires, or, where the timebank
auto-confirms, it posts as if confirmed. A coordinator's list shows the oldest first, since those
close soonest, with the names a person reads them by and the moment each closes.

The list pages upwards by exchange id with the same opaque cursor as every other list: ids are
given out in the order exchanges are recorded, so the oldest has the lowest.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.types import ExchangeRecord
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.views import View

__all__ = ["WaitingExchange", "WaitingPage", "list_waiting"]


class WaitingExchange(View):
    """One pending exchange, named, with when it was recorded and when it closes."""

    exchange_id: int
    giver_name: str
    receiver_names: tuple[str, ...]
    awaiting_names: tuple[str, ...]
    minutes: int
    activity_date: date
    description: str
    recorded_at: datetime
    closes_at: datetime


class WaitingPage(View):
    exchanges: tuple[WaitingExchange, ...]
    # What happens when an exchange's time runs out: it posts (True) or it expires (False).
    auto_confirm_pending: bool
    pending_expiry_days: int
    next_cursor: str | None


def list_waiting(
    engine: Engine, timebank_id: int, caller: Caller, *, cursor: str | None = None, limit: int | None = None
) -> WaitingPage:
    """The timebank's pending exchanges, oldest first, a page at a time (coordinators)."""
    caller.check_coordinator(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> WaitingPage:
        timebank = uow.timebanks.get(timebank_id)
        records = uow.exchanges.pending_oldest_first(timebank_id, after_id=after_id, limit=size + 1)
        kept, next_cursor = split_page(records, size, lambda r: r.exchange_id)
        people = {r.giver_account_id for r in kept} | {s.account_id for r in kept for s in r.receivers}
        # One query for every name on the page, not one per exchange.
        names = uow.notifications.account_names(timebank_id, sorted(people))
        expiry = timedelta(days=timebank.pending_expiry_days)
        return WaitingPage(
            exchanges=tuple(_named(record, names, expiry) for record in kept),
            auto_confirm_pending=timebank.auto_confirm_pending,
            pending_expiry_days=timebank.pending_expiry_days,
            next_cursor=next_cursor,
        )

    return run(engine, use_case, write=False)


def _named(record: ExchangeRecord, names: dict[int, str], expiry: timedelta) -> WaitingExchange:
    return WaitingExchange(
        exchange_id=record.exchange_id,
        giver_name=names[record.giver_account_id],
        receiver_names=tuple(names[r.account_id] for r in record.receivers),
        awaiting_names=tuple(names[a] for a in sorted(record.awaiting_consent_from)),
        minutes=sum(r.minutes for r in record.receivers),
        activity_date=record.activity_date,
        description=record.description,
        recorded_at=record.created_at,
        closes_at=record.created_at + expiry,
    )
