"""A member's email address and messages on the page ``/email``, on both databases.

The address is set (a link is sent, the page says it waits), checked by the link, changed and
removed; the choices of messages are saved, ticked or not; a bad address is refused beside its
box with nothing recorded.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.notification_calls import verification_token
from tests.web.site import Site, build_site
from timebank.db import run
from timebank.notifications.addresses import read_email, verify_email
from timebank.notifications.preferences import read_preferences
from timebank.notifications.requests import VerifyEmail
from timebank.people.callers import Caller


def outbox_bodies(site: Site, who: str) -> list[str]:
    member_id = site.member_ids[who]
    messages = run(
        site.engine, lambda uow: uow.notifications.messages_for(site.timebank_id, member_id), write=False
    )
    return [message.body for message in messages]


def email_of(site: Site, who: str):  # type: ignore[no-untyped-def]
    system = Caller.coordinator_of(site.timebank_id)
    return read_email(site.engine, site.timebank_id, system, site.member_ids[who])


def test_alice_gives_checks_and_removes_her_address(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    page = alice.get("/email")
    assert "You have not given us an email address" in page.text

    saved = alice.submit(page, "/email", {"email": "alice@riverside.example"})
    waiting = alice.get(saved.headers["location"])
    verify_email(engine, VerifyEmail(token=verification_token(outbox_bodies(site, "alice")[-1])))
    checked = alice.get("/email")
    removed = alice.submit(checked, "/email/remove")

    assert saved.status_code == 303
    assert "We sent a link to your new email address" in waiting.text
    assert "Open it to check the address is yours" in waiting.text
    assert "You checked it is yours" in checked.text
    assert removed.status_code == 303
    assert email_of(site, "alice").email is None


def test_a_bad_address_is_refused_beside_its_box_and_nothing_is_recorded(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    page = alice.get("/email")
    before = row_counts(engine)

    for typed in ("", "not an address", "a@" + "b" * 300 + ".example"):
        answer = alice.submit(page, "/email", {"email": typed})
        assert answer.status_code == 422, typed
        assert 'href="#email"' in answer.text
        assert typed[:254] in answer.text

    assert row_counts(engine) == before


def test_alice_chooses_her_messages(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    page = alice.get("/email")
    assert page.text.count('value="yes" checked') == 5  # every kind, to begin with

    fields = alice.form(page, "/email/messages").fields
    fields = {name: value for name, value in fields.items() if name != "kind-exchange_confirmed"}
    answer = alice.client.post("/email/messages", data=fields, follow_redirects=False)
    after = alice.get(answer.headers["location"])

    system = Caller.coordinator_of(site.timebank_id)
    chosen = read_preferences(engine, site.timebank_id, system, site.member_ids["alice"])
    assert answer.status_code == 303 and "Your choices are saved" in after.text
    assert chosen.exchange_confirmed is False
    assert (
        chosen.exchange_awaiting_confirmation and chosen.exchange_declined and chosen.exchange_expiry_reminder
    )
    assert chosen.member_message
    assert after.text.count('value="yes" checked') == 4


def test_each_member_sees_only_their_own_address(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")
    alice.submit(alice.get("/email"), "/email", {"email": "alice@riverside.example"})
    assert "alice@riverside.example" not in site.logged_in("bob").get("/email").text
