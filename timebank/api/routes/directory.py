"""The member directory: who a member can exchange with, by name and account, nothing more."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.people.members import directory
from timebank.people.views import DirectoryPage

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/directory", tags=["members"], route_class=JsonRoute)


@router.get("", operation_id="list_directory", response_model=DirectoryPage)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    name: Annotated[
        str | None,
        Query(max_length=NAME_LENGTH_MAX, description="Only members whose name holds this, any case."),
    ] = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> DirectoryPage:
    """List your timebank's members by name and account, to name them in an exchange or a gift."""
    return directory(engine, tb, caller, name=name, cursor=cursor, limit=limit)
