"""Benefit status never leaves the service through a read (DESIGN B4, issue 4's privacy tests).

A member declares two benefits (with a coordinator, on the member's say-so), and the organisation
has met them since: the member came to an activity and took a payment, which the benefit guard
warned about; a payment was checked; another was refused for want of an acknowledgement. The member
spent credits on the organisation's options too: a voucher, refused for want of the member's
acknowledgement and then spent with it, and a community activity; one option was withdrawn. Then
every read of the API (each GET row of the authorization matrix, so each operation of the spec) is
sent by every kind of caller: the member themself, another member, organisation staff, the
organisation's API key, a coordinator, another timebank's coordinator, an admin, nobody. No answer,
of any status or media type, may name a declared category, by its code or by its label: not the
activities, not who came and what they chose, not the spend options, not the audit log. The
organisation's writes that answer with the guard's warnings (recording attendance, checking a
payment) and its other writes are swept the same way, and so is the guard's refusal. So are the
spend options' writes (offering, withdrawing, spending) and the spend guard's
``spend_acknowledgement_required`` refusal of a voucher, which the member and a coordinator meet: it
says what is at stake without naming the member's benefits. The reciprocity report's CSV export, its
JSON, and the member's own benefit-safe statement as a PDF are read on top, and so are the CSV, the
statement's and the letter's page and PDF at the paths of their own (issue 15).

Three reads are left out of the sweep on purpose: ``get_benefits_declaration`` shows the member their
own categories, and coordinators too, ``get_payment_advice`` shows them the guard's warnings in
full, which name the limits, and ``download_member_data`` gives them everything held about the
member, the declaration included. They are tested for who may see them instead: the member and
coordinators see them, every other caller gets a refusal naming none, and every read that
succeeds, the member's own included, leaves an audit row. A coordinator's payment check answers
with the warnings in full too (the coordinator may read the declaration); everyone on the
organisation's side gets the one sentence, naming no benefit, and so does the guard's refusal.
"""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from tests.api.conftest import build_world
from tests.api.test_authorization_matrix import (
    CALLERS,
    MINUTES,
    OFFER_FROM,
    OFFER_TO,
    PAYMENT_PENCE,
    ROWS,
    TIMEBANK_CALLERS,
    Arena,
    Row,
    attendance_body,
    build_arena,
    coordinator_of,
    outcome,
    send,
)
from tests.conftest import BACKENDS
from tests.involvement_calls import (
    attendee,
    check_payment_offer,
    record_attendance,
    set_declaration,
    spend_credits,
)
from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.benefits.money import PaymentKind
from timebank.benefits.periods import PeriodKind
from timebank.benefits.spending import SpendClass
from timebank.db import make_engine
from timebank.involvement.errors import PaymentAcknowledgementRequired
from timebank.involvement.requests import OfferTerms
from timebank.spending.errors import SpendAcknowledgementRequired
from timebank.spending.spends import withdraw_spend_option

DECLARED = (BenefitCategory.UNIVERSAL_CREDIT, BenefitCategory.CARERS_ALLOWANCE)
# The one read that shows a declaration, to the member and coordinators: tested for who may see it
# (below) instead of being swept; every other read of the spec is swept.
SHOWS_THE_DECLARATION = "get_benefits_declaration"
SHOWS_THE_ADVICE = "get_payment_advice"
# Everything held about the member, as a ZIP: it holds their declaration, for them and coordinators.
SHOWS_THE_DATA = "download_member_data"
SHOWN_TO_WHO_MAY_SEE = {SHOWS_THE_DECLARATION, SHOWS_THE_ADVICE, SHOWS_THE_DATA}
READS = [row for row in ROWS if row.method == "GET" and row.operation_id not in SHOWN_TO_WHO_MAY_SEE]
# The organisation's writes of recognising involvement. Those in WARNED answer with the guard's
# warnings for a member who declared benefits, as the organisation's staff may read them.
WARNED = {"record_attendance", "check_payment"}
# The spend options' writes: offering and withdrawing (the organisation's side) and spending (the
# member, or a coordinator for them).
SPEND_WRITES = {"create_spend_option", "withdraw_spend_option", "spend_credits"}
WRITES = [
    row for row in ROWS if row.operation_id in WARNED | SPEND_WRITES | {"create_activity", "record_expense"}
]
ORGANISATION_SIDE = ("staff", "organisation_key", "coordinator")
# Who acts for the organisation but may not read the declaration: told only the one sentence.
ORGANISATION_ONLY = ("staff", "organisation_key")
MAY_SEE_THE_DECLARATION = ("member", "coordinator")
# Who may spend the member's credits: the member, or a coordinator for them.
MAY_SPEND_FOR_THE_MEMBER = ("member", "coordinator")
SPEND_ACKNOWLEDGEMENT = "I understand a voucher may affect my benefits; I asked first"


