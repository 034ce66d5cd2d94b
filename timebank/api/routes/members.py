"""Members of a timebank: added and managed by coordinators; each member can read their own."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, IdPath, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import MemberCreate, MemberOut, MemberPageOut, MemberUpdate
from timebank.people.members import MemberView, add_member, get_member, list_members, update_member

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/members", tags=["members"], route_class=JsonRoute)


def _out(view: MemberView) -> MemberOut:
    return MemberOut(
        id=view.member_id,
        timebank_id=view.timebank_id,
        account_id=view.account_id,
        display_name=view.display_name,
        username=view.username,
        roles=list(view.roles),
        tags=list(view.tags),
        organisation_ids=list(view.organisation_ids),
    )


@router.post("", operation_id="add_member", status_code=201, response_model=MemberOut)
def add(tb: TimebankPath, body: MemberCreate, engine: EngineDep, caller: CallerDep) -> MemberOut:
    """Add a member, with an account and, if a username is given, a login (coordinator)."""
    return _out(
        add_member(
            engine,
            tb,
            caller,
            body.display_name,
            username=body.username,
            password=body.password,
            roles=body.roles,
            tags=body.tags,
            floor_minutes=body.floor_minutes,
            cap_minutes=body.cap_minutes,
        )
    )


@router.get("", operation_id="list_members", response_model=MemberPageOut)
def list_page(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
    tag: Annotated[str | None, Query(max_length=50, pattern=r"^[a-z0-9_]+$")] = None,
) -> MemberPageOut:
    """List members, optionally those with one tag (coordinator)."""
    page = list_members(engine, tb, caller, tag=tag, cursor=cursor, limit=limit)
    return MemberPageOut(members=[_out(m) for m in page.members], next_cursor=page.next_cursor)


@router.get("/{member_id}", operation_id="get_member", response_model=MemberOut)
def get(tb: TimebankPath, member_id: IdPath, engine: EngineDep, caller: CallerDep) -> MemberOut:
    """Read a member: yourself, or anyone if you are a coordinator."""
    return _out(get_member(engine, tb, caller, member_id))


@router.patch("/{member_id}", operation_id="update_member", response_model=MemberOut)
def update(
    tb: TimebankPath, member_id: IdPath, body: MemberUpdate, engine: EngineDep, caller: CallerDep
) -> MemberOut:
    """Change a member's name, roles or tags (coordinator)."""
    return _out(
        update_member(
            engine, tb, caller, member_id, display_name=body.display_name, roles=body.roles, tags=body.tags
        )
    )
