"""Refusals of recognising involvement, provoked through HTTP: one row per code in ``INVOLVEMENT_CODES``.

``tests/integration/test_refusals.py`` provokes every refusal of recognising involvement (issue 4)
through the services, and lists those codes in ``INVOLVEMENT_CODES``. Each gets a row here, through
its route (activities, attendance, payment checks, expenses, benefits declarations, spend options
and spending credits on them), as the access codes do in ``tests/api/test_refusals_http.py``: the
row arranges what the refusal needs, takes a snapshot of the database (every row of both timebanks,
every table's row count), sends one request, and checks the status (``status_for`` of the code's
error class), the problem document and its ``code``, and that the snapshot is unchanged, on SQLite
and PostgreSQL. Some refusals write, by design, and their rows check that exactly that was added: a
payment refused for want of an acknowledgement leaves the audit rows of the check that refused it
(``payment_checked``, ``payment_warned``, ``payment_refused``), and a voucher spent without the
member's acknowledgement leaves ``spend_checked`` and ``spend_refused``; attendance already
recorded, and a spend on a withdrawn option, refusals for the state the request met, are recorded
under their ``Idempotency-Key`` as the key's first answer (``timebank.exchanges.idempotency``), as
every such refusal of a keyed write is. Neither guard names a benefit in its audit rows, and the
spend's refusal, which the member reads, names none either (``Row.member_reads``).

Some rules are the schema's to refuse first (a fraction of a penny, no miles, an empty attendance
list, a spend option's unknown class); it names the same code as the service would
(``timebank.api.problems``), and its problem lists the fields (``errors``). Those rows say so, and
the test checks which of the two refused.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from httpx import Response

from tests.integration.test_refusals import ACCESS_CODES, INVOLVEMENT_CODES
from timebank.api.problems import status_for
from timebank.benefits.activities import ATTENDEES_MAX
from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.errors import all_error_codes

from .conftest import World
from .test_refusals_http import assert_problem, everything

UNKNOWN = 10**9  # an id no test creates

# Codes no request can reach, because the schema refuses first with another code. None, now: an
# expense without its evidence is refused by the schema with the service's own code.
UNREACHABLE_OVER_HTTP: dict[str, str] = {}

FORUM = {
    "title": "Mental health user forum",
    "held_on": "2024-03-12",
    "duration_minutes": 120,
    "classification": "uses_services",
    "purpose": "Shaping the crisis line with the people who use it",
}
OFFER = {
    "amount_pence": 2500,
    "kind": "cash",
    "period_kind": "week",
    "from_on": "2024-03-11",  # a Monday
    "to_on": "2024-03-18",
    "description": "Thank-you payment for the forum",
}
VOUCHER = {"title": "Cafe voucher", "minutes": 30, "spend_class": "voucher"}


# --- requests ------------------------------------------------------------------------------------


def _post(w: World, role: str, path: str, body: dict[str, Any], *, keyed: bool = False) -> Response:
    headers = {**w.headers[role], **({"Idempotency-Key": str(uuid.uuid4())} if keyed else {})}
    return w.client.post(w.url(path), json=body, headers=headers)


def _forum(w: World, organisation_id: int | None = None, *, invite: bool = True) -> int:
    """The organisation's user forum, created over HTTP by its staff (or a coordinator for another),
    with both members and the coordinator invited unless ``invite`` is False."""
    organisation = w.organisation_id if organisation_id is None else organisation_id
    role = "staff" if organisation_id is None else "coordinator"
    created = _post(w, role, f"/organisations/{organisation}/activities", FORUM)
    assert created.status_code == 201, created.text
    activity_id = int(created.json()["id"])
    if invite:
        people = [w.account_ids[r] for r in ("member", "other_member", "coordinator")]
        invited = _post(w, role, f"/activities/{activity_id}/invitations", {"account_ids": people})
        assert invited.status_code == 200, invited.text
    return activity_id


def _uninvited_forum(w: World) -> int:
    """The forum, with nobody invited; the other member has declared Universal Credit."""
    declared = _declare("other_member", ["universal_credit"])(w, None)
    assert declared.status_code == 200, declared.text
    return _forum(w, invite=False)


Attendee = Callable[[World], dict[str, Any]]


def _one(role: str, choice: str = "credits", minutes: int = 60, **details: Any) -> Attendee:
    return lambda w: {"account_id": w.account_ids[role], "minutes": minutes, "choice": choice, **details}


def _attendance(
    *attendees: Attendee, offer: dict[str, Any] | None = None
) -> Callable[[World, int], Response]:
    """Record these attendees at the arranged activity, as its organisation's staff."""

    def act(w: World, activity_id: int) -> Response:
        body: dict[str, Any] = {"attendees": [attendee(w) for attendee in attendees]}
        if offer is not None:
            body["offer"] = offer
        return _post(w, "staff", f"/activities/{activity_id}/attendance", body, keyed=True)

    return act


