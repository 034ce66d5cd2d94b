"""What the notification use cases are asked (``timebank.fields``): one typed request each.

An address is at most 254 characters (its shape is checked by the use case, as organisations' are:
``timebank.ledger.contacts``); ``null`` clears it. A token is at most 200 characters. Preferences
name the kinds that can be switched off, each ``true`` or ``false``; a kind left out stays as it
was, and the kinds about security are not there to name.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool

from timebank.fields import Request
from timebank.ledger.contacts import EMAIL_LENGTH_MAX
from timebank.notifications.kinds import NotificationKind

__all__ = ["TOKEN_LENGTH_MAX", "ChoosePreferences", "SetEmail", "Unsubscribe", "VerifyEmail"]

TOKEN_LENGTH_MAX = 200
Token = Annotated[str, Field(min_length=1, max_length=TOKEN_LENGTH_MAX)]


class SetEmail(Request):
    """The member's new address, or ``null`` to remove it. It is unverified until the link is followed."""

    email: Annotated[str, Field(max_length=EMAIL_LENGTH_MAX)] | None


class VerifyEmail(Request):
    """The token from the link in the verification message."""

    token: Token


class Unsubscribe(Request):
    """The token from the unsubscribe link at the foot of a message."""

    token: Token


class ChoosePreferences(Request):
    """Which kinds of message to get: ``true`` to get them, ``false`` to stop them."""

    exchange_awaiting_confirmation: StrictBool | None = None
    exchange_expiry_reminder: StrictBool | None = None
    exchange_confirmed: StrictBool | None = None
    exchange_declined: StrictBool | None = None
    member_message: StrictBool | None = None

    def chosen(self) -> dict[str, bool]:
        """The kinds the request names, with whether the member wants them."""
        values = self.model_dump(exclude_none=True)
        assert set(values) <= {kind.value for kind in NotificationKind}
        return values
