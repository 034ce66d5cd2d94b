"""What the spending use cases return: plain frozen values that round-trip through JSON.

Time is whole minutes; no view puts a money value on credits (B1). A class is its code
(``"goods"``), as ``timebank.benefits.SpendClass`` spells it. Times are ISO text, as in
``ExchangeView``, so that a spend's first answer can be kept under its idempotency key.
"""

from __future__ import annotations

from dataclasses import dataclass

from timebank.views import _Json

__all__ = ["SpendOptionPage", "SpendOptionView", "SpendView"]


@dataclass(frozen=True)
class SpendOptionView(_Json):
    """Something an organisation offers for credits; ``active`` is False once withdrawn."""

    spend_option_id: int
    organisation_id: int
    title: str
    minutes: int
    spend_class: str
    active: bool


@dataclass(frozen=True)
class SpendOptionPage:
    options: tuple[SpendOptionView, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class SpendView(_Json):
    """One spend: the confirmed exchange that moved the credits, and the member's balance after it.

    ``acknowledged`` is True when the spend needed the member's acknowledgement (goods or a voucher,
    with benefits declared) and had it.
    """

    spend_id: int
    spend_option_id: int
    organisation_id: int
    account_id: int
    exchange_id: int
    transaction_id: int
    minutes: int
    spend_class: str
    acknowledged: bool
    spent_at: str
    balance_minutes: int
