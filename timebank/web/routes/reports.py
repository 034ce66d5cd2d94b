"""The coordinators' Reports page: the reciprocity report for a board, its printable version, CSV and PNG.

Every address here is a coordinator's (``CoordinatorVisitDep``: anyone else gets a 403 page before
anything is read), and reads the caller's own timebank; the period and group come from the page's
GET form (``timebank.web.report_choice``), so a chosen report is a link that can be kept or shared.

- ``/reports``: the form, then the headline figures with their colours in words
  (``timebank.web.report_page``), and the four charts inline as SVG (``timebank.web.chart_svg``),
  each with its figures as a table in a "Show the figures as a table" box.
- ``/reports/print``: the same report for a board paper, with no navigation (the header shows the
  service's name alone), the tables open, and the print styles hiding the rest.
- ``/reports.csv`` and ``/reports/{chart}.png``: the same period and group, drawn by the same
  renderers the API uses (``timebank.rendering``).

All of them call the one use case, ``reciprocity_report``, as the API does. A refused period is
shown in the error summary with the form (422) and nothing else; a group too small to show says so
in words and offers nothing to download; another timebank's organisation answers 404. Drawing
charts takes a chart slot (``timebank.busy``), as the API's charts do, so a flood of report pages
waits or is told the server is busy rather than stalling every other page.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from timebank.busy import chart_rendering
from timebank.clock import utc_now
from timebank.errors import InvalidRequest
from timebank.people.organisations import list_organisations
from timebank.people.timebanks import read_timebank
from timebank.people.views import OrganisationView
from timebank.rendering.charts import render_chart
from timebank.rendering.report_csv import report_csv
from timebank.reporting.reports import reciprocity_report
from timebank.reports import GROUP_MEMBERS_MINIMUM, OrganisationGroup, Report, TagGroup
from timebank.web.forms import FormErrors
from timebank.web.report_charts import CHARTS, inline_svg
from timebank.web.report_choice import DEFAULT_DAYS, PERIODS, ReportChoice, read_choice
from timebank.web.report_page import report_page, window_words
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# The organisations a coordinator picks a group from: one page of them (a timebank has a handful).
_ORGANISATIONS_LISTED = 200


_CHARTS_BY_SLUG = {chart.slug: chart for chart in CHARTS}


@router.get("/reports")
def reports(request: Request, visit: CoordinatorVisitDep) -> Response:
    return _page(request, visit, "report.html", printable=False)


@router.get("/reports/print")
def reports_print(request: Request, visit: CoordinatorVisitDep) -> Response:
    return _page(request, visit, "report_print.html", printable=True)


@router.get("/reports.csv")
def reports_csv(request: Request, visit: CoordinatorVisitDep) -> Response:
    choice, organisations, errors = _choice(request, visit)
    if errors:
        return _refused(request, visit, choice, organisations, errors)
    report = _report(visit, choice)
    if report.not_enough_data:
        raise _too_small()
    filename = f"reciprocity-{report.from_on.isoformat()}-{choice.last_on}.csv"
    return Response(report_csv(report), media_type="text/csv; charset=utf-8", headers=_download(filename))


@router.get("/reports/{slug}.png")
def reports_png(request: Request, visit: CoordinatorVisitDep, slug: str) -> Response:
    chart = _CHARTS_BY_SLUG.get(slug)
    if chart is None:
        raise PageRefused(404, "Page not found", "There is no chart of that name.")
    choice, organisations, errors = _choice(request, visit)
    if errors:
        return _refused(request, visit, choice, organisations, errors)
    report = _report(visit, choice)
    if report.not_enough_data:
        raise _too_small()
    with refused_as_page(), chart_rendering().hold():
        drawn = render_chart(report, chart.name, "png")
    filename = f"{chart.slug}-{report.from_on.isoformat()}-{choice.last_on}.png"
    return Response(drawn, media_type="image/png", headers=_download(filename))


def _page(request: Request, visit: Visit, template: str, *, printable: bool) -> Response:
    choice, organisations, errors = _choice(request, visit)
    if errors:
        return _refused(request, visit, choice, organisations, errors)
    report = _report(visit, choice)
    context = _context(visit, choice, organisations, None)
    query = choice.query()
    context.update(
        report=report,
        shown=report_page(report),
        window=window_words(report.from_on, report.to_on),
        who=_who(report, organisations),
        longer_than_default=(report.to_on - report.from_on).days > DEFAULT_DAYS,
        charts=_charts(visit, report),
        query=query,
        printable=printable,
        printed_on=utc_now().date(),
    )
    if printable:
        with refused_as_page():
            timebank = read_timebank(visit.engine, visit.timebank_id, visit.caller)
        # No navigation on a board paper: base.html draws the header's links only for a visit.
        context.update(
            visit=None, title=f"Reciprocity report, {context['window']}", timebank_name=timebank.name
        )
    return render(request, template, context)


def _choice(request: Request, visit: Visit) -> tuple[ReportChoice, tuple[OrganisationView, ...], FormErrors]:
    errors = FormErrors()
    choice = read_choice(request.query_params, utc_now().date(), errors)
    with refused_as_page():
        listed = list_organisations(
            visit.engine, visit.timebank_id, visit.caller, limit=_ORGANISATIONS_LISTED
        ).organisations
    return choice, listed, errors


def _report(visit: Visit, choice: ReportChoice) -> Report:
    assert choice.from_on is not None
    with refused_as_page():
        try:
            return reciprocity_report(
                visit.engine, visit.timebank_id, visit.caller, choice.from_on, choice.to_on, choice.group
            )
        except InvalidRequest as refused:
            # The form's own checks come first; this is the use case's word on what they let by.
            raise PageRefused(400, "This report cannot be made", refused.detail) from refused


def _refused(
    request: Request,
    visit: Visit,
    choice: ReportChoice,
    organisations: tuple[OrganisationView, ...],
    errors: FormErrors,
) -> Response:
    return render(request, "report.html", _context(visit, choice, organisations, errors), 422)


def _context(
    visit: Visit,
    choice: ReportChoice,
    organisations: tuple[OrganisationView, ...],
    errors: FormErrors | None,
) -> dict[str, Any]:
    form = choice.typed
    periods = [
        {"value": value, "text": text, "checked": form["period"] == value} for value, text in PERIODS.items()
    ]
    periods[0]["id"] = "period"  # the error summary's link lands on the first radio
    groups = [
        {"value": "all", "text": "All members", "checked": form["group"] == "all", "id": "group"},
        {"value": "tag", "text": "Members with a tag", "checked": form["group"] == "tag"},
    ]
    if organisations:
        groups.append(
            {
                "value": "organisation",
                "text": "An organisation and its staff",
                "checked": form["group"] == "organisation",
            }
        )
    chosen = form["organisation"]
    return {
        "title": "Reports",
        "visit": visit,
        "here": "/reports",
        "errors": errors or None,
        "form": form,
        "periods_items": periods,
        "group_items": groups,
        "organisations": organisations,
        "organisation_items": [
            {"value": str(o.organisation_id), "text": o.name, "selected": str(o.organisation_id) == chosen}
            for o in organisations
        ],
        "report": None,
        "chart_list": CHARTS,
        "group_minimum": GROUP_MEMBERS_MINIMUM,
    }


def _charts(visit: Visit, report: Report) -> dict[str, Markup]:
    if report.not_enough_data:
        return {}
    with refused_as_page():
        return {chart.slug: inline_svg(visit.timebank_id, report, chart) for chart in CHARTS}


def _who(report: Report, organisations: tuple[OrganisationView, ...]) -> str:
    group = report.group
    if isinstance(group, TagGroup):
        return f"members with the tag {group.tag}"
    if isinstance(group, OrganisationGroup):
        names = {o.organisation_id: o.name for o in organisations}
        return f"{names.get(group.organisation_id, 'the organisation')} and its staff"
    return "all members"


def _too_small() -> PageRefused:
    return PageRefused(
        409,
        "There is nothing to download for this group",
        f"The group has fewer than {GROUP_MEMBERS_MINIMUM} members. "
        "We do not show its figures, because they could point to one person.",
    )


def _download(filename: str) -> dict[str, str]:
    return {
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    }
