"""Ways back in on pages, with no login: "I have a code", "I forgot my password", and the reset link.

- ``/password/code``: the member types the code from their coordinator's letter or email, a new
  password twice, and a username if they have no login yet. Then they log in as usual.
- ``/password/forgot``: a username or a checked email address. The page that follows says the same
  whoever was named ("if we know it, we have sent a link"), as the use case answers the same.
- ``/password/reset?token=…``: the link in that email. Opening it only shows the form (a mail
  system that opens links by itself changes nothing); the form's post sets the password.

These forms come before any session, so they carry a double-submit token, as the login form does
(``timebank.web.csrf``), in a cookie of their own. No password is ever put back into a box.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.busy import ServerBusy
from timebank.errors import NotFound, StateConflict, TimebankError, TooManyAttempts
from timebank.people.passwords import PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN
from timebank.people.recovery import ask_for_reset, reset_password, use_password_code
from timebank.people.requests import AskForReset, ResetPassword, UsePasswordCode
from timebank.settings import get_settings
from timebank.web.csrf import RECOVERY_CSRF_COOKIE, check_login_csrf, new_login_csrf_token
from timebank.web.forms import FormErrors
from timebank.web.sessions import is_https
from timebank.web.templating import render

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELDS_MAX = 10
# Where each refusal of the use cases belongs on the code form.
_CODE_FIELDS = {
    "password_code_unknown": "code",
    "password_code_used": "code",
    "password_code_expired": "code",
    "login_attempts_exceeded": "code",
    "text_has_control_characters": "code",
    "username_required": "username",
    "username_invalid": "username",
    "username_taken": "username",
    "password_invalid": "new_password",
}
_STATUS = {NotFound: 404, StateConflict: 409, TooManyAttempts: 429, ServerBusy: 503}


def _status_of(refused: TimebankError) -> int:
    return next((status for kind, status in _STATUS.items() if isinstance(refused, kind)), 422)


def _page(request: Request, template: str, context: Mapping[str, object], status_code: int = 200) -> Response:
    token = request.cookies.get(RECOVERY_CSRF_COOKIE) or new_login_csrf_token()
    base = {
        "visit": None,
        "errors": None,
        "csrf_token": token,
        "length_min": PASSWORD_LENGTH_MIN,
        "length_max": PASSWORD_LENGTH_MAX,
    }
    response = render(request, template, {**base, **context}, status_code=status_code)
    response.set_cookie(
        RECOVERY_CSRF_COOKIE,
        token,
        path="/password",
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )
    return response


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form(max_fields=_FIELDS_MAX, max_files=0)
    fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    check_login_csrf(request, fields.get("csrf_token"), RECOVERY_CSRF_COOKIE)
    return {name: str(form.get(name)) for name in fields}


def _new_password(form: dict[str, str], errors: FormErrors) -> str:
    new, again = form.get("new_password", ""), form.get("confirm_password", "")
    if not new:
        errors.add("new_password", "Enter a new password")
    elif len(new) < PASSWORD_LENGTH_MIN:
        errors.add("new_password", f"Your new password must be {PASSWORD_LENGTH_MIN} characters or more")
    elif len(new) > PASSWORD_LENGTH_MAX:
        errors.add("new_password", f"Your new password must be {PASSWORD_LENGTH_MAX} characters or fewer")
    if not again:
        errors.add("confirm_password", "Type your new password again")
    elif new and again != new:
        errors.add(
            "confirm_password", "The new passwords do not match. Type the same new password in both boxes"
        )
    return new


# --- I have a code ------------------------------------------------------------------------------


def _code_page(
    request: Request, form: dict[str, str], errors: FormErrors | None = None, status: int = 200
) -> Response:
    context = {"title": "Set your password with a code", "form": form, "errors": errors or None}
    return _page(request, "password_code.html", context, status)


@router.get("/password/code")
def code_page(request: Request) -> Response:
    return _code_page(request, {})


@router.post("/password/code")
async def use_code(request: Request) -> Response:
    form = await _posted(request)
    kept = {"code": form.get("code", "")[:40], "username": form.get("username", "")[:100]}
    errors = FormErrors()
    if not kept["code"].strip():
        errors.add("code", "Enter the code from your letter or email")
    password = _new_password(form, errors)
    username = kept["username"].strip() or None
    if errors:
        return _code_page(request, kept, errors, 422)
    address = request.client.host if request.client else None
    try:
        asked = UsePasswordCode(code=kept["code"], username=username, new_password=password)
        done = await run_in_threadpool(use_password_code, request.app.state.engine, asked, address)
    except ValidationError:
        errors.add(
            "username", "A username is 3 to 100 lower-case letters, digits, dots, dashes or underscores"
        )
        return _code_page(request, kept, errors, 422)
    except TimebankError as refused:
        errors.refusal(refused, _CODE_FIELDS)
        response = _code_page(request, kept, errors, _status_of(refused))
        if isinstance(refused, TooManyAttempts):
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    context = {"title": "Your password is set", "username": done.username}
    return _page(request, "password_set.html", context)


# --- I forgot my password -----------------------------------------------------------------------


def _forgot_page(
    request: Request, typed: str = "", errors: FormErrors | None = None, status: int = 200
) -> Response:
    context = {"title": "Forgot your password", "typed": typed, "errors": errors or None}
    return _page(request, "password_forgot.html", context, status)


@router.get("/password/forgot")
def forgot_page(request: Request) -> Response:
    return _forgot_page(request)


@router.post("/password/forgot")
async def forgot(request: Request) -> Response:
    form = await _posted(request)
    typed = form.get("username_or_email", "")[:254]
    errors = FormErrors()
    if not typed.strip():
        errors.add("username_or_email", "Enter your username or your email address")
        return _forgot_page(request, typed, errors, 422)
    address = request.client.host if request.client else None
    try:
        asked = AskForReset(username_or_email=typed)
        await run_in_threadpool(ask_for_reset, request.app.state.engine, asked, address)
    except ValidationError:
        errors.add("username_or_email", "Enter your username or your email address")
        return _forgot_page(request, typed, errors, 422)
    except TimebankError as refused:
        errors.add("username_or_email", refused.detail)
        response = _forgot_page(request, typed, errors, _status_of(refused))
        if isinstance(refused, TooManyAttempts):
            response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    minutes = get_settings().password_reset_minutes
    return _page(request, "password_link_sent.html", {"title": "Check your email", "minutes": minutes})


# --- the reset link -----------------------------------------------------------------------------


def _reset_page(
    request: Request, token: str, errors: FormErrors | None = None, status: int = 200
) -> Response:
    context = {"title": "Choose a new password", "token": token, "errors": errors or None}
    return _page(request, "password_reset.html", context, status)


@router.get("/password/reset")
def reset_page(request: Request, token: str = "") -> Response:
    return _reset_page(request, token[:200])


@router.post("/password/reset")
async def reset(request: Request) -> Response:
    form = await _posted(request)
    token = form.get("token", "")[:200]
    errors = FormErrors()
    password = _new_password(form, errors)
    if errors:
        return _reset_page(request, token, errors, 422)
    try:
        asked = ResetPassword(token=token or "-", new_password=password)
        done = await run_in_threadpool(reset_password, request.app.state.engine, asked)
    except TimebankError as refused:
        if refused.code == "password_invalid":
            errors.add("new_password", refused.detail)
            return _reset_page(request, token, errors, 422)
        context = {"title": "This link does not work", "detail": refused.detail}
        return _page(request, "password_link_refused.html", context, _status_of(refused))
    return _page(request, "password_set.html", {"title": "Your password is set", "username": done.username})
