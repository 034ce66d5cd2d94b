"""A coordinator gives a member a way in on the pages: a code as a letter, a login turned off and on.

On both databases: the letter shows a code that works (and the username, or that they choose one);
email is offered only for a checked address; a login turned off ends the member's sessions; every
refusal is shown beside its field with nothing recorded; members and staff get 403, and another
timebank's member 404.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.web.site import build_site
from timebank.people.recovery import use_password_code
from timebank.people.requests import UsePasswordCode

NEW_PASSWORD = "a new long password here"
# Usernames are unique across every timebank of a database many tests share: this module's own.
CAROL = f"carol.{uuid.uuid4().hex[:8]}"
CODE = re.compile(r"\b([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})\b")


def test_a_letter_for_carol_holds_a_code_that_gives_her_a_login(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    page = cora.get(f"/members/{site.member_ids['carol']}/password-code")
    assert "has no login yet" in page.text
    assert 'value="email"' not in page.text  # no checked address: a letter only

    letter = cora.submit(page, f"/members/{site.member_ids['carol']}/password-code", {"how": "letter"})

    assert letter.status_code == 200
    assert "Choose a username" in letter.text and "/password/code" in letter.text
    found = CODE.search(letter.text)
    assert found is not None
    done = use_password_code(
        engine, UsePasswordCode(code=found.group(1), username=CAROL, new_password=NEW_PASSWORD)
    )
    assert done.username == CAROL


def test_a_letter_for_bob_names_his_username(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['bob']}/password-code"
    letter = cora.submit(cora.get(path), path, {"how": "letter"})
    assert site.usernames["bob"] in letter.text and "Leave the username box empty" in letter.text


def test_making_a_code_refuses_without_a_choice_or_an_address(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['bob']}/password-code"
    page = cora.get(path)
    before = row_counts(engine)

    nothing = cora.submit(page, path)
    no_address = cora.submit(page, path, {"how": "email"})

    assert nothing.status_code == 422 and 'href="#how"' in nothing.text
    assert no_address.status_code == 409 and "no checked email address" in no_address.text
    assert row_counts(engine) == before


def test_a_login_turned_off_and_on_again(engine: Engine) -> None:
    site = build_site(engine)
    bob = site.logged_in("bob")
    cora = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['bob']}/login"
    page = cora.get(path)
    before = row_counts(engine)

    no_reason = cora.submit(page, path, {"reason": " "})
    assert no_reason.status_code == 422 and 'href="#reason"' in no_reason.text
    assert row_counts(engine) == before

    off = cora.submit(page, path, {"reason": "Lost their phone"})
    shown = cora.get(off.headers["location"])
    assert "The login is turned off" in shown.text
    assert bob.get("/").status_code == 303  # his session ended
    on = cora.submit(shown, path, {"reason": "Found it"})
    assert "The login is turned on again" in cora.get(on.headers["location"]).text
    assert site.visitor().log_in(site.usernames["bob"]).status_code == 303


def test_a_coordinator_cannot_turn_off_their_own_login(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    path = f"/members/{site.member_ids['coordinator']}/login"
    before = row_counts(engine)
    refused = cora.submit(cora.get(path), path, {"reason": "Testing"})
    assert refused.status_code == 409 and "cannot turn off your own login" in refused.text
    assert row_counts(engine) == before
    assert cora.get("/").status_code == 200


def test_a_member_without_a_login_is_offered_a_code(engine: Engine) -> None:
    site = build_site(engine)
    page = site.logged_in("coordinator").get(f"/members/{site.member_ids['carol']}/login")
    assert "has no login" in page.text and "password-code" in page.text
