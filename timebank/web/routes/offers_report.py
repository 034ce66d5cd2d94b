"""The coordinators' offers and requests report: where the hours go, and who is still waiting for help.

``/reports/offers`` reads ``offers_report`` (``timebank.offers.report``), as the API does: the hours
of confirmed exchanges by category in a window of days, how many members have no open offer today,
and the requests open longer than a number of days, oldest first, each linking to its member's page
so that a coordinator can find them a match. Its GET form asks for the window's first and last day
(by default the 90 days to today, the use case's own default) and the number of days (by default
30), so a chosen report is a link that can be kept. ``/reports/offers.csv`` downloads the hours by
category for the same window, each name guarded so that a spreadsheet never runs it as a formula
(a category may be an exchange's own text, which members type).

Refused, each in the error summary and beside its field, with what was typed kept and no report: a
day that is not a real date, a last day before the first or after today, a window longer than a
report covers, and a number of days that is not a whole number up to ``OPEN_DAYS_MAX``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response

from timebank.clock import utc_now
from timebank.errors import InvalidRequest
from timebank.offers import OffersReportView, offers_report
from timebank.offers.report import OPEN_DAYS_DEFAULT, OPEN_DAYS_MAX, REPORT_DAYS_DEFAULT
from timebank.rendering.statement_lines import spreadsheet_text
from timebank.reporting.reports import REPORT_WINDOW_DAYS_MAX
from timebank.web.forms import FormErrors, calendar_day, whole_number
from timebank.web.report_page import window_words
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, refused_as_page

__all__ = ["OffersReportChoice", "read_offers_choice", "router"]

router = APIRouter(include_in_schema=False)

_BOXES = tuple(f"{prefix}-{part}" for prefix in ("from", "to") for part in ("day", "month", "year"))
CSV_COLUMNS = ("category", "minutes", "exchanges")


@dataclass(frozen=True)
class OffersReportChoice:
    """The form as typed (shown back), and the window and days it names when it is valid."""

    typed: dict[str, str]
    from_on: date | None = None
    last_on: date | None = None  # the window's last day; the report's to_on is the day after
    open_days: int | None = None

    def query(self) -> str:
        return urlencode({name: self.typed[name] for name in (*_BOXES, "days")})


def _boxes(typed: dict[str, str], prefix: str, on: date) -> None:
    typed.update(
        {f"{prefix}-day": str(on.day), f"{prefix}-month": str(on.month), f"{prefix}-year": str(on.year)}
    )


def read_offers_choice(query: Mapping[str, str], today: date, errors: FormErrors) -> OffersReportChoice:
    """The window and days asked for (the defaults where nothing was typed), or why not in ``errors``."""
    typed = {name: query.get(name, "").strip() for name in (*_BOXES, "days")}
    if not any(typed[name] for name in _BOXES):
        _boxes(typed, "from", today - timedelta(days=REPORT_DAYS_DEFAULT - 1))
        _boxes(typed, "to", today)
    if not typed["days"]:
        typed["days"] = str(OPEN_DAYS_DEFAULT)
    from_on = calendar_day(typed, "from", "The first day", errors)
    last_on = calendar_day(typed, "to", "The last day", errors)
    open_days = whole_number(typed, "days", "The number of days", errors)
    if open_days is not None and open_days > OPEN_DAYS_MAX:
        errors.add("days", f"The number of days must be {OPEN_DAYS_MAX} or fewer")
    if from_on is not None and last_on is not None:
        if last_on > today:
            errors.add("to-day", "The last day must be today or earlier")
        if last_on < from_on:
            errors.add("to-day", "The last day must be the same as or after the first day")
        elif (last_on - from_on).days + 1 > REPORT_WINDOW_DAYS_MAX:
            errors.add(
                "from-day", f"A report covers {REPORT_WINDOW_DAYS_MAX} days at most. Choose a later first day"
            )
    if errors or from_on is None or last_on is None or open_days is None:
        return OffersReportChoice(typed)
    return OffersReportChoice(typed, from_on, last_on, open_days)


def _report(visit: Visit, choice: OffersReportChoice, errors: FormErrors) -> OffersReportView | None:
    assert choice.from_on is not None and choice.last_on is not None and choice.open_days is not None
    try:
        with refused_as_page():
            return offers_report(
                visit.engine,
                visit.timebank_id,
                visit.caller,
                from_on=choice.from_on,
                to_on=choice.last_on + timedelta(days=1),
                open_days=choice.open_days,
            )
    except InvalidRequest as refused:
        # The form's checks come first; this is the use case's word on a window they let by.
        errors.add("from-day", refused.detail)
        return None


@router.get("/reports/offers")
def offers_report_page(request: Request, visit: CoordinatorVisitDep) -> Response:
    errors = FormErrors()
    choice = read_offers_choice(request.query_params, utc_now().date(), errors)
    report = None if errors else _report(visit, choice, errors)
    context = {
        "title": "Offers and requests report",
        "visit": visit,
        "here": "/reports",
        "errors": errors or None,
        "form": choice.typed,
        "report": report,
        "window": None if report is None else window_words(report.from_on, report.to_on),
        "query": choice.query(),
        "hours_total": 0 if report is None else sum(row.minutes for row in report.hours_by_category),
    }
    return render(request, "offers_report.html", context, status_code=422 if errors else 200)


def hours_by_category_csv(report: OffersReportView) -> str:
    """The hours by category as CSV (header first; CRLF line ends), names guarded against formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in report.hours_by_category:
        writer.writerow((spreadsheet_text(row.category), row.minutes, row.exchanges))
    return out.getvalue()


@router.get("/reports/offers.csv")
def offers_report_csv(request: Request, visit: CoordinatorVisitDep) -> Response:
    errors = FormErrors()
    choice = read_offers_choice(request.query_params, utc_now().date(), errors)
    report = None if errors else _report(visit, choice, errors)
    if report is None:
        context = {
            "title": "Offers and requests report",
            "visit": visit,
            "here": "/reports",
            "errors": errors,
            "form": choice.typed,
            "report": None,
            "query": choice.query(),
        }
        return render(request, "offers_report.html", context, status_code=422)
    last_on = report.to_on - timedelta(days=1)
    filename = f"hours-by-category-{report.from_on.isoformat()}-{last_on.isoformat()}.csv"
    return Response(
        hours_by_category_csv(report),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
