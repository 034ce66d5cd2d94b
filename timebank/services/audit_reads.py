"""Reading the audit log: for coordinators, who answer for how the timebank handles benefit data.

The log records every benefit check, warning, acknowledgement, reward choice and read of benefit
data (``timebank.services.audit``). Its details never name a benefit, so reading it reveals no one's
declaration; still, it says who took a payment, so only coordinators read it. Pages run oldest
first; ``account_id`` narrows them to the entries about one member.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.repositories import AuditRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.services.benefit_views import AuditEntryView, AuditPage
from timebank.services.callers import Caller
from timebank.services.pages import decode_id_cursor, page_limit, split_page
from timebank.services.tenancy import not_found_before_refused

__all__ = ["read_audit_log"]


def _written_id(record: AuditRecord) -> int:
    assert record.audit_id is not None  # a row read back from the log has its id
    return record.audit_id


def read_audit_log(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    account_id: int | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> AuditPage:
    """The timebank's audit entries, oldest first, a page at a time (coordinators only)."""
    named = [] if account_id is None else [account_id]
    with not_found_before_refused(engine, timebank_id, account_ids=named):
        caller.check_coordinator(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> AuditPage:
        uow.timebanks.get(timebank_id)
        if account_id is not None:
            uow.accounts.get(timebank_id, account_id)
        records = uow.audit.entries(timebank_id, account_id, limit=size + 1, after_id=after_id)
        kept, next_cursor = split_page(records, size, _written_id)
        entries = tuple(
            AuditEntryView(
                audit_id=_written_id(r),
                at=r.at,
                actor=r.actor,
                action=r.action,
                subject_account_id=r.subject_account_id,
                details=dict(r.details),
            )
            for r in kept
        )
        return AuditPage(entries, next_cursor)

    return run(engine, use_case, write=False)
