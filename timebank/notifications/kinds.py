"""The kinds of message a member can be sent, and which of them are about security.

A member chooses which kinds they get, except the kinds about security: those answer something the
member (or someone acting as them) just did with their login or address, and stopping them would
hide exactly what they exist to show. Messages about security carry no unsubscribe link.

Set-password codes and reset links are security kinds too: they answer a coordinator's or the
member's own request for a way back in; so are the notices that a password or an address changed.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["CHOOSABLE_KINDS", "SECURITY_KINDS", "NotificationKind"]


class NotificationKind(StrEnum):
    # About exchanges: each can be switched off.
    EXCHANGE_AWAITING_CONFIRMATION = "exchange_awaiting_confirmation"
    EXCHANGE_EXPIRY_REMINDER = "exchange_expiry_reminder"
    EXCHANGE_CONFIRMED = "exchange_confirmed"
    EXCHANGE_DECLINED = "exchange_declined"
    # A member wrote through the timebank about an offer or request (or a coordinator is asked to
    # pass such a message on): can be switched off.
    MEMBER_MESSAGE = "member_message"
    # About security: always sent.
    EMAIL_VERIFICATION = "email_verification"
    PASSWORD_CODE = "password_code"
    PASSWORD_RESET = "password_reset"
    # Told to the checked address when the password or the address changes (notices.py).
    PASSWORD_CHANGED = "password_changed"
    EMAIL_CHANGED = "email_changed"


SECURITY_KINDS = frozenset(
    {
        NotificationKind.EMAIL_VERIFICATION,
        NotificationKind.PASSWORD_CODE,
        NotificationKind.PASSWORD_RESET,
        NotificationKind.PASSWORD_CHANGED,
        NotificationKind.EMAIL_CHANGED,
    }
)
CHOOSABLE_KINDS = tuple(kind for kind in NotificationKind if kind not in SECURITY_KINDS)
