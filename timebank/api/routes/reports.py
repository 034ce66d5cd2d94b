"""Reports: the reciprocity report of a timebank (JSON, CSV, charts) and one account's.

The window is ``[from, to)`` in calendar days. Left out, it is the rolling 90 days up to and
including today, the window the RED/AMBER/GREEN defaults are set for. A report may be for one group:
the members with a tag, or an organisation (its account and its staff); a group too small to show
says ``not_enough_data``, its CSV holds the header alone and it has no chart.

Each representation is an operation of its own, with one media type, so that a client generated
from the contract can fetch it: the JSON at ``…/reports/reciprocity``, the CSV at
``…/reports/reciprocity.csv``, each chart at ``…/charts/{chart}.svg`` and ``….png``. The older
URLs still answer as they did: ``Accept: text/csv`` on the JSON's path gives the CSV, and
``…/charts/{chart}?format=svg|png`` a chart. That chart URL is left out of the contract: its one
answer is an image of either type, which a generated client cannot read.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi import Path as FastApiPath
from sqlalchemy import Engine

from timebank.api.deps import CallerDep, ChartSlot, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.busy import chart_rendering
from timebank.clock import utc_now
from timebank.fields import ID_MAX, CalendarDate
from timebank.people.callers import Caller
from timebank.rendering.report_csv import report_csv
from timebank.reporting.errors import NotEnoughData, ReportGroupAmbiguous
from timebank.reporting.reports import member_report, reciprocity_report
from timebank.reporting.views import MemberReportView, ReciprocityReportAnswer, report_view
from timebank.reports import Group, OrganisationGroup, Report, TagGroup

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
GroupTag = Annotated[
    str | None, Query(max_length=50, pattern=r"^[a-z0-9_]+$", description="Members with this tag.")
]
GroupOrganisation = Annotated[
    int | None, Query(ge=1, le=ID_MAX, description="An organisation: its account and its staff.")
]
ChartName = Literal["monthly", "role_mix", "give_share", "hours_matrix"]
ChartPath = Annotated[ChartName, FastApiPath(description="monthly, role_mix, give_share or hours_matrix.")]
ChartFormat = Literal["svg", "png"]
ChartFormatQuery = Annotated[ChartFormat, Query(alias="format", description="svg or png.")]

_CHART_MEDIA_TYPES: dict[ChartFormat, str] = {"svg": "image/svg+xml", "png": "image/png"}
_CSV_MEDIA_TYPE = "text/csv"


def _only(media_type: str, description: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A 200 answered in one media type only, as a generated client reads it."""
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


_BINARY = {"type": "string", "format": "binary"}


def window(from_on: date | None, to_on: date | None) -> tuple[date, date]:
    """The window asked for, with the rolling 90 days up to today filling in what is left out."""
    end = to_on or utc_now().date() + timedelta(days=1)
    # Bug fix (found by schemathesis): a 'to' in the first 90 days of year 1 answered 500, as the
    # rolling window reached back before the first day a date can name. It starts there instead,
    # so 'to=0001-01-01' is a window that holds no day, refused as such.
    return from_on or end - min(timedelta(days=DEFAULT_WINDOW_DAYS), end - date.min), end


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


def _csv(report: Report) -> Response:
    filename = f"reciprocity-{report.from_on.isoformat()}-{report.to_on.isoformat()}.csv"
    return Response(
        report_csv(report),
        media_type=f"{_CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _chart(report: Report, chart: ChartName, fmt: ChartFormat) -> Response:
    from timebank.rendering.charts import NotEnoughDataToChart, render_chart

    try:
        with chart_rendering().hold():  # held already, through ChartSlot; a caller without one waits here
            drawn = render_chart(report, chart, fmt)
    except NotEnoughDataToChart:
        raise NotEnoughData("The group has too few members to show figures, so there is no chart") from None
    return Response(drawn, media_type=_CHART_MEDIA_TYPES[fmt])


@router.get(
    "/reports/reciprocity",
    operation_id="get_reciprocity_report",
    response_model=ReciprocityReportAnswer,
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
) -> ReciprocityReportAnswer | Response:
    """The reciprocity report: does give-and-get happen? (coordinator)

    Every figure of the window, or only `not_enough_data` for a group too small to show. The same
    report as CSV is `get_reciprocity_report_csv`; `Accept: text/csv` here still answers it too.
    """
    report = _report(engine, tb, caller, from_on, to_on, tag, organisation_id)
    if _CSV_MEDIA_TYPE in request.headers.get("accept", ""):
        return _csv(report)
    return report_view(report)


@router.get(
    "/reports/reciprocity.csv",
    operation_id="get_reciprocity_report_csv",
    response_class=Response,
    responses=_only(
        _CSV_MEDIA_TYPE,
        "The report for a spreadsheet: period,figure,value,rating, a row a figure.",
        {"type": "string"},
    ),
)
def reciprocity_csv(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """The reciprocity report as CSV for a spreadsheet, a row a figure (coordinator).

    A group too small to show has the header alone.
    """
    return _csv(_report(engine, tb, caller, from_on, to_on, tag, organisation_id))


# Before "/charts/{chart}", which would otherwise take "role_mix.svg" for a chart's name.
@router.get(
    "/reports/reciprocity/charts/{chart}.svg",
    operation_id="get_reciprocity_chart_svg",
    response_class=Response,
    # A few charts at a time (a chart holds the interpreter's lock while it is drawn); the rest
    # wait on the event loop, then 503 server_busy.
    dependencies=[ChartSlot],
    responses=_only(_CHART_MEDIA_TYPES["svg"], "The chart as SVG.", _BINARY),
)
def chart_svg(
    tb: TimebankPath,
    chart: ChartPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """One chart of the reciprocity report for a board paper, as SVG (coordinator)."""
    return _chart(_report(engine, tb, caller, from_on, to_on, tag, organisation_id), chart, "svg")


@router.get(
    "/reports/reciprocity/charts/{chart}.png",
    operation_id="get_reciprocity_chart_png",
    response_class=Response,
    dependencies=[ChartSlot],
    responses=_only(_CHART_MEDIA_TYPES["png"], "The chart as PNG.", _BINARY),
)
def chart_png(
    tb: TimebankPath,
    chart: ChartPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """One chart of the reciprocity report for a board paper, as PNG (coordinator)."""
    return _chart(_report(engine, tb, caller, from_on, to_on, tag, organisation_id), chart, "png")


@router.get(
    "/reports/reciprocity/charts/{chart}",
    operation_id="get_reciprocity_chart",
    response_class=Response,
    dependencies=[ChartSlot],
    # Answered as before, but not in the contract: get_reciprocity_chart_svg and _png replace it.
    include_in_schema=False,
)
def chart(
    tb: TimebankPath,
    chart: ChartPath,
    engine: EngineDep,
    caller: CallerDep,
    fmt: ChartFormatQuery = "svg",
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    tag: GroupTag = None,
    organisation_id: GroupOrganisation = None,
) -> Response:
    """One chart of the reciprocity report, as SVG or PNG (coordinator); the older URL."""
    return _chart(_report(engine, tb, caller, from_on, to_on, tag, organisation_id), chart, fmt)


@router.get(
    "/accounts/{account_id}/report", operation_id="get_member_report", response_model=MemberReportView
)
def member(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> MemberReportView:
    """One account's give and get: given, received, partners, last exchange (holder or coordinator)."""
    first, end = window(from_on, to_on)
    return member_report(engine, tb, caller, account_id, first, end)
