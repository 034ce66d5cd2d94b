"""The staff's spend-option pages, on SQLite and PostgreSQL.

Priya adds what her organisation offers for credits, each class explained in a sentence, and
withdraws one after an "are you sure" page; the list shows active and withdrawn options. What was
written is read back through the use case. Every refusal is shown beside its field and writes
nothing; a member gets 403, staff of another organisation 403, another timebank's ids 404.
"""

from __future__ import annotations

from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.involvement_calls import create_spend_option
from tests.people_calls import add_organisation
from tests.web.site import Site, Visitor, build_site
from tests.web.test_activity_pages import coordinator
from tests.web.test_give_pages import assert_refused, main_text
from timebank.benefits.spending import SpendClass
from timebank.people.callers import Caller
from timebank.spending.spends import list_spend_options


def add(visitor: Visitor, typed: dict[str, str]) -> Response:
    return visitor.submit(visitor.get("/spend-options/new"), "/spend-options/new", typed)


def options(site: Site, organisation_id: int | None = None) -> list[tuple[str, int, str, bool]]:
    page = list_spend_options(
        site.engine,
        site.timebank_id,
        coordinator(site),
        organisation_id or site.organisation_id,
        include_withdrawn=True,
    )
    return [(o.title, o.minutes, o.spend_class.value, o.active) for o in page.options]


def test_adding_an_option_with_each_class_explained(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    empty = staff.get("/spend-options")
    assert empty.status_code == 200 and "There are no spend options yet." in empty.text
    form = main_text(staff.get("/spend-options/new").text)
    for words in ("Time with another member", "A community activity", "Goods", "A voucher", "a swim"):
        assert words in form, words
    done = add(staff, {"title": "Swim session", "hours": "1", "minutes": "30", "spend_class": "goods"})
    assert done.status_code == 303, main_text(done.text)
    assert options(site) == [("Swim session", 90, "goods", True)]
    page = main_text(staff.get(done.headers["location"]).text)
    assert "Spend option added." in page and "1 hour 30 minutes" in page and "Goods" in page


def test_withdrawing_asks_first_and_the_list_keeps_the_withdrawn_one(engine: Engine) -> None:
    site = build_site(engine)
    option = create_spend_option(
        engine, site.timebank_id, coordinator(site), site.organisation_id, "Gym", 60, SpendClass.VOUCHER
    )
    staff = site.logged_in("staff")
    path = f"/spend-options/{option.spend_option_id}/withdraw"
    assert f'href="{path}"' in staff.get("/spend-options").text
    sure = staff.get(path)
    assert sure.status_code == 200 and "Are you sure you want to withdraw Gym?" in sure.text
    assert options(site) == [("Gym", 60, "voucher", True)]
    done = staff.submit(sure, path)
    assert done.status_code == 303
    assert options(site) == [("Gym", 60, "voucher", False)]
    page = main_text(staff.get(done.headers["location"]).text)
    assert "Spend option withdrawn." in page and "Withdrawn" in page and "Gym" in page
    again = staff.get(path)
    assert again.status_code == 200 and "already withdrawn" in again.text
    assert staff.submit(sure, path).status_code == 303  # twice is no error


def test_spend_option_refusals_are_shown_beside_their_fields_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    good = {"title": "Swim", "hours": "1", "spend_class": "community_activity"}
    cases = [
        ({**good, "title": ""}, "title"),
        ({**good, "title": "x" * 300}, "title"),
        ({**good, "hours": "0"}, "hours"),
        ({**good, "hours": "one"}, "hours"),
        ({**good, "minutes": "75"}, "minutes"),
        ({**good, "hours": "1000"}, "hours"),
        ({**good, "spend_class": ""}, "spend_class"),
        ({**good, "spend_class": "cash"}, "spend_class"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = add(staff, typed)
        assert_refused(answer, field_id)
        assert f'value="{typed["title"]}"' in answer.text  # what was typed is kept
    assert row_counts(engine) == before


def test_staff_of_another_organisation_are_refused(engine: Engine) -> None:
    site = build_site(engine)
    other = add_organisation(engine, site.timebank_id, coordinator(site), "Another Trust 7")
    theirs = create_spend_option(
        engine, site.timebank_id, coordinator(site), other.organisation_id, "Secret", 60, SpendClass.GOODS
    )
    staff = site.logged_in("staff")
    assert "Secret" not in staff.get("/spend-options").text
    path = f"/spend-options/{theirs.spend_option_id}/withdraw"
    for get in (
        f"/spend-options?organisation={other.organisation_id}",
        f"/spend-options/new?organisation={other.organisation_id}",
        path,
    ):
        assert staff.get(get).status_code == 403, get
    before = row_counts(engine)
    form = staff.get("/spend-options/new")
    typed = {
        "organisation_id": str(other.organisation_id),
        "title": "x",
        "hours": "1",
        "spend_class": "goods",
    }
    assert staff.submit(form, "/spend-options/new", typed).status_code == 403
    token = staff.form(form, "/spend-options/new").fields["csrf_token"]
    assert staff.client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 403
    assert row_counts(engine) == before
    chooser = site.logged_in("coordinator").get(f"/spend-options?organisation={other.organisation_id}")
    assert (
        chooser.status_code == 200 and "Secret" in chooser.text and "Choose an organisation" in chooser.text
    )


def test_members_get_403_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    option = create_spend_option(
        engine, site.timebank_id, coordinator(site), site.organisation_id, "Gym", 60, SpendClass.GOODS
    )
    alice = site.logged_in("alice")
    token = alice.form(alice.get("/"), "/logout").fields["csrf_token"]
    path = f"/spend-options/{option.spend_option_id}/withdraw"
    before = row_counts(engine)
    for get in ("/spend-options", "/spend-options/new", path):
        assert alice.get(get).status_code == 403, get
    data = {"csrf_token": token, "organisation_id": str(site.organisation_id), "title": "x", "hours": "1"}
    for post in ("/spend-options/new", path):
        assert alice.client.post(post, data=data, follow_redirects=False).status_code == 403, post
    assert row_counts(engine) == before


def test_another_timebanks_ids_are_not_found_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    theirs = create_spend_option(
        engine,
        site.other_timebank_id,
        Caller.coordinator_of(site.other_timebank_id),
        site.other_organisation_id,
        "Gym",
        60,
        SpendClass.GOODS,
    )
    path = f"/spend-options/{theirs.spend_option_id}/withdraw"
    for who in ("staff", "coordinator"):
        visitor = site.logged_in(who)
        for get in (
            f"/spend-options?organisation={site.other_organisation_id}",
            f"/spend-options/new?organisation={site.other_organisation_id}",
            path,
            "/spend-options/999999999/withdraw",
        ):
            assert visitor.get(get).status_code == 404, (who, get)
        before = row_counts(engine)
        form = visitor.get("/spend-options/new")
        typed = {
            "organisation_id": str(site.other_organisation_id),
            "title": "x",
            "hours": "1",
            "spend_class": "goods",
        }
        assert visitor.submit(form, "/spend-options/new", typed).status_code == 404
        token = visitor.form(form, "/spend-options/new").fields["csrf_token"]
        assert (
            visitor.client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code == 404
        )
        assert row_counts(engine) == before
