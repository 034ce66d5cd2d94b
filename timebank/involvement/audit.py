"""The audit trail of recognising involvement: every benefit check, warning, choice and read (B4, B5).

A use case collects its entries in an ``AuditTrail`` as it goes and writes them in its own
transaction, just before it commits, so an entry exists exactly when what it records happened.
Each entry has a time, the caller, the timebank, an action code, the member it concerns, and short
details: ids, codes, amounts. Never a benefit category: the audit log outlives a deleted
declaration, and must not keep what the member asked to delete. ``AuditTrail.add`` refuses, as a
bug, details that spell a category's code. Nor free text: the log is append-only, so it holds
nothing that erasing a member would have to remove, and ``AuditTrail.add`` refuses, as a bug, a
detail that is not a code, a number or a flag. What a person wrote with an entry (a coordinator's
reason) is its ``note``, kept beside the row where erasure can replace it (migration 0014).

    reward_chosen          an attendee's reward choice for an activity, and their minutes
    reward_defaulted       no choice was given for an attendee, so the default was recorded (B5)
    payment_checked        a proposed payment run through the benefit guard (B5, B6)
    payment_warned         the guard warned: the warnings' codes (which name no benefit)
    payment_acknowledged   the organisation recorded its acknowledgement of the warnings
    payment_refused        a payment refused for want of an acknowledgement (written alone,
                           after the refused use case was rolled back)
    spend_checked          a spend of credits run through the benefit check on its class (B5):
                           the option, its class, whether an acknowledgement was needed
    spend_acknowledged     the member acknowledged that goods or a voucher may affect their benefits
    spend_refused          goods or a voucher refused for want of that acknowledgement (written
                           alone, after the refused use case was rolled back)
    expense_recorded       an expense checked against its evidence and recorded
    declaration_set        a member's benefits declaration written (by them, or for them)
    declaration_read       a benefits declaration read, and by whom
    declaration_deleted    a benefits declaration deleted
    statement_read         a coordinator read a member's benefit-safe statement (B7)
    payment_advice_read    a member's payment advice read (it names limits), and by whom
    password_code_issued   a coordinator made a member a set-password code (printed, or emailed)
    password_set_with_code a member used a set-password code (and got a login, if they had none)
    password_reset_sent    a reset link was emailed to a member who asked for one
    password_reset         a member set a new password with a reset link
    login_turned_off       a coordinator turned a member's login off (why: the entry's note)
    login_turned_on        a coordinator turned it back on (why: the entry's note)
    member_data_downloaded everything held about a member downloaded, by them or by a coordinator
                           for them (``by_coordinator``), and which lists were cut at their limit
    membership_ended       a coordinator ended a member's membership: its last day, what the
                           timebank's setting did with the balance and the transaction that moved
                           it, how many waiting exchanges were cancelled, and whether the member
                           lost the coordinator role or staff links. Never the reason, which is
                           about a person and stays on the member's record, where it can be erased
    member_erased          a member's personal data erased by a coordinator: their member number
                           and how many records of each kind were changed, nothing that was erased
    post_hidden            a coordinator hid a member's offer or request (its id; the reason is
                           kept on the post, never here)
    post_shown             a coordinator showed a hidden offer or request again
    timebank_exported      a coordinator downloaded everything of the timebank (``timebank.exports``):
                           how many rows of each file, never what was in them
    member_message_sent    a member wrote to another through the timebank about an offer or
                           request: the post and the member written to (never the message, nor
                           whether it went to them or to the coordinators); these entries are what
                           the daily limit on a member's messages counts
    history_imported       a coordinator confirmed an import of the timebank's history uploaded
                           over the web: the upload, the import it made, the source and how many
                           members, exchanges, opening balances and offers and requests it
                           added (never a name)
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass, field

from sqlalchemy import Engine

from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.db.repositories import AuditRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.views import AuditEntryView, AuditPage, NamedAuditPage
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = [
    "AuditAction",
    "AuditTrail",
    "NamedAuditPage",
    "read_audit_log",
    "read_named_audit_log",
    "write_refusal_audit",
]


class AuditAction(enum.StrEnum):
    REWARD_CHOSEN = "reward_chosen"
    REWARD_DEFAULTED = "reward_defaulted"
    PAYMENT_CHECKED = "payment_checked"
    PAYMENT_WARNED = "payment_warned"
    PAYMENT_ACKNOWLEDGED = "payment_acknowledged"
    PAYMENT_REFUSED = "payment_refused"
    SPEND_CHECKED = "spend_checked"
    SPEND_ACKNOWLEDGED = "spend_acknowledged"
    SPEND_REFUSED = "spend_refused"
    EXPENSE_RECORDED = "expense_recorded"
    DECLARATION_SET = "declaration_set"
    DECLARATION_READ = "declaration_read"
    DECLARATION_DELETED = "declaration_deleted"
    STATEMENT_READ = "statement_read"
    PAYMENT_ADVICE_READ = "payment_advice_read"
    PASSWORD_CODE_ISSUED = "password_code_issued"
    PASSWORD_SET_WITH_CODE = "password_set_with_code"
    PASSWORD_RESET_SENT = "password_reset_sent"
    PASSWORD_RESET = "password_reset"
    LOGIN_TURNED_OFF = "login_turned_off"
    LOGIN_TURNED_ON = "login_turned_on"
    MEMBER_DATA_DOWNLOADED = "member_data_downloaded"
    MEMBERSHIP_ENDED = "membership_ended"
    MEMBER_ERASED = "member_erased"
    POST_HIDDEN = "post_hidden"
    POST_SHOWN = "post_shown"
    MEMBER_MESSAGE_SENT = "member_message_sent"
    HISTORY_IMPORTED = "history_imported"
    TIMEBANK_EXPORTED = "timebank_exported"


_CATEGORY_CODES = tuple(category.value for category in BenefitCategory)
Detail = int | str | bool | None | list[str]
# What a text detail may be: a code, an id, a day or a time. Never words a person typed.
_CODE = re.compile(r"[A-Za-z0-9_.:+-]{0,80}")


def _is_code(value: Detail) -> bool:
    if isinstance(value, str):
        return bool(_CODE.fullmatch(value))
    if isinstance(value, list):
        return all(isinstance(item, str) and _CODE.fullmatch(item) for item in value)
    return True


@dataclass
class AuditTrail:
    """The entries one use case will write, in the order things happened."""

    actor: str
    entries: list[AuditRecord] = field(default_factory=list)

    def add(self, action: AuditAction, subject_account_id: int | None, **details: Detail) -> None:
        self._add(action, subject_account_id, None, details)

    def add_noted(
        self, action: AuditAction, subject_account_id: int | None, note: str, **details: Detail
    ) -> None:
        """Add an entry with ``note``, free text a person wrote with it, stored off the append-only row."""
        self._add(action, subject_account_id, note, details)

    def _add(
        self,
        action: AuditAction,
        subject_account_id: int | None,
        note: str | None,
        details: dict[str, Detail],
    ) -> None:
        text = json.dumps(details)
        assert not any(code in text for code in _CATEGORY_CODES), f"{action} details name a benefit"
        for key, value in details.items():
            assert _is_code(value), f"{action} detail {key} is free text: write it as the note"
        self.entries.append(
            AuditRecord(None, utc_now(), self.actor, action.value, subject_account_id, details, note)
        )

    def of(self, *actions: AuditAction) -> list[AuditRecord]:
        wanted = {action.value for action in actions}
        return [entry for entry in self.entries if entry.action in wanted]

    def write(self, uow: UnitOfWork, timebank_id: int) -> None:
        """Write every entry in ``uow``'s transaction (the caller commits)."""
        uow.audit.insert(timebank_id, self.entries)


