"""The headers every answer carries, and the one request header the edge refuses to see twice.

Bug fixes, found by a black-box probe over HTTP:

- the token answer and every answer with someone's benefit data (a declaration, a benefit statement
  and its letter in JSON, HTML and PDF, a payment check, the audit log) could be kept by a cache:
  now every answer under ``/v1`` carries ``Cache-Control: no-store``, errors included;
- no answer said ``X-Content-Type-Options: nosniff``: now every one does, a 500 included;
- the benefit statement's web page had no Content-Security-Policy: now it may load and run nothing,
  allows its own inline style by hash only, and may not be framed; every other answer but a PDF has
  the strictest policy, and the docs page one that lets Swagger UI load its files, served from here;
- a request with two ``Authorization`` headers was served as the first one's caller: now it is
  refused with 400 ``authorization_header_repeated``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import date

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api.conftest import PASSWORD, World
from tests.involvement_calls import create_activity, invite_members, set_declaration
from timebank.api.app import create_app
from timebank.api.edge import inline_hash_source
from timebank.benefits.activities import ActivityClassification
from timebank.people.callers import Caller

STRICT = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
MARCH = {"from": "2024-03-01", "to": "2024-04-01"}


def _coordinator(w: World) -> Caller:
    return Caller("system:test", False, w.timebank_id, None, None, True, frozenset())


def _policy(response: httpx.Response) -> dict[str, list[str]]:
    directives = [part.split() for part in response.headers["content-security-policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


@pytest.fixture
def benefit_answers(world: World) -> Iterator[list[tuple[str, httpx.Response]]]:
    """Every kind of answer that carries a member's benefit data, as its member or a coordinator sees it."""
    member = world.account_ids["member"]
    set_declaration(
        world.engine,
        world.timebank_id,
        _coordinator(world),
        member,
        ["carers_allowance"],
        members_say_so=True,
    )
    activity = create_activity(
        world.engine,
        world.timebank_id,
        _coordinator(world),
        world.organisation_id,
        "User forum",
        date(2024, 3, 12),
        120,
        ActivityClassification.USES_SERVICES,
    ).activity_id
    invite_members(world.engine, world.timebank_id, _coordinator(world), activity, [member])
    client, member_headers = world.client, world.headers["member"]
    coordinator_headers = world.headers["coordinator"]
    statement = world.url(f"/accounts/{member}/benefit-statement")
    answers = [
        (
            "declaration",
            client.get(world.url(f"/accounts/{member}/benefits-declaration"), headers=member_headers),
        ),
        ("statement", client.get(statement, params=MARCH, headers=member_headers)),
        (
            "statement page",
            client.get(statement, params=MARCH, headers={**member_headers, "Accept": "text/html"}),
        ),
        ("statement PDF", client.get(statement, params={**MARCH, "format": "pdf"}, headers=member_headers)),
        ("letter", client.get(f"{statement}/letter", params=MARCH, headers=member_headers)),
        (
            "letter page",
            client.get(f"{statement}/letter", params={**MARCH, "format": "html"}, headers=member_headers),
        ),
        (
            "letter PDF",
            client.get(f"{statement}/letter", params={**MARCH, "format": "pdf"}, headers=member_headers),
        ),
        # Each form at a path of its own (issue 15).
        ("statement page by path", client.get(f"{statement}.html", params=MARCH, headers=member_headers)),
        ("statement PDF by path", client.get(f"{statement}.pdf", params=MARCH, headers=member_headers)),
        ("letter page by path", client.get(f"{statement}/letter.html", params=MARCH, headers=member_headers)),
        ("letter PDF by path", client.get(f"{statement}/letter.pdf", params=MARCH, headers=member_headers)),
        (
            "payment check",
            client.post(
                world.url(f"/activities/{activity}/payment-checks"),
                json={"account_id": member, "amount_pence": 2500, "worked_minutes": 120},
                headers=coordinator_headers,
            ),
        ),
        ("audit log", client.get(world.url("/audit-log"), headers=coordinator_headers)),
        ("account", client.get(world.url(f"/accounts/{member}"), headers=member_headers)),
        ("member report", client.get(world.url(f"/accounts/{member}/report"), headers=member_headers)),
        ("who am I", client.get("/v1/me", headers=member_headers)),
    ]
    for name, response in answers:
        assert response.status_code in (200, 201), f"{name}: {response.text}"
    yield answers


def test_the_token_answer_is_never_stored(world: World) -> None:
    response = world.client.post(
        "/v1/auth/token", data={"username": world.usernames["member"], "password": PASSWORD}
    )

    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["x-content-type-options"] == "nosniff"


def test_every_answer_with_benefit_data_is_never_stored_nor_sniffed(
    benefit_answers: list[tuple[str, httpx.Response]],
) -> None:
    stored = [
        name for name, response in benefit_answers if response.headers.get("cache-control") != "no-store"
    ]
    sniffable = [name for name, r in benefit_answers if r.headers.get("x-content-type-options") != "nosniff"]

    assert stored == []
    assert sniffable == []


def _failing_app(world: World) -> TestClient:
    """The app with one extra route that fails as a bug would: its 500 is Starlette's error handler's."""
    app = create_app(world.engine)

    @app.get("/v1/broken")
    def broken() -> None:
        raise RuntimeError("a bug")

    return TestClient(app, raise_server_exceptions=False)


