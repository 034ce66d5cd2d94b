"""Delivering the outbox: claim what is due, send it, mark it; retry failures with back-off.

``deliver_due`` is one pass (``timebank deliver`` runs one; ``timebank serve`` runs one every few
seconds). Each step is a transaction of its own:

1. **Claim.** Up to ``limit`` due messages are claimed for a lease (``claimed_until``), counting an
   attempt, and committed. On PostgreSQL ``FOR UPDATE SKIP LOCKED`` lets workers claim side by
   side without waiting or claiming one row twice; SQLite has one writer at a time.
2. **Send**, outside any transaction, through the ``Transport``.
3. **Mark** each message sent, or failed: the error is kept, and the message waits
   ``delivery_backoff_seconds`` doubled for each attempt so far (up to a cap) before it is due
   again; after ``delivery_attempts_max`` attempts it is given up, error kept.

**The guarantee, honestly.** A message is queued at most once per recipient and event (the
outbox's unique key). A worker that dies before it sends leaves its claim, which lapses at the end
of the lease; the message is then sent by the next pass, once. The one window left is a worker
that dies after the mail server accepted a message and before its row was marked sent: the
message is sent again after the lease. We chose that (at least once) over the other way (mark
first, send after: a crash loses the message silently), because a lost verification link or
reminder is worse than a repeated one, and the window is one SMTP reply wide. The repeat is
recognisable: every message carries a ``Message-ID`` made from its outbox row, the same on every
attempt, which mail servers and clients use to drop duplicates.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from sqlalchemy import Engine

from timebank.db.repositories import OutboxRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.notifications.transports import Transport
from timebank.notifications.views import DeliveryReport
from timebank.settings import get_settings

__all__ = ["backoff", "deliver_due", "email_message", "message_id"]

log = logging.getLogger(__name__)


def message_id(record: OutboxRecord, sender: str) -> str:
    """The same on every attempt at one outbox row, and never the same for two rows."""
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    return f"<notification-{record.timebank_id}-{record.outbox_id}@{domain}>"


def email_message(record: OutboxRecord, sender: str) -> EmailMessage:
    # Long header lines are kept whole (up to SMTP's 998), so the unsubscribe link is never encoded.
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=998))
    message["From"] = sender
    message["To"] = record.to_address
    message["Subject"] = record.subject
    message["Message-ID"] = message_id(record, sender)
    message["Date"] = format_datetime(record.created_at)
    message["Auto-Submitted"] = "auto-generated"
    if not record.is_security:
        # RFC 8058: the mail client's own "unsubscribe" button posts to the link in the footer.
        link = next(
            (line for line in record.body.splitlines() if "/notifications/unsubscribe?token=" in line), None
        )
        if link is not None:
            message["List-Unsubscribe"] = f"<{link.strip()}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(record.body)
    return message


def backoff(attempts: int) -> timedelta:
    """How long a message waits after its ``attempts``-th failure: doubling, up to the cap."""
    settings = get_settings()
    seconds = settings.delivery_backoff_seconds * 2 ** min(attempts - 1, 30)
    return timedelta(seconds=min(seconds, settings.delivery_backoff_seconds_max))


def _claim(engine: Engine, now: datetime, limit: int) -> list[OutboxRecord]:
    lease = timedelta(seconds=get_settings().delivery_lease_seconds)

    def use_case(uow: UnitOfWork) -> list[OutboxRecord]:
        claimed = uow.notifications.claim_due(now, limit, now + lease)
        uow.commit()
        return claimed

    return run(engine, use_case)


def _mark_sent(engine: Engine, outbox_id: int, at: datetime) -> None:
    def use_case(uow: UnitOfWork) -> None:
        uow.notifications.mark_sent(outbox_id, at)
        uow.commit()

    run(engine, use_case)


def _mark_failed(engine: Engine, record: OutboxRecord, error: str, at: datetime) -> bool:
    """Keep the error and retry later, or give up; True when given up."""
    given_up = record.attempts >= get_settings().delivery_attempts_max

    def use_case(uow: UnitOfWork) -> None:
        if given_up:
            uow.notifications.mark_failed(record.outbox_id, error, due_at=None, given_up_at=at)
        else:
            uow.notifications.mark_failed(
                record.outbox_id, error, due_at=at + backoff(record.attempts), given_up_at=None
            )
        uow.commit()

    run(engine, use_case)
    return given_up


def deliver_due(
    engine: Engine, transport: Transport, now: datetime, limit: int | None = None
) -> DeliveryReport:
    """One pass: claim up to ``limit`` due messages, send each, and mark what became of it."""
    settings = get_settings()
    claimed = _claim(engine, now, limit or settings.delivery_batch_max)
    sent = retrying = given_up = 0
    try:
        for record in claimed:
            try:
                transport.send(email_message(record, settings.mail_from))
            except (smtplib.SMTPException, OSError) as error:
                # The mail server refused it, or is not there: both are worth another try later.
                reason = f"{type(error).__name__}: {error}"
                log.warning(
                    "Message %s to member %s not sent: %s", record.outbox_id, record.member_id, reason
                )
                if _mark_failed(engine, record, reason, now):
                    given_up += 1
                else:
                    retrying += 1
                continue
            _mark_sent(engine, record.outbox_id, now)
            sent += 1
    finally:
        transport.close()
    return DeliveryReport(claimed=len(claimed), sent=sent, retrying=retrying, given_up=given_up)
