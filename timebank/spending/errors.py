"""The refusals of spending credits on what organisations offer.

Leaves of the one error tree (``timebank.errors``): a class of spend option that does not exist, a
spend on goods or a voucher without the member's acknowledgement, an option withdrawn.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, StateConflict

__all__ = [
    "SpendAcknowledgementRequired",
    "SpendClassUnknown",
    "SpendOptionWithdrawn",
]


class SpendClassUnknown(InvalidRequest):
    code = "spend_class_unknown"
    title = "A spend option's class is member_time, community_activity, goods or voucher"


class SpendAcknowledgementRequired(InvalidRequest):
    """Spending credits on goods or a voucher, for a member who declared benefits, needs their say-so.

    The detail is written for the member, who reads it: it names no benefit, says the spend may
    affect their benefits, and asks them to confirm (B5). Nothing was spent.
    """

    code = "spend_acknowledgement_required"
    title = "This may affect your benefits: please confirm that you understand before you go ahead"


class SpendOptionWithdrawn(StateConflict):
    code = "spend_option_withdrawn"
    title = "This spend option has been withdrawn; credits can no longer be spent on it"
