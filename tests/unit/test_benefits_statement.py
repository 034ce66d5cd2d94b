"""The benefit-safe statement and the letter for the benefit office (timebank.benefits.statement*; B7).

The model adds up credits received and spent (minutes) and each kind of money (pence) apart; it
leaves corrections (an entry and its reversal) out of the totals, refuses entries dated outside its
period or a period that runs past its day of issue, and names every problem. The statement's lines
hold its figures in hours and minutes and in pounds, each activity with the organisation that ran
it, its classification and the member's choice, each expense's evidence, payments made, declined and
given to a charity with the organisation each came from, every organisation's contact details, the
timebank that issued it and the signatory. The fixed notice says credits have no cash value and
cannot be exchanged for cash or goods only when none were spent on goods or a voucher; otherwise it
names them and says they may need to be reported. Only a coordinator's own copy says it is signed.
The letter is short, about the member, and carries the same notice. ``full_statement`` is shared
with the wording tests.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

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
from timebank.benefits.spending import SpendClass
from timebank.benefits.statement import (
    ActivityTaken,
    Correction,
    CreditDirection,
    CreditEntry,
    FromOrganisation,
    Party,
    Signatory,
    Statement,
)
from timebank.benefits.statement_text import (
    LineTopic,
    credits_notice,
    letter_lines,
    lines_text,
    statement_lines,
)
from timebank.benefits.wording import NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS, SPENT_ON_GOODS_OR_VOUCHERS
from timebank.ledger.contacts import Contact

TRUST = Party(
    "Riverside NHS Trust", Contact("1 Hospital Road\nRiverside RV1 2AB", "involve@trust.example", None)
)
COUNCIL = Party("Riverside Council", Contact())
TIMEBANK = Party("Riverside Timebank", Contact(None, "hello@timebank.example", "01632 960000"))
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
        issued_by=TIMEBANK,
        signatory=Signatory("Priya Shah", "Coordinator", TIMEBANK.contact, signed=True),
        from_on=date(2025, 5, 1),
        to_on=date(2025, 6, 1),
        issued_on=date(2025, 6, 2),
        activities=(
            ActivityTaken(FORUM, 120, Reward.CREDITS, TRUST),
            ActivityTaken(PANEL, 180, Reward.PAYMENT, TRUST),
            ActivityTaken(GARDEN, 90, Reward.DECLINE, COUNCIL),
        ),
        credits=(
            CreditEntry(date(2025, 5, 3), 120, CreditDirection.RECEIVED, "User forum"),
            CreditEntry(date(2025, 5, 9), 45, CreditDirection.RECEIVED, "Shopping for a neighbour"),
            CreditEntry(date(2025, 5, 10), 60, CreditDirection.SPENT, "Help with gardening"),
        ),
        corrections=(
            Correction(date(2025, 5, 12), 600, CreditDirection.RECEIVED, "Gardening", date(2025, 5, 14)),
        ),
        expenses=(
            FromOrganisation(TRUST, Expense(date(2025, 5, 3), "Bus fare", 450, Receipt("R-123", 450))),
            FromOrganisation(
                TRUST,
                Expense(
                    date(2025, 5, 17), "Travel by car", 540, Mileage("Home to the Town Hall and back", 12)
                ),
            ),
        ),
        payments=(
            FromOrganisation(
                TRUST,
                Payment(
                    date(2025, 5, 17),
                    "Interview panel",
                    2500,
                    PaymentKind.VOUCHER,
                    PaymentPeriod.week_of(date(2025, 5, 17)),
                ),
            ),
        ),
        declined=(
            FromOrganisation(
                COUNCIL, DeclinedPayment(date(2025, 5, 24), "Community garden", 2000, PaymentKind.CASH)
            ),
        ),
        redirected=(
            FromOrganisation(TRUST, RedirectedPayment(date(2025, 5, 31), "Board meeting", 3000, "Mind")),
        ),
    )


def goods_statement() -> Statement:
    """The full statement, and credits spent on a food parcel and a cinema voucher."""
    statement = full_statement()
    spends = (
        CreditEntry(
            date(2025, 5, 20), 60, CreditDirection.SPENT, "Food parcel", SpendClass.GOODS, "Food Bank"
        ),
        CreditEntry(
            date(2025, 5, 21), 30, CreditDirection.SPENT, "Cinema voucher", SpendClass.VOUCHER, "Odeon"
        ),
        CreditEntry(
            date(2025, 5, 22),
            45,
            CreditDirection.SPENT,
            "Swim",
            SpendClass.COMMUNITY_ACTIVITY,
            "Leisure centre",
        ),
    )
    return replace(statement, credits=statement.credits + spends)


def empty_statement() -> Statement:
    return replace(
        full_statement(),
        activities=(),
        credits=(),
        corrections=(),
        expenses=(),
        payments=(),
        declined=(),
        redirected=(),
    )


# --- the model ----------------------------------------------------------------------------------


def test_the_statement_adds_credits_and_money_up_apart() -> None:
    statement = full_statement()

    assert (statement.received_minutes, statement.spent_minutes) == (165, 60)
    assert statement.expenses_pence == 990
    assert statement.payments_pence == 2500
    assert statement.declined_pence == 2000
    assert statement.redirected_pence == 3000


def test_a_correction_counts_in_neither_total() -> None:
    statement = full_statement()
    without = replace(statement, corrections=())

    assert (statement.received_minutes, statement.spent_minutes) == (without.received_minutes, 60)
    assert statement.corrections[0].minutes == 600


def test_goods_and_vouchers_are_the_spends_of_those_classes_only() -> None:
    assert full_statement().goods_and_vouchers == ()
    assert [entry.description for entry in goods_statement().goods_and_vouchers] == [
        "Food parcel",
        "Cinema voucher",
    ]


def test_the_organisations_are_each_named_once_in_order_of_appearance() -> None:
    assert full_statement().organisations == (TRUST, COUNCIL)
    assert empty_statement().organisations == ()


def test_an_entry_outside_the_period_is_refused_and_every_one_named() -> None:
    late = date(2025, 6, 1)  # the period is half-open: 1 June is the first day after it

    with pytest.raises(BenefitRulesBroken) as refused:
        replace(
            full_statement(),
            credits=(CreditEntry(late, 60, CreditDirection.RECEIVED, "Late help"),),
            corrections=(Correction(late, 60, CreditDirection.SPENT, "Late slip", late),),
            declined=(
                FromOrganisation(COUNCIL, DeclinedPayment(date(2025, 4, 30), "Early", 100, PaymentKind.GIFT)),
            ),
        )

    codes = [b.code for b in refused.value.breaches]
    assert codes == [BreachCode.STATEMENT_ENTRY_OUTSIDE_PERIOD] * 3
    assert all(what in str(refused.value) for what in ("Late help", "Late slip", "Early"))


def test_a_statement_never_covers_a_day_after_it_was_issued() -> None:
    issued_on = date(2025, 5, 20)

    assert replace(empty_statement(), to_on=issued_on + timedelta(days=1), issued_on=issued_on)
    with pytest.raises(BenefitRulesBroken) as refused:
        replace(empty_statement(), to_on=issued_on + timedelta(days=2), issued_on=issued_on)
    assert refused.value.code == BreachCode.STATEMENT_COVERS_FUTURE_DAYS


def test_a_statement_needs_names_a_period_and_whole_minutes() -> None:
    with pytest.raises(BenefitRulesBroken) as refused:
        replace(
            empty_statement(),
            member_name="",
            signatory=Signatory("Priya Shah", "", Contact(), signed=False),
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
    assert credits_notice(full_statement()) == NO_CASH_VALUE
    assert "no cash value" in NO_CASH_VALUE and "cannot be exchanged for cash or goods" in NO_CASH_VALUE


def test_corrections_are_listed_apart_and_said_to_count_for_nothing() -> None:
    lines = [line.text for line in statement_lines(full_statement())]
    corrections = lines[lines.index("Corrections") :]

    assert "12 May 2025: 10 hours of time credits recorded as received, for Gardening." in corrections[2]
    assert "This was reversed on 14 May 2025." in corrections[2]
    assert "none of them is counted above" in corrections[1]
    assert "10 hours" not in " ".join(lines[: lines.index("Corrections")])
    assert "Corrections" not in lines_text(statement_lines(replace(full_statement(), corrections=())))


def test_goods_and_vouchers_are_named_and_the_notice_says_they_may_need_reporting() -> None:
    text = lines_text(statement_lines(goods_statement()))

    assert "20 May 2025: 1 hour of time credits spent on goods: Food parcel, at Food Bank." in text
    assert "21 May 2025: 30 minutes of time credits spent on a voucher: Cinema voucher, at Odeon." in text
    assert "22 May 2025: 45 minutes of time credits spent, for Swim." in text
    assert SPENT_ON_GOODS_OR_VOUCHERS in text
    assert credits_notice(goods_statement()) == SPENT_ON_GOODS_OR_VOUCHERS
    assert NO_CASH_VALUE not in text
    assert "not exchanged for goods" not in text


def test_the_statement_shows_each_activitys_organisation_classification_and_choice() -> None:
    lines = [line.text for line in statement_lines(full_statement()) if line.topic is LineTopic.ACTIVITY]

    assert lines == [
        "3 May 2025: User forum, run by Riverside NHS Trust, 2 hours. Type: Participating as a service user. "
        "Your choice: Time credits.",
        "17 May 2025: Interview panel, run by Riverside NHS Trust, 3 hours. "
        "Type: Participating as a service user. Your choice: Payment.",
        "24 May 2025: Community garden, run by Riverside Council, 1 hour 30 minutes. Type: Volunteering. "
        "Your choice: No payment.",
    ]


def test_the_statement_shows_expenses_with_their_evidence_and_every_kind_of_payment_with_its_source() -> None:
    text = lines_text(statement_lines(full_statement()))

    assert "3 May 2025: Bus fare, £4.50, paid back by Riverside NHS Trust. Evidence: receipt R-123." in text
    assert "Evidence: 12 miles at 45p a mile (Home to the Town Hall and back)." in text
    assert "Expenses paid back to you: £9.90 in total." in text
    assert (
        "17 May 2025: £25 as a voucher from Riverside NHS Trust for Interview panel. "
        "It covers 12 May 2025 to 18 May 2025." in text
    )
    assert "Payments made to you: £25 in total." in text
    assert "24 May 2025: you turned down £20 in cash from Riverside Council for Community garden." in text
    assert "31 May 2025: £30 from Riverside NHS Trust for Board meeting went to Mind, as you asked." in text


def test_the_statement_names_its_period_issuer_contacts_and_signatory() -> None:
    lines = statement_lines(full_statement())
    texts = [line.text for line in lines]

    assert texts[0] == "Statement for Sam Jones"
    assert texts[1] == "Issued by Riverside Timebank, for 1 May 2025 to 31 May 2025"
    contacts = [line.text for line in lines if line.topic is LineTopic.CONTACT]
    assert contacts == [
        "Riverside Timebank: email hello@timebank.example; phone 01632 960000.",
        "Riverside NHS Trust: 1 Hospital Road, Riverside RV1 2AB; email involve@trust.example.",
        "Riverside Council: no contact details are recorded.",
    ]
    assert lines[-1].topic is LineTopic.SIGNATURE
    assert texts[-2] == (
        "To check this statement, contact Riverside Timebank: "
        "email hello@timebank.example; phone 01632 960000."
    )
    assert texts[-1] == "Signed for Riverside Timebank by Priya Shah, Coordinator, on 2 June 2025."


def test_a_copy_nobody_signed_says_so_and_names_a_coordinator_to_contact() -> None:
    unsigned = replace(
        full_statement(), signatory=Signatory("Priya Shah", "Coordinator", Contact(), signed=False)
    )
    texts = [line.text for line in statement_lines(unsigned)] + [line.text for line in letter_lines(unsigned)]

    assert not any("Signed" in text for text in texts)
    assert texts[-2] == (
        "To check this statement, contact Priya Shah, Coordinator, at Riverside Timebank "
        "(no contact details are recorded)."
    )
    assert texts[-1] == (
        "Issued for Riverside Timebank on 2 June 2025. This copy is not signed: "
        "a coordinator of Riverside Timebank can give you a signed copy."
    )


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
    assert "Sam Jones is a member of Riverside Timebank, a timebank." in text
    assert "This letter covers 1 May 2025 to 31 May 2025." in text
    assert "Sam Jones took part in activities run by Riverside NHS Trust and Riverside Council." in text
    assert "Type of activity: Participating as a service user, Volunteering." in text
    assert "In this period Sam Jones received 2 hours 45 minutes of time credits and spent 1 hour." in text
    assert "Time credits recorded by mistake and then reversed are left out of these figures." in text
    assert NO_CASH_VALUE in text
    assert NOT_COUNTED_AS_EARNINGS in text
    assert "Riverside NHS Trust paid back £9.90 of expenses at cost." in text
    assert "Riverside NHS Trust paid Sam Jones £25." in text
    assert "Sam Jones turned down payments of £20, offered by Riverside Council." in text
    assert "£30 from Riverside NHS Trust went to a charity instead of to Sam Jones." in text
    assert "To check what Riverside NHS Trust ran or paid, contact them: 1 Hospital Road" in text
    assert (
        "To check what Riverside Council ran or paid, contact them (no contact details are recorded)." in text
    )
    assert "Riverside Timebank paid" not in text
    assert lines[-1].text.startswith("Signed for Riverside Timebank by Priya Shah, Coordinator")
    assert len(lines) <= 20


def test_the_letter_names_goods_and_vouchers_and_does_not_cite_the_disregard() -> None:
    text = lines_text(letter_lines(goods_statement()))

    assert (
        "Sam Jones spent time credits on goods or a voucher: Food parcel (goods) at Food Bank, 1 hour on "
        "20 May 2025; Cinema voucher (a voucher) at Odeon, 30 minutes on 21 May 2025." in text
    )
    assert SPENT_ON_GOODS_OR_VOUCHERS in text
    assert NO_CASH_VALUE not in text
    assert NOT_COUNTED_AS_EARNINGS not in text


def test_the_letter_says_plainly_when_no_payment_was_made() -> None:
    text = lines_text(letter_lines(empty_statement()))

    assert "No payments to Sam Jones are recorded for this period." in text
    assert "turned down" not in text
    assert "charity" not in text
    assert "took part" not in text
    assert "reversed" not in text


def test_plain_text_puts_a_blank_line_before_each_heading() -> None:
    text = lines_text(letter_lines(empty_statement()))

    assert text.startswith("To the benefit office\n\nAbout: Sam Jones\n")
    assert text.endswith(".\n")
