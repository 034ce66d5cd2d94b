"""The benefit-safe statement and its letter over HTTP: JSON, a web page, a PDF (issue 4, DESIGN B7).

A user forum and an interview panel at the Riverside Health Trust in March 2024: the member takes
time credits for the forum and a cash payment for the panel, and is repaid a bus fare; another
member has their payment given to a charity. The member then declares benefits. The statement
comes back as JSON by default, as a page with ``Accept: text/html``, and as a PDF with
``?format=pdf`` or ``Accept: application/pdf``; the PDF's text, read back with pypdf, holds the
figures and the no-cash-value notice. No version names a benefit category or calls credits pay.
The page and the PDF also have paths of their own (``….html``, ``….pdf``; issue 15), answering the
same as the older URL's content negotiation, to the same callers, audited the same way.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from pypdf import PdfReader

from tests.involvement_calls import (
    attendee,
    create_activity,
    create_spend_option,
    invite_members,
    record_attendance,
    record_expense,
    set_declaration,
    spend_credits,
)
from tests.ledger_calls import record_exchange, reverse_exchange
from timebank.api.app import create_app
from timebank.benefits import Mileage, PaymentKind, Receipt, Reward, SpendClass
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.wording import NO_CASH_VALUE, NOT_COUNTED_AS_EARNINGS, find_credit_wording_problems
from timebank.db import run
from timebank.involvement.requests import OfferTerms
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller

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
    view = create_activity(
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
    invite_members(w.engine, w.timebank_id, _coordinator(w), view.activity_id, invited)
    return view.activity_id


@pytest.fixture
def march(world: World) -> World:
    """The March story, told through the services."""
    tb, engine, coordinator = world.timebank_id, world.engine, _coordinator(world)
    member, other = world.account_ids["member"], world.account_ids["other_member"]
    record_attendance(
        engine,
        tb,
        coordinator,
        _activity(world, "User forum", FORUM_DAY),
        [
            attendee(member, 120, Reward.CREDITS),
            attendee(other, 120, Reward.CHARITY, charity_name="Shelter"),
        ],
        offer=OfferTerms.for_week(2000, PaymentKind.VOUCHER, FORUM_DAY, "Thank-you for the forum"),
    )
    record_attendance(
        engine,
        tb,
        coordinator,
        _activity(world, "Interview panel", PANEL_DAY),
        [attendee(member, 120, Reward.PAYMENT)],
        offer=OfferTerms.for_week(2500, PaymentKind.CASH, PANEL_DAY, "Sitting on the panel"),
    )
    record_expense(
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
    set_declaration(engine, tb, coordinator, member, [BenefitCategory.UNIVERSAL_CREDIT], members_say_so=True)
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


# --- true line by line (the statement's issue: reversals, goods, who paid, future days, JSON, PDF) ---

TRUST_CONTACT = {
    "contact_address": "1 Hospital Road, Riverside RV1 2AB",
    "contact_email": "involvement@riverside-trust.example",
    "contact_phone": "01632 960000",
}
TIMEBANK_EMAIL = "hello@riverside-timebank.example"
ACKNOWLEDGED = "I understand goods and vouchers may need to be reported to the benefit office"


def _coordinator_actor() -> Actor:
    return Actor("system:test", None, is_coordinator=True)


def _timebank_name(w: World) -> str:
    return str(w.client.get(w.url(""), headers=w.headers["coordinator"]).json()["name"])


def _forms(w: World, role: str = "member", **params: str) -> dict[str, str]:
    """The statement as JSON text, as a page's words and as a PDF's text; and the letter as text."""
    page = _get(w, STATEMENT, role=role, params={**params, "format": "html"})  # type: ignore[arg-type]
    pdf = _get(w, STATEMENT, role=role, params={**params, "format": "pdf"})  # type: ignore[arg-type]
    letter = _get(w, LETTER, role=role, params=params)  # type: ignore[arg-type]
    for answer in (page, pdf, letter):
        assert answer.status_code == 200, answer.text
    return {
        "html": _words(page.text),
        "pdf": _pdf_text(pdf.content),
        "letter": " ".join(line["text"] for line in letter.json()["lines"]),
    }


def _freeze_today(monkeypatch: pytest.MonkeyPatch, today: date) -> None:
    """Today, as the statement's use case and route read it (the ledger's own clock is left alone)."""
    now = datetime.combine(today, time(12, 0), UTC)
    for module in ("timebank.involvement.statements", "timebank.api.routes.benefit_statements"):
        monkeypatch.setattr(f"{module}.utc_now", lambda: now, raising=False)


def test_a_reversed_exchange_is_netted_out_of_the_totals_and_listed_apart_as_a_correction(
    march: World,
) -> None:
    # 10 hours recorded by mistake as help the member gave, then reversed by a coordinator.
    tb, member, other = march.timebank_id, march.account_ids["member"], march.account_ids["other_member"]
    mistake = record_exchange(
        march.engine,
        tb,
        _coordinator_actor(),
        member,
        [ReceiverShare(other, 600)],
        FORUM_DAY,
        "Gardening, recorded by mistake",
    )
    reverse_exchange(march.engine, tb, _coordinator_actor(), mistake.exchange_id, "Recorded twice")

    body = _get(march, STATEMENT).json()
    assert (body["credits"]["received_minutes"], body["credits"]["spent_minutes"]) == (120, 0)
    assert [entry["minutes"] for entry in body["credits"]["entries"]] == [120]
    [correction] = body["credits"]["corrections"]
    assert (correction["on"], correction["minutes"], correction["direction"]) == (
        "2024-03-12",
        600,
        "received",
    )
    assert correction["reversed_on"] == datetime.now(UTC).date().isoformat()
    forms = _forms(march, **MARCH)
    for text in (forms["html"], forms["pdf"]):
        assert "Time credits received: 2 hours." in text
        assert "Time credits spent: 0 minutes." in text
        assert "10 hours of time credits" in text  # named once, as a correction
        assert "reversed on" in text
    assert "received 2 hours of time credits" in forms["letter"]
    assert "12 hours" not in " ".join(forms.values())


def test_goods_and_voucher_spends_are_named_and_no_form_says_credits_cannot_buy_goods(march: World) -> None:
    tb, member, coordinator = march.timebank_id, march.account_ids["member"], _coordinator(march)
    for title, spend_class in (("Food parcel", SpendClass.GOODS), ("Cinema voucher", SpendClass.VOUCHER)):
        option = create_spend_option(
            march.engine, tb, coordinator, march.organisation_id, title, 60, spend_class
        )
        spend_credits(
            march.engine, tb, coordinator, option.spend_option_id, member, acknowledgement=ACKNOWLEDGED
        )
    spent_on = datetime.now(UTC).date()  # a spend is dated by the day it posts
    today = {"from": spent_on.isoformat(), "to": (spent_on + timedelta(days=1)).isoformat()}

    body = _get(march, STATEMENT, params=today).json()  # type: ignore[arg-type]
    assert body["credits"]["spent_minutes"] == 120
    assert sorted((e["description"], e["spent_on"]) for e in body["credits"]["entries"]) == [
        ("Cinema voucher", "voucher"),
        ("Food parcel", "goods"),
    ]
    assert "may need to be reported to the benefit office" in body["credits"]["notice"]
    forms = _forms(march, **today)
    for name, text in forms.items():
        assert "may need to be reported to the benefit office" in text, name
        assert "cannot be exchanged for cash or goods" not in text, name
        assert "not exchanged for goods" not in text, name
        assert find_credit_wording_problems(text) == (), name
    for text in (forms["html"], forms["pdf"]):
        assert "1 hour of time credits spent on goods: Food parcel, at Riverside Health Trust." in text
        assert "1 hour of time credits spent on a voucher: Cinema voucher, at Riverside Health Trust." in text
    assert "Food parcel (goods)" in forms["letter"] and "Cinema voucher (a voucher)" in forms["letter"]


def test_without_goods_or_vouchers_every_form_keeps_the_no_cash_value_notice(march: World) -> None:
    body = _get(march, STATEMENT).json()
    assert body["credits"]["notice"] == NO_CASH_VALUE
    for text in _forms(march, **MARCH).values():
        assert NO_CASH_VALUE in text
        assert "may need to be reported" not in text


def test_the_organisation_that_ran_and_paid_is_named_with_its_contact_and_the_timebank_is_not(
    march: World,
) -> None:
    coordinator = march.headers["coordinator"]
    changed = march.client.patch(
        march.url(f"/organisations/{march.organisation_id}"), json=TRUST_CONTACT, headers=coordinator
    )
    assert changed.status_code == 200, changed.text
    assert march.client.patch(
        march.url(""), json={"contact_email": TIMEBANK_EMAIL}, headers=coordinator
    ).is_success
    timebank = _timebank_name(march)

    body = _get(march, STATEMENT).json()
    assert body["issued_by"] == {
        "name": timebank,
        "contact": {"address": None, "email": TIMEBANK_EMAIL, "phone": None},
    }
    assert {a["organisation_name"] for a in body["activities"]} == {"Riverside Health Trust"}
    assert body["money"]["payments"][0]["organisation_name"] == "Riverside Health Trust"
    assert body["money"]["expenses"][0]["organisation_name"] == "Riverside Health Trust"
    trust_contact = {"address": TRUST_CONTACT["contact_address"], "email": TRUST_CONTACT["contact_email"]}
    assert body["organisations"] == [
        {"name": "Riverside Health Trust", "contact": {**trust_contact, "phone": "01632 960000"}}
    ]
    forms = _forms(march, **MARCH)
    for name, text in forms.items():
        assert f"{timebank} paid" not in text, name
        assert f"run by {timebank}" not in text, name
        for value in TRUST_CONTACT.values():
            assert value in text, name
        assert TIMEBANK_EMAIL in text, name
    assert "Riverside Health Trust paid Member £25." in forms["letter"]


def test_the_members_own_copy_claims_no_signature_and_a_coordinators_copy_is_signed_by_them(
    march: World,
) -> None:
    timebank = _timebank_name(march)

    own = _get(march, STATEMENT).json()["signatory"]
    assert (own["signed"], own["role"]) == (False, "Coordinator")
    own_text = _forms(march, **MARCH)
    for text in own_text.values():
        assert "Signed for" not in text
        assert "not signed" in text
    signed = _get(march, STATEMENT, role="coordinator").json()["signatory"]
    assert (signed["name"], signed["role"], signed["signed"]) == ("Coordinator", "Coordinator", True)
    letter = _get(march, LETTER, role="coordinator").json()["lines"]
    assert letter[-1]["text"].startswith(f"Signed for {timebank} by Coordinator, Coordinator, on ")


def test_the_default_period_ends_today_and_a_later_end_is_cut_to_today(
    march: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_today(monkeypatch, date(2024, 3, 15))  # after the forum (12th), before the panel (19th)

    member = march.account_ids["member"]
    default = march.client.get(
        march.url(f"/accounts/{member}{STATEMENT}"), headers=march.headers["member"]
    ).json()  # no period asked for
    assert (default["from_on"], default["to_on"], default["issued_on"]) == (
        "2024-03-01",
        "2024-03-16",
        "2024-03-15",
    )
    cut = _get(march, STATEMENT).json()  # asked for all of March
    assert (cut["from_on"], cut["to_on"]) == ("2024-03-01", "2024-03-16")
    assert [a["title"] for a in cut["activities"]] == ["User forum"]
    assert cut["money"]["payments"] == []
    for text in _forms(march, **MARCH).values():
        assert "1 March 2024 to 15 March 2024" in text
        assert "31 March 2024" not in text


def test_a_period_that_starts_after_today_is_refused(march: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _freeze_today(monkeypatch, date(2024, 3, 15))

    for path in (STATEMENT, LETTER):
        answer = _get(march, path, params={"from": "2024-03-16", "to": "2024-04-01"})  # type: ignore[arg-type]
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "period_starts_after_today"


def test_the_json_carries_the_notice_and_each_expenses_evidence(march: World) -> None:
    record_expense(
        march.engine,
        march.timebank_id,
        _coordinator(march),
        march.organisation_id,
        march.account_ids["member"],
        540,
        Mileage("Home to the trust and back", 12, 45),
        "Travel by car",
        PANEL_DAY,
    )

    money = _get(march, STATEMENT).json()["money"]
    bus, car = money["expenses"]
    assert {k: bus[k] for k in ("evidence", "receipt_reference", "evidenced_pence")} == {
        "evidence": "receipt",
        "receipt_reference": "Bus 881",
        "evidenced_pence": 450,
    }
    assert {k: car[k] for k in ("evidence", "journey", "miles", "pence_per_mile", "evidenced_pence")} == {
        "evidence": "mileage",
        "journey": "Home to the trust and back",
        "miles": 12,
        "pence_per_mile": 45,
        "evidenced_pence": 540,
    }
    assert car["receipt_reference"] is None and bus["miles"] is None


def test_every_pdf_page_is_numbered_and_headed_with_who_issued_it(march: World) -> None:
    timebank = _timebank_name(march)
    for path, pages in ((STATEMENT, None), (LETTER, 1)):
        pdf = _get(march, path, params={"format": "pdf"})  # type: ignore[arg-type]
        reader = PdfReader(io.BytesIO(pdf.content))
        count = len(reader.pages)
        assert count >= 2 if pages is None else count == pages
        for number, page in enumerate(reader.pages, start=1):
            text = " ".join((page.extract_text() or "").split())
            assert f"Page {number} of {count}" in text
            assert f"Issued by {timebank}" in text


# --- one operation per form (issue 15): the page and the PDF at paths of their own ---


@pytest.mark.parametrize(("path", "name"), [(STATEMENT, "benefit-statement"), (LETTER, "benefit-letter")])
def test_the_page_and_the_pdf_have_paths_of_their_own_and_say_what_the_older_url_says(
    march: World, path: str, name: str
) -> None:
    page = _get(march, f"{path}.html")
    pdf = _get(march, f"{path}.pdf")
    old_page = _get(march, path, params={"format": "html"})  # type: ignore[arg-type]
    old_pdf = _get(march, path, Accept="application/pdf")

    assert (page.status_code, pdf.status_code) == (200, 200), (page.text, pdf.text)
    assert page.headers["content-type"].startswith("text/html")
    assert page.text == old_page.text
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"] == f'inline; filename="{name}-2024-03-01-2024-04-01.pdf"'
    assert _pdf_text(pdf.content) == _pdf_text(old_pdf.content)
    for text in (_words(page.text), _pdf_text(pdf.content)):
        assert "2 hours of time credits" in text
        assert NO_CASH_VALUE in text
        assert find_credit_wording_problems(text) == ()
        _names_no_benefit(text)


def test_a_coordinators_read_of_the_page_or_the_pdf_is_audited_as_the_json_is(march: World) -> None:
    member = march.account_ids["member"]

    def reads() -> int:
        entries = run(march.engine, lambda uow: uow.audit.entries(march.timebank_id, member), write=False)
        return [entry.action for entry in entries].count("statement_read")

    for path in (f"{STATEMENT}.html", f"{STATEMENT}.pdf", f"{LETTER}.html", f"{LETTER}.pdf"):
        before = reads()
        assert _get(march, path, role="coordinator").status_code == 200
        assert reads() == before + 1, path
        assert _get(march, path).status_code == 200  # the member's own read leaves none
        assert reads() == before + 1, path


@pytest.mark.parametrize(
    ("role", "status", "code"),
    [
        ("other_member", 403, "self_or_coordinator_required"),
        ("staff", 403, "self_or_coordinator_required"),
        ("organisation_key", 403, "self_or_coordinator_required"),
        ("other_coordinator", 404, "timebank_not_found"),
    ],
)
def test_nobody_else_reads_the_page_or_the_pdf(march: World, role: str, status: int, code: str) -> None:
    for path in (f"{STATEMENT}.html", f"{STATEMENT}.pdf", f"{LETTER}.html", f"{LETTER}.pdf"):
        answer = _get(march, path, role=role)
        assert answer.status_code == status, (path, answer.text)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == code


def test_a_page_or_a_pdf_of_a_period_after_today_is_refused(
    march: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _freeze_today(monkeypatch, date(2024, 3, 15))

    for path in (f"{STATEMENT}.html", f"{STATEMENT}.pdf", f"{LETTER}.html", f"{LETTER}.pdf"):
        answer = _get(march, path, params={"from": "2024-03-16", "to": "2024-04-01"})  # type: ignore[arg-type]
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "period_starts_after_today"


def test_the_contract_declares_the_json_and_one_media_type_for_each_other_form() -> None:
    paths = create_app().openapi()["paths"]
    base = "/v1/timebanks/{tb}/accounts/{account_id}/benefit-statement"
    expected = {
        base: ("application/json", "#/components/schemas/BenefitStatementView"),
        f"{base}.html": ("text/html", None),
        f"{base}.pdf": ("application/pdf", None),
        f"{base}/letter": ("application/json", "#/components/schemas/BenefitLetterView"),
        f"{base}/letter.html": ("text/html", None),
        f"{base}/letter.pdf": ("application/pdf", None),
    }
    for path, (media_type, ref) in expected.items():
        operation = paths[path]["get"]
        content = operation["responses"]["200"]["content"]
        assert list(content) == [media_type], path
        assert content[media_type]["schema"].get("$ref") == ref, path
        # ?format= still works on the JSON paths, but a generated client must not send it: it would
        # read a PDF as JSON.
        assert "format" not in {parameter["name"] for parameter in operation["parameters"]}, path
    assert paths[f"{base}.pdf"]["get"]["responses"]["200"]["content"]["application/pdf"]["schema"] == {
        "type": "string",
        "format": "binary",
    }
