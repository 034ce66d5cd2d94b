"""An organisation's activities, for its staff: the list, adding one, and one activity's page.

An activity is an organisation's forum, board, panel or event (DESIGN §4): a title, the day it was
held, how long it ran, what it was for, and its classification, which a member's benefit-safe
statement prints because a benefit office asks about it. The list and the form are about one
organisation (``timebank.web.acting_for``); the activity's own page shows who is invited, lets
staff invite more members by name (only invited members can be offered a payment, B4), and what
was recorded about who came (``attendance``).

Every page here is behind ``StaffVisitDep``. Whether the visitor may act for the organisation is
the use cases' to decide, as for the JSON API: another organisation of the timebank answers 403,
another timebank's ids 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.benefits.activities import ActivityClassification
from timebank.errors import InvalidRequest, StateConflict
from timebank.involvement.activities import (
    activity_attendance,
    create_activity,
    get_activity,
    list_activities,
)
from timebank.involvement.invitations import invite_members, invited_members, withdraw_invitation
from timebank.involvement.requests import CreateActivity, InviteMembers
from timebank.people.organisations import get_organisation
from timebank.people.views import DirectoryEntry
from timebank.web.acting_for import acting_for
from timebank.web.forms import FormErrors, calendar_day, whole_number
from timebank.web.people_finder import find_other_member
from timebank.web.templating import render
from timebank.web.visits import PageRefused, StaffVisitDep, Visit, posted_form, refused_as_page

__all__ = ["CLASSIFICATIONS", "router"]

router = APIRouter(include_in_schema=False)

# Each classification in plain words, with one sentence saying when to choose it (DESIGN §4). The
# legal phrase for the first ("participating as a service user") belongs on statements only.
CLASSIFICATIONS = (
    (
        ActivityClassification.USES_SERVICES,
        "Shaping services",
        "Members who use a service help to plan or change it, such as at a forum, a board or a panel.",
    ),
    (
        ActivityClassification.VOLUNTEERING,
        "Volunteering",
        "Members give unpaid help to a charity or a community group.",
    ),
    (
        ActivityClassification.COMMUNITY_ACTIVITY,
        "Community activity",
        "Members take part in the timebank's own give and get, such as a shared meal or a class.",
    ),
)
CLASSIFICATION_NAMES = {value: name for value, name, _ in CLASSIFICATIONS}

_FIELDS_BY_NAME = {"title": "title", "held_on": "held-day", "duration_minutes": "hours", "purpose": "purpose"}
_WORDS = {
    "title": "the title",
    "held_on": "the day",
    "duration_minutes": "the length",
    "purpose": "the purpose",
}
_FIELDS_BY_CODE = {
    "text_too_long": "title",
    "text_has_control_characters": "title",
    "minutes_above_transfer_limit": "hours",
}
DONE_MESSAGES = {
    "created": "Activity added. Now invite the members you expect.",
    "invited": "Member invited.",
    "withdrawn": "Invitation withdrawn.",
    "recorded": "Attendance recorded.",
}


@router.get("/activities")
def activities_page(
    request: Request, visit: StaffVisitDep, organisation: int | None = None, cursor: str | None = None
) -> Response:
    acting = acting_for(visit, organisation)
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        page = list_activities(engine, tb, caller, acting.chosen_id, cursor=cursor)
        chosen = acting.chosen or get_organisation(engine, tb, caller, acting.chosen_id)
    context = {
        "title": "Activities",
        "visit": visit,
        "here": "/activities",
        "errors": None,
        "acting": acting,
        "organisation": chosen,
        "activities": page.activities,
        "next_cursor": page.next_cursor,
        "names": CLASSIFICATION_NAMES,
    }
    return render(request, "activities.html", context)


def _new_page(
    request: Request, visit: Visit, organisation_id: int, form: dict[str, str], errors: FormErrors | None
) -> Response:
    with refused_as_page():
        # The list is read for its check: only those who act for the organisation see its form.
        list_activities(visit.engine, visit.timebank_id, visit.caller, organisation_id, limit=1)
        organisation = get_organisation(visit.engine, visit.timebank_id, visit.caller, organisation_id)
    context: dict[str, Any] = {
        "title": "Add an activity",
        "visit": visit,
        "here": "/activities",
        "errors": errors or None,
        "organisation": organisation,
        "form": form,
        "classifications": CLASSIFICATIONS,
    }
    return render(request, "activity_new.html", context, status_code=422 if errors else 200)


@router.get("/activities/new")
def new_activity_page(request: Request, visit: StaffVisitDep, organisation: int | None = None) -> Response:
    acting = acting_for(visit, organisation)
    return _new_page(request, visit, acting.chosen_id, {}, None)


def read_activity(form: dict[str, str], errors: FormErrors) -> CreateActivity | None:
    """The activity the form describes, or None with every refusal added to ``errors``."""
    title = form.get("title", "").strip()
    if not title:
        errors.add("title", "Enter the activity's title")
    held_on = calendar_day(form, "held", "The day it was held", errors)
    hours = whole_number(form, "hours", "Hours", errors, blank_is=0)
    minutes = whole_number(form, "minutes", "Minutes", errors, blank_is=0)
    if minutes is not None and minutes >= 60:
        errors.add("minutes", "Minutes must be 59 or fewer. Put whole hours in the hours box")
    elif hours is not None and minutes is not None and hours * 60 + minutes == 0:
        errors.add("hours", "Enter how long the activity lasted")
    if form.get("classification") not in {value.value for value, _, _ in CLASSIFICATIONS}:
        errors.add("classification", "Choose what kind of activity it is")
    if errors or hours is None or minutes is None:
        return None
    try:
        return CreateActivity.model_validate(
            {
                "title": title,
                "held_on": held_on,
                "duration_minutes": hours * 60 + minutes,
                "classification": form["classification"],
                "purpose": form.get("purpose", "").strip(),
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


@router.post("/activities/new")
async def add_activity(request: Request, visit: StaffVisitDep) -> Response:
    form = await posted_form(request, visit)
    organisation_text = form.get("organisation_id", "")
    if not organisation_text.isascii() or not organisation_text.isdigit() or len(organisation_text) > 18:
        raise PageRefused(404, "Page not found", "Go back to the activities and try again.")
    organisation_id = int(organisation_text)
    errors = FormErrors()
    body = read_activity(form, errors)
    if body is None:
        return await run_in_threadpool(_new_page, request, visit, organisation_id, form, errors)
    try:
        with refused_as_page():
            view = await run_in_threadpool(
                create_activity, visit.engine, visit.timebank_id, visit.caller, organisation_id, body
            )
    except InvalidRequest as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        return await run_in_threadpool(_new_page, request, visit, organisation_id, form, errors)
    return RedirectResponse(f"/activities/{view.activity_id}?done=created", status_code=303)


def activity_view(
    request: Request,
    visit: Visit,
    activity_id: int,
    *,
    done: str | None = None,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    matches: tuple[DirectoryEntry, ...] = (),
) -> Response:
    """The activity's page, perhaps with the invite form given back with its errors."""
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        activity = get_activity(engine, tb, caller, activity_id)
        organisation = get_organisation(engine, tb, caller, activity.organisation_id)
        invited = invited_members(engine, tb, caller, activity_id)
        attendance = activity_attendance(engine, tb, caller, activity_id)
    names = {entry.account_id: entry.display_name for entry in invited}
    context = {
        "title": activity.title,
        "visit": visit,
        "here": "/activities",
        "errors": errors or None,
        "done": DONE_MESSAGES.get(done or ""),
        "activity": activity,
        "organisation": organisation,
        "classification": CLASSIFICATION_NAMES[activity.classification],
        "invited": invited,
        "attendance": attendance.attendees,
        "names": names,
        "form": form or {},
        "matches": matches,
    }
    return render(request, "activity.html", context, status_code=422 if errors else 200)