def _offered(**changes: Any) -> Callable[[World, int], Response]:
    return _attendance(_one("member", "payment"), offer={**OFFER, **changes})


def _choosing(choice: str, **details: Any) -> Callable[[World, int], Response]:
    return _attendance(_one("member", choice, **details), offer=OFFER)


def _receipt(pence: object) -> dict[str, Any]:
    return {"kind": "receipt", "reference": "Bus ticket 0412", "evidenced_pence": pence}


def _mileage(miles: object, pence_per_mile: object = None) -> dict[str, Any]:
    rate = {} if pence_per_mile is None else {"pence_per_mile": pence_per_mile}
    return {"kind": "mileage", "journey": "Home to the trust and back", "miles": miles, **rate}


def _expense_body(
    w: World, amount: object, evidence: dict[str, Any] | None, **changes: Any
) -> dict[str, Any]:
    return {
        "account_id": w.account_ids["member"],
        "amount_pence": amount,
        "evidence": evidence,
        "description": "Bus fare to the forum",
        "incurred_on": "2024-03-12",
        **changes,
    }


def _expense(
    amount: object, evidence: dict[str, Any] | None, **changes: Any
) -> Callable[[World, Any], Response]:
    """Record an expense repaid by the organisation, as its staff."""

    def act(w: World, _: Any) -> Response:
        body = _expense_body(w, amount, evidence, **changes)
        return _post(w, "staff", f"/organisations/{w.organisation_id}/expenses", body, keyed=True)

    return act


def _declare(role: str, categories: list[str], *, by: str | None = None, **extra: Any) -> Any:
    """Set the declaration of ``role``'s account, sent by ``by`` (the member themselves by default)."""

    def act(w: World, _: Any) -> Response:
        return w.client.put(
            w.url(f"/accounts/{w.account_ids[role]}/benefits-declaration"),
            json={"categories": categories, **extra},
            headers=w.headers[by or role],
        )

    return act


def _spend(role: str) -> Callable[[World, int], Response]:
    """Spend ``role``'s credits on the arranged option, as themselves (keyed), acknowledging nothing."""

    def act(w: World, spend_option_id: int) -> Response:
        body = {"account_id": w.account_ids[role]}
        return _post(w, role, f"/spend-options/{spend_option_id}/spends", body, keyed=True)

    return act


# --- arranged states -----------------------------------------------------------------------------


def _attended(w: World) -> int:
    """The forum, with the member's attendance recorded (credits)."""
    activity_id = _forum(w)
    done = _attendance(_one("member"))(w, activity_id)
    assert done.status_code == 201, done.text
    return activity_id


def _declared(w: World) -> int:
    """The forum, and the other member has declared Universal Credit."""
    declared = _declare("other_member", ["universal_credit"])(w, None)
    assert declared.status_code == 200, declared.text
    return _forum(w)


def _voucher(w: World) -> int:
    """The trust's cafe voucher, offered over HTTP by its staff."""
    created = _post(w, "staff", f"/organisations/{w.organisation_id}/spend-options", VOUCHER)
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _withdrawn_voucher(w: World) -> int:
    """The voucher, withdrawn by the trust's staff."""
    spend_option_id = _voucher(w)
    withdrawn = w.client.post(w.url(f"/spend-options/{spend_option_id}/withdraw"), headers=w.headers["staff"])
    assert withdrawn.status_code == 200, withdrawn.text
    return spend_option_id


def _voucher_for_a_declared_member(w: World) -> int:
    """The voucher, and the other member has declared Universal Credit."""
    declared = _declare("other_member", ["universal_credit"])(w, None)
    assert declared.status_code == 200, declared.text
    return _voucher(w)


