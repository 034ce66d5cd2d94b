"""Recording who came to an activity, and what each chose, on one form (DESIGN B3, B4, B5).

The form lists the members invited to the activity and not yet recorded. For each one who came,
staff give the time they took part (the activity's length to start with) and the member's choice:
time credits, the payment offered, a smaller payment, no payment, or the payment to a charity.
Time credits are chosen to start with: they are the choice that is safe for everyone, because they
are not income. A payment needs one offered at the top of the form, in pounds and pence.

A check-your-answers page comes before anything is recorded. For each member who would be paid,
it runs the payment check (``check_payment_offer``) and, when the check asks for one, shows the
one sentence an organisation is ever told (``ORGANISATION_PAYMENT_ADVICE``, code
``payment_may_affect_benefits``) with a box for the acknowledgement. That sentence is the same
whatever the member declared, and it is all these pages show, even to a coordinator: the
coordinators' own pages are where a declaration is read. Only "Record attendance" on that page
records (``record_attendance``), once, under the form's idempotency key.

Each attendee's boxes are named by their account (``came-12``, ``choice-12`` ...), so the form
holds up to seven fields per invited member; it is read with its own bound, not the pages' usual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.choices import CHOICE_MEANINGS, Reward
from timebank.benefits.money import PaymentKind
from timebank.clock import utc_now
from timebank.errors import InvalidRequest, LimitBreached, StateConflict
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.involvement.activities import activity_attendance, get_activity
from timebank.involvement.attendance import record_attendance
from timebank.involvement.errors import PaymentAcknowledgementRequired
from timebank.involvement.invitations import INVITATIONS_MAX, invited_members
from timebank.involvement.payment_guard import check_payment_offer
from timebank.involvement.requests import AttendeeChoice, CheckPayment, OfferTerms, RecordAttendance
from timebank.involvement.views import ActivityView
from timebank.people.organisations import get_organisation
from timebank.people.views import DirectoryEntry
from timebank.web.csrf import check_session_csrf
from timebank.web.forms import FormErrors, whole_number
from timebank.web.money_form import pence
from timebank.web.templating import hours as hours_words
from timebank.web.templating import new_key, render
from timebank.web.visits import StaffVisitDep, Visit, refused_as_page

__all__ = ["CHOICES", "router"]

router = APIRouter(include_in_schema=False)

# Seven boxes for each invited member, and the offer's and the form's own.
_FIELDS_MAX = 7 * INVITATIONS_MAX + 20

# The choices as staff read them, each with one sentence; credits first, the safe default (B5).
CHOICES = (
    (Reward.CREDITS, "Time credits", "The safe choice for everyone. Time credits are not income."),
    (Reward.PAYMENT, "The payment offered", "The member takes the payment you offer above."),
    (Reward.REDUCED_PAYMENT, "A smaller payment", "The member takes less than you offer. Say how much."),
    (Reward.DECLINE, "No payment", "The member turns the payment down, and takes no credits for it."),
    (Reward.CHARITY, "Payment to a charity", "You pay the charity the member names, not the member."),
)
CHOICE_NAMES = {reward: name for reward, name, _ in CHOICES}
KINDS = (
    (PaymentKind.CASH, "Money"),
    (PaymentKind.VOUCHER, "A voucher"),
    (PaymentKind.GIFT, "A gift"),
)


@dataclass
class Attendee:
    """One member who came, as the form says, with the payment check's answer once it has run."""

    person: DirectoryEntry
    choice: AttendeeChoice
    paid_pence: int | None = None
    acknowledgement_needed: bool = False


@dataclass
class AttendanceAnswers:
    form: dict[str, str]
    errors: FormErrors = field(default_factory=FormErrors)
    attendees: list[Attendee] = field(default_factory=list)
    offer: OfferTerms | None = None
    request: RecordAttendance | None = None

    @property
    def paid(self) -> list[Attendee]:
        return [a for a in self.attendees if a.paid_pence is not None]


async def _posted(request: Request, visit: Visit) -> dict[str, str]:
    form = await request.form(max_fields=_FIELDS_MAX, max_files=0)
    fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    fields = {name: str(form.get(name)) for name in fields}
    check_session_csrf(request, visit.token, fields.get("csrf_token"))
    return fields


def _offer(activity: ActivityView, form: dict[str, str], errors: FormErrors) -> OfferTerms | None:
    if not form.get("offer_amount", "").strip():
        return None
    amount = pence(form, "offer_amount", "The payment offered", errors)
    kind = form.get("offer_kind", "")
    if kind not in {k.value for k, _ in KINDS}:
        errors.add("offer_kind", "Choose what the payment is")
    description = form.get("offer_description", "").strip()
    if not description:
        errors.add("offer_description", "Say what the payment is for")
    if amount is None or errors:
        return None
    try:
        return OfferTerms.for_week(amount, PaymentKind(kind), activity.held_on, description)
    except ValidationError as error:
        errors.invalid(error, {"description": "offer_description"}, {"description": "what it is for"})
        return None


