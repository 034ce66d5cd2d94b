"""Organisations' and timebanks' contact details over HTTP (DESIGN B7: the statement names them).

A coordinator gives an organisation an address, an email and a phone when adding it, or later with
``PATCH …/organisations/{id}``; only the details sent change, and ``null`` clears one. Adding an
organisation with its name alone still works, as before. Every member of the timebank reads the
details with the organisation. A timebank's own contact details are settings like any other
(``PATCH /v1/timebanks/{tb}``). Refusals are problem documents named for the rule: an email that is
not the shape of one (``email_invalid``), a phone number that is not (``phone_invalid``), too much
text (``text_too_long``), control characters, unknown fields, and anyone but a coordinator
(``coordinator_required``); a refused change changes nothing.
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import World

CONTACT = {
    "contact_address": "1 Hospital Road\nRiverside RV1 2AB",
    "contact_email": "involvement@riverside-trust.example",
    "contact_phone": "+44 (0)1632 960000",
}
NO_CONTACT = {"contact_address": None, "contact_email": None, "contact_phone": None}


def _organisation(w: World, role: str = "coordinator") -> Any:
    return w.client.get(w.url(f"/organisations/{w.organisation_id}"), headers=w.headers[role])


def _patch(w: World, body: dict[str, Any], role: str = "coordinator") -> Any:
    return w.client.patch(w.url(f"/organisations/{w.organisation_id}"), json=body, headers=w.headers[role])


def _contact(body: dict[str, Any]) -> dict[str, Any]:
    return {name: body[name] for name in CONTACT}


def test_an_organisation_added_with_its_name_alone_has_no_contact_details(world: World) -> None:
    added = world.client.post(
        world.url("/organisations"), json={"name": "Riverside Library"}, headers=world.headers["coordinator"]
    )

    assert added.status_code == 201, added.text
    assert _contact(added.json()) == NO_CONTACT


def test_an_organisation_added_with_contact_details_shows_them_to_every_member(world: World) -> None:
    added = world.client.post(
        world.url("/organisations"),
        json={"name": "Riverside Library", **CONTACT},
        headers=world.headers["coordinator"],
    )
    assert added.status_code == 201, added.text
    assert _contact(added.json()) == CONTACT

    read = world.client.get(
        world.url(f"/organisations/{added.json()['id']}"), headers=world.headers["member"]
    )
    assert _contact(read.json()) == CONTACT


def test_a_coordinator_changes_only_the_details_sent_and_null_clears_one(world: World) -> None:
    assert _patch(world, CONTACT).status_code == 200

    changed = _patch(world, {"contact_email": "  hello@trust.example ", "contact_phone": None})

    assert changed.status_code == 200, changed.text
    assert _contact(changed.json()) == {
        "contact_address": CONTACT["contact_address"],
        "contact_email": "hello@trust.example",
        "contact_phone": None,
    }
    assert _contact(_organisation(world, "member").json()) == _contact(changed.json())
    assert changed.json()["name"] == "Riverside Health Trust"


@pytest.mark.parametrize("role", ["member", "staff", "organisation_key"])
def test_only_a_coordinator_changes_an_organisations_contact_details(world: World, role: str) -> None:
    refused = _patch(world, CONTACT, role=role)

    assert refused.status_code == 403, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["code"] == "coordinator_required"
    assert _contact(_organisation(world).json()) == NO_CONTACT


def test_another_timebanks_coordinator_cannot_find_it(world: World) -> None:
    refused = _patch(world, CONTACT, role="other_coordinator")

    assert (refused.status_code, refused.json()["code"]) == (404, "timebank_not_found")
    missing = world.client.patch(
        world.url("/organisations/999999999"), json=CONTACT, headers=world.headers["coordinator"]
    )
    assert (missing.status_code, missing.json()["code"]) == (404, "organisation_not_found")


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"contact_email": "involvement at the trust"}, "email_invalid"),
        ({"contact_email": "someone@localhost"}, "email_invalid"),
        ({"contact_email": "two@@trust.example"}, "email_invalid"),
        ({"contact_email": "a b@trust.example"}, "email_invalid"),
        ({"contact_phone": "call reception"}, "phone_invalid"),
        ({"contact_phone": "12345"}, "phone_invalid"),
        ({"contact_phone": "0" * 16}, "phone_invalid"),
        ({"contact_address": "x" * 301}, "text_too_long"),
        ({"contact_email": "a" * 250 + "@x.org"}, "text_too_long"),
        ({"contact_phone": "1" * 31}, "text_too_long"),
        ({"contact_address": "1 High Street\x00"}, "text_has_control_characters"),
        ({"contact_email": 7}, "request_invalid"),
        ({"contact_name": "Priya"}, "unknown_field"),
        ({"name": "Renamed"}, "unknown_field"),
    ],
)
def test_a_bad_contact_detail_is_refused_by_its_rule_and_changes_nothing(
    world: World, body: dict[str, Any], code: str
) -> None:
    assert _patch(world, CONTACT).status_code == 200

    answers = [_patch(world, body)]
    if "name" not in body:  # a name is what an organisation is added with
        added = world.client.post(
            world.url("/organisations"),
            json={"name": "Library", **body},
            headers=world.headers["coordinator"],
        )
        answers.append(added)
    for refused in answers:
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == code
    assert _contact(_organisation(world).json()) == CONTACT


def test_a_timebanks_contact_details_are_settings_a_coordinator_changes(world: World) -> None:
    changed = world.client.patch(
        world.url(""),
        json={"contact_email": "hello@riverside-timebank.example"},
        headers=world.headers["coordinator"],
    )

    assert changed.status_code == 200, changed.text
    assert _contact(changed.json()) == {**NO_CONTACT, "contact_email": "hello@riverside-timebank.example"}
    assert world.client.get(world.url(""), headers=world.headers["member"]).json()["contact_email"] == (
        "hello@riverside-timebank.example"
    )
    refused = world.client.patch(
        world.url(""), json={"contact_phone": "ring me"}, headers=world.headers["coordinator"]
    )
    assert (refused.status_code, refused.json()["code"]) == (422, "phone_invalid")
    assert world.client.get(world.url(""), headers=world.headers["member"]).json()["contact_phone"] is None
