"""The staff's activity and attendance pages, on SQLite and PostgreSQL.

Priya (staff of the site's organisation) adds an activity, invites members by name and records who
came on one form, checked first; what was written is read back through the use cases (the
attendance, the ledger's balances). Every refusal is shown beside its field and writes nothing. A
member gets 403 on every page; staff never see another organisation's activities; another
timebank's ids are not found. A member who declared benefits is offered a payment: the staff's
pages say one sentence, and never name the benefit.
"""

from __future__ import annotations

from datetime import date, timedelta

from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.people_calls import add_organisation
from tests.web.site import Site, Visitor, build_site
from tests.web.test_give_pages import assert_refused, balance, main_text
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.advice import ORGANISATION_PAYMENT_ADVICE
from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.involvement.activities import activity_attendance, create_activity, list_activities
from timebank.involvement.declarations import set_declaration
from timebank.involvement.invitations import invite_members
from timebank.involvement.requests import CreateActivity, DeclareBenefits, InviteMembers
from timebank.involvement.views import ActivityView
from timebank.people.callers import Caller


def coordinator(site: Site) -> Caller:
    return Caller.coordinator_of(site.timebank_id)


def an_activity(
    site: Site, *, invite: tuple[str, ...] = (), days_ago: int = 1, minutes: int = 120
) -> ActivityView:
    body = CreateActivity(
        title="Carers' forum",
        held_on=utc_now().date() - timedelta(days=days_ago),
        duration_minutes=minutes,
        classification=ActivityClassification.USES_SERVICES,
        purpose="Planning support",
    )
    view = create_activity(site.engine, site.timebank_id, coordinator(site), site.organisation_id, body)
    if invite:
        invite_members(
            site.engine,
            site.timebank_id,
            coordinator(site),
            view.activity_id,
            InviteMembers(account_ids=[site.account_ids[who] for who in invite]),
        )
    return view


def new_activity(visitor: Visitor, typed: dict[str, str]) -> Response:
    return visitor.submit(visitor.get("/activities/new"), "/activities/new", typed)


def typed_day(on: date) -> dict[str, str]:
    return {"held-day": str(on.day), "held-month": str(on.month), "held-year": str(on.year)}