def _attendee(
    activity: ActivityView, person: DirectoryEntry, offer: OfferTerms | None, answers: AttendanceAnswers
) -> Attendee | None:
    form, errors, n = answers.form, answers.errors, person.account_id
    hours = whole_number(form, f"hours-{n}", f"Hours for {person.display_name}", errors, blank_is=0)
    minutes = whole_number(form, f"minutes-{n}", f"Minutes for {person.display_name}", errors, blank_is=0)
    if hours is None or minutes is None:
        return None
    total = hours * 60 + minutes
    if minutes >= 60:
        errors.add(f"minutes-{n}", f"Minutes for {person.display_name} must be 59 or fewer")
    elif total == 0:
        errors.add(f"hours-{n}", f"Enter how long {person.display_name} took part")
    elif total > activity.duration_minutes:
        errors.add(
            f"hours-{n}",
            f"{person.display_name} cannot be down for longer than the activity, "
            f"which lasted {hours_words(activity.duration_minutes)}",
        )
    choice = next((reward for reward, _, _ in CHOICES if reward.value == form.get(f"choice-{n}")), None)
    if choice is None:
        errors.add(f"choice-{n}", f"Choose what {person.display_name} would like")
        return None
    if CHOICE_MEANINGS[choice].needs_offer and offer is None:
        errors.add(f"choice-{n}", "Enter the payment you offer at the top, or choose time credits")
        return None
    reduced = None
    if choice is Reward.REDUCED_PAYMENT:
        reduced = pence(form, f"reduced-{n}", f"The smaller payment for {person.display_name}", errors)
        if reduced is not None and offer is not None and reduced >= offer.amount_pence:
            errors.add(f"reduced-{n}", "A smaller payment must be less than the payment offered")
    charity = form.get(f"charity-{n}", "").strip() if choice is Reward.CHARITY else None
    if choice is Reward.CHARITY and not charity:
        errors.add(f"charity-{n}", f"Enter the charity {person.display_name} chose")
    acknowledgement = form.get(f"ack-{n}", "").strip() if CHOICE_MEANINGS[choice].pays_member else ""
    if errors:
        return None
    try:
        chosen = AttendeeChoice(
            account_id=n,
            minutes=total,
            choice=choice,
            reduced_pence=reduced,
            charity_name=charity,
            acknowledgement=acknowledgement or None,
        )
    except ValidationError as error:
        errors.invalid(error, {"charity_name": f"charity-{n}", "acknowledgement": f"ack-{n}"}, {})
        return None
    paid = reduced if choice is Reward.REDUCED_PAYMENT else (offer.amount_pence if offer else None)
    return Attendee(person, chosen, paid_pence=paid if CHOICE_MEANINGS[choice].pays_member else None)


def read_answers(
    activity: ActivityView,
    invited: tuple[DirectoryEntry, ...],
    form: dict[str, str],
    shown: tuple[DirectoryEntry, ...] = (),
) -> AttendanceAnswers:
    """Read and check the attendance form; ``request`` is set when everything is right."""
    answers = AttendanceAnswers(form=form)
    answers.offer = _offer(activity, form, answers.errors)
    for person in invited:
        if form.get(f"came-{person.account_id}"):
            attendee = _attendee(activity, person, answers.offer, answers)
            if attendee is not None:
                answers.attendees.append(attendee)
    if not invited:
        answers.errors.add(None, "Nobody is invited. Invite the members who came first")
    elif not answers.errors and not answers.attendees:
        first = (shown or invited)[0]
        answers.errors.add(f"came-{first.account_id}", "Choose at least one member who came")
    if answers.errors:
        return answers
    try:
        answers.request = RecordAttendance(
            attendees=[a.choice for a in answers.attendees], offer=answers.offer
        )
    except ValidationError as error:
        answers.errors.invalid(error, {}, {})
    return answers


@dataclass(frozen=True)
class _Activity:
    activity: ActivityView
    organisation_name: str
    invited: tuple[DirectoryEntry, ...]
    pending: tuple[DirectoryEntry, ...]


def _read_activity(visit: Visit, activity_id: int) -> _Activity:
    engine, tb, caller = visit.engine, visit.timebank_id, visit.caller
    with refused_as_page():
        activity = get_activity(engine, tb, caller, activity_id)
        organisation = get_organisation(engine, tb, caller, activity.organisation_id)
        invited = invited_members(engine, tb, caller, activity_id)
        recorded = {a.account_id for a in activity_attendance(engine, tb, caller, activity_id).attendees}
    pending = tuple(person for person in invited if person.account_id not in recorded)
    return _Activity(activity, organisation.name, invited, pending)


