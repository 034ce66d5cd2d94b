"""Recording an exchange for a member: help they gave (to one person or a group) or help they got.

Coordinators record for members who are not online (Carol has no login), and for group sessions:
one giver and several receivers in one exchange, each receiver getting the same time (the ledger
holds one ``ReceiverShare`` each, and the giver gets credits from every receiver). The question
page asks what the member did, who else took part (found by part of their names, one box each:
``members_finder``), how long each person got, when, and what it was. "Add another person" gives
one more box, without JavaScript; a group session where the member was one of several receivers is
recorded from the giver's page. The check-your-answers page repeats it in words; only its button
records. The answers travel in the form and are read again at every step.

What a coordinator records posts at once or waits for someone's confirmation, as the use case
decides (``record_exchange``; today a coordinator's always posts); the result page reads the
exchange back and says which. One idempotency key per rendered form: a double click records once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.clock import utc_now
from timebank.errors import AccountNotFound, InvalidRequest, LimitBreached, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.exchanges.lifecycle import record_exchange
from timebank.exchanges.listing import read_named_exchange
from timebank.exchanges.requests import RecordExchange
from timebank.ledger.types import ExchangeStatus
from timebank.people.views import DirectoryEntry, MemberView
from timebank.web.forms import FormErrors, calendar_day
from timebank.web.own_statement import check_id, not_found
from timebank.web.routes.members import coordinated_member
from timebank.web.routes.members_fields import duration
from timebank.web.routes.members_finder import find_member
from timebank.web.templating import new_key, render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["RECEIVER_BOXES_MAX", "router"]

router = APIRouter(include_in_schema=False)

# The boxes for receivers' names shown at first, and at most: a group session of more is rare, and
# the ledger takes at most RECEIVERS_MAX (50) in one exchange.
RECEIVER_BOXES_SHOWN = 3
RECEIVER_BOXES_MAX = 20

_FIELDS_BY_CODE = {
    "activity_date_in_future": "date-day",
    "activity_date_too_far_back": "date-day",
    "minutes_must_be_positive": "each-hours",
    "minutes_above_transfer_limit": "each-hours",
    "text_too_long": "description",
    "text_has_control_characters": "description",
}
_FIELDS_BY_NAME = {"activity_date": "date-day", "minutes": "each-hours", "description": "description"}
_WORDS = {"activity_date": "the date", "minutes": "how long each person got", "description": "what it was"}


@dataclass
class RecordForAnswers:
    """What the form holds, as typed, and what it means once read."""

    member: MemberView
    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    choices: dict[str, tuple[DirectoryEntry, ...]] = field(default_factory=dict)
    giver: DirectoryEntry | None = None
    receivers: list[tuple[str, DirectoryEntry]] = field(default_factory=list)
    request: RecordExchange | None = None

    @property
    def member_gave(self) -> bool:
        return self.form.get("role") == "gave"

    @property
    def boxes(self) -> list[str]:
        return [f"receiver-{n}" for n in range(1, receiver_rows(self.form) + 1)]


def receiver_rows(form: dict[str, str]) -> int:
    """How many receiver boxes the form has: as many as it said, and at least every filled one."""
    said = form.get("rows", "")
    rows = int(said) if said.isascii() and said.isdigit() and len(said) <= 3 else RECEIVER_BOXES_SHOWN
    filled = [n for n in range(1, RECEIVER_BOXES_MAX + 1) if form.get(f"receiver-{n}", "").strip()]
    return max(1, min(RECEIVER_BOXES_MAX, max([rows, *filled])))


def _as_entry(member: MemberView) -> DirectoryEntry:
    return DirectoryEntry(
        member_id=member.member_id, account_id=member.account_id, display_name=member.display_name
    )


def _found(visit: Visit, answers: RecordForAnswers, box: str) -> DirectoryEntry | None:
    found = find_member(visit, answers.form, box, answers.errors)
    if found.matches:
        answers.choices[box] = found.matches
    return found.other


def _read_people(visit: Visit, answers: RecordForAnswers) -> None:
    """The giver and the receivers, with a refusal beside each box that names nobody or the wrong one."""
    form, errors, name = answers.form, answers.errors, answers.member.display_name
    filled = [box for box in answers.boxes if form.get(box, "").strip()]
    if form.get("role") not in ("gave", "received"):
        errors.add("role", f"Choose whether {name} gave help or received help")
        return
    if answers.member_gave:
        answers.giver = _as_entry(answers.member)
        if form.get("giver", "").strip():
            errors.add("giver", f"Leave this blank when {name} gave the help")
        if not filled:
            errors.add("receiver-1", "Enter the name of someone who received the help")
        for box in filled:
            person = _found(visit, answers, box)
            if person is not None:
                answers.receivers.append((box, person))
    else:
        for box in filled:
            errors.add(
                box,
                f"Leave this blank when {name} received help. "
                "To record a group session, record it for the person who gave the help",
            )
        if not form.get("giver", "").strip():
            errors.add("giver", "Enter the name of the person who gave the help")
        answers.giver = _found(visit, answers, "giver")
        answers.receivers = [("giver", _as_entry(answers.member))]
    _check_each_once(answers)


def _check_each_once(answers: RecordForAnswers) -> None:
    seen: set[int] = set()
    giver = answers.giver
    for box, person in answers.receivers:
        if giver is not None and person.account_id == giver.account_id:
            answers.errors.add(box, f"{person.display_name} gave the help, so cannot also receive it")
        elif person.account_id in seen:
            answers.errors.add(box, f"{person.display_name} is named twice. Name each person once")
        seen.add(person.account_id)


def read_answers(visit: Visit, member: MemberView, form: dict[str, str]) -> RecordForAnswers:
    """Read and check the form; ``request`` is set when everything is right."""
    answers = RecordForAnswers(member=member, form=form)
    errors = answers.errors
    _read_people(visit, answers)
    each = duration(form, "each", errors, missing="Enter how long each person got, in hours and minutes")
    if each == 0:
        errors.add("each-hours", "Enter how long each person got, in hours and minutes")
    on = calendar_day(form, "date", "The date", errors)
    if on is not None and on > _today():
        errors.add("date-day", "The date must be today or in the past")
    description = form.get("description", "").strip()
    if not description:
        errors.add("description", "Enter what the help was, like 'gardening'")
    if errors or answers.choices or answers.giver is None or not each or on is None:
        return answers
    try:
        answers.request = RecordExchange.model_validate(
            {
                "giver_account_id": answers.giver.account_id,
                "receivers": [{"account_id": p.account_id, "minutes": each} for _, p in answers.receivers],
                "activity_date": on,
                "description": description,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
    return answers


def _today() -> date:
    return utc_now().date()


def _form_page(
    request: Request,
    visit: Visit,
    answers: RecordForAnswers,
    status_code: int = 200,
    *,
    rows: int | None = None,
) -> Response:
    today = _today()
    form = answers.form
    context: dict[str, Any] = {
        "title": f"Record an exchange for {answers.member.display_name}",
        "visit": visit,
        "here": "/members",
        "member": answers.member,
        "form": form,
        "errors": answers.errors or None,
        "choices": answers.choices,
        "rows": rows or receiver_rows(form),
        "rows_max": RECEIVER_BOXES_MAX,
        "key": new_key(),
        "day": form.get("date-day", str(today.day)),
        "month": form.get("date-month", str(today.month)),
        "year": form.get("date-year", str(today.year)),
    }
    return render(request, "member_record.html", context, status_code=status_code)


@router.get("/members/{member_id}/record")
async def record_for_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    return _form_page(request, visit, RecordForAnswers(member=member, form={}))


@router.post("/members/{member_id}/record")
async def record_for(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    form = await posted_form(request, visit)
    action = form.get("action")
    if action in ("change", "add"):
        rows = receiver_rows(form) + (1 if action == "add" else 0)
        return _form_page(request, visit, RecordForAnswers(member, form), rows=min(rows, RECEIVER_BOXES_MAX))
    answers = await run_in_threadpool(read_answers, visit, member, form)
    if answers.request is None:
        status = 200 if answers.choices and not answers.errors else 422
        return _form_page(request, visit, answers, status_code=status)
    if action != "record":
        context = {
            "title": "Check your answers",
            "visit": visit,
            "here": "/members",
            "errors": None,
            "member": member,
            "form": form,
            "answers": answers,
            "each": answers.request.receivers[0].minutes,
            "total": sum(r.minutes for r in answers.request.receivers),
            "rows": receiver_rows(form),
            "key": form.get("idempotency_key") or new_key(),
        }
        return render(request, "member_record_check.html", context)
    return await _record(request, visit, answers)


async def _record(request: Request, visit: Visit, answers: RecordForAnswers) -> Response:
    assert answers.request is not None, "only a checked form records"
    errors, member = answers.errors, answers.member
    try:
        with refused_as_page():
            view = await run_in_threadpool(
                record_exchange,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                answers.request,
                idempotency_key=answers.form.get("idempotency_key") or None,
            )
    except IdempotencyKeyReused:
        errors.add(None, "This form was already used for another exchange. Check your answers and try again")
        return _form_page(request, visit, answers, status_code=409)
    except AccountNotFound:
        errors.add(None, "We cannot find one of these members now. Check the names")
        return _form_page(request, visit, answers, status_code=422)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        if refused.code == "balance_below_floor":
            errors.add(
                None, "This would take someone's balance below their lowest limit. Check how long it was"
            )
        elif refused.code == "balance_above_cap":
            giver = answers.giver.display_name if answers.giver else "the giver"
            errors.add(None, f"This would take {giver}'s balance above their highest limit")
        else:
            errors.refusal(refused, _FIELDS_BY_CODE)
        return _form_page(request, visit, answers, status_code=422)
    return RedirectResponse(f"/members/{member.member_id}/recorded/{view.exchange_id}", status_code=303)


@router.get("/members/{member_id}/recorded/{exchange_id}")
async def recorded_page(
    request: Request, visit: CoordinatorVisitDep, member_id: int, exchange_id: int
) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    check_id(exchange_id)
    with refused_as_page():
        named = await run_in_threadpool(
            read_named_exchange, visit.engine, visit.timebank_id, visit.caller, exchange_id
        )
    exchange = named.exchange
    taking_part = {exchange.giver_account_id, *(r.account_id for r in exchange.receivers)}
    if member.account_id not in taking_part:
        raise not_found()
    posted = exchange.status is ExchangeStatus.CONFIRMED
    context = {
        "title": "Exchange recorded" if posted else "Exchange recorded: waiting to be confirmed",
        "visit": visit,
        "here": "/members",
        "errors": None,
        "member": member,
        "named": named,
        "posted": posted,
        "pending": exchange.status is ExchangeStatus.PENDING,
        "total": sum(r.minutes for r in exchange.receivers),
    }
    return render(request, "member_recorded.html", context)
