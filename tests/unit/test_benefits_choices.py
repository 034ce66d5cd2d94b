"""Reward choices and recognition (timebank.benefits.choices, activities; DESIGN B3).

What each choice means: only ``credits`` posts credits; ``payment`` and ``reduced_payment`` make a
payment to the member; ``decline`` makes none (at most a note of the declined offer); ``charity``
makes a redirected-payment record, never a payment to the member. The details a choice needs (an
offer, a smaller amount below it, a charity's name) are checked, all at once. Recognition: one plan
per activity whose transfers run from the organisation to each credit-choosing attendee; a property
test shows its minutes always equal the sum of those attendees' minutes, and that posting it
through the ledger's own rules moves exactly that many minutes out of the organisation's account.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.benefits.activities import (
    ATTENDEES_MAX,
    Activity,
    ActivityClassification,
    Attendance,
    plan_recognition,
)
from timebank.benefits.choices import (
    CHOICE_MEANINGS,
    MoneyRecordKind,
    PaymentOffer,
    Reward,
    money_for_choice,
)
from timebank.benefits.errors import BenefitRulesBroken, BreachCode
from timebank.benefits.money import DeclinedPayment, Payment, PaymentKind, PaymentPeriod, RedirectedPayment
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX, post
from timebank.ledger.types import AccountKind, AccountState, TransferIntent

ON = date(2025, 5, 6)
ORGANISATION = 1


def offer(amount_pence: int = 2500, kind: PaymentKind = PaymentKind.CASH) -> PaymentOffer:
    return PaymentOffer(amount_pence, kind, PaymentPeriod.week_of(ON), "User forum")


def breach_codes(refused: pytest.ExceptionInfo[BenefitRulesBroken]) -> list[BreachCode]:
    return [breach.code for breach in refused.value.breaches]


# --- what each choice means ---------------------------------------------------------------------


def test_only_the_credits_choice_posts_credits() -> None:
    posting = {choice for choice, meaning in CHOICE_MEANINGS.items() if meaning.posts_credits}

    assert posting == {Reward.CREDITS}
    assert set(CHOICE_MEANINGS) == set(Reward)


def test_only_payment_and_reduced_payment_pay_the_member() -> None:
    paying = {choice for choice, meaning in CHOICE_MEANINGS.items() if meaning.pays_member}

    assert paying == {Reward.PAYMENT, Reward.REDUCED_PAYMENT}
    assert CHOICE_MEANINGS[Reward.CHARITY].money_record is MoneyRecordKind.REDIRECTED_PAYMENT
    assert CHOICE_MEANINGS[Reward.DECLINE].money_record is MoneyRecordKind.DECLINED_PAYMENT
    assert CHOICE_MEANINGS[Reward.CREDITS].money_record is MoneyRecordKind.NONE


def test_choosing_credits_leaves_no_money_record_even_with_an_offer() -> None:
    assert money_for_choice(Reward.CREDITS, offer(), ON) is None
    assert money_for_choice(Reward.CREDITS, None, ON) is None


def test_choosing_payment_makes_a_payment_of_the_offer_covering_its_period() -> None:
    made = money_for_choice(Reward.PAYMENT, offer(2500, PaymentKind.VOUCHER), ON)

    assert made == Payment(ON, "User forum", 2500, PaymentKind.VOUCHER, PaymentPeriod.week_of(ON))


def test_a_reduced_payment_is_a_payment_of_less_than_the_offer() -> None:
    made = money_for_choice(Reward.REDUCED_PAYMENT, offer(2500), ON, reduced_pence=1900)

    assert isinstance(made, Payment)
    assert made.amount_pence == 1900


@pytest.mark.parametrize("reduced_pence", [2500, 2501])
def test_a_reduced_payment_at_or_above_the_offer_is_refused(reduced_pence: int) -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        money_for_choice(Reward.REDUCED_PAYMENT, offer(2500), ON, reduced_pence=reduced_pence)

    assert breach_codes(refused) == [BreachCode.REDUCED_PAYMENT_NOT_BELOW_OFFER]


def test_declining_records_the_declined_offer_and_no_payment() -> None:
    made = money_for_choice(Reward.DECLINE, offer(2500), ON)

    assert made == DeclinedPayment(ON, "User forum", 2500, PaymentKind.CASH)
    assert money_for_choice(Reward.DECLINE, None, ON) is None


def test_choosing_a_charity_records_a_redirected_payment_to_that_charity() -> None:
    made = money_for_choice(Reward.CHARITY, offer(2500), ON, charity_name=" Mind ")

    assert made == RedirectedPayment(ON, "User forum", 2500, "Mind")


def test_a_choice_missing_what_it_needs_names_every_problem() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        money_for_choice(Reward.CHARITY, None, ON, reduced_pence=100)

    assert breach_codes(refused) == [
        BreachCode.PAYMENT_NOT_OFFERED,
        BreachCode.CHOICE_DETAIL_NOT_WANTED,
        BreachCode.CHARITY_NAME_MISSING,
    ]


@pytest.mark.parametrize(
    ("choice", "details", "code"),
    [
        (Reward.PAYMENT, {}, BreachCode.PAYMENT_NOT_OFFERED),
        (Reward.REDUCED_PAYMENT, {"reduced_pence": 100}, BreachCode.PAYMENT_NOT_OFFERED),
        (Reward.CREDITS, {"charity_name": "Mind"}, BreachCode.CHOICE_DETAIL_NOT_WANTED),
    ],
)
def test_choices_are_checked_against_the_offer(
    choice: Reward, details: dict[str, object], code: BreachCode
) -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        money_for_choice(choice, None, ON, **details)  # type: ignore[arg-type]

    assert code in breach_codes(refused)


def test_a_reduced_payment_without_its_amount_is_refused() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        money_for_choice(Reward.REDUCED_PAYMENT, offer(), ON)

    assert breach_codes(refused) == [BreachCode.REDUCED_PAYMENT_MISSING]


@given(
    st.sampled_from([Reward.DECLINE, Reward.CHARITY]),
    st.integers(1, 100_000),
    st.sampled_from(list(PaymentKind)),
    st.booleans(),
)
def test_declining_or_choosing_a_charity_never_pays_the_member(
    choice: Reward, amount_pence: int, kind: PaymentKind, offered: bool
) -> None:
    charity = "Mind" if choice is Reward.CHARITY else None
    if choice is Reward.CHARITY and not offered:
        with pytest.raises(BenefitRulesBroken):
            money_for_choice(choice, None, ON, charity_name=charity)
        return

    made = money_for_choice(choice, offer(amount_pence, kind) if offered else None, ON, charity_name=charity)

    assert not isinstance(made, Payment)
    assert not CHOICE_MEANINGS[choice].pays_member
    assert not CHOICE_MEANINGS[choice].posts_credits


# --- activities ---------------------------------------------------------------------------------


def test_an_activity_carries_its_classification_with_the_legal_phrase_as_label() -> None:
    forum = Activity("User forum", ON, 120, ActivityClassification.USES_SERVICES, "Shape the service")

    assert forum.classification.value == "uses_services"
    assert forum.classification.label == "Participating as a service user"
    with pytest.raises(BenefitRulesBroken) as refused:
        Activity("", ON, 0, ActivityClassification.VOLUNTEERING, "")
    assert breach_codes(refused) == [BreachCode.TEXT_REQUIRED, BreachCode.MINUTES_MUST_BE_POSITIVE]


# --- recognition --------------------------------------------------------------------------------


def test_a_recognition_pays_each_credit_choosing_attendee_from_the_organisation() -> None:
    attendance = [
        Attendance(10, 120, Reward.CREDITS),
        Attendance(11, 120, Reward.PAYMENT),
        Attendance(12, 90, Reward.CREDITS),
        Attendance(13, 120, Reward.DECLINE),
        Attendance(14, 120, Reward.CHARITY),
    ]

    plan = plan_recognition(ORGANISATION, attendance)

    assert plan.transfers == (TransferIntent(ORGANISATION, 10, 120), TransferIntent(ORGANISATION, 12, 90))
    assert plan.total_minutes == 210
    assert [a.account_id for a in plan.not_credited] == [11, 13, 14]


def test_a_recognition_with_no_credit_choices_posts_nothing() -> None:
    plan = plan_recognition(
        ORGANISATION, [Attendance(10, 60, Reward.PAYMENT), Attendance(11, 60, Reward.DECLINE)]
    )

    assert plan.transfers == ()
    assert plan.total_minutes == 0
    assert len(plan.not_credited) == 2


def test_a_malformed_attendance_list_is_refused_with_every_problem() -> None:
    attendance = [
        Attendance(10, 0, Reward.CREDITS),
        Attendance(ORGANISATION, 60, Reward.CREDITS),
        Attendance(11, MINUTES_PER_TRANSFER_MAX + 1, Reward.CREDITS),
        Attendance(12, 1.5, Reward.PAYMENT),  # type: ignore[arg-type]
        Attendance(13, 60, Reward.CREDITS),
        Attendance(13, 60, Reward.CREDITS),
    ]

    with pytest.raises(BenefitRulesBroken) as refused:
        plan_recognition(ORGANISATION, attendance)

    assert breach_codes(refused) == [
        BreachCode.MINUTES_MUST_BE_POSITIVE,
        BreachCode.ACCOUNTS_MUST_DIFFER,
        BreachCode.MINUTES_ABOVE_TRANSFER_LIMIT,
        BreachCode.MINUTES_MUST_BE_WHOLE,
        BreachCode.ATTENDEE_REPEATED,
    ]


def test_attendance_is_required_and_bounded() -> None:
    with pytest.raises(BenefitRulesBroken) as empty:
        plan_recognition(ORGANISATION, [])
    too_many = [Attendance(100 + i, 60, Reward.CREDITS) for i in range(ATTENDEES_MAX + 1)]
    with pytest.raises(BenefitRulesBroken) as crowded:
        plan_recognition(ORGANISATION, too_many)

    assert breach_codes(empty) == [BreachCode.ATTENDEES_REQUIRED]
    assert breach_codes(crowded) == [BreachCode.TOO_MANY_ATTENDEES]


def test_a_money_record_passed_as_attendance_is_a_type_error() -> None:
    payment = Payment(ON, "Panel", 2500, PaymentKind.CASH, PaymentPeriod.week_of(ON))

    with pytest.raises(TypeError):
        plan_recognition(ORGANISATION, [payment])  # type: ignore[list-item]


attendance_lists = st.lists(
    st.tuples(st.integers(2, 10_000), st.integers(1, 600), st.sampled_from(list(Reward))),
    min_size=1,
    max_size=40,
    unique_by=lambda row: row[0],
).map(lambda rows: [Attendance(account, minutes, choice) for account, minutes, choice in rows])


def account(account_id: int, kind: AccountKind, floor_minutes: int) -> AccountState:
    return AccountState(account_id, 1, kind, 0, 0, 0, floor_minutes, None, 0)


@given(attendance_lists)
def test_a_recognitions_credits_equal_the_credit_choosing_attendees_minutes(
    attendance: list[Attendance],
) -> None:
    plan = plan_recognition(ORGANISATION, attendance)
    choosing_credits = [a for a in attendance if a.choice is Reward.CREDITS]

    assert plan.total_minutes == sum(a.minutes for a in choosing_credits)
    assert [t.target_account_id for t in plan.transfers] == [a.account_id for a in choosing_credits]
    assert all(t.source_account_id == ORGANISATION for t in plan.transfers)
    assert len(plan.transfers) + len(plan.not_credited) == len(attendance)
    assert all(a.choice is not Reward.CREDITS for a in plan.not_credited)

    # Posted through the ledger's own rules, the organisation pays exactly those minutes (L2).
    accounts = {a.account_id: account(a.account_id, AccountKind.MEMBER, -600) for a in attendance}
    accounts[ORGANISATION] = account(ORGANISATION, AccountKind.ORGANISATION, -100_000)
    changed, posted = post(accounts, plan.transfers)
    if plan.transfers:
        assert changed[ORGANISATION].balance_minutes == -plan.total_minutes
        assert sum(state.balance_minutes for state in changed.values()) == 0
    assert sum(transfer.minutes for transfer in posted) == plan.total_minutes
