"""Downloading everything held about you: a page that says what is in it, and the ZIP itself.

``/data`` explains the download in a few lines and links to ``/data.zip``, the member's own data
(the same use case and ZIP as ``GET /v1/timebanks/{tb}/members/{member_id}/data.zip``). Neither
address takes an id, so a member can only ever download their own. A coordinator downloads a
member's data for them at ``/members/{member_id}/data.zip`` (their page for that member links to
it); anyone else gets the coordinators' 403 page before anything is read, and another timebank's
member is not found. Every download, the member's own included, is audited by the use case.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from timebank.people.member_data import member_data
from timebank.rendering.member_data_zip import member_data_zip
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, VisitDep, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)


def _own_member_id(visit: Visit) -> int:
    if visit.caller.member_id is None:
        raise PageRefused(
            403, "This page is for members", "Only a member of a timebank has data to download."
        )
    return visit.caller.member_id


@router.get("/data")
def data_page(request: Request, visit: VisitDep) -> Response:
    _own_member_id(visit)
    context = {"title": "Download your data", "visit": visit, "here": "/data", "errors": None}
    return render(request, "data.html", context)


@router.get("/data.zip")
def own_data(visit: VisitDep) -> Response:
    return _download(visit, _own_member_id(visit))


@router.get("/members/{member_id}/data.zip")
def member_data_for_them(member_id: int, visit: CoordinatorVisitDep) -> Response:
    return _download(visit, member_id)


def _download(visit: Visit, member_id: int) -> Response:
    with refused_as_page():
        data = member_data(visit.engine, visit.timebank_id, visit.caller, member_id)
    filename = f"timebank-data-{data.read_at.date().isoformat()}.zip"
    return Response(
        member_data_zip(data),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
