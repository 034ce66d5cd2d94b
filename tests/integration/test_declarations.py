"""A member's benefits declaration: who may write and read it, its audit, and where it never shows (B4).

On SQLite and PostgreSQL: a member declares for themself, or a coordinator with their say-so; the
member and coordinators read it, and every read leaves an audit row (each coordinator read its
own); organisation staff, other members and another timebank's coordinator cannot read it; deleting
it removes the row and the audit keeps only that it happened. Then the privacy sweep: the declared
categories (codes and labels) appear in no other view a service returns (members, the directory,
organisations, an activity's attendance as staff see it, the reciprocity report), and in no audit row.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select

from tests.involvement_calls import attendee, check_payment_offer, set_declaration
from timebank.benefits import BenefitCategory, Reward
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.benefit_tables import benefit_declarations
from timebank.errors import TimebankNotFound
from timebank.involvement.activities import get_activity
from timebank.involvement.declarations import delete_declaration, read_declaration
from timebank.involvement.errors import MemberSaySoRequired
from timebank.involvement.views import DeclarationView
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.members import directory, get_member, list_members
from timebank.people.organisations import get_organisation, list_organisations
from timebank.reporting.reports import member_report, reciprocity_report

from .involvement import Forum, make_forum, offer

# Every spelling of a category that would give a declaration away.
CATEGORY_WORDS = [c.value for c in BenefitCategory] + [c.label for c in BenefitCategory]


def declared(engine: Engine) -> tuple[Forum, int]:
    """Ann declares Universal Credit and Carer's Allowance herself."""
    forum = make_forum(engine, members=3)
    ann = forum.members[0]
    set_declaration(
        engine,
        forum.timebank_id,
        forum.member(ann),
        ann,
        ["universal_credit", BenefitCategory.CARERS_ALLOWANCE],
    )
    return forum, ann


def stored_row(forum: Forum, account_id: int) -> dict[str, object] | None:
    query = select(benefit_declarations).where(benefit_declarations.c.account_id == account_id)
    row = run(forum.engine, lambda uow: uow.connection.execute(query).mappings().first(), write=False)
    return None if row is None else dict(row)


def test_a_member_declares_and_reads_their_own_benefits(engine: Engine) -> None:
    forum, ann = declared(engine)

    mine = read_declaration(engine, forum.timebank_id, forum.member(ann), ann)

    assert mine.declared
    assert mine.categories == ("carers_allowance", "universal_credit")
    assert (mine.declared_by, mine.set_for_member) == (forum.member(ann).caller, False)
    assert [(e.action, e.details) for e in forum.audit(ann)] == [
        ("declaration_set", {"set_for_member": False}),
        ("declaration_read", {"by_coordinator": False, "found": True}),
    ]


def test_each_coordinator_read_leaves_an_audit_row(engine: Engine) -> None:
    forum, ann = declared(engine)
    other_coordinator = Caller(
        "login:second-coordinator", False, forum.timebank_id, None, None, True, frozenset()
    )

    for caller in (forum.coordinator, other_coordinator, forum.coordinator):
        view = read_declaration(engine, forum.timebank_id, caller, ann)
        assert view.declared and "universal_credit" in view.categories

    reads = [e for e in forum.audit(ann) if e.action == "declaration_read"]
    assert [e.actor for e in reads] == [
        forum.coordinator.caller,
        other_coordinator.caller,
        forum.coordinator.caller,
    ]
    assert all(e.details == {"by_coordinator": True, "found": True} for e in reads)
    assert all(e.subject_account_id == ann for e in reads)


