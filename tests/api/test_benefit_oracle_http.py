"""B4 over HTTP: nothing an organisation sees tells one declared benefit from another.

A probe found that an organisation's API key could learn which benefit a member declared from the
payment check: the amount at which "limit reached" first appeared named the limit, and so the
benefit (£5 a week for legacy benefits, £20 for ESA, £196 for Carer's Allowance, £411 a month for
Universal Credit, no limit at all for "prefer not to say"). Now:

- **The grid.** For every declared category, alone and together, every limit's amount one penny
  below, at and above it, paid work either side of the permitted-work hours condition, with and
  without a payment already made that week, every answer the organisation's staff and its API key
  get from the payment check is byte-identical once the member's id is taken out. So is the refusal
  of a payment without an acknowledgement, and the attendance recorded with one.
- **Only members linked to the activity.** A member not invited cannot be checked or offered a
  payment, and the refusal is the same whether or not they declared anything; an attendee not
  invited and recorded without a choice gets time credits whether or not they declared anything.
- **The member and coordinators** get the warnings in full: the coordinator from the check, the
  member (and the coordinator) as payment advice, each read audited; staff cannot read it.

That an organisation can tell *that* an invited member declared benefits is accepted by design: it
must ask for their acknowledgement before paying them (B5).
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest

from tests.involvement_calls import set_declaration
from tests.people_calls import add_member
from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.limits import DEFAULT_LIMITS
from timebank.people.callers import Caller

from .conftest import World

pytestmark = pytest.mark.usefixtures("world")

PANEL_DAY = "2025-06-11"  # a Wednesday, with the 2025/26 limits in force
EARLIER_DAY = "2025-06-09"  # the Monday of that week
DECLARATIONS: list[list[str]] = [
    *([category.value] for category in BenefitCategory),
    ["universal_credit", "carers_allowance"],
    ["employment_and_support_allowance", "legacy_means_tested", "prefer_not_to_say"],
]
# One penny below, at and above every limit, and a few amounts between and beyond them.
AMOUNTS = sorted(
    {
        pence
        for limit in DEFAULT_LIMITS
        for pence in (limit.amount_pence - 1, limit.amount_pence, limit.amount_pence + 1)
    }
    | {1, 2500, 100_000, 1_000_000}
)
WORKED_MINUTES = [0, 15 * 60 + 54, 16 * 60]  # 15.9 hours keeps permitted work open; 16 does not
ACTIVITY = {
    "held_on": PANEL_DAY,
    "duration_minutes": 120,
    "classification": "uses_services",
    "purpose": "Choosing the new crisis team with the people it serves",
}


def _coordinator(w: World) -> Caller:
    return Caller("system:test", False, w.timebank_id, None, None, True, frozenset())


def _declared_members(w: World) -> list[int]:
    """A member for each declaration, declared for them by a coordinator with their say-so."""
    accounts = []
    for index, categories in enumerate(DECLARATIONS):
        member = add_member(w.engine, w.timebank_id, _coordinator(w), f"Declared {index}")
        set_declaration(
            w.engine, w.timebank_id, _coordinator(w), member.account_id, categories, members_say_so=True
        )
        accounts.append(member.account_id)
    return accounts


def _post(w: World, role: str, path: str, body: dict[str, Any], *, keyed: bool = False) -> Any:
    headers = {**w.headers[role], **({"Idempotency-Key": str(uuid.uuid4())} if keyed else {})}
    return w.client.post(w.url(path), json=body, headers=headers)


def _activity(w: World, title: str, invited: list[int], held_on: str = PANEL_DAY) -> int:
    created = _post(
        w,
        "staff",
        f"/organisations/{w.organisation_id}/activities",
        {**ACTIVITY, "title": title, "held_on": held_on},
    )
    assert created.status_code == 201, created.text
    activity_id = int(created.json()["id"])
    if invited:
        done = _post(w, "staff", f"/activities/{activity_id}/invitations", {"account_ids": invited})
        assert done.status_code == 200, done.text
    return activity_id


def _offer(pence: int, on: str = PANEL_DAY) -> dict[str, Any]:
    return {
        "amount_pence": pence,
        "kind": "cash",
        "period_kind": "week",
        "from_on": "2025-06-09",
        "to_on": "2025-06-16",
        "description": f"Thank-you payment for the panel on {on}",
    }


def _without_ids(text: str, account_id: int) -> str:
    """The JSON answer with the member's id taken out: ``account_id`` fields, and the id in any text."""

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("account_id", "payment_id")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        if isinstance(value, str):
            return re.sub(rf"\b{account_id}\b", "<member>", value)
        return value

    return json.dumps(strip(json.loads(text)), sort_keys=True)