def write_refusal_audit(engine: Engine, timebank_id: int, entries: list[AuditRecord]) -> None:
    """Write a refused use case's audit rows, alone, once its own transaction has been rolled back.

    A guard's refusal (a payment or a spend without its acknowledgement) records nothing but that
    the warning was given and the request refused: the audit log must show both.
    """

    def use_case(uow: UnitOfWork) -> None:
        uow.audit.insert(timebank_id, entries)
        uow.commit()

    run(engine, use_case)


def read_audit_log(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    account_id: int | None = None,
    action: AuditAction | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> AuditPage:
    """The timebank's audit entries, oldest first, a page at a time (coordinators only).

    Only the entries about ``account_id``, or of the kind ``action``, when either is named.
    """
    return run(
        engine, lambda uow: _page(uow, timebank_id, caller, account_id, action, cursor, limit), write=False
    )


def read_named_audit_log(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    account_id: int | None = None,
    action: AuditAction | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> NamedAuditPage:
    """``read_audit_log`` with the names a person reads it by: whom each entry is about, and who
    did it (a member's login; an API key or a job has no name)."""

    def use_case(uow: UnitOfWork) -> NamedAuditPage:
        page = _page(uow, timebank_id, caller, account_id, action, cursor, limit)
        subjects = sorted({e.subject_account_id for e in page.entries if e.subject_account_id is not None})
        return NamedAuditPage(
            entries=page.entries,
            next_cursor=page.next_cursor,
            subject_names=uow.notifications.account_names(timebank_id, subjects),
            actor_names=uow.audit.actor_names(timebank_id, sorted({e.actor for e in page.entries})),
        )

    return run(engine, use_case, write=False)


def _page(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    account_id: int | None,
    action: AuditAction | None,
    cursor: str | None,
    limit: int | None,
) -> AuditPage:
    named = [] if account_id is None else [account_id]
    with not_found_before_refused(uow, timebank_id, account_ids=named):
        caller.check_coordinator(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)
    uow.timebanks.get(timebank_id)
    if account_id is not None:
        uow.accounts.get(timebank_id, account_id)
    records = uow.audit.entries(
        timebank_id,
        account_id,
        limit=size + 1,
        after_id=after_id,
        action=None if action is None else action.value,
    )
    kept, next_cursor = split_page(records, size, _written_id)
    return AuditPage(entries=tuple(AuditEntryView.of(r) for r in kept), next_cursor=next_cursor)


def _written_id(record: AuditRecord) -> int:
    assert record.audit_id is not None  # a row read back from the log has its id
    return record.audit_id
