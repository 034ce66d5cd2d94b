"""What the spending use cases return: one view per answer (``timebank.views.View``).

Time is whole minutes; no view puts a money value on credits (B1). A class stays a ``SpendClass``
until the edge writes its code (``"goods"``), beside its label for people.
"""

from __future__ import annotations

from pydantic import Field

from timebank.benefits.spending import SpendClass
from timebank.db.repositories import SpendOptionRecord
from timebank.involvement.views import IsoMoment
from timebank.views import View

__all__ = ["SpendOptionPage", "SpendOptionView", "SpendView"]


class SpendOptionView(View):
    """Something an organisation offers for credits; ``active`` is False once withdrawn."""

    spend_option_id: int = Field(serialization_alias="id")
    organisation_id: int
    title: str
    minutes: int
    spend_class: SpendClass
    spend_class_label: str
    active: bool

    @classmethod
    def of(cls, record: SpendOptionRecord) -> SpendOptionView:
        spend_class = SpendClass(record.spend_class)
        return cls(
            spend_option_id=record.spend_option_id,
            organisation_id=record.organisation_id,
            title=record.title,
            minutes=record.minutes,
            spend_class=spend_class,
            spend_class_label=spend_class.label,
            active=record.active,
        )


class SpendOptionPage(View):
    options: tuple[SpendOptionView, ...] = Field(serialization_alias="spend_options")
    next_cursor: str | None


class SpendView(View):
    """One spend: the confirmed exchange that moved the credits, and the member's balance after it.

    ``acknowledged`` is True when the spend needed the member's acknowledgement (goods or a voucher,
    with benefits declared) and had it.
    """

    spend_id: int = Field(serialization_alias="id")
    spend_option_id: int
    organisation_id: int
    account_id: int
    exchange_id: int
    transaction_id: int
    minutes: int
    spend_class: SpendClass
    acknowledged: bool
    spent_at: IsoMoment
    balance_minutes: int