def _pay_earlier_the_same_week(w: World, accounts: list[int]) -> None:
    """£150 for 10 hours' paid work, to every one of ``accounts``, earlier in the week."""
    activity_id = _activity(w, "Earlier panel", accounts, EARLIER_DAY)
    attendees = [
        {
            "account_id": account,
            "minutes": 120,
            "choice": "payment",
            "acknowledgement": "Told to tell the benefit office",
        }
        for account in accounts
    ]
    paid = _post(
        w,
        "staff",
        f"/activities/{activity_id}/attendance",
        {"attendees": attendees, "offer": _offer(15_000, EARLIER_DAY), "paid_on": EARLIER_DAY},
        keyed=True,
    )
    assert paid.status_code == 201, paid.text


@pytest.mark.parametrize("history", ["nothing paid before", "paid earlier that week"])
def test_every_answer_to_the_organisation_is_the_same_whatever_the_member_declared(
    world: World, history: str
) -> None:
    w = world
    accounts = _declared_members(w)
    if history == "paid earlier that week":
        _pay_earlier_the_same_week(w, accounts)
    activity_id = _activity(w, "Interview panel", accounts)
    differences = []
    asked = 0
    # The staff and the API key take turns, amount by amount: both see the same (test_involvement_http).
    for index, pence in enumerate(AMOUNTS):
        role = ("staff", "organisation_key")[index % 2]
        for worked in WORKED_MINUTES:
            body = {"amount_pence": pence, "worked_minutes": worked, "paid_on": PANEL_DAY}
            answers = {}
            for account in accounts:
                response = _post(
                    w, role, f"/activities/{activity_id}/payment-checks", {**body, "account_id": account}
                )
                assert response.status_code == 200, response.text
                answers[account] = _without_ids(response.text, account)
                asked += 1
            if len(set(answers.values())) != 1:
                differences.append((role, pence, worked, answers))
    assert differences == []
    assert asked == len(AMOUNTS) * len(WORKED_MINUTES) * len(accounts)
    one = json.loads(answers[accounts[0]])
    assert one["acknowledgement_needed"] is True
    assert one["warning_codes"] == ["payment_may_affect_benefits"]
    assert one["warnings"] == [ORGANISATION_PAYMENT_ADVICE]


def test_the_refusal_and_the_record_of_a_payment_are_the_same_whatever_the_member_declared(
    world: World,
) -> None:
    w = world
    accounts = _declared_members(w)
    activity_id = _activity(w, "Interview panel", accounts)
    refusals, recorded = {}, {}
    for account in accounts:
        # Above every weekly limit, for a week's paid work: each benefit's limit would be crossed.
        attendee = {"account_id": account, "minutes": 120, "choice": "payment"}
        body = {"attendees": [attendee], "offer": _offer(99_999)}
        refused = _post(w, "organisation_key", f"/activities/{activity_id}/attendance", body, keyed=True)
        assert refused.status_code == 422, refused.text
        refusals[account] = _without_ids(refused.text, account)
        attendee["acknowledgement"] = "Told to tell the benefit office"
        paid = _post(w, "organisation_key", f"/activities/{activity_id}/attendance", body, keyed=True)
        assert paid.status_code == 201, paid.text
        recorded[account] = _without_ids(paid.text, account)

    assert len(set(refusals.values())) == 1, refusals
    assert len(set(recorded.values())) == 1, recorded
    assert json.loads(refusals[accounts[0]])["code"] == "payment_acknowledgement_required"


