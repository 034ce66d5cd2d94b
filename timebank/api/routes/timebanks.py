"""Timebanks: created and listed by platform admins; each member sees their own."""

from __future__ import annotations

from fastapi import APIRouter

from timebank.api.deps import CallerDep, EngineDep, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.people.requests import CreateTimebank, UpdateTimebank
from timebank.people.timebanks import change_settings, create_timebank, list_timebanks, read_timebank
from timebank.people.views import TimebankView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks", tags=["timebanks"], route_class=JsonRoute)


@router.post("", operation_id="create_timebank", status_code=201, response_model=TimebankView)
def create(body: CreateTimebank, engine: EngineDep, caller: CallerDep) -> TimebankView:
    """Create a timebank with its pot (admin)."""
    return create_timebank(engine, caller, body)


@router.get("", operation_id="list_timebanks", response_model=list[TimebankView])
def list_all(engine: EngineDep, caller: CallerDep) -> list[TimebankView]:
    """List timebanks: all of them for an admin, your own for anyone else."""
    return list_timebanks(engine, caller)


@router.get("/{tb}", operation_id="get_timebank", response_model=TimebankView)
def get(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> TimebankView:
    """Read a timebank's settings."""
    return read_timebank(engine, tb, caller)


@router.patch("/{tb}", operation_id="update_timebank", response_model=TimebankView)
def update(tb: TimebankPath, body: UpdateTimebank, engine: EngineDep, caller: CallerDep) -> TimebankView:
    """Change a timebank's settings (coordinator); only the settings sent change."""
    return change_settings(engine, tb, caller, body)
