"""Shaping a posted transaction (gift, grant, donation, reversal) as JSON."""

from __future__ import annotations

from timebank.api.schemas import TransactionOut, TransferOut
from timebank.exchanges.views import TransactionView

__all__ = ["transaction_out"]


def transaction_out(view: TransactionView) -> TransactionOut:
    return TransactionOut(
        id=view.transaction_id,
        kind=view.kind,
        transfers=[
            TransferOut(source_account_id=s, target_account_id=t, minutes=m) for s, t, m in view.transfers
        ],
        reverses_transaction_id=view.reverses_transaction_id,
        exchange_id=view.exchange_id,
        reason=view.reason,
    )
