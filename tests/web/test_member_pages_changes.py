"""Adding a member and changing one through the coordinators' pages, on SQLite and PostgreSQL.

A coordinator adds Dan with no login, and Erin with a login, a role, tags and limits; changes a
member's name, role and tags; and changes their limits with a reason, which the limit log keeps.
Every refusal is shown in the error summary and beside its field, with what was typed kept (never
the password), and nothing is written.
"""

from __future__ import annotations

import html
import re

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.people_calls import get_account
from tests.web.site import Site, Visitor, build_site
from tests.web.test_give_pages import main_text
from timebank.accounts.accounts import limit_changes
from timebank.people.callers import Caller
from timebank.people.members import get_member, list_members


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def whole(site: Site) -> dict[str, object]:
    return snapshot(site.engine, [site.timebank_id, site.other_timebank_id], ignore=["idempotency_keys"])


def text_of(answer: Response) -> str:
    return html.unescape(main_text(answer.text))


def assert_refused(answer: Response, field_id: str, status: int = 422) -> None:
    assert answer.status_code == status, answer.text
    assert "There is a problem" in answer.text
    assert f'href="#{field_id}"' in answer.text
    assert f'id="{field_id}-error"' in answer.text


def add(visitor: Visitor, typed: dict[str, str]) -> Response:
    return visitor.submit(visitor.get("/members/new"), "/members/new", typed)


def member_named(site: Site, name: str) -> int:
    page = list_members(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), name=name)
    (member,) = page.members
    return member.member_id


def test_adding_a_member_without_a_login(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    form = visitor.get("/members/new")
    assert form.status_code == 200 and form.text.count("<h1") == 1
    done = add(visitor, {"display_name": "  Dan Field  "})
    assert done.status_code == 303
    member_id = member_named(site, "Dan Field")
    assert done.headers["location"] == f"/members/{member_id}?done=added"
    page = visitor.get(done.headers["location"])
    text = main_text(page.text)
    assert "Dan Field was added." in text and "Logs in No." in text
    member = get_member(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), member_id)
    assert (member.username, member.roles, member.tags) == (None, ("member",), ())
    account = get_account(site.engine, site.timebank_id, member.account_id)
    assert (account.floor_minutes, account.cap_minutes) == (-600, None)


def test_adding_a_coordinator_with_tags_and_limits_then_a_code_for_a_login(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    typed = {
        "display_name": "Erin Brook",
        "coordinator": "yes",
        "tags": "staff, garden garden",
        "floor-hours": "5",
        "floor-minutes": "30",
        "cap-hours": "40",
    }
    form = visitor.get("/members/new")
    assert 'name="password"' not in form.text and 'name="username"' not in form.text
    done = add(visitor, typed)
    assert done.status_code == 303, done.text
    member_id = member_named(site, "Erin Brook")
    member = get_member(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), member_id)
    assert member.username is None and member.roles == ("member", "coordinator")
    assert member.tags == ("garden", "staff")
    account = get_account(site.engine, site.timebank_id, member.account_id)
    assert (account.floor_minutes, account.cap_minutes) == (-330, 2400)
    page = visitor.get(f"/members/{member_id}")
    text = main_text(page.text)
    assert "Role Member and coordinator" in text
    assert "Lowest balance minus 5 hours 30 minutes" in text and "Highest balance 40 hours" in text
    assert f'href="/members/{member_id}/password-code"' in page.text


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "Dan", "tags": "Uses-Services"}, "tags"),
        ({"display_name": "Dan", "floor-hours": "ten"}, "floor-hours"),
        ({"display_name": "Dan", "cap-minutes": "75"}, "cap-minutes"),
        ({"display_name": "Dan", "floor-hours": "9000"}, "floor-hours"),
        ({"display_name": "D" * 300}, "display_name"),
    ],
)
def test_adding_refusals_are_shown_beside_the_field_and_add_nobody(
    site: Site, typed: dict[str, str], field_id: str
) -> None:
    visitor = site.logged_in("coordinator")
    form = visitor.get("/members/new")
    before = whole(site)
    answer = visitor.submit(form, "/members/new", typed)
    assert_refused(answer, field_id)
    assert whole(site) == before
    if typed.get("display_name", "").strip() and len(typed["display_name"]) < 100:
        assert f'value="{typed["display_name"]}"' in answer.text


def edit(visitor: Visitor, site: Site, who: str, typed: dict[str, str]) -> Response:
    path = f"/members/{site.member_ids[who]}/edit"
    return visitor.submit(visitor.get(path), path, typed)


