"""Changing your password on a page: the session in use goes on, every other one ends.

The change is made through the page and checked through the use cases: the new password logs in,
the old one does not. Each refusal (a wrong current password, new passwords that differ, one too
short) is shown in the error summary, linked to its field, with no password put back in a box and
the password unchanged. A wrong current password counts as a failed login. A post without the CSRF
token is refused, a busy server answers a plain 503 page, and a visitor with no session is sent to
log in.
"""

from __future__ import annotations

import re

import pytest
from httpx import Response
from sqlalchemy import Engine, select

from tests.busy_slots import every_slot_taken
from tests.web.site import PASSWORD, Site, Visitor, build_site
from timebank.busy import password_hashing
from timebank.db.people_tables import logins
from timebank.people.access import log_in
from timebank.people.errors import CredentialsInvalid, LoginAttemptsExceeded
from timebank.settings import get_settings

NEW_PASSWORD = "a kettle on the hill"


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def password_hash(site: Site, who: str) -> str:
    with site.engine.connect() as connection:
        found = connection.execute(
            select(logins.c.password_hash).where(logins.c.username == site.usernames[who])
        ).scalar_one()
    return str(found)


def change(visitor: Visitor, current: str, new: str, again: str | None = None) -> Response:
    page = visitor.get("/password")
    typed = {
        "current_password": current,
        "new_password": new,
        "confirm_password": new if again is None else again,
    }
    return visitor.submit(page, "/password", typed)


def assert_refused_on(answer: Response, field_id: str, message: str, *typed: str) -> None:
    assert answer.status_code == 422, answer.text
    assert "There is a problem" in answer.text
    assert f'href="#{field_id}"' in answer.text
    assert message in answer.text
    assert f'id="{field_id}-error"' in answer.text
    for password in typed:
        assert password not in answer.text, "a password is never put back into the page"


def test_the_page_asks_for_the_current_password_and_the_new_one_twice(site: Site) -> None:
    page = site.logged_in("alice").get("/password")

    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "Change your password" in page.text
    labels = {"current_password": "Current password", "new_password": "New password"}
    labels["confirm_password"] = "Confirm new password"
    for field_id, label in labels.items():
        assert re.search(rf'for="{field_id}">\s*{label}\s*</label>', page.text), label
    assert page.text.count('type="password"') == 3
    assert 'data-module="govuk-password-input"' in page.text
    assert "Use 8 to 200 characters" in page.text
    assert 'aria-current="page"' in page.text and 'href="/password"' in page.text


def test_a_member_changes_the_password_and_logs_in_with_the_new_one(site: Site) -> None:
    alice = site.logged_in("alice")

    answer = change(alice, PASSWORD, NEW_PASSWORD)

    assert answer.status_code == 303
    assert answer.headers["location"] == "/password/changed"
    changed = alice.get("/password/changed")
    assert changed.status_code == 200
    assert "Your password has changed" in changed.text
    assert "logged you out everywhere else" in changed.text
    assert log_in(site.engine, site.usernames["alice"], NEW_PASSWORD).token_type == "bearer"
    with pytest.raises(CredentialsInvalid):
        log_in(site.engine, site.usernames["alice"], PASSWORD)


def test_the_session_in_use_goes_on_and_every_other_session_ends(site: Site) -> None:
    here = site.logged_in("alice")
    elsewhere = site.logged_in("alice")
    assert elsewhere.get("/").status_code == 200

    assert change(here, PASSWORD, NEW_PASSWORD).status_code == 303

    assert here.get("/").status_code == 200
    sent_away = elsewhere.get("/")
    assert sent_away.status_code == 303
    assert sent_away.headers["location"] == "/login"
    assert site.logged_in("bob").get("/").status_code == 200  # another member's session is untouched


def test_a_wrong_current_password_is_shown_on_its_field_and_changes_nothing(site: Site) -> None:
    alice = site.logged_in("alice")
    before = password_hash(site, "alice")

    answer = change(alice, "not my password", NEW_PASSWORD)

    assert_refused_on(
        answer, "current_password", "Your current password is wrong", "not my password", NEW_PASSWORD
    )
    assert password_hash(site, "alice") == before
    assert alice.get("/").status_code == 200  # a wrong guess does not end the session


def test_wrong_current_passwords_count_as_failed_logins(site: Site) -> None:
    alice = site.logged_in("alice")
    for _ in range(get_settings().login_failures_per_username_max):
        assert change(alice, "a wrong guess", NEW_PASSWORD).status_code == 422

    refused = change(alice, PASSWORD, NEW_PASSWORD)

    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert 'href="#current_password"' in refused.text
    assert "Too many failed logins" in refused.text
    with pytest.raises(LoginAttemptsExceeded):
        log_in(site.engine, site.usernames["alice"], PASSWORD)


def test_new_passwords_that_do_not_match_are_refused_on_the_page(site: Site) -> None:
    alice = site.logged_in("alice")
    before = password_hash(site, "alice")

    answer = change(alice, PASSWORD, NEW_PASSWORD, again="a kettle on the hills")

    assert_refused_on(
        answer,
        "confirm_password",
        "The new passwords do not match",
        PASSWORD,
        NEW_PASSWORD,
        "a kettle on the hills",
    )
    assert password_hash(site, "alice") == before


def test_a_new_password_too_short_is_refused_on_its_field(site: Site) -> None:
    alice = site.logged_in("alice")
    before = password_hash(site, "alice")

    answer = change(alice, PASSWORD, "kettle")

    assert_refused_on(answer, "new_password", "must be 8 characters or more", PASSWORD)
    assert 'value="kettle"' not in answer.text
    assert password_hash(site, "alice") == before


def test_empty_boxes_are_each_named_in_the_error_summary(site: Site) -> None:
    alice = site.logged_in("alice")

    answer = change(alice, "", "", again="")

    assert answer.status_code == 422
    for field_id in ("current_password", "new_password", "confirm_password"):
        assert f'href="#{field_id}"' in answer.text
    assert "Enter your current password" in answer.text
    assert "Enter a new password" in answer.text


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site: Site) -> None:
    alice = site.logged_in("alice")
    before = password_hash(site, "alice")
    typed = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    answer = alice.client.post("/password", data=typed, follow_redirects=False)

    assert answer.status_code == 403
    assert password_hash(site, "alice") == before
    assert log_in(site.engine, site.usernames["alice"], PASSWORD).token_type == "bearer"


def test_a_busy_server_answers_a_plain_503_page_and_changes_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "busy_wait_milliseconds_max", 50)
    alice = site.logged_in("alice")
    page = alice.get("/password")
    before = password_hash(site, "alice")
    typed = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    with every_slot_taken(password_hashing()):
        answer = alice.submit(page, "/password", typed)

    assert answer.status_code == 503, answer.text
    assert "text/html" in answer.headers["content-type"]
    assert "Nothing was recorded" in answer.text
    assert password_hash(site, "alice") == before
    assert password_hashing().in_use == 0


def test_a_visitor_with_no_session_is_sent_to_log_in(site: Site) -> None:
    visitor = site.visitor()
    for answer in (
        visitor.get("/password"),
        visitor.get("/password/changed"),
        visitor.client.post("/password", data={"current_password": PASSWORD}, follow_redirects=False),
    ):
        assert answer.status_code == 303
        assert answer.headers["location"] == "/login"
