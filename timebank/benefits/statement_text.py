"""A statement in plain English: the lines of the page and PDF, and a letter for the benefit office.

Short sentences and everyday words: "time credits received", "expenses paid back", "payments you
turned down". Each line carries its topic, so a page can style sections and a test can hold each
kind of line to its rule: a credits line never names money, a money line never names credits, and
no sentence that names credits uses a word from ``timebank.benefits.wording`` (B8). The fixed
notices are the approved sentences, word for word.

Every line must be true of the member's records (B7). So the notice that credits "cannot be
exchanged for cash or goods", and the disregard that holds "as long as they are not exchanged for
goods", are printed only when no credits were spent on goods or a voucher; otherwise those spends
are named and the notice says they may need to be reported (``credits_notice``). Money is said to
come from the organisation that paid it, never from the timebank, and only a coordinator's own copy
says it is signed.

The statement speaks to the member ("you"); the letter speaks about them to the benefit office.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from timebank.benefits.formatting import format_date, format_minutes, format_pence, format_span
from timebank.benefits.money import Evidence, Expense, Mileage
from timebank.benefits.statement import (
    ActivityTaken,
    Correction,
    CreditDirection,
    CreditEntry,
    FromOrganisation,
    Party,
    Statement,
)
from timebank.benefits.wording import NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS, SPENT_ON_GOODS_OR_VOUCHERS
from timebank.ledger.contacts import Contact

__all__ = [
    "LineTopic",
    "StatementLine",
    "contact_text",
    "credits_notice",
    "letter_lines",
    "lines_text",
    "statement_lines",
]


class LineTopic(enum.StrEnum):
    HEADING = "heading"
    NOTICE = "notice"
    CREDITS = "credits"
    ACTIVITY = "activity"
    MONEY = "money"
    CONTACT = "contact"
    SIGNATURE = "signature"


@dataclass(frozen=True, slots=True)
class StatementLine:
    topic: LineTopic
    text: str


def _line(topic: LineTopic, text: str) -> StatementLine:
    return StatementLine(topic, text)


def _names(parties: Iterable[Party]) -> str:
    """ "A", "A and B", "A, B and C": each name once, in order."""
    names = list(dict.fromkeys(party.name for party in parties))
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def contact_text(contact: Contact) -> str:
    """A contact on one line: "1 High Street, Town; email a@b.org; phone 01632 960000"."""
    parts = []
    if contact.address is not None:
        parts.append(", ".join(part.strip() for part in contact.address.splitlines() if part.strip()))
    if contact.email is not None:
        parts.append(f"email {contact.email}")
    if contact.phone is not None:
        parts.append(f"phone {contact.phone}")
    return "; ".join(parts) if parts else "no contact details are recorded"


def _reach(contact: Contact) -> str:
    """How to reach someone, to follow their name: ": email a@b.org", or that nothing is recorded."""
    return f" ({contact_text(contact)})" if contact.is_empty else f": {contact_text(contact)}"


def credits_notice(statement: Statement) -> str:
    """The notice beside the credits: no cash value, unless some were spent on goods or a voucher."""
    return SPENT_ON_GOODS_OR_VOUCHERS if statement.goods_and_vouchers else NO_CASH_VALUE


def _evidence(evidence: Evidence | None) -> str:
    assert evidence is not None, "an expense always has evidence"
    if isinstance(evidence, Mileage):
        return f"{evidence.miles} miles at {evidence.pence_per_mile}p a mile ({evidence.journey})"
    return f"receipt {evidence.reference}"


def _expense(repaid: FromOrganisation[Expense]) -> str:
    expense = repaid.entry
    return (
        f"{format_date(expense.incurred_on)}: {expense.description}, {format_pence(expense.amount_pence)}, "
        f"paid back by {repaid.organisation.name}. Evidence: {_evidence(expense.evidence)}."
    )


def _credit_entry(entry: CreditEntry) -> str:
    amount = format_minutes(entry.minutes)
    if entry.spent_on is not None and entry.is_goods_or_voucher:
        # Named for what they are: the statement's notice turns on these.
        return (
            f"{format_date(entry.on)}: {amount} of time credits spent on {entry.spent_on.label}: "
            f"{entry.description}, at {entry.organisation_name}."
        )
    verb = "received" if entry.direction is CreditDirection.RECEIVED else "spent"
    return f"{format_date(entry.on)}: {amount} of time credits {verb}, for {entry.description}."


def _correction(correction: Correction) -> str:
    return (
        f"{format_date(correction.on)}: {format_minutes(correction.minutes)} of time credits recorded as "
        f"{correction.direction.value}, for {correction.description}. "
        f"This was reversed on {format_date(correction.reversed_on)}."
    )


def _activity(taken: ActivityTaken) -> str:
    activity = taken.activity
    return (
        f"{format_date(activity.held_on)}: {activity.title}, run by {taken.organisation.name}, "
        f"{format_minutes(taken.minutes)}. "
        f"Type: {activity.classification.label}. Your choice: {taken.choice.label}."
    )


def _credit_lines(statement: Statement) -> list[StatementLine]:
    lines = [
        _line(LineTopic.HEADING, "Time credits"),
        _line(LineTopic.CREDITS, f"Time credits received: {format_minutes(statement.received_minutes)}."),
        _line(LineTopic.CREDITS, f"Time credits spent: {format_minutes(statement.spent_minutes)}."),
        *(_line(LineTopic.CREDITS, _credit_entry(entry)) for entry in statement.credits),
        _line(LineTopic.NOTICE, credits_notice(statement)),
    ]
    if statement.corrections:
        lines += [
            _line(LineTopic.HEADING, "Corrections"),
            _line(
                LineTopic.CREDITS,
                "These entries of time credits were recorded by mistake and then reversed. "
                "Each one cancels out, so none of them is counted above.",
            ),
            *(_line(LineTopic.CREDITS, _correction(correction)) for correction in statement.corrections),
        ]
    return lines


def _money_lines(statement: Statement) -> list[StatementLine]:
    money = LineTopic.MONEY
    lines = [_line(LineTopic.HEADING, "Expenses")]
    lines += [_line(money, _expense(expense)) for expense in statement.expenses]
    lines.append(
        _line(money, f"Expenses paid back to you: {format_pence(statement.expenses_pence)} in total.")
    )
    lines.append(_line(LineTopic.HEADING, "Payments"))
    for paid in statement.payments:
        payment = paid.entry
        lines.append(
            _line(
                money,
                f"{format_date(payment.paid_on)}: {format_pence(payment.amount_pence)} {payment.kind.phrase} "
                f"from {paid.organisation.name} for {payment.description}. "
                f"It covers {format_span(payment.covers.from_on, payment.covers.to_on)}.",
            )
        )
    lines.append(_line(money, f"Payments made to you: {format_pence(statement.payments_pence)} in total."))
    for offered in statement.declined:
        declined = offered.entry
        text = f"{format_date(declined.declined_on)}: you turned down {format_pence(declined.offered_pence)}"
        lines.append(
            _line(
                money,
                f"{text} {declined.kind.phrase} from {offered.organisation.name} for {declined.description}.",
            )
        )
    lines.append(
        _line(money, f"Payments you turned down: {format_pence(statement.declined_pence)} in total.")
    )
    for given in statement.redirected:
        redirected = given.entry
        text = f"{format_date(redirected.redirected_on)}: {format_pence(redirected.amount_pence)}"
        lines.append(
            _line(
                money,
                f"{text} from {given.organisation.name} for {redirected.description} "
                f"went to {redirected.charity_name}, as you asked.",
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


def _contact_lines(statement: Statement) -> list[StatementLine]:
    return [
        _line(LineTopic.CONTACT, f"{party.name}: {contact_text(party.contact)}.")
        for party in (statement.issued_by, *statement.organisations)
    ]


def _signature(statement: Statement) -> list[StatementLine]:
    """Who answers for the statement and how to reach them; then who signed it, if anyone did."""
    signatory, timebank = statement.signatory, statement.issued_by.name
    issued_on = format_date(statement.issued_on)
    reach = _reach(signatory.contact)
    if signatory.signed:
        return [
            _line(LineTopic.SIGNATURE, f"To check this statement, contact {timebank}{reach}."),
            _line(
                LineTopic.SIGNATURE,
                f"Signed for {timebank} by {signatory.name}, {signatory.role}, on {issued_on}.",
            ),
        ]
    # Nobody signs a copy the member makes themselves; saying otherwise would not be true.
    return [
        _line(
            LineTopic.SIGNATURE,
            f"To check this statement, contact {signatory.name}, {signatory.role}, at {timebank}{reach}.",
        ),
        _line(
            LineTopic.SIGNATURE,
            f"Issued for {timebank} on {issued_on}. This copy is not signed: "
            f"a coordinator of {timebank} can give you a signed copy.",
        ),
    ]


def statement_lines(statement: Statement) -> tuple[StatementLine, ...]:
    """The statement as the member reads it, section by section."""
    return (
        _line(LineTopic.HEADING, f"Statement for {statement.member_name}"),
        _line(
            LineTopic.HEADING,
            f"Issued by {statement.issued_by.name}, for {format_span(statement.from_on, statement.to_on)}",
        ),
        *_credit_lines(statement),
        _line(LineTopic.HEADING, "Activities"),
        *(_line(LineTopic.ACTIVITY, _activity(taken)) for taken in statement.activities),
        *_money_lines(statement),
        _line(LineTopic.HEADING, "Contacts"),
        *_contact_lines(statement),
        *_signature(statement),
    )


def _pence_by_organisation(entries: Iterable[tuple[Party, int]]) -> dict[Party, int]:
    totals: dict[Party, int] = {}
    for organisation, pence in entries:
        totals[organisation] = totals.get(organisation, 0) + pence
    return totals


def _letter_money(statement: Statement) -> list[StatementLine]:
    member = statement.member_name
    money = LineTopic.MONEY
    repaid = _pence_by_organisation((e.organisation, e.entry.amount_pence) for e in statement.expenses)
    paid = _pence_by_organisation((p.organisation, p.entry.amount_pence) for p in statement.payments)
    lines = [
        _line(
            money,
            f"{organisation.name} paid back {format_pence(pence)} of expenses at cost. "
            "Each one has a receipt or a mileage record.",
        )
        for organisation, pence in repaid.items()
    ]
    lines += [
        _line(money, f"{organisation.name} paid {member} {format_pence(pence)}.")
        for organisation, pence in paid.items()
    ]
    if not statement.payments:
        lines.append(_line(money, f"No payments to {member} are recorded for this period."))
    if statement.declined:
        offered_by = _names(d.organisation for d in statement.declined)
        lines.append(
            _line(
                money,
                f"{member} turned down payments of {format_pence(statement.declined_pence)}, "
                f"offered by {offered_by}.",
            )
        )
    if statement.redirected:
        paid_by = _names(r.organisation for r in statement.redirected)
        lines.append(
            _line(
                money,
                f"At {member}'s request, {format_pence(statement.redirected_pence)} from {paid_by} "
                f"went to a charity instead of to {member}.",
            )
        )
    return lines


def _goods_or_voucher(entry: CreditEntry) -> str:
    """ "Food parcel (goods) at the Food Bank, 1 hour on 3 May 2025"."""
    assert entry.spent_on is not None
    return (
        f"{entry.description} ({entry.spent_on.label}) at {entry.organisation_name}, "
        f"{format_minutes(entry.minutes)} on {format_date(entry.on)}"
    )


def _letter_credits(statement: Statement) -> list[StatementLine]:
    member = statement.member_name
    lines = [
        _line(
            LineTopic.CREDITS,
            f"In this period {member} received {format_minutes(statement.received_minutes)} of time credits "
            f"and spent {format_minutes(statement.spent_minutes)}.",
        )
    ]
    if statement.corrections:
        lines.append(
            _line(
                LineTopic.CREDITS,
                "Time credits recorded by mistake and then reversed are left out of these figures.",
            )
        )
    if not statement.goods_and_vouchers:
        return [
            *lines,
            _line(LineTopic.NOTICE, NO_CASH_VALUE),
            _line(LineTopic.NOTICE, NOT_COUNTED_AS_EARNINGS),
        ]
    spends = "; ".join(_goods_or_voucher(entry) for entry in statement.goods_and_vouchers)
    return [
        *lines,
        _line(LineTopic.CREDITS, f"{member} spent time credits on goods or a voucher: {spends}."),
        _line(LineTopic.NOTICE, SPENT_ON_GOODS_OR_VOUCHERS),
    ]


def letter_lines(statement: Statement) -> tuple[StatementLine, ...]:
    """A short letter about the statement, for the member to give their benefit office."""
    member, timebank = statement.member_name, statement.issued_by.name
    types = sorted({taken.activity.classification.label for taken in statement.activities})
    lines = [
        _line(LineTopic.HEADING, "To the benefit office"),
        _line(LineTopic.HEADING, f"About: {member}"),
        _line(
            LineTopic.ACTIVITY,
            f"{member} is a member of {timebank}, a timebank. "
            f"This letter covers {format_span(statement.from_on, statement.to_on)}.",
        ),
    ]
    if statement.activities:
        run_by = _names(taken.organisation for taken in statement.activities)
        lines.append(_line(LineTopic.ACTIVITY, f"{member} took part in activities run by {run_by}."))
    if types:
        lines.append(_line(LineTopic.ACTIVITY, f"Type of activity: {', '.join(types)}."))
    lines += [
        *_letter_credits(statement),
        *_letter_money(statement),
        _line(LineTopic.ACTIVITY, "The full statement is attached."),
        *(
            _line(
                LineTopic.CONTACT,
                f"To check what {party.name} ran or paid, contact them{_reach(party.contact)}.",
            )
            for party in statement.organisations
        ),
        *_signature(statement),
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
