"""The posting rules: how a set of transfers changes accounts, or why it may not.

Posting is a pure function. It takes the accounts a transaction touches (as read under lock) and the
transfers asked for, checks each transfer on its own (whole, positive minutes within the per-transfer
limit, two different accounts that both exist), then applies them in order and checks every balance
against its floor and cap after each step. It returns the new account states and each transfer with
both sides' balance after it, or raises the error named for the first rule broken. Because nothing
is written until this succeeds, a refused posting changes nothing (L5).

Credits are never minted: every minute that enters one account leaves another, so the sum of
balances in a timebank stays zero (L2) by construction.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import date

from timebank.errors import AccountNotFound
from timebank.ledger.errors import (
    AccountsMustDiffer,
    ActivityDateInFuture,
    ActivityDateTooFarBack,
    BalanceAboveCap,
    BalanceBelowFloor,
    CapMustNotBeNegative,
    FloorMustNotBePositive,
    LimitExcludesBalance,
    MembershipEnded,
    MinutesAboveTransferLimit,
    MinutesMustBePositive,
    MinutesMustBeWhole,
    TextHasControlCharacters,
    TextTooLong,
)
from timebank.ledger.types import AccountState, PostedTransfer, TransferIntent

__all__ = [
    "MINUTES_PER_TRANSFER_MAX",
    "check_activity_date",
    "check_limits",
    "check_minutes",
    "check_new_limits",
    "check_open",
    "check_text",
    "post",
]

# The hard ceiling on one transfer, whatever a timebank sets: a week of round-the-clock help.
# It keeps every counter far inside a 64-bit integer, on every database.
MINUTES_PER_TRANSFER_MAX = 7 * 24 * 60


def check_minutes(minutes: object, limit_minutes: int = MINUTES_PER_TRANSFER_MAX) -> int:
    """Return ``minutes`` if it is a whole number in 1..limit; raise the broken rule otherwise."""
    # bool is an int in Python; True minutes is a type error, not one minute.
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        if isinstance(minutes, float) and minutes.is_integer():  # float ok: refused, never stored
            raise MinutesMustBeWhole("Minutes must be a whole number, written without a decimal point")
        raise MinutesMustBeWhole(f"Minutes must be a whole number, not {minutes!r}")
    if minutes <= 0:
        raise MinutesMustBePositive(f"Minutes must be more than zero, not {minutes}")
    limit = min(limit_minutes, MINUTES_PER_TRANSFER_MAX)
    if minutes > limit:
        raise MinutesAboveTransferLimit(
            f"The timebank allows at most {_duration(limit)} in one exchange or gift, "
            f"not {_duration(minutes)}"
        )
    return minutes


def _duration(minutes: int) -> str:
    """``1440`` → ``24 hours``, ``90`` → ``1 hour 30 minutes``: what a person reads in a refusal.

    The same words as ``timebank.benefits.formatting.format_minutes``, which the ledger may not import.
    """
    hours, rest = divmod(minutes, 60)
    parts = [f"{hours} hour" + ("" if hours == 1 else "s")] if hours else []
    if rest or not hours:
        parts.append(f"{rest} minute" + ("" if rest == 1 else "s"))
    return " ".join(parts)


def check_activity_date(activity_date: date, today: date, backdate_days_max: int | None) -> None:
    """An exchange's day: never after ``today``, and at most ``backdate_days_max`` days before it.

    Help is recorded once it has been given, so a day in the future is a mistake (a mistyped year,
    most often). ``None`` puts no bound on the past: the bulk import of a timebank's history.
    """
    if activity_date > today:
        raise ActivityDateInFuture(
            f"The exchange is dated {activity_date.isoformat()}, which is after today "
            f"({today.isoformat()}). Record help once it has been given."
        )
    if backdate_days_max is not None and (today - activity_date).days > backdate_days_max:
        raise ActivityDateTooFarBack(
            f"The exchange is dated {activity_date.isoformat()}. This timebank takes exchanges dated up "
            f"to {backdate_days_max} days back. A coordinator can change that setting."
        )


# Line breaks and tabs are ordinary in a description; other control characters are not text. Lone
# surrogates cannot be stored as UTF-8 at all, and the bidirectional overrides let a name display as
# something other than what it is, so they are refused with them. Right-to-left scripts themselves
# (Arabic, Hebrew) need none of these and are welcome.
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def check_text(name: str, value: str | None, length_max: int) -> None:
    if value is None:
        return
    if len(value) > length_max:
        raise TextTooLong(f"{name} is {len(value)} characters; the limit is {length_max}")
    for character in value:
        if character in _ALLOWED_CONTROLS:
            continue
        if character in _BIDI_CONTROLS or unicodedata.category(character) in ("Cc", "Cs"):
            raise TextHasControlCharacters(
                f"{name} contains the control character U+{ord(character):04X}; remove it and try again"
            )


def check_open(states: Iterable[AccountState]) -> None:
    """Raise if any of these accounts is closed: a membership that ended gives and receives nothing.

    Every posting checks it (``post``); so does whatever names an account without posting yet: an
    exchange left waiting for consent, attendance at an activity.
    """
    closed = sorted(state.account_id for state in states if state.closed)
    if closed:
        named = ", ".join(str(account_id) for account_id in closed)
        raise MembershipEnded(
            f"The membership of account {named} has ended. Its account can no longer give or receive credits."
            if len(closed) == 1
            else f"The memberships of accounts {named} have ended. Their accounts can no longer give or "
            "receive credits."
        )


def check_limits(state: AccountState) -> None:
    """Raise if the account's balance is outside its floor or cap (L4)."""
    if state.balance_minutes < state.floor_minutes:
        raise BalanceBelowFloor(
            f"Account {state.account_id} would have {state.balance_minutes} minutes, "
            f"below its floor of {state.floor_minutes}"
        )
    if state.cap_minutes is not None and state.balance_minutes > state.cap_minutes:
        raise BalanceAboveCap(
            f"Account {state.account_id} would have {state.balance_minutes} minutes, "
            f"above its cap of {state.cap_minutes}"
        )


