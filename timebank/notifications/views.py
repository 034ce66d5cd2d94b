"""What the notification use cases return (``timebank.views.View``).

A member's address is in ``EmailView`` only, which only the member and coordinators are given:
no other view of a member (the member record, the directory, an exchange, a report) carries it.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from pydantic import Field

from timebank.db.repositories import Recipient
from timebank.notifications.kinds import SECURITY_KINDS, NotificationKind
from timebank.views import View

__all__ = ["DeliveryReport", "EmailVerifiedView", "EmailView", "PreferencesView", "UnsubscribedView"]


class EmailView(View):
    """The member's address and whether a link sent to it was followed."""

    member_id: int
    email: str | None
    verified: bool
    email_verified_at: datetime | None
    # Whether this answer sent a verification message (a new address, or the same one again).
    verification_sent: bool = False

    @classmethod
    def of(cls, recipient: Recipient, *, verification_sent: bool = False) -> EmailView:
        return cls(
            member_id=recipient.member_id,
            email=recipient.email,
            verified=recipient.email_verified_at is not None,
            email_verified_at=recipient.email_verified_at,
            verification_sent=verification_sent,
        )


class EmailVerifiedView(View):
    """The address a verification link confirmed."""

    email: str
    email_verified_at: datetime


class PreferencesView(View):
    """Which kinds of message the member gets. The kinds about security are always sent."""

    member_id: int
    exchange_awaiting_confirmation: bool
    exchange_expiry_reminder: bool
    exchange_confirmed: bool
    exchange_declined: bool
    member_message: bool = Field(description="Messages from members about offers and requests.")
    always_sent: tuple[NotificationKind, ...] = Field(
        default=tuple(sorted(SECURITY_KINDS)), description="Messages about security, never switched off."
    )

    @classmethod
    def of(cls, member_id: int, muted: Collection[str]) -> PreferencesView:
        return cls(
            member_id=member_id,
            exchange_awaiting_confirmation=NotificationKind.EXCHANGE_AWAITING_CONFIRMATION not in muted,
            exchange_expiry_reminder=NotificationKind.EXCHANGE_EXPIRY_REMINDER not in muted,
            exchange_confirmed=NotificationKind.EXCHANGE_CONFIRMED not in muted,
            exchange_declined=NotificationKind.EXCHANGE_DECLINED not in muted,
            member_message=NotificationKind.MEMBER_MESSAGE not in muted,
        )


class UnsubscribedView(View):
    """The kind of message that will no longer be sent."""

    kind: NotificationKind


class DeliveryReport(View):
    """One pass of the delivery worker: what it claimed and what became of each."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    given_up: int = 0
