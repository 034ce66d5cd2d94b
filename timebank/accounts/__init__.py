"""Accounts: an account's counters and limits, and its statement with a running balance.

An **account** holds credits in whole minutes: a member's, an organisation's, or the timebank's
pot. Its holder (or a coordinator) reads its balance, what it earned and spent, and its
**statement**: each transfer with the balance after it, a page at a time. A coordinator changes its
limits with a reason, and every change is logged.

    requests     what these use cases are asked (the API's request bodies)
    views        what they return (the API's response bodies)
    accounts     opening an account, reading it (its holder or a coordinator), changing its limits
    statements   the statement a page at a time or a period at once, and the balance at a moment
    home         a member's home page: balance, given and received, what waits, recent lines
    member_summary  one member as a coordinator sees them: details, balance, limits, give-and-get
"""

from timebank.accounts.accounts import (
    account_view,
    change_limits,
    limit_changes,
    open_account,
    read_account,
    set_limits,
)
from timebank.accounts.home import member_home
from timebank.accounts.member_summary import member_summary
from timebank.accounts.requests import ChangeLimits
from timebank.accounts.statements import balance_at, read_statement, statement_between
from timebank.accounts.views import (
    AccountView,
    HomeView,
    LimitChange,
    MemberSummary,
    StatementLine,
    StatementPage,
    StatementPeriod,
    WaitingExchange,
)

__all__ = [
    "AccountView",
    "ChangeLimits",
    "HomeView",
    "LimitChange",
    "MemberSummary",
    "StatementLine",
    "StatementPage",
    "StatementPeriod",
    "WaitingExchange",
    "account_view",
    "balance_at",
    "change_limits",
    "limit_changes",
    "member_home",
    "member_summary",
    "open_account",
    "read_account",
    "read_statement",
    "set_limits",
    "statement_between",
]
