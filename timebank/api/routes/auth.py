"""Logging in and out, and asking who you are."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response
from fastapi.exceptions import RequestValidationError

from timebank.api.deps import CallerDep, EngineDep, OptionalCallerDep, PasswordSlot, PasswordSlotForCaller
from timebank.api.edge import JsonRoute
from timebank.ledger import rules
from timebank.people.access import change_password, log_in, log_out
from timebank.people.requests import ChangePassword
from timebank.people.views import CallerView, IssuedToken

__all__ = ["router"]

router = APIRouter(prefix="/v1", tags=["auth"], route_class=JsonRoute)


async def _credentials_once(request: Request) -> None:
    """Refuse a login form that gives the username or password twice (RFC 6749 section 3.1).

    Bug fix (found by the bad-input corpus): the last value won, so ``username=a&username=b`` logged
    in as ``b``, and a proxy or log that read the first value saw someone else. Other fields are the
    client's business (the document lets a form carry more), so only the two read here are checked.
    The form is already parsed (FastAPI reads it before the dependencies run): this reads the cache.
    """
    form = await request.form()
    repeated = [name for name in ("username", "password") if len(form.getlist(name)) > 1]
    if repeated:
        errors = [{"type": "value_error", "loc": ("body", name), "msg": "Given twice"} for name in repeated]
        raise RequestValidationError(errors)


@router.post(
    "/auth/token",
    operation_id="log_in",
    response_model=IssuedToken,
    # The form is checked before a password slot is waited for; the slot is held until the answer.
    dependencies=[Depends(_credentials_once), PasswordSlot],
)
def token(
    request: Request,
    engine: EngineDep,
    username: Annotated[str, Form(min_length=1, max_length=100)],
    password: Annotated[str, Form(min_length=1, max_length=200)],
) -> IssuedToken:
    """Log in with a username and password (OAuth2 password form); get a bearer token."""
    # Bug fix (found by the bad-input corpus): a NUL in the username reached PostgreSQL, which can
    # neither store nor compare one, and the login answered 500. No username holds a control
    # character, so one is refused before the credentials are looked at (and is not counted as a
    # guess). Only what log_in keeps is checked: it strips the spaces people type around a name.
    rules.check_text("username", username.strip(), length_max=len(username))  # the form limits length
    address = request.client.host if request.client else None
    return log_in(engine, username, password, address)


@router.post("/auth/logout", operation_id="log_out", status_code=204, response_class=Response)
def logout(engine: EngineDep, caller: CallerDep, credentials: OptionalCallerDep) -> Response:
    """Log out: the token stops working at once."""
    assert credentials is not None, "the caller was authenticated from these credentials"
    log_out(engine, credentials.credentials)
    return Response(status_code=204)


@router.post(
    "/auth/password",
    operation_id="change_password",
    status_code=204,
    response_class=Response,
    dependencies=[PasswordSlotForCaller],
)
def password(
    body: ChangePassword, engine: EngineDep, caller: CallerDep, credentials: OptionalCallerDep
) -> Response:
    """Change your own password; your other sessions end, this one goes on."""
    assert credentials is not None, "the caller was authenticated from these credentials"
    change_password(engine, caller, credentials.credentials, body)
    return Response(status_code=204)


@router.get("/me", operation_id="who_am_i", response_model=CallerView)
def me(caller: CallerDep) -> CallerView:
    """Who the token belongs to: member, roles, timebank and the accounts they may act for."""
    return CallerView.of(caller)
