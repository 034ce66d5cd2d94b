"""What an audit entry means, in a sentence a coordinator reads without a code book.

Each kind of entry (``timebank.involvement.audit.AuditAction``) has its own sentence, filled from
the entry's details: whom it is about, an activity, an amount of money, a choice, a period. The
details hold ids, codes and amounts, never a benefit category (``AuditTrail.add`` refuses one), and
this page goes further: it shows none of the details that would let a reader guess what a member
declared (whether a check needed an acknowledgement, which warnings it gave, whether a declaration
was found). Those stay in the log, for the API and for the member's own declaration page.

A kind written by a later version, or since retired, gets a plain sentence naming its code: the
log outlives the code that wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from timebank.benefits.choices import Reward
from timebank.benefits.formatting import format_date, format_pence
from timebank.involvement.audit import AuditAction

__all__ = ["KIND_NAMES", "entry_sentence"]

# The filter's names for each kind, in the order the select lists them.
KIND_NAMES: dict[AuditAction, str] = {
    AuditAction.DECLARATION_SET: "Benefits details saved",
    AuditAction.DECLARATION_READ: "Benefits details read",
    AuditAction.DECLARATION_DELETED: "Benefits details deleted",
    AuditAction.STATEMENT_READ: "Benefit-safe statement read",
    AuditAction.PAYMENT_ADVICE_READ: "Payment advice read",
    AuditAction.REWARD_CHOSEN: "Reward chosen for an activity",
    AuditAction.REWARD_DEFAULTED: "Reward set by default",
    AuditAction.PAYMENT_CHECKED: "Payment checked",
    AuditAction.PAYMENT_WARNED: "Payment warning given",
    AuditAction.PAYMENT_ACKNOWLEDGED: "Payment warning confirmed",
    AuditAction.PAYMENT_REFUSED: "Payment stopped",
    AuditAction.SPEND_CHECKED: "Spending checked",
    AuditAction.SPEND_ACKNOWLEDGED: "Spending warning confirmed",
    AuditAction.SPEND_REFUSED: "Spending stopped",
    AuditAction.EXPENSE_RECORDED: "Expense recorded",
    AuditAction.PASSWORD_CODE_ISSUED: "Code to set a password made",
    AuditAction.PASSWORD_SET_WITH_CODE: "Password set with a code",
    AuditAction.PASSWORD_RESET_SENT: "Link to reset a password sent",
    AuditAction.PASSWORD_RESET: "Password reset with a link",
    AuditAction.LOGIN_TURNED_OFF: "Login turned off",
    AuditAction.LOGIN_TURNED_ON: "Login turned on",
    AuditAction.MEMBER_DATA_DOWNLOADED: "A member's data downloaded",
    AuditAction.MEMBERSHIP_ENDED: "Membership ended",
    AuditAction.MEMBER_ERASED: "A member's personal data erased",
    AuditAction.POST_HIDDEN: "Offer or request hidden",
    AuditAction.POST_SHOWN: "Offer or request shown again",
    AuditAction.MEMBER_MESSAGE_SENT: "Message sent to a member",
    AuditAction.HISTORY_IMPORTED: "History imported",
    AuditAction.TIMEBANK_EXPORTED: "Everything of the timebank downloaded",
}

Sentence = Callable[[str, Mapping[str, Any], str | None], str]


def _activity(details: Mapping[str, Any]) -> str:
    activity_id = details.get("activity_id")
    return "an activity" if activity_id is None else f"activity number {activity_id}"


def _money(details: Mapping[str, Any]) -> str:
    amount = details.get("amount_pence")
    return "an amount" if not isinstance(amount, int) else format_pence(amount)


def _choice(details: Mapping[str, Any]) -> str:
    try:
        return Reward(str(details.get("choice"))).label.lower()
    except ValueError:
        return "a reward"


def _day(details: Mapping[str, Any], key: str, otherwise: str) -> str:
    text = details.get(key)
    try:
        return format_date(date.fromisoformat(str(text)))
    except ValueError:
        return otherwise


def _reason(note: str | None) -> str:
    text = (note or "no reason given").strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _balance_on_leaving(details: Mapping[str, Any]) -> str:
    if details.get("transaction_id") is None:
        return "Their balance stayed on their account."
    minutes = details.get("balance_minutes")
    if isinstance(minutes, int) and minutes < 0:
        return "The pot covered their balance."
    return "Their balance went to the pot."


def _count(details: Mapping[str, Any], key: str, one: str, many: str) -> str:
    count = details.get(key)
    if not isinstance(count, int):
        return f"some {many}"
    return f"1 {one}" if count == 1 else f"{count} {many}"


def _post(details: Mapping[str, Any]) -> str:
    post_id = details.get("post_id")
    return "an offer or request" if post_id is None else f"offer or request number {post_id}"


def _by(details: Mapping[str, Any], key: str) -> str:
    return " by a coordinator" if details.get(key) else ""


_SENTENCES: dict[str, Sentence] = {
    AuditAction.DECLARATION_SET: lambda who, d, note: (
        f"{who}'s benefits details were saved{_by(d, 'set_for_member')}."
    ),
    AuditAction.DECLARATION_READ: lambda who, d, note: (
        f"{who}'s benefits details were read{_by(d, 'by_coordinator')}."
    ),
    AuditAction.DECLARATION_DELETED: lambda who, d, note: (
        f"{who}'s benefits details were deleted{_by(d, 'set_for_member')}."
    ),
    AuditAction.STATEMENT_READ: lambda who, d, note: (
        f"A coordinator read {who}'s benefit-safe statement, "
        f"from {_day(d, 'from_on', 'the start')} to {_day(d, 'to_on', 'today')}."
    ),
    AuditAction.PAYMENT_ADVICE_READ: lambda who, d, note: (
        f"{who}'s payment advice was read{_by(d, 'by_coordinator')}."
    ),
    AuditAction.REWARD_CHOSEN: lambda who, d, note: f"{who} chose {_choice(d)} for {_activity(d)}.",
    AuditAction.REWARD_DEFAULTED: lambda who, d, note: (
        f"{who} gave no choice for {_activity(d)}, so {_choice(d)} was recorded."
    ),
    AuditAction.PAYMENT_CHECKED: lambda who, d, note: (
        f"A payment of {_money(d)} to {who} for {_activity(d)} was checked against the benefit rules."
    ),
    AuditAction.PAYMENT_WARNED: lambda who, d, note: (
        f"The organisation was warned before a payment to {who} for {_activity(d)}."
    ),
    AuditAction.PAYMENT_ACKNOWLEDGED: lambda who, d, note: (
        f"The organisation confirmed it read the warning about a payment to {who} for {_activity(d)}."
    ),
    AuditAction.PAYMENT_REFUSED: lambda who, d, note: (
        f"A payment to {who} for {_activity(d)} was stopped. Nobody confirmed they read the warning."
    ),
    AuditAction.SPEND_CHECKED: lambda who, d, note: (
        f"Spending by {who} was checked against the benefit rules."
    ),
    AuditAction.SPEND_ACKNOWLEDGED: lambda who, d, note: (
        f"{who} confirmed they read a warning before spending."
    ),
    AuditAction.SPEND_REFUSED: lambda who, d, note: (
        f"Spending by {who} was stopped. They had not confirmed they read the warning."
    ),
    AuditAction.EXPENSE_RECORDED: lambda who, d, note: (
        f"An expense of {_money(d)} for {who} was recorded, for {_activity(d)}."
    ),
    AuditAction.PASSWORD_CODE_ISSUED: lambda who, d, note: (
        f"A coordinator made {who} a code to set a password"
        f"{', and emailed it' if d.get('by_email') else ', to print as a letter'}."
    ),
    AuditAction.PASSWORD_SET_WITH_CODE: lambda who, d, note: (
        f"{who} used a code to {'get a login' if d.get('new_login') else 'set a new password'}."
    ),
    AuditAction.PASSWORD_RESET_SENT: lambda who, d, note: f"{who} was emailed a link to set a new password.",
    AuditAction.PASSWORD_RESET: lambda who, d, note: f"{who} set a new password with a link.",
    AuditAction.LOGIN_TURNED_OFF: lambda who, d, note: f"{who}'s login was turned off. Why: {_reason(note)}",
    AuditAction.LOGIN_TURNED_ON: lambda who, d, note: (
        f"{who}'s login was turned on again. Why: {_reason(note)}"
    ),
    AuditAction.MEMBER_DATA_DOWNLOADED: lambda who, d, note: (
        f"Everything held about {who} was downloaded{_by(d, 'by_coordinator')}."
    ),
    AuditAction.MEMBERSHIP_ENDED: lambda who, d, note: (
        f"A coordinator ended {who}'s membership. Their last day was {_day(d, 'ended_on', 'not recorded')}. "
        f"{_balance_on_leaving(d)}"
    ),
    AuditAction.MEMBER_ERASED: lambda who, d, note: (
        f"A coordinator erased the personal data of {who}. Their name, contact details and login"
        f" are gone, and {_count(d, 'texts_replaced', 'piece of text', 'pieces of text')} they wrote"
        " or that were about them was replaced. Their hours stay in the records."
    ),
    AuditAction.POST_HIDDEN: lambda who, d, note: f"A coordinator hid {_post(d)} by {who}.",
    AuditAction.POST_SHOWN: lambda who, d, note: f"A coordinator showed {_post(d)} by {who} again.",
    AuditAction.MEMBER_MESSAGE_SENT: lambda who, d, note: (
        f"{who} wrote to member {d.get('to_member_id', 'unknown')} about {_post(d)}."
    ),
    AuditAction.HISTORY_IMPORTED: lambda who, d, note: (
        f"A coordinator imported the timebank's history from files. It added "
        f"{_count(d, 'members_added', 'member', 'members')}, "
        f"{_count(d, 'exchanges_added', 'exchange', 'exchanges')} and "
        f"{_count(d, 'opening_balances_added', 'opening balance', 'opening balances')}."
        + (
            f" It brought {_count(d, 'posts_added', 'offer or request', 'offers and requests')}."
            if d.get("posts_added")
            else ""
        )
    ),
    AuditAction.TIMEBANK_EXPORTED: lambda who, d, note: (
        f"Everything of the timebank was downloaded: {_count(d, 'members', 'member', 'members')} and"
        f" {_count(d, 'transfers', 'transfer', 'transfers')}."
    ),
}


def entry_sentence(action: str, who: str | None, details: Mapping[str, Any], note: str | None = None) -> str:
    """The entry in one sentence; ``who`` is the name of the member it is about, if any, and
    ``note`` what the person who acted wrote with it."""
    sentence = _SENTENCES.get(action)
    if sentence is None:
        return f"An entry of the kind '{action}'."
    return sentence(who or "nobody named", details, note)
