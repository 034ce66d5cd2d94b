"""The posting rules (timebank.ledger.rules), with no database.

Covers ``check_minutes`` (whole, positive minutes within the timebank's limit and the hard ceiling),
``post`` (counters, versions and balance-after per transfer; every refusal the rules name; that the
input mapping is never changed), ``check_new_limits``, ``check_limits`` and ``check_text``. Property
tests drive ``post`` with random accounts and random intents: either it refuses with a ledger error,
or the result conserves the sum of balances (L2), keeps every changed account within its limits (L4),
keeps earned minus spent equal to the balance change (L3), and replaying the posted transfers from
the starting states reproduces the final states (L9, L10). A small reference model decides which of
"refused as a bad request", "refused by a limit" and "posted" must happen, so the tests also catch a
``post`` that refuses too much.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal
from types import MappingProxyType

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from timebank.errors import AccountNotFound, InvalidRequest, LimitBreached, NotFound, TimebankError
from timebank.ledger.errors import (
    AccountsMustDiffer,
    BalanceAboveCap,
    BalanceBelowFloor,
    CapMustNotBeNegative,
    FloorMustNotBePositive,
    LimitExcludesBalance,
    MinutesAboveTransferLimit,
    MinutesMustBePositive,
    MinutesMustBeWhole,
    TextTooLong,
)
from timebank.ledger.rules import (
    MINUTES_PER_TRANSFER_MAX,
    check_limits,
    check_minutes,
    check_new_limits,
    check_text,
    post,
)
from timebank.ledger.types import AccountKind, AccountState, PostedTransfer, TransferIntent

TIMEBANK_ID = 7


def account(
    account_id: int,
    balance_minutes: int = 0,
    *,
    floor_minutes: int = -600,
    cap_minutes: int | None = None,
    spent_minutes: int | None = None,
    version: int = 0,
    kind: AccountKind = AccountKind.MEMBER,
) -> AccountState:
    """An account whose counters agree with its balance (earned - spent == balance)."""
    if spent_minutes is None:
        spent_minutes = max(0, -balance_minutes)
    return AccountState(
        account_id=account_id,
        timebank_id=TIMEBANK_ID,
        kind=kind,
        balance_minutes=balance_minutes,
        earned_minutes=spent_minutes + balance_minutes,
        spent_minutes=spent_minutes,
        floor_minutes=floor_minutes,
        cap_minutes=cap_minutes,
        version=version,
    )


def by_id(*states: AccountState) -> dict[int, AccountState]:
    return {state.account_id: state for state in states}


# --- check_minutes ------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [1, 60, 599, MINUTES_PER_TRANSFER_MAX])
def test_check_minutes_returns_a_whole_positive_number_of_minutes_unchanged(minutes: int) -> None:
    assert check_minutes(minutes) == minutes
    assert type(check_minutes(minutes)) is int


@pytest.mark.parametrize("minutes", [0, -1, -60, -(10**30)])
def test_check_minutes_refuses_zero_and_negative_minutes_as_not_positive(minutes: int) -> None:
    with pytest.raises(MinutesMustBePositive) as refusal:
        check_minutes(minutes)
    assert refusal.value.code == "minutes_must_be_positive"


@pytest.mark.parametrize(
    "minutes",
    [
        2.0,
        60.0,
        1.5,
        0.0,
        -3.0,
        float("nan"),
        float("inf"),
        True,
        False,
        "60",
        "",
        None,
        Decimal(60),
        [60],
    ],
    ids=repr,
)
def test_check_minutes_refuses_anything_but_an_int_as_not_whole(minutes: object) -> None:
    # A float is refused even when it holds a whole number, and a bool even though bool is an int:
    # a quantity must never pass through a float, and True is not one minute.
    with pytest.raises(MinutesMustBeWhole) as refusal:
        check_minutes(minutes)
    assert refusal.value.code == "minutes_must_be_whole"


def test_check_minutes_refuses_a_whole_float_with_its_own_sentence() -> None:
    with pytest.raises(MinutesMustBeWhole) as refusal:
        check_minutes(2.0)
    assert "decimal point" in refusal.value.detail


def test_check_minutes_accepts_exactly_the_timebank_limit_and_refuses_one_more() -> None:
    assert check_minutes(120, limit_minutes=120) == 120
    with pytest.raises(MinutesAboveTransferLimit) as refusal:
        check_minutes(121, limit_minutes=120)
    assert refusal.value.code == "minutes_above_transfer_limit"
    assert (
        refusal.value.detail
        == "The timebank allows at most 2 hours in one exchange or gift, not 2 hours 1 minute"
    )


def test_check_minutes_refuses_more_than_the_hard_ceiling_by_default() -> None:
    assert check_minutes(MINUTES_PER_TRANSFER_MAX) == MINUTES_PER_TRANSFER_MAX
    with pytest.raises(MinutesAboveTransferLimit):
        check_minutes(MINUTES_PER_TRANSFER_MAX + 1)
    with pytest.raises(MinutesAboveTransferLimit):
        check_minutes(10**30)


def test_check_minutes_keeps_the_hard_ceiling_even_when_a_timebank_sets_a_higher_limit() -> None:
    with pytest.raises(MinutesAboveTransferLimit):
        check_minutes(MINUTES_PER_TRANSFER_MAX + 1, limit_minutes=2 * MINUTES_PER_TRANSFER_MAX)


def test_check_minutes_above_the_hard_ceiling_names_the_ceiling_that_applied() -> None:
    higher = 2 * MINUTES_PER_TRANSFER_MAX
    with pytest.raises(MinutesAboveTransferLimit) as refusal:
        check_minutes(MINUTES_PER_TRANSFER_MAX + 1, limit_minutes=higher)
    assert "at most 168 hours in one exchange" in refusal.value.detail  # MINUTES_PER_TRANSFER_MAX
    assert str(higher) not in refusal.value.detail


def test_check_minutes_checks_wholeness_before_sign_and_sign_before_size() -> None:
    # The errors tree promises one answer per request, the first rule broken.
    with pytest.raises(MinutesMustBeWhole):
        check_minutes(-1.5, limit_minutes=1)
    with pytest.raises(MinutesMustBePositive):
        check_minutes(-5, limit_minutes=-10)


def test_the_hard_ceiling_is_a_week_of_minutes() -> None:
    assert MINUTES_PER_TRANSFER_MAX == 7 * 24 * 60


# --- check_text ---------------------------------------------------------------------------------


def test_check_text_accepts_none_and_text_up_to_the_limit() -> None:
    check_text("description", None, 3)
    check_text("description", "", 3)
    check_text("description", "abc", 3)


def test_check_text_refuses_text_one_character_over_the_limit() -> None:
    with pytest.raises(TextTooLong) as refusal:
        check_text("description", "abcd", 3)
    assert refusal.value.code == "text_too_long"
    assert "description" in refusal.value.detail


# --- check_limits -------------------------------------------------------------------------------


def test_check_limits_accepts_a_balance_exactly_at_its_floor_or_cap() -> None:
    check_limits(account(1, -600, floor_minutes=-600))
    check_limits(account(1, 300, cap_minutes=300))
    check_limits(account(1, 10**9, cap_minutes=None))


def test_check_limits_refuses_a_balance_below_its_floor_or_above_its_cap() -> None:
    with pytest.raises(BalanceBelowFloor):
        check_limits(account(1, -601, floor_minutes=-600))
    with pytest.raises(BalanceAboveCap):
        check_limits(account(1, 301, cap_minutes=300))


# --- post: what it does -------------------------------------------------------------------------


def test_post_moves_minutes_from_source_to_target_and_updates_every_counter() -> None:
    accounts = by_id(account(1, 0, version=3), account(2, 100, spent_minutes=20, version=5))

    changed, posted = post(accounts, [TransferIntent(1, 2, 60)])

    assert changed[1] == replace(accounts[1], balance_minutes=-60, spent_minutes=60, version=4)
    assert changed[2] == replace(accounts[2], balance_minutes=160, earned_minutes=180, version=6)
    assert posted == [
        PostedTransfer(1, 2, 60, source_balance_after_minutes=-60, target_balance_after_minutes=160)
    ]


def test_post_returns_only_the_accounts_the_transfers_touch() -> None:
    accounts = by_id(account(1), account(2), account(3))

    changed, _ = post(accounts, [TransferIntent(1, 2, 30)])

    assert set(changed) == {1, 2}


def test_post_keeps_kind_timebank_floor_and_cap_of_each_account() -> None:
    accounts = by_id(
        account(1, floor_minutes=-6000, kind=AccountKind.ORGANISATION),
        account(2, cap_minutes=900, kind=AccountKind.POT),
    )

    changed, _ = post(accounts, [TransferIntent(1, 2, 60)])

    for account_id in (1, 2):
        assert changed[account_id].kind == accounts[account_id].kind
        assert changed[account_id].timebank_id == TIMEBANK_ID
        assert changed[account_id].floor_minutes == accounts[account_id].floor_minutes
        assert changed[account_id].cap_minutes == accounts[account_id].cap_minutes


def test_post_applies_several_transfers_in_order_when_one_account_appears_in_each() -> None:
    accounts = by_id(account(1), account(2), account(3))
    intents = [TransferIntent(1, 2, 60), TransferIntent(3, 2, 30), TransferIntent(2, 1, 20)]

    changed, posted = post(accounts, intents)

    assert changed[2] == replace(
        accounts[2], balance_minutes=70, earned_minutes=90, spent_minutes=20, version=3
    )
    assert changed[1] == replace(
        accounts[1], balance_minutes=-40, earned_minutes=20, spent_minutes=60, version=2
    )
    assert changed[3] == replace(accounts[3], balance_minutes=-30, spent_minutes=30, version=1)
    # Each transfer records both balances as they stood right after it, not the final ones.
    assert [(p.source_balance_after_minutes, p.target_balance_after_minutes) for p in posted] == [
        (-60, 60),
        (-30, 90),
        (70, -40),
    ]
    assert [(p.source_account_id, p.target_account_id, p.minutes) for p in posted] == [
        (1, 2, 60),
        (3, 2, 30),
        (2, 1, 20),
    ]


def test_post_of_no_transfers_changes_nothing() -> None:
    assert post(by_id(account(1), account(2)), []) == ({}, [])


def test_post_allows_a_balance_to_reach_exactly_its_floor_or_cap() -> None:
    accounts = by_id(account(1, 0, floor_minutes=-60), account(2, 0, cap_minutes=60))

    changed, _ = post(accounts, [TransferIntent(1, 2, 60)])

    assert changed[1].balance_minutes == -60
    assert changed[2].balance_minutes == 60


def test_post_checks_limits_after_each_transfer_so_order_matters() -> None:
    # Account 2 may not go below zero. Receiving before paying is fine; paying first is not, even
    # though the transaction as a whole would leave it at zero.
    accounts = by_id(account(1), account(2, 0, floor_minutes=0), account(3))

    changed, _ = post(accounts, [TransferIntent(1, 2, 60), TransferIntent(2, 3, 60)])
    assert changed[2].balance_minutes == 0

    with pytest.raises(BalanceBelowFloor):
        post(accounts, [TransferIntent(2, 3, 60), TransferIntent(1, 2, 60)])


# --- post: what it refuses ----------------------------------------------------------------------


def test_post_refuses_a_transfer_that_would_take_the_source_below_its_floor() -> None:
    accounts = by_id(account(1, -30, floor_minutes=-60), account(2))

    with pytest.raises(BalanceBelowFloor) as refusal:
        post(accounts, [TransferIntent(1, 2, 31)])
    assert refusal.value.code == "balance_below_floor"


def test_post_refuses_a_transfer_that_would_take_the_target_above_its_cap() -> None:
    accounts = by_id(account(1), account(2, 50, cap_minutes=60))

    with pytest.raises(BalanceAboveCap) as refusal:
        post(accounts, [TransferIntent(1, 2, 11)])
    assert refusal.value.code == "balance_above_cap"


def test_post_refuses_a_later_transfer_that_breaks_a_limit_an_earlier_one_approached() -> None:
    accounts = by_id(account(1, 0, floor_minutes=-90), account(2), account(3))

    with pytest.raises(BalanceBelowFloor):
        post(accounts, [TransferIntent(1, 2, 60), TransferIntent(1, 3, 31)])


def test_post_refuses_a_transfer_from_an_account_to_itself() -> None:
    with pytest.raises(AccountsMustDiffer) as refusal:
        post(by_id(account(1)), [TransferIntent(1, 1, 60)])
    assert refusal.value.code == "accounts_must_differ"


@pytest.mark.parametrize("intent", [TransferIntent(1, 99, 60), TransferIntent(99, 1, 60)])
def test_post_refuses_a_transfer_naming_an_account_it_was_not_given(intent: TransferIntent) -> None:
    with pytest.raises(AccountNotFound) as refusal:
        post(by_id(account(1), account(2)), [intent])
    assert refusal.value.code == "account_not_found"


@pytest.mark.parametrize(
    ("minutes", "error"),
    [
        (0, MinutesMustBePositive),
        (-60, MinutesMustBePositive),
        (2.0, MinutesMustBeWhole),
        (True, MinutesMustBeWhole),
        (121, MinutesAboveTransferLimit),
    ],
)
def test_post_refuses_minutes_that_check_minutes_refuses(minutes: object, error: type[Exception]) -> None:
    intent = TransferIntent(1, 2, minutes)  # type: ignore[arg-type]

    with pytest.raises(error):
        post(by_id(account(1), account(2)), [intent], limit_minutes=120)


def test_post_checks_every_transfer_before_any_limit() -> None:
    # The first transfer would break a floor, the second is malformed: the request is refused for
    # what it is before the limits it would meet are considered (the errors tree's order).
    accounts = by_id(account(1, 0, floor_minutes=0), account(2))

    with pytest.raises(MinutesMustBePositive):
        post(accounts, [TransferIntent(1, 2, 60), TransferIntent(2, 1, 0)])


def test_post_checks_minutes_before_accounts_and_accounts_differ_before_they_exist() -> None:
    with pytest.raises(MinutesMustBePositive):
        post({}, [TransferIntent(5, 5, 0)])
    with pytest.raises(AccountsMustDiffer):
        post({}, [TransferIntent(5, 5, 60)])


def test_post_does_not_change_the_mapping_it_is_given() -> None:
    accounts = by_id(account(1), account(2), account(3, 0, floor_minutes=0))
    before = dict(accounts)

    post(accounts, [TransferIntent(1, 2, 60), TransferIntent(2, 3, 30)])
    assert accounts == before

    with pytest.raises(BalanceBelowFloor):
        post(accounts, [TransferIntent(1, 2, 60), TransferIntent(3, 1, 30)])
    assert accounts == before


def test_post_works_on_a_read_only_mapping() -> None:
    accounts = MappingProxyType(by_id(account(1), account(2)))

    changed, _ = post(accounts, [TransferIntent(1, 2, 60)])

    assert changed[2].balance_minutes == 60


# --- check_new_limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("balance", "floor", "cap"),
    [(0, 0, None), (0, 0, 0), (-600, -600, None), (600, -600, 600), (10, -600, None)],
)
def test_check_new_limits_accepts_limits_that_hold_the_current_balance(
    balance: int, floor: int, cap: int | None
) -> None:
    check_new_limits(balance, floor, cap)


@pytest.mark.parametrize(
    ("balance", "floor", "cap", "error"),
    [
        (0, 1, None, FloorMustNotBePositive),
        (0, 1.0, None, MinutesMustBeWhole),
        (0, -60.0, None, MinutesMustBeWhole),
        (0, False, None, MinutesMustBeWhole),
        (0, "-60", None, MinutesMustBeWhole),
        (0, None, None, MinutesMustBeWhole),
        (0, -60, -1, CapMustNotBeNegative),
        (0, -60, 60.0, MinutesMustBeWhole),
        (0, -60, True, MinutesMustBeWhole),
        (-61, -60, None, LimitExcludesBalance),
        (61, -60, 60, LimitExcludesBalance),
        (1, 0, 0, LimitExcludesBalance),
        # A malformed floor is reported before a malformed cap.
        (0, 5, -5, FloorMustNotBePositive),
    ],
)
def test_check_new_limits_refuses_malformed_limits_and_limits_that_exclude_the_balance(
    balance: int, floor: object, cap: object, error: type[TimebankError]
) -> None:
    with pytest.raises(error) as refusal:
        check_new_limits(balance, floor, cap)  # type: ignore[arg-type]
    assert refusal.value.code == error.code


# --- properties ---------------------------------------------------------------------------------

UNKNOWN_ACCOUNT_ID = 99


@st.composite
def account_states(draw: st.DrawFn, account_id: int) -> AccountState:
    floor_minutes = draw(st.integers(-600, 0))
    cap_minutes = draw(st.none() | st.integers(0, 600))
    high = 900 if cap_minutes is None else cap_minutes
    balance_minutes = draw(st.integers(floor_minutes, high))
    spent_minutes = draw(st.integers(max(0, -balance_minutes), 2_000))
    return account(
        account_id,
        balance_minutes,
        floor_minutes=floor_minutes,
        cap_minutes=cap_minutes,
        spent_minutes=spent_minutes,
        version=draw(st.integers(0, 50)),
        kind=draw(st.sampled_from(AccountKind)),
    )


@st.composite
def account_maps(draw: st.DrawFn) -> dict[int, AccountState]:
    count = draw(st.integers(2, 6))
    return {i: draw(account_states(i)) for i in range(1, count + 1)}


# Mostly sensible minutes, sometimes the values a careless caller might send.
ODD_MINUTES = st.sampled_from([0, -1, 1.5, 2.0, True, None, "60", MINUTES_PER_TRANSFER_MAX + 1])
MINUTES = st.integers(1, 400) | st.integers(1, 400) | st.integers(1, 400) | ODD_MINUTES


@st.composite
def intent_lists(draw: st.DrawFn, accounts: dict[int, AccountState], odd: bool) -> list[TransferIntent]:
    ids = sorted(accounts)
    if odd:
        ids = [*ids, UNKNOWN_ACCOUNT_ID]
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
    else:
        pairs = st.permutations(ids).map(lambda p: (p[0], p[1]))
    minutes = MINUTES if odd else st.integers(1, 400)
    return [
        TransferIntent(source, target, amount)  # type: ignore[arg-type]
        for (source, target), amount in draw(st.lists(st.tuples(pairs, minutes), max_size=6))
    ]


@dataclass(frozen=True)
class Scenario:
    accounts: dict[int, AccountState]
    intents: list[TransferIntent]
    limit_minutes: int


@st.composite
def scenarios(draw: st.DrawFn, odd: bool) -> Scenario:
    accounts = draw(account_maps())
    intents = draw(intent_lists(accounts, odd))
    limit_minutes = draw(st.sampled_from([MINUTES_PER_TRANSFER_MAX, MINUTES_PER_TRANSFER_MAX, 300, 60]))
    return Scenario(accounts, intents, limit_minutes)


def intent_is_well_formed(intent: TransferIntent, accounts: dict[int, AccountState], limit: int) -> bool:
    minutes = intent.minutes
    return (
        type(minutes) is int
        and 0 < minutes <= limit
        and intent.source_account_id != intent.target_account_id
        and intent.source_account_id in accounts
        and intent.target_account_id in accounts
    )


def stays_within_limits(scenario: Scenario) -> bool:
    """A reference model: apply the transfers one by one, checking each side's limits after each."""
    balances = {i: a.balance_minutes for i, a in scenario.accounts.items()}
    for intent in scenario.intents:
        balances[intent.source_account_id] -= intent.minutes
        balances[intent.target_account_id] += intent.minutes
        for account_id in (intent.source_account_id, intent.target_account_id):
            state = scenario.accounts[account_id]
            if balances[account_id] < state.floor_minutes:
                return False
            if state.cap_minutes is not None and balances[account_id] > state.cap_minutes:
                return False
    return True


