"""Expenses an organisation pays back to a member, for its staff: the list, and recording one (DESIGN B2).

An expense pays back money the member spent to take part: a bus fare, a ticket, the miles they
drove. It is not a payment for their time, so it needs evidence: a receipt (its reference and the
amount it shows) or a mileage sum (the journey, whole miles, pence a mile; HMRC's 45p to start
with). The amount paid back is never more than the evidence shows; left blank, it is all of it.
Expenses are money, whole pence (``timebank.web.money_form``), and never touch anyone's credits.

The question page asks who (by part of their name, ``timebank.web.people_finder``), the day, what
for, the evidence and the amount. A check-your-answers page repeats it, and only its button records
(``record_expense``, under the form's idempotency key, as the JSON API calls it). The list then
shows it at the top with a message. Opened from an activity's page (``?activity=``), the expense is
tied to that activity and to its organisation.

Every page here is behind ``StaffVisitDep``. Whether the visitor may act for the organisation is
the use cases' to decide, as for the JSON API: another organisation of the timebank answers 403,
another timebank's ids 404. No page here says anything about a member's benefits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.benefits.money import HMRC_PENCE_PER_MILE, MILES_MAX, PENCE_PER_MILE_MAX
from timebank.clock import utc_now
from timebank.errors import InvalidRequest, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.involvement.activities import get_activity
from timebank.involvement.expense_list import list_expenses
from timebank.involvement.expenses import record_expense
from timebank.involvement.requests import RecordExpense
from timebank.involvement.views import ActivityView
from timebank.people.organisations import get_organisation
from timebank.people.views import DirectoryEntry, OrganisationView
from timebank.web.acting_for import acting_for
from timebank.web.forms import FormErrors, calendar_day, whole_number
from timebank.web.money_form import pence
from timebank.web.people_finder import find_other_member
from timebank.web.templating import new_key, render
from timebank.web.visits import PageRefused, StaffVisitDep, Visit, posted_form, refused_as_page

__all__ = ["WHAT_AN_EXPENSE_IS", "router"]

router = APIRouter(include_in_schema=False)

# The one sentence every expenses page says. It names no benefit: staff learn nothing about those.
WHAT_AN_EXPENSE_IS = (
    "An expense pays back money a member spent to take part. It is not a payment for their time."
)

EVIDENCE = (
    ("receipt", "A receipt or a ticket", "The member paid for something and has the receipt."),
    ("mileage", "Mileage", "The member drove. You pay back so much for each mile."),
)
EVIDENCE_NAMES = {value: name for value, name, _ in EVIDENCE}

# Where on the form each refusal of the use case belongs.
_FIELDS_BY_CODE = {
    "expense_above_evidence": "amount",
    "member_account_required": "other_name",
    "account_not_found": "other_name",
    "miles_above_limit": "miles",
    "mileage_rate_above_limit": "rate",
}
_FIELDS_BY_NAME = {
    "description": "description",
    "reference": "receipt_reference",
    "journey": "journey",
    "incurred_on": "spent-day",
}
_WORDS = {
    "description": "what it was for",
    "reference": "the receipt's reference",
    "journey": "the journey",
    "incurred_on": "the day",
}
# Every box the form has, carried through the check page in hidden fields.
FORM_FIELDS = (
    "organisation_id",
    "activity_id",
    "other_name",
    "spent-day",
    "spent-month",
    "spent-year",
    "description",
    "evidence",
    "receipt_reference",
    "receipt_amount",
    "journey",
    "miles",
    "rate",
    "amount",
)


@router.get("/expenses")
def expenses_page(
    request: Request,
    visit: StaffVisitDep,
    organisation: int | None = None,
    cursor: str | None = None,
    done: str | None = None,
) -> Response:
    acting = acting_for(visit, organisation)
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        page = list_expenses(engine, tb, caller, acting.chosen_id, cursor=cursor)
        chosen = acting.chosen or get_organisation(engine, tb, caller, acting.chosen_id)
    context = {
        "title": "Expenses",
        "visit": visit,
        "here": "/activities",
        "errors": None,
        "done": "Expense recorded. It is at the top of the list." if done == "recorded" else None,
        "acting": acting,
        "organisation": chosen,
        "expenses": page.expenses,
        "next_cursor": page.next_cursor,
        "first_page": cursor is None,
        "explained": WHAT_AN_EXPENSE_IS,
        "evidence_names": EVIDENCE_NAMES,
    }
    return render(request, "expenses.html", context)


@dataclass
class ExpenseAnswers:
    """What the expense form holds, as typed, and what it means once read."""

    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    matches: tuple[DirectoryEntry, ...] = ()
    member: DirectoryEntry | None = None
    request: RecordExpense | None = None


@dataclass(frozen=True)
class _About:
    """The organisation the expense is paid by, and the activity it was for, if one."""

    organisation: OrganisationView
    activity: ActivityView | None


def _id(text: str | None) -> int | None:
    """An id from a hidden field or the address; anything else is no id at all."""
    if text is None or not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def _about(visit: Visit, organisation_id: int | None, activity_id: int | None) -> _About:
    """Checked by the use cases before anything else is read: refused, the page says so."""
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        if activity_id is not None:
            activity = get_activity(engine, tb, caller, activity_id)
            return _About(get_organisation(engine, tb, caller, activity.organisation_id), activity)
        if organisation_id is None:
            organisation_id = acting_for(visit, None).chosen_id
        # The list is read for its check: only those who act for the organisation see its form.
        list_expenses(engine, tb, caller, organisation_id, limit=1)
        return _About(get_organisation(engine, tb, caller, organisation_id), None)


def _evidence(form: dict[str, str], errors: FormErrors) -> tuple[dict[str, Any] | None, int | None]:
    """The evidence as the request takes it, and the pence it shows; None with the reasons."""
    kind = form.get("evidence", "")
    if kind == "receipt":
        reference = form.get("receipt_reference", "").strip()
        if not reference:
            errors.add("receipt_reference", "Enter the receipt's number or what it says at the top")
        shown = pence(form, "receipt_amount", "The amount on the receipt", errors)
        if not reference or shown is None:
            return None, None
        return {"kind": "receipt", "reference": reference, "evidenced_pence": shown}, shown
    if kind == "mileage":
        journey = form.get("journey", "").strip()
        if not journey:
            errors.add("journey", "Enter where the member drove from and to")
        miles = whole_number(form, "miles", "Miles", errors)
        rate = whole_number(form, "rate", "Pence a mile", errors)
        if miles is not None and not 1 <= miles <= MILES_MAX:
            errors.add("miles", f"Miles must be between 1 and {MILES_MAX}")
            miles = None
        if rate is not None and not 1 <= rate <= PENCE_PER_MILE_MAX:
            errors.add("rate", f"Pence a mile must be between 1 and {PENCE_PER_MILE_MAX}")
            rate = None
        if not journey or miles is None or rate is None:
            return None, None
        evidence = {"kind": "mileage", "journey": journey, "miles": miles, "pence_per_mile": rate}
        return evidence, miles * rate
    errors.add("evidence", "Choose a receipt or mileage")
    return None, None


def read_answers(visit: Visit, about: _About, form: dict[str, str]) -> ExpenseAnswers:
    """Read and check the expense form; ``request`` is set when everything is right."""
    answers = ExpenseAnswers(form=form)
    errors = answers.errors
    found = find_other_member(
        visit,
        form,
        errors,
        missing="Enter the name of the member you are paying back",
        yourself="That is your own name. Enter the name of the member you are paying back",
    )
    answers.member, answers.matches = found.other, found.matches
    spent_on = calendar_day(form, "spent", "The day they spent it", errors)
    if spent_on is not None and spent_on > utc_now().date():
        errors.add("spent-day", "The day they spent it cannot be after today")
    description = form.get("description", "").strip()
    if not description:
        errors.add("description", "Enter what the money was spent on")
    evidence, shown = _evidence(form, errors)
    amount = shown
    if form.get("amount", "").strip():
        amount = pence(form, "amount", "The amount to pay back", errors)
        if amount is not None and shown is not None and amount > shown:
            errors.add("amount", "The amount to pay back cannot be more than the receipt or mileage shows")
    if errors or found.other is None or amount is None:
        return answers
    try:
        answers.request = RecordExpense.model_validate(
            {
                "account_id": found.other.account_id,
                "amount_pence": amount,
                "evidence": evidence,
                "description": description,
                "incurred_on": spent_on,
                "activity_id": None if about.activity is None else about.activity.activity_id,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
    return answers


def _form_page(
    request: Request, visit: Visit, about: _About, answers: ExpenseAnswers, status_code: int = 200
) -> Response:
    form = answers.form
    form.setdefault("rate", str(HMRC_PENCE_PER_MILE))
    context: dict[str, Any] = {
        "title": "Record an expense",
        "visit": visit,
        "here": "/activities",
        "errors": answers.errors or None,
        "organisation": about.organisation,
        "activity": about.activity,
        "form": form,
        "matches": answers.matches,
        "evidence": EVIDENCE,
        "explained": WHAT_AN_EXPENSE_IS,
        "hmrc_rate": HMRC_PENCE_PER_MILE,
        "key": new_key(),
    }
    return render(request, "expense_new.html", context, status_code=status_code)


def _check_page(request: Request, visit: Visit, about: _About, answers: ExpenseAnswers) -> Response:
    context: dict[str, Any] = {
        "title": "Check your answers",
        "visit": visit,
        "here": "/activities",
        "errors": None,
        "organisation": about.organisation,
        "activity": about.activity,
        "form": answers.form,
        "answers": answers,
        "fields": FORM_FIELDS,
        "evidence_names": EVIDENCE_NAMES,
        "explained": WHAT_AN_EXPENSE_IS,
        "key": answers.form.get("idempotency_key") or new_key(),
    }
    return render(request, "expense_check.html", context)


@router.get("/expenses/new")
def new_expense_page(
    request: Request, visit: StaffVisitDep, organisation: int | None = None, activity: int | None = None
) -> Response:
    about = _about(visit, organisation, activity)
    form = {"organisation_id": str(about.organisation.organisation_id)}
    if about.activity is not None:
        form["activity_id"] = str(about.activity.activity_id)
    return _form_page(request, visit, about, ExpenseAnswers(form=form))


@router.post("/expenses/new")
async def add_expense(request: Request, visit: StaffVisitDep) -> Response:
    form = await posted_form(request, visit)
    organisation_id = _id(form.get("organisation_id"))
    activity_text = form.get("activity_id", "")
    activity_id = _id(activity_text) if activity_text else None
    if organisation_id is None or (activity_text and activity_id is None):
        raise PageRefused(404, "Page not found", "Go back to the expenses and try again.")
    about = await run_in_threadpool(_about, visit, organisation_id, activity_id)
    if about.organisation.organisation_id != organisation_id:
        raise PageRefused(404, "Page not found", "Go back to the activity and try again.")
    if form.get("action") == "change":
        return await run_in_threadpool(_form_page, request, visit, about, ExpenseAnswers(form=form))
    answers = await run_in_threadpool(read_answers, visit, about, form)
    if answers.request is None:
        status = 200 if answers.matches and not answers.errors else 422
        return await run_in_threadpool(_form_page, request, visit, about, answers, status)
    if form.get("action") != "record":
        return _check_page(request, visit, about, answers)
    try:
        with refused_as_page():
            await run_in_threadpool(
                record_expense,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                organisation_id,
                answers.request,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except IdempotencyKeyReused:
        answers.errors.add(None, "This form was already used. Check your answers and try again")
        return await run_in_threadpool(_form_page, request, visit, about, answers, 409)
    except (InvalidRequest, StateConflict) as refused:
        answers.errors.refusal(refused, _FIELDS_BY_CODE)
        status = 409 if isinstance(refused, StateConflict) else 422
        return await run_in_threadpool(_form_page, request, visit, about, answers, status)
    return RedirectResponse(f"/expenses?organisation={organisation_id}&done=recorded", status_code=303)
