"""A member's home: the balance, hours given and received, what waits for them, and recent lines.

What a member sees first after logging in, read in one snapshot so the figures agree with each
other: the balance; the hours they gave and received in exchanges this calendar year and since they
joined (the give-and-get view, from the reciprocity report's monthly running totals, so a
reversed exchange counts in neither); the pending exchanges they take part in, each with the other person's
name, what it was, and whether it waits for *their* consent or someone else's; and the newest lines
of their statement. A member whose membership has ended still has a home, which says so: their
account is closed, and they can read what it holds.

The waiting list is bounded (``WAITING_SHOWN_MAX``): a member with more sees the oldest first and is
told how many there are, since the oldest are the nearest to expiring.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from timebank.accounts.statements import statement_line
from timebank.accounts.views import HomeView, WaitingExchange
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.types import ExchangeRecord, ExchangeStatus
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired

__all__ = ["RECENT_LINES_SHOWN", "WAITING_SHOWN_MAX", "member_home"]

WAITING_SHOWN_MAX = 50
RECENT_LINES_SHOWN = 5


def _waiting(uow: UnitOfWork, account_id: int, exchange: ExchangeRecord, caller: Caller) -> WaitingExchange:
    gave = exchange.giver_account_id == account_id
    others = [r.account_id for r in exchange.receivers] if gave else [exchange.giver_account_id]
    minutes = (
        sum(r.minutes for r in exchange.receivers)
        if gave
        else next(r.minutes for r in exchange.receivers if r.account_id == account_id)
    )
    recorded_by_me = exchange.recorded_by == caller.caller or exchange.recorded_by_account_id == account_id
    waiting_for = sorted(exchange.awaiting_consent_from - {account_id})
    return WaitingExchange(
        exchange_id=exchange.exchange_id,
        description=exchange.description,
        activity_date=exchange.activity_date,
        minutes=minutes,
        i_gave=gave,
        other_names=tuple(uow.accounts.name_of(other) for other in others),
        waits_for_me=account_id in exchange.awaiting_consent_from,
        waiting_for_names=tuple(uow.accounts.name_of(other) for other in waiting_for),
        recorded_by_me=recorded_by_me,
    )


def member_home(engine: Engine, timebank_id: int, caller: Caller, today: date) -> HomeView:
    """The caller's own home page figures; only a member with an account has one."""
    caller.check_timebank(timebank_id)
    account_id = caller.account_id
    if account_id is None:
        raise SelfOrCoordinatorRequired("Only a member with an account has a home page")
    year_start = today.replace(month=1, day=1)

    def use_case(uow: UnitOfWork) -> HomeView:
        account = uow.accounts.get(timebank_id, account_id)
        # No exchange is dated after today, so "since January" is this year so far.
        totals = uow.reports.given_received(timebank_id, account_id, year_start)
        pending = uow.exchanges.page(
            timebank_id,
            status=ExchangeStatus.PENDING,
            account_id=account_id,
            before_id=None,
            limit=WAITING_SHOWN_MAX + 1,
        )
        shown = sorted(pending[:WAITING_SHOWN_MAX], key=lambda e: e.exchange_id)
        recent = uow.transfers.statement(timebank_id, account_id, None, RECENT_LINES_SHOWN)
        return HomeView(
            account_id=account_id,
            name=uow.accounts.name_of(account_id),
            balance_minutes=account.balance_minutes,
            closed=account.closed,
            floor_minutes=account.floor_minutes,
            given_this_year_minutes=totals.given_since_minutes,
            received_this_year_minutes=totals.received_since_minutes,
            given_all_time_minutes=totals.given_minutes,
            received_all_time_minutes=totals.received_minutes,
            year=today.year,
            waiting=tuple(_waiting(uow, account_id, e, caller) for e in shown),
            more_waiting=len(pending) > WAITING_SHOWN_MAX,
            recent_lines=tuple(statement_line(row) for row in recent),
        )

    return run(engine, use_case, write=False, snapshot=True)
