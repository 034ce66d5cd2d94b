"""What use cases return: plain frozen values, easy to turn into JSON and back.

Idempotent use cases store their first answer as JSON and rebuild it on replay, so every view here
round-trips through ``to_json``/``from_json`` unchanged.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Self

__all__ = [
    "AccountView",
    "ExchangeView",
    "ExpiryReport",
    "ImportResult",
    "StatementLine",
    "StatementPage",
    "TimebankView",
    "TransactionView",
]


class _Json:
    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = asdict(self)  # type: ignore[call-overload]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        return cls(**data)


@dataclass(frozen=True)
class TimebankView(_Json):
    timebank_id: int
    name: str
    pot_account_id: int


@dataclass(frozen=True)
class AccountView(_Json):
    account_id: int
    timebank_id: int
    kind: str
    name: str
    balance_minutes: int
    earned_minutes: int
    spent_minutes: int
    floor_minutes: int
    cap_minutes: int | None
    version: int


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

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Self:
        data = dict(data)
        data["transfers"] = tuple(tuple(t) for t in data["transfers"])
        return cls(**data)


@dataclass(frozen=True)
class StatementLine(_Json):
    transfer_id: int
    transaction_id: int
    kind: str
    counterparty_account_id: int
    minutes: int
    balance_after_minutes: int
    posted_at: str


@dataclass(frozen=True)
class StatementPage:
    account_id: int
    balance_minutes: int
    lines: tuple[StatementLine, ...]
    next_cursor: str | None


@dataclass(frozen=True)
class ExpiryReport(_Json):
    expired: int
    auto_confirmed: int


@dataclass(frozen=True)
class ImportResult(_Json):
    exchanges_imported: int
    minutes_imported: int
