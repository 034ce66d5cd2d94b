"""The refusals of being told: verification links and unsubscribe links that do not work.

Leaves of the one error tree (``timebank.errors``). An address of the wrong shape is the ledger's
``email_invalid`` (``timebank.ledger.contacts``), shared with organisations' contact details.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotFound, StateConflict

__all__ = [
    "NotificationKindRequired",
    "UnsubscribeTokenInvalid",
    "VerificationTokenExpired",
    "VerificationTokenUnknown",
    "VerificationTokenUsed",
]


class NotificationKindRequired(InvalidRequest):
    code = "notification_kind_required"
    title = "Name at least one kind of message, with whether to get it"


class UnsubscribeTokenInvalid(InvalidRequest):
    code = "unsubscribe_token_invalid"
    title = "This unsubscribe link is not one we sent"


class VerificationTokenUnknown(NotFound):
    code = "verification_token_unknown"
    title = "This verification link is not one we sent"


class VerificationTokenExpired(StateConflict):
    code = "verification_token_expired"
    title = "This verification link has expired; ask for a new one"


class VerificationTokenUsed(StateConflict):
    code = "verification_token_used"
    title = "This verification link was used already, or the address changed since"
