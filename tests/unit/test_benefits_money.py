"""Money kept apart from credits (timebank.benefits.money, errors, formatting; DESIGN B1, B2).

Expenses: evidence is required (a round sum is refused), a receipt's amount or a mileage calculation
(whole miles at pence per mile, 45p by default) bounds the expense, and a property test shows no
expense is ever above its evidence. Payments: whole positive pence, a kind, and the week or month
they cover. Money and credits are distinct types: no money type has a minutes field or accepts one,
no credit type has a pence field or accepts one, and no field anywhere relates the two. The breach
codes are documented, snake_case and unique, and the package's error is a ``ValueError`` outside
the ledger's error tree.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

import timebank.benefits as benefits
from timebank.benefits import errors
from timebank.benefits.activities import Activity, ActivityClassification, Attendance, RecognitionPlan
from timebank.benefits.choices import PaymentOffer, Reward
from timebank.benefits.errors import BenefitRulesBroken, BreachCode
from timebank.benefits.formatting import format_date, format_minutes, format_pence, format_span
from timebank.benefits.money import (
    HMRC_PENCE_PER_MILE,
    MILES_MAX,
    DeclinedPayment,
    Evidence,
    Expense,
    Mileage,
    Payment,
    PaymentKind,
    PaymentPeriod,
    Receipt,
    RedirectedPayment,
    expense_breaches,
)
from timebank.benefits.periods import PeriodKind
from timebank.benefits.statement import ActivityTaken, CreditDirection, CreditEntry, Party
from timebank.errors import TimebankError
from timebank.ledger.contacts import Contact
from timebank.ledger.types import TransferIntent

ON = date(2025, 5, 6)
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")

WEEK = PaymentPeriod.week_of(ON)
FORUM = Activity("User forum", ON, 120, ActivityClassification.USES_SERVICES, "")
# One sound example of each type: money on the left of the line, credits on the right.
MONEY_EXAMPLES: tuple[object, ...] = (
    Expense(ON, "Bus fare", 450, Receipt("R-1", 450)),
    Receipt("R-1", 450),
    Mileage("Home and back", 12),
    Payment(ON, "Panel", 2500, PaymentKind.CASH, WEEK),
    WEEK,
    DeclinedPayment(ON, "Panel", 2500, PaymentKind.CASH),
    RedirectedPayment(ON, "Panel", 2500, "Mind"),
    PaymentOffer(2500, PaymentKind.VOUCHER, WEEK, "Panel"),
)
CREDIT_EXAMPLES: tuple[object, ...] = (
    Attendance(10, 120, Reward.CREDITS),
    RecognitionPlan(1, (TransferIntent(1, 10, 120),), 120, ()),
    CreditEntry(ON, 120, CreditDirection.RECEIVED, "User forum"),
    ActivityTaken(FORUM, 120, Reward.CREDITS, Party("Library", Contact())),
    FORUM,
    TransferIntent(1, 10, 120),
)


def codes(breaches: list[errors.Breach]) -> list[BreachCode]:
    return [breach.code for breach in breaches]


def expense(amount_pence: int, evidence: Evidence | None) -> Expense:
    return Expense(ON, "Bus fare to the forum", amount_pence, evidence)


# --- expenses -----------------------------------------------------------------------------------


def test_an_expense_at_its_receipt_amount_is_accepted() -> None:
    repaid = expense(450, Receipt("R-123", 450))

    assert repaid.amount_pence == 450
    assert isinstance(repaid.evidence, Receipt)


def test_an_expense_below_its_evidence_is_accepted_since_a_member_may_claim_less() -> None:
    assert expense(300, Receipt("R-123", 450)).amount_pence == 300


def test_an_expense_one_penny_above_its_receipt_is_refused() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        expense(451, Receipt("R-123", 450))

    assert refused.value.code == BreachCode.EXPENSE_ABOVE_EVIDENCE
    assert "451" in str(refused.value) and "450" in str(refused.value)


def test_a_round_sum_without_evidence_is_refused() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        expense(2000, None)

    assert [b.code for b in refused.value.breaches] == [BreachCode.EXPENSE_EVIDENCE_MISSING]


def test_mileage_is_whole_miles_at_45p_a_mile_by_default() -> None:
    journey = Mileage("Home to the Town Hall and back", 12)

    assert HMRC_PENCE_PER_MILE == 45
    assert journey.evidenced_pence == 540
    assert expense(540, journey).amount_pence == 540
    with pytest.raises(BenefitRulesBroken) as refused:
        expense(541, journey)
    assert refused.value.code == BreachCode.EXPENSE_ABOVE_EVIDENCE


def test_a_timebank_may_set_another_mileage_rate_for_bicycles_say() -> None:
    assert Mileage("By bicycle", 10, pence_per_mile=20).evidenced_pence == 200


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Receipt("", 450), [BreachCode.TEXT_REQUIRED]),
        (Receipt("R-1", 0), [BreachCode.PENCE_MUST_BE_POSITIVE]),
        (Receipt("R-1", 4.5), [BreachCode.PENCE_MUST_BE_WHOLE]),  # type: ignore[arg-type]
        (Mileage("Home", 12.5), [BreachCode.MILES_MUST_BE_WHOLE]),  # type: ignore[arg-type]
        (Mileage("Home", 0), [BreachCode.MILES_MUST_BE_POSITIVE]),
        (Mileage("Home", MILES_MAX + 1), [BreachCode.MILES_ABOVE_LIMIT]),
        (Mileage("Home", 10, 0), [BreachCode.MILEAGE_RATE_MUST_BE_POSITIVE]),
        (Mileage("Home", 10, 45.0), [BreachCode.MILEAGE_RATE_MUST_BE_WHOLE]),  # type: ignore[arg-type]
        (Mileage("Home", 10, 101), [BreachCode.MILEAGE_RATE_ABOVE_LIMIT]),
        (Mileage("", 10), [BreachCode.TEXT_REQUIRED]),
    ],
)
def test_malformed_evidence_is_refused_and_named(evidence: Evidence, expected: list[BreachCode]) -> None:
    assert codes(expense_breaches(100, evidence, "Travel")) == expected


def test_every_problem_with_an_expense_is_reported_at_once() -> None:
    found = expense_breaches(-5, Mileage("", 0), "")

    assert codes(found) == [
        BreachCode.TEXT_REQUIRED,
        BreachCode.PENCE_MUST_BE_POSITIVE,
        BreachCode.TEXT_REQUIRED,
        BreachCode.MILES_MUST_BE_POSITIVE,
    ]


evidence_strategy = st.one_of(
    st.builds(Receipt, st.just("R-1"), st.integers(-100, 100_000)),
    st.builds(Mileage, st.just("A journey"), st.integers(-5, 3000), st.integers(-5, 120)),
)


@given(st.integers(-1000, 200_000), evidence_strategy)
def test_no_expense_is_ever_above_its_evidence(amount_pence: int, evidence: Receipt | Mileage) -> None:
    try:
        made = expense(amount_pence, evidence)
    except BenefitRulesBroken as refused:
        found = {breach.code for breach in refused.breaches}
        sound = not expense_breaches(1, evidence, "x")
        # Sound evidence and a positive amount can only be refused for exceeding the evidence.
        if sound and amount_pence > 0:
            assert found == {BreachCode.EXPENSE_ABOVE_EVIDENCE}
            assert amount_pence > evidence.evidenced_pence
        return
    assert 0 < made.amount_pence <= evidence.evidenced_pence


# --- payments -----------------------------------------------------------------------------------


def test_a_payment_records_its_kind_and_the_week_it_covers() -> None:
    paid = Payment(ON, "Interview panel", 2500, PaymentKind.VOUCHER, PaymentPeriod.week_of(ON))

    assert paid.covers == PaymentPeriod(PeriodKind.WEEK, date(2025, 5, 5), date(2025, 5, 12))
    assert paid.kind.phrase == "as a voucher"


@pytest.mark.parametrize("amount", [0, -1, 25.0, True])
def test_a_payment_must_be_positive_whole_pence(amount: object) -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        Payment(ON, "Panel", amount, PaymentKind.CASH, PaymentPeriod.week_of(ON))  # type: ignore[arg-type]

    assert refused.value.code in {BreachCode.PENCE_MUST_BE_POSITIVE, BreachCode.PENCE_MUST_BE_WHOLE}


def test_a_payment_period_is_a_week_of_seven_days_or_one_monthly_period() -> None:
    assert PaymentPeriod.month_of(ON) == PaymentPeriod(PeriodKind.MONTH, date(2025, 5, 1), date(2025, 6, 1))
    assert PaymentPeriod.month_of(ON, 31).from_on == date(2025, 4, 30)
    # A week may start on any day: benefit offices count from different weekdays.
    assert PaymentPeriod(PeriodKind.WEEK, date(2025, 5, 7), date(2025, 5, 14)).kind is PeriodKind.WEEK
    assert PaymentPeriod("month", date(2025, 1, 31), date(2025, 2, 28)).kind is PeriodKind.MONTH  # type: ignore[arg-type]
    broken = [
        (PeriodKind.WEEK, date(2025, 5, 5), date(2025, 5, 11), BreachCode.WEEK_MUST_BE_SEVEN_DAYS),
        (PeriodKind.MONTH, date(2025, 5, 1), date(2025, 5, 31), BreachCode.MONTH_MUST_BE_ONE_MONTH),
        (PeriodKind.MONTH, date(2025, 5, 1), date(2025, 5, 1), BreachCode.PERIOD_MUST_END_AFTER_START),
    ]
    for kind, from_on, to_on, code in broken:
        with pytest.raises(BenefitRulesBroken) as refused:
            PaymentPeriod(kind, from_on, to_on)
        assert refused.value.code == code


def test_declined_and_redirected_records_are_not_payments() -> None:
    declined = DeclinedPayment(ON, "User forum", 2500, PaymentKind.CASH)
    redirected = RedirectedPayment(ON, "User forum", 2500, "Mind")

    assert not isinstance(declined, Payment)
    assert not isinstance(redirected, Payment)
    with pytest.raises(BenefitRulesBroken) as refused:
        RedirectedPayment(ON, "User forum", 2500, "  ")
    assert refused.value.code == BreachCode.TEXT_REQUIRED


# --- money and credits are distinct types -------------------------------------------------------


def field_names(kind: type) -> set[str]:
    return {field.name for field in dataclasses.fields(kind)}


def type_name(example: object) -> str:
    return type(example).__name__


@pytest.mark.parametrize("example", MONEY_EXAMPLES, ids=type_name)
def test_no_money_type_has_a_minutes_field_or_accepts_minutes(example: object) -> None:
    assert not {name for name in field_names(type(example)) if "minute" in name or "hour" in name}
    assert dataclasses.replace(example) == example  # type: ignore[type-var]  # the control
    for name in ("minutes", "amount_minutes", "worked_minutes"):
        with pytest.raises(TypeError, match="unexpected keyword"):
            dataclasses.replace(example, **{name: 60})  # type: ignore[type-var]


@pytest.mark.parametrize("example", CREDIT_EXAMPLES, ids=type_name)
def test_no_credit_type_has_a_pence_field_or_accepts_pence(example: object) -> None:
    assert not {name for name in field_names(type(example)) if "pence" in name or "pound" in name}
    assert dataclasses.replace(example) == example  # type: ignore[type-var]  # the control
    for name in ("pence", "amount_pence", "offered_pence"):
        with pytest.raises(TypeError, match="unexpected keyword"):
            dataclasses.replace(example, **{name: 100})  # type: ignore[type-var]


def test_no_field_in_the_package_relates_money_to_time() -> None:
    # B1: no rate, multiplier or price of credits anywhere. pence_per_mile prices distance, not time.
    classes = [
        member
        for module in (getattr(benefits, name) for name in benefits.__all__)
        if inspect.ismodule(module)
        for _, member in inspect.getmembers(module, inspect.isclass)
        if dataclasses.is_dataclass(member)
    ]
    names = {name for kind in classes for name in field_names(kind)}
    assert len(classes) > 20  # the scan really found the package's types

    mixed = {
        name
        for name in names
        if re.search(
            r"(pence|pound|price|rate).*(minute|hour|credit)|(minute|hour|credit).*(pence|pound)", name
        )
    }
    assert mixed == set()
    assert "pence_per_mile" in names and "amount_pence" in names and "minutes" in names


def test_a_recognition_plan_holds_ledger_transfers_of_minutes_only() -> None:
    plan = CREDIT_EXAMPLES[1]

    assert isinstance(plan, RecognitionPlan)
    assert field_names(TransferIntent) == {"source_account_id", "target_account_id", "minutes"}
    assert all(isinstance(transfer, TransferIntent) for transfer in plan.transfers)


# --- errors and formatting ----------------------------------------------------------------------


def test_every_breach_code_is_documented_snake_case_and_unique() -> None:
    # The table in the module docstring: indented lines, a group's name, then its codes.
    table = [line for line in (errors.__doc__ or "").splitlines() if line.startswith("    ")]
    documented = {code for line in table for code in re.findall(r"\b[a-z]+(?:_[a-z]+)+\b", line)}
    values = [code.value for code in BreachCode]

    assert len(values) == len(set(values))
    assert all(SNAKE_CASE.match(value) for value in values)
    assert set(values) <= documented
    assert documented - set(values) == set()


def test_the_package_error_is_a_value_error_outside_the_ledger_tree_and_carries_every_breach() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        Expense(ON, "", 0, None)

    assert isinstance(refused.value, ValueError)
    assert not isinstance(refused.value, TimebankError)
    assert [b.code for b in refused.value.breaches] == [
        BreachCode.TEXT_REQUIRED,
        BreachCode.PENCE_MUST_BE_POSITIVE,
        BreachCode.EXPENSE_EVIDENCE_MISSING,
    ]
    assert refused.value.code == BreachCode.TEXT_REQUIRED


@pytest.mark.parametrize(
    ("pence", "text"),
    [(2000, "£20"), (19550, "£195.50"), (19551, "£195.51"), (5, "£0.05"), (123456, "£1,234.56"), (0, "£0")],
)
def test_pence_read_as_pounds(pence: int, text: str) -> None:
    assert format_pence(pence) == text


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "0 minutes"),
        (1, "1 minute"),
        (45, "45 minutes"),
        (60, "1 hour"),
        (150, "2 hours 30 minutes"),
        (954, "15 hours 54 minutes"),
    ],
)
def test_minutes_read_as_hours_and_minutes(minutes: int, text: str) -> None:
    assert format_minutes(minutes) == text


def test_dates_and_half_open_spans_read_as_a_person_expects() -> None:
    assert format_date(date(2025, 5, 3)) == "3 May 2025"
    assert format_span(date(2025, 5, 5), date(2025, 5, 12)) == "5 May 2025 to 11 May 2025"
