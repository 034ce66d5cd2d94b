"""The organisations of a timebank, for its coordinators: the list, adding one, and its contact details.

An organisation is a service or a partner with its own account (DESIGN §2): it gives credits when
it recognises involvement, going below zero within its budget, and earns them when members spend
there. A coordinator adds one with a name, a budget in whole hours (how far below zero its account
may go; the timebank's default when left blank) and its contact details, which a member's
benefit-safe statement prints beside each activity it ran. The organisation's own page
(``/organisations/{id}``) shows all of it, with its staff (``organisation_staff``) and its API keys
(``api_keys``).

Every page here is behind ``CoordinatorVisitDep``: anyone else gets the 403 page before anything is
read, and another timebank's organisation is not found (404). The use cases are
``timebank.people.organisations``, called as the JSON API calls them.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.accounts.accounts import read_account
from timebank.errors import InvalidRequest, LimitBreached
from timebank.people import organisations as service
from timebank.people.requests import AddOrganisation, UpdateOrganisation
from timebank.people.views import DirectoryEntry
from timebank.web.forms import FormErrors, whole_number
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["organisation_view", "router"]

router = APIRouter(include_in_schema=False)

CONTACT_FIELDS = ("contact_address", "contact_email", "contact_phone")
# What the organisation's page says after a change sent it back there (``?done=...``).
DONE_MESSAGES = {
    "added": "Organisation added.",
    "contact": "Contact details changed.",
    "staff_added": "Member of staff added.",
    "staff_removed": "Member of staff removed.",
    "key_revoked": "API key revoked. It no longer works.",
}
_FIELDS_BY_NAME = {"name": "name", "floor_minutes": "budget", **{name: name for name in CONTACT_FIELDS}}
_WORDS = {
    "name": "the name",
    "floor_minutes": "the budget",
    "contact_address": "the address",
    "contact_email": "the email address",
    "contact_phone": "the phone number",
}


def fields_by_code(text_field: str) -> dict[str, str]:
    """Where each refusal of the organisation use cases belongs; ``text_field`` is the free text."""
    return {
        "text_too_long": text_field,
        "text_has_control_characters": text_field,
        "email_invalid": "contact_email",
        "phone_invalid": "contact_phone",
        "floor_must_not_be_positive": "budget",
        "limit_excludes_balance": "budget",
    }


def contact_of(form: dict[str, str]) -> dict[str, str | None]:
    """The contact details as typed; a blank box is no detail (and clears one already set)."""
    return {name: form.get(name, "").strip() or None for name in CONTACT_FIELDS}


def _new_page(request: Request, visit: Visit, form: dict[str, str], errors: FormErrors | None) -> Response:
    context: dict[str, Any] = {
        "title": "Add an organisation",
        "visit": visit,
        "here": "/organisations",
        "form": form,
        "errors": errors or None,
    }
    return render(request, "organisation_new.html", context, status_code=422 if errors else 200)


@router.get("/organisations")
def organisations_page(request: Request, visit: CoordinatorVisitDep, cursor: str | None = None) -> Response:
    with refused_as_page():
        page = service.list_organisations(visit.engine, visit.timebank_id, visit.caller, cursor=cursor)
    context = {
        "title": "Organisations",
        "visit": visit,
        "here": "/organisations",
        "errors": None,
        "organisations": page.organisations,
        "next_cursor": page.next_cursor,
    }
    return render(request, "organisations.html", context)


@router.get("/organisations/new")
def new_organisation_page(request: Request, visit: CoordinatorVisitDep) -> Response:
    return _new_page(request, visit, {}, None)


def read_new_organisation(form: dict[str, str], errors: FormErrors) -> AddOrganisation | None:
    name = form.get("name", "").strip()
    if not name:
        errors.add("name", "Enter the organisation's name")
    budget_hours = whole_number(form, "budget", "The budget", errors, blank_is=-1)
    if errors or budget_hours is None:
        return None
    try:
        return AddOrganisation.model_validate(
            {
                "name": name,
                "floor_minutes": None if budget_hours < 0 else -budget_hours * 60,
                **contact_of(form),
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


@router.post("/organisations/new")
async def add_organisation(request: Request, visit: CoordinatorVisitDep) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    body = read_new_organisation(form, errors)
    if body is None:
        return _new_page(request, visit, form, errors)
    try:
        with refused_as_page():
            view = await run_in_threadpool(
                service.add_organisation, visit.engine, visit.timebank_id, visit.caller, body
            )
    except (InvalidRequest, LimitBreached) as refused:
        errors.refusal(refused, fields_by_code("name"))
        return _new_page(request, visit, form, errors)
    return RedirectResponse(f"/organisations/{view.organisation_id}?done=added", status_code=303)


def organisation_view(
    request: Request,
    visit: Visit,
    organisation_id: int,
    *,
    done: str | None = None,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    matches: tuple[DirectoryEntry, ...] = (),
) -> Response:
    """The organisation's page, perhaps with a staff or key form given back with its errors."""
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        organisation = service.get_organisation(engine, tb, caller, organisation_id)
        account = read_account(engine, tb, caller, organisation.account_id)
        staff = service.list_staff(engine, tb, caller, organisation_id)
        keys = service.list_api_keys(engine, tb, caller, organisation_id)
    context = {
        "title": organisation.name,
        "visit": visit,
        "here": "/organisations",
        "errors": errors or None,
        "organisation": organisation,
        "account": account,
        "staff": staff,
        "keys": keys,
        "done": DONE_MESSAGES.get(done or ""),
        "form": form or {},
        "matches": matches,
    }
    status = 422 if errors else 200
    return render(request, "organisation.html", context, status_code=status)


@router.get("/organisations/{organisation_id}")
def organisation_page(
    request: Request, visit: CoordinatorVisitDep, organisation_id: int, done: str | None = None
) -> Response:
    return organisation_view(request, visit, organisation_id, done=done)


def _contact_page(
    request: Request, visit: Visit, organisation_id: int, form: dict[str, str], errors: FormErrors | None
) -> Response:
    with refused_as_page():
        organisation = service.get_organisation(
            visit.engine, visit.timebank_id, visit.caller, organisation_id
        )
    context = {
        "title": "Change contact details",
        "visit": visit,
        "here": "/organisations",
        "errors": errors or None,
        "organisation": organisation,
        "form": form or {name: getattr(organisation, name) or "" for name in CONTACT_FIELDS},
    }
    return render(request, "organisation_contact.html", context, status_code=422 if errors else 200)


@router.get("/organisations/{organisation_id}/contact")
def contact_page(request: Request, visit: CoordinatorVisitDep, organisation_id: int) -> Response:
    return _contact_page(request, visit, organisation_id, {}, None)


@router.post("/organisations/{organisation_id}/contact")
async def change_contact(request: Request, visit: CoordinatorVisitDep, organisation_id: int) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    try:
        body = UpdateOrganisation.model_validate(contact_of(form))
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return await run_in_threadpool(_contact_page, request, visit, organisation_id, form, errors)
    try:
        with refused_as_page():
            await run_in_threadpool(
                service.change_contact, visit.engine, visit.timebank_id, visit.caller, organisation_id, body
            )
    except InvalidRequest as refused:
        errors.refusal(refused, fields_by_code("contact_address"))
        return await run_in_threadpool(_contact_page, request, visit, organisation_id, form, errors)
    return RedirectResponse(f"/organisations/{organisation_id}?done=contact", status_code=303)
