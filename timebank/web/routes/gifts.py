"""Giving credits away on a page: to the community pot, or to another member.

A question page asks who to give to ("The community pot" or "Another member", found by part of
their name as the record page finds the other person: ``timebank.web.people_finder``), how much in
hours and minutes, and an optional note. A check-your-answers page repeats it in words, and only
its button gives. Credits always leave the member's own account; the pot's account is the
timebank's own (``read_timebank(...).pot_account_id``). Both pages post to ``/give``, and the
answers travel in the form and are checked again at every step.

Each rendered form carries its own idempotency key, so a double click gives once. A refusal (not
enough credits, nothing to give, minutes of 60 or more, nobody by that name, oneself) gives the
form back with the error summary linked to the field, what was typed, and a fresh key.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.accounts.views import StatementLine
from timebank.errors import AccountNotFound, InvalidRequest, LimitBreached, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.exchanges.gifts import give_credits
from timebank.exchanges.requests import GiveCredits
from timebank.ledger.types import TransactionKind
from timebank.people.timebanks import read_timebank
from timebank.people.views import DirectoryEntry
from timebank.web.forms import FormErrors, whole_number
from timebank.web.own_statement import own_statement_line
from timebank.web.people_finder import find_other_member
from timebank.web.templating import new_key, render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Where on the form each refusal of the use case belongs.
_FIELDS_BY_CODE = {
    "minutes_must_be_positive": "hours",
    "minutes_above_transfer_limit": "hours",
    "balance_below_floor": "hours",
    "balance_above_cap": "hours",
    "accounts_must_differ": "other_name",
    "account_not_found": "other_name",
    "text_too_long": "note",
    "text_has_control_characters": "note",
}
_FIELDS_BY_NAME = {"minutes": "hours", "note": "note"}
_WORDS = {"minutes": "how much to give", "note": "the note"}

_KINDS_GIVEN = (TransactionKind.GIFT.value, TransactionKind.POT_DONATION.value)


@dataclass
class GiveAnswers:
    """What the give form holds, as typed, and what it means once read."""

    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    matches: tuple[DirectoryEntry, ...] = ()
    other: DirectoryEntry | None = None
    request: GiveCredits | None = None

    @property
    def to_pot(self) -> bool:
        return self.form.get("to") == "pot"


def _to_account_id(visit: Visit, answers: GiveAnswers) -> int | None:
    if answers.to_pot:
        with refused_as_page():
            return read_timebank(visit.engine, visit.timebank_id, visit.caller).pot_account_id
    if answers.form.get("to") != "member":
        answers.errors.add("to", "Choose who you want to give credits to")
        return None
    found = find_other_member(
        visit,
        answers.form,
        answers.errors,
        missing="Enter the name of the member you want to give credits to",
        yourself="That is your own name. You cannot give credits to yourself",
    )
    answers.other, answers.matches = found.other, found.matches
    return None if found.other is None else found.other.account_id


def read_answers(visit: Visit, form: dict[str, str]) -> GiveAnswers:
    """Read and check the give form; ``request`` is set when everything is right."""
    answers = GiveAnswers(form=form)
    errors = answers.errors
    to_account_id = _to_account_id(visit, answers)
    hours = whole_number(form, "hours", "Hours", errors, blank_is=0)
    minutes = whole_number(form, "minutes", "Minutes", errors, blank_is=0)
    if minutes is not None and minutes >= 60:
        errors.add("minutes", "Minutes must be 59 or fewer. Put whole hours in the hours box")
    elif hours is not None and minutes is not None and hours * 60 + minutes == 0:
        errors.add("hours", "Enter how many hours and minutes of credits to give")
    note = form.get("note", "").strip()
    if errors or to_account_id is None or hours is None or minutes is None:
        return answers
    try:
        answers.request = GiveCredits.model_validate(
            {
                "from_account_id": visit.account_id,
                "to_account_id": to_account_id,
                "minutes": hours * 60 + minutes,
                "note": note or None,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
    return answers


def _form_page(request: Request, visit: Visit, answers: GiveAnswers, status_code: int = 200) -> Response:
    context: dict[str, Any] = {
        "title": "Give credits",
        "visit": visit,
        "here": "/give",
        "form": answers.form,
        "errors": answers.errors or None,
        "matches": answers.matches,
        "key": new_key(),
    }
    return render(request, "give.html", context, status_code=status_code)


@router.get("/give")
def give_page(request: Request, visit: VisitDep) -> Response:
    return _form_page(request, visit, GiveAnswers(form={}))


@router.post("/give")
async def give(request: Request, visit: VisitDep) -> Response:
    form = await posted_form(request, visit)
    if form.get("action") == "change":
        return _form_page(request, visit, GiveAnswers(form=form))
    answers = await run_in_threadpool(read_answers, visit, form)
    if answers.request is None:
        status = 200 if answers.matches and not answers.errors else 422
        return _form_page(request, visit, answers, status_code=status)
    if form.get("action") != "give":
        context = {
            "title": "Check your answers",
            "visit": visit,
            "here": "/give",
            "errors": None,
            "form": form,
            "answers": answers,
            "key": form.get("idempotency_key") or new_key(),
        }
        return render(request, "give_check.html", context)
    try:
        with refused_as_page():
            try:
                view = await run_in_threadpool(
                    give_credits,
                    visit.engine,
                    visit.timebank_id,
                    visit.caller,
                    answers.request,
                    idempotency_key=form.get("idempotency_key") or None,
                )
            except AccountNotFound:
                # The member was found a moment ago; they have left since. Said beside the name.
                answers.errors.add("other_name", "We cannot find that member now. Check the name")
                return _form_page(request, visit, answers, status_code=422)
    except IdempotencyKeyReused:
        answers.errors.add(
            None, "This form was already used to give credits. Check your answers and try again"
        )
        return _form_page(request, visit, answers, status_code=409)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        answers.errors.refusal(refused, _FIELDS_BY_CODE)
        return _form_page(
            request, visit, answers, status_code=409 if isinstance(refused, StateConflict) else 422
        )
    return RedirectResponse(f"/give/done/{view.transaction_id}", status_code=303)


def _is_gift(line: StatementLine) -> bool:
    return line.kind in _KINDS_GIVEN and line.minutes < 0


@router.get("/give/done/{transaction_id}")
def given_page(request: Request, visit: VisitDep, transaction_id: int) -> Response:
    line, balance_minutes = own_statement_line(visit, transaction_id, _is_gift)
    context = {
        "title": "Credits given",
        "visit": visit,
        "here": "/give",
        "errors": None,
        "line": line,
        "minutes": -line.minutes,
        "balance_minutes": balance_minutes,
    }
    return render(request, "given.html", context)
