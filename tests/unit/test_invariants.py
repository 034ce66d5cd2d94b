"""The snapshot invariant checks (timebank.ledger.invariants), with no database.

Each check must say nothing about a consistent snapshot and must name the problem in a deliberately
broken one: a transfer of zero, negative or non-whole minutes or between an account and itself (L1),
balances that do not sum to zero in a timebank (L2), counters or a version that disagree with the
transfers (L3, L9), a balance outside its floor or cap (L4), and a recorded balance-after that is not
the running balance (L10). The negative space is tested too: limits reached exactly, sums that are
zero only across timebanks, transfers given out of order.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from timebank.ledger.invariants import (
    LedgerReplay,
    StoredTransfer,
    check_all,
    check_all_in_posting_order,
    check_counters_match_transfers,
    check_limits_hold,
    check_running_balances,
    check_transfers_well_formed,
    check_zero_sum,
)
from timebank.ledger.rules import post
from timebank.ledger.types import AccountKind, AccountState, TransferIntent

TIMEBANK_ID = 7


def state(
    account_id: int,
    balance_minutes: int,
    earned_minutes: int,
    spent_minutes: int,
    version: int,
    *,
    timebank_id: int = TIMEBANK_ID,
    floor_minutes: int = -600,
    cap_minutes: int | None = None,
) -> AccountState:
    return AccountState(
        account_id=account_id,
        timebank_id=timebank_id,
        kind=AccountKind.MEMBER,
        balance_minutes=balance_minutes,
        earned_minutes=earned_minutes,
        spent_minutes=spent_minutes,
        floor_minutes=floor_minutes,
        cap_minutes=cap_minutes,
        version=version,
    )


def transfer(
    transfer_id: int,
    source: int,
    target: int,
    minutes: int,
    source_after: int,
    target_after: int,
) -> StoredTransfer:
    return StoredTransfer(
        transfer_id=transfer_id,
        timebank_id=TIMEBANK_ID,
        source_account_id=source,
        target_account_id=target,
        minutes=minutes,
        source_balance_after_minutes=source_after,
        target_balance_after_minutes=target_after,
    )


# A consistent snapshot: 1 pays 2 an hour, 2 pays 3 half an hour, 3 pays 1 ten minutes. Account 4
# has never traded.
TRANSFERS = [
    transfer(1, 1, 2, 60, -60, 60),
    transfer(2, 2, 3, 30, 30, 30),
    transfer(3, 3, 1, 10, 20, -50),
]
ACCOUNTS = [
    state(1, -50, earned_minutes=10, spent_minutes=60, version=2),
    state(2, 30, earned_minutes=60, spent_minutes=30, version=2, cap_minutes=600),
    state(3, 20, earned_minutes=30, spent_minutes=10, version=2, floor_minutes=0),
    state(4, 0, earned_minutes=0, spent_minutes=0, version=0),
]


def with_account(index: int, **changes: object) -> list[AccountState]:
    accounts = list(ACCOUNTS)
    accounts[index] = replace(accounts[index], **changes)  # type: ignore[arg-type]
    return accounts


def with_transfer(index: int, **changes: object) -> list[StoredTransfer]:
    transfers = list(TRANSFERS)
    transfers[index] = replace(transfers[index], **changes)  # type: ignore[arg-type]
    return transfers


def test_a_consistent_snapshot_passes_every_check() -> None:
    assert check_transfers_well_formed(TRANSFERS) == []
    assert check_zero_sum(ACCOUNTS) == []
    assert check_limits_hold(ACCOUNTS) == []
    assert check_counters_match_transfers(ACCOUNTS, TRANSFERS) == []
    assert check_running_balances(TRANSFERS) == []
    assert check_all(ACCOUNTS, TRANSFERS) == []


def test_an_empty_ledger_passes_every_check() -> None:
    assert check_all([], []) == []


def test_a_snapshot_built_by_the_posting_rules_passes_every_check() -> None:
    accounts = {
        i: state(i, 0, 0, 0, 0, floor_minutes=-120, cap_minutes=None if i != 3 else 90) for i in (1, 2, 3)
    }
    changed, posted = post(
        accounts,
        [TransferIntent(1, 2, 45), TransferIntent(2, 3, 90), TransferIntent(3, 1, 15)],
    )
    stored = [
        StoredTransfer(
            transfer_id=n,
            timebank_id=TIMEBANK_ID,
            source_account_id=p.source_account_id,
            target_account_id=p.target_account_id,
            minutes=p.minutes,
            source_balance_after_minutes=p.source_balance_after_minutes,
            target_balance_after_minutes=p.target_balance_after_minutes,
        )
        for n, p in enumerate(posted, start=1)
    ]

    assert check_all(list({**accounts, **changed}.values()), stored) == []


# --- L1: well-formed transfers ------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [0, -60])
def test_a_transfer_of_zero_or_negative_minutes_is_named(minutes: int) -> None:
    problems = check_transfers_well_formed(with_transfer(1, minutes=minutes))

    assert problems == [f"transfer 2 moves {minutes} minutes"]


@pytest.mark.parametrize("minutes", [1.5, 30.0, True, "30", None], ids=repr)
def test_a_transfer_of_non_integer_minutes_is_named(minutes: object) -> None:
    problems = check_transfers_well_formed(with_transfer(1, minutes=minutes))

    assert len(problems) == 1
    assert "transfer 2" in problems[0]
    assert "non-integer" in problems[0]


def test_a_transfer_from_an_account_to_itself_is_named() -> None:
    problems = check_transfers_well_formed(with_transfer(0, target_account_id=1))

    assert problems == ["transfer 1 moves credits from an account to itself"]


def test_a_transfer_broken_twice_is_named_twice() -> None:
    problems = check_transfers_well_formed(with_transfer(2, minutes=0, target_account_id=3))

    assert len(problems) == 2
    assert all("transfer 3" in p for p in problems)


def test_one_minute_is_a_well_formed_transfer() -> None:
    assert check_transfers_well_formed([transfer(1, 1, 2, 1, -1, 1)]) == []


# --- L2: zero sum per timebank ------------------------------------------------------------------


def test_balances_that_do_not_sum_to_zero_name_the_timebank_and_the_sum() -> None:
    problems = check_zero_sum(with_account(3, balance_minutes=5))

    assert problems == [f"timebank {TIMEBANK_ID} balances sum to 5"]


def test_each_timebank_must_sum_to_zero_on_its_own() -> None:
    # Zero overall, but one timebank has minted ten minutes and the other has lost them.
    accounts = [
        state(1, 10, 10, 0, 1, timebank_id=1),
        state(2, 0, 0, 0, 0, timebank_id=1),
        state(3, -10, 0, 10, 1, timebank_id=2),
    ]

    assert sorted(check_zero_sum(accounts)) == [
        "timebank 1 balances sum to 10",
        "timebank 2 balances sum to -10",
    ]


def test_two_timebanks_each_summing_to_zero_pass() -> None:
    accounts = [
        state(1, 10, 10, 0, 1, timebank_id=1),
        state(2, -10, 0, 10, 1, timebank_id=1),
        state(3, 25, 25, 0, 1, timebank_id=2),
        state(4, -25, 0, 25, 1, timebank_id=2),
    ]

    assert check_zero_sum(accounts) == []


# --- L4: limits ---------------------------------------------------------------------------------


def test_a_balance_below_its_floor_is_named() -> None:
    problems = check_limits_hold(with_account(2, floor_minutes=21))

    assert problems == ["account 3 is below its floor"]


def test_a_balance_above_its_cap_is_named() -> None:
    problems = check_limits_hold(with_account(1, cap_minutes=29))

    assert problems == ["account 2 is above its cap"]


def test_a_balance_exactly_at_its_floor_or_cap_is_within_limits() -> None:
    accounts = [
        state(1, -600, 0, 600, 1, floor_minutes=-600),
        state(2, 600, 600, 0, 1, cap_minutes=600),
        state(3, 0, 0, 0, 0, floor_minutes=0, cap_minutes=0),
    ]

    assert check_limits_hold(accounts) == []


def test_an_account_without_a_cap_has_no_upper_limit() -> None:
    assert check_limits_hold([state(1, 10**12, 10**12, 0, 1, cap_minutes=None)]) == []


# --- L3 and L9: counters match the transfers ----------------------------------------------------


def test_an_earned_counter_that_disagrees_with_the_transfers_is_named() -> None:
    problems = check_counters_match_transfers(
        with_account(0, earned_minutes=11, balance_minutes=-49), TRANSFERS
    )

    assert "account 1 earned 11, transfers say 10" in problems
    assert "account 1 has balance -49, but its transfers in minus out make -50" in problems


def test_a_spent_counter_that_disagrees_with_the_transfers_is_named() -> None:
    problems = check_counters_match_transfers(with_account(1, spent_minutes=31), TRANSFERS)

    assert problems == ["account 2 spent 31, transfers say 30"]


def test_a_balance_that_is_not_in_minus_out_is_named() -> None:
    problems = check_counters_match_transfers(with_account(2, balance_minutes=21), TRANSFERS)

    assert problems == ["account 3 has balance 21, but its transfers in minus out make 20"]


@pytest.mark.parametrize("version", [0, 1, 3])
def test_a_version_that_is_not_the_transfer_count_is_named(version: int) -> None:
    problems = check_counters_match_transfers(with_account(0, version=version), TRANSFERS)

    assert problems == [f"account 1 version {version}, transfer count 2"]


def test_an_account_with_counters_but_no_transfers_is_named() -> None:
    problems = check_counters_match_transfers(
        with_account(3, earned_minutes=5, balance_minutes=5, version=1), TRANSFERS
    )

    assert problems == [
        "account 4 earned 5, transfers say 0",
        "account 4 has balance 5, but its transfers in minus out make 0",
        "account 4 version 1, transfer count 0",
    ]


def test_a_missing_transfer_is_noticed_on_both_accounts_it_touched() -> None:
    problems = check_counters_match_transfers(ACCOUNTS, TRANSFERS[:2])

    assert any(p.startswith("account 3 ") for p in problems)
    assert any(p.startswith("account 1 ") for p in problems)
    assert not any(p.startswith("account 2 ") for p in problems)


# --- L10: running balances ----------------------------------------------------------------------


def test_a_wrong_source_balance_after_is_named() -> None:
    problems = check_running_balances(with_transfer(1, source_balance_after_minutes=31))

    assert problems == ["transfer 2 source balance-after is wrong"]


def test_a_wrong_target_balance_after_is_named() -> None:
    problems = check_running_balances(with_transfer(2, target_balance_after_minutes=-60))

    assert problems == ["transfer 3 target balance-after is wrong"]


def test_running_balances_follow_transfer_ids_not_the_order_given() -> None:
    assert check_running_balances(list(reversed(TRANSFERS))) == []


def test_balance_after_recorded_as_the_final_balance_is_wrong_for_an_earlier_transfer() -> None:
    # Account 1 ends at -50, but right after transfer 1 it stood at -60.
    problems = check_running_balances(with_transfer(0, source_balance_after_minutes=-50))

    assert problems == ["transfer 1 source balance-after is wrong"]


# --- all together -------------------------------------------------------------------------------


def test_check_all_reports_every_broken_invariant_not_only_the_first() -> None:
    accounts = with_account(3, balance_minutes=700, earned_minutes=700, cap_minutes=600)
    transfers = with_transfer(0, minutes=0)

    problems = check_all(accounts, transfers)

    assert "transfer 1 moves 0 minutes" in problems
    assert f"timebank {TIMEBANK_ID} balances sum to 700" in problems
    assert "account 4 is above its cap" in problems
    assert "account 4 earned 700, transfers say 0" in problems
    assert "transfer 1 source balance-after is wrong" in problems


def test_one_pass_in_posting_order_finds_what_check_all_finds() -> None:
    accounts = [
        replace(a, balance_minutes=a.balance_minutes + 1) if a.account_id == 2 else a for a in ACCOUNTS
    ]
    transfers = with_transfer(1, source_balance_after_minutes=31)

    assert check_all_in_posting_order(accounts, iter(transfers)) == check_all(accounts, transfers)
    assert check_all_in_posting_order(ACCOUNTS, iter(TRANSFERS)) == []


def test_the_one_pass_refuses_transfers_out_of_posting_order() -> None:
    replay = LedgerReplay()
    replay.add(TRANSFERS[1])

    with pytest.raises(ValueError, match="not in posting order"):
        replay.add(TRANSFERS[0])
