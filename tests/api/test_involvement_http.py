"""Recognising involvement over HTTP, end to end: an activity, attendance, money, a declaration, the audit.

The Riverside Health Trust holds a user forum. Its staff check a payment first (the member has
declared benefits, so the guard asks for an acknowledgement), then record the attendance: the member
takes time credits, another member takes a cash payment with the acknowledgement, and the coordinator
(attending too) gives theirs to a charity. The trust repays the member's bus fare against a receipt.
Then: the credits moved exactly the credit-choosers' minutes; the money went to its own tables; the
member reads and deletes their own declaration; and the coordinator's audit log holds every check,
warning, acknowledgement, choice and read, naming no benefit.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.categories import BenefitCategory

from .conftest import World

pytestmark = pytest.mark.usefixtures("world")

FORUM = {
    "title": "Mental health user forum",
    "held_on": "2024-03-12",
    "duration_minutes": 120,
    "classification": "uses_services",
    "purpose": "Shaping the crisis line with the people who use it",
}
OFFER = {
    "amount_pence": 2500,
    "kind": "cash",
    "period_kind": "week",
    "from_on": "2024-03-11",
    "to_on": "2024-03-18",
    "description": "Thank-you payment for the forum",
}


def _key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _post(w: World, role: str, path: str, body: dict[str, Any], *, keyed: bool = False) -> Any:
    headers = {**w.headers[role], **(_key() if keyed else {})}
    return w.client.post(w.url(path), json=body, headers=headers)


def _invite(w: World, activity_id: int, roles: list[str], by: str = "staff") -> list[int]:
    """Invite the members in ``roles`` over HTTP; everyone now invited."""
    body = {"account_ids": [w.account_ids[role] for role in roles]}
    invited = _post(w, by, f"/activities/{activity_id}/invitations", body)
    assert invited.status_code == 200, invited.text
    return [i["account_id"] for i in invited.json()["invitations"]]


def _balance(w: World, role: str) -> int:
    account = w.account_ids[role]
    response = w.client.get(w.url(f"/accounts/{account}"), headers=w.headers["coordinator"])
    assert response.status_code == 200, response.text
    return int(response.json()["balance_minutes"])


def _declare(w: World, role: str, categories: list[str]) -> dict[str, Any]:
    response = w.client.put(
        w.url(f"/accounts/{w.account_ids[role]}/benefits-declaration"),
        json={"categories": categories},
        headers=w.headers[role],
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_an_activity_from_creation_to_the_audit_log(world: World) -> None:
    w = world
    _declare(w, "other_member", [BenefitCategory.UNIVERSAL_CREDIT.value])
    created = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM)
    assert created.status_code == 201, created.text
    activity = created.json()
    assert activity["classification_label"] == "Participating as a service user"
    activity_id = activity["id"]
    listed = w.client.get(
        w.url(f"/organisations/{w.organisation_id}/activities"), headers=w.headers["organisation_key"]
    )
    assert [a["id"] for a in listed.json()["activities"]] == [activity_id]
    # The forum's members are invited: only they may be offered a payment for it.
    invited = _invite(w, activity_id, ["member", "other_member", "coordinator"])
    assert invited == sorted(w.account_ids[r] for r in ("member", "other_member", "coordinator"))

    # The guard, before the offer: the declared member's payment needs an acknowledgement.
    check = _post(
        w,
        "staff",
        f"/activities/{activity_id}/payment-checks",
        {"account_id": w.account_ids["other_member"], "amount_pence": 2500, "worked_minutes": 120},
    )
    assert check.status_code == 200, check.text
    assert check.json()["acknowledgement_needed"] is True
    assert check.json()["warnings"]

    # Without the acknowledgement, nothing is recorded and the refusal names the rule.
    attendees = [
        {"account_id": w.account_ids["member"], "minutes": 120, "choice": "credits"},
        {"account_id": w.account_ids["other_member"], "minutes": 120, "choice": "payment"},
        {
            "account_id": w.account_ids["coordinator"],
            "minutes": 90,
            "choice": "charity",
            "charity_name": "Riverside Food Bank",
        },
    ]
    before = _balance(w, "organisation")
    refused = _post(
        w,
        "staff",
        f"/activities/{activity_id}/attendance",
        {"attendees": attendees, "offer": OFFER},
        keyed=True,
    )
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["code"] == "payment_acknowledgement_required"
    assert _balance(w, "organisation") == before
    nobody = w.client.get(w.url(f"/activities/{activity_id}/attendance"), headers=w.headers["staff"])
    assert nobody.json()["attendees"] == []

    attendees[1]["acknowledgement"] = "Advised to tell the benefit office; form B signed"
    recorded = _post(
        w,
        "staff",
        f"/activities/{activity_id}/attendance",
        {"attendees": attendees, "offer": OFFER},
        keyed=True,
    )
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    assert body["recognised_minutes"] == 120
    by_account = {a["account_id"]: a for a in body["attendees"]}
    assert by_account[w.account_ids["member"]]["recognised_minutes"] == 120
    assert by_account[w.account_ids["other_member"]]["payment_pence"] == 2500
    assert by_account[w.account_ids["other_member"]]["recognised_minutes"] == 0
    assert by_account[w.account_ids["coordinator"]]["declined"] is True
    assert by_account[w.account_ids["coordinator"]]["payment_id"] is None
    # Credits moved exactly the credit-chooser's minutes; the payment moved none.
    assert _balance(w, "organisation") == before - 120
    assert _balance(w, "member") == 120
    assert _balance(w, "other_member") == 0

    came = w.client.get(w.url(f"/activities/{activity_id}/attendance"), headers=w.headers["staff"])
    assert {(a["account_id"], a["choice"]) for a in came.json()["attendees"]} == {
        (w.account_ids["member"], "credits"),
        (w.account_ids["other_member"], "payment"),
        (w.account_ids["coordinator"], "charity"),
    }

    expense = _post(
        w,
        "staff",
        f"/organisations/{w.organisation_id}/expenses",
        {
            "account_id": w.account_ids["member"],
            "amount_pence": 450,
            "evidence": {"kind": "receipt", "reference": "Bus ticket 0412", "evidenced_pence": 450},
            "description": "Bus fare to the forum",
            "incurred_on": "2024-03-12",
            "activity_id": activity_id,
        },
        keyed=True,
    )
    assert expense.status_code == 201, expense.text
    assert expense.json()["amount_pence"] == 450
    assert _balance(w, "member") == 120  # money never touches the credits

    mileage = _post(
        w,
        "organisation_key",
        f"/organisations/{w.organisation_id}/expenses",
        {
            "account_id": w.account_ids["other_member"],
            "amount_pence": 450,
            "evidence": {"kind": "mileage", "journey": "Home to the trust and back", "miles": 10},
            "description": "Driving to the forum",
            "incurred_on": "2024-03-12",
        },
        keyed=True,
    )
    assert mileage.status_code == 201, mileage.text
    assert mileage.json()["evidenced_pence"] == 450

    # The member reads their own declaration back, and deletes it.
    path = f"/accounts/{w.account_ids['other_member']}/benefits-declaration"
    own = w.client.get(w.url(path), headers=w.headers["other_member"])
    assert own.status_code == 200
    assert own.json()["categories"] == ["universal_credit"]
    assert own.json()["category_labels"] == ["Universal Credit"]
    deleted = w.client.delete(w.url(path), headers=w.headers["other_member"])
    assert deleted.status_code == 204
    gone = w.client.get(w.url(path), headers=w.headers["coordinator"])
    assert gone.json() == {
        "account_id": w.account_ids["other_member"],
        "declared": False,
        "categories": [],
        "category_labels": [],
        "declared_at": None,
        "declared_by": None,
        "set_for_member": None,
    }

    log = w.client.get(w.url("/audit-log"), headers=w.headers["coordinator"])
    assert log.status_code == 200, log.text
    actions = [e["action"] for e in log.json()["entries"]]
    for action in (
        "declaration_set",
        "payment_checked",
        "payment_warned",
        "payment_refused",
        "payment_acknowledged",
        "reward_chosen",
        "expense_recorded",
        "declaration_read",
        "declaration_deleted",
    ):
        assert action in actions, action
    assert "universal_credit" not in log.text
    assert "Universal Credit" not in log.text
    mine = w.client.get(
        w.url("/audit-log"),
        params={"account_id": w.account_ids["member"]},
        headers=w.headers["coordinator"],
    )
    assert {e["subject_account_id"] for e in mine.json()["entries"]} == {w.account_ids["member"]}


def test_the_audit_log_comes_a_page_at_a_time(world: World) -> None:
    w = world
    for categories in (["universal_credit"], ["carers_allowance"], ["prefer_not_to_say"]):
        _declare(w, "member", categories)
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = w.client.get(w.url("/audit-log"), params=params, headers=w.headers["coordinator"]).json()
        seen += [e["id"] for e in page["entries"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 3 and seen == sorted(seen)


def test_a_coordinator_declares_for_a_member_only_with_their_say_so(world: World) -> None:
    w = world
    path = w.url(f"/accounts/{w.account_ids['member']}/benefits-declaration")
    refused = w.client.put(path, json={"categories": ["carers_allowance"]}, headers=w.headers["coordinator"])
    assert refused.status_code == 403
    assert refused.json()["code"] == "member_say_so_required"
    done = w.client.put(
        path,
        json={"categories": ["carers_allowance"], "members_say_so": True},
        headers=w.headers["coordinator"],
    )
    assert done.status_code == 200, done.text
    assert done.json()["set_for_member"] is True
    refused_delete = w.client.delete(path, headers=w.headers["coordinator"])
    assert refused_delete.json()["code"] == "member_say_so_required"
    deleted = w.client.delete(path, params={"members_say_so": "true"}, headers=w.headers["coordinator"])
    assert deleted.status_code == 204


def test_spending_credits_on_an_organisations_options(world: World) -> None:
    """A swim session for anyone; a voucher needs the member's acknowledgement once benefits are declared."""
    w = world
    options = f"/organisations/{w.organisation_id}/spend-options"
    swim = _post(
        w, "staff", options, {"title": "Swim session", "minutes": 60, "spend_class": "community_activity"}
    )
    assert swim.status_code == 201, swim.text
    assert swim.json()["spend_class_label"]
    voucher = _post(
        w, "organisation_key", options, {"title": "Cafe voucher", "minutes": 30, "spend_class": "voucher"}
    )
    assert voucher.status_code == 201, voucher.text
    listed = w.client.get(w.url("/spend-options"), headers=w.headers["other_member"])
    assert {o["title"] for o in listed.json()["spend_options"]} == {"Swim session", "Cafe voucher"}

    member = w.account_ids["member"]
    organisation_before = _balance(w, "organisation")
    swum = _post(
        w, "member", f"/spend-options/{swim.json()['id']}/spends", {"account_id": member}, keyed=True
    )
    assert swum.status_code == 201, swum.text
    assert swum.json()["balance_minutes"] == -60
    assert _balance(w, "organisation") == organisation_before + 60

    _declare(w, "member", ["universal_credit"])
    spend_path = f"/spend-options/{voucher.json()['id']}/spends"
    refused = _post(w, "member", spend_path, {"account_id": member}, keyed=True)
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "spend_acknowledgement_required"
    assert "universal" not in refused.text.lower()
    assert _balance(w, "member") == -60
    acknowledged = _post(
        w,
        "member",
        spend_path,
        {"account_id": member, "acknowledgement": "I understand this may affect my benefits"},
        keyed=True,
    )
    assert acknowledged.status_code == 201, acknowledged.text
    assert acknowledged.json()["acknowledged"] is True
    assert _balance(w, "member") == -90

    withdrawn = w.client.post(
        w.url(f"/spend-options/{voucher.json()['id']}/withdraw"), headers=w.headers["staff"]
    )
    assert withdrawn.status_code == 200 and withdrawn.json()["active"] is False
    again = _post(w, "member", spend_path, {"account_id": member, "acknowledgement": "yes"}, keyed=True)
    assert again.status_code == 409 and again.json()["code"] == "spend_option_withdrawn"
    log = w.client.get(w.url("/audit-log"), params={"account_id": member}, headers=w.headers["coordinator"])
    actions = [e["action"] for e in log.json()["entries"]]
    assert {"spend_checked", "spend_refused", "spend_acknowledged"} <= set(actions)


