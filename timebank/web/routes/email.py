"""A member's email address and the messages they get, on one page: ``/email``.

The address is optional. A new one is sent a link, and nothing else is sent to it until the link is
opened (``timebank.notifications.addresses``); the page says which state it is in. Removing it
stops every message. Below, the member ticks the kinds of message they want; the messages about
security (checking an address, a code, a reset link) are always sent, and the page says so.

Each form posts, then the page is shown again with what changed at the top (post, redirect, get),
so reloading the page never sends a second link.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.errors import TimebankError
from timebank.notifications.addresses import read_email, set_email
from timebank.notifications.kinds import CHOOSABLE_KINDS
from timebank.notifications.preferences import read_preferences, set_preferences
from timebank.notifications.requests import ChoosePreferences, SetEmail
from timebank.web.forms import FormErrors
from timebank.web.templating import render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["KIND_WORDS", "router"]

router = APIRouter(include_in_schema=False)

# What a member reads for each kind of message they may choose.
KIND_WORDS = {
    "exchange_awaiting_confirmation": "When an exchange waits for me to confirm it",
    "exchange_expiry_reminder": "A reminder before an exchange runs out of time",
    "exchange_confirmed": "When an exchange I recorded is confirmed",
    "exchange_declined": "When an exchange I recorded is declined",
    "member_message": "When a member writes to me about an offer or request",
}
_SAVED = {
    "email": "We sent a link to your new email address. Open it to check the address is yours.",
    "removed": "Your email address is removed. We will not send you any messages.",
    "messages": "Your choices are saved.",
}
_EMAIL_LENGTH_MAX = 254


def _member_id(visit: Visit) -> int:
    member_id = visit.caller.member_id
    if member_id is None:
        visit.account_id  # noqa: B018  (refuses a caller who is not a member, as a page)
        raise AssertionError("a member's login has a member id")
    return member_id


def _page(
    request: Request,
    visit: Visit,
    *,
    typed: str | None = None,
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    member_id = _member_id(visit)
    with refused_as_page():
        email = read_email(visit.engine, visit.timebank_id, visit.caller, member_id)
        preferences = read_preferences(visit.engine, visit.timebank_id, visit.caller, member_id)
    chosen = preferences.model_dump()
    context: dict[str, Any] = {
        "title": "Email and messages",
        "visit": visit,
        "here": "/email",
        "errors": errors or None,
        "email": email,
        "typed": email.email or "" if typed is None else typed,
        "kinds": [(kind.value, KIND_WORDS[kind.value], chosen[kind.value]) for kind in CHOOSABLE_KINDS],
        "saved": _SAVED.get(request.query_params.get("saved", "")),
    }
    return render(request, "email.html", context, status_code=status_code)


@router.get("/email")
def email_page(request: Request, visit: VisitDep) -> Response:
    return _page(request, visit)


@router.post("/email")
async def change_email(request: Request, visit: VisitDep) -> Response:
    form = await posted_form(request, visit)
    typed = form.get("email", "").strip()[: _EMAIL_LENGTH_MAX + 1]
    errors = FormErrors()
    if not typed:
        errors.add("email", "Enter your email address, like name@example.com")
    elif len(typed) > _EMAIL_LENGTH_MAX:
        errors.add("email", f"An email address is {_EMAIL_LENGTH_MAX} characters or fewer")
    if errors:
        return await run_in_threadpool(_page, request, visit, typed=typed, errors=errors, status_code=422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                set_email,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                _member_id(visit),
                SetEmail(email=typed),
            )
    except TimebankError as refused:
        errors.add("email", refused.detail)
        return await run_in_threadpool(_page, request, visit, typed=typed, errors=errors, status_code=422)
    return RedirectResponse("/email?saved=email", status_code=303)


@router.post("/email/remove")
async def remove_email(request: Request, visit: VisitDep) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        await run_in_threadpool(
            set_email, visit.engine, visit.timebank_id, visit.caller, _member_id(visit), SetEmail(email=None)
        )
    return RedirectResponse("/email?saved=removed", status_code=303)


@router.post("/email/messages")
async def choose_messages(request: Request, visit: VisitDep) -> Response:
    form = await posted_form(request, visit)
    # A box left unticked is not sent at all: every kind is named, ticked or not.
    wanted = {kind.value: form.get(f"kind-{kind.value}") == "yes" for kind in CHOOSABLE_KINDS}
    with refused_as_page():
        await run_in_threadpool(
            set_preferences,
            visit.engine,
            visit.timebank_id,
            visit.caller,
            _member_id(visit),
            ChoosePreferences.model_validate(wanted),
        )
    return RedirectResponse("/email?saved=messages", status_code=303)
