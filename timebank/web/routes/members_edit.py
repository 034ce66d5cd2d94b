"""Changing a member on a page: their name, role and tags on one page, their limits on another.

Each page is one use case, so one transaction: ``update_member`` for the details and
``change_limits`` for the limits. They are apart because a change of limits is logged with its
reason (DESIGN §3), so that page asks why and will not go on without an answer; the details carry
no reason, as the use case keeps none. Both forms come filled in with what is held now. After a
change the member's page opens, saying what changed. A refusal (no name, a tag that is not one
word, the timebank's last coordinator stepping down, limits that would leave the balance outside
them) gives the form back with the error summary, and nothing changes.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.accounts.accounts import change_limits, read_account
from timebank.accounts.requests import ChangeLimits
from timebank.accounts.views import AccountView
from timebank.errors import InvalidRequest, LimitBreached, StateConflict
from timebank.people.members import update_member
from timebank.people.requests import UpdateMember
from timebank.people.views import MemberView
from timebank.web.forms import FormErrors
from timebank.web.routes.members import coordinated_member
from timebank.web.routes.members_fields import duration, tags_typed
from timebank.web.templating import hours, render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_DETAIL_FIELDS_BY_CODE = {
    "tag_invalid": "tags",
    "role_unknown": "coordinator",
    "last_coordinator_required": "coordinator",
    "text_too_long": "display_name",
    "text_has_control_characters": "display_name",
}
_DETAIL_FIELDS_BY_NAME = {"display_name": "display_name", "tags": "tags", "roles": "coordinator"}
_DETAIL_WORDS = {"display_name": "the name", "tags": "the tags", "roles": "the role"}
_LIMIT_FIELDS_BY_CODE = {
    "floor_must_not_be_positive": "floor-hours",
    "cap_must_not_be_negative": "cap-hours",
    "text_too_long": "reason",
    "text_has_control_characters": "reason",
}
_LIMIT_FIELDS_BY_NAME = {"floor_minutes": "floor-hours", "cap_minutes": "cap-hours", "reason": "reason"}
_LIMIT_WORDS = {
    "floor_minutes": "how far below zero",
    "cap_minutes": "the highest balance",
    "reason": "the reason",
}


# --- name, role and tags ------------------------------------------------------------------------


def _details_page(
    request: Request,
    visit: Visit,
    member: MemberView,
    form: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "title": f"Change {member.display_name}'s details",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "member": member,
        "form": form,
    }
    return render(request, "member_edit.html", context, status_code=status_code)


@router.get("/members/{member_id}/edit")
async def edit_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    form = {
        "display_name": member.display_name,
        "coordinator": "yes" if "coordinator" in member.roles else "",
        "tags": " ".join(member.tags),
    }
    return _details_page(request, visit, member, form)


def read_details(form: dict[str, str], errors: FormErrors) -> UpdateMember | None:
    name = form.get("display_name", "").strip()
    if not name:
        errors.add("display_name", "Enter the member's name")
        return None
    try:
        return UpdateMember.model_validate(
            {
                "display_name": name,
                "roles": ["member", "coordinator"] if form.get("coordinator") == "yes" else ["member"],
                "tags": tags_typed(form.get("tags", "")),
            }
        )
    except ValidationError as error:
        errors.invalid(error, _DETAIL_FIELDS_BY_NAME, _DETAIL_WORDS)
        return None


@router.post("/members/{member_id}/edit")
async def edit(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    form = await posted_form(request, visit)
    errors = FormErrors()
    wanted = read_details(form, errors)
    if wanted is None:
        return _details_page(request, visit, member, form, errors, 422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                update_member, visit.engine, visit.timebank_id, visit.caller, member_id, wanted
            )
    except (InvalidRequest, StateConflict) as refused:
        errors.refusal(refused, _DETAIL_FIELDS_BY_CODE)
        return _details_page(
            request, visit, member, form, errors, 409 if isinstance(refused, StateConflict) else 422
        )
    return RedirectResponse(f"/members/{member_id}?done=changed", status_code=303)


# --- limits -------------------------------------------------------------------------------------


def _limits_page(
    request: Request,
    visit: Visit,
    member: MemberView,
    account: AccountView,
    form: dict[str, str],
    errors: FormErrors | None = None,
    status_code: int = 200,
) -> Response:
    context: dict[str, Any] = {
        "title": f"Change {member.display_name}'s limits",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "member": member,
        "account": account,
        "form": form,
    }
    return render(request, "member_limits.html", context, status_code=status_code)


def _member_account(visit: Visit, member_id: int) -> tuple[MemberView, AccountView]:
    member = coordinated_member(visit, member_id)
    with refused_as_page():
        return member, read_account(visit.engine, visit.timebank_id, visit.caller, member.account_id)


def _boxes(prefix: str, minutes: int | None) -> dict[str, str]:
    if minutes is None:
        return {f"{prefix}-hours": "", f"{prefix}-minutes": ""}
    whole, part = divmod(abs(minutes), 60)
    return {f"{prefix}-hours": str(whole), f"{prefix}-minutes": str(part) if part else ""}


@router.get("/members/{member_id}/limits")
async def limits_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member, account = await run_in_threadpool(_member_account, visit, member_id)
    form = {**_boxes("floor", account.floor_minutes), **_boxes("cap", account.cap_minutes)}
    return _limits_page(request, visit, member, account, form)


def read_limits(form: dict[str, str], errors: FormErrors) -> ChangeLimits | None:
    floor = duration(form, "floor", errors, missing="Enter how far below zero their balance may go")
    cap = duration(form, "cap", errors, missing=None)
    reason = form.get("reason", "").strip()
    if not reason:
        errors.add("reason", "Enter why you are changing the limits")
    if errors or floor is None:
        return None
    try:
        return ChangeLimits.model_validate({"floor_minutes": -floor, "cap_minutes": cap, "reason": reason})
    except ValidationError as error:
        errors.invalid(error, _LIMIT_FIELDS_BY_NAME, _LIMIT_WORDS)
        return None


@router.post("/members/{member_id}/limits")
async def change_member_limits(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member, account = await run_in_threadpool(_member_account, visit, member_id)
    form = await posted_form(request, visit)
    errors = FormErrors()
    wanted = read_limits(form, errors)
    if wanted is None:
        return _limits_page(request, visit, member, account, form, errors, 422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                change_limits, visit.engine, visit.timebank_id, visit.caller, member.account_id, wanted
            )
    except (InvalidRequest, LimitBreached) as refused:
        if refused.code == "limit_excludes_balance":
            errors.add(
                "floor-hours",
                f"{member.display_name}'s balance is {hours(account.balance_minutes)}. "
                "The new limits must leave it between them",
            )
        else:
            errors.refusal(refused, _LIMIT_FIELDS_BY_CODE)
        return _limits_page(request, visit, member, account, form, errors, 422)
    return RedirectResponse(f"/members/{member_id}?done=limits", status_code=303)
