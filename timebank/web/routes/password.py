"""Changing your own password on a page: the same use case as ``POST /v1/auth/password``.

The member types the current password, then the new one twice. The page checks what it can
without a password check (every box filled, the new one the right length, the two new ones the
same); only then does the use case run, holding a password-hashing slot (``timebank.busy``) that
the route takes on the event loop, as the API's route does, so a flood of changes waits without
holding worker threads and a busy server answers a plain 503 page. A wrong current password counts
as a failed login (the use case counts it), so the login limits apply to guessing here too.

The session in use goes on (its token is kept); every other session of the login ends. No password
is ever put back into a box after a refusal: a page that carried one would leave it in the
browser's history and in any cache between.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.busy import password_hashing
from timebank.people.access import change_password
from timebank.people.errors import CredentialsInvalid, LoginAttemptsExceeded, PasswordInvalid
from timebank.people.passwords import PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN
from timebank.people.requests import ChangePassword
from timebank.web.forms import FormErrors
from timebank.web.templating import render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _form_page(
    request: Request, visit: Visit, errors: FormErrors | None = None, status_code: int = 200
) -> Response:
    context = {
        "title": "Change your password",
        "visit": visit,
        "here": "/password",
        "errors": errors or None,
        "length_min": PASSWORD_LENGTH_MIN,
        "length_max": PASSWORD_LENGTH_MAX,
    }
    return render(request, "password.html", context, status_code=status_code)


def read_passwords(form: dict[str, str], errors: FormErrors) -> ChangePassword | None:
    """The change the form asks for, or None with every reason added to ``errors``."""
    current, new, again = (
        form.get(name, "") for name in ("current_password", "new_password", "confirm_password")
    )
    if not current:
        errors.add("current_password", "Enter your current password")
    elif len(current) > PASSWORD_LENGTH_MAX:
        errors.add("current_password", "Your current password is wrong")
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
    if errors:
        return None
    return ChangePassword(current_password=current, new_password=new)


@router.get("/password")
def password_page(request: Request, visit: VisitDep) -> Response:
    return _form_page(request, visit)


@router.post("/password")
async def change(request: Request, visit: VisitDep) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    asked = read_passwords(form, errors)
    if asked is None:
        return _form_page(request, visit, errors, status_code=422)
    try:
        with refused_as_page():
            async with password_hashing().hold_async():
                await run_in_threadpool(change_password, visit.engine, visit.caller, visit.token, asked)
    except CredentialsInvalid:
        errors.add("current_password", "Your current password is wrong")
        return _form_page(request, visit, errors, status_code=422)
    except LoginAttemptsExceeded as refused:
        errors.add("current_password", refused.detail)
        response = _form_page(request, visit, errors, status_code=429)
        response.headers["Retry-After"] = str(refused.retry_after_seconds)
        return response
    except PasswordInvalid as refused:
        errors.add("new_password", refused.detail)
        return _form_page(request, visit, errors, status_code=422)
    return RedirectResponse("/password/changed", status_code=303)


@router.get("/password/changed")
def changed_page(request: Request, visit: VisitDep) -> Response:
    context = {"title": "Your password has changed", "visit": visit, "here": "/password", "errors": None}
    return render(request, "password_changed.html", context)
