"""A member's benefit-safe statement (DESIGN B7) and its letter: JSON, a web page, a PDF.

The period is ``[from, to)`` in calendar days; left out, it runs from the 1st of this month to
today. A statement never covers a day after today: a later ``to`` is cut to end today (the answer's
``from_on`` and ``to_on`` say what it covers), and a ``from`` after today is refused with
``period_starts_after_today``. Only the member and the timebank's coordinators may read it; a
coordinator's read is audited, whatever the form.

Each form is an operation of its own, with one media type, so that a client generated from the
contract can fetch it: the JSON at ``…/benefit-statement``, a plain page to read or print at
``…/benefit-statement.html``, a PDF to hand to a benefit office at ``…/benefit-statement.pdf``, and
the same three for the letter under ``…/benefit-statement/letter``. The JSON paths still answer the
other forms as they did, for links and clients made before: ``?format=html|pdf`` (which a link can
carry), or ``Accept: text/html`` or ``application/pdf``. The contract declares them as what a client
that asks nothing gets, the JSON, and leaves ``format`` out: a generated client that sent it would
try to read a PDF as JSON.

A PDF takes one of a few PDF slots (``timebank.busy``), waited for on the event loop; when none
comes free in time the answer is 503 ``server_busy``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import HTMLResponse

from timebank.api.deps import CallerDep, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute, inline_hash_source, page_policy
from timebank.benefits.statement import Statement
from timebank.busy import pdf_rendering
from timebank.fields import CalendarDate
from timebank.involvement.statement_views import BenefitLetterView, BenefitStatementView
from timebank.involvement.statements import benefit_safe_statement
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
# Answered on the JSON paths, for the links and clients made before each form had its own path.
FormatQuery = Annotated[
    Format | None,
    Query(
        alias="format",
        description="json, html or pdf; otherwise the Accept header decides.",
        include_in_schema=False,
    ),
]

# The page loads nothing and runs nothing; its one inline stylesheet is allowed by its hash.
_PAGE_POLICY = page_policy(style_src=inline_hash_source(PAGE_STYLE))
_PDF = "application/pdf"
_HTML = "text/html"


def _only(media_type: str, description: str, schema: dict[str, Any]) -> dict[int | str, dict[str, Any]]:
    """A 200 answered in one media type only, as a generated client reads it."""
    return {200: {"description": description, "content": {media_type: {"schema": schema}}}}


_PAGE = _only(_HTML, "A page to read or print.", {"type": "string"})
_PDF_FILE = _only(_PDF, "A PDF to hand to a benefit office.", {"type": "string", "format": "binary"})


def _format(request: Request, asked: Format | None) -> Format:
    if asked is not None:
        return asked
    accept = request.headers.get("accept", "")
    if _PDF in accept:
        return "pdf"
    if _HTML in accept:
        return "html"
    return "json"


def _page(html: str) -> HTMLResponse:
    return HTMLResponse(html, headers={"Content-Security-Policy": _PAGE_POLICY})


def _pdf(statement: Statement, name: str, draw: Callable[[Statement], bytes]) -> Response:
    filename = f"{name}-{statement.from_on.isoformat()}-{statement.to_on.isoformat()}.pdf"
    with pdf_rendering().hold():  # held already, through a PDF slot; a caller without one waits here
        drawn = draw(statement)
    return Response(drawn, media_type=_PDF, headers={"Content-Disposition": f'inline; filename="{filename}"'})


def _statement_pdf(statement: Statement) -> bytes:
    from timebank.rendering.statement_pdf import statement_pdf

    return statement_pdf(statement)


def _letter_pdf(statement: Statement) -> bytes:
    from timebank.rendering.statement_pdf import letter_pdf

    return letter_pdf(statement)


# A PDF waits for its slot here, on the event loop (see timebank.api.deps), once the caller is
# known; the JSON and the page need none.
async def _pdf_slot(_: CallerDep) -> AsyncIterator[None]:
    async with pdf_rendering().hold_async():
        yield


async def _pdf_slot_if_asked(request: Request, _: CallerDep, fmt: FormatQuery = None) -> AsyncIterator[None]:
    if _format(request, fmt) != "pdf":
        yield
        return
    async with pdf_rendering().hold_async():
        yield


PdfSlot = Depends(_pdf_slot)
PdfSlotIfAsked = Depends(_pdf_slot_if_asked)


@router.get(
    "/benefit-statement",
    operation_id="get_benefit_statement",
    response_model=BenefitStatementView,
    dependencies=[PdfSlotIfAsked],
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
) -> BenefitStatementView | Response:
    """A member's benefit-safe statement for a period: credits, activities, money (member or coordinator).

    As a page: `get_benefit_statement_html`; as a PDF: `get_benefit_statement_pdf`.
    """
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    fmt = _format(request, fmt)
    if fmt == "html":
        return _page(statement_html(statement))
    if fmt == "pdf":
        return _pdf(statement, "benefit-statement", _statement_pdf)
    return BenefitStatementView.of(statement)


@router.get(
    "/benefit-statement.html",
    operation_id="get_benefit_statement_html",
    response_class=HTMLResponse,
    responses=_PAGE,
)
def get_benefit_statement_html(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> HTMLResponse:
    """A member's benefit-safe statement as a plain page to read or print (member or coordinator)."""
    return _page(statement_html(benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)))


@router.get(
    "/benefit-statement.pdf",
    operation_id="get_benefit_statement_pdf",
    response_class=Response,
    dependencies=[PdfSlot],
    responses=_PDF_FILE,
)
def get_benefit_statement_pdf(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> Response:
    """A member's benefit-safe statement as a PDF for their benefit office (member or coordinator)."""
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    return _pdf(statement, "benefit-statement", _statement_pdf)


@router.get(
    "/benefit-statement/letter",
    operation_id="get_benefit_letter",
    response_model=BenefitLetterView,
    dependencies=[PdfSlotIfAsked],
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
) -> BenefitLetterView | Response:
    """A short letter about the statement for the member's benefit office (member or coordinator).

    As a page: `get_benefit_letter_html`; as a PDF: `get_benefit_letter_pdf`.
    """
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    fmt = _format(request, fmt)
    if fmt == "html":
        return _page(letter_html(statement))
    if fmt == "pdf":
        return _pdf(statement, "benefit-letter", _letter_pdf)
    return BenefitLetterView.of(statement)


@router.get(
    "/benefit-statement/letter.html",
    operation_id="get_benefit_letter_html",
    response_class=HTMLResponse,
    responses=_PAGE,
)
def get_benefit_letter_html(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> HTMLResponse:
    """The letter about the statement as a plain page to read or print (member or coordinator)."""
    return _page(letter_html(benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)))


@router.get(
    "/benefit-statement/letter.pdf",
    operation_id="get_benefit_letter_pdf",
    response_class=Response,
    dependencies=[PdfSlot],
    responses=_PDF_FILE,
)
def get_benefit_letter_pdf(
    tb: TimebankPath,
    account_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
) -> Response:
    """The letter about the statement as a PDF for the member's benefit office (member or coordinator)."""
    statement = benefit_safe_statement(engine, tb, caller, account_id, from_on, to_on)
    return _pdf(statement, "benefit-letter", _letter_pdf)
