"""The payment and spend guards (timebank.benefits.guards, spending, categories, advice; B5, B6).

Boundaries, each on both sides: £195.49, £195.50 and £195.51 a week against the permitted work
higher limit; 15.9 hours (954 minutes) against 16 hours of paid work; £196 and £196.01 against the
Carer's Allowance earnings limit; the Universal Credit work allowance per calendar month and per
assessment period. A member who declared nothing gets totals and no warnings; a member who declared
anything gets advice to tell the benefit office and needs an acknowledgement. The organisation's
version of every warning names no benefit and no limit. Property tests: weekly and monthly totals
equal the sum of the payments in each period, every payment lands in exactly one week and one
month, and a limit is crossed exactly when its period's total is above it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE, WarningCode
from timebank.benefits.categories import LIMIT_CODES_BY_CATEGORY, BenefitCategory, limit_codes_for
from timebank.benefits.choices import Reward
from timebank.benefits.errors import BenefitRulesBroken, BreachCode
from timebank.benefits.guards import (
    PAYMENTS_MAX,
    LimitStatus,
    PaidInvolvement,
    PaymentGuard,
    check_payment,
    period_totals,
)
from timebank.benefits.limits import DEFAULT_LIMITS, DEFAULT_SCHEDULE, BenefitLimit, LimitCode
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import SpendClass, check_spend, default_reward

MONDAY = date(2025, 5, 5)
WEDNESDAY = MONDAY + timedelta(days=2)
SUNDAY = MONDAY + timedelta(days=6)
ESA = {BenefitCategory.EMPLOYMENT_AND_SUPPORT_ALLOWANCE}
CARERS = {BenefitCategory.CARERS_ALLOWANCE}
UC = {BenefitCategory.UNIVERSAL_CREDIT}
LEGACY = {BenefitCategory.LEGACY_MEANS_TESTED}
HOURS_15_9 = 15 * 60 + 54  # 15.9 hours


def paid(on: date, pence: int, minutes: int = 120) -> PaidInvolvement:
    return PaidInvolvement(on, pence, minutes)


def status_of(guard: PaymentGuard, code: LimitCode) -> LimitStatus:
    (check,) = [check for check in guard.checks if check.limit.code is code]
    return check.status


def warning_codes(guard: PaymentGuard) -> list[WarningCode]:
    return [warning.code for warning in guard.warnings]


# --- the permitted work higher limit: £195.50 a week, under 16 hours ----------------------------


@pytest.mark.parametrize(
    ("pence", "status"),
    [(19549, LimitStatus.WITHIN), (19550, LimitStatus.REACHED), (19551, LimitStatus.CROSSED)],
)
def test_the_permitted_work_higher_limit_is_crossed_only_above_195_pounds_50(
    pence: int, status: LimitStatus
) -> None:
    guard = check_payment(ESA, [], paid(WEDNESDAY, pence, HOURS_15_9))

    assert status_of(guard, LimitCode.PERMITTED_WORK_HIGHER) is status
    crossed = LimitCode.PERMITTED_WORK_HIGHER in {limit.code for limit in guard.crossed}
    assert crossed is (status is LimitStatus.CROSSED)
    # Any of these is above the £20 lower limit.
    assert status_of(guard, LimitCode.PERMITTED_WORK_LOWER) is LimitStatus.CROSSED


def test_195_pounds_50_exactly_reaches_the_limit_and_says_so_without_crossing_it() -> None:
    guard = check_payment(ESA, [], paid(WEDNESDAY, 19550, HOURS_15_9))
    higher = [w for w in guard.warnings if w.limit_code is LimitCode.PERMITTED_WORK_HIGHER]

    assert [limit.code for limit in guard.reached] == [LimitCode.PERMITTED_WORK_HIGHER]
    assert [w.code for w in higher] == [WarningCode.LIMIT_REACHED]
    assert "exactly" in higher[0].text and "£195.50" in higher[0].text


def test_payments_in_one_week_add_up_to_cross_the_limit() -> None:
    guard = check_payment(ESA, [paid(MONDAY, 10000, 300)], paid(SUNDAY, 9551, 300))
    (check,) = [c for c in guard.checks if c.limit.code is LimitCode.PERMITTED_WORK_HIGHER]

    assert (check.before_pence, check.after_pence) == (10000, 19551)
    assert check.status is LimitStatus.CROSSED
    assert (check.from_on, check.to_on) == (MONDAY, MONDAY + timedelta(days=7))
    crossed = [w for w in guard.warnings if w.code is WarningCode.LIMIT_CROSSED]
    assert any("£195.51" in w.text and "5 May 2025 to 11 May 2025" in w.text for w in crossed)


def test_a_payment_the_monday_after_starts_a_new_week() -> None:
    guard = check_payment(ESA, [paid(SUNDAY, 10000, 300)], paid(SUNDAY + timedelta(days=1), 9551, 300))

    assert status_of(guard, LimitCode.PERMITTED_WORK_HIGHER) is LimitStatus.WITHIN
    assert guard.week.amount_pence == 9551
    assert guard.week.from_on == SUNDAY + timedelta(days=1)


@pytest.mark.parametrize(
    ("minutes", "condition_met"),
    [(HOURS_15_9, True), (959, True), (960, False), (1200, False)],
)
def test_the_higher_limit_needs_fewer_than_16_paid_hours_a_week(minutes: int, condition_met: bool) -> None:
    guard = check_payment(ESA, [], paid(WEDNESDAY, 5000, minutes))
    status = status_of(guard, LimitCode.PERMITTED_WORK_HIGHER)
    hours_warned = WarningCode.PERMITTED_WORK_HOURS_REACHED in warning_codes(guard)

    assert (status is not LimitStatus.HOURS_CONDITION_NOT_MET) is condition_met
    assert hours_warned is not condition_met
    if condition_met:
        assert status is LimitStatus.WITHIN


def test_paid_hours_add_up_across_a_week() -> None:
    guard = check_payment(ESA, [paid(MONDAY, 1000, 480)], paid(WEDNESDAY, 1000, 480))
    (warning,) = [w for w in guard.warnings if w.code is WarningCode.PERMITTED_WORK_HOURS_REACHED]

    assert guard.week.worked_minutes == 960
    assert "16 hours of paid work" in warning.text


# --- Carer's Allowance: £196 a week -------------------------------------------------------------


@pytest.mark.parametrize(
    ("pence", "status"),
    [(19599, LimitStatus.WITHIN), (19600, LimitStatus.REACHED), (19601, LimitStatus.CROSSED)],
)
def test_the_carers_allowance_limit_is_crossed_only_above_196_pounds(pence: int, status: LimitStatus) -> None:
    guard = check_payment(CARERS, [], paid(WEDNESDAY, pence))

    assert [check.limit.code for check in guard.checks] == [LimitCode.CARERS_ALLOWANCE_EARNINGS]
    assert status_of(guard, LimitCode.CARERS_ALLOWANCE_EARNINGS) is status


# --- Universal Credit: a month, or an assessment period ----------------------------------------


def test_the_work_allowance_counts_a_calendar_month_by_default() -> None:
    guard = check_payment(UC, [paid(date(2025, 5, 2), 20000)], paid(date(2025, 5, 30), 21101))

    assert guard.month.amount_pence == 41101
    assert status_of(guard, LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING) is LimitStatus.CROSSED
    assert status_of(guard, LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITHOUT_HOUSING) is LimitStatus.WITHIN


def test_the_work_allowance_counts_the_assessment_period_when_it_starts_on_the_claim_day() -> None:
    guard = check_payment(
        UC, [paid(date(2025, 5, 2), 20000)], paid(date(2025, 5, 30), 21101), month_start_day=15
    )

    assert (guard.month.from_on, guard.month.to_on) == (date(2025, 5, 15), date(2025, 6, 15))
    assert guard.month.amount_pence == 21101
    assert status_of(guard, LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING) is LimitStatus.WITHIN


def test_legacy_disregards_are_each_checked_by_the_week() -> None:
    guard = check_payment(LEGACY, [], paid(WEDNESDAY, 1000))

    assert status_of(guard, LimitCode.EARNINGS_DISREGARD_SINGLE) is LimitStatus.CROSSED
    assert status_of(guard, LimitCode.EARNINGS_DISREGARD_COUPLE) is LimitStatus.REACHED
    assert status_of(guard, LimitCode.EARNINGS_DISREGARD_HIGHER) is LimitStatus.WITHIN


# --- who is warned, and how ---------------------------------------------------------------------


def test_a_member_who_declared_nothing_gets_totals_but_no_warnings_or_acknowledgement() -> None:
    guard = check_payment(set(), [paid(MONDAY, 50000, 1200)], paid(WEDNESDAY, 50000, 1200))

    assert guard.declared is False
    assert guard.warnings == ()
    assert guard.checks == ()
    assert guard.acknowledgement_needed is False
    assert guard.week.amount_pence == 100000


@pytest.mark.parametrize("category", list(BenefitCategory))
def test_any_declared_category_brings_advice_to_tell_the_benefit_office_and_an_acknowledgement(
    category: BenefitCategory,
) -> None:
    guard = check_payment({category}, [], paid(WEDNESDAY, 100))

    assert guard.acknowledgement_needed is True
    assert guard.warnings[0].code is WarningCode.PAYMENT_MAY_AFFECT_BENEFITS
    assert "tell your benefit office" in guard.warnings[0].text
    assert "time credits" in guard.warnings[0].text
    assert {check.limit.code for check in guard.checks} == set(LIMIT_CODES_BY_CATEGORY[category])


def test_prefer_not_to_say_is_treated_with_care_but_names_no_limit() -> None:
    guard = check_payment({BenefitCategory.PREFER_NOT_TO_SAY}, [], paid(WEDNESDAY, 100_000))

    assert warning_codes(guard) == [
        WarningCode.PAYMENT_MAY_AFFECT_BENEFITS,
        WarningCode.BENEFITS_NOT_SPECIFIED,
    ]
    assert guard.checks == ()
    assert guard.acknowledgement_needed is True


def test_limits_are_those_in_force_on_the_day_of_the_payment() -> None:
    before = check_payment(ESA, [], paid(date(2025, 4, 6), 100_000))
    raised = DEFAULT_SCHEDULE.with_entries(
        [
            BenefitLimit(
                LimitCode.PERMITTED_WORK_HIGHER,
                "permitted work higher limit",
                20400,
                PeriodKind.WEEK,
                date(2026, 4, 6),
                "a test",
                weekly_work_minutes_below=960,
            )
        ]
    )
    after = check_payment(ESA, [], paid(date(2026, 4, 8), 20000, 600), schedule=raised)

    assert before.checks == ()  # no 2025/26 limit yet; the general advice still stands
    assert warning_codes(before) == [WarningCode.PAYMENT_MAY_AFFECT_BENEFITS]
    assert status_of(after, LimitCode.PERMITTED_WORK_HIGHER) is LimitStatus.WITHIN


def test_the_organisation_is_warned_without_learning_which_benefits_a_member_gets() -> None:
    every_category = set(BenefitCategory)
    guard = check_payment(every_category, [paid(MONDAY, 30000, 600)], paid(WEDNESDAY, 80000, 600))
    secrets = [category.label for category in BenefitCategory] + [limit.name for limit in DEFAULT_LIMITS]
    secrets += ["Carer", "Universal Credit", "permitted work", "disregard", "Allowance", "week", "month"]

    assert guard.crossed  # there is something to warn about
    assert guard.organisation_texts == (ORGANISATION_PAYMENT_ADVICE,)  # one sentence, not the limit's
    assert guard.organisation_codes == (WarningCode.PAYMENT_MAY_AFFECT_BENEFITS,)
    for text in guard.organisation_texts:
        assert not [secret for secret in secrets if secret.lower() in text.lower()], text
    for warning in guard.warnings:
        assert warning.organisation_text in guard.organisation_texts
        assert warning.organisation_code in guard.organisation_codes


def test_a_member_who_declared_nothing_gives_the_organisation_nothing_to_read() -> None:
    guard = check_payment(set(), [paid(MONDAY, 30000, 600)], paid(WEDNESDAY, 80000, 600))

    assert guard.organisation_texts == ()
    assert guard.organisation_codes == ()
    assert not guard.acknowledgement_needed


_DECLARED = st.sets(st.sampled_from(list(BenefitCategory)), min_size=1)
_PAYMENT = st.builds(
    PaidInvolvement,
    st.dates(MONDAY - timedelta(days=40), MONDAY + timedelta(days=40)),
    st.integers(1, 100_000),
    st.integers(0, 24 * 60),
)


@given(_DECLARED, _DECLARED, st.lists(_PAYMENT, max_size=8), _PAYMENT)
def test_what_the_organisation_is_told_is_the_same_whatever_was_declared(
    first: set[BenefitCategory],
    second: set[BenefitCategory],
    made: list[PaidInvolvement],
    proposed: PaidInvolvement,
) -> None:
    """B4: any two declarations, any payments before, any amount: the organisation's answer is equal."""
    one = check_payment(first, made, proposed)
    other = check_payment(second, made, proposed)

    assert one.organisation_texts == other.organisation_texts
    assert one.organisation_codes == other.organisation_codes
    assert one.acknowledgement_needed is other.acknowledgement_needed is True


