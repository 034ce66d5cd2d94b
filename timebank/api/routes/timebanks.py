"""Timebanks: created and listed by platform admins; each member sees their own."""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import TimebankCreate, TimebankOut, TimebankUpdate
from timebank.db.repositories import TimebankSettings
from timebank.people.timebanks import (
    change_settings,
    create_timebank,
    get_timebank,
    list_timebanks,
    read_timebank,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks", tags=["timebanks"], route_class=JsonRoute)


def _out(settings: TimebankSettings) -> TimebankOut:
    assert settings.pot_account_id is not None, "every timebank is created with its pot"
    return TimebankOut(
        id=settings.timebank_id,
        name=settings.name,
        pot_account_id=settings.pot_account_id,
        default_member_floor_minutes=settings.default_member_floor_minutes,
        default_member_cap_minutes=settings.default_member_cap_minutes,
        default_organisation_floor_minutes=settings.default_organisation_floor_minutes,
        minutes_per_transfer_max=settings.minutes_per_transfer_max,
        pending_expiry_days=settings.pending_expiry_days,
        auto_confirm_pending=settings.auto_confirm_pending,
        require_both_sides=settings.require_both_sides,
        contact_address=settings.contact_address,
        contact_email=settings.contact_email,
        contact_phone=settings.contact_phone,
        backdate_days_max=settings.backdate_days_max,
    )


@router.post("", operation_id="create_timebank", status_code=201, response_model=TimebankOut)
def create(body: TimebankCreate, engine: EngineDep, caller: CallerDep) -> TimebankOut:
    """Create a timebank with its pot (admin)."""
    caller.check_admin()
    view = create_timebank(engine, **body.model_dump())
    return _out(get_timebank(engine, view.timebank_id))


@router.get("", operation_id="list_timebanks", response_model=list[TimebankOut])
def list_all(engine: EngineDep, caller: CallerDep) -> list[TimebankOut]:
    """List timebanks: all of them for an admin, your own for anyone else."""
    return [_out(settings) for settings in list_timebanks(engine, caller)]


@router.get("/{tb}", operation_id="get_timebank", response_model=TimebankOut)
def get(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> TimebankOut:
    """Read a timebank's settings."""
    return _out(read_timebank(engine, tb, caller))


@router.patch("/{tb}", operation_id="update_timebank", response_model=TimebankOut)
def update(tb: TimebankPath, body: TimebankUpdate, engine: EngineDep, caller: CallerDep) -> TimebankOut:
    """Change a timebank's settings (coordinator); only the settings sent change."""
    return _out(change_settings(engine, tb, caller, body.model_dump(exclude_unset=True)))
