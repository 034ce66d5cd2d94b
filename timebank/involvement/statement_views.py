"""The benefit-safe statement and its letter as JSON: one view each (``timebank.views.View``).

The statement (``timebank.benefits.statement.Statement``, read by ``benefit_safe_statement``) is
drawn as a page and a PDF by ``timebank.rendering``; these views are the same statement for a
program, section by section, as the API answers it. Credits are minutes and money is pence, each in
a section of its own, never added together (B1). The notice beside the credits is the one the page
and the PDF print. An expense carries its evidence flat: a receipt's reference, or the miles and
pence a mile of a journey, the other's fields null. Dates stay dates and choices, kinds and classes
stay enums until the edge writes them.

The letter is the statement's short letter for the benefit office, one line a topic, in the words
the page and the PDF use.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from timebank.benefits.activities import ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.money import Expense, Mileage, PaymentKind, Receipt
from timebank.benefits.spending import SpendClass
from timebank.benefits.statement import CreditDirection, FromOrganisation, Party, Statement
from timebank.benefits.statement_text import LineTopic, credits_notice, letter_lines
from timebank.ledger.contacts import Contact
from timebank.views import View

__all__ = ["BenefitLetterView", "BenefitStatementView"]


class StatementContactView(View):
    address: str | None
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, contact: Contact) -> StatementContactView:
        return cls(address=contact.address, email=contact.email, phone=contact.phone)


class StatementPartyView(View):
    """The timebank that issued the statement, or an organisation it names, with its contact details."""

    name: str
    contact: StatementContactView

    @classmethod
    def of(cls, party: Party) -> StatementPartyView:
        return cls(name=party.name, contact=StatementContactView.of(party.contact))


class StatementSignatoryView(View):
    """The coordinator who answers for the statement; ``signed`` only on a coordinator's own copy."""

    name: str
    role: str
    signed: bool
    contact: StatementContactView


class StatementCreditView(View):
    on: date
    minutes: int
    direction: CreditDirection
    description: str
    spent_on: SpendClass | None = Field(description="What credits were spent on, for a spend on an offer.")
    organisation_name: str | None


class StatementCorrectionView(View):
    """An entry recorded by mistake and reversed: counted in neither total."""

    on: date
    minutes: int
    direction: CreditDirection
    description: str
    reversed_on: date


class StatementCreditsView(View):
    """Time credits received and spent, in minutes; they have no cash value."""

    received_minutes: int
    spent_minutes: int
    goods_and_vouchers_minutes: int
    notice: str = Field(description="The notice the page and the PDF print beside the credits.")
    entries: tuple[StatementCreditView, ...]
    corrections: tuple[StatementCorrectionView, ...]


class StatementActivityView(View):
    """An activity the member took part in, the organisation that ran it, and the member's choice."""

    title: str
    held_on: date
    classification: ActivityClassification
    classification_label: str
    minutes: int
    choice: Reward
    organisation_name: str


class StatementExpenseView(View):
    """Money repaid at cost, with its evidence: a receipt's reference, or a journey's miles at a rate."""

    incurred_on: date
    description: str
    amount_pence: int
    organisation_name: str
    evidence: Literal["receipt", "mileage"]
    evidenced_pence: int
    receipt_reference: str | None
    journey: str | None
    miles: int | None
    pence_per_mile: int | None

    @classmethod
    def of(cls, expense: FromOrganisation[Expense]) -> StatementExpenseView:
        entry, evidence = expense.entry, expense.entry.evidence
        assert evidence is not None, "an expense always has evidence"
        mileage = evidence if isinstance(evidence, Mileage) else None
        receipt = evidence if isinstance(evidence, Receipt) else None
        return cls(
            incurred_on=entry.incurred_on,
            description=entry.description,
            amount_pence=entry.amount_pence,
            organisation_name=expense.organisation.name,
            evidence="mileage" if mileage else "receipt",
            evidenced_pence=evidence.evidenced_pence,
            receipt_reference=receipt.reference if receipt else None,
            journey=mileage.journey if mileage else None,
            miles=mileage.miles if mileage else None,
            pence_per_mile=mileage.pence_per_mile if mileage else None,
        )


class StatementPaymentView(View):
    paid_on: date
    description: str
    amount_pence: int
    kind: PaymentKind
    organisation_name: str


class StatementDeclinedView(View):
    """A payment the member turned down, and what was offered."""

    declined_on: date
    description: str
    offered_pence: int
    kind: PaymentKind
    organisation_name: str


class StatementRedirectedView(View):
    """A payment given to a charity at the member's request."""

    redirected_on: date
    description: str
    amount_pence: int
    charity_name: str
    organisation_name: str