def test_a_malformed_request_names_every_problem() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        proposed = PaidInvolvement(MONDAY, 1.5, 60)  # type: ignore[arg-type]
        check_payment(ESA, [PaidInvolvement(MONDAY, 0, -1)], proposed, month_start_day=32)

    assert [b.code for b in refused.value.breaches] == [
        BreachCode.MONTH_START_DAY_OUT_OF_RANGE,
        BreachCode.PENCE_MUST_BE_POSITIVE,
        BreachCode.MINUTES_MUST_NOT_BE_NEGATIVE,
        BreachCode.PENCE_MUST_BE_WHOLE,
    ]


def test_a_payment_history_is_bounded() -> None:
    history = [paid(MONDAY, 1, 0)] * (PAYMENTS_MAX + 1)

    with pytest.raises(BenefitRulesBroken) as refused:
        check_payment(ESA, history, paid(MONDAY, 1))

    assert refused.value.code == BreachCode.TOO_MANY_PAYMENTS


def test_a_gift_may_pay_for_no_time() -> None:
    guard = check_payment(CARERS, [], paid(WEDNESDAY, 1500, 0))

    assert guard.week.worked_minutes == 0


# --- totals, as properties ----------------------------------------------------------------------

payment_days = st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31))
payments = st.lists(
    st.builds(PaidInvolvement, payment_days, st.integers(1, 50_000), st.integers(0, 600)), max_size=30
)


