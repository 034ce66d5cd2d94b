"""Being told: the outbox written with the event, addresses verified by a link, preferences.

On SQLite and PostgreSQL, through the use cases: a pending exchange queues one message for each
member it waits for, in the same transaction (a rollback queues nothing; the same event twice
queues one); a confirmation or a refusal tells the member who recorded it; only verified
addresses are written to, and only the kinds a member wants; verification links are single-use
and expire; unsubscribe links are signed; reminders come once before expiry. Delivery is in
``test_notification_delivery.py``.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from tests.notification_calls import Street, make_street, verification_token
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.notification_tables import email_verifications, notification_outbox
from timebank.db.tables import exchanges
from timebank.exchanges import lifecycle
from timebank.notifications import (
    NotificationKind,
    queue_expiry_reminders,
    read_email,
    read_preferences,
    set_email,
    set_preferences,
    unsubscribe,
    verify_email,
)
from timebank.notifications.errors import (
    NotificationKindRequired,
    UnsubscribeTokenInvalid,
    VerificationTokenExpired,
    VerificationTokenUnknown,
    VerificationTokenUsed,
)
from timebank.notifications.kinds import CHOOSABLE_KINDS
from timebank.notifications.notices import tell_password_changed
from timebank.notifications.outbox import tell_exchange_recorded
from timebank.notifications.requests import ChoosePreferences, SetEmail, Unsubscribe, VerifyEmail
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.members import directory, get_member

# Words a message must never use for credits, nor anything of money or benefits (B1, B4, B8).
FORBIDDEN = re.compile(r"\b(pay|paid|wages?|earn\w*|£|pounds?|benefits?|universal credit)\b", re.IGNORECASE)


def kinds(street: Street, name: str) -> list[str]:
    return [message.kind for message in street.outbox(name)]


def counts(engine: Engine, timebank_id: int) -> tuple[int, int]:
    def read(uow):  # type: ignore[no-untyped-def]
        messages = uow.connection.execute(
            select(func.count())
            .select_from(notification_outbox)
            .where(notification_outbox.c.timebank_id == timebank_id)
        ).scalar_one()
        recorded = uow.connection.execute(
            select(func.count()).select_from(exchanges).where(exchanges.c.timebank_id == timebank_id)
        ).scalar_one()
        return messages, recorded

    return run(engine, read, write=False)


def test_a_pending_exchange_tells_the_receiver_once_in_plain_words(engine: Engine) -> None:
    street = make_street(engine)

    street.give("bo", "ann", 90)

    assert kinds(street, "ann") == ["email_verification", "exchange_awaiting_confirmation"]
    assert kinds(street, "bo") == ["email_verification"]
    message = street.outbox("ann")[-1]
    assert message.to_address == street.address("ann")
    assert message.subject == "Bo recorded help they gave you. Please confirm it"
    assert "Hello Ann" in message.body
    assert '"Gardening" on 3 March 2026, 1 hour 30 minutes' in message.body
    assert "/notifications/unsubscribe?token=" in message.body
    assert not FORBIDDEN.search(message.subject + message.body)
    assert not message.is_security


def test_a_rolled_back_exchange_queues_nothing(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    street = make_street(engine)
    before = counts(engine, street.timebank_id)

    class Broken:
        @staticmethod
        def of(*_: object) -> None:
            raise RuntimeError("the write fails after the message was queued")

    # The message is queued, then the use case fails before it commits.
    monkeypatch.setattr(lifecycle, "ExchangeView", Broken)
    with pytest.raises(RuntimeError):
        street.give("bo", "ann")

    assert counts(engine, street.timebank_id) == before


def test_the_same_event_told_twice_queues_one_message(engine: Engine) -> None:
    street = make_street(engine)
    exchange = street.give("bo", "ann", idempotency_key="once")
    street.give("bo", "ann", idempotency_key="once")  # a replay

    def tell_again(uow):  # type: ignore[no-untyped-def]
        timebank = uow.timebanks.get(street.timebank_id)
        record = uow.exchanges.get(street.timebank_id, exchange.exchange_id)
        queued = tell_exchange_recorded(uow, timebank, record, utc_now())
        uow.commit()
        return queued

    assert run(engine, tell_again) == 0
    assert kinds(street, "ann").count("exchange_awaiting_confirmation") == 1


def test_an_unverified_address_is_sent_nothing_but_its_verification(engine: Engine) -> None:
    street = make_street(engine, verified=False)
    set_email(
        engine,
        street.timebank_id,
        street.member("ann"),
        street.member_ids["ann"],
        SetEmail(email="a@x.example"),
    )

    street.give("bo", "ann")

    assert kinds(street, "ann") == ["email_verification"]
    assert street.outbox("ann")[0].is_security
    assert "unsubscribe" not in street.outbox("ann")[0].body


def test_confirming_and_declining_tell_the_member_who_recorded_it(engine: Engine) -> None:
    street = make_street(engine)
    first = street.give("bo", "ann")
    second = street.give("bo", "cy")

    lifecycle.confirm_exchange(engine, street.timebank_id, street.member("ann"), first.exchange_id)
    lifecycle.decline_exchange(engine, street.timebank_id, street.member("cy"), second.exchange_id)

    told = {message.kind: message for message in street.outbox("bo")}
    assert told["exchange_confirmed"].subject == "Ann confirmed the exchange you recorded"
    assert told["exchange_declined"].subject == "Cy declined the exchange you recorded"
    assert kinds(street, "ann") == ["email_verification", "exchange_awaiting_confirmation"]
    for message in told.values():
        assert not FORBIDDEN.search(message.subject + message.body)


def test_a_kind_switched_off_is_not_queued_and_security_stays_on(engine: Engine) -> None:
    street = make_street(engine)
    ann = street.member_ids["ann"]
    chosen = set_preferences(
        engine,
        street.timebank_id,
        street.member("ann"),
        ann,
        ChoosePreferences(exchange_awaiting_confirmation=False),
    )

    street.give("bo", "ann")

    assert not chosen.exchange_awaiting_confirmation
    assert chosen.exchange_confirmed
    assert set(chosen.always_sent) == {
        NotificationKind.EMAIL_VERIFICATION,
        NotificationKind.PASSWORD_CODE,
        NotificationKind.PASSWORD_RESET,
        NotificationKind.PASSWORD_CHANGED,
        NotificationKind.EMAIL_CHANGED,
    }
    assert kinds(street, "ann") == ["email_verification"]
    assert read_preferences(engine, street.timebank_id, street.coordinator, ann) == chosen
    with pytest.raises(SelfOrCoordinatorRequired):
        read_preferences(engine, street.timebank_id, street.member("bo"), ann)


def test_unsubscribing_by_the_link_stops_that_kind_only(engine: Engine) -> None:
    street = make_street(engine)
    street.give("bo", "ann")
    token = re.search(r"token=(\S+)", street.outbox("ann")[-1].body).group(1)  # type: ignore[union-attr]

    answer = unsubscribe(engine, Unsubscribe(token=token))
    again = unsubscribe(engine, Unsubscribe(token=token))

    assert answer.kind == again.kind == NotificationKind.EXCHANGE_AWAITING_CONFIRMATION
    mine = read_preferences(engine, street.timebank_id, street.member("ann"), street.member_ids["ann"])
    assert (mine.exchange_awaiting_confirmation, mine.exchange_confirmed) == (False, True)


def test_an_unsubscribe_token_that_does_not_verify_is_refused_changing_nothing(engine: Engine) -> None:
    street = make_street(engine)
    street.give("bo", "ann")
    token = re.search(r"token=(\S+)", street.outbox("ann")[-1].body).group(1)  # type: ignore[union-attr]
    member, kind, signature = token.split(".")
    forged = [
        f"{member}.{kind}.{'0' * 32}",
        f"{street.member_ids['bo']}.{kind}.{signature}",
        f"{member}.email_verification.{signature}",
        "nonsense",
    ]
    for bad in forged:
        with pytest.raises(UnsubscribeTokenInvalid):
            unsubscribe(engine, Unsubscribe(token=bad))
    assert read_preferences(
        engine, street.timebank_id, street.member("ann"), street.member_ids["ann"]
    ).exchange_awaiting_confirmation


def test_a_verification_link_works_once(engine: Engine) -> None:
    street = make_street(engine, verified=False)
    ann = street.member_ids["ann"]
    view = set_email(engine, street.timebank_id, street.coordinator, ann, SetEmail(email="Ann@Example.org"))
    token = verification_token(street.outbox("ann")[-1].body)

    assert (view.email, view.verified, view.verification_sent) == ("Ann@Example.org", False, True)
    verified = verify_email(engine, VerifyEmail(token=token))
    with pytest.raises(VerificationTokenUsed):
        verify_email(engine, VerifyEmail(token=token))
    with pytest.raises(VerificationTokenUnknown):
        verify_email(engine, VerifyEmail(token=token + "x"))

    assert verified.email == "Ann@Example.org"
    assert read_email(engine, street.timebank_id, street.member("ann"), ann).verified


def test_a_new_address_voids_the_old_link_and_an_expired_link_is_refused(engine: Engine) -> None:
    street = make_street(engine, verified=False)
    ann, me = street.member_ids["ann"], street.member("ann")
    set_email(engine, street.timebank_id, me, ann, SetEmail(email="old@x.example"))
    old = verification_token(street.outbox("ann")[-1].body)
    set_email(engine, street.timebank_id, me, ann, SetEmail(email="new@x.example"))
    new = verification_token(street.outbox("ann")[-1].body)

    with pytest.raises(VerificationTokenUsed):
        verify_email(engine, VerifyEmail(token=old))

    def expire(uow):  # type: ignore[no-untyped-def]
        uow.connection.execute(
            email_verifications.update()
            .where(email_verifications.c.member_id == ann)
            .values(created_at=utc_now() - timedelta(days=3), expires_at=utc_now() - timedelta(seconds=1))
        )
        uow.commit()

    run(engine, expire)
    with pytest.raises(VerificationTokenExpired):
        verify_email(engine, VerifyEmail(token=new))
    view = read_email(engine, street.timebank_id, me, ann)
    assert (view.email, view.verified) == ("new@x.example", False)


def test_an_address_is_seen_by_the_member_and_coordinators_only(engine: Engine) -> None:
    street = make_street(engine)
    ann = street.member_ids["ann"]

    assert read_email(engine, street.timebank_id, street.coordinator, ann).email == street.address("ann")
    with pytest.raises(SelfOrCoordinatorRequired):
        read_email(engine, street.timebank_id, street.member("bo"), ann)
    with pytest.raises(SelfOrCoordinatorRequired):
        set_email(engine, street.timebank_id, street.member("bo"), ann, SetEmail(email="x@y.example"))
    seen = str(get_member(engine, street.timebank_id, street.coordinator, ann).model_dump())
    seen += str(directory(engine, street.timebank_id, street.member("bo")).model_dump())
    assert street.domain not in seen


def test_a_reminder_is_queued_once_a_day_before_expiry(engine: Engine) -> None:
    street = make_street(engine)
    exchange = street.give("bo", "ann")
    created = run(
        engine,
        lambda uow: uow.exchanges.get(street.timebank_id, exchange.exchange_id).created_at,
        write=False,
    )

    early = queue_expiry_reminders(engine, street.timebank_id, created + timedelta(days=12))
    due = queue_expiry_reminders(engine, street.timebank_id, created + timedelta(days=13, hours=1))
    again = queue_expiry_reminders(engine, street.timebank_id, created + timedelta(days=13, hours=2))
    late = queue_expiry_reminders(engine, street.timebank_id, created + timedelta(days=15))

    assert (early, due, again, late) == (0, 1, 0, 0)
    reminder = street.outbox("ann")[-1]
    assert reminder.kind == "exchange_expiry_reminder"
    assert "still waiting for you" in reminder.body


def test_a_choice_of_no_kind_at_all_is_refused_and_writes_nothing(engine: Engine) -> None:
    street = make_street(engine, verified=False)
    ann = street.member_ids["ann"]

    with pytest.raises(NotificationKindRequired):
        set_preferences(engine, street.timebank_id, street.member("ann"), ann, ChoosePreferences())

    assert run(engine, lambda uow: uow.notifications.preferences(ann), write=False) is None


def test_a_checked_address_changed_or_removed_is_told_so_and_an_unchecked_one_is_not(engine: Engine) -> None:
    """The notice goes to the address checked before the change, so a login taken over cannot move
    the address away unseen; it names no new address, and cannot be switched off."""
    street = make_street(engine)
    ann, me = street.member_ids["ann"], street.member("ann")
    old_address = street.address("ann")
    set_preferences(
        engine, street.timebank_id, me, ann, ChoosePreferences(**dict.fromkeys(CHOOSABLE_KINDS, False))
    )

    set_email(engine, street.timebank_id, street.coordinator, ann, SetEmail(email="ann.new@x.example"))
    changed = street.outbox("ann")[-2:]
    # The new address is not checked yet: changing it again tells nobody.
    set_email(engine, street.timebank_id, me, ann, SetEmail(email="ann.newer@x.example"))
    street.verify("ann", "ann.newest@x.example")
    set_email(engine, street.timebank_id, me, ann, SetEmail(email=None))
    outbox = street.outbox("ann")

    notice, verification = sorted(changed, key=lambda m: m.kind)
    assert (notice.kind, notice.to_address, notice.is_security) == ("email_changed", old_address, True)
    assert "changed on your account" in notice.body and "ann.new@" not in notice.body
    assert "unsubscribe" not in notice.body
    assert verification.to_address == "ann.new@x.example"
    told = [(m.to_address, "removed from" in m.body) for m in outbox if m.kind == "email_changed"]
    assert told == [(old_address, False), ("ann.newest@x.example", True)]


def test_changing_a_password_tells_the_checked_address(engine: Engine) -> None:
    street = make_street(engine)
    ann = street.member_ids["ann"]

    def change(uow):  # type: ignore[no-untyped-def]
        told = tell_password_changed(uow, street.timebank_id, ann, "with a reset link", utc_now())
        uow.commit()
        return told

    assert run(engine, change)
    notice = street.outbox("ann")[-1]
    assert (notice.kind, notice.to_address, notice.is_security) == (
        "password_changed",
        street.address("ann"),
        True,
    )
    assert "was changed with a reset link" in notice.body and "contact a coordinator" in notice.body
