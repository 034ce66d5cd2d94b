"""Spending credits on what organisations offer (DESIGN B5).

An organisation offers things members may spend credits on (**spend options**), each of a class:
another member's time, a community activity, goods, or a voucher. A **spend** is a confirmed
exchange from the member to the organisation. Goods and vouchers could make credits count as
earnings, so for a member who declared benefits they need the member's own acknowledgement
(``guard``), and each check is audited.

    requests   what these use cases are asked (the API's request bodies)
    views      what they return (the API's response bodies)
    spends     offering, listing, reading and withdrawing options; spending on one
    guard      the benefit check on a spend of goods or a voucher
"""

from timebank.spending.spends import (
    create_spend_option,
    list_spend_options,
    read_spend_option,
    spend_credits,
    withdraw_spend_option,
)
from timebank.spending.views import SpendOptionPage, SpendOptionView, SpendView

__all__ = [
    "SpendOptionPage",
    "SpendOptionView",
    "SpendView",
    "create_spend_option",
    "list_spend_options",
    "read_spend_option",
    "spend_credits",
    "withdraw_spend_option",
]