def test_an_attendee_without_a_choice_gets_the_benefit_safe_default(world: World) -> None:
    """B5: credits for a member who declared benefits; the offered payment for the others; audited."""
    w = world
    _declare(w, "member", ["carers_allowance"])
    activity_id = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM).json()["id"]
    _invite(w, activity_id, ["member", "other_member"])
    attendees = [
        {"account_id": w.account_ids["member"], "minutes": 120},
        {"account_id": w.account_ids["other_member"], "minutes": 120, "choice": None},
    ]
    offered = _post(
        w,
        "staff",
        f"/activities/{activity_id}/attendance",
        {"attendees": attendees, "offer": OFFER},
        keyed=True,
    )
    assert offered.status_code == 201, offered.text
    choices = {a["account_id"]: a["choice"] for a in offered.json()["attendees"]}
    assert choices == {w.account_ids["member"]: "credits", w.account_ids["other_member"]: "payment"}
    assert offered.json()["recognised_minutes"] == 120

    second = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM).json()["id"]
    unpaid = _post(
        w,
        "staff",
        f"/activities/{second}/attendance",
        {"attendees": [{"account_id": w.account_ids["other_member"], "minutes": 60}]},
        keyed=True,
    )
    assert unpaid.status_code == 201, unpaid.text
    assert unpaid.json()["attendees"][0]["choice"] == "credits"

    # Someone not invited defaults to credits even with a payment offered: a payment goes only to
    # invited members, so the default tells the organisation nothing about people it did not invite.
    third = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM).json()["id"]
    walk_in = _post(
        w,
        "staff",
        f"/activities/{third}/attendance",
        {"attendees": [{"account_id": w.account_ids["other_member"], "minutes": 60}], "offer": OFFER},
        keyed=True,
    )
    assert walk_in.status_code == 201, walk_in.text
    assert walk_in.json()["attendees"][0]["choice"] == "credits"

    log = w.client.get(w.url("/audit-log"), headers=w.headers["coordinator"]).json()["entries"]
    defaulted = [
        (e["subject_account_id"], e["details"]["choice"]) for e in log if e["action"] == "reward_defaulted"
    ]
    assert defaulted == [
        (w.account_ids["member"], "credits"),
        (w.account_ids["other_member"], "payment"),
        (w.account_ids["other_member"], "credits"),
        (w.account_ids["other_member"], "credits"),
    ]