def test_changing_a_member_s_name_role_and_tags(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    page = visitor.get(f"/members/{site.member_ids['carol']}/edit")
    assert page.status_code == 200 and f'value="{site.names["carol"]}"' in page.text
    done = edit(
        visitor, site, "carol", {"display_name": "Carol Whyte", "coordinator": "yes", "tags": "uses_services"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/members/{site.member_ids['carol']}?done=changed"
    assert "Carol Whyte's details were changed." in text_of(visitor.get(done.headers["location"]))
    member = get_member(
        site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.member_ids["carol"]
    )
    assert (member.display_name, member.roles, member.tags) == (
        "Carol Whyte",
        ("member", "coordinator"),
        ("uses_services",),
    )
    # The form comes back filled in with what is held now; sending it unchanged changes nothing.
    again = visitor.get(f"/members/{site.member_ids['carol']}/edit")
    assert 'value="uses_services"' in again.text and "checked" in again.text
    done = edit(visitor, site, "carol", {"tags": ""})
    member = get_member(
        site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.member_ids["carol"]
    )
    assert member.tags == () and member.roles == ("member", "coordinator")


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"display_name": ""}, "display_name"),
        ({"tags": "not/a/tag"}, "tags"),
        ({"display_name": "x" * 300}, "display_name"),
    ],
)
def test_changing_refusals_change_nothing(site: Site, typed: dict[str, str], field_id: str) -> None:
    visitor = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['bob']}/edit"
    page = visitor.get(path)
    before = whole(site)
    assert_refused(visitor.submit(page, path, typed), field_id)
    assert whole(site) == before


def test_the_last_coordinator_cannot_step_down(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['coordinator']}/edit"
    page = visitor.get(path)
    before = whole(site)
    fields = dict(visitor.form(page, path).fields)
    fields.pop("coordinator")
    answer = visitor.client.post(path, data=fields, follow_redirects=False)
    assert_refused(answer, "coordinator", 409)
    assert "last coordinator" in main_text(answer.text)
    assert whole(site) == before


def limits(visitor: Visitor, site: Site, who: str, typed: dict[str, str]) -> Response:
    path = f"/members/{site.member_ids[who]}/limits"
    return visitor.submit(visitor.get(path), path, typed)


def test_changing_limits_with_a_reason_is_logged(site: Site) -> None:
    visitor = site.logged_in("coordinator")
    page = visitor.get(f"/members/{site.member_ids['carol']}/limits")
    assert page.status_code == 200
    assert re.search(r'id="floor-hours" name="floor-hours" type="text" value="10"', page.text)
    done = limits(
        visitor,
        site,
        "carol",
        {
            "floor-hours": "20",
            "cap-hours": "60",
            "cap-minutes": "30",
            "reason": "Needs more help this winter",
        },
    )
    assert done.status_code == 303
    assert "limits were changed." in main_text(visitor.get(done.headers["location"]).text)
    account = get_account(site.engine, site.timebank_id, site.account_ids["carol"])
    assert (account.floor_minutes, account.cap_minutes) == (-1200, 3630)
    (change,) = limit_changes(
        site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.account_ids["carol"]
    )
    assert change.reason == "Needs more help this winter"
    assert (change.floor_minutes_before, change.floor_minutes_after) == (-600, -1200)
    done = limits(
        visitor, site, "carol", {"cap-hours": "", "cap-minutes": "", "reason": "No highest after all"}
    )
    assert get_account(site.engine, site.timebank_id, site.account_ids["carol"]).cap_minutes is None


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"reason": ""}, "reason"),
        ({"floor-hours": "", "floor-minutes": "", "reason": "Why not"}, "floor-hours"),
        ({"floor-hours": "lots", "reason": "Why not"}, "floor-hours"),
        ({"floor-hours": "1", "reason": "Carol owes two hours"}, "floor-hours"),
        ({"floor-hours": "9000", "reason": "Why not"}, "floor-hours"),
    ],
)
def test_limit_refusals_change_nothing(site: Site, typed: dict[str, str], field_id: str) -> None:
    site.record("bob", "carol", 120, "Shopping", by="carol")
    visitor = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['carol']}/limits"
    page = visitor.get(path)
    before = whole(site)
    answer = visitor.submit(page, path, typed)
    assert_refused(answer, field_id)
    assert whole(site) == before
    if typed == {"floor-hours": "1", "reason": "Carol owes two hours"}:
        assert "balance is minus 2 hours" in main_text(answer.text)
