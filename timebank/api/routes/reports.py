"""Reports: the reciprocity report of a timebank (JSON, or CSV for a spreadsheet) and one account's.

The window is ``[from, to)`` in calendar days. Left out, it is the rolling 90 days up to and
including today, the window the RED/AMBER/GREEN defaults are set for. A report may be for one group:
the members with a tag, or an organisation (its account and its staff); a group too small to show
says ``not_enough_data`` and its CSV holds the header alone.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastApiPath
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine

from timebank.api.deps import CallerDep, ChartSlot, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.api.schemas import ID_MAX, CalendarDate
from timebank.busy import chart_rendering
from timebank.clock import utc_now
from timebank.people.callers import Caller
from timebank.rendering.report_csv import report_csv
from timebank.reporting.errors import NotEnoughData, ReportGroupAmbiguous
from timebank.reporting.reports import member_report, reciprocity_report
from timebank.reports import Group, OrganisationGroup, Report, TagGroup, report_json

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["reports"], route_class=JsonRoute)

DEFAULT_WINDOW_DAYS = 90

FromQuery = Annotated[
    CalendarDate | None, Query(alias="from", description="First day of the window (YYYY-MM-DD).")
]
ToQuery = Annotated[
    CalendarDate | None,
    Query(alias="to", description="The day after the window's last (YYYY-MM-DD); default tomorrow."),
]

_REPORT_CONTENT = {
    "application/json": {"schema": {"type": "object", "description": "The report's figures by key."}},
    "text/csv": {"schema": {"type": "string", "description": "period,figure,value,rating: a row a figure."}},
}


class MemberReportOut(BaseModel):
    account_id: int
    from_on: date
    to_on: date
    given_minutes: int
    received_minutes: int
    exchanges: int
    partners: int
    last_exchange_on: date | None


def window(from_on: date | None, to_on: date | None) -> tuple[date, date]:
    """The window asked for, with the rolling 90 days up to today filling in what is left out."""
    end = to_on or utc_now().date() + timedelta(days=1)
    return from_on or end - timedelta(days=DEFAULT_WINDOW_DAYS), end


GroupTag = Annotated[
    str | None, Query(max_length=50, pattern=r"^[a-z0-9_]+$", description="Members with this tag.")
]
GroupOrganisation = Annotated[
    int | None, Query(ge=1, le=ID_MAX, description="An organisation: its account and its staff.")
]
ChartName = Literal["monthly", "role_mix", "give_share", "hours_matrix"]
ChartFormatQuery = Annotated[Literal["svg", "png"], Query(alias="format", description="svg or png.")]

_CHART_MEDIA_TYPES = {"svg": "image/svg+xml", "png": "image/png"}


def _report(
    engine: Engine,
    tb: int,
    caller: Caller,
    from_on: date | None,
    to_on: date | None,
    tag: str | None,
    organisation_id: int | None,
) -> Report:
    if tag is not None and organisation_id is not None:
        raise ReportGroupAmbiguous("Ask for a tag or an organisation, not both")
    group: Group | None = TagGroup(tag) if tag is not None else None
    if organisation_id is not None:
        group = OrganisationGroup(organisation_id)
    first, end = window(from_on, to_on)
    return reciprocity_report(engine, tb, caller, first, end, group)


@router.get(
    "/reports/reciprocity",
    operation_id="get_reciprocity_report",
    response_class=Response,
    responses={200: {"description": "The report.", "content": _REPORT_CONTENT}},
)
def reciprocity(
    tb: TimebankPath,
    request: Request,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """The reciprocity report: does give-and-get happen? (coordinator; CSV with Accept: text/csv)"""
    report = _report(engine, tb, caller, from_on, to_on, tag, organisation_id)
    if "text/csv" in request.headers.get("accept", ""):
        filename = f"reciprocity-{report.from_on.isoformat()}-{report.to_on.isoformat()}.csv"
        return Response(
            report_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return JSONResponse(report_json(report))


@router.get(
    "/reports/reciprocity/charts/{chart}",
    operation_id="get_reciprocity_chart",
    response_class=Response,
    # A few charts at a time (a chart holds the interpreter's lock while it is drawn); the rest
    # wait on the event loop, then 503 server_busy.
    dependencies=[ChartSlot],
    responses={
        200: {
            "description": "The chart.",
            "content": {
                "image/svg+xml": {"schema": {"type": "string"}},
                "image/png": {"schema": {"type": "string"}},
            },
        }
    },
)
def chart(
    tb: TimebankPath,
    chart: Annotated[ChartName, FastApiPath(description="monthly, role_mix, give_share or hours_matrix.")],
    engine: EngineDep,
    caller: CallerDep,
    fmt: ChartFormatQuery = "svg",
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """One chart of the reciprocity report for a board paper, as SVG or PNG (coordinator)."""
    from timebank.rendering.charts import NotEnoughDataToChart, render_chart

    report = _report(engine, tb, caller, from_on, to_on, tag, organisation_id)
    try:
        with chart_rendering().hold():  # held already, through ChartSlot; a caller without one waits here
            drawn = render_chart(report, chart, fmt)
    except NotEnoughDataToChart:
        raise NotEnoughData("The group has too few members to show figures, so there is no chart") from None
    return Response(drawn, media_type=_CHART_MEDIA_TYPES[fmt])


@router.get("/accounts/{account_id}/report", operation_id="get_member_report", response_model=MemberReportOut)
def member(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> MemberReportOut:
    """One account's give and get: given, received, partners, last exchange (holder or coordinator)."""
    first, end = window(from_on, to_on)
    view = member_report(engine, tb, caller, account_id, first, end)
    return MemberReportOut(
        account_id=view.account_id,
        from_on=view.from_on,
        to_on=view.to_on,
        given_minutes=view.given_minutes,
        received_minutes=view.received_minutes,
        exchanges=view.exchange_count,
        partners=view.partner_count,
        last_exchange_on=view.last_exchange_on,
    )
