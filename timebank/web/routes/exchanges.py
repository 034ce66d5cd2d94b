"""Recording an exchange on a page, and confirming, declining or cancelling one that waits.

Recording is a question page and a check-your-answers page (the GOV.UK pattern): the member says
which way the help went ("I helped someone" or "Someone helped me"), finds the other person by
part of their name, says how long and when, and what it was; the check page repeats it in words and
says what happens next (credits move now, or the other person is asked to confirm). Only the
check page's button records. Both pages post to ``/record``; the answers travel in the form, and are
read and checked again at every step, so nothing is kept on the server between the steps.

Recording can start from an offer or request (``/record?post={id}``, the button on its page): the
form comes filled in (for an offer, "Someone helped me" by its member; for a request, "I helped
someone", its member; what it was, from its title), the post's id travels in a hidden field to the
use case, so the exchange keeps the link, and the check page names the post. Whether the post may
be answered (someone else's, open, not hidden) is asked again at every step; a refusal is a page
named for its rule.

Each rendered form carries its own idempotency key, so a double click or a resubmission after the
back button records once: the second post is answered with the first post's exchange. A refusal
gives the form back with the error summary, what was typed, and a fresh key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.accounts.home import member_home
from timebank.clock import utc_now
from timebank.errors import InvalidRequest, LimitBreached, StateConflict, TimebankError
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.exchanges.lifecycle import cancel_exchange, confirm_exchange, decline_exchange, record_exchange
from timebank.exchanges.listing import read_named_exchange
from timebank.exchanges.requests import RecordExchange
from timebank.ledger.types import ExchangeStatus
from timebank.offers import PostKind, PostToAnswerView, read_post_to_answer
from timebank.people.timebanks import read_timebank
from timebank.people.views import DirectoryEntry
from timebank.web.forms import FormErrors, calendar_day, whole_number
from timebank.web.own_statement import check_id
from timebank.web.people_finder import find_other_member
from timebank.web.routes.offer_post import refused_by_rule
from timebank.web.templating import new_key, render
from timebank.web.visits import PageRefused, Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Where on the form each refusal of the use case belongs.
_FIELDS_BY_CODE = {
    "activity_date_in_future": "date-day",
    "activity_date_too_far_back": "date-day",
    "minutes_must_be_positive": "hours",
    "minutes_above_transfer_limit": "hours",
    "balance_below_floor": "hours",
    "balance_above_cap": "hours",
    "accounts_must_differ": "other_name",
    "account_not_found": "other_name",
    "pot_cannot_exchange": "other_name",
    "text_too_long": "description",
    "text_has_control_characters": "description",
    "post_member_not_in_exchange": "other_name",
}
_FIELDS_BY_NAME = {"activity_date": "date-day", "minutes": "hours", "description": "description"}
_WORDS = {"activity_date": "the date", "minutes": "how long it took", "description": "what it was"}


@dataclass
class RecordAnswers:
    """What the record form holds, as typed, and what it means once read."""

    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    matches: tuple[DirectoryEntry, ...] = ()
    other: DirectoryEntry | None = None
    request: RecordExchange | None = None
    post: PostToAnswerView | None = None

    @property
    def i_gave(self) -> bool:
        return self.form.get("direction") == "gave"


def _today() -> date:
    return utc_now().date()


def _find_other(visit: Visit, answers: RecordAnswers) -> None:
    found = find_other_member(visit, answers.form, answers.errors)
    answers.other, answers.matches = found.other, found.matches


def _post_to_answer(visit: Visit, post: str | None) -> PostToAnswerView | None:
    """The post the exchange is recorded from, if the form names one, once it may be answered."""
    if not post:
        return None
    post_id = check_id(int(post) if post.isascii() and post.isdigit() and len(post) <= 18 else 0)
    try:
        with refused_as_page():
            return read_post_to_answer(visit.engine, visit.timebank_id, visit.caller, post_id)
    except (InvalidRequest, StateConflict) as refused:
        raise refused_by_rule(refused) from refused


def read_answers(visit: Visit, form: dict[str, str]) -> RecordAnswers:
    """Read and check the record form; ``request`` is set when everything is right."""
    answers = RecordAnswers(form=form, post=_post_to_answer(visit, form.get("post")))
    errors = answers.errors
    if form.get("direction") not in ("gave", "received"):
        errors.add("direction", "Choose whether you helped someone or someone helped you")
    _find_other(visit, answers)
    hours = whole_number(form, "hours", "Hours", errors, blank_is=0)
    minutes = whole_number(form, "minutes", "Minutes", errors, blank_is=0)
    if minutes is not None and minutes >= 60:
        errors.add("minutes", "Minutes must be 59 or fewer. Put whole hours in the hours box")
    elif hours is not None and minutes is not None and hours * 60 + minutes == 0:
        errors.add("hours", "Enter how long it took, in hours and minutes")
    on = calendar_day(form, "date", "The date", errors)
    if on is not None and on > _today():
        errors.add("date-day", "The date must be today or in the past")
    description = form.get("description", "").strip()
    if not description:
        errors.add("description", "Enter what the help was, like 'gardening'")
    if errors or answers.other is None or hours is None or minutes is None or on is None:
        return answers
    me, other = visit.account_id, answers.other.account_id
    giver, receiver = (me, other) if answers.i_gave else (other, me)
    try:
        answers.request = RecordExchange.model_validate(
            {
                "giver_account_id": giver,
                "receivers": [{"account_id": receiver, "minutes": hours * 60 + minutes}],
                "activity_date": on,
                "description": description,
                "post_id": None if answers.post is None else answers.post.post.post_id,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
    return answers


def _form_page(request: Request, visit: Visit, answers: RecordAnswers, status_code: int = 200) -> Response:
    today = _today()
    form = answers.form
    context: dict[str, Any] = {
        "title": "Record an exchange",
        "visit": visit,
        "here": "/record",
        "form": form,
        "errors": answers.errors or None,
        "matches": answers.matches,
        "post": answers.post,
        "key": new_key(),
        "day": form.get("date-day", str(today.day)),
        "month": form.get("date-month", str(today.month)),
        "year": form.get("date-year", str(today.year)),
    }
    return render(request, "record.html", context, status_code=status_code)


@router.get("/record")
def record_page(request: Request, visit: VisitDep, post: str | None = None) -> Response:
    answering = _post_to_answer(visit, post)
    form: dict[str, str] = {}
    if answering is not None:
        # An offer's member helped the caller; the caller helped a request's member.
        offered = answering.post.kind is PostKind.OFFER
        form = {
            "post": str(answering.post.post_id),
            "direction": "received" if offered else "gave",
            "other_name": answering.post.member_name,
            "other_account_id": str(answering.member_account_id),
            "description": answering.post.title,
        }
    return _form_page(request, visit, RecordAnswers(form=form, post=answering))


@router.post("/record")
async def record(request: Request, visit: VisitDep) -> Response:
    form = await posted_form(request, visit)
    if form.get("action") == "change":
        answering = await run_in_threadpool(_post_to_answer, visit, form.get("post"))
        return _form_page(request, visit, RecordAnswers(form=form, post=answering))
    answers = await run_in_threadpool(read_answers, visit, form)
    if answers.request is None:
        status = 200 if answers.matches and not answers.errors else 422
        return _form_page(request, visit, answers, status_code=status)
    if form.get("action") != "record":
        with refused_as_page():
            timebank = await run_in_threadpool(read_timebank, visit.engine, visit.timebank_id, visit.caller)
        context = {
            "title": "Check your answers",
            "visit": visit,
            "here": "/record",
            "form": form,
            "answers": answers,
            "minutes": answers.request.receivers[0].minutes,
            "timebank": timebank,
            "key": form.get("idempotency_key") or new_key(),
        }
        return render(request, "record_check.html", context)
    try:
        with refused_as_page():
            view = await run_in_threadpool(
                record_exchange,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                answers.request,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except IdempotencyKeyReused:
        answers.errors.add(
            None, "This form was already used for another exchange. Check your answers and try again"
        )
        return _form_page(request, visit, answers, status_code=409)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        answers.errors.refusal(refused, _FIELDS_BY_CODE)
        return _form_page(request, visit, answers, status_code=422)
    return RedirectResponse(f"/exchanges/{view.exchange_id}", status_code=303)


@router.get("/exchanges/{exchange_id}")
def exchange_page(request: Request, visit: VisitDep, exchange_id: int) -> Response:
    with refused_as_page():
        named = read_named_exchange(visit.engine, visit.timebank_id, visit.caller, exchange_id)
    context = {
        "title": _EXCHANGE_TITLES[named.exchange.status],
        "visit": visit,
        "named": named,
        "i_gave": named.exchange.giver_account_id == visit.caller.account_id,
        "statuses": ExchangeStatus,
    }
    return render(request, "exchange.html", context)


_EXCHANGE_TITLES = {
    ExchangeStatus.PENDING: "Exchange recorded: waiting to be confirmed",
    ExchangeStatus.CONFIRMED: "Exchange recorded",
    ExchangeStatus.DECLINED: "Exchange declined",
    ExchangeStatus.CANCELLED: "Exchange cancelled",
    ExchangeStatus.EXPIRED: "Exchange expired",
    ExchangeStatus.REVERSED: "Exchange corrected",
}

# What each waiting-list button says happened when its exchange was no longer waiting.
_DONE = {"confirm": "confirmed", "decline": "declined", "cancel": "cancelled"}


@router.post("/exchanges/{exchange_id}/{action}")
async def act_on_exchange(request: Request, visit: VisitDep, exchange_id: int, action: str) -> Response:
    if action not in _DONE:
        raise _not_found()
    form = await posted_form(request, visit)
    try:
        with refused_as_page():
            if action == "confirm":
                key = form.get("idempotency_key") or None
                await run_in_threadpool(
                    confirm_exchange,
                    visit.engine,
                    visit.timebank_id,
                    visit.caller,
                    exchange_id,
                    idempotency_key=key,
                )
            elif action == "decline":
                await run_in_threadpool(
                    decline_exchange, visit.engine, visit.timebank_id, visit.caller, exchange_id
                )
            else:
                await run_in_threadpool(
                    cancel_exchange, visit.engine, visit.timebank_id, visit.caller, exchange_id
                )
    except (StateConflict, LimitBreached, InvalidRequest) as refused:
        if form.get("back") == "waiting" and visit.caller.is_coordinator:
            return _refused_on_exchange(request, visit, exchange_id, refused)
        return _refused_on_home(request, visit, refused)
    if form.get("back") == "waiting" and visit.caller.is_coordinator:
        # A coordinator acting for members goes back to the list they came from.
        return RedirectResponse(f"/waiting?done={_DONE[action]}", status_code=303)
    return RedirectResponse(f"/?done={_DONE[action]}", status_code=303)


def _refused_on_exchange(
    request: Request, visit: Visit, exchange_id: int, refused: TimebankError
) -> Response:
    """The exchange's page again, with the refusal at the top (it moved on, or a limit stops it)."""
    errors = FormErrors()
    errors.add(None, refused.detail)
    with refused_as_page():
        named = read_named_exchange(visit.engine, visit.timebank_id, visit.caller, exchange_id)
    context = {
        "title": _EXCHANGE_TITLES[named.exchange.status],
        "visit": visit,
        "named": named,
        "i_gave": named.exchange.giver_account_id == visit.caller.account_id,
        "statuses": ExchangeStatus,
        "errors": errors,
    }
    status_code = 409 if isinstance(refused, StateConflict) else 422
    return render(request, "exchange.html", context, status_code=status_code)


def _refused_on_home(request: Request, visit: Visit, refused: TimebankError) -> Response:
    """The home page again, with the refusal at the top (the exchange moved on, or a limit stops it)."""
    errors = FormErrors()
    errors.add(None, refused.detail)
    with refused_as_page():
        view = member_home(visit.engine, visit.timebank_id, visit.caller, _today())
    context = {"title": "Home", "visit": visit, "here": "/", "home": view, "errors": errors}
    return render(
        request, "home.html", context, status_code=409 if isinstance(refused, StateConflict) else 422
    )


def _not_found() -> Exception:
    return PageRefused(404, "Page not found", "If you typed the web address, check it is correct.")
