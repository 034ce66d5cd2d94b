"""The expenses an organisation has repaid, newest first, for those who act for it (DESIGN B2).

Staff check what they have recorded, and a coordinator checks any organisation's. Each expense is
shown with the member's name as the directory gives it, the activity it was for (if one was named)
and its evidence: the receipt's reference, or the journey, miles and rate of a mileage sum. Nothing
else about the member is read. Only money is here: expenses never touch the credit ledger.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.repositories import ExpenseRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.activities import check_acts_for
from timebank.involvement.views import ExpensePage, RecordedExpenseView
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller

__all__ = ["list_expenses"]


def _view(record: ExpenseRecord, member_name: str, activity_title: str | None) -> RecordedExpenseView:
    assert record.expense_id is not None  # read back, so written
    return RecordedExpenseView(
        expense_id=record.expense_id,
        organisation_id=record.organisation_id,
        account_id=record.account_id,
        activity_id=record.activity_id,
        incurred_on=record.incurred_on,
        description=record.description,
        amount_pence=record.amount_pence,
        evidence_kind=record.evidence_kind,
        evidenced_pence=record.evidenced_pence,
        member_name=member_name,
        activity_title=activity_title,
        receipt_reference=record.receipt_reference,
        journey=record.journey,
        miles=record.miles,
        pence_per_mile=record.pence_per_mile,
    )


def list_expenses(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> ExpensePage:
    """The organisation's expenses, newest first, a page at a time (its staff or a coordinator)."""
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    before_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> ExpensePage:
        check_acts_for(caller, uow.organisations.get(timebank_id, organisation_id))
        records = uow.money.expenses_page(timebank_id, organisation_id, before_id=before_id, limit=size + 1)
        kept, next_cursor = split_page(records, size, lambda r: r.expense_id or 0)
        # Names and titles for the page only: at most one page's worth of each is read.
        account_ids = sorted({r.account_id for r in kept})
        members = uow.members.page(timebank_id, account_ids=account_ids, after_id=None, limit=len(kept) or 1)
        names = {m.account_id: m.display_name for m in members}
        titles = {
            activity_id: uow.activities.get(timebank_id, activity_id).title
            for activity_id in sorted({r.activity_id for r in kept if r.activity_id is not None})
        }
        views = tuple(
            _view(
                r,
                names.get(r.account_id, f"Account {r.account_id}"),
                None if r.activity_id is None else titles[r.activity_id],
            )
            for r in kept
        )
        return ExpensePage(expenses=views, next_cursor=next_cursor)

    return run(engine, use_case, write=False)
