"""Timebanks: created and listed by platform admins; each member sees their own.

``…/{tb}/export.zip`` is everything of a timebank (``timebank.exports``), as a ZIP of CSV files with
a README: for its coordinators; audited. The ZIP is written to a spool (in memory while small, on
disk beyond: ``timebank.rendering.zip_files``), so the audit entry is written before a byte is sent
and a large timebank never sits in memory; it is sent a megabyte at a time.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from timebank.api.deps import CallerDep, EngineDep, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.exports import export_timebank
from timebank.people.requests import CreateTimebank, UpdateTimebank
from timebank.people.timebanks import change_settings, create_timebank, list_timebanks, read_timebank
from timebank.people.views import TimebankView
from timebank.rendering.zip_files import sent_in_pieces, spool

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks", tags=["timebanks"], route_class=JsonRoute)

_ZIP = "application/zip"
_ZIP_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A ZIP of CSV files, with a README.txt that explains each file and column.",
        "content": {_ZIP: {"schema": {"type": "string", "format": "binary"}}},
    }
}


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


@router.get(
    "/{tb}/export.zip", operation_id="export_timebank", response_class=StreamingResponse, responses=_ZIP_FILE
)
def export(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> StreamingResponse:
    """Everything of a timebank, as a ZIP of CSV files with a README (coordinator; audited)."""
    # Closed by sent_in_pieces once the response is sent, so not in a with-block here.
    out = spool()
    try:
        summary = export_timebank(engine, tb, caller, out)
    except BaseException:
        out.close()
        raise
    filename = f"timebank-{tb}-{summary.read_at.date().isoformat()}.zip"
    return StreamingResponse(
        sent_in_pieces(out),
        media_type=_ZIP,
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
