"""Cross-site request forgery: every form carries a token another site cannot know or forge.

Two independent locks, either of which stops a forged post:

- **The token.** A logged-in page's forms carry ``csrf_token``: an HMAC of the session's own token,
  which lives in an ``HttpOnly`` cookie, so another site can neither read it nor compute the HMAC.
  The login form, before any session, uses a double-submit token instead: a random value set in a
  ``SameSite=Strict`` cookie and repeated in the form; a forged login form cannot set the cookie.
  The ways back in (``/password/forgot``, ``/password/code``, ``/password/reset``) do the same with
  a cookie of their own.
- **Where the post came from.** A browser says so: ``Sec-Fetch-Site`` (``cross-site`` is refused)
  and, failing that, ``Origin`` (another origin is refused). Old browsers send neither, and the
  token still holds.

A refused post records nothing; the page says plainly to go back and try again.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request

from timebank.web.sessions import is_https

__all__ = [
    "LOGIN_CSRF_COOKIE",
    "RECOVERY_CSRF_COOKIE",
    "CrossSiteRequestRefused",
    "check_login_csrf",
    "check_same_origin",
    "check_session_csrf",
    "new_login_csrf_token",
    "session_csrf_token",
]

LOGIN_CSRF_COOKIE = "timebank_login_csrf"
RECOVERY_CSRF_COOKIE = "timebank_recovery_csrf"


class CrossSiteRequestRefused(Exception):
    """A form post that did not come from our own page (the pages answer 403 with a plain page)."""


def session_csrf_token(session_token: str) -> str:
    return hmac.new(session_token.encode(), b"timebank csrf v1", hashlib.sha256).hexdigest()


def check_same_origin(request: Request) -> None:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        raise CrossSiteRequestRefused(f"Sec-Fetch-Site: {fetch_site}")
    origin = request.headers.get("origin")
    if origin is not None:
        own = f"{request.url.scheme}://{request.url.netloc}"
        if origin != own and not (is_https(request) and origin == f"https://{request.url.netloc}"):
            raise CrossSiteRequestRefused(f"Origin: {origin}")


def check_session_csrf(request: Request, session_token: str, sent: str | None) -> None:
    check_same_origin(request)
    if not sent or not hmac.compare_digest(sent, session_csrf_token(session_token)):
        raise CrossSiteRequestRefused("csrf_token")


def new_login_csrf_token() -> str:
    """A login form's token, for its cookie and its hidden field alike."""
    return secrets.token_urlsafe(32)


def check_login_csrf(request: Request, sent: str | None, cookie_name: str = LOGIN_CSRF_COOKIE) -> None:
    """A double-submit token: the form's field must repeat the cookie ``cookie_name`` holds."""
    check_same_origin(request)
    cookie = request.cookies.get(cookie_name)
    if not cookie or not sent or not hmac.compare_digest(sent, cookie):
        raise CrossSiteRequestRefused(f"{cookie_name} csrf_token")
