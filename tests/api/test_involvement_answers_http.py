"""What recognising involvement and spending answer, field by field, over HTTP.

The use cases answer views (``timebank.involvement.views``, ``timebank.spending.views``) that the
API sends as they are. Clients read these answers, so each keeps the fields it has always had,
under the API's names (an activity's ``id``, not ``activity_id``), and each moment keeps the text
it has always had: a declaration's ``declared_at`` and a spend's ``spent_at`` as Python writes a
UTC time (``+00:00``), every other moment as pydantic does (``Z``). A keyed write answered again
answers the same text.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest

from .conftest import World

pytestmark = pytest.mark.usefixtures("world")

PLUS_ZERO = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?\+00:00$")
ZULU = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
FORUM = {"title": "Forum", "held_on": "2024-03-12", "duration_minutes": 120}
OFFER = {
    "amount_pence": 2500,
    "kind": "cash",
    "period_kind": "week",
    "from_on": "2024-03-11",
    "to_on": "2024-03-18",
    "description": "Thank-you payment for the forum",
}


def _send(w: World, method: str, role: str, path: str, body: Any = None, *, key: str | None = None) -> Any:
    headers = {**w.headers[role], **({"Idempotency-Key": key} if key else {})}
    response = w.client.request(method, w.url(path), json=body, headers=headers)
    assert response.status_code in (200, 201), response.text
    return response


def test_every_answer_keeps_its_fields_and_every_moment_its_text(world: World) -> None:
    w = world
    member, other = w.account_ids["member"], w.account_ids["other_member"]
    activity = _send(
        w,
        "POST",
        "staff",
        f"/organisations/{w.organisation_id}/activities",
        {**FORUM, "classification": "uses_services"},
    ).json()
    assert activity == {
        "id": activity["id"],
        "organisation_id": w.organisation_id,
        "title": "Forum",
        "held_on": "2024-03-12",
        "duration_minutes": 120,
        "classification": "uses_services",
        "classification_label": "Participating as a service user",
        "purpose": "",
    }
    forum = activity["id"]
    page = _send(w, "GET", "staff", f"/organisations/{w.organisation_id}/activities").json()
    assert page == {"activities": [activity], "next_cursor": None}

    invited = _send(w, "POST", "staff", f"/activities/{forum}/invitations", {"account_ids": [member, other]})
    assert set(invited.json()) == {"activity_id", "invitations"}
    for invitation in invited.json()["invitations"]:
        assert set(invitation) == {"account_id", "invited_by", "invited_at"}
        assert ZULU.match(invitation["invited_at"]), invitation

    declaration = f"/accounts/{other}/benefits-declaration"
    declared = _send(w, "PUT", "other_member", declaration, {"categories": ["universal_credit"]}).json()
    assert declared == {
        "account_id": other,
        "declared": True,
        "categories": ["universal_credit"],
        "category_labels": ["Universal Credit"],
        "declared_at": declared["declared_at"],
        "declared_by": declared["declared_by"],
        "set_for_member": False,
    }
    assert PLUS_ZERO.match(declared["declared_at"]), declared
    read = _send(w, "GET", "coordinator", declaration).json()
    assert PLUS_ZERO.match(read["declared_at"]), read

    check = _send(
        w, "POST", "staff", f"/activities/{forum}/payment-checks", {"account_id": other, "amount_pence": 2500}
    ).json()
    assert set(check) == {"account_id", "amount_pence", "acknowledgement_needed", "warning_codes", "warnings"}

    attendance = {
        "attendees": [
            {"account_id": member, "minutes": 120, "choice": "credits"},
            {"account_id": other, "minutes": 120, "choice": "payment", "acknowledgement": "Advised"},
        ],
        "offer": OFFER,
    }
    key = str(uuid.uuid4())
    recorded = _send(w, "POST", "staff", f"/activities/{forum}/attendance", attendance, key=key)
    body = recorded.json()
    assert set(body) == {"activity_id", "recognition_transaction_id", "recognised_minutes", "attendees"}
    assert [a["choice"] for a in body["attendees"]] == ["credits", "payment"]
    assert set(body["attendees"][0]) == {
        "account_id",
        "minutes",
        "choice",
        "recognised_minutes",
        "payment_id",
        "payment_pence",
        "declined",
        "warnings",
    }
    again = _send(w, "POST", "staff", f"/activities/{forum}/attendance", attendance, key=key)
    assert again.text == recorded.text

    came = _send(w, "GET", "staff", f"/activities/{forum}/attendance").json()
    assert came["activity_id"] == forum
    for entry in came["attendees"]:
        assert set(entry) == {
            "account_id",
            "minutes",
            "choice",
            "recognition_transaction_id",
            "chosen_at",
            "recorded_by",
        }
        assert ZULU.match(entry["chosen_at"]), entry

    advice = _send(w, "GET", "other_member", f"/accounts/{other}/payment-advice").json()
    assert advice["next_cursor"] is None
    (entry,) = advice["advice"]
    assert entry["paid_on"] == "2024-03-12"
    assert ZULU.match(entry["checked_at"]), entry

    expense = {
        "account_id": member,
        "amount_pence": 450,
        "evidence": {"kind": "receipt", "reference": "Bus ticket 0412", "evidenced_pence": 450},
        "description": "Bus fare",
        "incurred_on": "2024-03-12",
        "activity_id": forum,
    }
    key = str(uuid.uuid4())
    repaid = _send(w, "POST", "staff", f"/organisations/{w.organisation_id}/expenses", expense, key=key)
    assert repaid.json() == {
        "id": repaid.json()["id"],
        "organisation_id": w.organisation_id,
        "account_id": member,
        "activity_id": forum,
        "incurred_on": "2024-03-12",
        "description": "Bus fare",
        "amount_pence": 450,
        "evidence_kind": "receipt",
        "evidenced_pence": 450,
    }
    again = _send(w, "POST", "staff", f"/organisations/{w.organisation_id}/expenses", expense, key=key)
    assert again.text == repaid.text

    option = _send(
        w,
        "POST",
        "staff",
        f"/organisations/{w.organisation_id}/spend-options",
        {"title": "Swim", "minutes": 60, "spend_class": "community_activity"},
    ).json()
    assert option == {
        "id": option["id"],
        "organisation_id": w.organisation_id,
        "title": "Swim",
        "minutes": 60,
        "spend_class": "community_activity",
        "spend_class_label": "a community activity",
        "active": True,
    }
    options = _send(w, "GET", "member", "/spend-options").json()
    assert options == {"spend_options": [option], "next_cursor": None}
    key = str(uuid.uuid4())
    spends = f"/spend-options/{option['id']}/spends"
    spent = _send(w, "POST", "member", spends, {"account_id": member}, key=key)
    assert set(spent.json()) == {
        "id",
        "spend_option_id",
        "organisation_id",
        "account_id",
        "exchange_id",
        "transaction_id",
        "minutes",
        "spend_class",
        "acknowledged",
        "spent_at",
        "balance_minutes",
    }
    assert PLUS_ZERO.match(spent.json()["spent_at"]), spent.json()
    again = _send(w, "POST", "member", spends, {"account_id": member}, key=key)
    assert again.text == spent.text

    log = _send(w, "GET", "coordinator", "/audit-log").json()
    assert set(log) == {"entries", "next_cursor"}
    for audit_entry in log["entries"]:
        assert set(audit_entry) == {"id", "at", "actor", "action", "subject_account_id", "details", "note"}
        assert ZULU.match(audit_entry["at"]), audit_entry
