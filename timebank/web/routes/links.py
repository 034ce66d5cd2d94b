"""The pages a message's link opens, with no login: verifying an email address, and unsubscribing.

The link's token is the authority (a single-use secret for verifying, a signed token for
unsubscribing), so these pages need no session and no CSRF token: a forged post would have to know
the token. Opening the link only shows a page with a button; the button's post does the work.
Mail systems and virus scanners open links in messages by themselves, and a link that verified an
address or unsubscribed on opening would do it for them. A mail program's one-click unsubscribe
(RFC 8058) posts ``List-Unsubscribe=One-Click`` to the link itself, which the post route accepts.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, NotFound, StateConflict
from timebank.notifications.addresses import verify_email
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.preferences import unsubscribe
from timebank.notifications.requests import Unsubscribe, VerifyEmail
from timebank.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# What a member reads for each kind of message they stop.
_KIND_WORDS = {
    NotificationKind.EXCHANGE_AWAITING_CONFIRMATION: "exchanges waiting for you to confirm them",
    NotificationKind.EXCHANGE_EXPIRY_REMINDER: "reminders before an exchange runs out of time",
    NotificationKind.EXCHANGE_CONFIRMED: "exchanges you recorded being confirmed",
    NotificationKind.EXCHANGE_DECLINED: "exchanges you recorded being declined",
    NotificationKind.MEMBER_MESSAGE: "messages from members about offers and requests",
}


def _page(request: Request, title: str, lines: list[str], status_code: int = 200, **form: str) -> Response:
    context = {"title": title, "lines": lines, "form": form or None, "visit": None}
    return render(request, "link.html", context, status_code=status_code)


async def _token(request: Request) -> str:
    form = await request.form(max_fields=5, max_files=0)
    token = form.get("token") or request.query_params.get("token") or ""
    return token if isinstance(token, str) else ""


@router.get("/email/verify")
def verify_page(request: Request, token: str = "") -> Response:
    return _page(
        request,
        "Check your email address",
        ["Press the button to tell us this email address is yours."],
        action="/email/verify",
        token=token,
        button="Check my email address",
    )


@router.post("/email/verify")
async def verify(request: Request) -> Response:
    engine = request.app.state.engine
    try:
        verified = await run_in_threadpool(
            verify_email, engine, VerifyEmail.model_validate({"token": await _token(request)})
        )
    except (ValidationError, NotFound):
        return _page(
            request, "This link does not work", ["Ask for a new message, or ask your coordinator."], 404
        )
    except StateConflict as refused:
        return _page(request, "This link does not work any more", [refused.detail], 409)
    return _page(request, "Your email address is checked", [f"We will send messages to {verified.email}."])


@router.get("/notifications/unsubscribe")
def unsubscribe_page(request: Request, token: str = "") -> Response:
    return _page(
        request,
        "Stop these emails",
        ["Press the button and we will stop sending you this kind of email."],
        action="/notifications/unsubscribe",
        token=token,
        button="Stop these emails",
    )


@router.post("/notifications/unsubscribe")
async def stop(request: Request) -> Response:
    engine = request.app.state.engine
    try:
        stopped = await run_in_threadpool(
            unsubscribe, engine, Unsubscribe.model_validate({"token": await _token(request)})
        )
    except (ValidationError, InvalidRequest):
        return _page(
            request, "This link does not work", ["Ask your coordinator to stop the emails for you."], 404
        )
    what = _KIND_WORDS.get(stopped.kind, "this kind of message")
    return _page(request, "You will not get these emails", [f"We will not email you about {what}."])
