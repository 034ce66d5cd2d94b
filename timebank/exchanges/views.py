"""What the exchange use cases return: an exchange, a posted transaction, an expiry run, an import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Self

from timebank.views import _Json

__all__ = ["ExchangeView", "ExpiryReport", "ImportResult", "TransactionView"]


@dataclass(frozen=True)
class ExchangeView(_Json):
    exchange_id: int
    status: str
    giver_account_id: int
    receivers: tuple[tuple[int, int], ...]  # (account_id, minutes)
    activity_date: str
    description: str
    category: str | None
    transaction_id: int | None
    awaiting_consent_from: tuple[int, ...]
    # Once reversed: the reversal's transaction and the reason given for it.
    reversal_transaction_id: int | None = None
    reversal_reason: str | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        data["receivers"] = tuple(tuple(r) for r in data["receivers"])
        data["awaiting_consent_from"] = tuple(data["awaiting_consent_from"])
        return cls(**data)


@dataclass(frozen=True)
class TransactionView(_Json):
    """A posted gift, grant, donation or reversal, with its transfers."""

    transaction_id: int
    kind: str
    transfers: tuple[tuple[int, int, int], ...]  # (source_account_id, target_account_id, minutes)
    reverses_transaction_id: int | None = None
    exchange_id: int | None = None
    reason: str | None = None  # a reversal's

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        data["transfers"] = tuple(tuple(t) for t in data["transfers"])
        return cls(**data)


@dataclass(frozen=True)
class ExpiryReport(_Json):
    expired: int
    auto_confirmed: int


@dataclass(frozen=True)
class ImportResult(_Json):
    exchanges_imported: int
    minutes_imported: int
