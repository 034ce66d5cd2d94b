"""The rules that tie a report's inputs together, checked before any figure is computed.

Each row of ``ReportInputs`` checks itself when it is made; the rules here span rows. They are the
storage layer's contract written as code: an account's given and received minutes are the sums of
its pairs; its partners are the accounts it has pairs with; a pair's ends are listed accounts; an
active account's last exchange lies in the window and an idle one's before it; the months are the
calendar months the window touches, and their totals add up to the window's. A query that breaks
one would publish a wrong figure to a funder, so ``build_report`` refuses such inputs outright.

Like the ledger's invariant checks, ``check_inputs`` returns every problem it finds, not the first.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from timebank.reports.inputs import (
    AccountTotals,
    MonthInputs,
    MonthPairTotals,
    PairTotals,
    ReportInputs,
)
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


def _partner_counts(keys: Collection[tuple[int, int]]) -> dict[int, int]:
    """Distinct partners per account: pairs out, plus pairs in, less those that are both.

    Counting degrees is a third of the work of a set of partners per account, at a million pairs.
    """
    partners: dict[int, int] = defaultdict(int)
    for giver, receiver in keys:
        partners[giver] += 1
        # If the receiver also gave to the giver, it counts the giver through that pair instead.
        if (receiver, giver) not in keys:
            partners[receiver] += 1
    return partners


def _check_account(
    account: AccountTotals, inputs: ReportInputs, pair_exchanges: Mapping[int, int]
) -> list[str]:
    """An account's own counts and dates against the window."""
    name = f"account {account.account_id}"
    problems = []
    if inputs.group is None and not account.in_group:
        problems.append(f"{name} is outside the group of a report with no group")
    if account.is_active != (account.exchange_count > 0):
        problems.append(f"{name} has minutes without exchanges, or exchanges without minutes")
    if account.exchange_count > pair_exchanges.get(account.account_id, 0):
        problems.append(f"{name} took part in more exchanges than its pairs record")
    last_on = account.last_exchange_on
    if last_on is not None and last_on >= inputs.to_on:
        problems.append(f"{name} has a last exchange on or after the window's end")
    if account.is_active and (last_on is None or last_on < inputs.from_on):
        problems.append(f"{name} is active but its last exchange is before the window")
    if not account.is_active and last_on is not None and last_on >= inputs.from_on:
        problems.append(f"{name} is idle but its last exchange is inside the window")
    return problems


@dataclass
class _PairSums:
    """What one pass over a list of pairs learns: the sums every check needs, and bad pairs."""

    keys: set[tuple[int, int]] = field(default_factory=set)
    repeated: list[tuple[int, int]] = field(default_factory=list)  # each listing after the first
    unknown_ends: list[tuple[int, int]] = field(default_factory=list)
    given: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    received: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    exchanges: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    touching: int = 0  # pairs with an end in the group
    touching_exchanges: int = 0


def _sum_pairs(
    pairs: Iterable[PairTotals | MonthPairTotals], known: Collection[int], group_ids: Collection[int]
) -> _PairSums:
    # One pass, not one per rule: a year's window has a third of a million pairs, and the months
    # as many again.
    sums = _PairSums()
    keys, given, received, exchanges = sums.keys, sums.given, sums.received, sums.exchanges
    for pair in pairs:
        giver, receiver = pair.giver_account_id, pair.receiver_account_id
        key = (giver, receiver)
        if key in keys:
            sums.repeated.append(key)
        keys.add(key)
        if giver not in known or receiver not in known:
            sums.unknown_ends.append(key)
        given[giver] += pair.minutes
        received[receiver] += pair.minutes
        count = getattr(pair, "exchange_count", 0)
        exchanges[giver] += count
        exchanges[receiver] += count
        if giver in group_ids or receiver in group_ids:
            sums.touching += 1
            sums.touching_exchanges += count
    return sums


def _check_accounts_against_pairs(inputs: ReportInputs, sums: _PairSums) -> list[str]:
    given, received = sums.given, sums.received
    partners = _partner_counts(sums.keys)
    problems = []
    for account in inputs.accounts:
        i = account.account_id
        if account.given_minutes != given.get(i, 0):
            problems.append(
                f"account {i} gave {account.given_minutes} minutes; its pairs say {given.get(i, 0)}"
            )
        if account.received_minutes != received.get(i, 0):
            problems.append(
                f"account {i} received {account.received_minutes}; its pairs say {received.get(i, 0)}"
            )
        if account.partner_count != partners.get(i, 0):
            problems.append(
                f"account {i} has {account.partner_count} partners; its pairs say {partners.get(i, 0)}"
            )
        problems.extend(_check_account(account, inputs, sums.exchanges))
    return problems


