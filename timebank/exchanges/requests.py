"""What the exchange use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms, so both are
refused by the same rules before a use case runs; the use cases check again, inside their
transaction, against the timebank's own limits (a timebank may allow fewer minutes per exchange,
or fewer days back).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from timebank.fields import CalendarDate, Category, Description, Id, Minutes, Note, Reason, Request
from timebank.ledger.limits import RECEIVERS_MAX
from timebank.ledger.types import ReceiverShare

__all__ = ["GiveCredits", "ReceiverShareIn", "RecordExchange", "ReverseExchange"]


class ReceiverShareIn(Request):
    """One receiver of the help, and the minutes they received (and pay)."""

    account_id: Id
    minutes: Minutes

    def share(self) -> ReceiverShare:
        return ReceiverShare(self.account_id, self.minutes)


class RecordExchange(Request):
    """Help given: by the giver to one or more receivers, on a day, described."""

    giver_account_id: Id
    receivers: Annotated[list[ReceiverShareIn], Field(min_length=1, max_length=RECEIVERS_MAX)]
    activity_date: CalendarDate
    description: Description
    category: Category | None = None
    post_id: Id | None = Field(
        default=None,
        description="The offer or request the help came from; its member must be the giver or a receiver.",
    )

    def shares(self) -> tuple[ReceiverShare, ...]:
        return tuple(receiver.share() for receiver in self.receivers)


class ReverseExchange(Request):
    """Why a posted exchange (or gift, or grant) is being corrected."""

    reason: Reason


class GiveCredits(Request):
    """Credits given from one account to another: a gift, a donation to the pot, a grant from it."""

    from_account_id: Id
    to_account_id: Id
    minutes: Minutes
    note: Note | None = None
