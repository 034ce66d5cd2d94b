"""Organisations, their contact details, their staff and their API keys."""

from __future__ import annotations

from fastapi import APIRouter, Response

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyOut,
    OrganisationCreate,
    OrganisationOut,
    OrganisationPageOut,
    OrganisationUpdate,
    StaffAdd,
)
from timebank.ledger.contacts import Contact
from timebank.people import organisations as service
from timebank.people.organisations import ApiKeyView, OrganisationView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/organisations", tags=["organisations"], route_class=JsonRoute)


def _out(view: OrganisationView) -> OrganisationOut:
    return OrganisationOut(
        id=view.organisation_id,
        timebank_id=view.timebank_id,
        account_id=view.account_id,
        name=view.name,
        staff_member_ids=list(view.staff_member_ids),
        contact_address=view.contact.address,
        contact_email=view.contact.email,
        contact_phone=view.contact.phone,
    )


def _key_out(view: ApiKeyView) -> ApiKeyOut:
    return ApiKeyOut(
        id=view.api_key_id,
        organisation_id=view.organisation_id,
        label=view.label,
        created_at=view.created_at,
        revoked_at=view.revoked_at,
    )


@router.post("", operation_id="add_organisation", status_code=201, response_model=OrganisationOut)
def add(tb: TimebankPath, body: OrganisationCreate, engine: EngineDep, caller: CallerDep) -> OrganisationOut:
    """Add an organisation with its own account and, optionally, its contact details (coordinator)."""
    contact = Contact(body.contact_address, body.contact_email, body.contact_phone)
    return _out(
        service.add_organisation(
            engine, tb, caller, body.name, floor_minutes=body.floor_minutes, contact=contact
        )
    )


@router.get("", operation_id="list_organisations", response_model=OrganisationPageOut)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> OrganisationPageOut:
    """List the organisations in your timebank."""
    page = service.list_organisations(engine, tb, caller, cursor=cursor, limit=limit)
    return OrganisationPageOut(
        organisations=[_out(o) for o in page.organisations], next_cursor=page.next_cursor
    )


@router.get("/{organisation_id}", operation_id="get_organisation", response_model=OrganisationOut)
def get(tb: TimebankPath, organisation_id: IdPath, engine: EngineDep, caller: CallerDep) -> OrganisationOut:
    """Read an organisation in your timebank."""
    return _out(service.get_organisation(engine, tb, caller, organisation_id))


@router.patch("/{organisation_id}", operation_id="update_organisation", response_model=OrganisationOut)
def update(
    tb: TimebankPath, organisation_id: IdPath, body: OrganisationUpdate, engine: EngineDep, caller: CallerDep
) -> OrganisationOut:
    """Change an organisation's contact details (coordinator); only the details sent change."""
    # The body names them as columns do (contact_email); a contact names its parts (email).
    changes = {
        name.removeprefix("contact_"): value for name, value in body.model_dump(exclude_unset=True).items()
    }
    return _out(service.change_contact(engine, tb, caller, organisation_id, changes))


@router.post("/{organisation_id}/staff", operation_id="add_staff", response_model=OrganisationOut)
def add_staff(
    tb: TimebankPath, organisation_id: IdPath, body: StaffAdd, engine: EngineDep, caller: CallerDep
) -> OrganisationOut:
    """Link a member as staff of the organisation (coordinator)."""
    return _out(service.add_staff(engine, tb, caller, organisation_id, body.member_id))


@router.delete(
    "/{organisation_id}/staff/{member_id}", operation_id="remove_staff", response_model=OrganisationOut
)
def remove_staff(
    tb: TimebankPath, organisation_id: IdPath, member_id: IdPath, engine: EngineDep, caller: CallerDep
) -> OrganisationOut:
    """Unlink a staff member (coordinator)."""
    return _out(service.remove_staff(engine, tb, caller, organisation_id, member_id))


@router.post(
    "/{organisation_id}/api-keys",
    operation_id="create_api_key",
    status_code=201,
    response_model=ApiKeyCreated,
)
def create_key(
    tb: TimebankPath, organisation_id: IdPath, body: ApiKeyCreate, engine: EngineDep, caller: CallerDep
) -> ApiKeyCreated:
    """Make an API key that acts for the organisation's account (coordinator or its staff)."""
    made = service.create_api_key(engine, tb, caller, organisation_id, body.label)
    return ApiKeyCreated(**_key_out(made.key).model_dump(), key=made.secret)


@router.get("/{organisation_id}/api-keys", operation_id="list_api_keys", response_model=list[ApiKeyOut])
def list_keys(
    tb: TimebankPath, organisation_id: IdPath, engine: EngineDep, caller: CallerDep
) -> list[ApiKeyOut]:
    """List the organisation's API keys, without their secrets."""
    return [_key_out(k) for k in service.list_api_keys(engine, tb, caller, organisation_id)]


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