@pytest.fixture(scope="module", params=BACKENDS)
def declared(request: pytest.FixtureRequest) -> Iterator[Arena]:
    engine = make_engine(str(request.getfixturevalue(f"{request.param}_url")))
    world = build_world(engine)
    arena = build_arena(world)
    coordinator = coordinator_of(world.timebank_id)
    member = world.account_ids["member"]
    set_declaration(engine, world.timebank_id, coordinator, member, DECLARED, members_say_so=True)
    # What the organisation did since, so the audit log and the attendance the sweep reads hold it.
    arena.attended()
    check_payment_offer(
        engine, world.timebank_id, coordinator, arena.activity(), member, PAYMENT_PENCE, worked_minutes=120
    )
    with pytest.raises(PaymentAcknowledgementRequired):
        record_attendance(
            engine,
            world.timebank_id,
            coordinator,
            arena.activity(),
            [attendee(member, MINUTES, Reward.PAYMENT)],
            offer=OfferTerms(
                amount_pence=PAYMENT_PENCE,
                kind=PaymentKind.CASH,
                period_kind=PeriodKind.WEEK,
                from_on=OFFER_FROM,
                to_on=OFFER_TO,
                description="Thanks",
            ),
        )
    # What the member spent (a coordinator for them): a voucher refused without the member's
    # acknowledgement, then spent with it; a community activity, which needs none. And an option
    # withdrawn, so that the listings of withdrawn options the sweep reads hold one.
    voucher = arena.spend_option(SpendClass.VOUCHER)
    with pytest.raises(SpendAcknowledgementRequired):
        spend_credits(engine, world.timebank_id, coordinator, voucher, member)
    spend_credits(
        engine, world.timebank_id, coordinator, voucher, member, acknowledgement=SPEND_ACKNOWLEDGEMENT
    )
    spend_credits(engine, world.timebank_id, coordinator, arena.spend_option(), member)
    withdraw_spend_option(engine, world.timebank_id, coordinator, arena.spend_option(SpendClass.GOODS))
    yield arena
    world.client.close()
    engine.dispose()


def _text_of(answer: httpx.Response) -> str:
    media_type = answer.headers.get("content-type", "").split(";")[0]
    if media_type == "application/pdf":
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(answer.content)).pages)
    return answer.content.decode("utf-8", errors="replace")


def _names_no_declared_benefit(text: str, where: str) -> None:
    lowered = text.lower()
    for category in DECLARED:
        assert category.value not in lowered, f"{where} names {category.value}"
        assert category.label.lower() not in lowered, f"{where} names {category.label}"


def _warnings(answer: httpx.Response) -> list[str]:
    body = answer.json()
    if "attendees" in body:
        return [text for attendee in body["attendees"] for text in attendee["warnings"]]
    return list(body["warnings"])


def _audit_log(arena: Arena) -> list[dict[str, Any]]:
    """Every entry of the timebank's audit log, as a coordinator reads it, page by page."""
    world = arena.world
    entries: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": 100}
    while True:
        page = world.client.get(world.url("/audit-log"), params=params, headers=world.headers["coordinator"])
        assert page.status_code == 200, page.text
        entries += page.json()["entries"]
        if page.json()["next_cursor"] is None:
            return entries
        params["cursor"] = page.json()["next_cursor"]


def _declaration_reads(arena: Arena) -> list[dict[str, Any]]:
    return [entry for entry in _audit_log(arena) if entry["action"] == "declaration_read"]


