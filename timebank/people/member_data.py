"""Everything the service holds about a member, for them to download (UK GDPR right of access).

A member may ask for a copy of their personal data; DESIGN §9 promises they can download it. This
use case reads it all for one member, in **one read-only snapshot**, so that the statement's
running balance, the exchanges and the profile's balance agree with each other:

- the **profile**: names, username, roles, tags, organisations they are staff of, limits and
  counters, email address and whether they checked it, the messages they chose, when they joined;
- their **exchanges**, as giver or as receiver, with the other party named by display name only;
- their **statement**: every line with the balance after it;
- their **benefits declaration**, if they made one (the member's own; B4);
- the **activities** they attended and were invited to, and the **money** about them: expenses,
  payments, payments declined or given to a charity, and what they spent credits on;
- the **audit log** entries about them (the entries whose subject is their account).

What is *not* here: password hashes, tokens and set-password codes (secrets, not data about the
person), and anything about other members beyond the display name of the other party to an
exchange or a statement line.

**Who may.** The member themself, or a coordinator of their timebank reading it for them. Staff of
an organisation, its API keys and other members are refused (``self_or_coordinator_required``);
another timebank's member is not found. Every download is audited as ``member_data_downloaded``
(with ``by_coordinator``), and because it holds the declaration, as ``declaration_read`` too. The
audit rows are written in a short transaction of their own *after* the snapshot was read: holding
a write transaction open across the reads would keep SQLite's one writer waiting for the whole
download. The rows are written before anything is handed back, so no copy leaves unaudited.

**Bound.** Each list holds at most ``MEMBER_DATA_ROWS_MAX`` rows, read ``_PAGE_ROWS`` at a time;
``cut`` names the lists that had more (the newest statement lines and exchanges are kept; the other
lists keep their oldest). With every list full the view holds some 50,000 small rows, a few tens of
megabytes at most; a member with ten years of weekly exchanges has about 1,000 lines.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import Engine

from timebank.accounts.statements import POT_NAME, statement_line
from timebank.accounts.views import StatementLine
from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.db.repositories import (
    AttendedActivityRow,
    AuditRecord,
    DeclarationRecord,
    DeclinedPaymentRecord,
    ExpenseRecord,
    InvitedActivityRow,
    PaymentRecord,
    PostRecord,
    SpentRow,
    StatementRow,
)
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.ledger.types import AccountKind, ExchangeRecord
from timebank.notifications.kinds import CHOOSABLE_KINDS
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused

__all__ = [
    "MEMBER_DATA_ROWS_MAX",
    "ExchangeLine",
    "MemberData",
    "MemberProfile",
    "member_data",
]

MEMBER_DATA_ROWS_MAX = 5_000
_PAGE_ROWS = 500
# Names are looked up this many accounts at a time, well inside every database's limit on parameters.
_NAMES_PER_QUERY = 500
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class MemberProfile:
    member_id: int
    account_id: int
    timebank_name: str
    display_name: str
    username: str | None
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    staff_of: tuple[str, ...]  # the organisations they are staff of, by name
    login_turned_off_at: datetime | None
    floor_minutes: int
    cap_minutes: int | None
    balance_minutes: int
    earned_minutes: int
    spent_minutes: int
    email: str | None
    email_checked_at: datetime | None
    messages_wanted: tuple[str, ...]
    messages_stopped: tuple[str, ...]
    joined_at: datetime
    # Once the membership has ended: its last day, and the reason the coordinator recorded.
    membership_ended_on: date | None = None
    membership_end_reason: str | None = None


@dataclass(frozen=True, slots=True)
class ExchangeLine:
    """One exchange seen from the member: their side, their minutes, and the other party's name."""

    exchange_id: int
    role: str  # "giver" or "receiver"
    other_party: str  # the receivers' names for a giver, the giver's for a receiver
    minutes: int  # all the receivers' minutes for a giver; the member's own share for a receiver
    status: str
    activity_date: date
    description: str
    category: str | None
    recorded_at: datetime
    reversal_reason: str | None


@dataclass(frozen=True)
class MemberData:
    """Everything held about one member, as read in one snapshot at ``read_at``."""

    read_at: datetime
    profile: MemberProfile
    declaration: DeclarationRecord | None
    exchanges: tuple[ExchangeLine, ...]  # newest first
    statement: tuple[StatementLine, ...]  # oldest first
    attended: tuple[AttendedActivityRow, ...]
    invited: tuple[InvitedActivityRow, ...]
    expenses: tuple[ExpenseRecord, ...]
    payments: tuple[PaymentRecord, ...]
    declined: tuple[DeclinedPaymentRecord, ...]
    spent: tuple[SpentRow, ...]
    audit: tuple[AuditRecord, ...]
    posts: tuple[PostRecord, ...]  # their offers and requests, newest first
    organisation_names: Mapping[int, str]
    cut: tuple[str, ...]  # the lists that held more than MEMBER_DATA_ROWS_MAX rows

    @property
    def declared_labels(self) -> tuple[str, ...]:
        if self.declaration is None:
            return ()
        return tuple(BenefitCategory(code).label for code in self.declaration.categories)


