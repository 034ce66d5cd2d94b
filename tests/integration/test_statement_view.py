"""The benefit-safe statement's and letter's views write exactly the JSON the API answered before them.

Until issue 15 the statement's JSON was written by hand (``statement_json``) and the letter's by the
route; the views (``timebank.involvement.statement_views``) replaced both so that the contract has a
schema for them. ``_statement_json_before`` and ``_letter_json_before`` below are those functions as
they were, kept as the oracle: on a rich month (credits received and spent, a correction, four
activities with every choice, a receipt and a mileage expense, a payment made, one declined and one
given to a charity) and on a day of spends on goods and a voucher, read by the member and by a
coordinator, the views written as the API writes them (by alias, as JSON) are the same JSON, key by
key and in the same order. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.involvement_calls import create_spend_option, spend_credits
from tests.ledger_calls import record_exchange, reverse_exchange
from timebank.benefits.money import Evidence, Mileage, Receipt
from timebank.benefits.spending import SpendClass
from timebank.benefits.statement import Party, Statement
from timebank.benefits.statement_text import credits_notice, letter_lines
from timebank.clock import utc_now
from timebank.involvement.statement_views import BenefitLetterView, BenefitStatementView
from timebank.involvement.statements import benefit_safe_statement
from timebank.ledger.contacts import Contact
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller

from .involvement import FORUM_DAY
from .statement_story import MAY, Story, tell_story

COORDINATOR = Actor("test:coordinator", None, is_coordinator=True)
ACKNOWLEDGED = "I understand goods and vouchers may need to be reported to the benefit office"


# --- the JSON as it was written before the views (issue 14), kept as the oracle ---


def _contact_json(contact: Contact) -> dict[str, str | None]:
    return {"address": contact.address, "email": contact.email, "phone": contact.phone}


def _party_json(party: Party) -> dict[str, Any]:
    return {"name": party.name, "contact": _contact_json(party.contact)}


def _evidence_json(evidence: Evidence | None) -> dict[str, Any]:
    assert evidence is not None
    mileage = evidence if isinstance(evidence, Mileage) else None
    receipt = evidence if isinstance(evidence, Receipt) else None
    return {
        "evidence": "mileage" if mileage else "receipt",
        "evidenced_pence": evidence.evidenced_pence,
        "receipt_reference": receipt.reference if receipt else None,
        "journey": mileage.journey if mileage else None,
        "miles": mileage.miles if mileage else None,
        "pence_per_mile": mileage.pence_per_mile if mileage else None,
    }


def _statement_json_before(statement: Statement) -> dict[str, Any]:
    s, signatory = statement, statement.signatory
    return {
        "member_name": s.member_name,
        "issued_by": _party_json(s.issued_by),
        "signatory": {
            "name": signatory.name,
            "role": signatory.role,
            "signed": signatory.signed,
            "contact": _contact_json(signatory.contact),
        },
        "from_on": s.from_on.isoformat(),
        "to_on": s.to_on.isoformat(),
        "issued_on": s.issued_on.isoformat(),
        "credits": {
            "received_minutes": s.received_minutes,
            "spent_minutes": s.spent_minutes,
            "goods_and_vouchers_minutes": sum(entry.minutes for entry in s.goods_and_vouchers),
            "notice": credits_notice(s),
            "entries": [
                {
                    "on": c.on.isoformat(),
                    "minutes": c.minutes,
                    "direction": c.direction.value,
                    "description": c.description,
                    "spent_on": None if c.spent_on is None else c.spent_on.value,
                    "organisation_name": c.organisation_name,
                }
                for c in s.credits
            ],
            "corrections": [
                {
                    "on": c.on.isoformat(),
                    "minutes": c.minutes,
                    "direction": c.direction.value,
                    "description": c.description,
                    "reversed_on": c.reversed_on.isoformat(),
                }
                for c in s.corrections
            ],
        },
        "activities": [
            {
                "title": t.activity.title,
                "held_on": t.activity.held_on.isoformat(),
                "classification": t.activity.classification.value,
                "classification_label": t.activity.classification.label,
                "minutes": t.minutes,
                "choice": t.choice.value,
                "organisation_name": t.organisation.name,
            }
            for t in s.activities
        ],
        "money": {
            "expenses_pence": s.expenses_pence,
            "payments_pence": s.payments_pence,
            "declined_pence": s.declined_pence,
            "redirected_pence": s.redirected_pence,
            "expenses": [
                {
                    "incurred_on": e.entry.incurred_on.isoformat(),
                    "description": e.entry.description,
                    "amount_pence": e.entry.amount_pence,
                    "organisation_name": e.organisation.name,
                    **_evidence_json(e.entry.evidence),
                }
                for e in s.expenses
            ],
            "payments": [
                {
                    "paid_on": p.entry.paid_on.isoformat(),
                    "description": p.entry.description,
                    "amount_pence": p.entry.amount_pence,
                    "kind": p.entry.kind.value,
                    "organisation_name": p.organisation.name,
                }
                for p in s.payments
            ],
            "declined": [
                {
                    "declined_on": d.entry.declined_on.isoformat(),
                    "description": d.entry.description,
                    "offered_pence": d.entry.offered_pence,
                    "kind": d.entry.kind.value,
                    "organisation_name": d.organisation.name,
                }
                for d in s.declined
            ],
            "redirected": [
                {
                    "redirected_on": r.entry.redirected_on.isoformat(),
                    "description": r.entry.description,
                    "amount_pence": r.entry.amount_pence,
                    "charity_name": r.entry.charity_name,
                    "organisation_name": r.organisation.name,
                }
                for r in s.redirected
            ],
        },
        "organisations": [_party_json(party) for party in s.organisations],
    }


def _letter_json_before(statement: Statement) -> dict[str, Any]:
    return {
        "member_name": statement.member_name,
        "from_on": statement.from_on.isoformat(),
        "to_on": statement.to_on.isoformat(),
        "lines": [{"topic": line.topic.value, "text": line.text} for line in letter_lines(statement)],
    }


# --- the story ---


@pytest.fixture
def story(engine: Engine) -> Story:
    """The month at the Library, with an exchange recorded by mistake and reversed, and spends today
    on goods and a voucher."""
    told = tell_story(engine)
    forum, member = told.forum, told.member
    mistake = record_exchange(
        engine,
        forum.timebank_id,
        COORDINATOR,
        member,
        [ReceiverShare(told.neighbour, 600)],
        FORUM_DAY,
        "Gardening, recorded by mistake",
    )
    reverse_exchange(engine, forum.timebank_id, COORDINATOR, mistake.exchange_id, "Recorded twice")
    for title, spend_class in (("Food parcel", SpendClass.GOODS), ("Cinema voucher", SpendClass.VOUCHER)):
        option = create_spend_option(
            engine, forum.timebank_id, forum.coordinator, forum.organisation_id, title, 30, spend_class
        )
        spend_credits(
            engine,
            forum.timebank_id,
            forum.coordinator,
            option.spend_option_id,
            member,
            acknowledgement=ACKNOWLEDGED,
        )
    return told


def _written(view: BenefitStatementView | BenefitLetterView) -> Any:
    """The view as the API writes it: JSON text, by the contract's names."""
    return json.loads(view.model_dump_json(by_alias=True))


