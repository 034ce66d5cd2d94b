"""Organisations, their contact details, their staff and their API keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.people import organisations as service
from timebank.people.requests import AddOrganisation, AddStaff, CreateApiKey, UpdateOrganisation
from timebank.people.views import ApiKeyView, NewApiKey, OrganisationPage, OrganisationView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/organisations", tags=["organisations"], route_class=JsonRoute)


@router.post("", operation_id="add_organisation", status_code=201, response_model=OrganisationView)
def add(tb: TimebankPath, body: AddOrganisation, engine: EngineDep, caller: CallerDep) -> OrganisationView:
    """Add an organisation with its own account and, optionally, its contact details (coordinator)."""
    return service.add_organisation(engine, tb, caller, body)


@router.get("", operation_id="list_organisations", response_model=OrganisationPage)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> OrganisationPage:
    """List the organisations in your timebank."""
    return service.list_organisations(engine, tb, caller, cursor=cursor, limit=limit)


@router.get("/{organisation_id}", operation_id="get_organisation", response_model=OrganisationView)
def get(tb: TimebankPath, organisation_id: IdPath, engine: EngineDep, caller: CallerDep) -> OrganisationView:
    """Read an organisation in your timebank."""
    return service.get_organisation(engine, tb, caller, organisation_id)


@router.patch("/{organisation_id}", operation_id="update_organisation", response_model=OrganisationView)
def update(
    tb: TimebankPath, organisation_id: IdPath, body: UpdateOrganisation, engine: EngineDep, caller: CallerDep
) -> OrganisationView:
    """Change an organisation's contact details (coordinator); only the details sent change."""
    return service.change_contact(engine, tb, caller, organisation_id, body)


@router.post("/{organisation_id}/staff", operation_id="add_staff", response_model=OrganisationView)
def add_staff(
    tb: TimebankPath, organisation_id: IdPath, body: AddStaff, engine: EngineDep, caller: CallerDep
) -> OrganisationView:
    """Link a member as staff of the organisation (coordinator)."""
    return service.add_staff(engine, tb, caller, organisation_id, body)


@router.delete(
    "/{organisation_id}/staff/{member_id}", operation_id="remove_staff", response_model=OrganisationView
)
def remove_staff(
    tb: TimebankPath, organisation_id: IdPath, member_id: IdPath, engine: EngineDep, caller: CallerDep
) -> OrganisationView:
    """Unlink a staff member (coordinator)."""
    return service.remove_staff(engine, tb, caller, organisation_id, member_id)


@router.post(
    "/{organisation_id}/api-keys",
    operation_id="create_api_key",
    status_code=201,
    response_model=NewApiKey,
)
def create_key(
    tb: TimebankPath, organisation_id: IdPath, body: CreateApiKey, engine: EngineDep, caller: CallerDep
) -> NewApiKey:
    """Make an API key that acts for the organisation's account (coordinator or its staff)."""
    return service.create_api_key(engine, tb, caller, organisation_id, body)


@router.get("/{organisation_id}/api-keys", operation_id="list_api_keys", response_model=list[ApiKeyView])
def list_keys(
    tb: TimebankPath, organisation_id: IdPath, engine: EngineDep, caller: CallerDep
) -> list[ApiKeyView]:
    """List the organisation's API keys, without their secrets."""
    return service.list_api_keys(engine, tb, caller, organisation_id)


@router.delete(
    "/{organisation_id}/api-keys/{api_key_id}",
    operation_id="revoke_api_key",
    status_code=204,
    response_class=Response,
)
def revoke_key(
    tb: TimebankPath, organisation_id: IdPath, api_key_id: IdPath, engine: EngineDep, caller: CallerDep
) -> Response:
    """Revoke an API key at once."""
    service.revoke_api_key(engine, tb, caller, organisation_id, api_key_id)
    return Response(status_code=204)