def test_the_sweep_reads_every_read_of_the_spec_but_the_declaration() -> None:
    assert len(READS) >= 19  # every GET of the matrix, which has a row per operation of the spec
    swept = {row.operation_id for row in READS}
    assert {
        "list_activities",
        "get_activity",
        "list_attendance",
        "read_audit_log",
        "list_spend_options",
    } <= swept
    # Each form of the report and the statement at a path of its own (issue 15) is swept too.
    assert {
        "get_reciprocity_report_csv",
        "get_reciprocity_chart_svg",
        "get_reciprocity_chart_png",
        "get_benefit_statement_html",
        "get_benefit_statement_pdf",
        "get_benefit_letter_html",
        "get_benefit_letter_pdf",
    } <= swept
    assert not SHOWN_TO_WHO_MAY_SEE & swept
    assert {row.operation_id for row in ROWS} >= SHOWN_TO_WHO_MAY_SEE
    # The withdrawn options are swept as well as the active ones, for the timebank and the organisation.
    listings = [row for row in READS if row.operation_id == "list_spend_options"]
    assert len(listings) == 4, [row.name for row in listings]
    assert {row.operation_id for row in WRITES} >= WARNED | SPEND_WRITES


@pytest.mark.parametrize("row", READS, ids=lambda row: row.name)
def test_no_read_names_a_members_benefits_to_anyone(declared: Arena, row: Row) -> None:
    for caller in CALLERS:
        answer = send(declared, row, caller)
        _names_no_declared_benefit(_text_of(answer), f"{row.name} as {caller} ({answer.status_code})")


@pytest.mark.parametrize("row", WRITES, ids=lambda row: row.name)
def test_no_write_of_the_organisation_names_a_members_benefits(declared: Arena, row: Row) -> None:
    for caller in CALLERS:
        answer = send(declared, row, caller)
        if row.operation_id == "check_payment" and caller == "coordinator":
            # A coordinator's check gives the warnings in full, as the member's payment advice does.
            assert answer.is_success and _warnings(answer), (caller, answer.text[:300])
            continue
        _names_no_declared_benefit(_text_of(answer), f"{row.name} as {caller} ({answer.status_code})")
        if row.operation_id in WARNED and caller in ORGANISATION_SIDE:
            # The sweep must meet the warnings it checks: the member declared, so the guard warns.
            assert answer.is_success, (row.name, caller, answer.text[:300])
            assert _warnings(answer), f"{row.name} as {caller} gave no warning"


def test_the_guards_refusal_names_no_benefit(declared: Arena) -> None:
    world = declared.world
    for caller in CALLERS:
        body = attendance_body(declared)
        del body["attendees"][1]["acknowledgement"]
        path = world.url(f"/activities/{declared.activity()}/attendance")
        headers = {**declared.headers[caller], "Idempotency-Key": str(uuid.uuid4())}
        answer = world.client.post(path, json=body, headers=headers)
        if caller in ORGANISATION_SIDE:
            assert outcome(answer) == "422 payment_acknowledgement_required", (caller, answer.text[:300])
            # The one sentence the organisation is told about anyone who declared benefits.
            assert answer.json()["detail"].endswith(ORGANISATION_PAYMENT_ADVICE)
        _names_no_declared_benefit(
            _text_of(answer), f"the guard's refusal to {caller} ({answer.status_code})"
        )


def _spend_answers(declared: Arena, caller: str) -> tuple[httpx.Response, httpx.Response]:
    """A voucher spent for the member by ``caller``: without the member's acknowledgement, then with it."""
    world = declared.world
    path = world.url(f"/spend-options/{declared.spend_option(SpendClass.VOUCHER)}/spends")
    body: dict[str, Any] = {"account_id": world.account_ids["member"]}
    answers = []
    for sent in (body, {**body, "acknowledgement": SPEND_ACKNOWLEDGEMENT}):
        headers = {**declared.headers[caller], "Idempotency-Key": str(uuid.uuid4())}
        answers.append(world.client.post(path, json=sent, headers=headers))
    refused, acknowledged = answers
    return refused, acknowledged


def test_the_spend_guards_refusal_names_no_benefit(declared: Arena) -> None:
    (row,) = [row for row in ROWS if row.operation_id == "spend_credits" and not row.variant]
    for caller in CALLERS:
        refused, acknowledged = _spend_answers(declared, caller)
        if caller in MAY_SPEND_FOR_THE_MEMBER:
            # The member declared benefits, so a voucher waits for their acknowledgement, which the
            # refusal asks for in words the member reads.
            assert outcome(refused) == "422 spend_acknowledgement_required", (caller, refused.text[:300])
            assert "affect your benefits" in refused.json()["detail"], (caller, refused.text[:300])
            assert acknowledged.status_code == 201, (caller, acknowledged.text[:300])
            assert acknowledged.json()["acknowledged"] is True, caller
        else:
            # Nobody else meets the guard: they may not spend the member's credits at all.
            assert outcome(refused) == row.expected[caller], (caller, refused.text[:300])
            assert outcome(acknowledged) == row.expected[caller], (caller, acknowledged.text[:300])
        for what, answer in (("refusal", refused), ("acknowledged spend", acknowledged)):
            _names_no_declared_benefit(
                _text_of(answer), f"the spend guard's {what} to {caller} ({answer.status_code})"
            )


