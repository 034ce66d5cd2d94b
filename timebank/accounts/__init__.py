"""Accounts: an account's counters and limits, and its statement with a running balance.

An **account** holds credits in whole minutes: a member's, an organisation's, or the timebank's
pot. Its holder (or a coordinator) reads its balance, what it earned and spent, and its
**statement**: each transfer with the balance after it, a page at a time. A coordinator changes its
limits with a reason, and every change is logged.

    accounts     opening an account, reading it, changing its limits (the ledger's view)
    reading      the same for a caller: their own account, or any for a coordinator
    statements   the statement a page at a time, and the balance at a moment
    views        what these use cases return
"""

from timebank.accounts.accounts import account_view, get_account, open_account, set_limits
from timebank.accounts.reading import change_limits, limit_changes, read_account, read_statement
from timebank.accounts.statements import balance_at, statement
from timebank.accounts.views import AccountView, StatementLine, StatementPage

__all__ = [
    "AccountView",
    "StatementLine",
    "StatementPage",
    "account_view",
    "balance_at",
    "change_limits",
    "get_account",
    "limit_changes",
    "open_account",
    "read_account",
    "read_statement",
    "set_limits",
    "statement",
]
