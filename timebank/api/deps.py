"""What routes depend on: the engine, the caller behind the bearer token, idempotency keys, and slots.

A route that does slow work (checks a password, draws a chart, writes a PDF) depends on a slot for
it (``timebank.busy``). The dependency waits for the slot on the event loop, before FastAPI
hands the route to a worker thread, so requests waiting for a slot hold no thread that other
requests need; past the wait it answers 503 ``server_busy``. A route behind a login takes its slot
once the caller is known, so requests without a valid token take no slot from those with one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from timebank.busy import chart_rendering, password_hashing
from timebank.errors import NotAuthenticated
from timebank.exchanges.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from timebank.fields import ID_MAX
from timebank.ledger.limits import STATEMENT_LIMIT_MAX
from timebank.people.access import authenticate
from timebank.people.callers import Caller

__all__ = [
    "CallerDep",
    "ChartSlot",
    "CursorQuery",
    "EngineDep",
    "IdPath",
    "IdempotencyKeyHeader",
    "LimitQuery",
    "OptionalCallerDep",
    "PasswordSlot",
    "PasswordSlotForCaller",
    "TimebankPath",
]

_bearer = HTTPBearer(
    auto_error=False, description="A token from POST /v1/auth/token, or an organisation API key."
)


# Async on purpose: it only reads the app's state, so FastAPI calls it on the event loop. A plain
# ``def`` dependency is handed to the thread pool and back, on every request (measured with
# bench/http_bench.py: a thread hand-off is a visible share of a request's CPU).
async def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


EngineDep = Annotated[Engine, Depends(_engine)]


def _caller(
    engine: EngineDep, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Caller:
    if credentials is None:
        raise NotAuthenticated("Log in first, then send 'Authorization: Bearer <token>'")
    return authenticate(engine, credentials.credentials)


CallerDep = Annotated[Caller, Depends(_caller)]
OptionalCallerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


async def _password_slot() -> AsyncIterator[None]:
    async with password_hashing().hold_async():
        yield


async def _password_slot_for_caller(_: CallerDep) -> AsyncIterator[None]:
    async with password_hashing().hold_async():
        yield


async def _chart_slot(_: CallerDep) -> AsyncIterator[None]:
    async with chart_rendering().hold_async():
        yield


# For a route's ``dependencies=[...]``: held from before the route runs until it has answered.
PasswordSlot = Depends(_password_slot)
PasswordSlotForCaller = Depends(_password_slot_for_caller)
ChartSlot = Depends(_chart_slot)

TimebankPath = Annotated[int, Path(ge=1, le=ID_MAX, description="The timebank's id.")]
IdPath = Annotated[int, Path(ge=1, le=ID_MAX)]
CursorQuery = Annotated[
    str | None, Query(max_length=200, description="The next_cursor of the previous page; omit for the first.")
]
LimitQuery = Annotated[int | None, Query(ge=1, le=STATEMENT_LIMIT_MAX, description="Items per page.")]
IdempotencyKeyHeader = Annotated[
    str,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=IDEMPOTENCY_KEY_LENGTH_MAX,
        pattern=r"^[\x21-\x7e]+$",
        description="A new key per intended write (a UUID is ideal). Resending it replays the first answer.",
    ),
]
