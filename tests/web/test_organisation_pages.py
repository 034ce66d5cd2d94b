"""The coordinators' organisation pages, on SQLite and PostgreSQL: the list, adding one, its contact
details, its staff and its API keys.

A coordinator adds an organisation and changes its details through the forms; what was written is
read back through the use cases (``timebank.people.organisations``). An API key's secret is shown
once and then never again; revoking asks first. Every refusal is shown beside its field and writes
nothing; a member or a member of staff gets 403 on every page, and another timebank's organisation
is not found.
"""

from __future__ import annotations

from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.web.site import Site, Visitor, build_site
from tests.web.test_give_pages import assert_refused, main_text
from timebank.people import organisations
from timebank.people.callers import Caller
from timebank.people.views import OrganisationView


def organisation(site: Site, organisation_id: int) -> OrganisationView:
    return organisations.get_organisation(
        site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), organisation_id
    )


def add(visitor: Visitor, typed: dict[str, str]) -> Response:
    return visitor.submit(visitor.get("/organisations/new"), "/organisations/new", typed)


def test_the_list_shows_the_organisations_with_a_link_to_add_one(engine: Engine) -> None:
    site = build_site(engine)
    page = site.logged_in("coordinator").get("/organisations")
    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert site.organisation_name in page.text
    assert f'href="/organisations/{site.organisation_id}"' in page.text
    assert 'href="/organisations/new"' in page.text
    assert "Hillside Council" not in page.text
    assert 'aria-current="page"' in page.text


