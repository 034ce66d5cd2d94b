"""A member's benefits pages: the benefit-safe statement, the letter, and the benefits declaration.

Each page is the member's own: no page takes an account id, so nobody reaches another member's
statement or declaration from here (coordinators do that through the API, audited).

- **The statement and the letter** (DESIGN B7) are the lines ``timebank.benefits.statement_text``
  writes, shown inside the site's layout (``benefit_lines.html``), and as the PDFs
  ``timebank.rendering.statement_pdf`` draws. The period is asked for with two GOV.UK date inputs
  in a GET form: the first day and the last day (inclusive, as people say it). The PDF link carries
  the period as the API does, ``from`` and ``to`` in ISO dates, ``to`` being the day after the last.
  Left out, a period runs from the 1st of this month to today. A PDF waits for a PDF slot
  (``timebank.busy``) and a busy server answers a plain 503 page.
- **The declaration** (DESIGN B4) is read through ``read_declaration``, which audits every read,
  the member's own included; so a refused form is shown again without reading it a second time,
  and a refusal writes nothing at all. Deleting it asks "Are you sure?" on a page of its own first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.benefits.categories import BenefitCategory
from timebank.benefits.statement import Statement
from timebank.benefits.statement_text import StatementLine, letter_lines, statement_lines
from timebank.busy import pdf_rendering
from timebank.clock import utc_now
from timebank.errors import InvalidRequest
from timebank.involvement.declarations import delete_declaration, read_declaration, set_declaration
from timebank.involvement.requests import DeclareBenefits
from timebank.involvement.statements import benefit_safe_statement
from timebank.involvement.views import DeclarationView
from timebank.web.forms import FormErrors, calendar_day
from timebank.web.templating import render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

HUB = "/benefits"
_PDF = "application/pdf"


# --- the statement and the letter -------------------------------------------------------------


def _statement_pdf(statement: Statement) -> bytes:
    # fpdf2 is loaded by the first PDF asked for, not by every process that serves pages.
    from timebank.rendering.statement_pdf import statement_pdf

    return statement_pdf(statement)


def _letter_pdf(statement: Statement) -> bytes:
    from timebank.rendering.statement_pdf import letter_pdf

    return letter_pdf(statement)


@dataclass(frozen=True)
class _Document:
    """One of the two documents: its page, its PDF's name, the lines it shows and how it is drawn."""

    path: str
    title: str
    filename: str
    lines: Callable[[Statement], tuple[StatementLine, ...]]
    draw: Callable[[Statement], bytes]


STATEMENT = _Document(
    "/benefits/statement", "Your benefit-safe statement", "benefit-statement", statement_lines, _statement_pdf
)
LETTER = _Document(
    "/benefits/letter", "Your letter for the benefit office", "benefit-letter", letter_lines, _letter_pdf
)

# Where on the period form each refusal of the use case belongs.
_PERIOD_FIELDS_BY_CODE = {
    "period_starts_after_today": "from-day",
    "period_must_end_after_start": "until-day",
}


def _today() -> date:
    return utc_now().date()


def _typed_day(query: Mapping[str, str], prefix: str, label: str, errors: FormErrors) -> date | None:
    """A day from a date input, or None when its three boxes are all blank (the default applies)."""
    if not any(query.get(f"{prefix}-{part}", "").strip() for part in ("day", "month", "year")):
        return None
    return calendar_day(query, prefix, label, errors)