def _check_may_download(caller: Caller, timebank_id: int, member_id: int) -> None:
    # Not an organisation's staff or its API keys, nor other members; an admin belongs to no timebank.
    caller.check_timebank(timebank_id)
    if not (caller.member_id == member_id or caller.is_coordinator):
        raise SelfOrCoordinatorRequired("Only the member, or a coordinator for them, may download their data")


def _profile(uow: UnitOfWork, timebank_id: int, member_id: int) -> MemberProfile:
    member = uow.members.get(timebank_id, member_id)
    account = uow.accounts.get(timebank_id, member.account_id)
    recipient = uow.notifications.recipient(timebank_id, member_id)
    login = uow.recovery.login_of(timebank_id, member_id)
    found = uow.notifications.preferences(member_id)
    muted = frozenset() if found is None else found[1].muted_kinds
    staff_of = uow.organisations.page(
        timebank_id,
        organisation_ids=member.organisation_ids,
        after_id=None,
        limit=len(member.organisation_ids) + 1,
    )
    return MemberProfile(
        member_id=member_id,
        account_id=member.account_id,
        timebank_name=uow.timebanks.get(timebank_id).name,
        display_name=member.display_name,
        username=member.username,
        roles=("member", "coordinator") if member.is_coordinator else ("member",),
        tags=member.tags,
        staff_of=tuple(organisation.name for organisation in staff_of),
        login_turned_off_at=None if login is None else login.disabled_at,
        floor_minutes=account.floor_minutes,
        cap_minutes=account.cap_minutes,
        balance_minutes=account.balance_minutes,
        earned_minutes=account.earned_minutes,
        spent_minutes=account.spent_minutes,
        email=recipient.email,
        email_checked_at=recipient.email_verified_at,
        messages_wanted=tuple(kind.value for kind in CHOOSABLE_KINDS if kind.value not in muted),
        messages_stopped=tuple(kind.value for kind in CHOOSABLE_KINDS if kind.value in muted),
        joined_at=member.created_at,
        membership_ended_on=member.membership_ended_on,
        membership_end_reason=member.membership_end_reason,
    )


def _exchanges(uow: UnitOfWork, timebank_id: int, account_id: int) -> tuple[list[ExchangeRecord], bool]:
    """The member's exchanges, newest first, a page at a time; and whether more were left."""
    found: list[ExchangeRecord] = []
    before_id: int | None = None
    while len(found) <= MEMBER_DATA_ROWS_MAX:
        page = uow.exchanges.page(
            timebank_id, status=None, account_id=account_id, before_id=before_id, limit=_PAGE_ROWS
        )
        found += page
        if len(page) < _PAGE_ROWS:
            break
        before_id = page[-1].exchange_id
    return found[:MEMBER_DATA_ROWS_MAX], len(found) > MEMBER_DATA_ROWS_MAX


def _names(uow: UnitOfWork, timebank_id: int, account_ids: set[int]) -> dict[int, str]:
    """What a member sees each account called: a member by display name, the pot as the pot."""
    names: dict[int, str] = {}
    ordered = sorted(account_ids)
    for start in range(0, len(ordered), _NAMES_PER_QUERY):
        chunk = ordered[start : start + _NAMES_PER_QUERY]
        names.update(uow.notifications.account_names(timebank_id, chunk))
        kinds = uow.accounts.get_many(timebank_id, chunk)
        names.update({i: POT_NAME for i, state in kinds.items() if state.kind is AccountKind.POT})
        members = uow.notifications.recipients_of_accounts(timebank_id, chunk)
        names.update({i: recipient.display_name for i, recipient in members.items()})
    return names


def _exchange_lines(
    uow: UnitOfWork, timebank_id: int, account_id: int, records: Sequence[ExchangeRecord]
) -> list[ExchangeLine]:
    parties = {r.giver_account_id for r in records} | {s.account_id for r in records for s in r.receivers}
    names = _names(uow, timebank_id, parties - {account_id})
    lines = []
    for record in records:
        giving = record.giver_account_id == account_id
        if giving:
            other = "; ".join(names[share.account_id] for share in record.receivers)
            minutes = sum(share.minutes for share in record.receivers)
        else:
            # A receiver sees who gave, not who else received.
            other = names[record.giver_account_id]
            minutes = sum(share.minutes for share in record.receivers if share.account_id == account_id)
        lines.append(
            ExchangeLine(
                exchange_id=record.exchange_id,
                role="giver" if giving else "receiver",
                other_party=other,
                minutes=minutes,
                status=record.status.value,
                activity_date=record.activity_date,
                description=record.description,
                category=record.category,
                recorded_at=record.created_at,
                reversal_reason=record.reversal_reason,
            )
        )
    return lines


