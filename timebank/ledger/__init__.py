"""The ledger core: types, posting rules, the consent rule, errors and invariant checks.

Pure Python with no framework imports: everything here can be reasoned about and tested without a
database. Storage (``timebank.db``) and use cases (``timebank.services``) build on it.
"""

from timebank.ledger import consent, contacts, errors, invariants, rules
from timebank.ledger.errors import LedgerError
from timebank.ledger.types import (
    AccountKind,
    AccountState,
    Actor,
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
    "ExchangeRecord",
    "ExchangeStatus",
    "LedgerError",
    "PostedTransfer",
    "ReceiverShare",
    "TransactionKind",
    "TransferIntent",
    "consent",
    "contacts",
    "errors",
    "invariants",
    "rules",
]
