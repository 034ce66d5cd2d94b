"""The pages' session: the API's own bearer token, carried in a cookie the page's scripts cannot read.

Logging in on a page calls the same use case as ``POST /v1/auth/token`` (same token store, same
login limits, same password slots), and the token it issues goes into the ``timebank_session``
cookie: ``HttpOnly`` (no script reads it), ``SameSite=Lax`` (another site's form posts do not carry
it), ``Path=/``, and ``Secure`` when the page was asked for over HTTPS or the service is told it
stands behind HTTPS (``TIMEBANK_BEHIND_HTTPS``). Logging out revokes the token, so a copied cookie
dies with the session; changing the password ends every other session of the login.

An organisation's API key (``tbk_``) is never a session: a cookie holding one is treated as no
cookie, so a key cannot be turned into pages for staff who never logged in.
"""

from __future__ import annotations

from fastapi import Request, Response
from sqlalchemy import Engine

from timebank.errors import NotAuthenticated
from timebank.people.access import API_KEY_PREFIX, TOKEN_PREFIX, authenticate
from timebank.people.callers import Caller
from timebank.settings import get_settings

__all__ = ["SESSION_COOKIE", "clear_session", "session_caller", "session_token", "start_session"]

SESSION_COOKIE = "timebank_session"
_TOKEN_LENGTH_MAX = 200


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or get_settings().behind_https


def session_token(request: Request) -> str | None:
    """The session's token, if the request carries one that could be ours."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > _TOKEN_LENGTH_MAX or token.startswith(API_KEY_PREFIX):
        return None
    return token if token.startswith(TOKEN_PREFIX) else None


def session_caller(engine: Engine, request: Request) -> Caller | None:
    """Who the session belongs to, or None when there is no session or it has ended."""
    token = session_token(request)
    if token is None:
        return None
    try:
        return authenticate(engine, token)
    except NotAuthenticated:
        return None


def start_session(request: Request, response: Response, token: str, lifetime_seconds: int) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=lifetime_seconds,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_https(request),
    )


def clear_session(request: Request, response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(request))
