"""A statement in plain English: the lines of the page and PDF, and a letter for the benefit office.

Short sentences and everyday words: "time credits received", "expenses paid back", "payments you
turned down". Each line carries its topic, so a page can style sections and a test can hold each
kind of line to its rule: a credits line never names money, a money line never names credits, and
no sentence that names credits uses a word from ``timebank.benefits.wording`` (B8). The fixed
notices are the approved sentences, word for word.

The statement speaks to the member ("you"); the letter speaks about them to the benefit office.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from timebank.benefits.formatting import format_date, format_minutes, format_pence, format_span
from timebank.benefits.money import Evidence, Expense, Mileage, Payment
from timebank.benefits.statement import ActivityTaken, CreditDirection, CreditEntry, Statement
from timebank.benefits.wording import NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS

__all__ = ["LineTopic", "StatementLine", "letter_lines", "lines_text", "statement_lines"]


class LineTopic(enum.StrEnum):
    HEADING = "heading"
    NOTICE = "notice"
    CREDITS = "credits"
    ACTIVITY = "activity"
    MONEY = "money"
    SIGNATURE = "signature"


@dataclass(frozen=True, slots=True)
class StatementLine:
    topic: LineTopic
    text: str


def _line(topic: LineTopic, text: str) -> StatementLine:
    return StatementLine(topic, text)


def _evidence(evidence: Evidence | None) -> str:
    assert evidence is not None, "an expense always has evidence"
    if isinstance(evidence, Mileage):
        return f"{evidence.miles} miles at {evidence.pence_per_mile}p a mile ({evidence.journey})"
    return f"receipt {evidence.reference}"


def _expense(expense: Expense) -> str:
    return (
        f"{format_date(expense.incurred_on)}: {expense.description}, {format_pence(expense.amount_pence)}. "
        f"Evidence: {_evidence(expense.evidence)}."
    )


def _payment(payment: Payment) -> str:
    return (
        f"{format_date(payment.paid_on)}: {format_pence(payment.amount_pence)} {payment.kind.phrase} "
        f"for {payment.description}. It covers {format_span(payment.covers.from_on, payment.covers.to_on)}."
    )


def _credit_entry(entry: CreditEntry) -> str:
    verb = "received" if entry.direction is CreditDirection.RECEIVED else "spent"
    amount = format_minutes(entry.minutes)
    return f"{format_date(entry.on)}: {amount} of time credits {verb}, for {entry.description}."


def _activity(taken: ActivityTaken) -> str:
    activity = taken.activity
    return (
        f"{format_date(activity.held_on)}: {activity.title}, {format_minutes(taken.minutes)}. "
        f"Type: {activity.classification.label}. Your choice: {taken.choice.label}."
    )


def _credit_lines(statement: Statement) -> list[StatementLine]:
    return [
        _line(LineTopic.HEADING, "Time credits"),
        _line(LineTopic.CREDITS, f"Time credits received: {format_minutes(statement.received_minutes)}."),
        _line(LineTopic.CREDITS, f"Time credits spent: {format_minutes(statement.spent_minutes)}."),
        *(_line(LineTopic.CREDITS, _credit_entry(entry)) for entry in statement.credits),
        _line(LineTopic.NOTICE, NO_CASH_VALUE),
    ]


def _money_lines(statement: Statement) -> list[StatementLine]:
    money = LineTopic.MONEY
    lines = [_line(LineTopic.HEADING, "Expenses")]
    lines += [_line(money, _expense(expense)) for expense in statement.expenses]
    lines.append(
        _line(money, f"Expenses paid back to you: {format_pence(statement.expenses_pence)} in total.")
    )
    lines.append(_line(LineTopic.HEADING, "Payments"))
    lines += [_line(money, _payment(payment)) for payment in statement.payments]
    lines.append(_line(money, f"Payments made to you: {format_pence(statement.payments_pence)} in total."))
    for declined in statement.declined:
        text = f"{format_date(declined.declined_on)}: you turned down {format_pence(declined.offered_pence)}"
        lines.append(_line(money, f"{text} {declined.kind.phrase} for {declined.description}."))
    lines.append(
        _line(money, f"Payments you turned down: {format_pence(statement.declined_pence)} in total.")
    )
    for redirected in statement.redirected:
        text = f"{format_date(redirected.redirected_on)}: {format_pence(redirected.amount_pence)}"
        lines.append(
            _line(
                money, f"{text} for {redirected.description} went to {redirected.charity_name}, as you asked."
            )
        )
    lines.append(
        _line(
            money,
            f"Payments given to a charity, as you asked: "
            f"{format_pence(statement.redirected_pence)} in total.",
        )
    )
    return lines


def _signature(statement: Statement) -> StatementLine:
    signatory = statement.signatory
    return _line(
        LineTopic.SIGNATURE,
        f"Signed for {statement.organisation_name} by {signatory.name}, {signatory.role}, "
        f"on {format_date(statement.issued_on)}.",
    )


def statement_lines(statement: Statement) -> tuple[StatementLine, ...]:
    """The statement as the member reads it, section by section."""
    return (
        _line(LineTopic.HEADING, f"Statement for {statement.member_name}"),
        _line(
            LineTopic.HEADING,
            f"From {statement.organisation_name}, for {format_span(statement.from_on, statement.to_on)}",
        ),
        *_credit_lines(statement),
        _line(LineTopic.HEADING, "Activities"),
        *(_line(LineTopic.ACTIVITY, _activity(taken)) for taken in statement.activities),
        *_money_lines(statement),
        _signature(statement),
    )


def _letter_money(statement: Statement) -> list[StatementLine]:
    member, organisation = statement.member_name, statement.organisation_name
    money = LineTopic.MONEY
    lines = [
        _line(
            money,
            f"{organisation} paid back {format_pence(statement.expenses_pence)} of expenses at cost. "
            "Each one has a receipt or a mileage record.",
        ),
        _line(
            money,
            f"{organisation} paid {member} {format_pence(statement.payments_pence)}."
            if statement.payments
            else f"{organisation} made no payments to {member}.",
        ),
    ]
    if statement.declined:
        lines.append(
            _line(money, f"{member} turned down payments of {format_pence(statement.declined_pence)}.")
        )
    if statement.redirected:
        lines.append(
            _line(
                money,
                f"At {member}'s request, {format_pence(statement.redirected_pence)} went to a charity "
                f"instead of to {member}.",
            )
        )
    return lines


def letter_lines(statement: Statement) -> tuple[StatementLine, ...]:
    """A short letter about the statement, for the member to give their benefit office."""
    member, organisation = statement.member_name, statement.organisation_name
    types = sorted({taken.activity.classification.label for taken in statement.activities})
    lines = [
        _line(LineTopic.HEADING, "To the benefit office"),
        _line(LineTopic.HEADING, f"About: {member}"),
        _line(
            LineTopic.ACTIVITY,
            f"{member} takes part in activities run by {organisation}. "
            f"This letter covers {format_span(statement.from_on, statement.to_on)}.",
        ),
    ]
    if types:
        lines.append(_line(LineTopic.ACTIVITY, f"Type of activity: {', '.join(types)}."))
    lines += [
        _line(
            LineTopic.CREDITS,
            f"For their time, {member} received "
            f"{format_minutes(statement.received_minutes)} of time credits.",
        ),
        _line(LineTopic.NOTICE, NO_CASH_VALUE),
        _line(LineTopic.NOTICE, NOT_COUNTED_AS_EARNINGS),
        *_letter_money(statement),
        _line(LineTopic.ACTIVITY, "The full statement is attached."),
        _line(
            LineTopic.SIGNATURE,
            f"If you have questions, please contact {statement.signatory.name} at {organisation}.",
        ),
        _signature(statement),
    ]
    return tuple(lines)


def lines_text(lines: Iterable[StatementLine]) -> str:
    """Lines as plain text, one a line, with a blank line before each heading after the first."""
    out: list[str] = []
    for line in lines:
        if line.topic is LineTopic.HEADING and out:
            out.append("")
        out.append(line.text)
    return "\n".join(out) + "\n"
