"""An organisation's staff, for coordinators: adding a member as staff (found by name), removing one.

Staff are members who act for the organisation's account: they create its activities, record who
came, repay expenses and offer things to spend credits on (DESIGN §2). A coordinator types part of
the member's name on the organisation's page (``timebank.web.people_finder``, as the record page
finds the other person); several matches are offered to choose from. Adding someone already on the
staff changes nothing. Removing is one button: it can be undone by adding them again.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.people import organisations as service
from timebank.people.requests import AddStaff
from timebank.web.forms import FormErrors
from timebank.web.people_finder import find_other_member
from timebank.web.routes.organisations import organisation_view
from timebank.web.visits import CoordinatorVisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


@router.post("/organisations/{organisation_id}/staff")
async def add_staff(request: Request, visit: CoordinatorVisitDep, organisation_id: int) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    found = await run_in_threadpool(
        find_other_member,
        visit,
        form,
        errors,
        missing="Enter the name of the member to add as staff",
        yourself="That is your own name. Coordinators already act for every organisation",
    )
    if found.other is None:
        return await run_in_threadpool(
            organisation_view,
            request,
            visit,
            organisation_id,
            form=form,
            errors=errors,
            matches=found.matches,
        )
    with refused_as_page():
        await run_in_threadpool(
            service.add_staff,
            visit.engine,
            visit.timebank_id,
            visit.caller,
            organisation_id,
            AddStaff(member_id=found.other.member_id),
        )
    return RedirectResponse(f"/organisations/{organisation_id}?done=staff_added", status_code=303)


@router.post("/organisations/{organisation_id}/staff/{member_id}/remove")
async def remove_staff(
    request: Request, visit: CoordinatorVisitDep, organisation_id: int, member_id: int
) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        await run_in_threadpool(
            service.remove_staff, visit.engine, visit.timebank_id, visit.caller, organisation_id, member_id
        )
    return RedirectResponse(f"/organisations/{organisation_id}?done=staff_removed", status_code=303)
