"""A coordinator ends a member's membership: the last day and why, checked, then done.

``/members/{id}/end`` asks two things: the last day of the membership (the GOV.UK date pattern,
today filled in) and why it ended (kept on the member's record, not in the audit log). It says in
plain words what will happen to the member's balance under the timebank's setting (kept on their
closed account, or moved to the pot, which covers a balance below zero), that waiting exchanges are
cancelled, and that they can still log in to see their statement and download their data. The
check-your-answers page repeats it; only its button ends the membership (``end_membership``), with
one idempotency key per rendered form, so a double click ends it once (the second click is answered
as the first). The member's page then says it ended. A membership that has already ended is not
offered the form: the page says when it ended.

Every refusal comes back on the form with the error summary, what was typed kept and nothing
changed: a day in the future, too far back, before they joined or before their last exchange; no
reason; the pot holding too little; the timebank's last coordinator.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.accounts.member_summary import member_summary
from timebank.accounts.views import MemberSummary
from timebank.clock import utc_now
from timebank.errors import InvalidRequest, LimitBreached, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.people.membership import end_membership
from timebank.people.requests import MEMBERSHIP_END_REASON_LENGTH_MAX, EndMembership
from timebank.people.timebanks import read_timebank
from timebank.people.views import TimebankView
from timebank.web.forms import FormErrors, calendar_day
from timebank.web.own_statement import check_id
from timebank.web.templating import new_key, render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# Where each refusal of the use case belongs on the form.
_FIELDS_BY_CODE = {
    "membership_end_date_in_future": "ended-day",
    "membership_end_date_too_far_back": "ended-day",
    "membership_end_date_too_early": "ended-day",
    "reason_required": "reason",
    "text_too_long": "reason",
    "text_has_control_characters": "reason",
}


@dataclass
class EndAnswers:
    """What the form holds, as typed, and the request once it reads right."""

    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    request: EndMembership | None = None


def read_answers(form: dict[str, str]) -> EndAnswers:
    answers = EndAnswers(form=form)
    errors = answers.errors
    ended_on = calendar_day(form, "ended", "The last day", errors)
    if ended_on is not None and ended_on > _today():
        errors.add("ended-day", "The last day must be today or in the past")
    reason = form.get("reason", "").strip()
    if not reason:
        errors.add("reason", "Say why the membership ended, in a few words")
    elif len(reason) > MEMBERSHIP_END_REASON_LENGTH_MAX:
        errors.add("reason", f"The reason must be {MEMBERSHIP_END_REASON_LENGTH_MAX} characters or fewer")
    if errors or ended_on is None:
        return answers
    try:
        answers.request = EndMembership(ended_on=ended_on, reason=reason)
    except ValidationError as error:
        errors.invalid(error, {"ended_on": "ended-day", "reason": "reason"}, {"ended_on": "the last day"})
    return answers


def _today() -> date:
    return utc_now().date()


def _about(visit: Visit, member_id: int) -> tuple[MemberSummary, TimebankView]:
    check_id(member_id)
    with refused_as_page():
        summary = member_summary(visit.engine, visit.timebank_id, visit.caller, member_id, _today())
        timebank = read_timebank(visit.engine, visit.timebank_id, visit.caller)
    return summary, timebank


def _context(
    visit: Visit, summary: MemberSummary, timebank: TimebankView, answers: EndAnswers
) -> dict[str, Any]:
    today = _today()
    form = answers.form
    return {
        "visit": visit,
        "here": "/members",
        "errors": answers.errors or None,
        "summary": summary,
        "member": summary.member,
        "to_pot": timebank.balance_on_leaving == "to_pot",
        "form": form,
        "day": form.get("ended-day", str(today.day)),
        "month": form.get("ended-month", str(today.month)),
        "year": form.get("ended-year", str(today.year)),
        # A new key for each rendered form, so that after a refusal the next try is a new request;
        # the check page keeps the key its form was rendered with (``end``), so a double click ends once.
        "key": new_key(),
    }


def _form_page(
    request: Request,
    visit: Visit,
    summary: MemberSummary,
    timebank: TimebankView,
    answers: EndAnswers,
    status_code: int = 200,
) -> Response:
    context = _context(visit, summary, timebank, answers)
    context["title"] = f"End {summary.member.display_name}'s membership"
    return render(request, "member_end.html", context, status_code=status_code)


@router.get("/members/{member_id}/end")
async def end_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    summary, timebank = await run_in_threadpool(_about, visit, member_id)
    return _form_page(request, visit, summary, timebank, EndAnswers(form={}))


@router.post("/members/{member_id}/end")
async def end(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    summary, timebank = await run_in_threadpool(_about, visit, member_id)
    form = await posted_form(request, visit)
    answers = read_answers(form)
    action = form.get("action")
    ended = summary.member.membership_ended_on is not None
    if action == "change" or (ended and action != "end"):
        return _form_page(request, visit, summary, timebank, EndAnswers(form=form))
    if answers.request is None:
        return _form_page(request, visit, summary, timebank, answers, status_code=422)
    if action != "end":
        context = _context(visit, summary, timebank, answers)
        context["title"] = "Check your answers"
        context["answers"] = answers
        context["key"] = form.get("idempotency_key") or context["key"]
        return render(request, "member_end_check.html", context)
    try:
        with refused_as_page():
            await run_in_threadpool(
                end_membership,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                member_id,
                answers.request,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except IdempotencyKeyReused:
        answers.errors.add(None, "This form was already used. Check your answers and try again")
        return _form_page(request, visit, summary, timebank, answers, status_code=409)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        answers.errors.refusal(refused, _FIELDS_BY_CODE)
        return _form_page(request, visit, summary, timebank, answers, status_code=422)
    return RedirectResponse(f"/members/{member_id}?done=ended", status_code=303)
