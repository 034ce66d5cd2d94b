"""Benefit status never leaves the service through a read (DESIGN B4, issue 4's privacy tests).

A member declares two benefits (with a coordinator, on the member's say-so), then every read of
the API (each GET row of the authorization matrix, so each operation of the spec) is sent by every
kind of caller: the member themself, another member, organisation staff, the organisation's API
key, a coordinator, another timebank's coordinator, an admin, nobody. No answer, of any status or
media type, may name a declared category, by its code or by its label. The reciprocity report's
CSV export, its JSON, and the member's own benefit-safe statement as a PDF are read on top.

There is no HTTP route to read a declaration yet; when one comes, its row in the matrix must be
left out here and tested for who may see it instead.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import httpx
import pytest
from pypdf import PdfReader

from tests.api.conftest import build_world
from tests.api.test_authorization_matrix import CALLERS, ROWS, Arena, Row, build_arena, coordinator_of, send
from tests.conftest import BACKENDS
from timebank import services
from timebank.benefits.categories import BenefitCategory
from timebank.db import make_engine

DECLARED = (BenefitCategory.UNIVERSAL_CREDIT, BenefitCategory.CARERS_ALLOWANCE)
READS = [row for row in ROWS if row.method == "GET"]


@pytest.fixture(scope="module", params=BACKENDS)
def declared(request: pytest.FixtureRequest) -> Iterator[Arena]:
    engine = make_engine(str(request.getfixturevalue(f"{request.param}_url")))
    world = build_world(engine)
    arena = build_arena(world)
    services.set_declaration(
        engine,
        world.timebank_id,
        coordinator_of(world.timebank_id),
        world.account_ids["member"],
        DECLARED,
        members_say_so=True,
    )
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


def test_the_sweep_reads_every_read_of_the_spec() -> None:
    assert len(READS) >= 15  # every GET of the matrix, which has a row per operation of the spec


@pytest.mark.parametrize("row", READS, ids=lambda row: row.name)
def test_no_read_names_a_members_benefits_to_anyone(declared: Arena, row: Row) -> None:
    for caller in CALLERS:
        answer = send(declared, row, caller)
        _names_no_declared_benefit(_text_of(answer), f"{row.name} as {caller} ({answer.status_code})")


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
    }
    for where, answer in answers.items():
        assert answer.status_code == 200, (where, answer.text[:300])
        _names_no_declared_benefit(_text_of(answer), where)
    assert answers["report CSV"].headers["content-type"].startswith("text/csv")