def replay(initial: dict[int, AccountState], posted: list[PostedTransfer]) -> dict[int, AccountState]:
    """Rebuild account states from the starting ones and the posted transfers alone."""
    states = dict(initial)
    for transfer in posted:
        source = states[transfer.source_account_id]
        target = states[transfer.target_account_id]
        source = replace(
            source,
            balance_minutes=source.balance_minutes - transfer.minutes,
            spent_minutes=source.spent_minutes + transfer.minutes,
            version=source.version + 1,
        )
        target = replace(
            target,
            balance_minutes=target.balance_minutes + transfer.minutes,
            earned_minutes=target.earned_minutes + transfer.minutes,
            version=target.version + 1,
        )
        assert transfer.source_balance_after_minutes == source.balance_minutes
        assert transfer.target_balance_after_minutes == target.balance_minutes
        states[source.account_id] = source
        states[target.account_id] = target
    return states


def assert_posting_is_sound(scenario: Scenario) -> None:
    initial = scenario.accounts
    snapshot = dict(initial)
    effective_limit = min(scenario.limit_minutes, MINUTES_PER_TRANSFER_MAX)
    well_formed = all(intent_is_well_formed(i, initial, effective_limit) for i in scenario.intents)
    try:
        changed, posted = post(initial, scenario.intents, scenario.limit_minutes)
    except TimebankError as refusal:
        event(f"refused: {refusal.code}")
        assert initial == snapshot
        # A malformed request is refused as such; only a well-formed one meets the limits.
        if well_formed:
            assert isinstance(refusal, LimitBreached)
            assert not stays_within_limits(scenario)
        else:
            assert isinstance(refusal, InvalidRequest | NotFound)
        return
    event("posted")
    assert initial == snapshot
    assert well_formed
    assert stays_within_limits(scenario)

    touched = {i.source_account_id for i in scenario.intents} | {
        i.target_account_id for i in scenario.intents
    }
    assert set(changed) == touched
    final = {**initial, **changed}

    # L2: credits are never minted or destroyed.
    assert sum(a.balance_minutes for a in final.values()) == sum(a.balance_minutes for a in initial.values())
    appearances: Counter[int] = Counter()
    for intent in scenario.intents:
        appearances[intent.source_account_id] += 1
        appearances[intent.target_account_id] += 1
    for account_id, state in changed.items():
        before = initial[account_id]
        # L4: within limits after the posting ...
        assert state.balance_minutes >= state.floor_minutes
        assert state.cap_minutes is None or state.balance_minutes <= state.cap_minutes
        # L3: the counters move together with the balance, and the version counts transfers.
        earned_delta = state.earned_minutes - before.earned_minutes
        spent_delta = state.spent_minutes - before.spent_minutes
        assert earned_delta - spent_delta == state.balance_minutes - before.balance_minutes
        assert earned_delta >= 0
        assert spent_delta >= 0
        assert state.version == before.version + appearances[account_id]
    # ... and after every single transfer (L4 at each step; L10 running balances).
    for transfer in posted:
        for account_id, balance_after in (
            (transfer.source_account_id, transfer.source_balance_after_minutes),
            (transfer.target_account_id, transfer.target_balance_after_minutes),
        ):
            state = initial[account_id]
            assert balance_after >= state.floor_minutes
            assert state.cap_minutes is None or balance_after <= state.cap_minutes

    # L9: the posted transfers alone, replayed from the starting states, give the final states.
    assert [(p.source_account_id, p.target_account_id, p.minutes) for p in posted] == [
        (i.source_account_id, i.target_account_id, i.minutes) for i in scenario.intents
    ]
    assert replay(initial, posted) == final


@settings(max_examples=300)
@given(scenarios(odd=False))
def test_post_of_well_formed_transfers_either_breaches_a_limit_or_keeps_every_invariant(
    scenario: Scenario,
) -> None:
    assert_posting_is_sound(scenario)


@settings(max_examples=300)
@given(scenarios(odd=True))
def test_post_of_any_transfers_either_refuses_by_rule_or_keeps_every_invariant(scenario: Scenario) -> None:
    assert_posting_is_sound(scenario)


@settings(max_examples=300)
@given(account_maps(), st.data())
def test_posting_in_two_steps_gives_the_same_states_as_posting_at_once(
    accounts: dict[int, AccountState], data: st.DataObject
) -> None:
    intents = data.draw(intent_lists(accounts, odd=False))
    split = data.draw(st.integers(0, len(intents)))
    try:
        changed_at_once, posted_at_once = post(accounts, intents)
    except LimitBreached:
        # Only a posting that succeeds as a whole is split; refusals are covered above.
        return
    first_changed, first_posted = post(accounts, intents[:split])
    second_changed, second_posted = post({**accounts, **first_changed}, intents[split:])

    assert {**accounts, **first_changed, **second_changed} == {**accounts, **changed_at_once}
    assert first_posted + second_posted == posted_at_once
