"""The staff's expense pages, on SQLite and PostgreSQL.

Priya (staff of the site's organisation) records an expense for a member against a receipt or a
mileage sum, checked first; what was written is read back through the use case. Every refusal is
shown beside its field and writes nothing. A member gets 403; staff of another organisation 403;
another timebank's ids are not found. The pages say what an expense is in one sentence, and name
no benefit.
"""

from __future__ import annotations

from datetime import date, timedelta

from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.people_calls import add_organisation
from tests.web.site import Site, Visitor, build_site
from tests.web.test_activity_pages import an_activity, coordinator
from tests.web.test_give_pages import assert_refused, main_text
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.involvement.activities import create_activity
from timebank.involvement.expense_list import list_expenses
from timebank.involvement.requests import CreateActivity
from timebank.people.callers import Caller
from timebank.web.routes.expenses import WHAT_AN_EXPENSE_IS


def spent(on: date) -> dict[str, str]:
    return {"spent-day": str(on.day), "spent-month": str(on.month), "spent-year": str(on.year)}


def receipt(site: Site, **changes: str) -> dict[str, str]:
    typed = {
        "other_name": site.names["alice"],
        **spent(utc_now().date() - timedelta(days=1)),
        "description": "Bus fare to the forum",
        "evidence": "receipt",
        "receipt_reference": "Ticket 4471",
        "receipt_amount": "4.60",
    }
    return {**typed, **changes}


def check(visitor: Visitor, typed: dict[str, str], path: str = "/expenses/new") -> Response:
    return visitor.submit(visitor.get(path), "/expenses/new", typed)


def recorded(site: Site, organisation_id: int | None = None) -> list[tuple[int, int, str, int | None]]:
    page = list_expenses(
        site.engine, site.timebank_id, coordinator(site), organisation_id or site.organisation_id
    )
    return [(e.account_id, e.amount_pence, e.evidence_kind, e.activity_id) for e in page.expenses]


def test_the_list_says_what_an_expense_is_and_shows_none_yet(engine: Engine) -> None:
    site = build_site(engine)
    page = site.logged_in("staff").get("/expenses")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    text = main_text(page.text)
    assert WHAT_AN_EXPENSE_IS in text and "There are no expenses yet." in text
    assert site.organisation_name in text