def test_a_member_not_invited_cannot_be_asked_about_and_defaults_to_credits(world: World) -> None:
    w = world
    (declared, *_) = _declared_members(w)
    undeclared = w.account_ids["member"]
    activity_id = _activity(w, "Open day", [])
    checks, payments, defaults = {}, {}, {}
    for account in (declared, undeclared):
        check = _post(
            w,
            "organisation_key",
            f"/activities/{activity_id}/payment-checks",
            {"account_id": account, "amount_pence": 2500},
        )
        assert check.status_code == 409, check.text
        checks[account] = _without_ids(check.text, account)
        paid = _post(
            w,
            "staff",
            f"/activities/{activity_id}/attendance",
            {
                "attendees": [{"account_id": account, "minutes": 60, "choice": "payment"}],
                "offer": _offer(2500),
            },
            keyed=True,
        )
        assert paid.status_code == 409, paid.text
        payments[account] = _without_ids(paid.text, account)
    # Walk-ins with no choice recorded, a payment offered: credits for both, so the default says nothing.
    walk_ins = _post(
        w,
        "staff",
        f"/activities/{activity_id}/attendance",
        {
            "attendees": [{"account_id": a, "minutes": 60} for a in (declared, undeclared)],
            "offer": _offer(2500),
        },
        keyed=True,
    )
    assert walk_ins.status_code == 201, walk_ins.text
    defaults = {a["account_id"]: a["choice"] for a in walk_ins.json()["attendees"]}

    assert checks[declared] == checks[undeclared]
    assert json.loads(checks[declared])["code"] == "invitation_required"
    assert payments[declared] == payments[undeclared]
    assert defaults == {declared: "credits", undeclared: "credits"}
    # Once attending, the member may be checked (for a payment still to be made).
    later = _post(
        w,
        "staff",
        f"/activities/{activity_id}/payment-checks",
        {"account_id": declared, "amount_pence": 2500},
    )
    assert later.status_code == 200, later.text


def test_the_member_and_coordinators_are_told_which_limit_and_staff_are_not(world: World) -> None:
    w = world
    _pay_earlier_the_same_week(w, [w.account_ids["member"]])
    member = w.account_ids["member"]
    declare = w.client.put(
        w.url(f"/accounts/{member}/benefits-declaration"),
        json={"categories": ["carers_allowance"]},
        headers=w.headers["member"],
    )
    assert declare.status_code == 200, declare.text
    activity_id = _activity(w, "Interview panel", [member])
    body = {"account_id": member, "amount_pence": 5000, "worked_minutes": 120, "paid_on": PANEL_DAY}

    by_staff = _post(w, "staff", f"/activities/{activity_id}/payment-checks", body).json()
    by_coordinator = _post(w, "coordinator", f"/activities/{activity_id}/payment-checks", body).json()
    advice = w.client.get(w.url(f"/accounts/{member}/payment-advice"), headers=w.headers["member"])
    for_coordinator = w.client.get(
        w.url(f"/accounts/{member}/payment-advice"), headers=w.headers["coordinator"]
    )
    for_staff = w.client.get(w.url(f"/accounts/{member}/payment-advice"), headers=w.headers["staff"])

    # £150 earlier and £50 now is £200 in the week: above the Carer's Allowance earnings limit.
    assert by_staff["warnings"] == [ORGANISATION_PAYMENT_ADVICE]
    assert "limit_crossed" in by_coordinator["warning_codes"]
    assert any("Carer's Allowance earnings limit" in text for text in by_coordinator["warnings"])
    assert advice.status_code == 200, advice.text
    entries = {entry["activity_id"]: entry for entry in advice.json()["advice"]}
    assert entries[activity_id]["amount_pence"] == 5000
    assert "limit_crossed" in entries[activity_id]["warning_codes"]
    assert any("Carer's Allowance earnings limit" in text for text in entries[activity_id]["warnings"])
    assert for_coordinator.json() == advice.json()
    assert for_staff.status_code == 403 and for_staff.json()["code"] == "self_or_coordinator_required"
    log = w.client.get(w.url("/audit-log"), params={"account_id": member}, headers=w.headers["coordinator"])
    entries_logged = log.json()["entries"]
    reads = [e["details"]["by_coordinator"] for e in entries_logged if e["action"] == "payment_advice_read"]
    assert reads == [False, True]
    warned = [e["details"]["warnings"] for e in entries_logged if e["action"] == "payment_warned"]
    assert warned and all(codes == ["payment_may_affect_benefits"] for codes in warned)
