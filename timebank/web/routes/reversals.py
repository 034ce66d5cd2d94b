"""Reversing a posted exchange on a page, with a reason: for coordinators only.

Nothing posted is ever changed. A coordinator corrects a confirmed exchange by a reversal: the same
credits go back the other way, in a new transaction that says why
(``timebank.exchanges.reversals.reverse_exchange``, called as the API calls it). From an exchange's
page, "Reverse this exchange" opens a question page that asks for the reason; a check-your-answers
page says plainly that it cannot be undone and what it does to each person's balance, and only its
button reverses. The reversed page confirms it.

Each rendered form carries its own idempotency key, carried on to the check page, so a double click
reverses once and a second post of the same form is answered with the first reversal. Refusals:
no reason (beside the field, nothing recorded); an exchange that was already reversed, or never
posted (waiting, declined, cancelled, expired), gets a page saying so (409); another timebank's
exchange, or none, is not found (404); a reversal that would take someone past their limits
(the giver has spent the credits since) comes back on the form, with nothing recorded.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, LimitBreached
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.exchanges.listing import NamedExchange, read_named_exchange
from timebank.exchanges.requests import ReverseExchange
from timebank.exchanges.reversals import reverse_exchange
from timebank.ledger.errors import ExchangeNotConfirmed, TransactionAlreadyReversed
from timebank.ledger.types import ExchangeStatus
from timebank.web.forms import FormErrors
from timebank.web.templating import new_key, render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELDS_BY_CODE = {
    "reason_required": "reason",
    "text_too_long": "reason",
    "text_has_control_characters": "reason",
}
_FIELDS_BY_NAME = {"reason": "reason"}
_WORDS = {"reason": "the reason"}


def _named(visit: Visit, exchange_id: int) -> NamedExchange:
    with refused_as_page():
        return read_named_exchange(visit.engine, visit.timebank_id, visit.caller, exchange_id)


def _reversible(named: NamedExchange) -> NamedExchange:
    """The exchange, if it can be reversed; otherwise a page that says why not (409)."""
    status = named.exchange.status
    if status is ExchangeStatus.REVERSED:
        raise _already_reversed()
    if status is not ExchangeStatus.CONFIRMED:
        raise _not_posted()
    return named


def _already_reversed() -> PageRefused:
    return PageRefused(
        409,
        "This exchange was already reversed",
        "Its credits went back when it was reversed. Nothing more was changed.",
    )


def _not_posted() -> PageRefused:
    return PageRefused(
        409,
        "This exchange cannot be reversed",
        "No credits moved for it, so there is nothing to undo. Only a confirmed exchange can be reversed.",
    )


def _receivers(named: NamedExchange) -> list[tuple[str, int]]:
    """Each receiver's name and minutes: the credits that go back to them."""
    shares = named.exchange.receivers
    return [(name, share.minutes) for name, share in zip(named.receiver_names, shares, strict=True)]


def _form_page(
    request: Request,
    visit: Visit,
    named: NamedExchange,
    form: dict[str, str],
    errors: FormErrors,
    status: int,
) -> Response:
    context: dict[str, Any] = {
        "title": "Reverse this exchange",
        "visit": visit,
        "here": None,
        "named": named,
        "receivers": _receivers(named),
        "form": form,
        "errors": errors or None,
        "key": new_key(),
    }
    return render(request, "reverse.html", context, status_code=status)


def _read_reason(form: dict[str, str], errors: FormErrors) -> ReverseExchange | None:
    reason = form.get("reason", "").strip()
    if not reason:
        errors.add("reason", "Enter why you are reversing this exchange")
        return None
    try:
        return ReverseExchange.model_validate({"reason": reason})
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


@router.get("/exchanges/{exchange_id}/reverse")
async def reverse_page(request: Request, visit: CoordinatorVisitDep, exchange_id: int) -> Response:
    named = _reversible(await run_in_threadpool(_named, visit, exchange_id))
    return _form_page(request, visit, named, {}, FormErrors(), 200)


@router.post("/exchanges/{exchange_id}/reverse")
async def reverse(request: Request, visit: CoordinatorVisitDep, exchange_id: int) -> Response:
    form = await posted_form(request, visit)
    named = await run_in_threadpool(_named, visit, exchange_id)
    if form.get("action") != "reverse" or named.exchange.status is not ExchangeStatus.REVERSED:
        # A reversed exchange's button is left to the use case: the same form posted again (a
        # double click) is answered with its first reversal and sent on to the reversed page.
        _reversible(named)
    errors = FormErrors()
    if form.get("action") == "change":
        return _form_page(request, visit, named, form, errors, 200)
    answer = _read_reason(form, errors)
    if answer is None:
        return _form_page(request, visit, named, form, errors, 422)
    if form.get("action") != "reverse":
        context = {
            "title": "Check your answers",
            "visit": visit,
            "here": None,
            "errors": None,
            "named": named,
            "receivers": _receivers(named),
            "reason": answer.reason,
            "key": form.get("idempotency_key") or new_key(),
        }
        return render(request, "reverse_check.html", context)
    try:
        with refused_as_page():
            await run_in_threadpool(
                reverse_exchange,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                exchange_id,
                answer,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except TransactionAlreadyReversed as refused:
        raise _already_reversed() from refused
    except ExchangeNotConfirmed as refused:
        raise _not_posted() from refused
    except IdempotencyKeyReused:
        errors.add(None, "This form was already used. Check the reason and try again")
        return _form_page(request, visit, named, form, errors, 409)
    except (InvalidRequest, LimitBreached) as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        return _form_page(request, visit, named, form, errors, 422)
    return RedirectResponse(f"/exchanges/{exchange_id}/reversed", status_code=303)


@router.get("/exchanges/{exchange_id}/reversed")
async def reversed_page(request: Request, visit: CoordinatorVisitDep, exchange_id: int) -> Response:
    named = await run_in_threadpool(_named, visit, exchange_id)
    if named.exchange.status is not ExchangeStatus.REVERSED:
        raise PageRefused(404, "Page not found", "This exchange has not been reversed.")
    context = {
        "title": "Exchange reversed",
        "visit": visit,
        "here": None,
        "errors": None,
        "named": named,
        "receivers": _receivers(named),
    }
    return render(request, "reversed.html", context)
