"""Putting the pages on an app: their routes, their static files, and how they answer a refusal.

The composition root (``timebank.app``) calls ``install_pages`` on the app that serves the API, so
one process serves both: the API under ``/v1``, the pages at ``/``. A page's refusals are pages too
(``refusal_page``): the visitor with no session is sent to log in, a forged form post gets a plain
403, an unknown address a plain 404, never a JSON problem document.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from timebank.web.csrf import CrossSiteRequestRefused
from timebank.web.routes import (
    activities,
    api_keys,
    attendance,
    audit_log,
    benefits,
    categories,
    email,
    exchanges,
    expenses,
    gifts,
    home,
    imports,
    links,
    login,
    member_data,
    member_erasure,
    member_logins,
    member_offers,
    members,
    members_edit,
    members_end,
    members_new,
    members_record,
    offer_message,
    offer_post,
    offers,
    offers_report,
    organisation_staff,
    organisations,
    password,
    recovery,
    reports,
    reversals,
    settings,
    spend_options,
    spending,
    statement,
    waiting,
)
from timebank.web.templating import render
from timebank.web.visits import LoginRequired, PageRefused

__all__ = ["PAGE_MODULES", "install_pages", "status_page"]

_STATIC = Path(__file__).parent / "static"

# Every module of pages, in the order their routes are tried; the tests read every page from here.
# reversals before exchanges: its /exchanges/{id}/reverse must be matched before the member's
# /exchanges/{id}/{action}, which answers any other action as not found.
PAGE_MODULES = (
    login,
    recovery,
    home,
    reversals,
    exchanges,
    statement,
    spending,
    gifts,
    # "/offers/new" and "/offers/mine" before "/offers/{post_id}", which would otherwise take them.
    offers,
    offer_post,
    offer_message,
    categories,
    member_offers,
    benefits,
    email,
    member_data,
    password,
    links,
    # "/members/new" before "/members/{member_id}", which would otherwise take it (and answer 404).
    members_new,
    members,
    members_edit,
    members_record,
    members_end,
    member_logins,
    member_erasure,
    organisations,
    organisation_staff,
    api_keys,
    activities,
    attendance,
    expenses,
    spend_options,
    waiting,
    audit_log,
    settings,
    imports,
    offers_report,
    reports,
)

_STATUS_WORDS = {
    403: ("You cannot do this", "You do not have permission to see or do this."),
    404: ("Page not found", "If you typed the web address, check it is correct."),
    405: ("Page not found", "If you typed the web address, check it is correct."),
    413: ("What you sent is too long", "Go back, send less, and try again."),
    500: ("Sorry, there is a problem with the service", "Nothing was recorded. Try again later."),
}


def status_page(request: Request, status_code: int) -> Response:
    """A plain page for an HTTP error on a page's address (unknown page, server error)."""
    title, detail = _STATUS_WORDS.get(status_code, _STATUS_WORDS[500])
    return render(request, "refused.html", {"title": title, "detail": detail}, status_code=status_code)


async def _login_required(request: Request, _: Exception) -> Response:
    return RedirectResponse("/login", status_code=303)


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, PageRefused)
    return render(request, "refused.html", {"title": exc.title, "detail": exc.detail}, exc.status_code)


async def _cross_site(request: Request, _: Exception) -> Response:
    detail = (
        "This form did not come from this website, or the page was open too long. "
        "Nothing was recorded. Go back, reload the page and try again."
    )
    return render(request, "refused.html", {"title": "Nothing was recorded", "detail": detail}, 403)


def install_pages(app: FastAPI) -> None:
    # The styles and scripts are most of a page's weight and hold nothing secret, so they are
    # compressed; the pages themselves are not (a CSRF token beside what a member typed, compressed
    # together, is what the BREACH attack reads).
    app.mount("/static", GZipMiddleware(StaticFiles(directory=_STATIC), minimum_size=500), name="static")
    for module in PAGE_MODULES:
        app.include_router(module.router)
    app.add_exception_handler(LoginRequired, _login_required)
    app.add_exception_handler(PageRefused, _refused)
    app.add_exception_handler(CrossSiteRequestRefused, _cross_site)
