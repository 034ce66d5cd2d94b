"""The rules that tie a report's inputs together, checked before any figure is computed.

Each row of ``ReportInputs`` checks itself when it is made; the rules here span rows. They are the
storage layer's contract written as code: an account's given and received minutes are the sums of
its pairs; its partners are the accounts it has pairs with; a pair's ends are listed accounts; an
active account's last exchange lies in the window and an idle one's before it; the months are the
calendar months the window touches, and their totals add up to the window's. A query that breaks
one would publish a wrong figure to a funder, so ``build_report`` refuses such inputs outright.

The pairs are numpy columns (``PairColumns``, ``MonthPairColumns``): each rule over them is a sort,
a lookup or a sum in compiled loops, and only the rows that break a rule become messages.

Like the ledger's invariant checks, ``check_inputs`` returns every problem it finds, not the first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np

from timebank.reports.account_index import AccountIndex, repeated
from timebank.reports.inputs import (
    AccountTotals,
    BoolColumn,
    IntColumn,
    MonthInputs,
    ReportInputs,
)
from timebank.reports.networks import partner_counts
from timebank.reports.windows import months_touched

__all__ = ["InconsistentInputs", "check_inputs"]


class InconsistentInputs(ValueError):
    """The inputs contradict each other; ``problems`` lists every contradiction found."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def _repeated(keys: Sequence[object], what: str) -> list[str]:
    if len(set(keys)) == len(keys):  # the usual case, and cheaper than counting
        return []
    return [f"{what} {key} is listed {n} times" for key, n in Counter(keys).items() if n > 1]


