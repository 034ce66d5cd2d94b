"""Giving credits away: to another member, to the pot, or from the pot as a grant.

Credits leave an account only with its holder's consent, so a member gives from their own account
and an organisation's staff from the organisation's. The pot belongs to the whole timebank: only a
coordinator grants from it, and it cannot go below zero, so every grant is backed by donations.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import post_transaction
from timebank.exchanges.requests import GiveCredits
from timebank.exchanges.views import TransactionView
from timebank.ledger import rules
from timebank.ledger.errors import AccountHolderRequired, AccountsMustDiffer
from timebank.ledger.limits import NOTE_LENGTH_MAX
from timebank.ledger.types import AccountKind, TransactionKind, TransferIntent
from timebank.people.callers import Caller

__all__ = ["give_credits"]


def give_credits(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    request: GiveCredits,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    """Give credits from an account the caller holds (coordinators: any, and grants from the pot)."""
    actor = caller.actor(timebank_id, [request.from_account_id])

    def work(uow: UnitOfWork) -> TransactionView:
        timebank = uow.timebanks.get(timebank_id)
        # The request's own rules first; the timebank's own limit on minutes when the gift posts.
        rules.check_minutes(request.minutes)
        if request.from_account_id == request.to_account_id:
            raise AccountsMustDiffer("Credits cannot be given to the same account")
        rules.check_text("note", request.note, NOTE_LENGTH_MAX)
        locked = uow.accounts.lock(timebank_id, [request.from_account_id, request.to_account_id])
        source, target = locked[request.from_account_id], locked[request.to_account_id]
        if not (actor.is_coordinator or actor.holds(request.from_account_id)):
            raise AccountHolderRequired("You can only give credits from your own account")
        if source.kind is AccountKind.POT:
            kind = TransactionKind.POT_GRANT
        elif target.kind is AccountKind.POT:
            kind = TransactionKind.POT_DONATION
        else:
            kind = TransactionKind.GIFT
        posting = post_transaction(
            uow,
            timebank,
            kind,
            [TransferIntent(request.from_account_id, request.to_account_id, request.minutes)],
            actor.caller,
            note=request.note,
            locked=locked,
        )
        return TransactionView(
            transaction_id=posting.transaction_id, kind=kind, transfers=posting.transfer_views()
        )

    def use_case(uow: UnitOfWork) -> TransactionView:
        view = once(
            uow,
            timebank_id,
            actor.caller,
            idempotency_key,
            "give_credits",
            {
                "from": request.from_account_id,
                "to": request.to_account_id,
                "minutes": request.minutes,
                "note": request.note,
            },
            TransactionView,
            lambda: work(uow),
        )
        uow.commit()
        return view

    return run(engine, use_case)
