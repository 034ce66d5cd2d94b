"""Checks of the ledger's invariants (DESIGN §3, L1–L4, L9, L10) over a snapshot of its rows.

Each check takes plain values (account states and posted transfers in posting order) and returns a
list of violations as sentences; an empty list means the invariant holds. Tests call them after
every step of a random run; operators can call them against a live database (``timebank check``).

A ledger's transfers outnumber its accounts by far, so the checks never need them all at once:
``LedgerReplay`` takes them one at a time, in posting order, and keeps only a few counters per
account. ``check_all_in_posting_order`` runs every check in that one pass, so a caller may stream
millions of transfers from a database cursor; ``check_all`` takes a list in any order.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from timebank.ledger.types import AccountState

__all__ = [
    "LedgerReplay",
    "StoredTransfer",
    "check_all",
    "check_all_in_posting_order",
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


def _malformed(t: StoredTransfer) -> list[str]:
    """L1 for one transfer."""
    problems = []
    if isinstance(t.minutes, bool) or not isinstance(t.minutes, int):
        problems.append(f"transfer {t.transfer_id} has non-integer minutes {t.minutes!r}")
    elif t.minutes <= 0:
        problems.append(f"transfer {t.transfer_id} moves {t.minutes} minutes")
    if t.source_account_id == t.target_account_id:
        problems.append(f"transfer {t.transfer_id} moves credits from an account to itself")
    return problems


class LedgerReplay:
    """Every transfer replayed from empty, one at a time in posting order (L1, L3, L9, L10).

    Memory grows with the accounts, never with the transfers: four counters per account, and the
    problems found so far.
    """

    def __init__(self) -> None:
        self.earned: dict[int, int] = defaultdict(int)
        self.spent: dict[int, int] = defaultdict(int)
        self.count: dict[int, int] = defaultdict(int)
        self.running: dict[int, int] = defaultdict(int)
        self.malformed: list[str] = []  # L1
        self.running_problems: list[str] = []  # L10
        self.transfers_seen = 0
        self._last_transfer_id: int | None = None

    def add(self, t: StoredTransfer) -> None:
        """Replay one transfer; it must come after every transfer added before it."""
        if self._last_transfer_id is not None and t.transfer_id <= self._last_transfer_id:
            # A reader that gives transfers out of order would make every running balance look wrong.
            raise ValueError(
                f"transfer {t.transfer_id} given after {self._last_transfer_id}: not in posting order"
            )
        self._last_transfer_id = t.transfer_id
        self.transfers_seen += 1
        self.malformed.extend(_malformed(t))
        self.spent[t.source_account_id] += t.minutes
        self.earned[t.target_account_id] += t.minutes
        self.count[t.source_account_id] += 1
        self.count[t.target_account_id] += 1
        self.running[t.source_account_id] -= t.minutes
        self.running[t.target_account_id] += t.minutes
        if t.source_balance_after_minutes != self.running[t.source_account_id]:
            self.running_problems.append(f"transfer {t.transfer_id} source balance-after is wrong")
        if t.target_balance_after_minutes != self.running[t.target_account_id]:
            self.running_problems.append(f"transfer {t.transfer_id} target balance-after is wrong")

    def counter_problems(self, accounts: Iterable[AccountState]) -> list[str]:
        """L3 and L9: each account's stored counters against the replay's."""
        problems = []
        for a in accounts:
            i = a.account_id
            earned, spent, count = self.earned.get(i, 0), self.spent.get(i, 0), self.count.get(i, 0)
            if a.earned_minutes != earned:
                problems.append(f"account {i} earned {a.earned_minutes}, transfers say {earned}")
            if a.spent_minutes != spent:
                problems.append(f"account {i} spent {a.spent_minutes}, transfers say {spent}")
            if a.balance_minutes != earned - spent:
                problems.append(
                    f"account {i} has balance {a.balance_minutes}, but its transfers in minus out "
                    f"make {earned - spent}"
                )
            if a.version != count:
                problems.append(f"account {i} version {a.version}, transfer count {count}")
        return problems


def _in_posting_order(transfers: Iterable[StoredTransfer]) -> list[StoredTransfer]:
    return sorted(transfers, key=lambda t: t.transfer_id)


def check_transfers_well_formed(transfers: Iterable[StoredTransfer]) -> list[str]:
    """L1: positive whole minutes between two different accounts."""
    return [problem for t in transfers for problem in _malformed(t)]


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
    replay = LedgerReplay()
    for t in _in_posting_order(transfers):
        replay.add(t)
    return replay.counter_problems(accounts)


def check_running_balances(transfers: Sequence[StoredTransfer]) -> list[str]:
    """L10: each transfer's recorded balance-after equals the sum of transfers up to it."""
    replay = LedgerReplay()
    for t in _in_posting_order(transfers):
        replay.add(t)
    return replay.running_problems


def check_all_in_posting_order(
    accounts: Sequence[AccountState], transfers: Iterable[StoredTransfer]
) -> list[str]:
    """Every snapshot invariant, in one pass over transfers given in posting order (a cursor will do)."""
    replay = LedgerReplay()
    for t in transfers:
        replay.add(t)
    return [
        *replay.malformed,
        *check_zero_sum(accounts),
        *check_limits_hold(accounts),
        *replay.counter_problems(accounts),
        *replay.running_problems,
    ]


def check_all(accounts: Sequence[AccountState], transfers: Sequence[StoredTransfer]) -> list[str]:
    """Every snapshot invariant at once, the transfers in any order."""
    return check_all_in_posting_order(accounts, _in_posting_order(transfers))
