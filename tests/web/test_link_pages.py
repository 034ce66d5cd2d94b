"""The pages a message's link opens: checking an email address, and stopping a kind of email.

Opening a link changes nothing (mail systems open links by themselves); the page's button does it.
A link that is not ours, or used up, says so in plain words and changes nothing.
"""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.apps import shared_app
from tests.notification_calls import make_street, verification_token
from tests.web.site import Visitor
from timebank.app import create_app
from timebank.notifications.addresses import read_email, set_email
from timebank.notifications.preferences import read_preferences
from timebank.notifications.requests import SetEmail


def _visitor(engine: Engine) -> Visitor:
    return Visitor(TestClient(shared_app(create_app, engine)))


def test_the_verification_link_opens_a_page_whose_button_checks_the_address(engine: Engine) -> None:
    street = make_street(engine, verified=False)
    member_id = street.member_ids["ann"]
    set_email(engine, street.timebank_id, street.member("ann"), member_id, SetEmail(email="ann@example.org"))
    token = verification_token(street.outbox("ann")[-1].body)
    visitor = _visitor(engine)

    before = snapshot(engine, [street.timebank_id])
    page = visitor.get(f"/email/verify?token={token}")
    assert page.status_code == 200 and "Check my email address" in page.text
    assert snapshot(engine, [street.timebank_id]) == before  # opening the link did nothing

    done = visitor.submit(page, "/email/verify")
    assert done.status_code == 200 and "ann@example.org" in done.text
    assert (
        read_email(engine, street.timebank_id, street.member("ann"), member_id).email_verified_at is not None
    )

    used = visitor.submit(page, "/email/verify")
    assert used.status_code == 409 and "does not work any more" in used.text
    unknown = visitor.client.post("/email/verify", data={"token": "tbv_not-ours"})
    assert unknown.status_code == 404 and "does not work" in unknown.text


def test_the_unsubscribe_link_stops_that_kind_of_email(engine: Engine) -> None:
    street = make_street(engine)
    street.give("bo", "ann")
    found = re.search(r"/notifications/unsubscribe\?token=(\S+)", street.outbox("ann")[-1].body)
    assert found is not None
    visitor = _visitor(engine)
    page = visitor.get(f"/notifications/unsubscribe?token={found.group(1)}")
    assert page.status_code == 200 and "Stop these emails" in page.text

    done = visitor.submit(page, "/notifications/unsubscribe")
    assert done.status_code == 200 and "waiting for you to confirm" in done.text
    chosen = read_preferences(engine, street.timebank_id, street.member("ann"), street.member_ids["ann"])
    assert chosen.exchange_awaiting_confirmation is False and chosen.exchange_confirmed is True

    # A mail program's one-click unsubscribe (RFC 8058) posts to the link itself.
    one_click = visitor.client.post(
        f"/notifications/unsubscribe?token={found.group(1)}", data={"List-Unsubscribe": "One-Click"}
    )
    assert one_click.status_code == 200
    forged = visitor.client.post("/notifications/unsubscribe", data={"token": found.group(1)[:-2] + "xx"})
    assert forged.status_code == 404 and "does not work" in forged.text
