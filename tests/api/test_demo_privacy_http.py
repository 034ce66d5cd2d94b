"""The demo's pages name no one's benefits (B4): the demo member has declared Universal Credit.

The demo timebank is what a new user meets first. Its member declared a benefit (a coordinator
entered it at their request), so this reads, over HTTP, the pages each demo login can reach: the
directory, organisations, members, the member's account and statements, the activity lists and
attendance, spend options, the audit log, and the reciprocity report as JSON and CSV. None names the
declared benefit, by code or by label, but the declaration itself, which the member and the
coordinator read, each read leaving an audit row.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.integration.test_demo import empty_engine  # noqa: F401 (a fixture)
from timebank.api.app import create_app
from timebank.benefits.categories import BenefitCategory
from timebank.demo.involvement import DECLARED
from timebank.demo.timebank import DEMO_PASSWORD, seed_demo

SECRETS = [c.value for c in BenefitCategory] + [c.label for c in BenefitCategory]
LOGINS = ("demo-member", "demo-coordinator", "demo-staff", "demo-admin")


@pytest.fixture
def demo_client(empty_engine: Engine) -> Iterator[tuple[TestClient, int]]:  # noqa: F811
    demo = seed_demo(empty_engine, today=date(2026, 11, 22))
    with TestClient(create_app(empty_engine)) as client:
        yield client, demo.timebank_id


def _headers(client: TestClient, username: str) -> dict[str, str]:
    token = client.post("/v1/auth/token", data={"username": username, "password": DEMO_PASSWORD})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


def _named(text: str) -> list[str]:
    return [secret for secret in SECRETS if secret.lower() in text.lower()]


def test_no_demo_page_names_the_declared_benefit_but_the_declaration(
    demo_client: tuple[TestClient, int],
) -> None:
    client, tb = demo_client
    headers = {name: _headers(client, name) for name in LOGINS}
    me = client.get("/v1/me", headers=headers["demo-member"]).json()
    account = me["account_id"]
    organisations = client.get(f"/v1/timebanks/{tb}/organisations", headers=headers["demo-member"]).json()
    organisation_id = organisations["organisations"][0]["id"]
    activities = client.get(
        f"/v1/timebanks/{tb}/organisations/{organisation_id}/activities", headers=headers["demo-coordinator"]
    ).json()["activities"]
    assert activities, "the demo has its user forum"
    base = f"/v1/timebanks/{tb}"
    pages = [
        "/v1/me",
        f"{base}",
        f"{base}/directory",
        f"{base}/organisations",
        f"{base}/members",
        f"{base}/accounts/{account}",
        f"{base}/accounts/{account}/statement",
        f"{base}/accounts/{account}/report",
        f"{base}/accounts/{account}/benefit-statement",
        f"{base}/accounts/{account}/benefit-statement?format=html",
        f"{base}/accounts/{account}/benefit-statement/letter",
        f"{base}/accounts/{account}/benefit-statement.html",
        f"{base}/accounts/{account}/benefit-statement/letter.html",
        f"{base}/organisations/{organisation_id}/activities",
        f"{base}/activities/{activities[0]['id']}/attendance",
        f"{base}/spend-options",
        f"{base}/audit-log",
        f"{base}/reports/reciprocity",
        f"{base}/reports/reciprocity.csv",
    ]
    answered = 0
    for name in LOGINS:
        for page in pages:
            response = client.get(page, headers=headers[name])
            assert response.status_code < 500, (name, page, response.text)
            answered += response.status_code == 200
            assert _named(response.text) == [], (name, page)
        csv = client.get(f"{base}/reports/reciprocity", headers={**headers[name], "Accept": "text/csv"})
        assert _named(csv.text) == [], name
    assert answered >= 30  # most pages answer most logins: the sweep read real pages

    declaration = f"{base}/accounts/{account}/benefits-declaration"
    for name in ("demo-member", "demo-coordinator"):
        shown = client.get(declaration, headers=headers[name])
        assert shown.json()["categories"] == [c.value for c in DECLARED], name
    for name in ("demo-staff", "demo-admin"):
        refused = client.get(declaration, headers=headers[name])
        assert refused.status_code in (403, 404) and _named(refused.text) == [], name
    log = client.get(f"{base}/audit-log", params={"account_id": account}, headers=headers["demo-coordinator"])
    reads = [e for e in log.json()["entries"] if e["action"] == "declaration_read"]
    assert len(reads) == 2
