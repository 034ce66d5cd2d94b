"""The ledger's rules over an export's rows, checked as they are read, before anything is kept.

An import of an export writes stored history, not new operations, so it does not post through the
ledger's rules for new transfers (which would refuse a transfer to an account that closed later, or
one past a floor that was lowered since). It checks what the ledger core checks of a database
instead (``timebank.ledger.invariants``, L1, L3, L4, L9, L10): the transfers are replayed in posting
order, each one's balances after it must be the replay's, and each account's stated balance,
earned and spent minutes and transfer count must be what its transfers make, within its floor and
cap. Beyond the invariants: each transaction has transfers, each confirmed or reversed exchange's
receivers add up to what its transaction moved, and its reversal moved as much back.

Everything is keyed by the export's own numbers, so each problem names what the file names. Memory
grows with the accounts and transactions, never with the transfers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from timebank.imports.errors import Problem
from timebank.ledger.invariants import LedgerReplay, StoredTransfer

__all__ = ["LedgerCheck"]

Report = Callable[[str, int | None, str], None]
_POSTED = ("confirmed", "reversed")


@dataclass(frozen=True, slots=True)
class _Stated:
    line: int
    balance_minutes: int
    earned_minutes: int
    spent_minutes: int
    transfer_count: int


@dataclass(frozen=True, slots=True)
class _Posted:
    line: int
    exchange_id: int
    transaction_id: int | None
    reversal_transaction_id: int | None


class LedgerCheck:
    def __init__(self) -> None:
        self.replay = LedgerReplay()
        self.accounts: dict[int, _Stated] = {}
        self.transactions: dict[int, int] = {}  # transaction → its line in transactions.csv
        self.moved: dict[int, int] = defaultdict(int)  # transaction → minutes its transfers moved
        self.posted: list[_Posted] = []
        self.received: dict[int, int] = defaultdict(int)  # exchange → its receivers' minutes

    def add_account(self, line: int, account_id: int, values: Mapping[str, Any], problem: Report) -> bool:
        balance, floor, cap = values["balance_minutes"], values["floor_minutes"], values["cap_minutes"]
        earned, spent, count = values["earned_minutes"], values["spent_minutes"], values["transfer_count"]
        reasons = []
        if min(earned, spent, count) < 0:
            reasons.append("earned_minutes, spent_minutes and transfer_count cannot be below 0")
        if balance != earned - spent:
            reasons.append(
                f"balance_minutes {balance} is not earned_minutes less spent_minutes ({earned - spent})"
            )
        if floor > 0 or (cap is not None and cap < 0):
            reasons.append("floor_minutes must be 0 or less, and cap_minutes 0 or more")
        elif balance < floor or (cap is not None and balance > cap):
            reasons.append(f"balance_minutes {balance} is outside its floor ({floor}) and cap ({cap})")
        for reason in reasons:
            problem("accounts.csv", line, reason[0].upper() + reason[1:] + ".")
        self.accounts[account_id] = _Stated(line, balance, earned, spent, count)
        return not reasons

    def add_transaction(self, line: int, transaction_id: int) -> None:
        self.transactions[transaction_id] = line

    def add_transfer(
        self, line: int, old: Mapping[str, int], values: Mapping[str, Any], problem: Report
    ) -> bool:
        minutes = values["minutes"]
        source, target = old["source_account_id"], old["target_account_id"]
        if minutes <= 0 or source == target:
            problem(
                "transfers.csv", line, "A transfer moves more than 0 minutes between two different accounts."
            )
            return False
        self.replay.add(
            StoredTransfer(
                transfer_id=old["transfer_id"],
                timebank_id=0,
                source_account_id=source,
                target_account_id=target,
                minutes=minutes,
                source_balance_after_minutes=values["source_balance_after_minutes"],
                target_balance_after_minutes=values["target_balance_after_minutes"],
            )
        )
        self.moved[old["transaction_id"]] += minutes
        return True

    def add_exchange(self, line: int, old: Mapping[str, int], status: str) -> None:
        if status in _POSTED:
            self.posted.append(
                _Posted(
                    line, old["exchange_id"], old.get("transaction_id"), old.get("reversal_transaction_id")
                )
            )

    def add_receiver(self, exchange_id: int, minutes: int) -> None:
        self.received[exchange_id] += minutes

    def problems(self) -> list[Problem]:
        """Everything the rows break, once all are read."""
        found = [Problem("transfers.csv", None, _sentence(p)) for p in self.replay.malformed]
        found += [Problem("transfers.csv", None, _sentence(p)) for p in self.replay.running_problems]
        found += self._account_problems()
        found += [
            Problem("transactions.csv", line, "This transaction has no transfers in transfers.csv.")
            for transaction_id, line in self.transactions.items()
            if transaction_id not in self.moved
        ]
        found += self._exchange_problems()
        return found

    def _account_problems(self) -> list[Problem]:
        found = []
        replay = self.replay
        for account_id, stated in self.accounts.items():
            earned, spent = replay.earned.get(account_id, 0), replay.spent.get(account_id, 0)
            count = replay.count.get(account_id, 0)
            if (stated.earned_minutes, stated.spent_minutes) != (earned, spent):
                found.append(
                    Problem(
                        "accounts.csv",
                        stated.line,
                        f"Its transfers bring in {earned} minutes and take out {spent}, making a balance"
                        f" of {earned - spent}; this row says {stated.earned_minutes}, {stated.spent_minutes}"
                        f" and {stated.balance_minutes}.",
                    )
                )
            if stated.transfer_count != count:
                found.append(
                    Problem(
                        "accounts.csv",
                        stated.line,
                        f"transfer_count is {stated.transfer_count}, but transfers.csv moves it"
                        f" {count} times.",
                    )
                )
        return found

    def _exchange_problems(self) -> list[Problem]:
        found = []
        for posted in self.posted:
            if posted.transaction_id is None:
                continue
            moved = self.moved.get(posted.transaction_id, 0)
            received = self.received.get(posted.exchange_id, 0)
            if received != moved:
                found.append(
                    Problem(
                        "exchanges.csv",
                        posted.line,
                        f"Its receivers add up to {received} minutes, but its transaction"
                        f" {posted.transaction_id} moved {moved}.",
                    )
                )
            back = posted.reversal_transaction_id
            if back is not None and self.moved.get(back, 0) != moved:
                found.append(
                    Problem(
                        "exchanges.csv",
                        posted.line,
                        f"Its reversal (transaction {back}) moved {self.moved.get(back, 0)} minutes"
                        f" back, not {moved}.",
                    )
                )
        return found


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:] + "."
