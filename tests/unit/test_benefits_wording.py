"""Credits are never called pay, wages or earnings (timebank.benefits.wording; DESIGN B8).

First the check itself: it finds each forbidden word as a whole word in any case, skips the approved
sentences only when they are word for word, and in mixed text looks only at sentences that name
credits. Then the check over every string the package produces for people to read: every label,
every limit's name and source, every warning the guards and spend checks can give (for the member
and for the organisation), every breach's detail, and every line of the statement and the letter.
Statement lines keep to their topic: a credits line passes the strict check, a money line never
names credits, and a notice is one of the fixed notices. The wording module's own reasons are for
developers and quote the words they forbid, so they are not in the sweep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.test_benefits_statement import empty_statement, full_statement, goods_statement
from timebank.benefits.activities import Activity, ActivityClassification, Attendance, plan_recognition
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import PaymentOffer, Reward, money_for_choice
from timebank.benefits.errors import BenefitRulesBroken
from timebank.benefits.guards import PaidInvolvement, check_payment
from timebank.benefits.limits import DEFAULT_LIMITS, DEFAULT_SCHEDULE, BenefitLimit, LimitCode
from timebank.benefits.money import (
    Expense,
    Mileage,
    Payment,
    PaymentKind,
    PaymentPeriod,
    Receipt,
    RedirectedPayment,
)
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import SpendClass, check_spend
from timebank.benefits.statement import CreditDirection, CreditEntry, Statement
from timebank.benefits.statement_text import LineTopic, StatementLine, letter_lines, statement_lines
from timebank.benefits.wording import (
    APPROVED_SENTENCES,
    FIXED_NOTICES,
    FORBIDDEN_WORDS,
    NO_CASH_VALUE,
    find_credit_wording_problems,
    find_forbidden_words,
)

ON = date(2025, 5, 7)
CREDIT_MENTION = re.compile(r"\bcredit", re.IGNORECASE)


def found(text: str) -> list[str]:
    return [problem.word.lower() for problem in find_forbidden_words(text)]


# --- the check itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("You earned 3 hours of credits.", "earned"),
        ("Your credits are your wages.", "wages"),
        ("Credits: PAY for your time", "pay"),
        ("Time credits are paid monthly.", "paid"),
        ("Your Earnings in credits", "earnings"),
        ("Credits count as income.", "income"),
        ("Each credit is worth £10.", "worth"),
        ("Credits at an hourly rate", "rate"),
        ("Cash in your credits", "cash"),
        ("Buy credits here", "buy"),
        ("Your salary of credits", "salary"),
    ],
)
def test_the_check_finds_each_forbidden_word_in_any_case(text: str, word: str) -> None:
    assert word in found(text)


def test_the_check_finds_a_pound_sign_and_where_each_problem_starts() -> None:
    problems = find_forbidden_words("Credits: £5 each, paid weekly")

    assert [(p.word, p.start) for p in problems] == [("£", 9), ("paid", 18)]
    assert all(p.reason for p in problems)


@pytest.mark.parametrize(
    "text",
    [
        "You received 3 hours of time credits.",
        "You gave 2 hours and spent 1 hour of credits.",
        "Your time was recognised with credits.",
        "Learn about accurate records and repeating payers' earnest requests.",
    ],
)
def test_the_allowed_words_and_words_that_merely_contain_a_forbidden_one_pass(text: str) -> None:
    assert find_forbidden_words(text) == ()


def test_approved_sentences_pass_only_word_for_word() -> None:
    assert find_forbidden_words(NO_CASH_VALUE) == ()
    for sentence in APPROVED_SENTENCES:
        assert find_forbidden_words(f"Before. {sentence} After.") == ()
    assert found("Time credits have no cash value.") == ["cash"]
    assert found(NO_CASH_VALUE.replace("cannot", "can")) == ["cash", "cash"]


def test_the_mixed_text_check_looks_only_at_sentences_that_name_credits() -> None:
    mixed = "We paid you £20 for the panel. You received 2 hours of time credits."
    bad = "We paid you £20. Credits earned: 2 hours."

    assert find_credit_wording_problems(mixed) == ()
    assert [p.word for p in find_credit_wording_problems(bad)] == ["earned"]
    assert bad[find_credit_wording_problems(bad)[0].start :].startswith("earned")
    # "reg. 60" and "£195.50" do not end a sentence early and hide a word from it.
    assert [p.word for p in find_credit_wording_problems("Credits under reg. 60 are paid.")] == ["paid"]


def test_every_forbidden_group_gives_its_reason_and_covers_the_words_the_issue_names() -> None:
    forms = {form for group in FORBIDDEN_WORDS for form in group.forms}

    assert {
        "pay",
        "paid",
        "wage",
        "wages",
        "earn",
        "earns",
        "earned",
        "earnings",
        "salary",
        "income",
        "cash",
    } <= forms
    assert all(group.reason.endswith(".") for group in FORBIDDEN_WORDS)
    assert not {"given", "received", "spent", "recognised", "exchange", "credits"} & forms


# --- every string the package produces ----------------------------------------------------------


def labels() -> Iterator[str]:
    for enum_type in (Reward, ActivityClassification, BenefitCategory, SpendClass, PeriodKind):
        yield from (member.label for member in enum_type)
    yield from (kind.phrase for kind in PaymentKind)
    for entry in DEFAULT_LIMITS:
        yield from (entry.name, entry.label, entry.source)


def warnings() -> Iterator[str]:
    category_sets = [{category} for category in BenefitCategory] + [set(BenefitCategory)]
    for categories in category_sets:
        for pence in (100, 500, 1000, 2000, 19550, 19551, 19600, 19601, 41100, 68401):
            for minutes in (0, 954, 960):
                guard = check_payment(categories, [], PaidInvolvement(ON, pence, minutes), month_start_day=15)
                for warning in guard.warnings:
                    yield from (warning.text, warning.organisation_text)
    for spend_class in SpendClass:
        decision = check_spend(set(BenefitCategory), spend_class, acknowledged=False)
        if decision.warning is not None:
            yield from (decision.warning.text, decision.warning.organisation_text)


def refusals() -> list[Callable[[], object]]:
    week = PaymentPeriod.week_of(ON)
    return [
        lambda: Expense(ON, "", -1, None),
        lambda: Expense(ON, "Bus", 500, Receipt("", 400)),
        lambda: Expense(ON, "Bus", 500, Receipt("R-1", 400)),
        lambda: Expense(ON, "Car", 500, Mileage("", 0, 0)),
        lambda: Expense(ON, "Car", 500, Mileage("Home", 1.5, 200)),  # type: ignore[arg-type]
        lambda: Payment(ON, "", 0, PaymentKind.CASH, week),
        lambda: PaymentPeriod(PeriodKind.WEEK, ON, ON),
        lambda: PaymentPeriod(PeriodKind.WEEK, ON, ON + timedelta(days=6)),
        lambda: PaymentPeriod(PeriodKind.MONTH, ON, ON + timedelta(days=6)),
        lambda: RedirectedPayment(ON, "x", 10_000_001, " "),
        lambda: money_for_choice(Reward.CHARITY, None, ON, reduced_pence=1),
        lambda: money_for_choice(Reward.REDUCED_PAYMENT, PaymentOffer(100, PaymentKind.CASH, week, "x"), ON),
        lambda: money_for_choice(
            Reward.REDUCED_PAYMENT, PaymentOffer(100, PaymentKind.CASH, week, "x"), ON, reduced_pence=100
        ),
        lambda: plan_recognition(1, []),
        lambda: plan_recognition(1, [Attendance(1, 0, Reward.CREDITS), Attendance(1, 10**9, Reward.CREDITS)]),
        lambda: Activity("x" * 201, ON, 1.5, ActivityClassification.VOLUNTEERING, ""),  # type: ignore[arg-type]
        lambda: BenefitLimit(LimitCode.PERMITTED_WORK_LOWER, "", 0, PeriodKind.WEEK, ON, "", ON, 0),
        lambda: DEFAULT_SCHEDULE.with_entries(DEFAULT_LIMITS[:1]),
        lambda: check_payment(
            set(), [PaidInvolvement(ON, 1, -1)] * 10_001, PaidInvolvement(ON, 0, 1), month_start_day=0
        ),
        lambda: replace(full_statement(), to_on=ON, member_name=""),
        lambda: replace(empty_statement(), to_on=date(2025, 7, 1)),
    ]


def breach_details() -> Iterator[str]:
    for refuse in refusals():
        with pytest.raises(BenefitRulesBroken) as refused:
            refuse()
        yield str(refused.value)
        yield from (breach.detail for breach in refused.value.breaches)


def statement_texts() -> Iterator[StatementLine]:
    unsigned = replace(full_statement(), signatory=replace(full_statement().signatory, signed=False))
    for statement in (full_statement(), empty_statement(), goods_statement(), unsigned):
        yield from statement_lines(statement)
        yield from letter_lines(statement)


def everything() -> list[str]:
    return [*labels(), *warnings(), *breach_details(), *(line.text for line in statement_texts())]


def test_the_sweep_really_collects_the_packages_strings() -> None:
    strings = everything()

    assert len(strings) > 300
    assert any("permitted work higher limit" in s for s in strings)
    assert any("benefit office" in s for s in strings)
    assert any("more than its evidence" in s for s in strings)
    assert any(NO_CASH_VALUE in s for s in strings)


def test_no_string_the_package_produces_calls_credits_pay_wages_or_earnings() -> None:
    problems = {text: find_credit_wording_problems(text) for text in everything()}

    assert {text: found for text, found in problems.items() if found} == {}


def test_statement_lines_keep_to_their_topic() -> None:
    for line in statement_texts():
        if line.topic is LineTopic.CREDITS:
            assert find_forbidden_words(line.text) == (), line.text
        if line.topic is LineTopic.MONEY:
            assert not CREDIT_MENTION.search(line.text), line.text
        if line.topic is LineTopic.NOTICE:
            assert line.text in FIXED_NOTICES


def test_the_sweep_would_catch_a_credits_line_that_slipped() -> None:
    slipped = [
        line.text.replace("received", "earned")
        for line in statement_texts()
        if line.topic is LineTopic.CREDITS
    ]

    assert any(find_credit_wording_problems(text) for text in slipped)


@given(
    st.lists(
        st.tuples(st.integers(0, 30), st.integers(1, 10_000), st.sampled_from(list(CreditDirection))),
        max_size=10,
    ),
    st.sampled_from(["Sam Jones", "Ada O'Neill", "Li Wei"]),
)
def test_credit_lines_stay_clean_for_any_amounts_and_dates(
    entries: list[tuple[int, int, CreditDirection]], member_name: str
) -> None:
    statement: Statement = replace(
        empty_statement(),
        member_name=member_name,
        credits=tuple(
            CreditEntry(date(2025, 5, 1) + timedelta(days=day), minutes, direction, "Help")
            for day, minutes, direction in entries
        ),
    )

    for line in (*statement_lines(statement), *letter_lines(statement)):
        if line.topic is LineTopic.CREDITS:
            assert find_forbidden_words(line.text) == ()
        assert find_credit_wording_problems(line.text) == ()