def test_staff_see_their_organisations_activities_and_nobody_elses(engine: Engine) -> None:
    site = build_site(engine)
    empty = site.logged_in("staff").get("/activities")
    assert empty.status_code == 200 and "There are no activities yet." in empty.text
    assert site.organisation_name in empty.text
    an_activity(site)
    other = add_organisation(engine, site.timebank_id, coordinator(site), "Another Trust 5")
    create_activity(
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
    page = staff.get("/activities")
    assert "Carers&#39; forum" in page.text and "Secret board" not in page.text
    assert "Shaping services" in page.text
    assert staff.get(f"/activities?organisation={other.organisation_id}").status_code == 403
    assert staff.get(f"/activities/new?organisation={other.organisation_id}").status_code == 403
    (secret,) = list_activities(engine, site.timebank_id, coordinator(site), other.organisation_id).activities
    for path in (f"/activities/{secret.activity_id}", f"/activities/{secret.activity_id}/attendance"):
        assert staff.get(path).status_code == 403, path
    chooser = site.logged_in("coordinator").get("/activities")
    assert "Choose an organisation" in chooser.text and "Another Trust 5" in chooser.text
    assert (
        "Secret board"
        in site.logged_in("coordinator").get(f"/activities?organisation={other.organisation_id}").text
    )


def test_adding_an_activity_with_each_choice_explained(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    form = staff.get("/activities/new")
    text = main_text(form.text)
    for words in ("Shaping services", "Volunteering", "Community activity", "unpaid help to a charity"):
        assert words in text
    assert "service user" not in text.lower()
    held_on = utc_now().date() - timedelta(days=2)
    done = new_activity(
        staff,
        {
            "title": "Panel",
            **typed_day(held_on),
            "hours": "1",
            "minutes": "30",
            "classification": "volunteering",
        },
    )
    assert done.status_code == 303, done.text
    (activity,) = list_activities(
        engine, site.timebank_id, coordinator(site), site.organisation_id
    ).activities
    assert (activity.title, activity.held_on, activity.duration_minutes) == ("Panel", held_on, 90)
    assert activity.classification is ActivityClassification.VOLUNTEERING
    page = staff.get(done.headers["location"])
    assert "Activity added." in page.text and "1 hour 30 minutes" in page.text


def test_activity_refusals_are_shown_beside_their_fields_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    staff = site.logged_in("staff")
    good = {"title": "Panel", **typed_day(utc_now().date()), "hours": "1", "classification": "volunteering"}
    cases = [
        ({**good, "title": ""}, "title"),
        ({**good, "held-day": "31", "held-month": "2"}, "held-day"),
        ({**good, "hours": "0", "minutes": ""}, "hours"),
        ({**good, "minutes": "75"}, "minutes"),
        ({**good, "classification": ""}, "classification"),
        ({**good, "title": "x" * 300}, "title"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = new_activity(staff, typed)
        if field_id == "held-day":  # the date's three boxes share one message, beside the fieldset
            assert answer.status_code == 422 and 'href="#held-day"' in answer.text
            assert 'id="held-error"' in answer.text
        else:
            assert_refused(answer, field_id)
    assert row_counts(engine) == before


def test_inviting_a_member_by_name_and_withdrawing(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site)
    staff = site.logged_in("staff")
    path = f"/activities/{activity.activity_id}"
    done = staff.submit(staff.get(path), f"{path}/invitations", {"other_name": "bob st"})
    assert done.status_code == 303
    page = staff.get(done.headers["location"])
    assert "Member invited." in page.text and site.names["bob"] in main_text(page.text)
    withdraw = f"{path}/invitations/{site.account_ids['bob']}/withdraw"
    assert staff.submit(page, withdraw).status_code == 303
    assert "Nobody is invited yet." in staff.get(path).text
    before = row_counts(engine)
    for name in ("", "Nobody Here", site.names["olive"]):
        assert_refused(
            staff.submit(staff.get(path), f"{path}/invitations", {"other_name": name}), "other_name"
        )
    assert row_counts(engine) == before


def attend(visitor: Visitor, activity_id: int, typed: dict[str, str]) -> Response:
    path = f"/activities/{activity_id}/attendance"
    return visitor.submit(visitor.get(path), path, typed)


def test_recording_attendance_for_credits_checks_first_then_posts_the_recognition(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site, invite=("alice", "bob"))
    staff = site.logged_in("staff")
    alice, bob = site.account_ids["alice"], site.account_ids["bob"]
    form = staff.get(f"/activities/{activity.activity_id}/attendance")
    assert "The safe choice for everyone. Time credits are not income." in main_text(form.text)
    checked = attend(
        staff,
        activity.activity_id,
        {f"came-{alice}": "yes", f"came-{bob}": "yes", f"hours-{bob}": "1", f"minutes-{bob}": "0"},
    )
    assert checked.status_code == 200, checked.text
    assert "Check your answers</h1>" in checked.text
    assert (
        activity_attendance(engine, site.timebank_id, coordinator(site), activity.activity_id).attendees == ()
    )
    path = f"/activities/{activity.activity_id}/attendance"
    done = staff.submit(checked, path, {"action": "record"})
    assert done.status_code == 303, main_text(done.text)
    again = staff.submit(checked, path, {"action": "record"})
    assert again.status_code == 303
    assert (balance(site, alice), balance(site, bob)) == (120, 60)
    recorded = activity_attendance(
        engine, site.timebank_id, coordinator(site), activity.activity_id
    ).attendees
    assert [(a.account_id, a.minutes, a.choice.value) for a in recorded] == [
        (alice, 120, "credits"),
        (bob, 60, "credits"),
    ]
    page = staff.get(done.headers["location"])
    assert "Attendance recorded." in page.text and "Time credits" in page.text
    assert "There is nobody left to record" in staff.get(path).text


def test_attendance_refusals_are_shown_beside_their_fields_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site, invite=("alice",))
    staff = site.logged_in("staff")
    n = site.account_ids["alice"]
    came = {f"came-{n}": "yes"}
    cases = [
        ({}, f"came-{n}"),
        ({**came, f"hours-{n}": "3"}, f"hours-{n}"),
        ({**came, f"minutes-{n}": "75"}, f"minutes-{n}"),
        ({**came, f"choice-{n}": "payment"}, f"choice-{n}"),
        ({**came, "offer_amount": "twenty", "offer_description": "Thanks"}, "offer_amount"),
        ({**came, "offer_amount": "20", "offer_description": ""}, "offer_description"),
        (
            {
                **came,
                "offer_amount": "20",
                "offer_description": "x",
                f"choice-{n}": "reduced_payment",
                f"reduced-{n}": "25",
            },
            f"reduced-{n}",
        ),
        ({**came, "offer_amount": "20", "offer_description": "x", f"choice-{n}": "charity"}, f"charity-{n}"),
    ]
    before = row_counts(engine)
    for typed, field_id in cases:
        answer = attend(staff, activity.activity_id, typed)
        assert_refused(answer, field_id)
    assert row_counts(engine) == before


def test_attendance_at_a_future_activity_cannot_be_recorded(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site, invite=("alice",), days_ago=-3)
    staff = site.logged_in("staff")
    page = staff.get(f"/activities/{activity.activity_id}/attendance")
    assert "You can record who came from that day." in page.text
    assert "Continue" not in page.text


def test_a_payment_to_a_member_who_declared_benefits_shows_staff_one_sentence_only(engine: Engine) -> None:
    site = build_site(engine)
    alice, bob = site.account_ids["alice"], site.account_ids["bob"]
    set_declaration(
        engine,
        site.timebank_id,
        Caller.coordinator_of(site.timebank_id),
        alice,
        DeclareBenefits(categories=[BenefitCategory.CARERS_ALLOWANCE.value], members_say_so=True),
    )
    activity = an_activity(site, invite=("alice", "bob"))
    path = f"/activities/{activity.activity_id}/attendance"
    visitors = {who: site.logged_in(who) for who in ("coordinator", "staff")}
    for who, visitor in visitors.items():
        checked = attend(
            visitor,
            activity.activity_id,
            {
                "offer_amount": "25.00",
                "offer_kind": "voucher",
                "offer_description": "Thanks for your time",
                f"came-{alice}": "yes",
                f"choice-{alice}": "payment",
                f"came-{bob}": "yes",
                f"choice-{bob}": "payment",
            },
        )
        assert checked.status_code == 200, checked.text
        text = main_text(checked.text)
        assert text.count(ORGANISATION_PAYMENT_ADVICE) == 1
        assert f'id="ack-{alice}"' in checked.text and f'id="ack-{bob}"' not in checked.text
        for words in ("Carer&#39;s", "Universal Credit", "Allowance", "limit", "declared"):
            assert words not in text, (who, words)
    refused = visitors["staff"].submit(checked, path, {"action": "record"})
    assert_refused(refused, f"ack-{alice}")
    assert "Allowance" not in main_text(refused.text)
    assert (
        activity_attendance(engine, site.timebank_id, coordinator(site), activity.activity_id).attendees == ()
    )
    staff = site.logged_in("staff")
    checked = attend(
        staff,
        activity.activity_id,
        {
            "offer_amount": "25.00",
            "offer_description": "Thanks",
            f"came-{alice}": "yes",
            f"choice-{alice}": "reduced_payment",
            f"reduced-{alice}": "12.50",
            f"came-{bob}": "yes",
            f"choice-{bob}": "charity",
            f"charity-{bob}": "Riverside Food Bank",
        },
    )
    assert "£12.50" in checked.text and "Riverside Food Bank" in checked.text
    done = staff.submit(
        checked, path, {"action": "record", f"ack-{alice}": "Told to ask the office; form signed"}
    )
    assert done.status_code == 303, done.text
    recorded = activity_attendance(
        engine, site.timebank_id, coordinator(site), activity.activity_id
    ).attendees
    assert [(a.account_id, a.choice.value) for a in recorded] == [
        (alice, "reduced_payment"),
        (bob, "charity"),
    ]
    assert (balance(site, alice), balance(site, bob)) == (0, 0)
    page = main_text(staff.get(f"/activities/{activity.activity_id}").text)
    assert "A smaller payment" in page and "Allowance" not in page


def test_members_get_403_on_every_staff_page_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    activity = an_activity(site, invite=("alice",))
    aid = activity.activity_id
    alice = site.logged_in("alice")
    token = alice.form(alice.get("/"), "/logout").fields["csrf_token"]
    before = row_counts(engine)
    for path in ("/activities", "/activities/new", f"/activities/{aid}", f"/activities/{aid}/attendance"):
        assert alice.get(path).status_code == 403, path
    for path in (
        "/activities/new",
        f"/activities/{aid}/invitations",
        f"/activities/{aid}/invitations/{site.account_ids['alice']}/withdraw",
        f"/activities/{aid}/attendance",
    ):
        answer = alice.client.post(
            path,
            data={
                "csrf_token": token,
                "organisation_id": str(site.organisation_id),
                "title": "x",
                "other_name": "bob",
            },
            follow_redirects=False,
        )
        assert answer.status_code == 403, path
    assert row_counts(engine) == before


def test_another_timebanks_ids_are_not_found_and_nothing_is_written(engine: Engine) -> None:
    site = build_site(engine)
    other_tb = Caller.coordinator_of(site.other_timebank_id)
    theirs = create_activity(
        engine,
        site.other_timebank_id,
        other_tb,
        site.other_organisation_id,
        CreateActivity(
            title="Hill walk",
            held_on=utc_now().date(),
            duration_minutes=60,
            classification=ActivityClassification.VOLUNTEERING,
        ),
    )
    staff = site.logged_in("staff")
    token = staff.form(staff.get("/"), "/logout").fields["csrf_token"]
    aid = theirs.activity_id
    for path in (
        f"/activities?organisation={site.other_organisation_id}",
        f"/activities/new?organisation={site.other_organisation_id}",
        f"/activities/{aid}",
        f"/activities/{aid}/attendance",
        "/activities/999999999",
    ):
        assert staff.get(path).status_code == 404, path
    before = row_counts(engine)
    for path, data in (
        (
            "/activities/new",
            {
                "organisation_id": str(site.other_organisation_id),
                "title": "x",
                **typed_day(utc_now().date()),
                "hours": "1",
                "classification": "volunteering",
            },
        ),
        (f"/activities/{aid}/invitations", {"other_name": "bob"}),
        (f"/activities/{aid}/attendance", {}),
    ):
        answer = staff.client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert answer.status_code == 404, path
    assert row_counts(engine) == before
