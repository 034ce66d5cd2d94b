"""The benefit-safe statement and its letter over HTTP: JSON, a web page, a PDF (issue 4, DESIGN B7).

A user forum and an interview panel at the Riverside Health Trust in March 2024: the member takes
time credits for the forum and a cash payment for the panel, and is repaid a bus fare; another
member has their payment given to a charity. The member then declares benefits. The statement
comes back as JSON by default, as a page with ``Accept: text/html``, and as a PDF with
``?format=pdf`` or ``Accept: application/pdf``; the PDF's text, read back with pypdf, holds the
figures and the no-cash-value notice. No version names a benefit category or calls credits pay.
"""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from pypdf import PdfReader

from timebank import services
from timebank.benefits import PaymentKind, Receipt, Reward
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.wording import NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS, find_credit_wording_problems
from timebank.db import run
from timebank.services import AttendeeChoice, OfferTerms
from timebank.services.callers import Caller

from .conftest import World

STATEMENT = "/benefit-statement"
LETTER = "/benefit-statement/letter"
MARCH = {"from": "2024-03-01", "to": "2024-04-01"}
FORUM_DAY = date(2024, 3, 12)
PANEL_DAY = date(2024, 3, 19)
# The figures as the statement words them.
FIGURES = ("2 hours of time credits received", "£25", "£4.50", "Participating as a service user")


def _coordinator(w: World) -> Caller:
    return Caller("system:test", False, w.timebank_id, None, None, True, frozenset())


def _activity(w: World, title: str, on: date) -> int:
    view = services.create_activity(
        w.engine,
        w.timebank_id,
        _coordinator(w),
        w.organisation_id,
        title,
        on,
        120,
        ActivityClassification.USES_SERVICES,
        "Shaping the trust's services with the people who use them",
    )
    invited = [w.account_ids["member"], w.account_ids["other_member"]]
    services.invite_members(w.engine, w.timebank_id, _coordinator(w), view.activity_id, invited)
    return view.activity_id


@pytest.fixture
def march(world: World) -> World:
    """The March story, told through the services."""
    tb, engine, coordinator = world.timebank_id, world.engine, _coordinator(world)
    member, other = world.account_ids["member"], world.account_ids["other_member"]
    services.record_attendance(
        engine,
        tb,
        coordinator,
        _activity(world, "User forum", FORUM_DAY),
        [
            AttendeeChoice(member, 120, Reward.CREDITS),
            AttendeeChoice(other, 120, Reward.CHARITY, charity_name="Shelter"),
        ],
        offer=OfferTerms.for_week(2000, PaymentKind.VOUCHER, FORUM_DAY, "Thank-you for the forum"),
    )
    services.record_attendance(
        engine,
        tb,
        coordinator,
        _activity(world, "Interview panel", PANEL_DAY),
        [AttendeeChoice(member, 120, Reward.PAYMENT)],
        offer=OfferTerms.for_week(2500, PaymentKind.CASH, PANEL_DAY, "Sitting on the panel"),
    )
    services.record_expense(
        engine,
        tb,
        coordinator,
        world.organisation_id,
        member,
        450,
        Receipt("Bus 881", 450),
        "Bus fare",
        FORUM_DAY,
    )
    services.set_declaration(
        engine, tb, coordinator, member, [BenefitCategory.UNIVERSAL_CREDIT], members_say_so=True
    )
    return world


def _get(w: World, path: str, role: str = "member", account: str = "member", **headers: str):  # type: ignore[no-untyped-def]
    params = {**MARCH, **headers.pop("params", {})}  # type: ignore[dict-item]
    return w.client.get(
        w.url(f"/accounts/{w.account_ids[account]}{path}"),
        params=params,
        headers={**w.headers[role], **headers},
    )


def _pdf_text(content: bytes) -> str:
    text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    return " ".join(text.split())


