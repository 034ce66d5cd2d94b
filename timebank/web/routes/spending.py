"""Spending credits on what organisations offer: the list, one option's page, and what was spent.

``/spend`` lists the options the timebank's organisations offer, each with how long it takes in
hours and minutes and what kind of thing it is. An option's page says what it costs and what the
member has, and its one button spends. For goods and vouchers a member who declared benefits is
asked first (``spend_acknowledgement_required``): the page comes back with the reason in plain
words and a box to tick; ticking it sends the sentence beside it as the member's acknowledgement,
which the use case keeps. The words name no benefit and never call credits anything but credits.

As on every page that moves credits, the form carries one idempotency key, so a double click spends
once, and a refusal gives the page back with the error summary and a fresh key. The result page is
read back from the member's own statement, so it says what the ledger holds, not what was asked.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.accounts.accounts import read_account
from timebank.accounts.views import StatementLine
from timebank.errors import InvalidRequest, LimitBreached, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.ledger.types import TransactionKind
from timebank.paging import CursorInvalid
from timebank.people.organisations import get_organisation
from timebank.spending.requests import SpendCredits
from timebank.spending.spends import list_spend_options, read_spend_option, spend_credits
from timebank.spending.views import SpendOptionView
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id, not_found, own_statement_line
from timebank.web.templating import new_key, render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["ACKNOWLEDGEMENT", "router"]

router = APIRouter(include_in_schema=False)

# What a member ticks to go ahead with goods or a voucher, kept by the use case as their words.
ACKNOWLEDGEMENT = "I understand that goods and vouchers may need to be reported to the benefit office"

# The one field a spend's refusal can be about: the box to tick.
_FIELDS_BY_CODE = {"spend_acknowledgement_required": "acknowledge"}

_WITHDRAWN = "This has been withdrawn. You can no longer spend credits on it"


def _organisation_name(visit: Visit, organisation_id: int) -> str:
    return get_organisation(visit.engine, visit.timebank_id, visit.caller, organisation_id).name


def _read_option(visit: Visit, option_id: int) -> SpendOptionView:
    check_id(option_id)
    with refused_as_page():
        return read_spend_option(visit.engine, visit.timebank_id, visit.caller, option_id)


@router.get("/spend")
def spend_options_page(request: Request, visit: VisitDep, cursor: str | None = None) -> Response:
    try:
        with refused_as_page():
            page = list_spend_options(visit.engine, visit.timebank_id, visit.caller, cursor=cursor)
    except CursorInvalid:
        raise not_found() from None
    with refused_as_page():
        ids = sorted({option.organisation_id for option in page.options})
        names = {organisation_id: _organisation_name(visit, organisation_id) for organisation_id in ids}
        account = read_account(visit.engine, visit.timebank_id, visit.caller, visit.account_id)
    context = {
        "title": "Spend credits",
        "visit": visit,
        "here": "/spend",
        "errors": None,
        "options": page.options,
        "names": names,
        "account": account,
        "next_cursor": page.next_cursor,
    }
    return render(request, "spend.html", context)


def _option_page(
    request: Request,
    visit: Visit,
    option: SpendOptionView,
    errors: FormErrors,
    *,
    asked: bool,
    status_code: int = 200,
) -> Response:
    with refused_as_page():
        account = read_account(visit.engine, visit.timebank_id, visit.caller, visit.account_id)
        organisation = _organisation_name(visit, option.organisation_id)
    if not option.active:
        errors.add(None, _WITHDRAWN)
    context: dict[str, Any] = {
        "title": f"Spend credits on {option.title}",
        "visit": visit,
        "here": "/spend",
        "errors": errors or None,
        "option": option,
        "organisation": organisation,
        "account": account,
        "asked": asked,
        "acknowledgement": ACKNOWLEDGEMENT,
        "key": new_key(),
    }
    return render(request, "spend_option.html", context, status_code=status_code)


@router.get("/spend/{option_id}")
def spend_option_page(request: Request, visit: VisitDep, option_id: int) -> Response:
    option = _read_option(visit, option_id)
    return _option_page(request, visit, option, FormErrors(), asked=False)


@router.post("/spend/{option_id}")
async def spend(request: Request, visit: VisitDep, option_id: int) -> Response:
    form = await posted_form(request, visit)
    option = await run_in_threadpool(_read_option, visit, option_id)
    asked = form.get("asked") == "yes"
    ticked = asked and form.get("acknowledge") == "yes"
    spending = SpendCredits(account_id=visit.account_id, acknowledgement=ACKNOWLEDGEMENT if ticked else None)
    errors = FormErrors()
    try:
        with refused_as_page():
            view = await run_in_threadpool(
                spend_credits,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                option_id,
                spending,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except IdempotencyKeyReused:
        errors.add(None, "This form was already used. Check the page and try again")
        return await run_in_threadpool(_refused, request, visit, option_id, errors, asked, 409)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        asked = asked or refused.code == "spend_acknowledgement_required"
        status = 409 if isinstance(refused, StateConflict) else 422
        return await run_in_threadpool(_refused, request, visit, option_id, errors, asked, status)
    assert option.spend_option_id == view.spend_option_id
    return RedirectResponse(f"/spend/done/{view.transaction_id}", status_code=303)


def _refused(
    request: Request, visit: Visit, option_id: int, errors: FormErrors, asked: bool, status_code: int
) -> Response:
    # The option is read again: it may have been withdrawn while the member looked at it.
    option = _read_option(visit, option_id)
    if not option.active:
        errors = FormErrors()  # the page says it was withdrawn; once is enough
    return _option_page(request, visit, option, errors, asked=asked, status_code=status_code)


def _is_spend(line: StatementLine) -> bool:
    return line.kind == TransactionKind.EXCHANGE.value and line.minutes < 0 and line.exchange_id is not None


@router.get("/spend/done/{transaction_id}")
def spent_page(request: Request, visit: VisitDep, transaction_id: int) -> Response:
    line, balance_minutes = own_statement_line(visit, transaction_id, _is_spend)
    context = {
        "title": "Credits spent",
        "visit": visit,
        "here": "/spend",
        "errors": None,
        "line": line,
        "minutes": -line.minutes,
        "balance_minutes": balance_minutes,
    }
    return render(request, "spent.html", context)
