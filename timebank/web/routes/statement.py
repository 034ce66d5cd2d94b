"""A member's own statement: a page at a time, a period to print, and a period as CSV.

Every address reads the caller's own account and takes no account id, so a member cannot ask for
anyone else's statement; query parameters other than the ones named here are ignored.

The statement pages newest first with the use case's opaque cursor. The cursor only goes back in
time, so "Newest lines" returns to the first page rather than to the page before. A cursor that was
not one we gave out gets a plain page saying so (400), never a traceback.

The printable statement and the CSV cover a period of days, the last twelve months by default. The
period is typed in GOV.UK date inputs (``from-day``, ``from-month``, ``from-year`` and the same
for ``to``) or given as ``from=YYYY-MM-DD&to=YYYY-MM-DD`` (the CSV link uses those). A period that
ends before it starts, or a date that is not a real date, is refused with an error summary.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from timebank.accounts.statements import read_statement, statement_between
from timebank.accounts.views import StatementPeriod
from timebank.clock import utc_now
from timebank.ledger.limits import STATEMENT_PERIOD_LINES_MAX
from timebank.paging import CursorInvalid
from timebank.people.timebanks import read_timebank
from timebank.rendering.statement_lines import statement_csv
from timebank.web.forms import FormErrors, calendar_day
from timebank.web.templating import render
from timebank.web.visits import PageRefused, Visit, VisitDep, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Days a person may ask about: outside these years a date is a typing slip, not a period.
_YEAR_MIN = 1970
_YEAR_MAX = 2999
_BAD_DATE = "{label} must be a real date, like 27 3 2026"


@router.get("/statement")
def statement(request: Request, visit: VisitDep, cursor: str | None = None) -> Response:
    with refused_as_page():
        try:
            page = read_statement(visit.engine, visit.timebank_id, visit.caller, visit.account_id, cursor)
        except CursorInvalid as refused:
            raise PageRefused(
                400,
                "This page of your statement cannot be found",
                "The link to it is not one we gave out. "
                "Choose My statement at the top to start from the newest lines.",
            ) from refused
    context = {"title": "My statement", "visit": visit, "here": "/statement", "errors": None, "page": page}
    return render(request, "statement.html", {**context, "first_page": cursor is None})


@router.get("/statement/print")
def statement_print(request: Request, visit: VisitDep) -> Response:
    errors = FormErrors()
    today = utc_now().date()
    period = _period(request.query_params, today, errors)
    context: dict[str, Any] = {"visit": visit, "here": "/statement", "errors": errors or None}
    context["form"] = _typed(request.query_params, period)
    if period is None:
        return render(request, "statement_print.html", {**context, "title": "Print your statement"}, 422)
    statement = _between(visit, period)
    with refused_as_page():
        timebank = read_timebank(visit.engine, visit.timebank_id, visit.caller)
    context.update(
        title=f"Statement for {statement.name}",
        statement=statement,
        timebank_name=timebank.name,
        printed_on=today,
        lines_max=STATEMENT_PERIOD_LINES_MAX,
        csv_href=f"/statement.csv?from={period[0].isoformat()}&to={period[1].isoformat()}",
    )
    return render(request, "statement_print.html", context)


@router.get("/statement.csv")
def statement_download(request: Request, visit: VisitDep) -> Response:
    errors = FormErrors()
    today = utc_now().date()
    period = _period(request.query_params, today, errors)
    if period is None:
        context = {"title": "Print your statement", "visit": visit, "here": "/statement", "errors": errors}
        context["form"] = _typed(request.query_params, None)
        return render(request, "statement_print.html", context, 422)
    return _csv_response(statement_csv(_between(visit, period).lines), today)


def _between(visit: Visit, period: tuple[date, date]) -> StatementPeriod:
    with refused_as_page():
        return statement_between(visit.engine, visit.timebank_id, visit.caller, visit.account_id, *period)


def _csv_response(text: str, today: date) -> Response:
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="statement-{today.isoformat()}.csv"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


def _period(query: Mapping[str, str], today: date, errors: FormErrors) -> tuple[date, date] | None:
    """The period asked for (the last twelve months when none is), or None with the reasons."""
    from_on = _day(query, "from", "The start date", errors, default=_year_before(today))
    to_on = _day(query, "to", "The end date", errors, default=today)
    if from_on is None or to_on is None:
        return None
    if from_on > to_on:
        errors.add("to-day", "The end date must be the same as or after the start date")
        return None
    return from_on, to_on


def _day(
    query: Mapping[str, str], prefix: str, label: str, errors: FormErrors, *, default: date
) -> date | None:
    boxes = [f"{prefix}-{part}" for part in ("day", "month", "year")]
    if any(query.get(box) for box in boxes):
        on = calendar_day(query, prefix, label, errors)
    elif query.get(prefix):
        on = _iso_day(query[prefix])
        if on is None:
            errors.add(f"{prefix}-day", _BAD_DATE.format(label=label))
    else:
        return default
    if on is not None and not _YEAR_MIN <= on.year <= _YEAR_MAX:
        errors.add(f"{prefix}-day", _BAD_DATE.format(label=label))
        return None
    return on


def _iso_day(text: str) -> date | None:
    if len(text) != len("2026-03-27") or not text.isascii():
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _year_before(today: date) -> date:
    """The day after the same day a year earlier, so the period is twelve months up to today."""
    try:
        return today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February: a year earlier there is no such day
        return today.replace(year=today.year - 1, day=28) + timedelta(days=1)


def _typed(query: Mapping[str, str], period: tuple[date, date] | None) -> dict[str, str]:
    """What the date boxes show: what was typed, or the period's days when it came as ISO dates."""
    shown = {name: query.get(name, "") for prefix in ("from", "to") for name in _boxes(prefix)}
    if period is not None:
        for prefix, on in zip(("from", "to"), period, strict=True):
            if not any(shown[box] for box in _boxes(prefix)):
                shown.update(zip(_boxes(prefix), (str(on.day), str(on.month), str(on.year)), strict=True))
    return shown


def _boxes(prefix: str) -> tuple[str, str, str]:
    return (f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