@given(payments, st.integers(1, 31))
def test_totals_equal_the_sum_of_payments_in_each_period_and_each_payment_lands_once(
    made: list[PaidInvolvement], start_day: int
) -> None:
    for kind in PeriodKind:
        totals = period_totals(made, kind, start_day)

        assert sum(t.amount_pence for t in totals) == sum(p.amount_pence for p in made)
        assert sum(t.worked_minutes for t in totals) == sum(p.worked_minutes for p in made)
        for total in totals:
            inside = [p for p in made if total.from_on <= p.paid_on < total.to_on]
            assert total.amount_pence == sum(p.amount_pence for p in inside)
            assert total.payment_count == len(inside) > 0
        for payment in made:
            assert len([t for t in totals if t.from_on <= payment.paid_on < t.to_on]) == 1
        for earlier, later in pairwise(totals):
            assert earlier.to_on <= later.from_on  # in date order, never overlapping


@given(payments, st.builds(PaidInvolvement, payment_days, st.integers(1, 50_000), st.integers(0, 600)))
def test_the_guards_week_and_month_hold_every_payment_in_them_including_the_proposed_one(
    made: list[PaidInvolvement], proposed: PaidInvolvement
) -> None:
    guard = check_payment(set(), made, proposed)
    everything = [*made, proposed]

    for total in (guard.week, guard.month):
        assert total.from_on <= proposed.paid_on < total.to_on
        inside = [p for p in everything if total.from_on <= p.paid_on < total.to_on]
        assert total.amount_pence == sum(p.amount_pence for p in inside)
    assert guard.week.kind is PeriodKind.WEEK and guard.month.kind is PeriodKind.MONTH
    assert guard.week.from_on.weekday() == 0


