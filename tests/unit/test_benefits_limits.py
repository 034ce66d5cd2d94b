"""Benefit limits as dated settings, and the weeks and months they count in (timebank.benefits).

Covers the 2025/26 defaults (amounts in pence, periods, the permitted work hours condition, a source
for each); which limits are in force before, on and after a change (a later entry supersedes an
earlier one with the same code, an ended entry leaves no limit, a timebank's own schedule edits the
defaults); the rules a limit and a schedule refuse; and the periods: Monday-start weeks, calendar
months, and Universal Credit assessment periods that start on the claim day, with reg. 21(2)'s rule
for the 29th, 30th and 31st. Property tests show that weeks and monthly periods tile the calendar:
every day lies in exactly one of each.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from timebank.benefits.errors import BenefitRulesBroken, BreachCode
from timebank.benefits.limits import (
    DEFAULT_LIMITS,
    DEFAULT_SCHEDULE,
    LIMITS_2025_26_FROM_ON,
    PERMITTED_WORK_WEEKLY_MINUTES_BELOW,
    BenefitLimit,
    LimitCode,
    LimitSchedule,
)
from timebank.benefits.periods import PeriodKind, month_period_of, month_period_start_on, period_of, week_of

CHANGE_ON = date(2026, 4, 6)


def limit(
    code: LimitCode = LimitCode.PERMITTED_WORK_HIGHER,
    amount_pence: int = 20000,
    valid_from_on: date = CHANGE_ON,
    valid_to_on: date | None = None,
    **overrides: object,
) -> BenefitLimit:
    values: dict[str, object] = {
        "code": code,
        "name": "permitted work higher limit",
        "amount_pence": amount_pence,
        "period": PeriodKind.WEEK,
        "valid_from_on": valid_from_on,
        "source": "a test",
        "valid_to_on": valid_to_on,
        "weekly_work_minutes_below": 960,
    }
    values.update(overrides)
    return BenefitLimit(**values)  # type: ignore[arg-type]


def codes_of(exc: pytest.ExceptionInfo[BenefitRulesBroken]) -> list[BreachCode]:
    return [breach.code for breach in exc.value.breaches]


# --- the defaults -------------------------------------------------------------------------------


def test_the_2025_26_defaults_hold_the_issues_amounts_in_pence() -> None:
    amounts = {entry.code: (entry.amount_pence, entry.period) for entry in DEFAULT_LIMITS}

    assert amounts == {
        LimitCode.PERMITTED_WORK_LOWER: (2000, PeriodKind.WEEK),
        LimitCode.PERMITTED_WORK_HIGHER: (19550, PeriodKind.WEEK),
        LimitCode.CARERS_ALLOWANCE_EARNINGS: (19600, PeriodKind.WEEK),
        LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITH_HOUSING: (41100, PeriodKind.MONTH),
        LimitCode.UNIVERSAL_CREDIT_WORK_ALLOWANCE_WITHOUT_HOUSING: (68400, PeriodKind.MONTH),
        LimitCode.EARNINGS_DISREGARD_SINGLE: (500, PeriodKind.WEEK),
        LimitCode.EARNINGS_DISREGARD_COUPLE: (1000, PeriodKind.WEEK),
        LimitCode.EARNINGS_DISREGARD_HIGHER: (2000, PeriodKind.WEEK),
    }


def test_every_default_starts_on_7_april_2025_has_a_source_and_is_open_ended() -> None:
    assert LIMITS_2025_26_FROM_ON.isoformat() == "2025-04-07"
    assert LIMITS_2025_26_FROM_ON.weekday() == 0  # a Monday, the start of a benefit week
    for entry in DEFAULT_LIMITS:
        assert entry.valid_from_on == LIMITS_2025_26_FROM_ON
        assert entry.valid_to_on is None
        assert "Regulations" in entry.source
        assert entry.name and entry.label[0].isupper()


def test_only_the_permitted_work_higher_limit_has_an_hours_condition_of_16_hours() -> None:
    with_hours = {entry.code: entry.weekly_work_minutes_below for entry in DEFAULT_LIMITS}

    assert PERMITTED_WORK_WEEKLY_MINUTES_BELOW == 16 * 60
    assert with_hours.pop(LimitCode.PERMITTED_WORK_HIGHER) == 960
    assert set(with_hours.values()) == {None}


def test_the_hours_condition_is_strictly_fewer_than_16_hours() -> None:
    higher = DEFAULT_SCHEDULE.limit_on(LimitCode.PERMITTED_WORK_HIGHER, LIMITS_2025_26_FROM_ON)
    assert higher is not None

    assert higher.hours_condition_met(15 * 60 + 54)  # 15.9 hours
    assert higher.hours_condition_met(959)
    assert not higher.hours_condition_met(16 * 60)
    assert not higher.hours_condition_met(20 * 60)


# --- which limits are in force ------------------------------------------------------------------


def test_no_default_is_in_force_the_day_before_2025_26_begins() -> None:
    assert DEFAULT_SCHEDULE.in_force_on(date(2025, 4, 6)) == ()
    assert DEFAULT_SCHEDULE.limit_on(LimitCode.CARERS_ALLOWANCE_EARNINGS, date(2025, 4, 6)) is None


def test_every_default_is_in_force_on_its_first_day_once_each_in_code_order() -> None:
    in_force = DEFAULT_SCHEDULE.in_force_on(LIMITS_2025_26_FROM_ON)

    assert [entry.code for entry in in_force] == list(LimitCode)
    assert in_force == DEFAULT_LIMITS


def test_a_later_entry_supersedes_an_earlier_one_with_the_same_code_from_its_first_day() -> None:
    schedule = DEFAULT_SCHEDULE.with_entries([limit(amount_pence=20000, valid_from_on=CHANGE_ON)])
    code = LimitCode.PERMITTED_WORK_HIGHER

    before = schedule.limit_on(code, CHANGE_ON - timedelta(days=1))
    on = schedule.limit_on(code, CHANGE_ON)
    after = schedule.limit_on(code, CHANGE_ON + timedelta(days=400))

    assert before is not None and before.amount_pence == 19550
    assert on is not None and on.amount_pence == 20000
    assert after is not None and after.amount_pence == 20000
    # The other codes are untouched by the change.
    lower = schedule.limit_on(LimitCode.PERMITTED_WORK_LOWER, CHANGE_ON)
    assert lower is not None and lower.amount_pence == 2000
    assert len(schedule.in_force_on(CHANGE_ON)) == len(LimitCode)


def test_an_ended_entry_leaves_no_limit_rather_than_reviving_the_one_it_superseded() -> None:
    ends_on = CHANGE_ON + timedelta(days=30)
    schedule = DEFAULT_SCHEDULE.with_entries([limit(valid_from_on=CHANGE_ON, valid_to_on=ends_on)])
    code = LimitCode.PERMITTED_WORK_HIGHER

    last_day = schedule.limit_on(code, ends_on - timedelta(days=1))

    assert last_day is not None and last_day.amount_pence == 20000
    assert schedule.limit_on(code, ends_on) is None
    assert code not in {entry.code for entry in schedule.in_force_on(ends_on)}


def test_editing_the_defaults_leaves_the_default_schedule_unchanged() -> None:
    DEFAULT_SCHEDULE.with_entries([limit()])

    assert len(DEFAULT_SCHEDULE.entries) == len(DEFAULT_LIMITS)
    higher = DEFAULT_SCHEDULE.limit_on(LimitCode.PERMITTED_WORK_HIGHER, CHANGE_ON)
    assert higher is not None and higher.amount_pence == 19550


def test_a_limit_read_from_storage_as_strings_holds_the_enums() -> None:
    entry = limit(code="carers_allowance_earnings", period="week")  # type: ignore[arg-type]

    assert entry.code is LimitCode.CARERS_ALLOWANCE_EARNINGS
    assert entry.period is PeriodKind.WEEK
    assert LimitSchedule((entry,)).limit_on(LimitCode.CARERS_ALLOWANCE_EARNINGS, CHANGE_ON) == entry


# --- what a limit and a schedule refuse ---------------------------------------------------------


def test_two_entries_for_one_code_starting_the_same_day_are_refused() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        DEFAULT_SCHEDULE.with_entries([limit(), limit(amount_pence=21000)])

    assert codes_of(refused) == [BreachCode.LIMIT_ENTRY_REPEATED]


def test_a_malformed_limit_names_every_broken_rule() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        limit(amount_pence=0, name=" ", valid_to_on=CHANGE_ON, weekly_work_minutes_below=-1)

    assert codes_of(refused) == [
        BreachCode.PENCE_MUST_BE_POSITIVE,
        BreachCode.TEXT_REQUIRED,
        BreachCode.LIMIT_MUST_END_AFTER_START,
        BreachCode.LIMIT_HOURS_MUST_BE_POSITIVE,
    ]
    assert isinstance(refused.value, ValueError)


@pytest.mark.parametrize("amount", [19550.0, True, "19550"])
def test_a_limit_amount_must_be_whole_pence_never_a_float(amount: object) -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        limit(amount_pence=amount)  # type: ignore[arg-type]

    assert codes_of(refused) == [BreachCode.PENCE_MUST_BE_WHOLE]


# --- weeks and monthly periods ------------------------------------------------------------------


def test_a_week_runs_monday_to_sunday_half_open() -> None:
    assert week_of(date(2025, 4, 7)) == (date(2025, 4, 7), date(2025, 4, 14))
    assert week_of(date(2025, 4, 13)) == (date(2025, 4, 7), date(2025, 4, 14))
    assert week_of(date(2025, 4, 14)) == (date(2025, 4, 14), date(2025, 4, 21))
    assert week_of(date(2025, 12, 31)) == (date(2025, 12, 29), date(2026, 1, 5))


def test_a_calendar_month_is_the_default_monthly_period() -> None:
    assert month_period_of(date(2025, 2, 14)) == (date(2025, 2, 1), date(2025, 3, 1))
    assert month_period_of(date(2025, 12, 31)) == (date(2025, 12, 1), date(2026, 1, 1))
    assert period_of(PeriodKind.MONTH, date(2025, 5, 1)) == (date(2025, 5, 1), date(2025, 6, 1))


def test_an_assessment_period_starts_on_the_claim_day_each_month() -> None:
    assert month_period_of(date(2025, 5, 14), 15) == (date(2025, 4, 15), date(2025, 5, 15))
    assert month_period_of(date(2025, 5, 15), 15) == (date(2025, 5, 15), date(2025, 6, 15))
    assert month_period_of(date(2025, 1, 3), 15) == (date(2024, 12, 15), date(2025, 1, 15))


@pytest.mark.parametrize(
    ("year", "month", "start_day", "expected"),
    [
        (2025, 4, 31, date(2025, 4, 30)),  # reg. 21(2)(a): the last day of the month
        (2025, 2, 31, date(2025, 2, 28)),
        (2025, 2, 30, date(2025, 2, 27)),  # reg. 21(2)(b): the 27th of February...
        (2025, 2, 29, date(2025, 2, 27)),
        (2024, 2, 29, date(2024, 2, 28)),  # ...or the 28th in a leap year
        (2024, 2, 31, date(2024, 2, 29)),
        (2025, 3, 30, date(2025, 3, 30)),
        (2025, 2, 28, date(2025, 2, 28)),
    ],
)
def test_periods_that_start_late_in_the_month_follow_reg_21_2(
    year: int, month: int, start_day: int, expected: date
) -> None:
    assert month_period_start_on(year, month, start_day) == expected


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))


@given(days)
def test_every_day_lies_in_exactly_one_week_of_seven_days_from_a_monday(on: date) -> None:
    from_on, to_on = week_of(on)

    assert from_on <= on < to_on
    assert from_on.weekday() == 0
    assert to_on - from_on == timedelta(days=7)
    # The next week starts where this one ends: weeks neither overlap nor leave gaps.
    assert week_of(to_on)[0] == to_on
    assert week_of(from_on - timedelta(days=1))[1] == from_on


@given(days, st.integers(1, 31))
def test_every_day_lies_in_exactly_one_monthly_period_of_one_month(on: date, start_day: int) -> None:
    from_on, to_on = month_period_of(on, start_day)

    assert from_on <= on < to_on
    assert 27 <= (to_on - from_on).days <= 31
    assert month_period_of(to_on, start_day)[0] == to_on
    assert month_period_of(from_on - timedelta(days=1), start_day)[1] == from_on
    assert from_on == month_period_start_on(from_on.year, from_on.month, start_day)