def _check_window_counts(inputs: ReportInputs, sums: _PairSums) -> list[str]:
    problems = [
        f"pair {p.giver_account_id}→{p.receiver_account_id} first exchanged on or after the window's end"
        for p in inputs.pairs
        if p.first_exchange_on >= inputs.to_on
    ]
    # Each pair's exchanges belong to one exchange each, and an exchange has at least one pair.
    if inputs.exchange_count > sums.touching_exchanges:
        problems.append("the window counts more exchanges than its pairs record")
    if (inputs.exchange_count == 0) != (sums.touching == 0):
        problems.append("the window's exchange count disagrees with whether it has pairs")
    return problems


def _sum_month_pairs(pairs: Sequence[MonthPairTotals]) -> tuple[dict[int, int], dict[int, int]]:
    """Minutes given and received per account in one month (the pairs unpack as plain tuples)."""
    given: dict[int, int] = defaultdict(int)
    received: dict[int, int] = defaultdict(int)
    for giver, receiver, minutes in pairs:
        given[giver] += minutes
        received[receiver] += minutes
    return given, received


def _check_month(
    month: MonthInputs, window_accounts: Mapping[int, AccountTotals], group_ids: Collection[int]
) -> list[str]:
    where = f"month {month.month_on}"
    problems = _repeated([a.account_id for a in month.accounts], f"{where}: account")
    problems += [
        f"{where}: account {a.account_id} is not among the window's accounts"
        for a in month.accounts
        if a.account_id not in window_accounts
    ]
    problems += [
        f"{where}: pair {p.giver_account_id}→{p.receiver_account_id} gives to itself or moves no minutes"
        for p in month.pairs
        if p.giver_account_id == p.receiver_account_id or p.minutes <= 0
    ]
    # A month's pairs are half a million in a year's series: each rule reads them in C where it can.
    keys = [(giver, receiver) for giver, receiver, _ in month.pairs]
    problems += _repeated(keys, f"{where}: pair")
    known = {a.account_id for a in month.accounts}
    if not {end for pair in keys for end in pair} <= known:
        problems += [
            f"{where}: pair {g}→{r} names an account not listed"
            for g, r in keys
            if g not in known or r not in known
        ]
    given, received = _sum_month_pairs(month.pairs)
    for a in month.accounts:
        if a.given_minutes != given.get(a.account_id, 0) or a.received_minutes != received.get(
            a.account_id, 0
        ):
            problems.append(f"{where}: account {a.account_id}'s minutes disagree with its pairs")
    touching = any(g in group_ids or r in group_ids for g, r in keys)
    if (month.exchange_count == 0) != (not touching):
        problems.append(f"{where}: the exchange count disagrees with whether it has pairs")
    return problems


def _check_months(inputs: ReportInputs) -> list[str]:
    expected = months_touched(inputs.from_on, inputs.to_on)
    found = [m.month_on for m in inputs.months]
    if found != expected:
        return [f"the months are {found}; the window touches {expected}"]
    window_accounts = {a.account_id: a for a in inputs.accounts}
    group_ids = {i for i, a in window_accounts.items() if a.in_group}
    problems = [
        problem for month in inputs.months for problem in _check_month(month, window_accounts, group_ids)
    ]
    month_given: dict[int, int] = defaultdict(int)
    month_received: dict[int, int] = defaultdict(int)
    for month in inputs.months:
        for a in month.accounts:
            month_given[a.account_id] += a.given_minutes
            month_received[a.account_id] += a.received_minutes
    for account in inputs.accounts:
        i = account.account_id
        if month_given[i] != account.given_minutes or month_received[i] != account.received_minutes:
            problems.append(f"account {i}'s months do not add up to its window")
    if sum(m.exchange_count for m in inputs.months) != inputs.exchange_count:
        problems.append("the months' exchange counts do not add up to the window's")
    return problems


def check_inputs(inputs: ReportInputs) -> list[str]:
    """Every contradiction between the rows of ``inputs``; an empty list when they agree."""
    problems = _repeated([a.account_id for a in inputs.accounts], "account")
    known = {a.account_id for a in inputs.accounts}
    sums = _sum_pairs(inputs.pairs, known, {a.account_id for a in inputs.accounts if a.in_group})
    problems += [f"pair {key} is listed {n + 1} times" for key, n in Counter(sums.repeated).items()]
    problems += [f"window: pair {g}→{r} names an account not listed" for g, r in sums.unknown_ends]
    problems += _check_accounts_against_pairs(inputs, sums)
    problems += _check_window_counts(inputs, sums)
    problems += _check_months(inputs)
    return problems
