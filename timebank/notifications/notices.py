"""Security notices: a member is told at their checked address when their password or address changes.

Someone who has taken over a login changes the password, or moves the address, so that the real
member hears nothing more. These notices are how the real member finds out: each goes to the
address that was checked *before* the change (for an address change, the old one), says what
changed and when, and tells them to contact their coordinator if it was not them. They are
security kinds, so they cannot be switched off and carry no unsubscribe link, and like every
message they are queued in the transaction that made the change: a change rolled back tells nobody.

A member with no checked address is told nothing (there is nowhere to tell them).
"""

from __future__ import annotations

from datetime import datetime

from timebank.db.repositories import Recipient
from timebank.db.unit_of_work import UnitOfWork
from timebank.notifications import messages
from timebank.notifications.kinds import NotificationKind
from timebank.notifications.outbox import queue_message

__all__ = ["tell_email_changed", "tell_password_changed"]


def tell_password_changed(uow: UnitOfWork, timebank_id: int, member_id: int, how: str, now: datetime) -> bool:
    """Tell the member at their checked address that their password was changed ``how`` (words such
    as "with a code from a coordinator"); False when there is no checked address."""
    recipient = uow.notifications.recipient(timebank_id, member_id)
    timebank = uow.timebanks.get(timebank_id)
    composed = messages.password_changed(recipient.display_name, timebank.name, how, now)
    event_key = f"password_changed:{now.isoformat()}"
    kind = NotificationKind.PASSWORD_CHANGED
    return queue_message(uow, timebank, recipient, kind, event_key, composed, now)


def tell_email_changed(
    uow: UnitOfWork, timebank_id: int, before: Recipient, new_email: str | None, now: datetime
) -> bool:
    """Tell the member at the checked address they had ``before`` that it was changed or removed;
    False when that address was not checked (a typo corrected before it was ever used)."""
    if before.email is None or before.email_verified_at is None or before.email == new_email:
        return False
    timebank = uow.timebanks.get(timebank_id)
    composed = messages.email_changed(before.display_name, timebank.name, removed=new_email is None, at=now)
    event_key = f"email_changed:{now.isoformat()}"
    kind = NotificationKind.EMAIL_CHANGED
    return queue_message(uow, timebank, before, kind, event_key, composed, now, to_address=before.email)