def _statement(uow: UnitOfWork, timebank_id: int, account_id: int) -> tuple[list[StatementLine], bool]:
    """The newest lines of the member's statement, oldest first; and whether older ones were left."""
    rows: list[StatementRow] = []
    before: tuple[datetime, int] | None = None
    while len(rows) <= MEMBER_DATA_ROWS_MAX:
        page = uow.transfers.statement(timebank_id, account_id, before, _PAGE_ROWS)
        rows += page
        if len(page) < _PAGE_ROWS:
            break
        before = (page[-1].posted_at, page[-1].transfer_id)
    kept = [statement_line(row) for row in rows[:MEMBER_DATA_ROWS_MAX]]
    return kept[::-1], len(rows) > MEMBER_DATA_ROWS_MAX


def _audit(uow: UnitOfWork, timebank_id: int, account_id: int) -> tuple[list[AuditRecord], bool]:
    found: list[AuditRecord] = []
    after_id: int | None = None
    while len(found) <= MEMBER_DATA_ROWS_MAX:
        page = uow.audit.entries(timebank_id, account_id, limit=_PAGE_ROWS, after_id=after_id)
        found += page
        if len(page) < _PAGE_ROWS:
            break
        after_id = page[-1].audit_id
    return found[:MEMBER_DATA_ROWS_MAX], len(found) > MEMBER_DATA_ROWS_MAX


def _capped(rows: Sequence[T]) -> tuple[tuple[T, ...], bool]:
    """The first ``MEMBER_DATA_ROWS_MAX`` rows of a list read one longer, and whether it was longer."""
    return tuple(rows[:MEMBER_DATA_ROWS_MAX]), len(rows) > MEMBER_DATA_ROWS_MAX


def _read(uow: UnitOfWork, timebank_id: int, member_id: int) -> MemberData:
    profile = _profile(uow, timebank_id, member_id)
    account_id = profile.account_id
    limit = MEMBER_DATA_ROWS_MAX + 1  # one more than is kept says whether the list was cut
    exchanges, exchanges_cut = _exchanges(uow, timebank_id, account_id)
    statement, statement_cut = _statement(uow, timebank_id, account_id)
    audit, audit_cut = _audit(uow, timebank_id, account_id)
    attended, attended_cut = _capped(uow.member_records.attended(timebank_id, account_id, limit))
    invited, invited_cut = _capped(uow.member_records.invited(timebank_id, account_id, limit))
    expenses, expenses_cut = _capped(uow.money.expenses_of(timebank_id, account_id, limit))
    payments, payments_cut = _capped(uow.money.payments_of(timebank_id, account_id, limit))
    declined, declined_cut = _capped(uow.money.declined_of(timebank_id, account_id, limit))
    spent, spent_cut = _capped(uow.member_records.spent(timebank_id, account_id, limit))
    posts, posts_cut = _capped(uow.offers.member_posts(timebank_id, member_id, before_id=None, limit=limit))
    cut = {
        "exchanges": exchanges_cut,
        "statement": statement_cut,
        "activities": attended_cut,
        "invitations": invited_cut,
        "expenses": expenses_cut,
        "payments": payments_cut,
        "declined_payments": declined_cut,
        "spends": spent_cut,
        "offers_and_requests": posts_cut,
        "audit_log": audit_cut,
    }
    named = sorted(
        {e.organisation_id for e in expenses}
        | {p.organisation_id for p in payments}
        | {d.organisation_id for d in declined}
    )
    organisations = uow.organisations.page(
        timebank_id, organisation_ids=named, after_id=None, limit=len(named) + 1
    )
    return MemberData(
        read_at=utc_now(),
        profile=profile,
        declaration=uow.declarations.get(timebank_id, account_id),
        exchanges=tuple(_exchange_lines(uow, timebank_id, account_id, exchanges)),
        statement=tuple(statement),
        attended=attended,
        invited=invited,
        expenses=expenses,
        payments=payments,
        declined=declined,
        spent=spent,
        audit=tuple(audit),
        posts=tuple(posts),
        organisation_names={o.organisation_id: o.name for o in organisations},
        cut=tuple(name for name, was_cut in cut.items() if was_cut),
    )


def member_data(engine: Engine, timebank_id: int, caller: Caller, member_id: int) -> MemberData:
    """Everything held about the member (see the module), for them or a coordinator; audited."""
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        _check_may_download(caller, timebank_id, member_id)
    data = run(engine, lambda uow: _read(uow, timebank_id, member_id), write=False, snapshot=True)
    by_coordinator = caller.member_id != member_id
    trail = AuditTrail(caller.caller)
    account_id = data.profile.account_id
    trail.add(
        AuditAction.DECLARATION_READ,
        account_id,
        by_coordinator=by_coordinator,
        found=data.declaration is not None,
    )
    trail.add(
        AuditAction.MEMBER_DATA_DOWNLOADED, account_id, by_coordinator=by_coordinator, cut=list(data.cut)
    )

    def audit(uow: UnitOfWork) -> None:
        trail.write(uow, timebank_id)
        uow.commit()

    run(engine, audit)
    return data
