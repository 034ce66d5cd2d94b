"""Spending credits on what organisations offer, through the services, on SQLite and PostgreSQL (B5).

The Library offers a swim session (a community activity), goods and a voucher. A member spends on
one: one confirmed exchange in which the Library gives and the member receives, so exactly the
option's minutes move from the member's account to the Library's; a ``spends`` row keeps the
option and its class; the audit log has the check. The ledger's invariants and the report's running
totals hold afterwards, and the benefit-safe statement shows the credits as spent.

For a member who declared benefits, goods and vouchers are refused until the member acknowledges
the risk; the refusal records nothing but its audit rows and speaks to the member in words that
name no benefit and never call credits pay. With the acknowledgement the spend goes ahead and the
acknowledgement is kept. Time and community activities are never held up. A withdrawn option
cannot be spent on, is hidden from members, and can be withdrawn twice. A replayed request spends
once. The database itself refuses a spend row that breaks the class rules.
(Every refusal's code, with nothing changed, is also in ``test_refusals``.)
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, update
from sqlalchemy.exc import IntegrityError

from tests.involvement_calls import set_declaration
from tests.ledger_calls import get_exchange, receiver_pairs, record_exchange, reverse_exchange
from tests.people_calls import create_timebank
from timebank.benefits import SpendClass
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.statement import CreditDirection
from timebank.benefits.wording import find_credit_wording_problems, find_forbidden_words
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.spend_tables import spend_options, spends
from timebank.errors import TimebankError
from timebank.exchanges.errors import IdempotencyKeyReused
from timebank.involvement.errors import OrganisationStaffRequired
from timebank.involvement.statements import benefit_safe_statement
from timebank.ledger.errors import BalanceBelowFloor
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.spending.errors import SpendAcknowledgementRequired, SpendOptionWithdrawn
from timebank.spending.spends import list_spend_options, withdraw_spend_option

from .helpers import check_invariants
from .involvement import Forum, make_forum
from .rollup_oracle import recounted_rollups, stored_rollups

DECLARED = ["universal_credit"]
ACKNOWLEDGEMENT = "I understand this may affect my benefits"


def spends_of(forum: Forum, account_id: int) -> list[Any]:
    found: list[Any] = run(
        forum.engine, lambda uow: uow.spend_options.spends_of(forum.timebank_id, account_id), write=False
    )
    return found


def audit_actions(forum: Forum, account_id: int) -> list[str]:
    return [entry.action for entry in forum.audit(account_id) if entry.action.startswith("spend_")]


def declare(forum: Forum, account_id: int) -> None:
    set_declaration(forum.engine, forum.timebank_id, forum.member(account_id), account_id, DECLARED)


# --- the happy path ------------------------------------------------------------------------------


def test_a_spend_moves_exactly_the_options_minutes_from_the_member_to_the_organisation(
    engine: Engine,
) -> None:
    forum = make_forum(engine, members=2)
    member = forum.members[0]
    swim = forum.spend_option("Swim session", 45, SpendClass.COMMUNITY_ACTIVITY)

    spent = forum.spend(swim.spend_option_id, member)

    assert forum.balance(member) == -45
    assert forum.balance(forum.organisation_account) == 45
    assert forum.balance(forum.members[1]) == 0
    assert spent.minutes == 45
    assert spent.balance_minutes == -45
    assert spent.spend_class == "community_activity"
    assert not spent.acknowledged
    exchange = get_exchange(engine, forum.timebank_id, spent.exchange_id)
    assert exchange.status == "confirmed"
    assert exchange.giver_account_id == forum.organisation_account
    assert receiver_pairs(exchange) == ((member, 45),)
    assert exchange.transaction_id == spent.transaction_id
    assert exchange.description == "Swim session"
    [row] = spends_of(forum, member)
    assert (row.spend_id, row.spend_option_id, row.exchange_id) == (
        spent.spend_id,
        swim.spend_option_id,
        spent.exchange_id,
    )
    assert row.spend_class == "community_activity"
    assert not row.acknowledged
    assert row.recorded_by == forum.member(member).caller
    assert check_invariants(engine, forum.timebank_id) == []


def test_a_spend_keeps_the_reports_running_totals_true(engine: Engine) -> None:
    forum = make_forum(engine, members=2)
    swim = forum.spend_option(minutes=60)
    meal = forum.spend_option("Community meal", 30)

    forum.spend(swim.spend_option_id, forum.members[0])
    forum.spend(meal.spend_option_id, forum.members[0])
    forum.spend(meal.spend_option_id, forum.members[1])

    stored = stored_rollups(engine, forum.timebank_id)
    assert stored == recounted_rollups(engine, forum.timebank_id)
    pairs, _, pair_months = stored
    assert pairs[(forum.organisation_account, forum.members[0])][1] == 2
    assert pairs[(forum.organisation_account, forum.members[1])][1] == 1
    # The pair-months hold each spend's minutes: 60 + 30 to the first member, 30 to the second.
    minutes: dict[tuple[int, int], int] = {}
    for (giver, receiver, _), (pair_minutes, _) in pair_months.items():
        minutes[giver, receiver] = minutes.get((giver, receiver), 0) + pair_minutes
    assert minutes == {
        (forum.organisation_account, forum.members[0]): 90,
        (forum.organisation_account, forum.members[1]): 30,
    }


def test_every_spend_is_checked_and_the_check_is_audited_without_a_benefit(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    swim = forum.spend_option()

    forum.spend(swim.spend_option_id, member)

    [entry] = [e for e in forum.audit(member) if e.action == "spend_checked"]
    assert entry.details == {
        "spend_option_id": swim.spend_option_id,
        "spend_class": "community_activity",
        "acknowledgement_needed": False,
    }
    assert entry.actor == forum.member(member).caller


def test_a_coordinator_may_spend_for_a_member_who_is_not_online(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    meal = forum.spend_option("Community meal", 30)

    spent = forum.spend(meal.spend_option_id, member, by=forum.coordinator)

    assert forum.balance(member) == -30
    assert spends_of(forum, member)[0].recorded_by == forum.coordinator.caller
    assert spent.exchange_id in [row.exchange_id for row in spends_of(forum, member)]


def test_a_spend_posts_at_once_even_where_both_sides_must_confirm_exchanges(engine: Engine) -> None:
    # The organisation consented when it offered the option; the member consents by asking.
    timebank = create_timebank(engine, "Both sides confirm", require_both_sides=True)
    forum = make_forum(engine, members=1, timebank_id=timebank.timebank_id)

    spent = forum.spend(forum.spend_option(minutes=20).spend_option_id, forum.members[0])

    assert get_exchange(engine, forum.timebank_id, spent.exchange_id).status == "confirmed"
    assert forum.balance(forum.members[0]) == -20


def test_a_member_who_spent_credits_sees_them_spent_on_the_benefit_safe_statement(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    forum.spend(forum.spend_option("Swim session", 60).spend_option_id, member)
    today = utc_now().date()

    statement = benefit_safe_statement(
        engine, forum.timebank_id, forum.member(member), member, today, today + timedelta(days=1)
    )

    assert [(c.minutes, c.direction, c.description) for c in statement.credits] == [
        (60, CreditDirection.SPENT, "Swim session")
    ]


def test_reversing_a_spend_gives_the_credits_back_and_keeps_what_they_were_spent_on(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    spent = forum.spend(forum.spend_option(minutes=40).spend_option_id, member)

    reverse_exchange(
        engine,
        forum.timebank_id,
        Actor("coordinator", is_coordinator=True),
        spent.exchange_id,
        "wrong session",
    )

    assert forum.balance(member) == 0
    assert forum.balance(forum.organisation_account) == 0
    assert [row.exchange_id for row in spends_of(forum, member)] == [spent.exchange_id]
    assert check_invariants(engine, forum.timebank_id) == []


# --- goods and vouchers for a member who declared benefits ---------------------------------------


@pytest.mark.parametrize("spend_class", [SpendClass.GOODS, SpendClass.VOUCHER])
def test_goods_or_a_voucher_for_a_member_who_declared_benefits_is_refused_leaving_only_audit_rows(
    engine: Engine, spend_class: SpendClass
) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)
    option = forum.spend_option("Leisure centre voucher", 60, spend_class)
    before = forum.rows()

    with pytest.raises(SpendAcknowledgementRequired) as refusal:
        forum.spend(option.spend_option_id, member)

    after = forum.rows()
    assert refusal.value.code == "spend_acknowledgement_required"
    assert forum.balance(member) == 0
    assert {name: rows for name, rows in after.items() if name != "audit_log"} == {
        name: rows for name, rows in before.items() if name != "audit_log"
    }
    new_audit = after["audit_log"][len(before["audit_log"]) :]
    assert [row["action"] for row in new_audit] == ["spend_checked", "spend_refused"]
    assert all(row["subject_account_id"] == member for row in new_audit)
    assert all(code not in row["details"] for row in new_audit for code in BenefitCategory)


def test_the_refusal_speaks_to_the_member_plainly_and_names_no_benefit(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)
    goods = forum.spend_option("Bike repair kit", 90, SpendClass.GOODS)

    with pytest.raises(SpendAcknowledgementRequired) as refusal:
        forum.spend(goods.spend_option_id, member)

    detail = refusal.value.detail
    assert "could affect your benefits" in detail
    assert "you understand" in detail
    assert "Nothing has been spent" in detail
    for category in BenefitCategory:
        assert category.label not in detail
        assert category.value not in detail
    for text in (detail, SpendAcknowledgementRequired.title):
        assert find_forbidden_words(text) == ()
        assert find_credit_wording_problems(text) == ()


@pytest.mark.parametrize("spend_class", [SpendClass.GOODS, SpendClass.VOUCHER])
def test_with_the_members_acknowledgement_goods_or_a_voucher_go_ahead_and_it_is_kept(
    engine: Engine, spend_class: SpendClass
) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)
    option = forum.spend_option("Leisure centre voucher", 60, spend_class)

    spent = forum.spend(option.spend_option_id, member, acknowledgement=f"  {ACKNOWLEDGEMENT} ")

    assert spent.acknowledged
    assert spent.spend_class == spend_class.value
    assert forum.balance(member) == -60
    [row] = spends_of(forum, member)
    assert row.acknowledged
    assert row.acknowledgement == ACKNOWLEDGEMENT
    assert audit_actions(forum, member) == ["spend_checked", "spend_acknowledged"]
    checked = next(e for e in forum.audit(member) if e.action == "spend_checked")
    assert checked.details["acknowledgement_needed"] is True


def test_after_a_refusal_the_member_can_acknowledge_and_spend_with_the_same_key(engine: Engine) -> None:
    # The refusal is not kept under the key: it asked the member something, and they answered.
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)
    goods = forum.spend_option("Bike repair kit", 90, SpendClass.GOODS)
    with pytest.raises(SpendAcknowledgementRequired):
        forum.spend(goods.spend_option_id, member, idempotency_key="spend-1")

    spent = forum.spend(
        goods.spend_option_id, member, acknowledgement=ACKNOWLEDGEMENT, idempotency_key="spend-1"
    )

    assert spent.acknowledged
    assert forum.balance(member) == -90
    assert audit_actions(forum, member) == [
        "spend_checked",
        "spend_refused",
        "spend_checked",
        "spend_acknowledged",
    ]


@pytest.mark.parametrize("spend_class", [SpendClass.MEMBER_TIME, SpendClass.COMMUNITY_ACTIVITY])
def test_time_and_community_activities_need_no_acknowledgement_even_with_benefits_declared(
    engine: Engine, spend_class: SpendClass
) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)

    spent = forum.spend(forum.spend_option("Gardening help", 60, spend_class).spend_option_id, member)

    assert not spent.acknowledged
    assert forum.balance(member) == -60
    assert audit_actions(forum, member) == ["spend_checked"]


def test_goods_for_a_member_who_declared_nothing_need_no_acknowledgement(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]

    spent = forum.spend(forum.spend_option("Bike repair kit", 90, SpendClass.GOODS).spend_option_id, member)

    assert not spent.acknowledged
    assert forum.balance(member) == -90


def test_an_acknowledgement_given_where_none_is_needed_is_not_kept(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    declare(forum, member)
    swim = forum.spend_option()

    spent = forum.spend(swim.spend_option_id, member, acknowledgement=ACKNOWLEDGEMENT)

    assert not spent.acknowledged
    [row] = spends_of(forum, member)
    assert row.acknowledgement is None
    assert audit_actions(forum, member) == ["spend_checked"]


# --- idempotency ---------------------------------------------------------------------------------


def test_a_replayed_spend_spends_once_and_answers_as_the_first_time(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    swim = forum.spend_option(minutes=60)

    first = forum.spend(swim.spend_option_id, member, idempotency_key="swim-monday")
    counts = forum.counts()
    again = forum.spend(swim.spend_option_id, member, idempotency_key="swim-monday")

    assert again == first
    assert forum.counts() == counts
    assert forum.balance(member) == -60
    assert len(spends_of(forum, member)) == 1


def test_the_same_key_for_a_different_spend_is_refused(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    swim = forum.spend_option(minutes=60)
    meal = forum.spend_option("Community meal", 30)
    forum.spend(swim.spend_option_id, member, idempotency_key="k")

    with pytest.raises(IdempotencyKeyReused):
        forum.spend(meal.spend_option_id, member, idempotency_key="k")

    assert forum.balance(member) == -60


def test_a_spend_refused_for_want_of_credits_stays_refused_under_its_key(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    member = forum.members[0]
    course = forum.spend_option("Pottery course", 601)  # the default member floor is -600

    for _ in range(2):
        with pytest.raises(BalanceBelowFloor):
            forum.spend(course.spend_option_id, member, idempotency_key="pottery")

    assert forum.balance(member) == 0
    assert spends_of(forum, member) == []


# --- options: who creates, who sees, withdrawing ------------------------------------------------


def test_any_member_sees_the_active_options_and_staff_see_the_withdrawn_too(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    swim = forum.spend_option("Swim session", 60)
    voucher = forum.spend_option("Cinema voucher", 120, SpendClass.VOUCHER, by=forum.coordinator)
    withdraw_spend_option(engine, forum.timebank_id, forum.staff, swim.spend_option_id)
    member = forum.member(forum.members[0])

    seen = list_spend_options(engine, forum.timebank_id, member)
    of_library = list_spend_options(engine, forum.timebank_id, member, forum.organisation_id)
    managed = list_spend_options(
        engine, forum.timebank_id, forum.staff, forum.organisation_id, include_withdrawn=True
    )
    everything = list_spend_options(engine, forum.timebank_id, forum.coordinator, include_withdrawn=True)

    assert seen.options == of_library.options == (voucher,)
    assert [(o.spend_option_id, o.active) for o in managed.options] == [
        (swim.spend_option_id, False),
        (voucher.spend_option_id, True),
    ]
    assert everything.options == managed.options
    assert voucher.spend_class == "voucher"


def test_options_come_a_page_at_a_time(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    made = [forum.spend_option(f"Session {i}", 30).spend_option_id for i in range(5)]
    member = forum.member(forum.members[0])

    first = list_spend_options(engine, forum.timebank_id, member, limit=2)
    rest = list_spend_options(engine, forum.timebank_id, member, cursor=first.next_cursor, limit=10)

    assert [o.spend_option_id for o in (*first.options, *rest.options)] == made
    assert rest.next_cursor is None


def test_another_timebank_sees_none_of_the_options(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    forum.spend_option()
    elsewhere = make_forum(engine, members=1)

    seen = list_spend_options(engine, elsewhere.timebank_id, elsewhere.member(elsewhere.members[0]))

    assert seen.options == ()


def test_a_withdrawn_option_cannot_be_spent_on_and_withdrawing_again_changes_nothing(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    swim = forum.spend_option()
    first = withdraw_spend_option(engine, forum.timebank_id, forum.staff, swim.spend_option_id)
    rows = forum.rows()

    again = withdraw_spend_option(engine, forum.timebank_id, forum.coordinator, swim.spend_option_id)
    with pytest.raises(SpendOptionWithdrawn):
        forum.spend(swim.spend_option_id, forum.members[0])

    assert first == again
    assert not again.active
    assert forum.rows() == rows
    [stored] = rows["spend_options"]
    assert stored["withdrawn_by"] == forum.staff.caller


def test_an_api_key_of_the_organisation_may_create_options_but_another_organisations_staff_may_not(
    engine: Engine,
) -> None:
    forum = make_forum(engine, members=1)
    api_key = Caller(
        "api_key:1", False, forum.timebank_id, None, None, False, frozenset({forum.organisation_account})
    )
    other = make_forum(engine, members=1, timebank_id=forum.timebank_id)

    made = forum.spend_option("Course place", 180, by=api_key)
    with pytest.raises(OrganisationStaffRequired):
        forum.spend_option("Course place", 180, by=other.staff)

    assert made.organisation_id == forum.organisation_id
    assert made.active


def test_option_texts_and_refusal_details_never_call_credits_pay(engine: Engine) -> None:
    forum = make_forum(engine, members=2)
    swim = forum.spend_option()
    withdraw_spend_option(engine, forum.timebank_id, forum.staff, swim.spend_option_id)
    refusals: list[TimebankError] = []
    for attempt in (
        lambda: forum.spend(swim.spend_option_id, forum.members[0]),
        lambda: forum.spend(swim.spend_option_id, forum.members[0], by=forum.member(forum.members[1])),
        lambda: forum.spend(10**9, forum.members[0]),
        lambda: forum.spend_option(spend_class="cash"),
        lambda: forum.spend(swim.spend_option_id, forum.members[0], acknowledgement=" "),
        lambda: forum.spend(swim.spend_option_id, forum.organisation_account, by=forum.coordinator),
    ):
        with pytest.raises(TimebankError) as refused:
            attempt()
        refusals.append(refused.value)

    texts = [text for refusal in refusals for text in (refusal.detail, refusal.title)]
    assert len({refusal.code for refusal in refusals}) == len(refusals)
    for text in texts:
        assert find_credit_wording_problems(text) == (), text
        assert find_forbidden_words(text) == (), text


# --- what the database itself refuses ------------------------------------------------------------


def _spend_row(forum: Forum, **changes: Any) -> dict[str, Any]:
    """A spends row for goods, on an exchange of its own (so no other rule is what refuses it)."""
    member = forum.members[0]
    option = forum.spend_option("Bike repair kit", 10, SpendClass.GOODS)
    exchange = record_exchange(
        forum.engine,
        forum.timebank_id,
        Actor("coordinator", is_coordinator=True),
        forum.organisation_account,
        [ReceiverShare(member, 10)],
        utc_now().date(),
        "Bike repair kit",
    )
    row = {
        "timebank_id": forum.timebank_id,
        "spend_option_id": option.spend_option_id,
        "account_id": member,
        "exchange_id": exchange.exchange_id,
        "spend_class": "goods",
        "acknowledged": False,
        "acknowledgement": None,
        "recorded_by": "sql",
        "spent_at": utc_now(),
    }
    return row | changes


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        pytest.param(
            {"spend_class": "member_time", "acknowledged": True, "acknowledgement": "ok"},
            "acknowledged_only_if_risky",
            id="acknowledged_time",
        ),
        pytest.param({"acknowledged": True}, "acknowledged_in_words", id="acknowledged_without_words"),
        pytest.param({"acknowledgement": "ok"}, "acknowledged_in_words", id="words_without_acknowledged"),
        pytest.param({"spend_class": "cash"}, "spend_class_known", id="unknown_class"),
    ],
)
def test_the_database_refuses_a_spend_row_that_breaks_the_class_rules(
    engine: Engine, changes: dict[str, Any], constraint: str
) -> None:
    forum = make_forum(engine, members=1)
    row = _spend_row(forum, **changes)

    with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
        connection.execute(insert(spends).values(row))

    assert constraint in str(refused.value.orig)


def test_the_database_accepts_the_same_row_when_it_keeps_the_rules(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    row = _spend_row(forum, acknowledged=True, acknowledgement="ok")

    with engine.begin() as connection:
        connection.execute(insert(spends).values(row))


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        pytest.param({"minutes": 0}, "minutes_in_range", id="no_minutes"),
        pytest.param({"spend_class": "cash"}, "spend_class_known", id="unknown_class"),
        pytest.param({"active": False}, "withdrawn_iff_inactive", id="inactive_without_a_time"),
        pytest.param(
            {"withdrawn_at": utc_now(), "withdrawn_by": "sql"},
            "withdrawn_iff_inactive",
            id="withdrawn_but_active",
        ),
        pytest.param(
            {"active": False, "withdrawn_at": utc_now()}, "withdrawn_by_someone", id="withdrawn_by_nobody"
        ),
    ],
)
def test_the_database_refuses_an_option_that_breaks_its_rules(
    engine: Engine, values: dict[str, Any], constraint: str
) -> None:
    forum = make_forum(engine, members=1)
    option_id = forum.spend_option().spend_option_id

    with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
        connection.execute(update(spend_options).where(spend_options.c.id == option_id).values(values))

    assert constraint in str(refused.value.orig)


def test_a_spend_row_cannot_point_at_another_timebanks_exchange(engine: Engine) -> None:
    forum = make_forum(engine, members=1)
    elsewhere = make_forum(engine, members=1)
    theirs = elsewhere.spend(elsewhere.spend_option(minutes=10).spend_option_id, elsewhere.members[0])
    row = _spend_row(forum, exchange_id=theirs.exchange_id)

    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert(spends).values(row))
