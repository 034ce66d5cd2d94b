"""The benefit-safe statement read from storage, on SQLite and PostgreSQL (issue 4, DESIGN B7).

A month at the Library (``statement_story``) and the statement of it: credits received and spent
dated by the day the time was given, each activity with its classification and the member's
choice, expenses with their evidence, payments made, turned down and given to a charity. Then who
may read it (the member, a coordinator, whose read is audited; nobody else), and what it must
never say: a benefit category, or credits called pay.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine

from tests.ledger_calls import record_exchange, reverse_exchange
from tests.people_calls import add_member, change_settings, get_timebank
from timebank.benefits import Mileage, Receipt, Reward, SpendClass
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.errors import PeriodMustEndAfterStart
from timebank.benefits.statement import CreditDirection, Statement
from timebank.benefits.statement_text import letter_lines, lines_text, statement_lines
from timebank.benefits.wording import NO_CASH_VALUE, find_credit_wording_problems, find_forbidden_words
from timebank.clock import utc_now
from timebank.errors import TimebankNotFound
from timebank.involvement.errors import MemberAccountRequired, PeriodStartsAfterToday
from timebank.involvement.statement_views import BenefitStatementView
from timebank.involvement.statements import benefit_safe_statement, statement_period
from timebank.ledger.types import Actor, ReceiverShare, TransactionKind
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.organisations import get_organisation
from timebank.rendering.statement_html import statement_html
from timebank.rendering.statement_pdf import latin_1_text

from .involvement import FORUM_DAY, make_forum
from .statement_story import EXCHANGE_DESCRIPTION, MAY, Story, tell_story


@pytest.fixture
def story(engine: Engine) -> Story:
    return tell_story(engine)


def read(story: Story, caller: Caller | None = None, account_id: int | None = None) -> Statement:
    forum = story.forum
    who = caller or forum.member(story.member)
    return benefit_safe_statement(forum.engine, forum.timebank_id, who, account_id or story.member, *MAY)


def test_the_statement_states_the_months_credits_activities_and_money(story: Story) -> None:
    statement = read(story)
    assert statement.member_name == "Member 1"
    assert statement.received_minutes == story.received_minutes
    assert statement.spent_minutes == story.spent_minutes
    assert statement.expenses_pence == story.expenses_pence
    assert statement.payments_pence == story.payments_pence
    assert statement.declined_pence == story.declined_pence
    assert statement.redirected_pence == story.redirected_pence
    assert tuple(taken.activity.title for taken in statement.activities) == story.activity_titles
    assert [taken.choice for taken in statement.activities] == [
        Reward.CREDITS,
        Reward.PAYMENT,
        Reward.DECLINE,
        Reward.CHARITY,
    ]
    assert {taken.activity.classification.label for taken in statement.activities} == {
        "Participating as a service user"
    }
    assert statement.redirected[0].entry.charity_name == "Shelter"
    assert [type(expense.entry.evidence) for expense in statement.expenses] == [Receipt, Mileage]
    assert [party.name for party in statement.organisations] == [
        get_organisation(
            story.forum.engine, story.forum.timebank_id, story.forum.coordinator, story.forum.organisation_id
        ).name
    ]
    assert statement.issued_by.name == get_timebank(story.forum.engine, story.forum.timebank_id).name


def test_credits_are_dated_by_the_day_the_time_was_given_not_the_day_they_were_recorded(story: Story) -> None:
    credits = read(story).credits
    received = [entry for entry in credits if entry.direction is CreditDirection.RECEIVED]
    spent = [entry for entry in credits if entry.direction is CreditDirection.SPENT]
    assert [(entry.on, entry.minutes) for entry in received] == [(FORUM_DAY, 120)]
    assert [(entry.minutes, entry.description) for entry in spent] == [(30, EXCHANGE_DESCRIPTION)]
    assert received[0].description == "taking part in an activity"


def test_the_june_forum_is_on_junes_statement_and_not_mays(story: Story) -> None:
    forum = story.forum
    june = benefit_safe_statement(
        forum.engine,
        forum.timebank_id,
        forum.member(story.member),
        story.member,
        MAY[1],
        MAY[1].replace(month=7),
    )
    assert june.received_minutes == 60
    assert [taken.activity.title for taken in june.activities] == ["June forum"]
    assert june.payments_pence == 0


def test_the_members_own_read_writes_no_audit_row(story: Story) -> None:
    before = story.forum.audit(story.member)
    read(story)
    assert story.forum.audit(story.member) == before


def test_a_coordinators_read_leaves_an_audit_row_that_names_no_benefit(story: Story) -> None:
    forum = story.forum
    statement = read(story, forum.coordinator)
    entries = [entry for entry in forum.audit(story.member) if entry.action == "statement_read"]
    assert len(entries) == 1
    assert entries[0].actor == forum.coordinator.caller
    assert not any(category.value in str(entries[0].details) for category in BenefitCategory)
    assert statement.signatory.role == "Coordinator"


def test_nobody_else_reads_a_members_statement(story: Story) -> None:
    forum = story.forum
    with pytest.raises(SelfOrCoordinatorRequired):
        read(story, forum.member(story.neighbour))
    with pytest.raises(SelfOrCoordinatorRequired):
        read(story, forum.staff)
    outsider = Caller("login:outsider", False, forum.timebank_id + 1000, None, None, True, frozenset())
    with pytest.raises(TimebankNotFound):
        read(story, outsider)


def test_only_a_member_has_a_statement_and_its_period_is_not_empty(story: Story) -> None:
    forum = story.forum
    with pytest.raises(MemberAccountRequired):
        read(story, forum.coordinator, forum.organisation_account)
    with pytest.raises(PeriodMustEndAfterStart):
        benefit_safe_statement(
            forum.engine, forum.timebank_id, forum.coordinator, story.member, MAY[1], MAY[0]
        )


def test_the_statement_names_no_benefit_and_never_calls_credits_pay(story: Story) -> None:
    statement = read(story)
    texts = [
        lines_text(statement_lines(statement)),
        lines_text(letter_lines(statement)),
        statement_html(statement),
        BenefitStatementView.of(statement).model_dump_json(),
    ]
    for text in texts:
        for category in BenefitCategory:
            assert category.value not in text
            assert category.label not in text
    for text in texts[:2]:
        assert find_credit_wording_problems(text) == ()
        assert NO_CASH_VALUE in text


def test_pdf_text_keeps_pound_signs_and_plain_likenesses_of_other_characters() -> None:
    assert latin_1_text("£20 — “thanks” ‘ok’ …") == "£20 - \"thanks\" 'ok' ..."
    assert latin_1_text("café ☕") == "café ?"


def test_the_reasons_credits_moved_never_call_them_pay() -> None:
    from timebank.involvement.statements import _CREDIT_REASONS

    assert set(_CREDIT_REASONS) == set(TransactionKind)
    for reason in _CREDIT_REASONS.values():
        assert find_forbidden_words(f"Time credits received, for {reason}.") == ()


def test_an_exchange_described_with_a_forbidden_word_is_described_plainly(engine: Engine) -> None:
    forum = make_forum(engine, members=2)
    member, neighbour = forum.members
    record_exchange(
        engine,
        forum.timebank_id,
        Actor("test:coordinator", None, is_coordinator=True),
        neighbour,
        [ReceiverShare(member, 45)],
        FORUM_DAY,
        "Paid back for the shopping",
    )
    statement = benefit_safe_statement(engine, forum.timebank_id, forum.member(member), member, *MAY)
    assert [entry.description for entry in statement.credits] == ["an exchange of time"]


# --- true line by line: corrections, spends, who signs, which days -------------------------------


def test_a_reversed_exchange_and_its_reversal_are_one_correction_dated_by_the_exchange(story: Story) -> None:
    forum, coordinator = story.forum, Actor("test:coordinator", None, is_coordinator=True)
    mistake = record_exchange(
        forum.engine,
        forum.timebank_id,
        coordinator,
        story.member,
        [ReceiverShare(story.neighbour, 600)],
        FORUM_DAY,
        "Recorded by mistake",
    )
    reverse_exchange(forum.engine, forum.timebank_id, coordinator, mistake.exchange_id, "A slip")

    may = read(story)
    assert (may.received_minutes, may.spent_minutes) == (story.received_minutes, story.spent_minutes)
    [correction] = may.corrections
    assert (correction.on, correction.minutes, correction.direction) == (
        FORUM_DAY,
        600,
        CreditDirection.RECEIVED,
    )
    assert correction.reversed_on == utc_now().date()
    # The reversal, posted today, is not an entry of this month's statement either.
    this_month = benefit_safe_statement(
        forum.engine, forum.timebank_id, forum.member(story.member), story.member
    )
    assert this_month.corrections == () and this_month.credits == ()


def test_a_spend_is_named_by_its_class_and_organisation(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    (member,) = forum.members
    for title, spend_class in (("Food parcel", SpendClass.GOODS), ("Swim", SpendClass.COMMUNITY_ACTIVITY)):
        forum.spend(forum.spend_option(title, 30, spend_class).spend_option_id, member)

    statement = benefit_safe_statement(engine, forum.timebank_id, forum.member(member), member)

    library = get_organisation(engine, forum.timebank_id, forum.coordinator, forum.organisation_id)
    assert [(e.description, e.spent_on, e.organisation_name) for e in statement.credits] == [
        ("Food parcel", SpendClass.GOODS, library.name),
        ("Swim", SpendClass.COMMUNITY_ACTIVITY, library.name),
    ]
    assert [entry.description for entry in statement.goods_and_vouchers] == ["Food parcel"]


def test_a_coordinators_read_is_signed_by_them_and_the_members_own_by_nobody(story: Story) -> None:
    forum = story.forum
    change_settings(
        forum.engine, forum.timebank_id, forum.coordinator, {"contact_email": "hello@timebank.example"}
    )
    priya = add_member(
        forum.engine, forum.timebank_id, forum.coordinator, "Priya Shah", roles=("member", "coordinator")
    )
    as_priya = Caller(
        "login:priya", False, forum.timebank_id, priya.member_id, priya.account_id, True, frozenset()
    )

    signed = read(story, as_priya).signatory
    assert (signed.name, signed.role, signed.signed) == ("Priya Shah", "Coordinator", True)
    assert signed.contact.email == "hello@timebank.example"
    # The member's own copy names the longest-serving coordinator to contact, and claims no signature;
    # so does a copy read by a coordinator who is not a person in the timebank (a system caller).
    for reader in (forum.member(story.member), forum.coordinator):
        unsigned = read(story, reader).signatory
        assert (unsigned.name, unsigned.signed) == ("Priya Shah", False)
        assert unsigned.contact.email == "hello@timebank.example"


def test_the_period_defaults_to_this_month_so_far_and_never_runs_past_today() -> None:
    today = date(2024, 3, 15)

    assert statement_period(None, None, today) == (date(2024, 3, 1), date(2024, 3, 16))
    assert statement_period(date(2024, 1, 1), date(2025, 1, 1), today) == (
        date(2024, 1, 1),
        date(2024, 3, 16),
    )
    assert statement_period(date(2024, 3, 15), None, today) == (today, date(2024, 3, 16))
    with pytest.raises(PeriodStartsAfterToday):
        statement_period(date(2024, 3, 16), None, today)
    with pytest.raises(PeriodMustEndAfterStart):
        statement_period(date(2024, 3, 10), date(2024, 3, 10), today)
