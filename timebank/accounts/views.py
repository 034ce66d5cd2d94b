"""What the account use cases return: an account's counters, and its statement a page at a time."""

from __future__ import annotations

from dataclasses import dataclass

from timebank.views import _Json

__all__ = ["AccountView", "StatementLine", "StatementPage"]


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
class StatementLine(_Json):
    transfer_id: int
    transaction_id: int
    kind: str
    counterparty_account_id: int
    minutes: int
    balance_after_minutes: int
    posted_at: str
    # What the line was for and with whom (a reversal: what it reverses, and why).
    counterparty_name: str
    exchange_id: int | None
    description: str | None
    activity_date: str | None
    reverses_transaction_id: int | None
    reason: str | None


@dataclass(frozen=True)
class StatementPage:
    account_id: int
    balance_minutes: int
    lines: tuple[StatementLine, ...]
    next_cursor: str | None