def _words(text: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def _names_no_benefit(text: str) -> None:
    for category in BenefitCategory:
        assert category.value not in text
        assert category.label not in text


def test_the_statement_is_json_by_default_with_credits_and_money_apart(march: World) -> None:
    answer = _get(march, STATEMENT)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    body = answer.json()
    assert body["credits"]["received_minutes"] == 120
    assert body["money"]["payments_pence"] == 2500
    assert body["money"]["expenses_pence"] == 450
    assert [a["choice"] for a in body["activities"]] == ["credits", "payment"]
    assert not any("pence" in key for key in body["credits"])
    _names_no_benefit(answer.text)


@pytest.mark.parametrize("how", ["query", "accept"])
def test_the_statement_as_a_pdf_holds_the_figures_and_the_no_cash_value_notice(
    march: World, how: str
) -> None:
    extra = {"params": {"format": "pdf"}} if how == "query" else {"Accept": "application/pdf"}
    answer = _get(march, STATEMENT, **extra)  # type: ignore[arg-type]
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert "benefit-statement-2024-03-01-2024-04-01.pdf" in answer.headers["content-disposition"]
    assert answer.content.startswith(b"%PDF")
    text = _pdf_text(answer.content)
    for figure in FIGURES:
        assert figure in text
    assert NO_CASH_VALUE in text
    assert " ".join(NOT_COUNTED_AS_EARNINGS.split()) in text  # the letter follows the statement
    assert find_credit_wording_problems(text) == ()
    _names_no_benefit(text)


def test_the_statement_as_a_web_page_is_plain_and_names_no_benefit(march: World) -> None:
    answer = _get(march, STATEMENT, Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    page = answer.text
    assert '<html lang="en-GB">' in page
    assert page.count("<h1>") == 1
    words = _words(page)
    for figure in FIGURES:
        assert figure in words
    assert NO_CASH_VALUE in words
    assert find_credit_wording_problems(words) == ()
    _names_no_benefit(page)


def test_the_letter_alone_as_json_and_as_a_pdf(march: World) -> None:
    answer = _get(march, LETTER)
    assert answer.status_code == 200, answer.text
    texts = [line["text"] for line in answer.json()["lines"]]
    assert texts[0] == "To the benefit office"
    assert NO_CASH_VALUE in texts
    pdf = _get(march, LETTER, params={"format": "pdf"})  # type: ignore[arg-type]
    assert pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert "2 hours of time credits" in text
    assert NO_CASH_VALUE in text
    _names_no_benefit(text)


def test_a_coordinator_reads_it_and_the_read_is_audited(march: World) -> None:
    answer = _get(march, STATEMENT, role="coordinator")
    assert answer.status_code == 200, answer.text
    assert answer.json()["signatory"]["role"] == "Coordinator"
    member = march.account_ids["member"]
    entries = run(march.engine, lambda uow: uow.audit.entries(march.timebank_id, member), write=False)
    assert [entry.action for entry in entries].count("statement_read") == 1


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("other_member", 403, "self_or_coordinator_required"),
        ("staff", 403, "self_or_coordinator_required"),
        ("organisation_key", 403, "self_or_coordinator_required"),
        ("other_coordinator", 404, "timebank_not_found"),
    ],
)
def test_nobody_else_reads_a_members_statement(march: World, role: str, status: int, code: str) -> None:
    for path in (STATEMENT, LETTER):
        answer = _get(march, path, role=role, params={"format": "pdf"})  # type: ignore[arg-type]
        assert answer.status_code == status, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code


def test_an_empty_period_and_an_organisations_account_are_refused(march: World) -> None:
    empty = _get(march, STATEMENT, params={"from": "2024-04-01", "to": "2024-03-01"})  # type: ignore[arg-type]
    assert empty.json()["code"] == "period_must_end_after_start"
    organisation = _get(march, STATEMENT, role="coordinator", account="organisation")
    assert organisation.json()["code"] == "member_account_required"
