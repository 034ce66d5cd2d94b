"""Members of a timebank: added and managed by coordinators; each member can read their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.people.members import add_member, get_member, list_members, update_member
from timebank.people.requests import AddMember, UpdateMember
from timebank.people.views import MemberPage, MemberView

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/members", tags=["members"], route_class=JsonRoute)


@router.post("", operation_id="add_member", status_code=201, response_model=MemberView)
def add(tb: TimebankPath, body: AddMember, engine: EngineDep, caller: CallerDep) -> MemberView:
    """Add a member, with an account and, if a username is given, a login (coordinator)."""
    return add_member(engine, tb, caller, body)


@router.get("", operation_id="list_members", response_model=MemberPage)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
    tag: Annotated[str | None, Query(max_length=50, pattern=r"^[a-z0-9_]+$")] = None,
) -> MemberPage:
    """List members, optionally those with one tag (coordinator)."""
    return list_members(engine, tb, caller, tag=tag, cursor=cursor, limit=limit)


@router.get("/{member_id}", operation_id="get_member", response_model=MemberView)
def get(tb: TimebankPath, member_id: IdPath, engine: EngineDep, caller: CallerDep) -> MemberView:
    """Read a member: yourself, or anyone if you are a coordinator."""
    return get_member(engine, tb, caller, member_id)


@router.patch("/{member_id}", operation_id="update_member", response_model=MemberView)
def update(
    tb: TimebankPath, member_id: IdPath, body: UpdateMember, engine: EngineDep, caller: CallerDep
) -> MemberView:
    """Change a member's name, roles or tags (coordinator)."""
    return update_member(engine, tb, caller, member_id, body)