def _next_weeks_forum(w: World) -> int:
    """The forum's next meeting, a week from today (UTC), created over HTTP by the trust's staff."""
    next_week = (utc_now().date() + timedelta(days=7)).isoformat()
    created = _post(
        w, "staff", f"/organisations/{w.organisation_id}/activities", {**FORUM, "held_on": next_week}
    )
    assert created.status_code == 201, created.text
    return int(created.json()["id"])


def _clinic_activity(w: World) -> int:
    """An activity of another organisation of the timebank (a clinic), not the trust's."""
    clinic = _post(w, "coordinator", "/organisations", {"name": "Riverside Clinic"})
    assert clinic.status_code == 201, clinic.text
    return _forum(w, int(clinic.json()["id"]))


# --- the refusals that write: audit rows, and refusals recorded under their keys -----------------

Check = Callable[[World, dict[str, Any], dict[str, Any]], None]


def _only_the_guards_audit_rows(*actions: str) -> Check:
    """Exactly these audit rows were added, about the other member, naming no benefit."""

    def check(w: World, before: dict[str, Any], after: dict[str, Any]) -> None:
        old, new = before["audit_log"], after["audit_log"]
        assert new[: len(old)] == old  # nothing rewritten
        added = new[len(old) :]
        assert sorted(row["action"] for row in added) == sorted(actions)
        assert {row["subject_account_id"] for row in added} == {w.account_ids["other_member"]}
        assert {row["timebank_id"] for row in added} == {w.timebank_id}
        assert after["audit_log (count)"] == before["audit_log (count)"] + len(actions)
        assert _names_no_benefit(json.dumps([row["details"] for row in added], default=str))

    return check


def _names_no_benefit(text: str) -> bool:
    """Whether ``text`` names no benefit category, by its code or its label."""
    lowered = text.lower()
    names = [name for category in BenefitCategory for name in (category.value, category.label)]
    return not any(name.lower() in lowered for name in names) and "universal" not in lowered


def _only_the_refusal_recorded_under_its_key(operation: str, code: str) -> Check:
    # A refusal for the state the request met is the key's first answer, recorded under it, so that
    # a retry overtaken by a slower first attempt cannot be told otherwise (services.idempotency).
    def check(w: World, before: dict[str, Any], after: dict[str, Any]) -> None:
        old, new = before["idempotency_keys"], after["idempotency_keys"]
        assert new[: len(old)] == old
        (added,) = new[len(old) :]
        assert added["operation"] == operation
        assert json.loads(added["response_json"])["refused"]["code"] == code
        assert after["idempotency_keys (count)"] == before["idempotency_keys (count)"] + 1

    return check


