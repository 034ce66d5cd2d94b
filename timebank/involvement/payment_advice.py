"""A member's payment advice: what the benefit guard said about payments offered to them (B4, B6).

When an organisation checks or records a payment for a member who declared benefits, the guard's
warnings name the limit, the amount and the period: "With this payment you would get £210 in the
week … That is above the permitted work higher limit". The organisation is told one sentence that
names no benefit; the member is told everything, here, and so are coordinators, who may read the
member's declaration. Every read is audited, as a declaration's is, and the advice is deleted with
the declaration (a limit's name says which benefit the member gets).
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.involvement.errors import MemberAccountRequired
from timebank.involvement.views import PaymentAdvicePage, PaymentAdviceView
from timebank.ledger.types import AccountKind
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused

__all__ = ["read_payment_advice"]


def read_payment_advice(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> PaymentAdvicePage:
    """The member's payment advice, one entry per activity, oldest activity first; the read is audited."""
    caller.check_timebank(timebank_id)
    is_self = caller.account_id is not None and caller.account_id == account_id

    def use_case(uow: UnitOfWork) -> PaymentAdvicePage:
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            if not (is_self or caller.is_coordinator):
                raise SelfOrCoordinatorRequired("Payment advice is seen only by the member and coordinators")
        size = page_limit(limit)
        after_id = decode_id_cursor(cursor)
        account = uow.accounts.get(timebank_id, account_id)
        if account.kind is not AccountKind.MEMBER:
            raise MemberAccountRequired(f"Account {account_id} is not a member's")
        records = uow.invitations.advice_page(
            timebank_id, account_id, after_activity_id=after_id, limit=size + 1
        )
        kept, next_cursor = split_page(records, size, lambda r: r.activity_id)
        trail = AuditTrail(caller.caller)
        trail.add(AuditAction.PAYMENT_ADVICE_READ, account_id, by_coordinator=not is_self, found=len(kept))
        trail.write(uow, timebank_id)
        uow.commit()
        return PaymentAdvicePage(advice=tuple(PaymentAdviceView.of(r) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case)