@given(
    payments,
    st.builds(PaidInvolvement, payment_days, st.integers(1, 50_000), st.integers(0, 300)),
    st.sets(st.sampled_from(list(BenefitCategory))),
)
def test_a_limit_is_crossed_exactly_when_its_periods_total_is_above_it(
    made: list[PaidInvolvement], proposed: PaidInvolvement, categories: Collection[BenefitCategory]
) -> None:
    guard = check_payment(categories, made, proposed)

    assert guard.acknowledgement_needed is bool(categories)
    assert {c.limit.code for c in guard.checks} <= set(limit_codes_for(categories))
    for check in guard.checks:
        total = guard.week if check.limit.period is PeriodKind.WEEK else guard.month
        assert check.after_pence == total.amount_pence
        assert check.before_pence == total.amount_pence - proposed.amount_pence
        if check.status is not LimitStatus.HOURS_CONDITION_NOT_MET:
            assert (check.status is LimitStatus.CROSSED) is (total.amount_pence > check.limit.amount_pence)
            assert (check.status is LimitStatus.REACHED) is (total.amount_pence == check.limit.amount_pence)
        else:
            assert guard.week.worked_minutes >= 960


# --- the default reward and spending ------------------------------------------------------------


def test_a_member_who_declared_benefits_is_offered_credits_plus_expenses_by_default() -> None:
    declared = default_reward(ESA, organisation_default=Reward.PAYMENT)
    undeclared = default_reward(set(), organisation_default=Reward.PAYMENT)

    assert (declared.choice, declared.expenses_repaid) == (Reward.CREDITS, True)
    assert (undeclared.choice, undeclared.expenses_repaid) == (Reward.PAYMENT, True)


