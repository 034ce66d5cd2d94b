"""The audit log of recognising involvement, for coordinators: checks, warnings, choices, reads (B4, B5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from timebank.api.deps import CallerDep, CursorQuery, EngineDep, LimitQuery, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.fields import ID_MAX
from timebank.involvement.audit import read_audit_log
from timebank.involvement.views import AuditPage

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}/audit-log", tags=["audit log"], route_class=JsonRoute)

AccountQuery = Annotated[
    int | None, Query(ge=1, le=ID_MAX, description="Only the entries about this member's account.")
]


@router.get("", operation_id="read_audit_log", response_model=AuditPage)
def read(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    account_id: AccountQuery = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> AuditPage:
    """Read the timebank's audit entries, oldest first (coordinators)."""
    return read_audit_log(engine, tb, caller, account_id=account_id, cursor=cursor, limit=limit)
