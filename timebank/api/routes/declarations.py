"""A member's benefits declaration: set, read and delete it (DESIGN B4).

Optional and coarse. The member sets it, or a coordinator with the member's say-so
(``members_say_so``). Only the member and coordinators read it, and every read is audited, the
member's own included. Deleting it leaves only an audit row saying that it was deleted. Nothing
else in the API shows it: not reports, not exports, not any other member's or staff's view.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from timebank.api.deps import CallerDep, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.involvement.declarations import delete_declaration, read_declaration, set_declaration
from timebank.involvement.requests import DeclareBenefits
from timebank.involvement.views import DeclarationView

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/timebanks/{tb}/accounts/{account_id}/benefits-declaration",
    tags=["benefits declaration"],
    route_class=JsonRoute,
)

# A query string carries text: "true" and "false" are read as booleans here, unlike in a JSON body.
SaySoQuery = Annotated[
    bool,
    Query(alias="members_say_so", description="A coordinator deleting it for the member, at their request."),
]


@router.get("", operation_id="get_benefits_declaration", response_model=DeclarationView)
def get(tb: TimebankPath, account_id: IdPath, engine: EngineDep, caller: CallerDep) -> DeclarationView:
    """Read the member's benefits declaration (the member or a coordinator; the read is audited)."""
    return read_declaration(engine, tb, caller, account_id)


@router.put("", operation_id="set_benefits_declaration", response_model=DeclarationView)
def put(
    tb: TimebankPath, account_id: IdPath, body: DeclareBenefits, engine: EngineDep, caller: CallerDep
) -> DeclarationView:
    """Declare or replace the member's benefit categories (the member, or a coordinator with their say-so)."""
    return set_declaration(engine, tb, caller, account_id, body)


@router.delete("", operation_id="delete_benefits_declaration", status_code=204, response_class=Response)
def delete(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    members_say_so: SaySoQuery = False,
) -> Response:
    """Delete the member's declaration, if any (the member, or a coordinator with their say-so)."""
    delete_declaration(engine, tb, caller, account_id, members_say_so=members_say_so)
    return Response(status_code=204)