@pytest.mark.parametrize("spend_class", [SpendClass.GOODS, SpendClass.VOUCHER])
def test_goods_and_vouchers_are_refused_for_a_declared_member_unless_acknowledged(
    spend_class: SpendClass,
) -> None:
    refused = check_spend(UC, spend_class, acknowledged=False)
    acknowledged = check_spend(UC, spend_class, acknowledged=True)

    assert (refused.allowed, refused.acknowledgement_needed) == (False, True)
    assert (acknowledged.allowed, acknowledged.acknowledgement_needed) == (True, True)
    assert refused.warning is not None and refused.warning.code is WarningCode.SPEND_MAY_AFFECT_BENEFITS
    assert "benefit office" in refused.warning.text


@pytest.mark.parametrize("spend_class", list(SpendClass))
def test_spending_is_never_held_up_for_a_member_who_declared_nothing(spend_class: SpendClass) -> None:
    decision = check_spend(set(), spend_class, acknowledged=False)

    assert (decision.allowed, decision.acknowledgement_needed, decision.warning) == (True, False, None)


@pytest.mark.parametrize("spend_class", [SpendClass.MEMBER_TIME, SpendClass.COMMUNITY_ACTIVITY])
def test_time_and_community_activities_are_always_allowed(spend_class: SpendClass) -> None:
    decision = check_spend(set(BenefitCategory), spend_class, acknowledged=False)

    assert (decision.allowed, decision.acknowledgement_needed) == (True, False)
