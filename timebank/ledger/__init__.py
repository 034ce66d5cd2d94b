"""The ledger core: types, posting rules, the consent rule, errors and invariant checks.

Pure Python with no framework imports: everything here can be reasoned about and tested without a
database. Storage (``timebank.db``) and the use cases (``timebank.exchanges`` and the rest) build on it.
"""

from timebank.errors import TimebankError
from timebank.ledger import consent, contacts, invariants, rules
from timebank.ledger.types import (
    AccountKind,
    AccountState,
    Actor,
    BalanceOnLeaving,
    ClosedBecause,
    ExchangeRecord,
    ExchangeStatus,
    PostedTransfer,
    ReceiverShare,
    TransactionKind,
    TransferIntent,
)

__all__ = [
    "AccountKind",
    "AccountState",
    "Actor",
    "BalanceOnLeaving",
    "ClosedBecause",
    "ExchangeRecord",
    "ExchangeStatus",
    "PostedTransfer",
    "ReceiverShare",
    "TimebankError",
    "TransactionKind",
    "TransferIntent",
    "consent",
    "contacts",
    "errors",
    "invariants",
    "rules",
]
