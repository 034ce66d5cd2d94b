"""Logging in and out on the pages: the session cookie, its flags, its end, and the login's limits.

The page logs in through the API's own use case, so the same token store and the same limits apply;
the token rides in an ``HttpOnly``, ``SameSite=Lax`` cookie, ``Secure`` over HTTPS or when told the
service stands behind it; logging out revokes the token itself, not just the cookie.
"""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.people_calls import add_organisation, create_api_key
from tests.web.site import PASSWORD, Site, Visitor, build_site
from timebank.api.app import create_app as create_api
from timebank.app import create_app
from timebank.people.access import create_admin
from timebank.people.callers import Caller
from timebank.settings import get_settings
from timebank.web.csrf import LOGIN_CSRF_COOKIE
from timebank.web.sessions import SESSION_COOKIE


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _session_cookie(answer_headers: list[str]) -> SimpleCookie:
    cookies = [value for value in answer_headers if value.startswith(f"{SESSION_COOKIE}=")]
    assert len(cookies) == 1, answer_headers
    jar: SimpleCookie = SimpleCookie()
    jar.load(cookies[0])
    return jar


def test_the_login_page_labels_its_fields_and_a_visitor_is_sent_there(site: Site) -> None:
    visitor = site.visitor()
    assert visitor.get("/").headers["location"] == "/login"
    page = visitor.get("/login")
    assert page.status_code == 200
    for label in ('for="username">', 'for="password">', ">Log in<"):
        assert label in page.text
    assert page.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


def test_logging_in_sets_a_cookie_no_script_can_read_and_no_other_site_sends(site: Site) -> None:
    visitor = site.visitor()
    answer = visitor.log_in(site.usernames["alice"])
    assert answer.status_code == 303 and answer.headers["location"] == "/"
    cookie = _session_cookie(answer.headers.get_list("set-cookie"))[SESSION_COOKIE]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "lax"
    assert cookie["path"] == "/"
    assert cookie["secure"] == ""  # plain HTTP here: a Secure cookie would never come back
    assert int(cookie["max-age"]) == get_settings().token_lifetime_minutes * 60
    assert cookie.value.startswith("tbt_")
    assert "Hello, Alice Green" in visitor.get("/").text


def test_over_https_or_behind_it_the_cookie_is_secure(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    https = Visitor(TestClient(create_app(site.engine), base_url="https://testserver"))
    answer = https.log_in(site.usernames["alice"])
    assert _session_cookie(answer.headers.get_list("set-cookie"))[SESSION_COOKIE]["secure"] is True

    monkeypatch.setenv("TIMEBANK_BEHIND_HTTPS", "true")
    get_settings.cache_clear()
    try:
        # The proxy speaks HTTP to us; the browser spoke HTTPS to it, so it sends Secure cookies back.
        visitor = site.visitor()
        page = visitor.get("/login")
        assert "Secure" in page.headers["set-cookie"]
        visitor.client.cookies.set(LOGIN_CSRF_COOKIE, visitor.form(page, "/login").fields["csrf_token"])
        answer = visitor.submit(page, "/login", {"username": site.usernames["bob"], "password": PASSWORD})
        assert _session_cookie(answer.headers.get_list("set-cookie"))[SESSION_COOKIE]["secure"] is True
    finally:
        monkeypatch.delenv("TIMEBANK_BEHIND_HTTPS")
        get_settings.cache_clear()


def test_a_wrong_password_is_refused_on_the_page_keeping_the_username(site: Site) -> None:
    visitor = site.visitor()
    answer = visitor.log_in(site.usernames["alice"], "not the password")
    assert answer.status_code == 401
    assert "There is a problem" in answer.text and "The username or password is wrong" in answer.text
    assert f'value="{site.usernames["alice"]}"' in answer.text
    assert "not the password" not in answer.text
    assert not [c for c in answer.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]


def test_empty_fields_are_named_and_nothing_is_counted(site: Site) -> None:
    visitor = site.visitor()
    before = row_counts(site.engine)
    answer = visitor.submit(visitor.get("/login"), "/login", {"username": "", "password": ""})
    assert answer.status_code == 422
    assert 'href="#username"' in answer.text and 'href="#password"' in answer.text
    assert row_counts(site.engine) == before


def test_the_login_limit_of_the_api_holds_on_the_page(site: Site) -> None:
    visitor = site.visitor()
    limit = get_settings().login_failures_per_username_max
    for _ in range(limit):
        assert visitor.log_in(site.usernames["alice"], "guess").status_code == 401
    answer = visitor.log_in(site.usernames["alice"], PASSWORD)  # even the right one, now
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) >= 1
    assert "Too many failed logins" in answer.text


def test_a_login_form_from_another_site_is_refused(site: Site) -> None:
    visitor = site.visitor()
    page = visitor.get("/login")
    fields = dict(visitor.form(page, "/login").fields, username=site.usernames["alice"], password=PASSWORD)
    forged = site.visitor().client.post("/login", data=fields, follow_redirects=False)  # no cookie
    assert forged.status_code == 403
    elsewhere = visitor.client.post(
        "/login", data=fields, headers={"Origin": "https://evil.example"}, follow_redirects=False
    )
    assert elsewhere.status_code == 403
    assert visitor.client.post("/login", data=fields, follow_redirects=False).status_code == 303


def test_logging_out_ends_the_session_and_its_token(site: Site) -> None:
    alice = site.logged_in("alice")
    token = alice.client.cookies[SESSION_COOKIE]
    answer = alice.submit(alice.get("/"), "/logout")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?ended=1"
    assert "You have logged out." in alice.get("/login?ended=1").text
    # The cookie held on to (a copy on a shared computer) opens nothing, here or in the API.
    stale = site.visitor()
    stale.client.cookies.set(SESSION_COOKIE, token)
    assert stale.get("/").headers["location"] == "/login"
    api = TestClient(create_api(site.engine))
    assert api.get("/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_logging_out_needs_the_form_s_token(site: Site) -> None:
    alice = site.logged_in("alice")
    assert alice.client.post("/logout", data={}, follow_redirects=False).status_code == 403
    assert alice.get("/").status_code == 200


def test_an_api_key_in_the_cookie_is_not_a_session(site: Site) -> None:
    system = Caller.coordinator_of(site.timebank_id)
    organisation = add_organisation(site.engine, site.timebank_id, system, "Riverside Trust")
    key = create_api_key(site.engine, site.timebank_id, system, organisation.organisation_id, "pages")
    visitor = site.visitor()
    visitor.client.cookies.set(SESSION_COOKIE, key.secret)
    assert visitor.get("/").headers["location"] == "/login"
    visitor.client.cookies.set(SESSION_COOKIE, "tbt_" + "x" * 300)
    assert visitor.get("/").headers["location"] == "/login"


def test_a_logged_in_member_asking_for_the_login_page_goes_home(site: Site) -> None:
    assert site.logged_in("alice").get("/login").headers["location"] == "/"


@pytest.fixture
def admin_visitor(site: Site) -> Iterator[Visitor]:
    create_admin(site.engine, f"admin_{site.timebank_id}", PASSWORD)
    visitor = site.visitor()
    assert visitor.log_in(f"admin_{site.timebank_id}").status_code == 303
    yield visitor


def test_a_platform_admin_is_told_the_pages_are_for_members(admin_visitor: Visitor) -> None:
    page = admin_visitor.get("/")
    assert page.status_code == 403
    assert "platform admin" in page.text
