"""Reading an account, its statement and its limit log, for its holder or a coordinator."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Engine

from timebank.accounts.accounts import get_account, set_limits
from timebank.accounts.statements import statement
from timebank.accounts.views import AccountView, StatementPage
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.limits import STATEMENT_LIMIT_DEFAULT
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = ["LimitChange", "change_limits", "limit_changes", "read_account", "read_statement"]

# A limit log longer than this is read from the newest end; it changes a few times a year at most.
LIMIT_CHANGES_MAX = 200


@dataclass(frozen=True)
class LimitChange:
    floor_minutes_before: int
    cap_minutes_before: int | None
    floor_minutes_after: int
    cap_minutes_after: int | None
    reason: str | None
    changed_by: str
    changed_at: datetime


def _check_may_read(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> None:
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        caller.check_may_read_account(timebank_id, account_id)


def read_account(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> AccountView:
    _check_may_read(engine, timebank_id, caller, account_id)
    return get_account(engine, timebank_id, account_id)


def read_statement(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    cursor: str | None,
    limit: int | None,
) -> StatementPage:
    _check_may_read(engine, timebank_id, caller, account_id)
    # statement() reads the account first, so an unknown id is refused, not shown as empty.
    return statement(
        engine, timebank_id, account_id, cursor, STATEMENT_LIMIT_DEFAULT if limit is None else limit
    )


def change_limits(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    floor_minutes: int,
    cap_minutes: int | None,
    reason: str | None,
) -> AccountView:
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        caller.check_coordinator(timebank_id)
    return set_limits(
        engine,
        timebank_id,
        caller.actor(timebank_id),
        account_id,
        floor_minutes=floor_minutes,
        cap_minutes=cap_minutes,
        reason=reason,
    )


def limit_changes(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> list[LimitChange]:
    _check_may_read(engine, timebank_id, caller, account_id)

    def use_case(uow: UnitOfWork) -> list[LimitChange]:
        uow.accounts.get(timebank_id, account_id)
        rows = uow.limit_changes.for_account(timebank_id, account_id)[-LIMIT_CHANGES_MAX:]
        # The log's rows carry exactly these columns (and a few more, such as ids).
        names = [f.name for f in fields(LimitChange)]
        return [LimitChange(**{name: row[name] for name in names}) for row in rows]  # type: ignore[arg-type]

    return run(engine, use_case, write=False)
