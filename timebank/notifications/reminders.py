"""Reminders before a pending exchange expires, queued by a scheduled job.

An exchange recorded by its giver waits for the receivers' confirmation for the timebank's
``pending_expiry_days``, then expires (or posts, where the timebank auto-confirms). A day before
(``TIMEBANK_REMINDER_DAYS_BEFORE_EXPIRY``) each member it still waits for is reminded, once: the
outbox's unique key makes the job safe to run as often as it likes. An exchange already past its
expiry, waiting for the expiry job, is not reminded about.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.limits import PENDING_EXPIRY_BATCH_MAX
from timebank.notifications import messages
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.outbox import queue_message, site_url
from timebank.settings import get_settings

__all__ = ["queue_expiry_reminders", "queue_expiry_reminders_everywhere"]


def queue_expiry_reminders_everywhere(engine: Engine, now: datetime | None = None) -> int:
    """``queue_expiry_reminders`` for every timebank, each in its own transaction."""
    timebank_ids = run(engine, lambda uow: uow.timebanks.all_ids(), write=False)
    return sum(queue_expiry_reminders(engine, timebank_id, now) for timebank_id in timebank_ids)


def queue_expiry_reminders(engine: Engine, timebank_id: int, now: datetime | None = None) -> int:
    """Queue a reminder for each member a soon-to-expire exchange waits for; how many were queued."""
    at = now or utc_now()
    days_before = get_settings().reminder_days_before_expiry

    def use_case(uow: UnitOfWork) -> int:
        timebank = uow.timebanks.get(timebank_id)
        expiry = timedelta(days=timebank.pending_expiry_days)
        remind_from = at - expiry + timedelta(days=days_before)
        queued = 0
        for exchange_id in uow.exchanges.pending_created_before(
            timebank_id, remind_from, PENDING_EXPIRY_BATCH_MAX
        ):
            exchange = uow.exchanges.get(timebank_id, exchange_id)
            closes_at = exchange.created_at + expiry
            if closes_at <= at:
                continue
            awaiting = sorted(exchange.awaiting_consent_from)
            recipients = uow.notifications.recipients_of_accounts(timebank_id, awaiting)
            giver = uow.notifications.account_names(timebank_id, [exchange.giver_account_id])
            minutes = {share.account_id: share.minutes for share in exchange.receivers}
            for account_id in awaiting:
                recipient = recipients.get(account_id)
                if recipient is None:
                    continue
                composed = messages.expiry_reminder(
                    recipient.display_name,
                    giver[exchange.giver_account_id],
                    exchange.description,
                    exchange.activity_date,
                    minutes.get(account_id, sum(minutes.values())),
                    closes_at.date(),
                    site_url(),
                )
                kind = NotificationKind.EXCHANGE_EXPIRY_REMINDER
                event_key = f"exchange:{exchange_id}"
                queued += queue_message(uow, timebank, recipient, kind, event_key, composed, at)
        uow.commit()
        return queued

    return run(engine, use_case)