def _iso_day(
    query: Mapping[str, str], name: str, field_id: str, label: str, errors: FormErrors
) -> date | None:
    text = query.get(name, "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors.add(field_id, f"{label} must be a real date, like 27 3 2026")
        return None


def read_period(query: Mapping[str, str], today: date, errors: FormErrors) -> tuple[date | None, date | None]:
    """The period asked for, ``[from, to)`` as the use case takes it; None where the default applies.

    The date inputs (``from-*``, ``until-*``, the last day) win over the link's ``from`` and ``to``.
    """
    first = _typed_day(query, "from", "The first day", errors)
    if first is None and "from-day" not in query:
        first = _iso_day(query, "from", "from-day", "The first day", errors)
    last = _typed_day(query, "until", "The last day", errors)
    end = None
    if last is None and "until-day" not in query:
        end = _iso_day(query, "to", "until-day", "The last day", errors)
    elif last is not None:
        # A last day from today on means "up to today": the statement never covers a later day.
        end = None if last >= today else last + timedelta(days=1)
    if first is not None and first > today:
        errors.add("from-day", "The first day must be today or in the past")
    elif first is not None and last is not None and last < first:
        errors.add("until-day", "The last day must be the same as the first day or after it")
    return first, end


def _period_fields(query: Mapping[str, str], statement: Statement | None) -> dict[str, str]:
    """The date inputs' values: as typed, or else the days the statement covers."""
    fields = {
        name: query.get(name, "")
        for prefix in ("from", "until")
        for name in (f"{prefix}-day", f"{prefix}-month", f"{prefix}-year")
    }
    if statement is not None:
        last = statement.to_on - timedelta(days=1)
        for prefix, on in (("from", statement.from_on), ("until", last)):
            fields |= {
                f"{prefix}-day": str(on.day),
                f"{prefix}-month": str(on.month),
                f"{prefix}-year": str(on.year),
            }
    return fields


def _document_page(
    request: Request,
    visit: Visit,
    document: _Document,
    statement: Statement | None,
    errors: FormErrors | None,
    status_code: int = 200,
) -> Response:
    query = dict(request.query_params)
    context: dict[str, Any] = {
        "title": document.title,
        "visit": visit,
        "here": HUB,
        "errors": errors or None,
        "document": document,
        "statement": statement,
        "lines": () if statement is None else document.lines(statement),
        "period": _period_fields(query if errors else {}, statement),
        "pdf_query": ""
        if statement is None
        else f"from={statement.from_on.isoformat()}&to={statement.to_on.isoformat()}",
        "other": LETTER if document is STATEMENT else STATEMENT,
    }
    return render(request, "benefit_document.html", context, status_code=status_code)


def _read_statement(visit: Visit, from_on: date | None, to_on: date | None) -> Statement:
    return benefit_safe_statement(
        visit.engine, visit.timebank_id, visit.caller, visit.account_id, from_on, to_on
    )


def _show(request: Request, visit: VisitDep, document: _Document) -> Response:
    errors = FormErrors()
    from_on, to_on = read_period(request.query_params, _today(), errors)
    if errors:
        return _document_page(request, visit, document, None, errors, status_code=422)
    try:
        with refused_as_page():
            statement = _read_statement(visit, from_on, to_on)
    except InvalidRequest as refused:
        errors.refusal(refused, _PERIOD_FIELDS_BY_CODE)
        return _document_page(request, visit, document, None, errors, status_code=422)
    return _document_page(request, visit, document, statement, None)


async def _download(request: Request, visit: VisitDep, document: _Document) -> Response:
    errors = FormErrors()
    from_on, to_on = read_period(request.query_params, _today(), errors)
    if errors:
        return _document_page(request, visit, document, None, errors, status_code=422)

    def drawn() -> tuple[Statement, bytes]:
        statement = _read_statement(visit, from_on, to_on)
        return statement, document.draw(statement)

    try:
        with refused_as_page():
            # The slot is waited for here, on the event loop; the drawing thread finds it held.
            async with pdf_rendering().hold_async():
                statement, pdf = await run_in_threadpool(drawn)
    except InvalidRequest as refused:
        errors.refusal(refused, _PERIOD_FIELDS_BY_CODE)
        return _document_page(request, visit, document, None, errors, status_code=422)
    filename = f"{document.filename}-{statement.from_on.isoformat()}-{statement.to_on.isoformat()}.pdf"
    return Response(
        pdf,
        media_type=_PDF,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/benefits")
def benefits_hub(request: Request, visit: VisitDep) -> Response:
    return render(
        request, "benefits.html", {"title": "Benefits and time credits", "visit": visit, "here": HUB}
    )


@router.get("/benefits/statement")
def statement_page(request: Request, visit: VisitDep) -> Response:
    return _show(request, visit, STATEMENT)


@router.get("/benefits/statement.pdf")
async def statement_download(request: Request, visit: VisitDep) -> Response:
    return await _download(request, visit, STATEMENT)


@router.get("/benefits/letter")
def letter_page(request: Request, visit: VisitDep) -> Response:
    return _show(request, visit, LETTER)


@router.get("/benefits/letter.pdf")
async def letter_download(request: Request, visit: VisitDep) -> Response:
    return await _download(request, visit, LETTER)


# --- the declaration ---------------------------------------------------------------------------

DECLARATION = "/benefits/declaration"
# What the declaration page says after a change, by the ``done`` its redirect carries.
DONE_MESSAGES = {
    "saved": "Your benefits declaration is saved.",
    "deleted": "Your benefits declaration is deleted.",
    "none": "You had no benefits declaration to delete.",
}
_DECLARATION_FIELDS_BY_CODE = {
    "benefit_categories_required": "categories",
    "benefit_category_unknown": "categories",
}
_CATEGORY_CHOICES = tuple((category.value, category.label) for category in BenefitCategory)


def _declaration_page(
    request: Request,
    visit: Visit,
    *,
    declaration: DeclarationView | None,
    chosen: set[str],
    errors: FormErrors | None = None,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    context = {
        "title": "Your benefits declaration",
        "visit": visit,
        "here": HUB,
        "errors": errors or None,
        "declaration": declaration,
        "chosen": chosen,
        "choices": _CATEGORY_CHOICES,
        "done": done,
    }
    return render(request, "benefit_declaration.html", context, status_code=status_code)


@router.get(DECLARATION)
def declaration_page(request: Request, visit: VisitDep) -> Response:
    with refused_as_page():
        # Audited by the use case, as every read of a declaration is.
        declaration = read_declaration(visit.engine, visit.timebank_id, visit.caller, visit.account_id)
    return _declaration_page(
        request,
        visit,
        declaration=declaration,
        chosen={category.value for category in declaration.categories},
        done=DONE_MESSAGES.get(request.query_params.get("done", "")),
    )


@router.post(DECLARATION)
async def declare(request: Request, visit: VisitDep) -> Response:
    await posted_form(request, visit)
    # ``posted_form`` keeps a field's first value; the checkboxes send one value per box ticked.
    # The form is parsed once per request, so this reads the same, already checked, form.
    chosen = [value for value in (await request.form()).getlist("categories") if isinstance(value, str)]
    errors = FormErrors()
    if not chosen:
        errors.add(
            "categories",
            "Choose at least one benefit. If you want to declare none, delete your declaration instead",
        )
    else:
        try:
            declared = DeclareBenefits.model_validate({"categories": chosen})
            with refused_as_page():
                await run_in_threadpool(
                    set_declaration, visit.engine, visit.timebank_id, visit.caller, visit.account_id, declared
                )
        except ValidationError as error:
            errors.invalid(error, {"categories": "categories"}, {"categories": "The benefits"})
        except InvalidRequest as refused:
            errors.refusal(refused, _DECLARATION_FIELDS_BY_CODE)
    if errors:
        # Shown again without reading the declaration: a refusal writes nothing, not even a read's audit.
        return _declaration_page(
            request, visit, declaration=None, chosen=set(chosen), errors=errors, status_code=422
        )
    return RedirectResponse(f"{DECLARATION}?done=saved", status_code=303)


@router.get(f"{DECLARATION}/delete")
def delete_page(request: Request, visit: VisitDep) -> Response:
    context = {
        "title": "Are you sure you want to delete your benefits declaration?",
        "visit": visit,
        "here": HUB,
    }
    return render(request, "benefit_declaration_delete.html", context)


@router.post(f"{DECLARATION}/delete")
async def delete(request: Request, visit: VisitDep) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        deleted = await run_in_threadpool(
            delete_declaration, visit.engine, visit.timebank_id, visit.caller, visit.account_id
        )
    return RedirectResponse(f"{DECLARATION}?done={'deleted' if deleted else 'none'}", status_code=303)