def _repeated_pairs(
    index: AccountIndex, giver_at: IntColumn, receiver_at: IntColumn
) -> list[tuple[tuple[int, int], int]]:
    """Each ordered pair (of indexed ends) listed more than once, with how many times."""
    if len(giver_at) == 0:
        return []
    keys = giver_at * len(index) + receiver_at
    twice, counts = repeated(keys)
    ids = index.ids
    return [
        ((int(ids[key // len(index)]), int(ids[key % len(index)])), int(count))
        for key, count in zip(twice.tolist(), counts.tolist(), strict=True)
    ]


def _check_account(account: AccountTotals, inputs: ReportInputs, pair_exchanges: int) -> list[str]:
    """An account's own counts and dates against the window."""
    name = f"account {account.account_id}"
    problems = []
    if inputs.group is None and not account.in_group:
        problems.append(f"{name} is outside the group of a report with no group")
    if account.is_active != (account.exchange_count > 0):
        problems.append(f"{name} has minutes without exchanges, or exchanges without minutes")
    if account.exchange_count > pair_exchanges:
        problems.append(f"{name} took part in more exchanges than its pairs record")
    last_on = account.last_exchange_on
    if last_on is not None and last_on >= inputs.to_on:
        problems.append(f"{name} has a last exchange on or after the window's end")
    if account.is_active and (last_on is None or last_on < inputs.from_on):
        problems.append(f"{name} is active but its last exchange is before the window")
    if not account.is_active and last_on is not None and last_on >= inputs.from_on:
        problems.append(f"{name} is idle but its last exchange is inside the window")
    return problems


def _pair_names(giver: IntColumn, receiver: IntColumn, which: BoolColumn) -> list[str]:
    return [f"{g}→{r}" for g, r in zip(giver[which].tolist(), receiver[which].tolist(), strict=True)]


def _check_pairs(inputs: ReportInputs, index: AccountIndex, in_group: BoolColumn) -> list[str]:
    """The window's pairs against each other, the accounts and the window's counts."""
    pairs = inputs.pairs
    giver, receiver = pairs.giver_account_id, pairs.receiver_account_id
    giver_at, giver_known = index.positions(giver)
    receiver_at, receiver_known = index.positions(receiver)
    known = giver_known & receiver_known
    problems = [
        f"window: pair {name} names an account not listed" for name in _pair_names(giver, receiver, ~known)
    ]
    giver_at, receiver_at = giver_at[known], receiver_at[known]
    minutes, exchanges = pairs.minutes[known], pairs.exchange_count[known]
    problems = [
        f"pair {key} is listed {n} times" for key, n in _repeated_pairs(index, giver_at, receiver_at)
    ] + problems
    given = index.sums_at(giver_at, minutes).tolist()
    received = index.sums_at(receiver_at, minutes).tolist()
    partners = partner_counts(index, giver_at, receiver_at).tolist()
    took_part = (index.sums_at(giver_at, exchanges) + index.sums_at(receiver_at, exchanges)).tolist()
    at = dict(zip(index.ids.tolist(), range(len(index)), strict=True))
    for account in inputs.accounts:
        i, k = account.account_id, at[account.account_id]
        if account.given_minutes != given[k]:
            problems.append(f"account {i} gave {account.given_minutes} minutes; its pairs say {given[k]}")
        if account.received_minutes != received[k]:
            problems.append(f"account {i} received {account.received_minutes}; its pairs say {received[k]}")
        if account.partner_count != partners[k]:
            problems.append(f"account {i} has {account.partner_count} partners; its pairs say {partners[k]}")
        problems.extend(_check_account(account, inputs, took_part[k]))
    # Each pair's exchanges belong to one exchange each, and an exchange has at least one pair.
    touching = in_group[giver_at] | in_group[receiver_at]
    if inputs.exchange_count > int(exchanges[touching].sum()):
        problems.append("the window counts more exchanges than its pairs record")
    if (inputs.exchange_count == 0) != (not touching.any()):
        problems.append("the window's exchange count disagrees with whether it has pairs")
    if inputs.new_tie_count > int(np.count_nonzero(touching)):
        problems.append("the window has more new ties than pairs")
    return problems


def _check_month(month: MonthInputs, window: AccountIndex, in_group: BoolColumn) -> list[str]:
    where = f"month {month.month_on}"
    accounts, pairs = month.accounts, month.pairs
    account_ids = accounts.account_id
    problems = _repeated(account_ids.tolist(), f"{where}: account")
    listed_at, listed = window.positions(account_ids)
    problems += [
        f"{where}: account {i} is not among the window's accounts" for i in account_ids[~listed].tolist()
    ]
    giver, receiver, minutes = pairs.giver_account_id, pairs.receiver_account_id, pairs.minutes
    bad = (giver == receiver) | (minutes <= 0)
    problems += [
        f"{where}: pair {name} gives to itself or moves no minutes"
        for name in _pair_names(giver, receiver, bad)
    ]
    # The month's accounts, found among the window's: a pair's ends must be among them.
    in_month = np.zeros(len(window), dtype=np.bool_)
    in_month[listed_at[listed]] = True
    giver_at, giver_known = window.positions(giver)
    receiver_at, receiver_known = window.positions(receiver)
    known = giver_known & receiver_known & in_month[giver_at] & in_month[receiver_at]
    giver_at, receiver_at, minutes = giver_at[known], receiver_at[known], minutes[known]
    problems += [
        f"{where}: pair {key} is listed {n} times"
        for key, n in _repeated_pairs(window, giver_at, receiver_at)
    ]
    problems += [
        f"{where}: pair {name} names an account not listed" for name in _pair_names(giver, receiver, ~known)
    ]
    given, received = window.sums_at(giver_at, minutes), window.sums_at(receiver_at, minutes)
    at = listed_at[listed]
    disagree = (accounts.given_minutes[listed] != given[at]) | (
        accounts.received_minutes[listed] != received[at]
    )
    problems += [
        f"{where}: account {i}'s minutes disagree with its pairs"
        for i in account_ids[listed][disagree].tolist()
    ]
    touching = bool((in_group[giver_at] | in_group[receiver_at]).any())
    if (month.exchange_count == 0) != (not touching):
        problems.append(f"{where}: the exchange count disagrees with whether it has pairs")
    return problems


def _check_months(inputs: ReportInputs, window: AccountIndex, in_group: BoolColumn) -> list[str]:
    expected = months_touched(inputs.from_on, inputs.to_on)
    found = [m.month_on for m in inputs.months]
    if found != expected:
        return [f"the months are {found}; the window touches {expected}"]
    problems = [problem for month in inputs.months for problem in _check_month(month, window, in_group)]
    month_given = np.zeros(len(window), dtype=np.int64)
    month_received = np.zeros(len(window), dtype=np.int64)
    for month in inputs.months:
        accounts = month.accounts
        at, known = window.positions(accounts.account_id)
        np.add.at(month_given, at[known], accounts.given_minutes[known])
        np.add.at(month_received, at[known], accounts.received_minutes[known])
    given, received = window.as_dict(month_given), window.as_dict(month_received)
    for account in inputs.accounts:
        i = account.account_id
        if given[i] != account.given_minutes or received[i] != account.received_minutes:
            problems.append(f"account {i}'s months do not add up to its window")
    if sum(m.exchange_count for m in inputs.months) != inputs.exchange_count:
        problems.append("the months' exchange counts do not add up to the window's")
    return problems


def check_inputs(inputs: ReportInputs) -> list[str]:
    """Every contradiction between the rows of ``inputs``; an empty list when they agree."""
    account_ids = [a.account_id for a in inputs.accounts]
    problems = _repeated(account_ids, "account")
    index = AccountIndex(account_ids)
    in_group = np.zeros(len(index), dtype=np.bool_)
    in_group[
        index.positions(np.array([a.account_id for a in inputs.accounts if a.in_group], dtype=np.int64))[0]
    ] = True
    problems += _check_pairs(inputs, index, in_group)
    problems += _check_months(inputs, index, in_group)
    return problems