@router.get("/activities/{activity_id}")
def activity_page(
    request: Request, visit: StaffVisitDep, activity_id: int, done: str | None = None
) -> Response:
    return activity_view(request, visit, activity_id, done=done)


@router.post("/activities/{activity_id}/invitations")
async def invite(request: Request, visit: StaffVisitDep, activity_id: int) -> Response:
    form = await posted_form(request, visit)
    with refused_as_page():
        # Checked before the name is looked up, so a visitor who may not act learns nothing.
        await run_in_threadpool(get_activity, visit.engine, visit.timebank_id, visit.caller, activity_id)
    errors = FormErrors()
    found = await run_in_threadpool(
        find_other_member, visit, form, errors, missing="Enter the name of the member to invite"
    )
    if found.other is not None:
        body = InviteMembers(account_ids=[found.other.account_id])
        try:
            with refused_as_page():
                await run_in_threadpool(
                    invite_members, visit.engine, visit.timebank_id, visit.caller, activity_id, body
                )
        except (InvalidRequest, StateConflict) as refused:
            errors.add("other_name", refused.detail)
    if errors or found.other is None:
        return await run_in_threadpool(
            activity_view, request, visit, activity_id, form=form, errors=errors, matches=found.matches
        )
    return RedirectResponse(f"/activities/{activity_id}?done=invited", status_code=303)


@router.post("/activities/{activity_id}/invitations/{account_id}/withdraw")
async def withdraw(request: Request, visit: StaffVisitDep, activity_id: int, account_id: int) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        await run_in_threadpool(
            withdraw_invitation, visit.engine, visit.timebank_id, visit.caller, activity_id, account_id
        )
    return RedirectResponse(f"/activities/{activity_id}?done=withdrawn", status_code=303)