@pytest.mark.parametrize("reader", ["member", "coordinator"])
def test_the_statement_and_letter_views_are_the_json_answered_before(story: Story, reader: str) -> None:
    forum = story.forum
    caller: Caller = forum.member(story.member) if reader == "member" else forum.coordinator
    today = utc_now().date()
    for period in (MAY, (today, today + timedelta(days=1))):
        statement = benefit_safe_statement(forum.engine, forum.timebank_id, caller, story.member, *period)

        written, before = _written(BenefitStatementView.of(statement)), _statement_json_before(statement)
        assert written == before
        assert json.dumps(written) == json.dumps(before)  # the same keys, in the same order
        letter = _written(BenefitLetterView.of(statement))
        assert json.dumps(letter) == json.dumps(_letter_json_before(statement))

    may = benefit_safe_statement(forum.engine, forum.timebank_id, caller, story.member, *MAY)
    spends = benefit_safe_statement(forum.engine, forum.timebank_id, caller, story.member, today)
    # The story reaches every section the JSON has, so every field was compared at least once.
    assert may.corrections and may.activities and may.payments and may.declined and may.redirected
    assert {type(e.entry.evidence) for e in may.expenses} == {Receipt, Mileage}
    assert {c.spent_on for c in spends.credits} >= {SpendClass.GOODS, SpendClass.VOUCHER}