# --- the table -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """``arrange`` what the refusal needs, then ``act`` must be refused with ``code``.

    ``schema_first``: the request schema refuses it, naming the same rule, before the service can.
    ``member_reads``: the refusal is about a member who declared benefits, in words they read, so
    it names no benefit.
    ``writes``: the tables the refusal is meant to write to, left out of "unchanged"; ``check``
    checks that exactly what it was meant to write was added there.
    """

    name: str
    code: str
    act: Callable[[World, Any], Response]
    arrange: Callable[[World], Any] = _forum
    schema_first: bool = False
    member_reads: bool = False
    writes: tuple[str, ...] = ()
    check: Check = lambda w, before, after: None


ROWS = [
    # --- activities
    Row(
        "activity_with_a_blank_title",
        "text_required",
        lambda w, _: _post(
            w, "staff", f"/organisations/{w.organisation_id}/activities", {**FORUM, "title": "  "}
        ),
    ),
    Row(
        "activity_created_by_a_member_who_is_not_staff",
        "organisation_staff_required",
        lambda w, _: _post(w, "member", f"/organisations/{w.organisation_id}/activities", FORUM),
    ),
    # --- attendance
    Row("attendance_without_attendees", "attendees_required", _attendance(), schema_first=True),
    Row(
        "attendance_of_more_than_the_most_attendees",
        "too_many_attendees",
        _attendance(
            *(
                (lambda w, i=i: {"account_id": UNKNOWN + i, "minutes": 60, "choice": "credits"})
                for i in range(ATTENDEES_MAX + 1)
            )
        ),
        schema_first=True,
    ),
    Row(
        "attendee_listed_twice", "attendee_repeated", _attendance(_one("member"), _one("member", minutes=30))
    ),
    Row(
        "attendee_down_for_ten_hours_at_a_two_hour_forum",
        "attendance_above_activity_length",
        _attendance(_one("other_member", minutes=120), _one("member", minutes=600)),
    ),
    Row(
        "attendance_at_next_weeks_forum",
        "activity_not_yet_held",
        _attendance(_one("member")),
        arrange=_next_weeks_forum,
    ),
    Row(
        "the_pot_attending_an_activity",
        "member_account_required",
        _attendance(
            _one("member"), lambda w: {"account_id": w.pot_account_id, "minutes": 60, "choice": "credits"}
        ),
    ),
    Row(
        "attendance_at_another_organisations_activity_by_the_trusts_staff",
        "organisation_staff_required",
        _attendance(_one("member")),
        arrange=_clinic_activity,
    ),
    Row(
        "attendance_at_an_unknown_activity",
        "activity_not_found",
        lambda w, _: _attendance(_one("member"))(w, UNKNOWN),
        arrange=lambda w: None,
    ),
    Row(
        "attendance_recorded_twice_for_a_member",
        "attendance_already_recorded",
        _attendance(_one("other_member"), _one("member")),
        arrange=_attended,
        writes=("idempotency_keys",),
        check=_only_the_refusal_recorded_under_its_key("record_attendance", "attendance_already_recorded"),
    ),
    Row("payment_chosen_with_nothing_offered", "payment_not_offered", _attendance(_one("member", "payment"))),
    Row("smaller_payment_without_its_amount", "reduced_payment_missing", _choosing("reduced_payment")),
    Row(
        "smaller_payment_not_below_the_offer",
        "reduced_payment_not_below_offer",
        _choosing("reduced_payment", reduced_pence=OFFER["amount_pence"]),
    ),
    Row("charity_chosen_without_a_charity", "charity_name_missing", _choosing("charity", charity_name="  ")),
    Row(
        "credits_chosen_with_a_charity_named",
        "choice_detail_not_wanted",
        _choosing("credits", charity_name="Shelter"),
    ),
    Row("offer_of_no_pence", "pence_must_be_positive", _offered(amount_pence=0), schema_first=True),
    Row(
        "offer_of_a_fraction_of_a_penny",
        "pence_must_be_whole",
        _offered(amount_pence=1999.5),
        schema_first=True,
    ),
    Row(
        "offer_above_the_most_pence",
        "pence_above_limit",
        _offered(amount_pence=10_000_001),
        schema_first=True,
    ),
    Row("offer_without_a_description", "text_required", _offered(description=" ")),
    Row(
        "offer_for_a_period_that_ends_before_it_starts",
        "period_must_end_after_start",
        _offered(to_on=OFFER["from_on"]),
    ),
    Row("offer_for_a_week_of_eight_days", "week_must_be_seven_days", _offered(to_on="2024-03-19")),
    Row(
        "offer_for_a_month_of_nineteen_days",
        "month_must_be_one_month",
        _offered(period_kind="month", from_on="2024-03-01", to_on="2024-03-20"),
    ),
    Row(
        "payment_to_a_member_who_declared_benefits_without_an_acknowledgement",
        "payment_acknowledgement_required",
        _attendance(_one("member"), _one("other_member", "payment", 120), offer=OFFER),
        arrange=_declared,
        writes=("audit_log",),
        check=_only_the_guards_audit_rows("payment_checked", "payment_refused", "payment_warned"),
    ),
    Row(
        "payment_to_a_member_not_invited",
        "invitation_required",
        _attendance(_one("member"), _one("other_member", "payment", 120), offer=OFFER),
        arrange=_uninvited_forum,
        writes=("idempotency_keys",),
        check=_only_the_refusal_recorded_under_its_key("record_attendance", "invitation_required"),
    ),
    Row(
        "smaller_payment_to_a_member_not_invited",
        "invitation_required",
        _attendance(_one("member", "reduced_payment", reduced_pence=1000), offer=OFFER),
        arrange=_uninvited_forum,
        writes=("idempotency_keys",),
        check=_only_the_refusal_recorded_under_its_key("record_attendance", "invitation_required"),
    ),
    # --- invitations
    Row(
        "invitation_of_the_pot",
        "member_account_required",
        lambda w, activity_id: _post(
            w, "staff", f"/activities/{activity_id}/invitations", {"account_ids": [w.pot_account_id]}
        ),
    ),
    Row(
        "invitation_of_more_than_the_most_attendees",
        "too_many_invitations",
        lambda w, activity_id: _post(
            w,
            "staff",
            f"/activities/{activity_id}/invitations",
            {"account_ids": [UNKNOWN + i for i in range(ATTENDEES_MAX + 1)]},
        ),
        schema_first=True,
    ),
    Row(
        "invitation_by_a_member_who_is_not_staff",
        "organisation_staff_required",
        lambda w, activity_id: _post(
            w, "member", f"/activities/{activity_id}/invitations", {"account_ids": [w.account_ids["member"]]}
        ),
    ),
    # --- payment checks
    Row(
        "payment_check_for_a_member_not_invited",
        "invitation_required",
        lambda w, activity_id: _post(
            w,
            "staff",
            f"/activities/{activity_id}/payment-checks",
            {"account_id": w.account_ids["other_member"], "amount_pence": 2500},
        ),
        arrange=_uninvited_forum,
    ),
    Row(
        "payment_check_for_the_organisations_own_account",
        "member_account_required",
        lambda w, activity_id: _post(
            w,
            "staff",
            f"/activities/{activity_id}/payment-checks",
            {"account_id": w.account_ids["organisation"], "amount_pence": 2500},
        ),
    ),
    # --- expenses
    Row("expense_above_its_receipt", "expense_above_evidence", _expense(481, _receipt(480))),
    Row("expense_without_evidence", "expense_evidence_missing", _expense(100, None), schema_first=True),
    Row("expense_above_its_mileage", "expense_above_evidence", _expense(451, _mileage(10))),
    Row("expense_of_no_pence", "pence_must_be_positive", _expense(0, _receipt(1)), schema_first=True),
    Row(
        "expense_of_a_fraction_of_a_penny",
        "pence_must_be_whole",
        _expense(12.5, _receipt(13)),
        schema_first=True,
    ),
    Row(
        "expense_above_the_most_pence",
        "pence_above_limit",
        _expense(10_000_001, _receipt(10_000_001)),
        schema_first=True,
    ),
    Row("expense_without_a_description", "text_required", _expense(100, _receipt(100), description="")),
    Row(
        "mileage_of_a_fraction_of_a_mile",
        "miles_must_be_whole",
        _expense(100, _mileage(2.5)),
        schema_first=True,
    ),
    Row("mileage_of_no_miles", "miles_must_be_positive", _expense(100, _mileage(0)), schema_first=True),
    Row(
        "mileage_beyond_the_most_miles", "miles_above_limit", _expense(100, _mileage(2001)), schema_first=True
    ),
    Row(
        "mileage_rate_of_a_fraction_of_a_penny",
        "mileage_rate_must_be_whole",
        _expense(100, _mileage(10, 45.5)),
        schema_first=True,
    ),
    Row(
        "mileage_rate_of_nothing",
        "mileage_rate_must_be_positive",
        _expense(100, _mileage(10, 0)),
        schema_first=True,
    ),
    Row(
        "mileage_rate_above_a_pound_a_mile",
        "mileage_rate_above_limit",
        _expense(100, _mileage(10, 101)),
        schema_first=True,
    ),
    Row(
        "expense_repaid_to_the_pot",
        "member_account_required",
        lambda w, _: _expense(100, _receipt(100), account_id=w.pot_account_id)(w, None),
    ),
    Row(
        "expense_for_another_organisations_activity",
        "activity_not_found",
        lambda w, clinic_activity: _expense(100, _receipt(100), activity_id=clinic_activity)(w, None),
        arrange=_clinic_activity,
    ),
    Row(
        "expense_recorded_by_a_member_who_is_not_staff",
        "organisation_staff_required",
        lambda w, _: _post(
            w,
            "member",
            f"/organisations/{w.organisation_id}/expenses",
            _expense_body(w, 100, _receipt(100)),
            keyed=True,
        ),
    ),
    # --- benefits declarations
    Row("declaration_of_no_categories", "benefit_categories_required", _declare("member", [])),
    Row(
        "declaration_of_an_unknown_category",
        "benefit_category_unknown",
        _declare("member", ["universal_credit", "lottery"]),
    ),
    Row(
        "declaration_of_more_categories_than_there_are",
        "benefit_category_unknown",
        _declare("member", ["universal_credit"] * 11),
        schema_first=True,
    ),
    Row(
        "coordinator_declaring_without_the_members_say_so",
        "member_say_so_required",
        _declare("member", ["carers_allowance"], by="coordinator"),
    ),
    Row(
        "declaration_for_an_organisations_account",
        "member_account_required",
        _declare("organisation", ["carers_allowance"], by="coordinator", members_say_so=True),
    ),
    # --- spend options, and spending credits on them
    Row(
        "spend_option_of_an_unknown_class",
        "spend_class_unknown",
        lambda w, _: _post(
            w,
            "staff",
            f"/organisations/{w.organisation_id}/spend-options",
            {**VOUCHER, "spend_class": "gift_card"},
        ),
        arrange=lambda w: None,
        schema_first=True,
    ),
    Row(
        "spend_on_an_unknown_option",
        "spend_option_not_found",
        lambda w, _: _spend("member")(w, UNKNOWN),
        arrange=lambda w: None,
    ),
    Row(
        "withdrawing_another_timebanks_spend_option",
        "spend_option_not_found",
        lambda w, spend_option_id: w.client.post(
            w.url(f"/spend-options/{spend_option_id}/withdraw", w.other_timebank_id),
            headers=w.headers["other_coordinator"],
        ),
        arrange=_voucher,
    ),
    Row(
        "spend_on_a_withdrawn_option",
        "spend_option_withdrawn",
        _spend("member"),
        arrange=_withdrawn_voucher,
        writes=("idempotency_keys",),
        check=_only_the_refusal_recorded_under_its_key("spend_credits", "spend_option_withdrawn"),
    ),
    Row(
        "voucher_for_a_member_who_declared_benefits_without_an_acknowledgement",
        "spend_acknowledgement_required",
        _spend("other_member"),
        arrange=_voucher_for_a_declared_member,
        member_reads=True,
        writes=("audit_log",),
        check=_only_the_guards_audit_rows("spend_checked", "spend_refused"),
    ),
]


def _backend_cases() -> list[Any]:
    """Each row on both databases."""
    return [
        pytest.param(backend, row, id=f"{row.name}-{backend}", marks=marks)
        for row in ROWS
        for backend, marks in (("sqlite", []), ("postgresql", [pytest.mark.postgres]))
    ]


@pytest.mark.parametrize(("database_url", "row"), _backend_cases(), indirect=["database_url"])
def test_each_involvement_refusal_over_http(world: World, row: Row) -> None:
    arranged = row.arrange(world)
    before = everything(world)
    response = row.act(world, arranged)
    after = everything(world)

    status = status_for(all_error_codes()[row.code]())
    problem = assert_problem(response, status, row.code)
    # The schema's refusals list the fields that broke the rule; the service's name the one rule.
    assert ("errors" in problem) == row.schema_first, problem
    if row.member_reads:
        assert _names_no_benefit(response.text), problem
    row.check(world, before, after)
    unchanged = [name for name in before if name.split(" ")[0] not in row.writes]
    assert {n: after[n] for n in unchanged} == {n: before[n] for n in unchanged}


# --- the meta-tests ------------------------------------------------------------------------------


def test_the_table_covers_every_involvement_code() -> None:
    names = [row.name for row in ROWS]
    assert len(names) == len(set(names))
    covered = {row.code for row in ROWS}
    assert covered == INVOLVEMENT_CODES - set(UNREACHABLE_OVER_HTTP)
    assert covered.isdisjoint(UNREACHABLE_OVER_HTTP)


def test_each_involvement_refusal_is_a_leaf_with_a_status_of_its_own() -> None:
    """Each is a leaf of the error tree, none is an access code, and the one mapping gives it a status."""
    classes = all_error_codes()
    assert INVOLVEMENT_CODES.isdisjoint(ACCESS_CODES)
    assert set(UNREACHABLE_OVER_HTTP) <= INVOLVEMENT_CODES
    for code in sorted(INVOLVEMENT_CODES):
        assert not classes[code].__subclasses__(), code
        assert status_for(classes[code]()) in (403, 404, 409, 422), code
