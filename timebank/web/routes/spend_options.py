"""What an organisation offers for time credits, for its staff: the list, adding one, withdrawing one.

A spend option is something a member can spend credits on with the organisation: a swim, a place on
a course, a community meal (DESIGN B5). It has a title, the credits it takes (hours and minutes,
kept as whole minutes) and a class. The class matters: goods and vouchers are the risky ones for a
member who gets benefits, so a member is asked to confirm before spending credits on them
(``timebank.benefits.spending``). The page explains each class in one sentence that is the same
for everyone; it says nothing about any member.

Withdrawing stops members choosing the option; spends already made stay. It asks "are you sure"
first, on a page of its own. The list shows active and withdrawn options, oldest first.

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

from timebank.benefits.spending import SpendClass
from timebank.errors import InvalidRequest
from timebank.people.organisations import get_organisation
from timebank.spending.requests import CreateSpendOption
from timebank.spending.spends import (
    create_spend_option,
    list_spend_options,
    read_spend_option,
    withdraw_spend_option,
)
from timebank.spending.views import SpendOptionView
from timebank.web.acting_for import acting_for
from timebank.web.forms import FormErrors, whole_number
from timebank.web.templating import render
from timebank.web.visits import PageRefused, StaffVisitDep, Visit, posted_form, refused_as_page

__all__ = ["SPEND_CLASSES", "router"]

router = APIRouter(include_in_schema=False)

# Each class in plain words, with one sentence saying when to choose it. The same for everyone.
SPEND_CLASSES = (
    (
        SpendClass.MEMBER_TIME,
        "Time with another member",
        "A member gives their time, such as a lift or a chat.",
    ),
    (
        SpendClass.COMMUNITY_ACTIVITY,
        "A community activity",
        "A place at something you run, such as a swim, a class or a shared meal.",
    ),
    (
        SpendClass.GOODS,
        "Goods",
        "Things to keep, such as food or a gift. These can affect benefits, so some members confirm first.",
    ),
    (
        SpendClass.VOUCHER,
        "A voucher",
        "A voucher to spend in a shop. Vouchers can affect benefits, so some members must confirm first.",
    ),
)
SPEND_CLASS_NAMES = {value: name for value, name, _ in SPEND_CLASSES}

_FIELDS_BY_NAME = {"title": "title", "minutes": "hours", "spend_class": "spend_class"}
_WORDS = {"title": "the title", "minutes": "the credits", "spend_class": "the kind"}
_FIELDS_BY_CODE = {
    "text_required": "title",
    "text_too_long": "title",
    "text_has_control_characters": "title",
    "minutes_above_transfer_limit": "hours",
    "minutes_must_be_positive": "hours",
    "spend_class_unknown": "spend_class",
}
DONE_MESSAGES = {
    "created": "Spend option added. Members can now spend credits on it.",
    "withdrawn": "Spend option withdrawn. Members can no longer choose it.",
}


@router.get("/spend-options")
def spend_options_page(
    request: Request,
    visit: StaffVisitDep,
    organisation: int | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    acting = acting_for(visit, organisation)
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        page = list_spend_options(engine, tb, caller, acting.chosen_id, include_withdrawn=True, cursor=cursor)
        chosen = acting.chosen or get_organisation(engine, tb, caller, acting.chosen_id)
    context = {
        "title": "Spend options",
        "visit": visit,
        "here": "/activities",
        "errors": None,
        "done": DONE_MESSAGES.get(done or ""),
        "acting": acting,
        "organisation": chosen,
        "options": page.options,
        "next_cursor": page.next_cursor,
        "names": SPEND_CLASS_NAMES,
    }
    return render(request, "spend_options.html", context)


def _new_page(
    request: Request, visit: Visit, organisation_id: int, form: dict[str, str], errors: FormErrors | None
) -> Response:
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        # The list is read for its check: only those who act for the organisation see its form.
        list_spend_options(engine, tb, caller, organisation_id, include_withdrawn=True, limit=1)
        organisation = get_organisation(engine, tb, caller, organisation_id)
    context: dict[str, Any] = {
        "title": "Add a spend option",
        "visit": visit,
        "here": "/activities",
        "errors": errors or None,
        "organisation": organisation,
        "form": form,
        "classes": SPEND_CLASSES,
    }
    return render(request, "spend_option_new.html", context, status_code=422 if errors else 200)


@router.get("/spend-options/new")
def new_spend_option_page(
    request: Request, visit: StaffVisitDep, organisation: int | None = None
) -> Response:
    acting = acting_for(visit, organisation)
    return _new_page(request, visit, acting.chosen_id, {}, None)


def read_spend_option_form(form: dict[str, str], errors: FormErrors) -> CreateSpendOption | None:
    """The option the form describes, or None with every refusal added to ``errors``."""
    title = form.get("title", "").strip()
    if not title:
        errors.add("title", "Enter what members can spend credits on")
    hours = whole_number(form, "hours", "Hours", errors, blank_is=0)
    minutes = whole_number(form, "minutes", "Minutes", errors, blank_is=0)
    if minutes is not None and minutes >= 60:
        errors.add("minutes", "Minutes must be 59 or fewer. Put whole hours in the hours box")
    elif hours is not None and minutes is not None and hours * 60 + minutes == 0:
        errors.add("hours", "Enter how many credits it takes")
    if form.get("spend_class") not in {value.value for value, _, _ in SPEND_CLASSES}:
        errors.add("spend_class", "Choose what kind of thing it is")
    if errors or hours is None or minutes is None:
        return None
    try:
        return CreateSpendOption.model_validate(
            {"title": title, "minutes": hours * 60 + minutes, "spend_class": form["spend_class"]}
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


@router.post("/spend-options/new")
async def add_spend_option(request: Request, visit: StaffVisitDep) -> Response:
    form = await posted_form(request, visit)
    organisation_text = form.get("organisation_id", "")
    if not organisation_text.isascii() or not organisation_text.isdigit() or len(organisation_text) > 18:
        raise PageRefused(404, "Page not found", "Go back to the spend options and try again.")
    organisation_id = int(organisation_text)
    errors = FormErrors()
    body = read_spend_option_form(form, errors)
    if body is None:
        return await run_in_threadpool(_new_page, request, visit, organisation_id, form, errors)
    try:
        with refused_as_page():
            await run_in_threadpool(
                create_spend_option, visit.engine, visit.timebank_id, visit.caller, organisation_id, body
            )
    except InvalidRequest as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        return await run_in_threadpool(_new_page, request, visit, organisation_id, form, errors)
    return RedirectResponse(f"/spend-options?organisation={organisation_id}&done=created", status_code=303)


def _option_for_staff(visit: Visit, spend_option_id: int) -> SpendOptionView:
    """The option, once the visitor is known to act for its organisation.

    Any member may read an option (to spend on it); only its organisation's staff and coordinators
    manage it, which the list's check says before the page shows anything.
    """
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        option = read_spend_option(engine, tb, caller, spend_option_id)
        list_spend_options(engine, tb, caller, option.organisation_id, include_withdrawn=True, limit=1)
    return option


@router.get("/spend-options/{spend_option_id}/withdraw")
def withdraw_page(request: Request, visit: StaffVisitDep, spend_option_id: int) -> Response:
    option = _option_for_staff(visit, spend_option_id)
    with refused_as_page():
        organisation = get_organisation(visit.engine, visit.timebank_id, visit.caller, option.organisation_id)
    context = {
        "title": "Withdraw a spend option",
        "visit": visit,
        "here": "/activities",
        "errors": None,
        "option": option,
        "organisation": organisation,
        "class_name": SPEND_CLASS_NAMES[option.spend_class],
    }
    return render(request, "spend_option_withdraw.html", context)


@router.post("/spend-options/{spend_option_id}/withdraw")
async def withdraw(request: Request, visit: StaffVisitDep, spend_option_id: int) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        view = await run_in_threadpool(
            withdraw_spend_option, visit.engine, visit.timebank_id, visit.caller, spend_option_id
        )
    return RedirectResponse(
        f"/spend-options?organisation={view.organisation_id}&done=withdrawn", status_code=303
    )