def test_every_refusal_and_even_a_500_carries_the_edge_headers(world: World) -> None:
    client, headers = world.client, world.headers["member"]
    too_large = "x" * (1 << 20)
    answers = {
        "401": client.get("/v1/me"),
        "403": client.get(world.url(f"/accounts/{world.account_ids['other_member']}"), headers=headers),
        "404 route": client.get("/v1/no-such-thing", headers=headers),
        "405": client.put("/v1/me", headers=headers),
        "413": client.post(
            world.url("/gifts"), content=too_large, headers={**headers, "Content-Type": "application/json"}
        ),
        "415": client.post(
            world.url("/gifts"), content=b"x", headers={**headers, "Content-Type": "text/plain"}
        ),
        "422": client.post(world.url("/gifts"), json={}, headers={**headers, "Idempotency-Key": "k"}),
        "500": _failing_app(world).get("/v1/broken"),
    }

    statuses = {name: response.status_code for name, response in answers.items()}
    assert statuses == {name: int(name.split()[0]) for name in answers}
    for name, response in answers.items():
        assert response.headers["content-type"] == "application/problem+json", name
        assert response.headers.get("x-content-type-options") == "nosniff", name
        assert response.headers.get("cache-control") == "no-store", name
        assert response.headers.get("content-security-policy") == STRICT, name


def test_the_statement_page_loads_and_runs_nothing_but_its_own_style_and_is_never_framed(
    benefit_answers: list[tuple[str, httpx.Response]],
) -> None:
    names = ("statement page", "letter page", "statement page by path", "letter page by path")
    pages = {name: r for name, r in benefit_answers if name in names}

    assert set(pages) == set(names)
    for name, page in pages.items():
        assert page.headers["content-type"].startswith("text/html"), name
        policy = _policy(page)
        styles = re.findall(r"<style>(.*?)</style>", page.text, re.DOTALL)
        assert len(styles) == 1, name
        assert policy["default-src"] == ["'none'"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["style-src"] == [inline_hash_source(styles[0])], name
        assert "script-src" not in policy, name
        assert "<script" not in page.text, name


def test_other_answers_get_the_strictest_policy_and_a_pdf_none(
    benefit_answers: list[tuple[str, httpx.Response]],
) -> None:
    policies = {name: r.headers.get("content-security-policy") for name, r in benefit_answers}

    assert policies["statement PDF"] is None
    assert policies["letter PDF"] is None
    assert policies["statement PDF by path"] is None
    assert policies["letter PDF by path"] is None
    for name in ("declaration", "statement", "letter", "payment check", "audit log", "who am I"):
        assert policies[name] == STRICT, name


def test_the_reports_csv_and_charts_at_their_own_paths_carry_the_edge_headers(world: World) -> None:
    report = world.url("/reports/reciprocity")
    coordinator = world.headers["coordinator"]
    answers = {
        "CSV": world.client.get(f"{report}.csv", params=MARCH, headers=coordinator),
        "SVG chart": world.client.get(f"{report}/charts/role_mix.svg", params=MARCH, headers=coordinator),
        "PNG chart": world.client.get(f"{report}/charts/role_mix.png", params=MARCH, headers=coordinator),
    }

    for name, response in answers.items():
        assert response.status_code == 200, (name, response.text)
        assert response.headers["cache-control"] == "no-store", name
        assert response.headers["x-content-type-options"] == "nosniff", name
        # An SVG is a document a browser may render: it may load and run nothing.
        assert response.headers["content-security-policy"] == STRICT, name


def test_the_docs_page_may_load_swagger_ui_and_nothing_else_and_is_never_framed(world: World) -> None:
    page = world.client.get("/docs")
    policy = _policy(page)
    scripts = re.findall(r'<script src="([^"]+)"', page.text)
    stylesheets = re.findall(r'<link type="text/css" rel="stylesheet" href="([^"]+)"', page.text)
    inline = re.findall(r"<script>(.*?)</script>", page.text, re.DOTALL)

    assert page.status_code == 200
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'none'"]
    # Swagger UI is served from here, not a CDN: the page works offline and asks no third party.
    assert scripts and stylesheets
    assert all(url.startswith("/docs/assets/") for url in scripts + stylesheets), scripts + stylesheets
    assert "'self'" in policy["script-src"] and "'self'" in policy["style-src"]
    assert not [source for source in policy["script-src"] + policy["style-src"] if "://" in source]
    for url in scripts + stylesheets:
        asset = world.client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"].split(";")[0] in ("text/javascript", "text/css"), url
        assert asset.headers["x-content-type-options"] == "nosniff"
    assert inline and all(inline_hash_source(script) in policy["script-src"] for script in inline)
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["connect-src"] == ["'self'"]
    # The page fetches the OpenAPI document from here, and sends no one's address to a validator.
    assert "url: '/openapi.json'" in page.text
    assert '"validatorUrl": null' in page.text
    assert world.client.get("/openapi.json").status_code == 200
    assert world.client.get("/redoc").status_code == 404


def test_two_authorization_headers_are_refused_whoever_they_name(world: World) -> None:
    member = world.headers["member"]["Authorization"]
    coordinator = world.headers["coordinator"]["Authorization"]
    gift = {
        "from_account_id": world.account_ids["member"],
        "to_account_id": world.pot_account_id,
        "minutes": 5,
    }
    answers = [
        world.client.get("/v1/me", headers=[("Authorization", member), ("Authorization", coordinator)]),
        world.client.get("/v1/me", headers=[("Authorization", member), ("Authorization", member)]),
        world.client.post(
            world.url("/gifts"),
            json=gift,
            headers=[
                ("Authorization", coordinator),
                ("Authorization", member),
                ("Idempotency-Key", str(uuid.uuid4())),
            ],
        ),
    ]
    balance = world.client.get(
        world.url(f"/accounts/{world.account_ids['member']}"), headers=world.headers["member"]
    )

    for response in answers:
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "authorization_header_repeated"
        assert response.headers["x-content-type-options"] == "nosniff"
    assert balance.json()["balance_minutes"] == 0
