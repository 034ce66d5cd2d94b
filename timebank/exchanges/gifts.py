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
from timebank.exchanges.views import TransactionView
from timebank.ledger import rules
from timebank.ledger.errors import AccountHolderRequired, AccountsMustDiffer
from timebank.ledger.limits import NOTE_LENGTH_MAX
from timebank.ledger.types import AccountKind, Actor, TransactionKind, TransferIntent

__all__ = ["give_credits"]


def give_credits(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    from_account_id: int,
    to_account_id: int,
    minutes: int,
    note: str | None = None,
    *,
    idempotency_key: str | None = None,
) -> TransactionView:
    rules.check_minutes(minutes)
    if from_account_id == to_account_id:
        raise AccountsMustDiffer("Credits cannot be given to the same account")
    rules.check_text("note", note, NOTE_LENGTH_MAX)

    def work(uow: UnitOfWork) -> TransactionView:
        timebank = uow.timebanks.get(timebank_id)
        locked = uow.accounts.lock(timebank_id, [from_account_id, to_account_id])
        source, target = locked[from_account_id], locked[to_account_id]
        if not (actor.is_coordinator or actor.holds(from_account_id)):
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
            [TransferIntent(from_account_id, to_account_id, minutes)],
            actor.caller,
            note=note,
            locked=locked,
        )
        return TransactionView(
            transaction_id=posting.transaction_id,
            kind=kind.value,
            transfers=posting.transfer_triples(),
        )

    def use_case(uow: UnitOfWork) -> TransactionView:
        view = once(
            uow,
            timebank_id,
            actor,
            idempotency_key,
            "give_credits",
            {"from": from_account_id, "to": to_account_id, "minutes": minutes, "note": note},
            TransactionView,
            lambda: work(uow),
        )
        uow.commit()
        return view

    return run(engine, use_case)