def test_recording_an_expense_against_a_receipt_checks_first_then_records_once(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    form = staff.get("/expenses/new")
    assert form.status_code == 200 and WHAT_AN_EXPENSE_IS in main_text(form.text)
    checked = check(staff, receipt(site))
    assert checked.status_code == 200, main_text(checked.text)
    assert "Check your answers</h1>" in checked.text
    text = main_text(checked.text)
    assert "£4.60" in text and "Ticket 4471" in text and site.names["alice"] in text
    assert recorded(site) == []
    done = staff.submit(checked, "/expenses/new", {"action": "record"})
    assert done.status_code == 303, main_text(done.text)
    again = staff.submit(checked, "/expenses/new", {"action": "record"})
    assert again.status_code == 303
    assert recorded(site) == [(site.account_ids["alice"], 460, "receipt", None)]
    page = staff.get(done.headers["location"])
    assert "Expense recorded." in page.text and "Bus fare to the forum" in page.text


def test_an_expense_for_mileage_from_the_activity_page_pays_back_less_than_the_sum(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site)
    staff = site.logged_in("staff")
    page = staff.get(f"/activities/{activity.activity_id}")
    assert f'href="/expenses/new?activity={activity.activity_id}"' in page.text
    typed = receipt(
        site,
        evidence="mileage",
        receipt_reference="",
        receipt_amount="",
        journey="Home to the town hall and back",
        miles="12",
        amount="5",
    )
    checked = check(staff, typed, f"/expenses/new?activity={activity.activity_id}")
    assert checked.status_code == 200, main_text(checked.text)
    text = main_text(checked.text)
    assert "12 miles at 45p a mile, £5.40" in text and "Amount to pay back £5 " in text
    assert "Activity Carers" in text
    done = staff.submit(checked, "/expenses/new", {"action": "record"})
    assert done.status_code == 303
    assert recorded(site) == [(site.account_ids["alice"], 500, "mileage", activity.activity_id)]
    listed = main_text(staff.get(done.headers["location"]).text)
    assert "12 miles at 45p" in listed and "Carers&#39; forum" in listed


def test_changing_the_answers_gives_the_form_back_as_typed(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    checked = check(staff, receipt(site))
    back = staff.submit(checked, "/expenses/new", {"action": "change"})
    assert back.status_code == 200 and "Record an expense</h1>" in back.text
    assert 'value="Ticket 4471"' in back.text and 'value="4.60"' in back.text


def test_expense_refusals_are_shown_beside_their_fields_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    tomorrow = utc_now().date() + timedelta(days=1)
    mileage = {"evidence": "mileage", "journey": "Home to town", "miles": "10", "rate": "45"}
    cases = [
        (receipt(site, other_name=""), "other_name"),
        (receipt(site, other_name="Nobody Here"), "other_name"),
        (receipt(site, other_name=site.names["olive"]), "other_name"),
        (receipt(site, **{"spent-day": "31", "spent-month": "2"}), "spent-day"),
        (receipt(site, **spent(tomorrow)), "spent-day"),
        (receipt(site, description=""), "description"),
        (receipt(site, evidence=""), "evidence"),
        (receipt(site, receipt_reference=""), "receipt_reference"),
        (receipt(site, receipt_amount="four pounds"), "receipt_amount"),
        (receipt(site, receipt_amount="0"), "receipt_amount"),
        (receipt(site, amount="4.61"), "amount"),
        (receipt(site, **{**mileage, "journey": ""}), "journey"),
        (receipt(site, **{**mileage, "miles": "0"}), "miles"),
        (receipt(site, **{**mileage, "miles": "2001"}), "miles"),
        (receipt(site, **{**mileage, "rate": "101"}), "rate"),
        (receipt(site, **{**mileage, "amount": "4.51"}), "amount"),
        (receipt(site, description="x" * 600), "description"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = check(staff, typed)
        if field_id == "spent-day":  # the date's three boxes share one message, beside the fieldset
            assert answer.status_code == 422 and 'href="#spent-day"' in answer.text, typed
            assert 'id="spent-error"' in answer.text
        else:
            assert_refused(answer, field_id)
        assert "4.60" in answer.text or typed["receipt_amount"] != "4.60"  # what was typed is kept
    assert row_counts(engine) == before


def test_the_expense_pages_name_no_benefit_even_for_a_member_who_declared_one(engine: Engine) -> None:
    from timebank.involvement.declarations import set_declaration
    from timebank.involvement.requests import DeclareBenefits

    site = build_site(engine)
    set_declaration(
        engine,
        site.timebank_id,
        coordinator(site),
        site.account_ids["alice"],
        DeclareBenefits(categories=[BenefitCategory.UNIVERSAL_CREDIT.value], members_say_so=True),
    )
    staff = site.logged_in("staff")
    checked = check(staff, receipt(site))
    done = staff.submit(checked, "/expenses/new", {"action": "record"})
    for page in (staff.get("/expenses/new"), checked, staff.get(done.headers["location"])):
        text = main_text(page.text).lower()
        assert "universal credit" not in text and "benefit" not in text


def test_staff_of_another_organisation_are_refused_and_a_coordinator_may_choose(engine: Engine) -> None:
    site = build_site(engine)
    other = add_organisation(engine, site.timebank_id, coordinator(site), "Another Trust 6")
    theirs = create_activity(
        engine,
        site.timebank_id,
        coordinator(site),
        other.organisation_id,
        CreateActivity(
            title="Secret board",
            held_on=utc_now().date(),
            duration_minutes=60,
            classification=ActivityClassification.VOLUNTEERING,
        ),
    )
    staff = site.logged_in("staff")
    for path in (
        f"/expenses?organisation={other.organisation_id}",
        f"/expenses/new?organisation={other.organisation_id}",
        f"/expenses/new?activity={theirs.activity_id}",
    ):
        assert staff.get(path).status_code == 403, path
    before = row_counts(engine)
    page = staff.get("/expenses/new")
    for changes in (
        {"organisation_id": str(other.organisation_id)},
        {"organisation_id": str(other.organisation_id), "activity_id": str(theirs.activity_id)},
    ):
        for action in ("check", "record"):
            answer = staff.submit(page, "/expenses/new", {**receipt(site), **changes, "action": action})
            assert answer.status_code == 403, (changes, action)
    # An activity of another organisation cannot be slipped under one's own.
    answer = staff.submit(
        page, "/expenses/new", {**receipt(site), "activity_id": str(theirs.activity_id), "action": "record"}
    )
    assert answer.status_code == 403
    assert row_counts(engine) == before
    chooser = site.logged_in("coordinator").get(f"/expenses?organisation={other.organisation_id}")
    assert chooser.status_code == 200 and "Choose an organisation" in chooser.text


def test_members_get_403_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    token = alice.form(alice.get("/"), "/logout").fields["csrf_token"]
    before = row_counts(engine)
    for path in ("/expenses", "/expenses/new"):
        assert alice.get(path).status_code == 403, path
    data = {
        "csrf_token": token,
        "organisation_id": str(site.organisation_id),
        **receipt(site),
        "action": "record",
    }
    assert alice.client.post("/expenses/new", data=data, follow_redirects=False).status_code == 403
    assert row_counts(engine) == before


def test_another_timebanks_ids_are_not_found_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    theirs = create_activity(
        engine,
        site.other_timebank_id,
        Caller.coordinator_of(site.other_timebank_id),
        site.other_organisation_id,
        CreateActivity(
            title="Hill walk",
            held_on=utc_now().date(),
            duration_minutes=60,
            classification=ActivityClassification.VOLUNTEERING,
        ),
    )
    for who in ("staff", "coordinator"):
        visitor = site.logged_in(who)
        for path in (
            f"/expenses?organisation={site.other_organisation_id}",
            f"/expenses/new?organisation={site.other_organisation_id}",
            f"/expenses/new?activity={theirs.activity_id}",
            "/expenses/new?activity=999999999",
        ):
            assert visitor.get(path).status_code == 404, (who, path)
        before = row_counts(engine)
        page = visitor.get("/expenses/new")
        for changes in (
            {"organisation_id": str(site.other_organisation_id)},
            {"activity_id": str(theirs.activity_id)},
            {"organisation_id": "x"},
        ):
            answer = visitor.submit(page, "/expenses/new", {**receipt(site), **changes, "action": "record"})
            assert answer.status_code == 404, (who, changes)
        assert row_counts(engine) == before
