"""What the account use cases return: an account's counters, its statement a page at a time, and
the log of its limit changes.

Each is the API's answer as it is (``timebank.views.View``). An account's id is ``account_id`` in
the code, so that it is never mistaken for another id, and ``id`` in the contract.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from timebank.ledger.types import AccountKind
from timebank.people.views import MemberView
from timebank.views import View

__all__ = [
    "AccountView",
    "HomeView",
    "LimitChange",
    "MemberSummary",
    "StatementLine",
    "StatementPage",
    "StatementPeriod",
    "WaitingExchange",
]


class AccountView(View):
    account_id: int = Field(serialization_alias="id")
    timebank_id: int
    kind: AccountKind
    name: str
    balance_minutes: int
    earned_minutes: int
    spent_minutes: int
    floor_minutes: int
    cap_minutes: int | None
    version: int


class StatementLine(View):
    """One transfer of the account, with the balance just after it, and what it was for."""

    transfer_id: int
    transaction_id: int
    kind: str
    counterparty_account_id: int
    minutes: int = Field(description="Positive when credits came in, negative when they went out.")
    balance_after_minutes: int
    posted_at: datetime
    counterparty_name: str = Field(
        description="The other side: a member's name, an organisation's, or 'Community pot'."
    )
    exchange_id: int | None = Field(description="The exchange this line posted (or reversed), if any.")
    description: str | None = Field(
        description="What it was for: an exchange's description, the activity recognised, a gift's note."
        " A reversal line is described by what it reverses."
    )
    activity_date: date | None = Field(
        description="The day of the exchange or activity; none for gifts, which are dated when posted."
    )
    reverses_transaction_id: int | None = Field(
        description="On a reversal line: the transaction it reverses."
    )
    reason: str | None = Field(description="On a reversal line: the reason given for it.")


class StatementPage(View):
    account_id: int
    balance_minutes: int
    lines: tuple[StatementLine, ...]
    next_cursor: str | None


class StatementPeriod(View):
    """Every line an account posted in a period of days, newest first, up to a bound."""

    account_id: int
    name: str = Field(description="The holder's name, as they go by now.")
    from_on: date
    to_on: date = Field(description="The last day of the period, included.")
    balance_minutes: int = Field(description="The balance now, not at the end of the period.")
    lines: tuple[StatementLine, ...]
    more: bool = Field(description="True when the period holds more lines than were returned.")


class LimitChange(View):
    """One change of an account's floor and cap: before, after, by whom, when and why."""

    floor_minutes_before: int
    cap_minutes_before: int | None
    floor_minutes_after: int
    cap_minutes_after: int | None
    reason: str | None
    changed_by: str
    changed_at: datetime


class WaitingExchange(View):
    """A pending exchange as one of its members sees it on their home page."""

    exchange_id: int
    description: str
    activity_date: date
    minutes: int = Field(description="The minutes this member gave (all receivers') or received.")
    i_gave: bool
    other_names: tuple[str, ...] = Field(description="The other side: the receivers, or the giver.")
    waits_for_me: bool = Field(description="True when this member's confirmation is still needed.")
    waiting_for_names: tuple[str, ...] = Field(description="Who else must still confirm.")
    recorded_by_me: bool


class HomeView(View):
    """A member's home: balance, hours given and received, what waits, and the newest lines."""

    account_id: int
    name: str
    balance_minutes: int
    floor_minutes: int
    given_this_year_minutes: int
    received_this_year_minutes: int
    given_all_time_minutes: int
    received_all_time_minutes: int
    year: int
    waiting: tuple[WaitingExchange, ...]
    more_waiting: bool
    recent_lines: tuple[StatementLine, ...]
    # The membership has ended: the account neither gives nor receives, but can still be read.
    closed: bool = False


class MemberSummary(View):
    """A member as a coordinator sees them: details, balance and limits, given and received, newest lines."""

    member: MemberView
    balance_minutes: int
    floor_minutes: int
    cap_minutes: int | None
    given_this_year_minutes: int
    received_this_year_minutes: int
    given_all_time_minutes: int
    received_all_time_minutes: int
    year: int
    recent_lines: tuple[StatementLine, ...]
    # Once their membership has ended: the reason a coordinator gave (coordinators alone see this view).
    membership_end_reason: str | None = None
