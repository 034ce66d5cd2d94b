"""An organisation's API keys, for coordinators: making one with a label, and revoking one.

A key lets the organisation's own software act for its account through the JSON API. Its secret is
shown once, on the page that answers the form that made it, with a plain warning to copy it now:
only its SHA-256 is kept (``timebank.people.access``), so nobody can show it again. The
organisation's page lists its keys by label, never with their secrets. Revoking stops a key at
once and cannot be undone, so it asks "are you sure" first.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest
from timebank.people import organisations as service
from timebank.people.requests import CreateApiKey
from timebank.people.views import ApiKeyView
from timebank.web.forms import FormErrors
from timebank.web.routes.organisations import organisation_view
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELDS_BY_CODE = {"text_too_long": "label", "text_has_control_characters": "label"}


@router.post("/organisations/{organisation_id}/api-keys")
async def create_key(request: Request, visit: CoordinatorVisitDep, organisation_id: int) -> Response:
    form = await posted_form(request, visit)
    errors = FormErrors()
    label = form.get("label", "").strip()
    if not label:
        errors.add("label", "Enter a label for the key, such as the name of the software that uses it")
    else:
        try:
            body = CreateApiKey(label=label)
            with refused_as_page():
                key = await run_in_threadpool(
                    service.create_api_key,
                    visit.engine,
                    visit.timebank_id,
                    visit.caller,
                    organisation_id,
                    body,
                )
        except ValidationError as error:
            errors.invalid(error, {"label": "label"}, {"label": "the label"})
        except InvalidRequest as refused:
            errors.refusal(refused, _FIELDS_BY_CODE)
    if errors:
        return await run_in_threadpool(
            organisation_view, request, visit, organisation_id, form=form, errors=errors
        )
    with refused_as_page():
        organisation = await run_in_threadpool(
            service.get_organisation, visit.engine, visit.timebank_id, visit.caller, organisation_id
        )
    context = {
        "title": "API key made",
        "visit": visit,
        "here": "/organisations",
        "errors": None,
        "organisation": organisation,
        "key": key,
    }
    return render(request, "api_key_new.html", context)


def _key_of(visit: Visit, organisation_id: int, api_key_id: int) -> ApiKeyView:
    with refused_as_page():
        keys = service.list_api_keys(visit.engine, visit.timebank_id, visit.caller, organisation_id)
    for key in keys:
        if key.api_key_id == api_key_id:
            return key
    raise PageRefused(404, "Page not found", f"There is no API key {api_key_id} for this organisation.")


@router.get("/organisations/{organisation_id}/api-keys/{api_key_id}/revoke")
def revoke_key_page(
    request: Request, visit: CoordinatorVisitDep, organisation_id: int, api_key_id: int
) -> Response:
    key = _key_of(visit, organisation_id, api_key_id)
    with refused_as_page():
        organisation = service.get_organisation(
            visit.engine, visit.timebank_id, visit.caller, organisation_id
        )
    context = {
        "title": f"Are you sure you want to revoke the key {key.label}?",
        "visit": visit,
        "here": "/organisations",
        "errors": None,
        "organisation": organisation,
        "key": key,
    }
    return render(request, "api_key_revoke.html", context)


@router.post("/organisations/{organisation_id}/api-keys/{api_key_id}/revoke")
async def revoke_key(
    request: Request, visit: CoordinatorVisitDep, organisation_id: int, api_key_id: int
) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        await run_in_threadpool(
            service.revoke_api_key, visit.engine, visit.timebank_id, visit.caller, organisation_id, api_key_id
        )
    return RedirectResponse(f"/organisations/{organisation_id}?done=key_revoked", status_code=303)
