"""Adding a member on a page: a name, a role, tags, and limits if not the usual.

Many members never log in (a coordinator records for them). A coordinator never sets or sees a
password (DESIGN §9): to give a member a login, the coordinator adds them here, then gives them a
set-password code from their page (``timebank.web.routes.member_logins``), with which the member
chooses their own username and password. The floor and cap are optional; left blank, the
timebank's usual limits apply (``add_member``).

There is no check-your-answers step: adding a member moves no credits and everything can be changed
afterwards. The member's own page opens next, saying they were added and how to give them a login.
A refusal (no name, a tag that is not one word, a limit that is not a duration) gives the form back
with the error summary, and nothing is added.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, StateConflict
from timebank.people.members import add_member
from timebank.people.requests import AddMember
from timebank.web.forms import FormErrors
from timebank.web.routes.members_fields import duration, tags_typed
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["FIELDS_BY_CODE", "router"]

router = APIRouter(include_in_schema=False)

# Where on the form each refusal of the use case belongs.
FIELDS_BY_CODE = {
    "tag_invalid": "tags",
    "role_unknown": "coordinator",
    "text_too_long": "display_name",
    "text_has_control_characters": "display_name",
    "floor_must_not_be_positive": "floor-hours",
    "cap_must_not_be_negative": "cap-hours",
    "limit_excludes_balance": "floor-hours",
}
_FIELDS_BY_NAME = {
    "display_name": "display_name",
    "tags": "tags",
    "floor_minutes": "floor-hours",
    "cap_minutes": "cap-hours",
}
_WORDS = {
    "display_name": "the name",
    "tags": "the tags",
    "floor_minutes": "how far below zero",
    "cap_minutes": "the highest balance",
}


def read_new_member(form: dict[str, str], errors: FormErrors) -> AddMember | None:
    """The request the form asks for, or None with every refusal added to ``errors``."""
    name = form.get("display_name", "").strip()
    if not name:
        errors.add("display_name", "Enter the member's name")
    floor = duration(form, "floor", errors, missing=None)
    cap = duration(form, "cap", errors, missing=None)
    if errors:
        return None
    try:
        return AddMember.model_validate(
            {
                "display_name": name,
                "roles": ["member", "coordinator"] if form.get("coordinator") == "yes" else ["member"],
                "tags": tags_typed(form.get("tags", "")),
                "floor_minutes": None if floor is None else -floor,
                "cap_minutes": cap,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


def _form_page(
    request: Request, visit: Visit, form: dict[str, str], errors: FormErrors | None, status_code: int = 200
) -> Response:
    shown = dict(form)
    context: dict[str, Any] = {
        "title": "Add a member",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "form": shown,
    }
    return render(request, "member_new.html", context, status_code=status_code)


@router.get("/members/new")
def new_member_page(request: Request, visit: CoordinatorVisitDep) -> Response:
    return _form_page(request, visit, {}, None)


@router.post("/members/new")
async def new_member(request: Request, visit: CoordinatorVisitDep) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    wanted = read_new_member(form, errors)
    if wanted is None:
        return _form_page(request, visit, form, errors, status_code=422)
    try:
        with refused_as_page():
            member = await run_in_threadpool(
                add_member, visit.engine, visit.timebank_id, visit.caller, wanted
            )
    except (InvalidRequest, StateConflict) as refused:
        if refused.code == "username_taken":
            errors.add("username", "That username is taken. Choose another")
        else:
            errors.refusal(refused, FIELDS_BY_CODE)
        return _form_page(
            request, visit, form, errors, status_code=409 if isinstance(refused, StateConflict) else 422
        )
    return RedirectResponse(f"/members/{member.member_id}?done=added", status_code=303)
