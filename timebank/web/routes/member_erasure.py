"""A coordinator erases a member's personal data, when the member asks (``timebank.people.erasure``).

From a member's page, "Erase this member's personal data" opens ``/members/{id}/erase``: a page that
says in plain words what goes (their name, contact details, login, tags, benefits details, what they
wrote) and what stays (the hours in the records, so that everyone's balance stays right), with a box
to tick to say the coordinator understands it cannot be undone. The check page says it once more
beside the member's name, and only its button erases. The done page, ``/members/{id}/erased``,
names the member as they are now: "Former member N".

Refusals: the box not ticked (beside the box, nothing erased); one's own data (403 page, as the use
case refuses); a member erased already (409 page), except that the same button pressed twice is
answered with the done page; another timebank's member, or none, is not found (404). All behind
``CoordinatorVisitDep``.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.people.erasure import erase_member
from timebank.people.erasure_errors import MemberAlreadyErased
from timebank.people.requests import EraseMember
from timebank.people.views import MemberView
from timebank.web.forms import FormErrors
from timebank.web.routes.members import coordinated_member
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _already_erased() -> PageRefused:
    return PageRefused(
        409,
        "This member's personal data was erased already",
        "Their name, contact details and login are gone. Nothing more was changed.",
    )


def _erasable(visit: Visit, member: MemberView) -> MemberView:
    """The member, if the visitor may erase their data; otherwise a page that says why not."""
    if member.erased_at is not None:
        raise _already_erased()
    if member.member_id == visit.caller.member_id:
        raise PageRefused(403, "You cannot erase your own personal data", "Ask another coordinator to do it.")
    return member


def _context(visit: Visit, member: MemberView, title: str, errors: FormErrors | None) -> dict[str, Any]:
    return {"title": title, "visit": visit, "here": "/members", "errors": errors or None, "member": member}


@router.get("/members/{member_id}/erase")
async def erase_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = _erasable(visit, await run_in_threadpool(coordinated_member, visit, member_id))
    title = f"Erase {member.display_name}'s personal data"
    return render(request, "member_erase.html", _context(visit, member, title, None))


@router.post("/members/{member_id}/erase")
async def erase(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    form = await posted_form(request, visit)
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    action = form.get("action")
    if action == "erase" and member.erased_at is not None:
        # The button pressed twice: the first press erased them.
        return RedirectResponse(f"/members/{member_id}/erased", status_code=303)
    _erasable(visit, member)
    title = f"Erase {member.display_name}'s personal data"
    if form.get("confirm") != "yes":
        errors = FormErrors()
        errors.add("confirm", "Tick the box to say you understand this cannot be undone")
        return render(request, "member_erase.html", _context(visit, member, title, errors), status_code=422)
    if action != "erase":
        return render(request, "member_erase_check.html", _context(visit, member, "Check your answers", None))
    try:
        with refused_as_page():
            await run_in_threadpool(
                erase_member,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                member_id,
                EraseMember(confirm=True),
            )
    except MemberAlreadyErased:
        pass  # another coordinator erased them a moment ago: the data is gone either way
    return RedirectResponse(f"/members/{member_id}/erased", status_code=303)


@router.get("/members/{member_id}/erased")
async def erased_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    if member.erased_at is None:
        raise PageRefused(404, "Page not found", "This member's personal data has not been erased.")
    return render(request, "member_erased.html", _context(visit, member, "Personal data erased", None))
