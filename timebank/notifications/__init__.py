"""Being told: a member's email address, what they are sent, and how it is delivered (DESIGN §9).

A member may give an email address, verified by a link, seen only by them and coordinators. When
something happens that a member should hear about (an exchange waits for their confirmation, is
about to expire, was confirmed or declined; a new address to verify), the use case that made it
happen queues a message in the **outbox**, in its own transaction: nothing is sent for a write
that rolled back, and nothing is lost while the mail server is away. A worker delivers the outbox
by SMTP (or into a folder, when no mail server is set), retrying with back-off; each event is
queued at most once per recipient. Members choose which kinds they get, and every message that is
not about security carries a one-click unsubscribe link. Messages never mention money or benefits.

    kinds           the kinds of message, and which are about security
    messages        what each message says (pure)
    outbox          queueing a message inside the event's transaction; who is told what
    addresses       setting, reading and verifying a member's address
    preferences     which kinds a member gets; unsubscribing by a signed link
    reminders       reminders before a pending exchange expires (a scheduled job)
    transports      SMTP, and the folder used when there is no mail server
    delivery        one pass of the worker: claim, send, mark; retries and their limits
    schedule        the jobs ``timebank serve`` runs by itself, on one thread
    requests        what these use cases are asked
    views           what they return
    errors          the refusals: verification and unsubscribe links that do not work
"""

from timebank.notifications.addresses import read_email, set_email, verify_email
from timebank.notifications.delivery import deliver_due
from timebank.notifications.kinds import CHOOSABLE_KINDS, SECURITY_KINDS, NotificationKind
from timebank.notifications.preferences import read_preferences, set_preferences, unsubscribe
from timebank.notifications.reminders import queue_expiry_reminders, queue_expiry_reminders_everywhere
from timebank.notifications.schedule import BackgroundJobs, Job
from timebank.notifications.transports import (
    FolderTransport,
    SmtpTransport,
    Transport,
    transport_from_settings,
)

__all__ = [
    "CHOOSABLE_KINDS",
    "SECURITY_KINDS",
    "BackgroundJobs",
    "FolderTransport",
    "Job",
    "NotificationKind",
    "SmtpTransport",
    "Transport",
    "deliver_due",
    "queue_expiry_reminders",
    "queue_expiry_reminders_everywhere",
    "read_email",
    "read_preferences",
    "set_email",
    "set_preferences",
    "transport_from_settings",
    "unsubscribe",
    "verify_email",
]
