"""A coordinator gives a member a way in: a set-password code as a letter, and a login turned off or on.

- ``/members/{id}/password-code``: the coordinator chooses a letter to print (always possible) or
  an email (only to a checked address), and makes the code. The next page is the letter itself,
  with the code, the address of the "I have a code" page, the username (or that they will choose
  one) and the last day it works. The code is shown on this one page only and never again; making
  a new one voids it. Printing hides the navigation and the buttons (the print stylesheet).
- ``/members/{id}/login``: turn the member's login off, with a reason (their sessions end at once),
  or back on. A coordinator cannot turn off their own.

All behind ``CoordinatorVisitDep``; the use cases are ``timebank.people.recovery``'s.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.notifications.addresses import read_email
from timebank.people.members import get_member
from timebank.people.recovery import issue_password_code, read_login_state, turn_login_off, turn_login_on
from timebank.people.recovery_errors import MemberHasNoLogin, OwnLoginStaysOn, VerifiedEmailRequired
from timebank.people.requests import IssuePasswordCode, TurnLoginOff, TurnLoginOn
from timebank.people.timebanks import read_timebank
from timebank.settings import get_settings
from timebank.web.forms import FormErrors
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_REASON_LENGTH_MAX = 500


def _about(visit: Visit, member_id: int) -> dict[str, Any]:
    with refused_as_page():
        member = get_member(visit.engine, visit.timebank_id, visit.caller, member_id)
        email = read_email(visit.engine, visit.timebank_id, visit.caller, member_id)
        state = _login_state(visit, member_id)
    return {"member": member, "email": email, "login_disabled": state}


def _login_state(visit: Visit, member_id: int) -> bool:
    return read_login_state(visit.engine, visit.timebank_id, visit.caller, member_id).login_disabled


def _code_page(
    request: Request, visit: Visit, member_id: int, errors: FormErrors | None = None, status_code: int = 200
) -> Response:
    context = {
        "title": "Give a code to set a password",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "days": get_settings().password_code_days,
        **_about(visit, member_id),
    }
    return render(request, "member_code.html", context, status_code=status_code)


@router.get("/members/{member_id}/password-code")
def code_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    return _code_page(request, visit, member_id)


@router.post("/members/{member_id}/password-code")
async def make_code(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    how = form.get("how")
    if how not in ("letter", "email"):
        errors.add("how", "Choose how to give the code")
        return await run_in_threadpool(_code_page, request, visit, member_id, errors, 422)
    asked = IssuePasswordCode(send_by_email=how == "email")
    with refused_as_page():
        try:
            issued = await run_in_threadpool(
                issue_password_code, visit.engine, visit.timebank_id, visit.caller, member_id, asked
            )
        except VerifiedEmailRequired as refused:
            errors.add("how", refused.detail)
            return await run_in_threadpool(_code_page, request, visit, member_id, errors, 409)
    with refused_as_page():
        timebank = await run_in_threadpool(read_timebank, visit.engine, visit.timebank_id, visit.caller)
    context = {
        "title": "Your code to set a password",
        "visit": visit,
        "here": "/members",
        "errors": None,
        "issued": issued,
        "timebank": timebank,
        "page_address": get_settings().public_url.rstrip("/") + "/password/code",
    }
    return render(request, "member_code_letter.html", context)


# --- turning a login off and on --------------------------------------------------------------------


def _login_page(
    request: Request,
    visit: Visit,
    member_id: int,
    *,
    reason: str = "",
    errors: FormErrors | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Login",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "reason": reason,
        "done": done,
        **_about(visit, member_id),
    }
    return render(request, "member_login.html", context, status_code=status_code)


_DONE = {"off": "The login is turned off. Its sessions have ended.", "on": "The login is turned on again."}


@router.get("/members/{member_id}/login")
def login_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    done = _DONE.get(request.query_params.get("done", ""))
    return _login_page(request, visit, member_id, done=done)


@router.post("/members/{member_id}/login")
async def turn(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    form = await posted_form(request, visit)
    reason = form.get("reason", "").strip()[: _REASON_LENGTH_MAX + 1]
    action = form.get("action")
    errors = FormErrors()
    if not reason:
        errors.add("reason", "Say why, in a few words. It is kept in the audit log")
    elif len(reason) > _REASON_LENGTH_MAX:
        errors.add("reason", f"The reason must be {_REASON_LENGTH_MAX} characters or fewer")
    if action not in ("off", "on"):
        errors.add(None, "Choose to turn the login off or on")
    if errors:
        return await run_in_threadpool(
            _login_page, request, visit, member_id, reason=reason, errors=errors, status_code=422
        )
    with refused_as_page():  # another timebank's member: 404; the rules of the form: beside it
        try:
            await run_in_threadpool(_turn, visit, member_id, action == "off", reason)
        except (OwnLoginStaysOn, MemberHasNoLogin) as refused:
            errors.add("reason", refused.detail)
            return await run_in_threadpool(
                _login_page, request, visit, member_id, reason=reason, errors=errors, status_code=409
            )
    return RedirectResponse(f"/members/{member_id}/login?done={action}", status_code=303)


def _turn(visit: Visit, member_id: int, off: bool, reason: str) -> None:
    try:
        if off:
            turn_login_off(
                visit.engine, visit.timebank_id, visit.caller, member_id, TurnLoginOff(reason=reason)
            )
        else:
            turn_login_on(
                visit.engine, visit.timebank_id, visit.caller, member_id, TurnLoginOn(reason=reason)
            )
    except ValidationError as invalid:  # the form checked the reason already: this is not expected
        raise AssertionError("a checked reason fits the request") from invalid