def _form_page(
    request: Request, visit: Visit, read: _Activity, answers: AttendanceAnswers, status_code: int = 200
) -> Response:
    form = answers.form
    if not form:
        # The first time the form is shown: everyone takes part for the whole activity, for credits.
        hours, minutes = divmod(read.activity.duration_minutes, 60)
        for person in read.pending:
            form[f"hours-{person.account_id}"] = str(hours)
            form[f"minutes-{person.account_id}"] = str(minutes)
            form[f"choice-{person.account_id}"] = Reward.CREDITS.value
        form["offer_kind"] = PaymentKind.CASH.value
    context: dict[str, Any] = {
        "title": "Record who came",
        "visit": visit,
        "here": "/activities",
        "errors": answers.errors or None,
        "activity": read.activity,
        "organisation_name": read.organisation_name,
        "pending": read.pending,
        "held": read.activity.held_on <= utc_now().date(),
        "form": form,
        "choices": CHOICES,
        "kinds": KINDS,
        "key": new_key(),
    }
    return render(request, "attendance.html", context, status_code=status_code)


def _check_page(
    request: Request, visit: Visit, read: _Activity, answers: AttendanceAnswers, status_code: int = 200
) -> Response:
    context: dict[str, Any] = {
        "title": "Check your answers",
        "visit": visit,
        "here": "/activities",
        "errors": answers.errors or None,
        "activity": read.activity,
        "organisation_name": read.organisation_name,
        "answers": answers,
        "form": answers.form,
        "choice_names": CHOICE_NAMES,
        "kind_names": dict(KINDS),
        "advice": ORGANISATION_PAYMENT_ADVICE,
        "key": answers.form.get("idempotency_key") or new_key(),
    }
    return render(request, "attendance_check.html", context, status_code=status_code)


def run_payment_checks(visit: Visit, activity: ActivityView, answers: AttendanceAnswers) -> None:
    """Ask the benefit guard about each payment; only whether an acknowledgement is needed is kept.

    The check's warnings are not shown: for a coordinator they name the member's benefits, and these
    pages show what an organisation may know, one sentence the same for everyone.
    """
    for attendee in answers.paid:
        assert attendee.paid_pence is not None
        body = CheckPayment(
            account_id=attendee.person.account_id,
            amount_pence=attendee.paid_pence,
            worked_minutes=attendee.choice.minutes,
        )
        with refused_as_page():
            checked = check_payment_offer(
                visit.engine, visit.timebank_id, visit.caller, activity.activity_id, body
            )
        attendee.acknowledgement_needed = checked.acknowledgement_needed


@router.get("/activities/{activity_id}/attendance")
def attendance_page(request: Request, visit: StaffVisitDep, activity_id: int) -> Response:
    read = _read_activity(visit, activity_id)
    return _form_page(request, visit, read, AttendanceAnswers(form={}))


@router.post("/activities/{activity_id}/attendance")
async def record(request: Request, visit: StaffVisitDep, activity_id: int) -> Response:
    form = await _posted(request, visit)
    read = await run_in_threadpool(_read_activity, visit, activity_id)
    # Read against everyone invited, not only those not yet recorded: a second click on "Record
    # attendance" rebuilds the same request, and the use case answers it from its idempotency key.
    answers = read_answers(read.activity, read.invited, form, read.pending)
    action = form.get("action")
    if action == "change" or answers.request is None:
        status = 200 if action == "change" else 422
        answers.errors = answers.errors if action != "change" else FormErrors()
        return _form_page(request, visit, read, answers, status_code=status)
    if action != "record":
        await run_in_threadpool(run_payment_checks, visit, read.activity, answers)
        return _check_page(request, visit, read, answers)
    try:
        with refused_as_page():
            await run_in_threadpool(
                record_attendance,
                visit.engine,
                visit.timebank_id,
                visit.caller,
                activity_id,
                answers.request,
                idempotency_key=form.get("idempotency_key") or None,
            )
    except PaymentAcknowledgementRequired as refused:
        for attendee in answers.paid:
            if attendee.person.account_id in refused.account_ids:
                attendee.acknowledgement_needed = True
                answers.errors.add(
                    f"ack-{attendee.person.account_id}",
                    f"Write down the advice you gave {attendee.person.display_name}",
                )
        return _check_page(request, visit, read, answers, status_code=422)
    except IdempotencyKeyReused:
        answers.errors.add(None, "This form was already used. Check your answers and try again")
        return _form_page(request, visit, read, answers, status_code=409)
    except (InvalidRequest, LimitBreached, StateConflict) as refused:
        answers.errors.add(None, refused.detail)
        status = 409 if isinstance(refused, StateConflict) else 422
        return _form_page(request, visit, read, answers, status_code=status)
    return RedirectResponse(f"/activities/{activity_id}?done=recorded", status_code=303)
