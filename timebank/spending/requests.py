"""What the spending use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms. An option's
minutes are a transfer's minutes, so they keep to the ledger's limit here and to the timebank's own
limit in the use case; its class is one the benefits core knows (``SpendClass``).
"""

from __future__ import annotations

from timebank.benefits.spending import SpendClass
from timebank.fields import Id, Minutes, Name, Request
from timebank.involvement.requests import ShortText

__all__ = ["CreateSpendOption", "SpendCredits"]


class CreateSpendOption(Request):
    """Something an organisation offers for credits: its title, the minutes it takes, and its class."""

    title: Name
    minutes: Minutes
    spend_class: SpendClass


class SpendCredits(Request):
    """Spend credits on an option, for ``account_id`` (the member, or a coordinator for them).

    ``acknowledgement``: for goods or a voucher, when the member has declared benefits, the member's
    own words that they understand it may affect their benefits.
    """

    account_id: Id
    acknowledgement: ShortText | None = None
