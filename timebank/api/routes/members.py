"""Members of a timebank: added and managed by coordinators; each member can read their own.

``…/members/{member_id}/data.zip`` is everything held about a member (``timebank.people.member_data``),
as a ZIP of JSON and CSV files with a README: for the member, or a coordinator for them; audited.
``…/members/{member_id}/membership-end`` ends a membership (``timebank.people.membership``): a
coordinator names its last day and why; the account closes, and the timebank's setting keeps the
balance or moves it to the pot. It takes an ``Idempotency-Key``, as it may move credits.
``…/members/{member_id}/erasure`` erases a member's personal data (``timebank.people.erasure``): a
coordinator, for another member, once; the ledger keeps its rows; audited.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from timebank.api.deps import (
    CallerDep,
    CursorQuery,
    EngineDep,
    IdempotencyKeyHeader,
    IdPath,
    LimitQuery,
    TimebankPath,
)
from timebank.api.edge import JsonRoute
from timebank.people.erasure import erase_member
from timebank.people.member_data import member_data
from timebank.people.members import add_member, get_member, list_members, update_member
from timebank.people.membership import end_membership
from timebank.people.requests import AddMember, EndMembership, EraseMember, UpdateMember
from timebank.people.views import ErasureView, MemberPage, MembershipEndView, MemberView
from timebank.rendering.member_data_zip import member_data_zip

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/members", tags=["members"], route_class=JsonRoute)

_ZIP = "application/zip"
_ZIP_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A ZIP of JSON and CSV files, with a README.txt that explains each.",
        "content": {_ZIP: {"schema": {"type": "string", "format": "binary"}}},
    }
}


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


@router.post("/{member_id}/membership-end", operation_id="end_membership", response_model=MembershipEndView)
def end(
    tb: TimebankPath,
    member_id: IdPath,
    body: EndMembership,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> MembershipEndView:
    """End a membership on its last day, with a reason (coordinator): the account moves no more credits."""
    return end_membership(engine, tb, caller, member_id, body, idempotency_key=key)


@router.get(
    "/{member_id}/data.zip",
    operation_id="download_member_data",
    response_class=Response,
    responses=_ZIP_FILE,
)
def download_data(tb: TimebankPath, member_id: IdPath, engine: EngineDep, caller: CallerDep) -> Response:
    """Everything held about a member, as a ZIP of JSON and CSV files (the member, or a coordinator)."""
    data = member_data(engine, tb, caller, member_id)
    filename = f"member-{member_id}-data-{data.read_at.date().isoformat()}.zip"
    return Response(
        member_data_zip(data),
        media_type=_ZIP,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post("/{member_id}/erasure", operation_id="erase_member", response_model=ErasureView)
def erase(
    tb: TimebankPath, member_id: IdPath, body: EraseMember, engine: EngineDep, caller: CallerDep
) -> ErasureView:
    """Erase a member's personal data: "Former member N" from now on; their hours stay (coordinator)."""
    return erase_member(engine, tb, caller, member_id, body)
