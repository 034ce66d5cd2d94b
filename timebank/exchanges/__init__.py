"""Exchanges: help given and received, recorded in the ledger with the consent of whoever pays.

An **exchange** records that a giver helped one or more receivers for some minutes on a day.
Credits leave an account only with its holder's consent: recorded by the receiver (who pays) or a
coordinator it posts at once; recorded by the giver it waits, ``pending``, until the receiver
confirms or declines (or the timebank's setting expires or confirms it). A posted exchange is
corrected by a **reversal**, never by an edit. **Gifts** move credits from one account to another
(donations to the pot, grants from it). An **import** brings a timebank's history in, all or
nothing. Every write that moves credits takes an idempotency key (``idempotency``), and every
transaction is written by ``posting``, which keeps the report's running totals with it.

    lifecycle     record, confirm, decline, cancel, expire
    requests      what the use cases are asked: one typed request each
    views         what they answer
    listing       reading one exchange, and a page of them
    waiting       the exchanges waiting for confirmation, oldest first, for coordinators
    reversals     correcting a posted exchange or transaction by a reversal with a reason
    gifts         giving credits: donations, pot grants, gifts between members
    imports       bringing a history in from rows, all or nothing
    posting       writing one transaction: transfers, balances, running totals
    idempotency   a keyed write answers its first answer again, and creates nothing
"""

from timebank.exchanges.gifts import give_credits
from timebank.exchanges.imports import ImportRow, import_exchanges
from timebank.exchanges.lifecycle import (
    cancel_exchange,
    confirm_exchange,
    decline_exchange,
    expire_pending,
    expire_pending_everywhere,
    record_exchange,
)
from timebank.exchanges.listing import (
    ExchangePage,
    NamedExchange,
    list_exchanges,
    read_exchange,
    read_named_exchange,
)
from timebank.exchanges.requests import GiveCredits, ReceiverShareIn, RecordExchange, ReverseExchange
from timebank.exchanges.reversals import reverse_exchange, reverse_transaction
from timebank.exchanges.views import ExchangeView, ExpiryReport, ImportResult, TransactionView
from timebank.exchanges.waiting import WaitingExchange, WaitingPage, list_waiting

__all__ = [
    "ExchangePage",
    "ExchangeView",
    "ExpiryReport",
    "GiveCredits",
    "ImportResult",
    "ImportRow",
    "NamedExchange",
    "ReceiverShareIn",
    "RecordExchange",
    "ReverseExchange",
    "TransactionView",
    "WaitingExchange",
    "WaitingPage",
    "cancel_exchange",
    "confirm_exchange",
    "decline_exchange",
    "expire_pending",
    "expire_pending_everywhere",
    "give_credits",
    "import_exchanges",
    "list_exchanges",
    "list_waiting",
    "read_exchange",
    "read_named_exchange",
    "record_exchange",
    "reverse_exchange",
    "reverse_transaction",
]
