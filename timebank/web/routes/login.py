"""Logging in and out on a page: the API's login (same limits), its token kept in the session cookie."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.busy import ServerBusy
from timebank.errors import NotAllowed
from timebank.people.access import log_in, log_out
from timebank.people.errors import CredentialsInvalid, LoginAttemptsExceeded
from timebank.people.recovery_errors import LoginDisabled
from timebank.web.csrf import LOGIN_CSRF_COOKIE, check_login_csrf, new_login_csrf_token
from timebank.web.forms import FormErrors
from timebank.web.sessions import clear_session, is_https, session_caller, start_session
from timebank.web.templating import render
from timebank.web.visits import PageRefused, VisitDep, posted_form

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELD_LENGTH_MAX = 200


def _login_page(
    request: Request, *, username: str = "", errors: FormErrors | None = None, status_code: int = 200
) -> Response:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_login_csrf_token()
    response = render(
        request,
        "login.html",
        {
            "title": "Log in",
            "csrf_token": token,
            "username": username,
            "errors": errors,
            "ended": request.query_params.get("ended") == "1",
        },
        status_code=status_code,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, path="/login", httponly=True, samesite="strict", secure=is_https(request)
    )
    return response


@router.get("/login")
def login_page(request: Request) -> Response:
    if session_caller(request.app.state.engine, request) is not None:
        return RedirectResponse("/", status_code=303)
    return _login_page(request)


@router.post("/login")
async def login(request: Request) -> Response:
    form = await request.form(max_fields=10, max_files=0)
    fields = {name: str(form.get(name, "")) for name in ("csrf_token", "username", "password")}
    check_login_csrf(request, fields["csrf_token"])
    username, password = fields["username"], fields["password"]
    errors = FormErrors()
    if not username.strip():
        errors.add("username", "Enter your username")
    if not password:
        errors.add("password", "Enter your password")
    if len(username) > _FIELD_LENGTH_MAX or len(password) > _FIELD_LENGTH_MAX or "\x00" in username:
        errors.add("username", "The username or password is wrong")
    if errors:
        return _login_page(request, username=username, errors=errors, status_code=422)
    address = request.client.host if request.client else None
    try:
        issued = await run_in_threadpool(log_in, request.app.state.engine, username, password, address)
    except CredentialsInvalid:
        errors.add("username", "The username or password is wrong")
        return _login_page(request, username=username, errors=errors, status_code=401)
    except LoginDisabled as refused:
        errors.add("username", refused.detail)
        return _login_page(request, username=username, errors=errors, status_code=403)
    except LoginAttemptsExceeded as refused:
        errors.add("username", refused.detail)
        response = _login_page(request, username=username, errors=errors, status_code=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    except ServerBusy as refused:
        errors.add(None, "We are busy. Nothing was recorded. Wait a minute and try again")
        response = _login_page(request, username=username, errors=errors, status_code=503)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    response = RedirectResponse("/", status_code=303)
    start_session(request, response, issued.access_token, issued.expires_in)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, visit: VisitDep) -> Response:
    await posted_form(request, visit)
    try:
        await run_in_threadpool(log_out, visit.engine, visit.token)
    except NotAllowed as refused:
        raise PageRefused(403, "You cannot log out here", refused.detail) from refused
    response = RedirectResponse("/login?ended=1", status_code=303)
    clear_session(request, response)
    return response