class StatementMoneyView(View):
    """Money, in pence, apart from the credits: expenses, payments made, declined and redirected."""

    expenses_pence: int
    payments_pence: int
    declined_pence: int
    redirected_pence: int
    expenses: tuple[StatementExpenseView, ...]
    payments: tuple[StatementPaymentView, ...]
    declined: tuple[StatementDeclinedView, ...]
    redirected: tuple[StatementRedirectedView, ...]


class BenefitStatementView(View):
    """A member's benefit-safe statement for a period ``[from_on, to_on)``, section by section (B7)."""

    member_name: str
    issued_by: StatementPartyView
    signatory: StatementSignatoryView
    from_on: date
    to_on: date = Field(description="The day after the last day covered; never after tomorrow.")
    issued_on: date
    credits: StatementCreditsView
    activities: tuple[StatementActivityView, ...]
    money: StatementMoneyView
    organisations: tuple[StatementPartyView, ...] = Field(
        description="Every organisation the statement names, with its contact details."
    )

    @classmethod
    def of(cls, statement: Statement) -> BenefitStatementView:
        s = statement
        return cls(
            member_name=s.member_name,
            issued_by=StatementPartyView.of(s.issued_by),
            signatory=StatementSignatoryView(
                name=s.signatory.name,
                role=s.signatory.role,
                signed=s.signatory.signed,
                contact=StatementContactView.of(s.signatory.contact),
            ),
            from_on=s.from_on,
            to_on=s.to_on,
            issued_on=s.issued_on,
            credits=StatementCreditsView(
                received_minutes=s.received_minutes,
                spent_minutes=s.spent_minutes,
                goods_and_vouchers_minutes=sum(entry.minutes for entry in s.goods_and_vouchers),
                notice=credits_notice(s),
                entries=tuple(
                    StatementCreditView(
                        on=c.on,
                        minutes=c.minutes,
                        direction=c.direction,
                        description=c.description,
                        spent_on=c.spent_on,
                        organisation_name=c.organisation_name,
                    )
                    for c in s.credits
                ),
                corrections=tuple(
                    StatementCorrectionView(
                        on=c.on,
                        minutes=c.minutes,
                        direction=c.direction,
                        description=c.description,
                        reversed_on=c.reversed_on,
                    )
                    for c in s.corrections
                ),
            ),
            activities=tuple(
                StatementActivityView(
                    title=t.activity.title,
                    held_on=t.activity.held_on,
                    classification=t.activity.classification,
                    classification_label=t.activity.classification.label,
                    minutes=t.minutes,
                    choice=t.choice,
                    organisation_name=t.organisation.name,
                )
                for t in s.activities
            ),
            money=StatementMoneyView(
                expenses_pence=s.expenses_pence,
                payments_pence=s.payments_pence,
                declined_pence=s.declined_pence,
                redirected_pence=s.redirected_pence,
                expenses=tuple(StatementExpenseView.of(e) for e in s.expenses),
                payments=tuple(
                    StatementPaymentView(
                        paid_on=p.entry.paid_on,
                        description=p.entry.description,
                        amount_pence=p.entry.amount_pence,
                        kind=p.entry.kind,
                        organisation_name=p.organisation.name,
                    )
                    for p in s.payments
                ),
                declined=tuple(
                    StatementDeclinedView(
                        declined_on=d.entry.declined_on,
                        description=d.entry.description,
                        offered_pence=d.entry.offered_pence,
                        kind=d.entry.kind,
                        organisation_name=d.organisation.name,
                    )
                    for d in s.declined
                ),
                redirected=tuple(
                    StatementRedirectedView(
                        redirected_on=r.entry.redirected_on,
                        description=r.entry.description,
                        amount_pence=r.entry.amount_pence,
                        charity_name=r.entry.charity_name,
                        organisation_name=r.organisation.name,
                    )
                    for r in s.redirected
                ),
            ),
            organisations=tuple(StatementPartyView.of(party) for party in s.organisations),
        )


class LetterLineView(View):
    topic: LineTopic
    text: str


class BenefitLetterView(View):
    """The statement's short letter for the member's benefit office, a line a topic."""

    member_name: str
    from_on: date
    to_on: date
    lines: tuple[LetterLineView, ...]

    @classmethod
    def of(cls, statement: Statement) -> BenefitLetterView:
        return cls(
            member_name=statement.member_name,
            from_on=statement.from_on,
            to_on=statement.to_on,
            lines=tuple(LetterLineView(topic=line.topic, text=line.text) for line in letter_lines(statement)),
        )
