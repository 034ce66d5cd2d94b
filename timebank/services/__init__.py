"""Use cases: one database transaction each, committed once.

Each function takes an engine, opens a unit of work, checks the ledger's rules, writes, and commits
once; a refusal raises the ledger error named for the broken rule and leaves nothing behind.
"""

from timebank.services.exchanges import (
    cancel_exchange,
    confirm_exchange,
    decline_exchange,
    expire_pending,
    expire_pending_everywhere,
    get_exchange,
    record_exchange,
)
from timebank.services.gifts import give_credits
from timebank.services.imports import ImportRow, import_exchanges
from timebank.services.reversals import reverse_exchange, reverse_transaction
from timebank.services.statements import balance_at, statement
from timebank.services.timebanks import (
    create_timebank,
    get_account,
    get_timebank,
    open_account,
    set_limits,
)
from timebank.services.views import (
    AccountView,
    ExchangeView,
    ExpiryReport,
    ImportResult,
    StatementLine,
    StatementPage,
    TimebankView,
    TransactionView,
)

__all__ = [
    "AccountView",
    "ExchangeView",
    "ExpiryReport",
    "ImportResult",
    "ImportRow",
    "StatementLine",
    "StatementPage",
    "TimebankView",
    "TransactionView",
    "balance_at",
    "cancel_exchange",
    "confirm_exchange",
    "create_timebank",
    "decline_exchange",
    "expire_pending",
    "expire_pending_everywhere",
    "get_account",
    "get_exchange",
    "get_timebank",
    "give_credits",
    "import_exchanges",
    "open_account",
    "record_exchange",
    "reverse_exchange",
    "reverse_transaction",
    "set_limits",
    "statement",
]
