"""The account and people use cases called as their tests speak: plain values in, views out.

The use cases take a ``Caller`` and one typed request each (``timebank.accounts.requests``,
``timebank.people.requests``). Their tests were written against plain arguments, some of them as
an ``Actor`` of the ledger, and probe the use cases' own checks with values no request type would
let through (a positive floor, an unknown role, a tag in capitals). These functions build the
request without the request type's checks (``model_construct``), so that what each test reaches
is the use case's own refusal, as before the requests were typed. Reading without a caller reads
as a coordinator of the timebank does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from timebank.accounts import accounts, statements
from timebank.accounts.requests import ChangeLimits
from timebank.accounts.views import AccountView, StatementPage
from timebank.ledger.types import Actor
from timebank.people.callers import Caller

__all__ = ["get_account", "set_limits", "statement"]


def get_account(engine: Engine, timebank_id: int, account_id: int) -> AccountView:
    """The account as a coordinator reads it."""
    return accounts.read_account(engine, timebank_id, Caller.coordinator_of(timebank_id), account_id)


def set_limits(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    account_id: int,
    *,
    floor_minutes: Any,
    cap_minutes: Any,
    reason: Any = None,
) -> AccountView:
    request = ChangeLimits.model_construct(
        floor_minutes=floor_minutes, cap_minutes=cap_minutes, reason=reason
    )
    return accounts.set_limits(engine, timebank_id, actor, account_id, request)


def statement(
    engine: Engine, timebank_id: int, account_id: int, cursor: str | None = None, limit: Any = 50
) -> StatementPage:
    """The account's statement as a coordinator reads it."""
    return statements.read_statement(
        engine, timebank_id, Caller.coordinator_of(timebank_id), account_id, cursor, limit
    )
