"""The ways back in on pages, with no login: a code from a coordinator, a forgotten password, the link.

Every refusal shows in the error summary and beside its field, with nothing recorded but the
counted guess; the forgot page says the same whoever is named; a post without the page's own
token is refused; a login turned off says so on the login page, after the right password only.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.notification_calls import verification_token
from tests.web.site import PASSWORD, Site, build_site
from timebank.db import run
from timebank.notifications.addresses import set_email, verify_email
from timebank.notifications.requests import SetEmail, VerifyEmail
from timebank.people.callers import Caller
from timebank.people.recovery import issue_password_code, turn_login_off
from timebank.people.requests import IssuePasswordCode, TurnLoginOff

NEW_PASSWORD = "a new long password here"
# Usernames are unique across every timebank of a database many tests share: this module's own.
CAROL = f"carol.{uuid.uuid4().hex[:8]}"


def code_for(site: Site, who: str) -> str:
    system = Caller.coordinator_of(site.timebank_id)
    return issue_password_code(
        site.engine, site.timebank_id, system, site.member_ids[who], IssuePasswordCode()
    ).code


def outbox_bodies(site: Site, who: str) -> list[str]:
    member_id = site.member_ids[who]
    messages = run(
        site.engine, lambda uow: uow.notifications.messages_for(site.timebank_id, member_id), write=False
    )
    return [message.body for message in messages]


def verify(site: Site, who: str, email: str) -> None:
    system = Caller.coordinator_of(site.timebank_id)
    set_email(site.engine, site.timebank_id, system, site.member_ids[who], SetEmail(email=email))
    token = verification_token(outbox_bodies(site, who)[-1])
    verify_email(site.engine, VerifyEmail(token=token))


def without_failures(counts: dict[str, int]) -> dict[str, int]:
    return {name: rows for name, rows in counts.items() if name != "login_failures"}


def test_the_login_page_offers_both_ways_back_in(engine: Engine) -> None:
    page = build_site(engine).visitor().get("/login")
    assert 'href="/password/forgot"' in page.text
    assert 'href="/password/code"' in page.text


def test_carol_gets_a_login_with_a_code_from_a_letter(engine: Engine) -> None:
    site = build_site(engine)
    code = code_for(site, "carol")
    visitor = site.visitor()
    page = visitor.get("/password/code")

    done = visitor.submit(
        page,
        "/password/code",
        {
            "code": code.lower(),
            "username": CAROL,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )

    assert done.status_code == 200, done.text
    assert "Your password is set" in done.text and CAROL in done.text
    assert site.visitor().log_in(CAROL, NEW_PASSWORD).status_code == 303


def test_the_code_form_refuses_plainly_and_records_nothing(engine: Engine) -> None:
    site = build_site(engine)
    code = code_for(site, "carol")
    visitor = site.visitor()
    page = visitor.get("/password/code")
    before = without_failures(row_counts(engine))
    good = {
        "code": code,
        "username": CAROL + "r",
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    cases = [
        (
            {"code": "", "new_password": "", "confirm_password": ""},
            ["code", "new_password", "confirm_password"],
            422,
        ),
        ({"confirm_password": "something else entirely"}, ["confirm_password"], 422),
        ({"code": "0000-0000-0000"}, ["code"], 404),
        ({"username": ""}, ["username"], 422),
        ({"username": "No Spaces Allowed"}, ["username"], 422),
        ({"username": site.usernames["alice"]}, ["username"], 409),
        ({"new_password": "short", "confirm_password": "short"}, ["new_password"], 422),
    ]

    for typed, fields, status in cases:
        answer = visitor.submit(page, "/password/code", good | typed)
        assert answer.status_code == status, (typed, answer.status_code)
        assert "There is a problem" in answer.text
        for field_id in fields:
            assert f'href="#{field_id}"' in answer.text, (typed, field_id)
        assert NEW_PASSWORD not in answer.text  # a password is never put back
        assert (good | typed)["code"] in answer.text  # what was typed is kept

    assert without_failures(row_counts(engine)) == before


def test_a_used_code_says_so_beside_the_code(engine: Engine) -> None:
    site = build_site(engine)
    code = code_for(site, "alice")
    visitor = site.visitor()
    page = visitor.get("/password/code")
    typed = {"code": code, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    first = visitor.submit(page, "/password/code", typed)
    again = visitor.submit(page, "/password/code", typed)

    assert first.status_code == 200 and site.usernames["alice"] in first.text
    assert again.status_code == 409
    assert "used already" in again.text


def test_forgot_says_the_same_whoever_is_named_and_the_link_works_once(engine: Engine) -> None:
    site = build_site(engine)
    verify(site, "alice", "alice@riverside.example")
    visitor = site.visitor()

    def ask(name: str) -> str:
        answer = visitor.submit(
            visitor.get("/password/forgot"), "/password/forgot", {"username_or_email": name}
        )
        assert answer.status_code == 200
        return re.sub(r'name="csrf_token" value="[^"]+"', "", answer.text)

    answers = {ask(name) for name in ("alice@riverside.example", site.usernames["bob"], "nobody_at_all")}
    assert len(answers) == 1 and "Check your email" in answers.pop()

    link = re.search(r"/password/reset\?token=(\S+)", outbox_bodies(site, "alice")[-1])
    assert link is not None
    form = visitor.get(f"/password/reset?token={link.group(1)}")
    typed = {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    done = visitor.submit(form, "/password/reset", typed)
    again = visitor.submit(form, "/password/reset", typed)

    assert done.status_code == 200 and site.usernames["alice"] in done.text
    assert again.status_code == 409 and "This link does not work" in again.text
    assert site.visitor().log_in(site.usernames["alice"], NEW_PASSWORD).status_code == 303


def test_forgot_refuses_an_empty_box_and_a_bad_link_is_a_page(engine: Engine) -> None:
    site = build_site(engine)
    visitor = site.visitor()
    empty = visitor.submit(visitor.get("/password/forgot"), "/password/forgot", {"username_or_email": " "})
    form = visitor.get("/password/reset?token=tbr_not_one_of_ours")
    mismatch = visitor.submit(
        form, "/password/reset", {"new_password": NEW_PASSWORD, "confirm_password": "x"}
    )
    unknown = visitor.submit(
        form, "/password/reset", {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )

    assert empty.status_code == 422 and 'href="#username_or_email"' in empty.text
    assert mismatch.status_code == 422 and 'href="#confirm_password"' in mismatch.text
    assert unknown.status_code == 404 and "This link does not work" in unknown.text


def test_a_post_without_the_pages_own_token_is_refused(engine: Engine) -> None:
    site = build_site(engine)
    code = code_for(site, "carol")
    before = row_counts(engine)
    forged = site.visitor().client.post(
        "/password/code",
        data={
            "code": code,
            "username": "mallory",
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert row_counts(engine) == before


def test_a_login_turned_off_says_so_only_after_the_right_password(engine: Engine) -> None:
    site = build_site(engine)
    session = site.logged_in("bob")
    system = Caller.coordinator_of(site.timebank_id)
    turn_login_off(engine, site.timebank_id, system, site.member_ids["bob"], TurnLoginOff(reason="Away"))

    ended = session.get("/")
    right = site.visitor().log_in(site.usernames["bob"], PASSWORD)
    wrong = site.visitor().log_in(site.usernames["bob"], "not the password at all")

    assert ended.status_code == 303 and ended.headers["location"] == "/login"
    assert right.status_code == 403 and "turned off" in right.text
    assert wrong.status_code == 401 and "turned off" not in wrong.text
