"""Queueing a message, inside the transaction of the event it tells of.

A use case that makes something happen a member should hear about calls one of these with its own
unit of work, before it commits. The message is a row of the outbox, so it shares the event's
fate: a write that rolls back queues nothing, and a committed one has its message waiting however
long the mail server is away. ``UNIQUE (member_id, kind, event_key)`` makes queueing idempotent:
the same event told twice to one member queues one message.

Who is told what:

- an exchange recorded and waiting: each member whose confirmation it waits for;
- an exchange confirmed (its last confirmation) or declined: the member who recorded it;
- a pending exchange about to expire: each member it still waits for
  (``timebank.notifications.reminders``);
- an address set: that address, with its verification link (``timebank.notifications.addresses``).

A member is told about exchanges only at a verified address and only the kinds they want; an
organisation's account has no member to tell. Nobody is told about what they did themselves.
"""

from __future__ import annotations

from datetime import datetime

from timebank.db.repositories import Recipient, TimebankSettings
from timebank.db.unit_of_work import UnitOfWork
from timebank.ledger.types import ExchangeRecord
from timebank.notifications import messages
from timebank.notifications.keys import preferences_of, unsubscribe_token
from timebank.notifications.kinds import SECURITY_KINDS, NotificationKind
from timebank.settings import get_settings

__all__ = ["queue_message", "site_url", "tell_exchange_answered", "tell_exchange_recorded"]


def site_url() -> str:
    return get_settings().public_url.rstrip("/")


def queue_message(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    recipient: Recipient,
    kind: NotificationKind,
    event_key: str,
    composed: messages.Composed,
    now: datetime,
    *,
    to_address: str | None = None,
) -> bool:
    """Queue one message for one member; False when nothing was queued (and why is no error).

    Nothing is queued for a member without a verified address (unless the message is the one that
    verifies ``to_address``), for a kind they switched off, or twice for one event.
    """
    is_security = kind in SECURITY_KINDS
    if to_address is None:
        if recipient.email is None or recipient.email_verified_at is None:
            return False
        to_address = recipient.email
    else:
        assert is_security, "only a message about security goes to an address not yet verified"
    if not is_security:
        preferences = preferences_of(uow, timebank.timebank_id, recipient.member_id, now)
        if kind in preferences.muted_kinds:
            return False
        token = unsubscribe_token(preferences.unsubscribe_key, recipient.member_id, kind)
        link = f"{site_url()}/notifications/unsubscribe?token={token}"
        composed = messages.with_unsubscribe(composed, timebank.name, link)
    return uow.notifications.queue(
        timebank.timebank_id,
        recipient.member_id,
        kind,
        event_key,
        to_address,
        composed.subject,
        composed.body,
        is_security,
        now,
    )


def _event_key(exchange: ExchangeRecord) -> str:
    return f"exchange:{exchange.exchange_id}"


def tell_exchange_recorded(
    uow: UnitOfWork, timebank: TimebankSettings, exchange: ExchangeRecord, now: datetime
) -> int:
    """Tell each member an exchange waits for that it does; how many messages were queued."""
    awaiting = sorted(exchange.awaiting_consent_from)
    recipients = uow.notifications.recipients_of_accounts(timebank.timebank_id, awaiting)
    names = uow.notifications.account_names(timebank.timebank_id, [exchange.giver_account_id])
    minutes = {share.account_id: share.minutes for share in exchange.receivers}
    queued = 0
    for account_id in awaiting:
        recipient = recipients.get(account_id)
        if recipient is None or account_id == exchange.recorded_by_account_id:
            continue
        # A receiver is asked about their own share; a giver asked to confirm, about the whole.
        share = minutes.get(account_id, sum(minutes.values()))
        composed = messages.awaiting_confirmation(
            recipient.display_name,
            names[exchange.giver_account_id],
            exchange.description,
            exchange.activity_date,
            share,
            timebank.pending_expiry_days,
            site_url(),
        )
        kind = NotificationKind.EXCHANGE_AWAITING_CONFIRMATION
        queued += queue_message(uow, timebank, recipient, kind, _event_key(exchange), composed, now)
    return queued


def tell_exchange_answered(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    exchange: ExchangeRecord,
    answered_by_account_id: int | None,
    confirmed: bool,
    now: datetime,
) -> bool:
    """Tell the member who recorded an exchange that it was confirmed, or declined."""
    recorder = exchange.recorded_by_account_id
    if recorder is None or recorder == answered_by_account_id:
        return False
    recipient = uow.notifications.recipients_of_accounts(timebank.timebank_id, [recorder]).get(recorder)
    if recipient is None:
        return False
    named = [answered_by_account_id] if answered_by_account_id is not None else []
    names = uow.notifications.account_names(timebank.timebank_id, named)
    answered_by = names.get(answered_by_account_id or 0, "A coordinator")
    composed = messages.exchange_answered(
        recipient.display_name,
        answered_by,
        confirmed,
        exchange.description,
        exchange.activity_date,
        sum(share.minutes for share in exchange.receivers),
        site_url(),
    )
    kind = NotificationKind.EXCHANGE_CONFIRMED if confirmed else NotificationKind.EXCHANGE_DECLINED
    return queue_message(uow, timebank, recipient, kind, _event_key(exchange), composed, now)
