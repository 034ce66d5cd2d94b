"""What the exchange use cases return: an exchange, a posted transaction, an expiry run, an import.

Each is the API's answer as it is (``timebank.views.View``). An exchange says who gave, who
received how many minutes, its status and, while it waits, whose consent it awaits; a transaction
lists its transfers, source to target.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from timebank.ledger.types import ClosedBecause, ExchangeRecord, ExchangeStatus, TransactionKind
from timebank.views import View

__all__ = ["ExchangeView", "ExpiryReport", "ImportResult", "ReceiverView", "TransactionView", "TransferView"]


class ReceiverView(View):
    account_id: int
    minutes: int


class ExchangeView(View):
    exchange_id: int = Field(serialization_alias="id")
    status: ExchangeStatus
    giver_account_id: int
    receivers: tuple[ReceiverView, ...]
    activity_date: date
    description: str
    category: str | None
    transaction_id: int | None
    awaiting_consent_from: tuple[int, ...] = Field(
        description="The accounts whose confirmation the exchange waits for; empty once it posted."
    )
    reversal_transaction_id: int | None = Field(
        default=None, description="Once reversed: the reversal's transaction."
    )
    reversal_reason: str | None = Field(default=None, description="Once reversed: the reason given for it.")
    closed_because: ClosedBecause | None = Field(
        default=None,
        description="Why it was closed, when not by its parties' own answer: 'membership_ended' when it "
        "was cancelled because one of its parties' membership ended while it waited.",
    )
    post_id: int | None = Field(
        default=None, description="The offer or request it was recorded from, if any."
    )

    @classmethod
    def of(cls, exchange: ExchangeRecord) -> ExchangeView:
        return cls(
            exchange_id=exchange.exchange_id,
            status=exchange.status,
            giver_account_id=exchange.giver_account_id,
            receivers=tuple(
                ReceiverView(account_id=r.account_id, minutes=r.minutes) for r in exchange.receivers
            ),
            activity_date=exchange.activity_date,
            description=exchange.description,
            category=exchange.category,
            transaction_id=exchange.transaction_id,
            awaiting_consent_from=tuple(sorted(exchange.awaiting_consent_from)),
            reversal_transaction_id=exchange.reversal_transaction_id,
            reversal_reason=exchange.reversal_reason,
            closed_because=exchange.closed_because,
            post_id=exchange.post_id,
        )


class TransferView(View):
    source_account_id: int
    target_account_id: int
    minutes: int


class TransactionView(View):
    """A posted gift, grant, donation or reversal, with its transfers."""

    transaction_id: int = Field(serialization_alias="id")
    kind: TransactionKind
    transfers: tuple[TransferView, ...]
    reverses_transaction_id: int | None = None
    exchange_id: int | None = None
    reason: str | None = Field(default=None, description="A reversal's reason.")


class ExpiryReport(View):
    expired: int
    auto_confirmed: int


class ImportResult(View):
    exchanges_imported: int
    minutes_imported: int