def test_the_audit_log_holds_the_checks_and_warnings_and_names_no_benefit(declared: Arena) -> None:
    entries = _audit_log(declared)
    actions = {entry["action"] for entry in entries}
    assert {
        "declaration_set",
        "payment_checked",
        "payment_warned",
        "payment_acknowledged",
        "payment_refused",
        "reward_chosen",
        "spend_checked",
        "spend_acknowledged",
        "spend_refused",
    } <= actions
    for entry in entries:
        _names_no_declared_benefit(repr(entry), f"audit entry {entry['id']} ({entry['action']})")


def test_only_the_member_and_coordinators_see_the_declaration_and_every_read_is_audited(
    declared: Arena,
) -> None:
    world = declared.world
    account = world.account_ids["member"]
    (row,) = [row for row in ROWS if row.operation_id == SHOWS_THE_DECLARATION]
    categories = sorted(category.value for category in DECLARED)
    mismatches = []

    def read(caller: str, timebank_id: int | None = None) -> tuple[httpx.Response, list[dict[str, Any]]]:
        before = len(_declaration_reads(declared))
        path = world.url(f"/accounts/{account}/benefits-declaration", timebank_id)
        answer = world.client.get(path, headers=declared.headers[caller])
        return answer, _declaration_reads(declared)[before:]

    for caller in CALLERS:
        answer, audited = read(caller)
        where = f"{caller} ({answer.status_code})"
        if outcome(answer) != row.expected[caller]:
            mismatches.append(f"{where}: expected {row.expected[caller]}, got {outcome(answer)}")
        if caller in MAY_SEE_THE_DECLARATION:
            body = answer.json()
            assert body["declared"] is True, where
            assert body["categories"] == categories, where
            assert body["category_labels"] == [BenefitCategory(code).label for code in categories], where
            who = world.client.get("/v1/me", headers=declared.headers[caller]).json()["caller"]
            assert [(e["actor"], e["subject_account_id"]) for e in audited] == [(who, account)], where
            assert audited[0]["details"]["by_coordinator"] is (caller == "coordinator"), where
            _names_no_declared_benefit(repr(audited[0]), f"the audit of {caller}'s read")
        else:
            assert not answer.is_success, where
            assert audited == [], f"{where}: a refused read was audited"
            _names_no_declared_benefit(_text_of(answer), f"the declaration refused to {where}")
    # Under the other timebank's path nobody of this timebank sees it; nor does that timebank's
    # coordinator, under their own path, with this member's account id.
    other = world.other_timebank_id
    for caller in (*TIMEBANK_CALLERS, "other_coordinator"):
        answer, audited = read(caller, other)
        expected = "404 account_not_found" if caller == "other_coordinator" else "404 timebank_not_found"
        if outcome(answer) != expected:
            mismatches.append(
                f"{caller} under the other timebank: expected {expected}, got {outcome(answer)}"
            )
        assert audited == [], f"{caller} under the other timebank: a refused read was audited"
        _names_no_declared_benefit(_text_of(answer), f"the declaration refused to {caller} elsewhere")

    assert not mismatches, "\n".join(mismatches)


def test_only_the_member_and_coordinators_see_the_payment_advice_and_every_read_is_audited(
    declared: Arena,
) -> None:
    world = declared.world
    account = world.account_ids["member"]
    (row,) = [row for row in ROWS if row.operation_id == SHOWS_THE_ADVICE]
    labels = [category.label for category in DECLARED]

    def reads() -> list[dict[str, Any]]:
        return [entry for entry in _audit_log(declared) if entry["action"] == "payment_advice_read"]

    mismatches = []
    for caller in CALLERS:
        before = len(reads())
        answer = world.client.get(
            world.url(f"/accounts/{account}/payment-advice"), headers=declared.headers[caller]
        )
        audited = reads()[before:]
        where = f"{caller} ({answer.status_code})"
        if outcome(answer) != row.expected[caller]:
            mismatches.append(f"{where}: expected {row.expected[caller]}, got {outcome(answer)}")
        if caller in MAY_SEE_THE_DECLARATION:
            advice = answer.json()["advice"]
            # The payment the guard warned about is there, with the limit it named.
            assert advice and any(label in " ".join(a["warnings"]) for a in advice for label in labels), where
            assert [e["subject_account_id"] for e in audited] == [account], where
            _names_no_declared_benefit(repr(audited[0]), f"the audit of {caller}'s read")
        else:
            assert not answer.is_success, where
            assert audited == [], f"{where}: a refused read was audited"
            _names_no_declared_benefit(_text_of(answer), f"the advice refused to {where}")
    assert not mismatches, "\n".join(mismatches)