def check_new_limits(balance_minutes: int, floor_minutes: int, cap_minutes: int | None) -> None:
    """Raise if a floor or cap is malformed or would exclude the current balance."""
    if isinstance(floor_minutes, bool) or not isinstance(floor_minutes, int):
        raise MinutesMustBeWhole(f"A floor must be a whole number of minutes, not {floor_minutes!r}")
    if floor_minutes > 0:
        raise FloorMustNotBePositive(f"A floor must be zero or below, not {floor_minutes}")
    if cap_minutes is not None:
        if isinstance(cap_minutes, bool) or not isinstance(cap_minutes, int):
            raise MinutesMustBeWhole(f"A cap must be a whole number of minutes, not {cap_minutes!r}")
        if cap_minutes < 0:
            raise CapMustNotBeNegative(f"A cap must be zero or above, not {cap_minutes}")
    if balance_minutes < floor_minutes or (cap_minutes is not None and balance_minutes > cap_minutes):
        raise LimitExcludesBalance(
            f"The balance is {balance_minutes} minutes; a floor of {floor_minutes} and a cap of "
            f"{cap_minutes} would leave it outside"
        )


def _check_intent(intent: TransferIntent, accounts: Mapping[int, AccountState], limit: int) -> None:
    check_minutes(intent.minutes, limit)
    if intent.source_account_id == intent.target_account_id:
        raise AccountsMustDiffer(f"Account {intent.source_account_id} cannot give credits to itself")
    for account_id in (intent.source_account_id, intent.target_account_id):
        if account_id not in accounts:
            raise AccountNotFound(f"There is no account {account_id} in this timebank")


def post(
    accounts: Mapping[int, AccountState],
    intents: Sequence[TransferIntent],
    limit_minutes: int = MINUTES_PER_TRANSFER_MAX,
) -> tuple[dict[int, AccountState], list[PostedTransfer]]:
    """Apply ``intents`` in order to ``accounts``; return the changed states and posted transfers.

    Every intent is checked before any is applied, and every touched account's limits after each
    step, so the caller may write the result as it stands or write nothing.
    """
    for intent in intents:
        _check_intent(intent, accounts, limit_minutes)
    check_open(accounts[account_id] for account_id in _touched(intents))
    states = dict(accounts)
    posted: list[PostedTransfer] = []
    for intent in intents:
        source = states[intent.source_account_id]
        target = states[intent.target_account_id]
        source = replace(
            source,
            balance_minutes=source.balance_minutes - intent.minutes,
            spent_minutes=source.spent_minutes + intent.minutes,
            version=source.version + 1,
        )
        target = replace(
            target,
            balance_minutes=target.balance_minutes + intent.minutes,
            earned_minutes=target.earned_minutes + intent.minutes,
            version=target.version + 1,
        )
        check_limits(source)
        check_limits(target)
        states[source.account_id] = source
        states[target.account_id] = target
        posted.append(
            PostedTransfer(
                source_account_id=source.account_id,
                target_account_id=target.account_id,
                minutes=intent.minutes,
                source_balance_after_minutes=source.balance_minutes,
                target_balance_after_minutes=target.balance_minutes,
            )
        )
    changed = {account_id: states[account_id] for account_id in _touched(intents)}
    return changed, posted


def _touched(intents: Sequence[TransferIntent]) -> list[int]:
    return sorted({i.source_account_id for i in intents} | {i.target_account_id for i in intents})