def test_reading_a_member_who_declared_nothing_is_audited_too(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    bo = forum.members[0]

    nothing = DeclarationView.none_declared(bo)
    assert read_declaration(engine, forum.timebank_id, forum.coordinator, bo) == nothing
    assert [(e.action, e.details) for e in forum.audit(bo)] == [
        ("declaration_read", {"by_coordinator": True, "found": False})
    ]


@pytest.mark.parametrize("who", ["staff", "other_member", "organisation_key", "other_timebanks_coordinator"])
def test_nobody_else_reads_a_declaration_and_a_refused_read_leaves_no_trace(engine: Engine, who: str) -> None:
    forum, ann = declared(engine)
    other = make_forum(engine, members=1)
    callers = {
        "staff": (forum.staff, SelfOrCoordinatorRequired),
        "other_member": (forum.member(forum.members[1]), SelfOrCoordinatorRequired),
        "organisation_key": (
            Caller(
                "api_key:1",
                False,
                forum.timebank_id,
                None,
                None,
                False,
                frozenset({forum.organisation_account}),
            ),
            SelfOrCoordinatorRequired,
        ),
        "other_timebanks_coordinator": (other.coordinator, TimebankNotFound),
    }
    caller, refusal = callers[who]
    before = forum.rows()

    with pytest.raises(refusal):
        read_declaration(engine, forum.timebank_id, caller, ann)

    assert forum.rows() == before


def test_a_coordinator_sets_a_declaration_only_with_the_members_say_so(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    bo = forum.members[0]

    with pytest.raises(MemberSaySoRequired):
        set_declaration(engine, forum.timebank_id, forum.coordinator, bo, ["prefer_not_to_say"])
    view = set_declaration(
        engine, forum.timebank_id, forum.coordinator, bo, ["prefer_not_to_say"], members_say_so=True
    )

    assert (view.categories, view.set_for_member, view.declared_by) == (
        ("prefer_not_to_say",),
        True,
        forum.coordinator.caller,
    )
    assert [(e.action, e.actor, e.details) for e in forum.audit(bo)] == [
        ("declaration_set", forum.coordinator.caller, {"set_for_member": True})
    ]


def test_a_new_declaration_replaces_the_old_one(engine: Engine) -> None:
    forum, ann = declared(engine)
    set_declaration(engine, forum.timebank_id, forum.member(ann), ann, ["legacy_means_tested"])

    view = read_declaration(engine, forum.timebank_id, forum.member(ann), ann)
    assert view.declared and view.categories == ("legacy_means_tested",)
    assert forum.counts()["benefit_declarations"] == 1


def test_deleting_a_declaration_removes_it_and_the_audit_keeps_only_that_it_happened(engine: Engine) -> None:
    forum, ann = declared(engine)
    read_declaration(engine, forum.timebank_id, forum.coordinator, ann)
    # A payment checked above the Carer's Allowance limit leaves advice that names it, for Ann.
    activity = forum.activity()
    check_payment_offer(engine, forum.timebank_id, forum.staff, activity.activity_id, ann, 20_000)
    assert forum.counts()["payment_advice"] == 1
    assert "Carer" in repr(forum.rows()["payment_advice"])

    assert delete_declaration(engine, forum.timebank_id, forum.member(ann), ann) is True

    assert stored_row(forum, ann) is None
    assert forum.counts()["payment_advice"] == 0  # the advice named the benefit: it goes too
    nothing = DeclarationView.none_declared(ann)
    assert read_declaration(engine, forum.timebank_id, forum.coordinator, ann) == nothing
    assert [e.action for e in forum.audit(ann)] == [
        "declaration_set",
        "declaration_read",
        "payment_checked",
        "payment_warned",
        "declaration_deleted",
        "declaration_read",
    ]
    everything = repr(forum.rows())
    assert not [word for word in CATEGORY_WORDS if word in everything]
    # Deleting nothing is not an error, and is audited as such.
    assert delete_declaration(engine, forum.timebank_id, forum.member(ann), ann) is False
    assert forum.audit(ann)[-1].details == {"existed": False, "set_for_member": False, "advice_deleted": 0}


def test_the_declaration_appears_in_no_other_view_nor_in_the_audit(engine: Engine) -> None:
    forum, ann = declared(engine)
    tb = forum.timebank_id
    activity = forum.activity()
    attendance = forum.attend(
        activity.activity_id,
        [
            attendee(ann, 120, Reward.PAYMENT, acknowledgement="Advice given"),
            attendee(forum.members[1], 120, Reward.CREDITS),
        ],
        offer=offer(19_601),  # above the Carer's Allowance limit: the warning must still name no benefit
    )
    check = check_payment_offer(engine, tb, forum.staff, activity.activity_id, ann, 500)
    member_id = forum.member_ids[ann]
    today = utc_now().date()
    seen = [
        attendance,
        check,
        get_member(engine, tb, forum.coordinator, member_id),
        get_member(engine, tb, forum.member(ann), member_id),
        list_members(engine, tb, forum.coordinator),
        directory(engine, tb, forum.member(forum.members[1])),
        get_organisation(engine, tb, forum.staff, forum.organisation_id),
        list_organisations(engine, tb, forum.member(ann)),
        get_activity(engine, tb, forum.staff, activity.activity_id),
        reciprocity_report(
            engine, tb, forum.coordinator, today - timedelta(days=90), today + timedelta(days=1)
        ),
        member_report(
            engine, tb, forum.member(ann), ann, today - timedelta(days=90), today + timedelta(days=1)
        ),
        forum.audit(),
    ]

    for view in seen:
        text = repr(view)
        assert [word for word in CATEGORY_WORDS if word in text] == [], type(view).__name__
    # The organisation was warned, in the one sentence it is told about anyone who declared.
    assert check.warning_codes == ("payment_may_affect_benefits",)
