"""The benefit-safe statement and the letter for the benefit office (timebank.benefits.statement*; B7).

The model adds up credits received and spent (minutes) and each kind of money (pence) apart; it
refuses entries dated outside its period and names every problem. The statement's lines hold its
figures in hours and minutes and in pounds, each activity's classification and the member's choice,
each expense's evidence, payments made, declined and given to a charity, the organisation and the
signatory, and the fixed notice that credits have no cash value and cannot be exchanged for cash or
goods. The letter is short, about the member, and carries the same notice. ``full_statement`` is
shared with the wording tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from timebank.benefits.activities import Activity, ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.errors import BenefitRulesBroken, BreachCode
from timebank.benefits.money import (
    DeclinedPayment,
    Expense,
    Mileage,
    Payment,
    PaymentKind,
    PaymentPeriod,
    Receipt,
    RedirectedPayment,
)
from timebank.benefits.statement import ActivityTaken, CreditDirection, CreditEntry, Signatory, Statement
from timebank.benefits.statement_text import LineTopic, letter_lines, lines_text, statement_lines
from timebank.benefits.wording import NO_CASH_VALUE

FORUM = Activity(
    "User forum", date(2025, 5, 3), 120, ActivityClassification.USES_SERVICES, "Shape the service"
)
PANEL = Activity(
    "Interview panel", date(2025, 5, 17), 180, ActivityClassification.USES_SERVICES, "Hire staff"
)
GARDEN = Activity("Community garden", date(2025, 5, 24), 90, ActivityClassification.VOLUNTEERING, "")


def full_statement() -> Statement:
    return Statement(
        member_name="Sam Jones",
        organisation_name="Riverside NHS Trust",
        signatory=Signatory("Priya Shah", "Involvement lead"),
        from_on=date(2025, 5, 1),
        to_on=date(2025, 6, 1),
        issued_on=date(2025, 6, 2),
        activities=(
            ActivityTaken(FORUM, 120, Reward.CREDITS),
            ActivityTaken(PANEL, 180, Reward.PAYMENT),
            ActivityTaken(GARDEN, 90, Reward.DECLINE),
        ),
        credits=(
            CreditEntry(date(2025, 5, 3), 120, CreditDirection.RECEIVED, "User forum"),
            CreditEntry(date(2025, 5, 9), 45, CreditDirection.RECEIVED, "Shopping for a neighbour"),
            CreditEntry(date(2025, 5, 10), 60, CreditDirection.SPENT, "Help with gardening"),
        ),
        expenses=(
            Expense(date(2025, 5, 3), "Bus fare", 450, Receipt("R-123", 450)),
            Expense(date(2025, 5, 17), "Travel by car", 540, Mileage("Home to the Town Hall and back", 12)),
        ),
        payments=(
            Payment(
                date(2025, 5, 17),
                "Interview panel",
                2500,
                PaymentKind.VOUCHER,
                PaymentPeriod.week_of(date(2025, 5, 17)),
            ),
        ),
        declined=(DeclinedPayment(date(2025, 5, 24), "Community garden", 2000, PaymentKind.CASH),),
        redirected=(RedirectedPayment(date(2025, 5, 31), "Board meeting", 3000, "Mind"),),
    )


def empty_statement() -> Statement:
    return replace(
        full_statement(), activities=(), credits=(), expenses=(), payments=(), declined=(), redirected=()
    )


# --- the model ----------------------------------------------------------------------------------


def test_the_statement_adds_credits_and_money_up_apart() -> None:
    statement = full_statement()

    assert (statement.received_minutes, statement.spent_minutes) == (165, 60)
    assert statement.expenses_pence == 990
    assert statement.payments_pence == 2500
    assert statement.declined_pence == 2000
    assert statement.redirected_pence == 3000


def test_an_entry_outside_the_period_is_refused_and_every_one_named() -> None:
    late = date(2025, 6, 1)  # the period is half-open: 1 June is the first day after it

    with pytest.raises(BenefitRulesBroken) as refused:
        replace(
            full_statement(),
            credits=(CreditEntry(late, 60, CreditDirection.RECEIVED, "Late help"),),
            declined=(DeclinedPayment(date(2025, 4, 30), "Early", 100, PaymentKind.GIFT),),
        )

    codes = [b.code for b in refused.value.breaches]
    assert codes == [BreachCode.STATEMENT_ENTRY_OUTSIDE_PERIOD] * 2
    assert "Late help" in str(refused.value) and "Early" in str(refused.value)


def test_a_statement_needs_names_a_period_and_whole_minutes() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        replace(
            empty_statement(),
            member_name="",
            signatory=Signatory("Priya Shah", ""),
            to_on=date(2025, 5, 1),
        )

    assert [b.code for b in refused.value.breaches] == [
        BreachCode.TEXT_REQUIRED,
        BreachCode.TEXT_REQUIRED,
        BreachCode.PERIOD_MUST_END_AFTER_START,
    ]
    with pytest.raises(BenefitRulesBroken) as zero:
        replace(empty_statement(), credits=(CreditEntry(date(2025, 5, 3), 0, CreditDirection.SPENT, "x"),))
    assert zero.value.code == BreachCode.MINUTES_MUST_BE_POSITIVE


# --- the statement's lines ----------------------------------------------------------------------


def test_the_statement_shows_credits_in_hours_and_minutes_with_the_no_cash_value_notice() -> None:
    text = lines_text(statement_lines(full_statement()))

    assert "Time credits received: 2 hours 45 minutes." in text
    assert "Time credits spent: 1 hour." in text
    assert "3 May 2025: 2 hours of time credits received, for User forum." in text
    assert NO_CASH_VALUE in text
    assert "no cash value" in NO_CASH_VALUE and "cannot be exchanged for cash or goods" in NO_CASH_VALUE


def test_the_statement_shows_each_activitys_classification_and_choice() -> None:
    lines = [line.text for line in statement_lines(full_statement()) if line.topic is LineTopic.ACTIVITY]

    assert lines == [
        "3 May 2025: User forum, 2 hours. Type: Participating as a service user. Your choice: Time credits.",
        "17 May 2025: Interview panel, 3 hours. Type: Participating as a service user. Your choice: Payment.",
        "24 May 2025: Community garden, 1 hour 30 minutes. Type: Volunteering. Your choice: No payment.",
    ]


def test_the_statement_shows_expenses_with_their_evidence_and_every_kind_of_payment() -> None:
    text = lines_text(statement_lines(full_statement()))

    assert "3 May 2025: Bus fare, £4.50. Evidence: receipt R-123." in text
    assert "Evidence: 12 miles at 45p a mile (Home to the Town Hall and back)." in text
    assert "Expenses paid back to you: £9.90 in total." in text
    assert "17 May 2025: £25 as a voucher for Interview panel. It covers 12 May 2025 to 18 May 2025." in text
    assert "Payments made to you: £25 in total." in text
    assert "24 May 2025: you turned down £20 in cash for Community garden." in text
    assert "31 May 2025: £30 for Board meeting went to Mind, as you asked." in text


def test_the_statement_names_its_period_organisation_and_signatory() -> None:
    lines = statement_lines(full_statement())

    assert lines[0].text == "Statement for Sam Jones"
    assert lines[1].text == "From Riverside NHS Trust, for 1 May 2025 to 31 May 2025"
    assert lines[-1].topic is LineTopic.SIGNATURE
    assert lines[-1].text == "Signed for Riverside NHS Trust by Priya Shah, Involvement lead, on 2 June 2025."


def test_an_empty_statement_still_says_there_was_nothing_and_keeps_the_notice() -> None:
    text = lines_text(statement_lines(empty_statement()))

    assert "Time credits received: 0 minutes." in text
    assert "Payments made to you: £0 in total." in text
    assert NO_CASH_VALUE in text


# --- the letter ---------------------------------------------------------------------------------


def test_the_letter_is_short_and_says_what_the_office_needs() -> None:
    lines = letter_lines(full_statement())
    text = lines_text(lines)

    assert lines[0].text == "To the benefit office"
    assert "About: Sam Jones" in text
    assert "This letter covers 1 May 2025 to 31 May 2025." in text
    assert "Type of activity: Participating as a service user, Volunteering." in text
    assert "For their time, Sam Jones received 2 hours 45 minutes of time credits." in text
    assert NO_CASH_VALUE in text
    assert "Riverside NHS Trust paid Sam Jones £25." in text
    assert "Sam Jones turned down payments of £20." in text
    assert "£30 went to a charity instead of to Sam Jones." in text
    assert lines[-1].text.startswith("Signed for Riverside NHS Trust by Priya Shah, Involvement lead")
    assert len(lines) <= 16


def test_the_letter_says_plainly_when_no_payment_was_made() -> None:
    text = lines_text(letter_lines(empty_statement()))

    assert "Riverside NHS Trust made no payments to Sam Jones." in text
    assert "turned down" not in text
    assert "charity" not in text


def test_plain_text_puts_a_blank_line_before_each_heading() -> None:
    text = lines_text(letter_lines(empty_statement()))

    assert text.startswith("To the benefit office\n\nAbout: Sam Jones\n")
    assert text.endswith(".\n")
