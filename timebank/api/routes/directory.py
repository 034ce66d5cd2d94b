"""The member directory: who a member can exchange with, by name and account, nothing more."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.people.members import directory

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/directory", tags=["members"], route_class=JsonRoute)


class DirectoryEntryOut(BaseModel):
    member_id: int
    account_id: int
    display_name: str


class DirectoryOut(BaseModel):
    members: list[DirectoryEntryOut]
    next_cursor: str | None


@router.get("", operation_id="list_directory", response_model=DirectoryOut)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> DirectoryOut:
    """List your timebank's members by name and account, to name them in an exchange or a gift."""
    page = directory(engine, tb, caller, cursor=cursor, limit=limit)
    return DirectoryOut(
        members=[DirectoryEntryOut(**vars(entry)) for entry in page.entries], next_cursor=page.next_cursor
    )
