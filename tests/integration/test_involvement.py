"""Recognising involvement through the services, on SQLite and PostgreSQL (issue 4, DESIGN B1–B6).

A user forum at the Library, with members who each choose their reward: the credit-choosers get
one recognition transaction from the Library's account, and nothing else moves credits; payments
and declined or redirected offers land in the money tables, in pence, and nothing else writes
money; the audit log has every choice and every benefit check. Then the guards: the organisation's
floor (refused, nothing recorded), a member who declared benefits (a payment is refused until the
organisation acknowledges the warning, and the refusal leaves only its audit rows), a payment
checked against a limit before it is offered (£196 reaches the Carer's Allowance limit, £196.01
crosses it). Expenses against evidence, a replayed request, and who may read an activity. Last, the
reciprocity report counts recognition apart from member-to-member exchanges.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tests.involvement_calls import attendee, check_payment_offer, record_expense, set_declaration
from tests.ledger_calls import reverse_transaction
from timebank.benefits import Mileage, PaymentKind, Receipt, Reward
from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.wording import find_credit_wording_problems, find_forbidden_words
from timebank.clock import utc_now
from timebank.db import run
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.involvement.activities import get_activity
from timebank.involvement.errors import OrganisationStaffRequired, PaymentAcknowledgementRequired
from timebank.involvement.payment_advice import read_payment_advice
from timebank.involvement.views import AttendanceView, ExpenseView, PaymentCheckView
from timebank.ledger.errors import BalanceBelowFloor
from timebank.ledger.types import TransactionKind
from timebank.people.callers import Caller
from timebank.reporting.reports import report_inputs
from timebank.reports import ApartTotals

from .helpers import check_invariants
from .involvement import FORUM_DAY, Forum, make_forum, offer


def mixed_forum(engine: Engine) -> tuple[Forum, int, AttendanceView]:
    """Six members at a forum: two take credits, one a voucher, one less, one declines, one a charity."""
    forum = make_forum(engine, members=6)
    activity = forum.activity()
    m = forum.members
    view = forum.attend(
        activity.activity_id,
        [
            attendee(m[0], 90, Reward.CREDITS),
            attendee(m[1], 120, Reward.CREDITS),
            attendee(m[2], 120, Reward.PAYMENT),
            attendee(m[3], 120, Reward.REDUCED_PAYMENT, reduced_pence=1000),
            attendee(m[4], 120, Reward.DECLINE),
            attendee(m[5], 120, Reward.CHARITY, charity_name="Shelter"),
        ],
        offer=offer(2000),
    )
    return forum, activity.activity_id, view


def test_a_forum_with_mixed_choices_posts_one_recognition_and_keeps_money_apart(engine: Engine) -> None:
    forum, _, view = mixed_forum(engine)
    m = forum.members
    rows = forum.rows()

    assert view.recognised_minutes == 210
    (transaction,) = rows["transactions"]
    assert transaction["kind"] == TransactionKind.RECOGNITION
    assert transaction["id"] == view.recognition_transaction_id
    assert sorted(
        (t["source_account_id"], t["target_account_id"], t["minutes"]) for t in rows["transfers"]
    ) == sorted([(forum.organisation_account, m[0], 90), (forum.organisation_account, m[1], 120)])
    assert forum.balance(forum.organisation_account) == -210
    assert [forum.balance(a) for a in m] == [90, 120, 0, 0, 0, 0]
    assert check_invariants(engine, forum.timebank_id) == []

    chosen = {
        r["account_id"]: (r["reward"], r["minutes"], r["recognition_transaction_id"])
        for r in rows["attendance"]
    }
    tx = view.recognition_transaction_id
    assert chosen == {
        m[0]: ("credits", 90, tx),
        m[1]: ("credits", 120, tx),
        m[2]: ("payment", 120, None),
        m[3]: ("reduced_payment", 120, None),
        m[4]: ("decline", 120, None),
        m[5]: ("charity", 120, None),
    }
    paid = {(p["account_id"], p["amount_pence"], p["offered_pence"], p["kind"]) for p in rows["payments"]}
    assert paid == {(m[2], 2000, None, "voucher"), (m[3], 1000, 2000, "voucher")}
    assert all(p["worked_minutes"] == 120 and p["period_kind"] == "week" for p in rows["payments"])
    assert all(p["period_from_on"] <= FORUM_DAY < p["period_to_on"] for p in rows["payments"])
    declined = {
        (d["account_id"], d["choice"], d["offered_pence"], d["charity_name"])
        for d in rows["declined_payments"]
    }
    assert declined == {(m[4], "decline", 2000, None), (m[5], "charity", 2000, "Shelter")}
    assert rows["expenses"] == []

    actions = [(e.action, e.subject_account_id) for e in forum.audit()]
    assert sorted(a for a in actions if a[0] == "reward_chosen") == sorted(("reward_chosen", a) for a in m)
    assert sorted(a for a in actions if a[0] == "payment_checked") == [
        ("payment_checked", m[2]),
        ("payment_checked", m[3]),
    ]
    assert all(e.actor == forum.staff.caller for e in forum.audit())
    assert {e.action for e in forum.audit()} == {
        "reward_chosen",
        "payment_checked",
    }  # nobody declared benefits


def test_attendance_where_nobody_chose_credits_posts_no_transaction(engine: Engine) -> None:
    forum = make_forum(engine, members=2)
    activity = forum.activity()
    view = forum.attend(
        activity.activity_id,
        [
            attendee(forum.members[0], 60, Reward.DECLINE),
            attendee(forum.members[1], 60, Reward.PAYMENT),
        ],
        offer=offer(),
    )

    assert view.recognition_transaction_id is None
    assert forum.counts()["transactions"] == 0
    assert forum.counts()["transfers"] == 0
    assert forum.counts()["attendance"] == 2


def test_a_decline_without_any_offer_is_noted_with_no_amount(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    activity = forum.activity()
    forum.attend(activity.activity_id, [attendee(forum.members[0], 45, Reward.DECLINE)])

    (declined,) = forum.rows()["declined_payments"]
    assert (declined["choice"], declined["offered_pence"], declined["kind"]) == ("decline", None, None)
    assert declined["description"] == "User forum"


def test_a_recognition_beyond_the_organisations_floor_is_refused_and_records_nothing(engine: Engine) -> None:
    forum = make_forum(engine, members=3, organisation_floor_minutes=-100)
    activity = forum.activity()
    before = forum.rows()

    with pytest.raises(BalanceBelowFloor):
        forum.attend(
            activity.activity_id,
            [
                attendee(forum.members[0], 60, Reward.CREDITS),
                attendee(forum.members[1], 60, Reward.CREDITS),
                attendee(forum.members[2], 60, Reward.PAYMENT),
            ],
            offer=offer(),
        )

    assert forum.rows() == before
    assert forum.balance(forum.organisation_account) == 0


def test_a_recognition_up_to_the_organisations_floor_is_allowed(engine: Engine) -> None:
    forum = make_forum(engine, members=2, organisation_floor_minutes=-100)
    activity = forum.activity()
    forum.attend(
        activity.activity_id,
        [
            attendee(forum.members[0], 40, Reward.CREDITS),
            attendee(forum.members[1], 60, Reward.CREDITS),
        ],
    )
    assert forum.balance(forum.organisation_account) == -100


def test_a_payment_to_a_member_who_declared_benefits_waits_for_the_organisations_acknowledgement(
    engine: Engine,
) -> None:
    forum = make_forum(engine, members=2)
    ann, bo = forum.members
    set_declaration(engine, forum.timebank_id, forum.member(ann), ann, ["universal_credit"])
    activity = forum.activity()
    attendees = [attendee(ann, 120, Reward.PAYMENT), attendee(bo, 120, Reward.CREDITS)]
    before = forum.rows()

    with pytest.raises(PaymentAcknowledgementRequired) as refusal:
        forum.attend(activity.activity_id, attendees, offer=offer())

    assert refusal.value.account_ids == (ann,)
    assert (
        "Universal Credit" not in refusal.value.detail
    )  # the organisation is warned, not told which benefit
    # One sentence for every member who declared anything, whatever they declared (B4).
    assert refusal.value.detail.endswith(ORGANISATION_PAYMENT_ADVICE)
    after = forum.rows()
    # Nothing but the audit of the check that refused it: the warning was given and is on record.
    assert {name: rows for name, rows in after.items() if name != "audit_log"} == {
        name: rows for name, rows in before.items() if name != "audit_log"
    }
    new_audit = [(e.action, e.subject_account_id, e.details.get("activity_id")) for e in forum.audit()][
        len(before["audit_log"]) :
    ]
    assert new_audit == [
        ("payment_checked", ann, activity.activity_id),
        ("payment_warned", ann, activity.activity_id),
        ("payment_refused", ann, activity.activity_id),
    ]

    acknowledged = [
        attendee(ann, 120, Reward.PAYMENT, acknowledgement="Advised Ann to tell her work coach; form B7"),
        attendee(bo, 120, Reward.CREDITS),
    ]
    view = forum.attend(activity.activity_id, acknowledged, offer=offer())

    (payment,) = forum.rows()["payments"]
    assert payment["acknowledgement_needed"] is True
    assert payment["acknowledgement_reference"] == "Advised Ann to tell her work coach; form B7"
    warnings = view.attendees[0].warnings
    assert warnings and all("Universal Credit" not in text for text in warnings)
    actions = [e.action for e in forum.audit(ann)]
    assert actions[-4:] == ["payment_checked", "payment_warned", "payment_acknowledged", "reward_chosen"]
    assert forum.balance(bo) == 120


def test_a_payment_is_checked_against_the_limit_before_it_is_offered(engine: Engine) -> None:
    # Carer's Allowance: £196 a week. £180 already paid this week; £16 more reaches it, £16.01 crosses it.
    forum = make_forum(engine, members=1)
    (cy,) = forum.members
    set_declaration(engine, forum.timebank_id, forum.member(cy), cy, ["carers_allowance"])
    first = forum.activity("Interview panel", on=FORUM_DAY)
    forum.attend(
        first.activity_id,
        [attendee(cy, 60, Reward.PAYMENT, acknowledgement="Advice given")],
        offer=offer(18000, PaymentKind.CASH),
    )
    second = forum.activity("Second panel", on=FORUM_DAY + timedelta(days=1))

    def check(pence: int, by: Caller) -> PaymentCheckView:
        return check_payment_offer(
            engine, forum.timebank_id, by, second.activity_id, cy, pence, worked_minutes=60
        )

    # The organisation's staff get one answer, the same below, at and above the limit (B4).
    reached, crossed = check(1600, forum.staff), check(1601, forum.staff)
    assert reached.acknowledgement_needed and crossed.acknowledgement_needed
    assert reached.warning_codes == crossed.warning_codes == ("payment_may_affect_benefits",)
    assert reached.warnings == crossed.warnings == (ORGANISATION_PAYMENT_ADVICE,)
    # So does the audit log, which outlives a deleted declaration.
    checks = [e for e in forum.audit(cy) if e.details.get("activity_id") == second.activity_id]
    assert [e.action for e in checks] == ["payment_checked", "payment_warned"] * 2
    assert {tuple(e.details["warnings"]) for e in checks[1::2]} == {("payment_may_affect_benefits",)}
    # The member reads which limit, and so does a coordinator.
    page = read_payment_advice(engine, forum.timebank_id, forum.member(cy), cy)
    (advice,) = [a for a in page.advice if a.activity_id == second.activity_id]
    assert advice.amount_pence == 1601 and "limit_crossed" in advice.warning_codes
    assert any("Carer's Allowance earnings limit" in text for text in advice.warnings)
    at_limit = check(1600, forum.coordinator)
    assert "limit_reached" in at_limit.warning_codes and "limit_crossed" not in at_limit.warning_codes
    assert "limit_crossed" in check(1601, forum.coordinator).warning_codes
    assert forum.counts()["payments"] == 1  # checking pays nothing


def test_a_payment_to_a_member_who_declared_nothing_needs_no_acknowledgement(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    activity = forum.activity()
    check = check_payment_offer(
        engine, forum.timebank_id, forum.staff, activity.activity_id, forum.members[0], 50_000
    )
    assert (check.acknowledgement_needed, check.warning_codes, check.warnings) == (False, (), ())


def test_expenses_are_recorded_against_a_receipt_or_a_mileage_calculation(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    (di,) = forum.members
    activity = forum.activity()
    bus = record_expense(
        engine,
        forum.timebank_id,
        forum.staff,
        forum.organisation_id,
        di,
        480,
        Receipt("Bus ticket 0412", 480),
        "Bus to the forum",
        FORUM_DAY,
        activity_id=activity.activity_id,
    )
    car = record_expense(
        engine,
        forum.timebank_id,
        forum.coordinator,
        forum.organisation_id,
        di,
        400,
        Mileage("Home to library", 10),
        "Drove to the forum",
        FORUM_DAY,
    )

    assert (bus.amount_pence, bus.evidenced_pence, bus.evidence_kind) == (480, 480, "receipt")
    assert (car.amount_pence, car.evidenced_pence, car.evidence_kind) == (400, 450, "mileage")
    stored = {
        (e["evidence_kind"], e["receipt_reference"], e["miles"], e["pence_per_mile"])
        for e in forum.rows()["expenses"]
    }
    assert stored == {("receipt", "Bus ticket 0412", None, None), ("mileage", None, 10, 45)}
    assert forum.counts()["transactions"] == 0  # an expense never touches the credit ledger
    recorded = [e for e in forum.audit(di) if e.action == "expense_recorded"]
    assert [(e.details["amount_pence"], e.details["evidence"]) for e in recorded] == [
        (480, "receipt"),
        (400, "mileage"),
    ]


def test_a_replayed_attendance_with_its_idempotency_key_records_nothing_new(engine: Engine) -> None:
    forum = make_forum(engine, members=2)
    activity = forum.activity()
    attendees = [
        attendee(forum.members[0], 60, Reward.CREDITS),
        attendee(forum.members[1], 60, Reward.PAYMENT),
    ]
    first = forum.attend(activity.activity_id, attendees, offer=offer(), idempotency_key="forum-1")
    after_first = forum.rows()

    again = forum.attend(activity.activity_id, attendees, offer=offer(), idempotency_key="forum-1")

    assert again == first
    assert forum.rows() == after_first
    with pytest.raises(IdempotencyKeyReused):
        forum.attend(activity.activity_id, attendees[:1], offer=offer(), idempotency_key="forum-1")


def test_a_replayed_expense_with_its_idempotency_key_records_nothing_new(engine: Engine) -> None:
    forum = make_forum(engine, members=1)

    def claim() -> ExpenseView:
        return record_expense(
            engine,
            forum.timebank_id,
            forum.staff,
            forum.organisation_id,
            forum.members[0],
            300,
            Receipt("R-1", 300),
            "Taxi",
            FORUM_DAY,
            idempotency_key="taxi",
        )

    assert claim() == claim()
    assert forum.counts()["expenses"] == 1


def test_an_activity_is_read_by_its_organisation_and_coordinators_only(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    activity = forum.activity()

    for caller in (forum.staff, forum.coordinator):
        assert get_activity(engine, forum.timebank_id, caller, activity.activity_id) == activity
    with pytest.raises(OrganisationStaffRequired):
        get_activity(engine, forum.timebank_id, forum.member(forum.members[0]), activity.activity_id)
    assert activity.classification == "uses_services"


def test_a_recognition_can_be_reversed_by_a_coordinator_and_its_attendance_stays(engine: Engine) -> None:
    forum, _, view = mixed_forum(engine)
    assert view.recognition_transaction_id is not None
    coordinator = forum.coordinator.actor(forum.timebank_id)

    reverse_transaction(
        engine, forum.timebank_id, coordinator, view.recognition_transaction_id, "Wrong forum"
    )

    assert forum.balance(forum.organisation_account) == 0
    assert len(forum.rows()["attendance"]) == 6
    assert check_invariants(engine, forum.timebank_id) == []


def test_what_members_and_staff_read_about_recognition_never_calls_credits_pay(engine: Engine) -> None:
    forum, _, view = mixed_forum(engine)
    (text,) = forum.rows()["transaction_texts"]

    assert find_forbidden_words(text["note"]) == ()
    for recorded in view.attendees:
        for text in recorded.warnings:
            assert find_credit_wording_problems(text) == ()


def test_recognition_is_reported_apart_from_exchanges_in_the_reciprocity_report(engine: Engine) -> None:
    forum, _, _ = mixed_forum(engine)
    today = utc_now().date()

    def inputs(from_on, to_on):  # type: ignore[no-untyped-def]
        return run(
            engine, lambda uow: report_inputs(uow, forum.timebank_id, from_on, to_on, None), write=False
        )

    posted_window = inputs(today, today + timedelta(days=1))
    assert posted_window.reported_apart.recognition == ApartTotals(count=1, minutes=210)
    assert posted_window.exchange_count == 0
    assert all(a.given_minutes == a.received_minutes == 0 for a in posted_window.accounts)
    assert inputs(today - timedelta(days=30), today).reported_apart.recognition == ApartTotals()