@pytest.mark.parametrize(
    ("categories", "worked_minutes"),
    [(["prefer_not_to_say"], 60), (["employment_and_support_allowance"], 16 * 60)],
)
def test_the_organisation_cannot_tell_benefits_apart_by_the_warnings_codes(
    world: World, categories: list[str], worked_minutes: int
) -> None:
    """B4: the hours limit (one benefit's) and "not specified" (prefer not to say) show as one code."""
    w = world
    _declare(w, "member", categories)
    activity_id = _post(w, "staff", f"/organisations/{w.organisation_id}/activities", FORUM).json()["id"]
    _invite(w, activity_id, ["member"])
    check = _post(
        w,
        "organisation_key",
        f"/activities/{activity_id}/payment-checks",
        {
            "account_id": w.account_ids["member"],
            "amount_pence": 2500,
            "worked_minutes": worked_minutes,
            "paid_on": "2025-06-11",  # within the 2025/26 limits
        },
    )
    assert check.status_code == 200, check.text
    assert check.json()["warning_codes"] == ["payment_may_affect_benefits"]
    assert check.json()["warnings"] == [ORGANISATION_PAYMENT_ADVICE]


def test_an_organisations_activities_come_a_page_at_a_time_oldest_first(world: World) -> None:
    w = world
    path = f"/organisations/{w.organisation_id}/activities"
    made = [_post(w, "staff", path, {**FORUM, "title": f"Forum {n}"}).json()["id"] for n in range(5)]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = w.client.get(w.url(path), params=params, headers=w.headers["staff"])
        assert page.status_code == 200, page.text
        seen += [a["id"] for a in page.json()["activities"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == made
    bad = w.client.get(w.url(path), params={"cursor": "not-ours"}, headers=w.headers["staff"])
    assert bad.status_code == 400 and bad.json()["code"] == "cursor_invalid"
