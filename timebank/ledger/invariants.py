"""Checks of the ledger's invariants (DESIGN §3, L1–L4, L9, L10) over a snapshot of its rows.

Each check takes plain values (account states and posted transfers in posting order) and returns a
list of violations as sentences; an empty list means the invariant holds. Tests call them after
every step of a random run; operators can call them against a live database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from timebank.ledger.types import AccountState

__all__ = [
    "StoredTransfer",
    "check_all",
    "check_counters_match_transfers",
    "check_limits_hold",
    "check_running_balances",
    "check_transfers_well_formed",
    "check_zero_sum",
]


@dataclass(frozen=True)
class StoredTransfer:
    """A transfer row as read back, in posting order (ascending ``transfer_id``)."""

    transfer_id: int
    timebank_id: int
    source_account_id: int
    target_account_id: int
    minutes: int
    source_balance_after_minutes: int
    target_balance_after_minutes: int


def check_transfers_well_formed(transfers: Iterable[StoredTransfer]) -> list[str]:
    """L1: positive whole minutes between two different accounts."""
    problems = []
    for t in transfers:
        if isinstance(t.minutes, bool) or not isinstance(t.minutes, int):
            problems.append(f"transfer {t.transfer_id} has non-integer minutes {t.minutes!r}")
        elif t.minutes <= 0:
            problems.append(f"transfer {t.transfer_id} moves {t.minutes} minutes")
        if t.source_account_id == t.target_account_id:
            problems.append(f"transfer {t.transfer_id} moves credits from an account to itself")
    return problems


def check_zero_sum(accounts: Iterable[AccountState]) -> list[str]:
    """L2: in every timebank the balances sum to zero."""
    totals: dict[int, int] = defaultdict(int)
    for account in accounts:
        totals[account.timebank_id] += account.balance_minutes
    return [f"timebank {tb} balances sum to {total}" for tb, total in totals.items() if total != 0]


def check_limits_hold(accounts: Iterable[AccountState]) -> list[str]:
    """L4: no balance below its floor or above its cap."""
    problems = []
    for a in accounts:
        if a.balance_minutes < a.floor_minutes:
            problems.append(f"account {a.account_id} is below its floor")
        if a.cap_minutes is not None and a.balance_minutes > a.cap_minutes:
            problems.append(f"account {a.account_id} is above its cap")
    return problems


def check_counters_match_transfers(
    accounts: Iterable[AccountState], transfers: Iterable[StoredTransfer]
) -> list[str]:
    """L3 and L9: replaying every transfer from empty gives each account's stored counters."""
    earned: dict[int, int] = defaultdict(int)
    spent: dict[int, int] = defaultdict(int)
    count: dict[int, int] = defaultdict(int)
    for t in transfers:
        spent[t.source_account_id] += t.minutes
        earned[t.target_account_id] += t.minutes
        count[t.source_account_id] += 1
        count[t.target_account_id] += 1
    problems = []
    for a in accounts:
        i = a.account_id
        if a.earned_minutes != earned[i]:
            problems.append(f"account {i} earned {a.earned_minutes}, transfers say {earned[i]}")
        if a.spent_minutes != spent[i]:
            problems.append(f"account {i} spent {a.spent_minutes}, transfers say {spent[i]}")
        if a.balance_minutes != earned[i] - spent[i]:
            problems.append(f"account {i} balance {a.balance_minutes} != in minus out")
        if a.version != count[i]:
            problems.append(f"account {i} version {a.version}, transfer count {count[i]}")
    return problems


def check_running_balances(transfers: Sequence[StoredTransfer]) -> list[str]:
    """L10: each transfer's recorded balance-after equals the sum of transfers up to it."""
    running: dict[int, int] = defaultdict(int)
    problems = []
    for t in sorted(transfers, key=lambda t: t.transfer_id):
        running[t.source_account_id] -= t.minutes
        running[t.target_account_id] += t.minutes
        if t.source_balance_after_minutes != running[t.source_account_id]:
            problems.append(f"transfer {t.transfer_id} source balance-after is wrong")
        if t.target_balance_after_minutes != running[t.target_account_id]:
            problems.append(f"transfer {t.transfer_id} target balance-after is wrong")
    return problems


def check_all(accounts: Sequence[AccountState], transfers: Sequence[StoredTransfer]) -> list[str]:
    """Every snapshot invariant at once."""
    return [
        *check_transfers_well_formed(transfers),
        *check_zero_sum(accounts),
        *check_limits_hold(accounts),
        *check_counters_match_transfers(accounts, transfers),
        *check_running_balances(transfers),
    ]