def test_only_the_member_and_coordinators_download_the_members_data_and_every_download_is_audited(
    declared: Arena,
) -> None:
    world = declared.world
    account, member_id = world.account_ids["member"], world.member_ids["member"]
    (row,) = [row for row in ROWS if row.operation_id == SHOWS_THE_DATA]
    categories = sorted(category.value for category in DECLARED)

    def downloads() -> list[dict[str, Any]]:
        return [entry for entry in _audit_log(declared) if entry["action"] == "member_data_downloaded"]

    def download(caller: str, timebank_id: int | None = None) -> tuple[httpx.Response, list[dict[str, Any]]]:
        before = len(downloads())
        path = world.url(f"/members/{member_id}/data.zip", timebank_id)
        answer = world.client.get(path, headers=declared.headers[caller])
        return answer, downloads()[before:]

    mismatches = []
    for caller in CALLERS:
        answer, audited = download(caller)
        where = f"{caller} ({answer.status_code})"
        if outcome(answer) != row.expected[caller]:
            mismatches.append(f"{where}: expected {row.expected[caller]}, got {outcome(answer)}")
        if caller in MAY_SEE_THE_DECLARATION:
            assert answer.headers["content-type"] == "application/zip", where
            assert answer.headers["content-disposition"].startswith("attachment;"), where
            with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
                declaration = json.loads(archive.read("benefits_declaration.json"))
            assert declaration["categories"] == categories, where
            who = world.client.get("/v1/me", headers=declared.headers[caller]).json()["caller"]
            assert [(e["actor"], e["subject_account_id"]) for e in audited] == [(who, account)], where
            assert audited[0]["details"]["by_coordinator"] is (caller == "coordinator"), where
            _names_no_declared_benefit(repr(audited[0]), f"the audit of {caller}'s download")
        else:
            assert not answer.is_success, where
            assert audited == [], f"{where}: a refused download was audited"
            _names_no_declared_benefit(_text_of(answer), f"the download refused to {where}")
    for caller in TIMEBANK_CALLERS:
        answer, audited = download(caller, world.other_timebank_id)
        if outcome(answer) != "404 timebank_not_found":
            mismatches.append(f"{caller} under the other timebank: got {outcome(answer)}")
        assert audited == [], f"{caller} under the other timebank: a refused download was audited"

    assert not mismatches, "\n".join(mismatches)


def test_the_reports_csv_and_json_and_the_members_statement_name_no_benefit(declared: Arena) -> None:
    world = declared.world
    report = world.url("/reports/reciprocity")
    window = {"from": "2024-01-01", "to": "2027-01-01"}
    coordinator = world.headers["coordinator"]
    answers = {
        "report CSV": world.client.get(report, params=window, headers={**coordinator, "Accept": "text/csv"}),
        "report JSON": world.client.get(report, params=window, headers=coordinator),
        "statement PDF": world.client.get(
            world.url(f"/accounts/{world.account_ids['member']}/benefit-statement"),
            params={"format": "pdf"},
            headers=world.headers["member"],
        ),
        # Each form at its own path (issue 15), over the same window.
        "report CSV by path": world.client.get(f"{report}.csv", params=window, headers=coordinator),
        **{
            f"{name} by path": world.client.get(
                world.url(f"/accounts/{world.account_ids['member']}/{path}"),
                params={"from": "2024-01-01"},
                headers=world.headers["member"],
            )
            for name, path in (
                ("statement page", "benefit-statement.html"),
                ("statement PDF", "benefit-statement.pdf"),
                ("letter page", "benefit-statement/letter.html"),
                ("letter PDF", "benefit-statement/letter.pdf"),
            )
        },
    }
    for where, answer in answers.items():
        assert answer.status_code == 200, (where, answer.text[:300])
        _names_no_declared_benefit(_text_of(answer), where)
    assert answers["report CSV"].headers["content-type"].startswith("text/csv")
