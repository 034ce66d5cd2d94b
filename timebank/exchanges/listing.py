"""Reading exchanges: one by id, or a page of them by status and account, newest first.

A member sees the exchanges they (or an organisation they staff) took part in; a coordinator sees
every exchange in the timebank.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.views import ExchangeView
from timebank.ledger.errors import NotAPartyToExchange
from timebank.ledger.types import ExchangeRecord, ExchangeStatus
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused
from timebank.views import View

__all__ = ["ExchangePage", "NamedExchange", "list_exchanges", "read_exchange", "read_named_exchange"]


class ExchangePage(View):
    exchanges: tuple[ExchangeView, ...]
    next_cursor: str | None


class NamedExchange(View):
    """An exchange with the names a person reads it by (the pages show names, never account ids)."""

    exchange: ExchangeView
    giver_name: str
    receiver_names: tuple[str, ...]
    awaiting_names: tuple[str, ...]


def _readable(uow: UnitOfWork, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeRecord:
    exchange = uow.exchanges.get(timebank_id, exchange_id)
    parties = {exchange.giver_account_id, *(r.account_id for r in exchange.receivers)}
    if not (caller.is_coordinator or parties & caller.account_ids):
        raise NotAPartyToExchange("You can see only exchanges you took part in")
    return exchange


def read_exchange(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeView:
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> ExchangeView:
        return ExchangeView.of(_readable(uow, timebank_id, caller, exchange_id))

    return run(engine, use_case, write=False)


def read_named_exchange(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> NamedExchange:
    """An exchange you took part in (any, for a coordinator), with its people's names."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> NamedExchange:
        exchange = _readable(uow, timebank_id, caller, exchange_id)
        return NamedExchange(
            exchange=ExchangeView.of(exchange),
            giver_name=uow.accounts.name_of(exchange.giver_account_id),
            receiver_names=tuple(uow.accounts.name_of(r.account_id) for r in exchange.receivers),
            awaiting_names=tuple(uow.accounts.name_of(a) for a in sorted(exchange.awaiting_consent_from)),
        )

    return run(engine, use_case, write=False)


def list_exchanges(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    status: ExchangeStatus | None = None,
    account_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> ExchangePage:
    caller.check_timebank(timebank_id)
    if not caller.is_coordinator:
        if account_id is None:
            account_id = (
                caller.account_id if caller.account_id is not None else min(caller.account_ids, default=None)
            )
        named = [] if account_id is None else [account_id]
        with not_found_before_refused(engine, timebank_id, account_ids=named):
            if account_id is None or account_id not in caller.account_ids:
                raise SelfOrCoordinatorRequired("You can list only your own exchanges")
    size = page_limit(limit)
    before_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> ExchangePage:
        if account_id is not None:
            # Bug fix: a coordinator naming another timebank's account was shown an empty page.
            uow.accounts.get(timebank_id, account_id)
        records = uow.exchanges.page(
            timebank_id, status=status, account_id=account_id, before_id=before_id, limit=size + 1
        )
        kept, next_cursor = split_page(records, size, lambda r: r.exchange_id)
        return ExchangePage(exchanges=tuple(ExchangeView.of(r) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case, write=False)
