"""A member's benefit-safe statement (DESIGN B7): JSON, a web page, or a PDF; and the letter alone.

The period is ``[from, to)`` in calendar days; left out, it runs from the 1st of this month to
today. A statement never covers a day after today: a later ``to`` is cut to end today (the answer's
``from_on`` and ``to_on`` say what it covers), and a ``from`` after today is refused with
``period_starts_after_today``. The answer is JSON unless asked otherwise: ``Accept: text/html``
gives a plain page to read or print, and ``Accept: application/pdf`` (or ``?format=pdf``, which a
link can carry) a PDF to hand to a benefit office. Only the member and the timebank's coordinators
may read it; a coordinator's read is audited. A PDF takes one of a few PDF slots
(``timebank.busy``), waited for on the event loop; when none comes free in time the
answer is 503 ``server_busy``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse

from timebank.api.deps import CallerDep, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute, inline_hash_source, page_policy
from timebank.api.schemas import CalendarDate
from timebank.benefits.statement import Statement
from timebank.benefits.statement_text import letter_lines
from timebank.busy import pdf_rendering
from timebank.involvement.statements import benefit_safe_statement, statement_json
from timebank.rendering.statement_html import PAGE_STYLE, letter_html, statement_html

__all__ = ["router"]

router = APIRouter(
    prefix="/v1/timebanks/{tb}/accounts/{account_id}", tags=["benefit statements"], route_class=JsonRoute
)

Format = Literal["json", "html", "pdf"]
FromQuery = Annotated[
    CalendarDate | None,
    Query(alias="from", description="First day of the period (YYYY-MM-DD); default the 1st of this month."),
]
ToQuery = Annotated[
    CalendarDate | None,
    Query(
        alias="to",
        description="The day after the period's last (YYYY-MM-DD); default, and at the latest, tomorrow.",
    ),
]
FormatQuery = Annotated[
    Format | None,
    Query(alias="format", description="json, html or pdf; otherwise the Accept header decides."),
]

# The page loads nothing and runs nothing; its one inline stylesheet is allowed by its hash.
_PAGE_POLICY = page_policy(style_src=inline_hash_source(PAGE_STYLE))

_MEDIA_TYPES: dict[Format, str] = {"json": "application/json", "html": "text/html", "pdf": "application/pdf"}


def _content(json_description: str) -> dict[str, Any]:
    return {
        "application/json": {"schema": {"type": "object", "description": json_description}},
        "text/html": {"schema": {"type": "string", "description": "A page to read or print."}},
        "application/pdf": {"schema": {"type": "string", "format": "binary"}},
    }


def _format(request: Request, asked: Format | None) -> Format:
    if asked is not None:
        return asked
    accept = request.headers.get("accept", "")
    if "application/pdf" in accept:
        return "pdf"
    if "text/html" in accept:
        return "html"
    return "json"


def _answer(
    statement: Statement,
    fmt: Format,
    name: str,
    as_json: Callable[[Statement], dict[str, Any]],
    as_html: Callable[[Statement], str],
    as_pdf: Callable[[Statement], bytes],
) -> Response:
    if fmt == "html":
        return HTMLResponse(as_html(statement), headers={"Content-Security-Policy": _PAGE_POLICY})
    if fmt == "pdf":
        filename = f"{name}-{statement.from_on.isoformat()}-{statement.to_on.isoformat()}.pdf"
        return Response(
            as_pdf(statement),
            media_type=_MEDIA_TYPES["pdf"],
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
    return JSONResponse(as_json(statement))


def _letter_json(statement: Statement) -> dict[str, Any]:
    return {
        "member_name": statement.member_name,
        "from_on": statement.from_on.isoformat(),
        "to_on": statement.to_on.isoformat(),
        "lines": [{"topic": line.topic.value, "text": line.text} for line in letter_lines(statement)],
    }


async def _pdf_slot(request: Request, _: CallerDep, fmt: FormatQuery = None) -> AsyncIterator[None]:
    # A PDF waits for its slot here, on the event loop (see timebank.api.deps); JSON and HTML need none.
    if _format(request, fmt) != "pdf":
        yield
        return
    async with pdf_rendering().hold_async():
        yield


PdfSlot = Depends(_pdf_slot)


def _statement_pdf(statement: Statement) -> bytes:
    from timebank.rendering.statement_pdf import statement_pdf

    with pdf_rendering().hold():  # held already, through PdfSlot; a caller without one waits here
        return statement_pdf(statement)


def _letter_pdf(statement: Statement) -> bytes:
    from timebank.rendering.statement_pdf import letter_pdf

    with pdf_rendering().hold():
        return letter_pdf(statement)


@router.get(
    "/benefit-statement",
    operation_id="get_benefit_statement",
    response_class=Response,
    dependencies=[PdfSlot],
    responses={200: {"description": "The statement.", "content": _content("The statement by section.")}},
)
def get_benefit_statement(
    tb: TimebankPath,
    account_id: IdPath,
    request: Request,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    fmt: FormatQuery = None,
) -> Response:
    """A member's benefit-safe statement for a period: credits, activities, money (member or coordinator)."""
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    fmt = _format(request, fmt)
    return _answer(statement, fmt, "benefit-statement", statement_json, statement_html, _statement_pdf)


@router.get(
    "/benefit-statement/letter",
    operation_id="get_benefit_letter",
    response_class=Response,
    dependencies=[PdfSlot],
    responses={200: {"description": "The letter.", "content": _content("The letter's lines.")}},
)
def get_benefit_letter(
    tb: TimebankPath,
    account_id: IdPath,
    request: Request,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    fmt: FormatQuery = None,
) -> Response:
    """A short letter about the statement for the member's benefit office (member or coordinator)."""
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    fmt = _format(request, fmt)
    return _answer(statement, fmt, "benefit-letter", _letter_json, letter_html, _letter_pdf)