def test_adding_an_organisation_with_a_budget_and_contact_details(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    done = add(
        coordinator,
        {
            "name": "Meadow Day Centre",
            "budget": "20",
            "contact_address": "1 Mill Lane",
            "contact_email": "hello@meadow.example",
            "contact_phone": "01234 567890",
        },
    )
    assert done.status_code == 303, done.text
    organisation_id = int(done.headers["location"].split("/")[2].split("?")[0])
    view = organisation(site, organisation_id)
    assert view.name == "Meadow Day Centre"
    assert (view.contact_address, view.contact_email, view.contact_phone) == (
        "1 Mill Lane",
        "hello@meadow.example",
        "01234 567890",
    )
    page = coordinator.get(done.headers["location"])
    text = main_text(page.text)
    assert "Organisation added." in text
    assert "It can give 20 hours of credits beyond what it holds" in text
    assert "hello@meadow.example" in text


def test_a_blank_budget_is_the_timebanks_usual_one(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    done = add(coordinator, {"name": "Plain Trust"})
    assert done.status_code == 303
    assert "None given" in coordinator.get(done.headers["location"]).text


def test_adding_refusals_are_shown_beside_their_fields_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    cases = [
        ({"name": ""}, "name"),
        ({"name": "A Trust", "budget": "lots"}, "budget"),
        ({"name": "A Trust", "contact_email": "not an address"}, "contact_email"),
        ({"name": "A Trust", "contact_phone": "call me"}, "contact_phone"),
        ({"name": "x" * 300}, "name"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = add(coordinator, typed)
        assert_refused(answer, field_id)
        for value in typed.values():
            if value and len(value) < 50:
                assert f'value="{value}"' in answer.text, (typed, value)
    assert row_counts(engine) == before


def test_changing_the_contact_details_and_clearing_one(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    path = f"/organisations/{site.organisation_id}/contact"
    done = coordinator.submit(
        coordinator.get(path), path, {"contact_email": "team@trust.example", "contact_phone": "0300 123 4567"}
    )
    assert done.status_code == 303
    assert "Contact details changed." in coordinator.get(done.headers["location"]).text
    view = organisation(site, site.organisation_id)
    assert (view.contact_email, view.contact_phone) == ("team@trust.example", "0300 123 4567")
    page = coordinator.get(path)
    assert 'value="team@trust.example"' in page.text
    coordinator.submit(page, path, {"contact_phone": ""})
    assert organisation(site, site.organisation_id).contact_phone is None
    before = row_counts(engine)
    refused = coordinator.submit(coordinator.get(path), path, {"contact_email": "nobody"})
    assert_refused(refused, "contact_email")
    assert row_counts(engine) == before
    assert organisation(site, site.organisation_id).contact_email == "team@trust.example"


def test_adding_a_member_as_staff_by_part_of_their_name_and_removing_them(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    path = f"/organisations/{site.organisation_id}"
    page = coordinator.get(path)
    assert site.names["staff"] in main_text(page.text)
    done = coordinator.submit(page, f"{path}/staff", {"other_name": "alice gr"})
    assert done.status_code == 303
    assert "Member of staff added." in coordinator.get(done.headers["location"]).text
    assert site.member_ids["alice"] in organisation(site, site.organisation_id).staff_member_ids
    page = coordinator.get(path)
    remove = f"{path}/staff/{site.member_ids['alice']}/remove"
    done = coordinator.submit(page, remove)
    assert done.status_code == 303
    assert organisation(site, site.organisation_id).staff_member_ids == (site.member_ids["staff"],)


def test_staff_refusals_are_shown_by_the_name_box_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    path = f"/organisations/{site.organisation_id}"
    before = row_counts(engine)
    for typed in ({"other_name": ""}, {"other_name": "Nobody Here"}, {"other_name": site.names["olive"]}):
        answer = coordinator.submit(coordinator.get(path), f"{path}/staff", typed)
        assert_refused(answer, "other_name")
    several = coordinator.submit(coordinator.get(path), f"{path}/staff", {"other_name": "e"})
    assert several.status_code == 200 and 'id="other_account_id"' in several.text
    assert row_counts(engine) == before


def test_an_api_key_is_shown_once_listed_without_its_secret_and_revoked_after_asking(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    path = f"/organisations/{site.organisation_id}"
    made = coordinator.submit(coordinator.get(path), f"{path}/api-keys", {"label": "Booking system"})
    assert made.status_code == 200
    assert "Copy this key now. We will not show it again." in main_text(made.text)
    (key,) = organisations.list_api_keys(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.organisation_id
    )
    secret = made.text.split('id="api-key-secret">')[1].split("<")[0]
    assert secret.startswith("tbk_") or len(secret) > 20
    listed = coordinator.get(path)
    assert "Booking system" in listed.text and secret not in listed.text
    revoke = f"{path}/api-keys/{key.api_key_id}/revoke"
    asked = coordinator.get(revoke)
    assert asked.status_code == 200 and "Are you sure" in asked.text
    assert key.revoked_at is None
    done = coordinator.submit(asked, revoke)
    assert done.status_code == 303
    assert "API key revoked." in coordinator.get(done.headers["location"]).text
    (key,) = organisations.list_api_keys(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.organisation_id
    )
    assert key.revoked_at is not None
    assert "Revoked on" in coordinator.get(path).text
    token = coordinator.form(asked, revoke).fields["csrf_token"]
    again = coordinator.client.post(revoke, data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 303
    (still,) = organisations.list_api_keys(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.organisation_id
    )
    assert still.revoked_at == key.revoked_at
    other_key = f"{path}/api-keys/999999999/revoke"
    assert coordinator.get(other_key).status_code == 404


def test_a_key_without_a_label_is_refused_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    path = f"/organisations/{site.organisation_id}"
    before = row_counts(engine)
    assert_refused(coordinator.submit(coordinator.get(path), f"{path}/api-keys", {"label": " "}), "label")
    assert row_counts(engine) == before


def test_members_and_staff_get_403_on_every_organisation_page_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    oid = site.organisation_id
    gets = [
        "/organisations",
        "/organisations/new",
        f"/organisations/{oid}",
        f"/organisations/{oid}/contact",
        f"/organisations/{oid}/api-keys/1/revoke",
    ]
    posts = [
        "/organisations/new",
        f"/organisations/{oid}/contact",
        f"/organisations/{oid}/staff",
        f"/organisations/{oid}/staff/{site.member_ids['alice']}/remove",
        f"/organisations/{oid}/api-keys",
        f"/organisations/{oid}/api-keys/1/revoke",
    ]
    visitors = {who: site.logged_in(who) for who in ("alice", "staff", "olive")}
    before = row_counts(engine)
    for who, visitor in visitors.items():
        home = visitor.get("/")
        token = visitor.form(home, "/logout").fields["csrf_token"]
        for path in gets:
            assert visitor.get(path).status_code == 403, (who, path)
        for path in posts:
            answer = visitor.client.post(
                path,
                data={"csrf_token": token, "name": "Sneaky", "other_name": "alice", "label": "x"},
                follow_redirects=False,
            )
            assert answer.status_code == 403, (who, path)
    assert row_counts(engine) == before


def test_another_timebanks_organisation_is_not_found_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    coordinator = site.logged_in("coordinator")
    other = site.other_organisation_id
    for path in (f"/organisations/{other}", f"/organisations/{other}/contact", "/organisations/999999999"):
        assert coordinator.get(path).status_code == 404, path
    token = coordinator.form(coordinator.get("/"), "/logout").fields["csrf_token"]
    before = row_counts(engine)
    for path in (
        f"/organisations/{other}/contact",
        f"/organisations/{other}/staff",
        f"/organisations/{other}/api-keys",
        f"/organisations/{other}/api-keys/1/revoke",
    ):
        answer = coordinator.client.post(
            path,
            data={"csrf_token": token, "contact_email": "a@b.example", "other_name": "alice", "label": "x"},
            follow_redirects=False,
        )
        assert answer.status_code == 404, path
    assert row_counts(engine) == before
