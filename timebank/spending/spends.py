"""Spending credits on what organisations offer, with the benefit check on goods and vouchers (B5).

An organisation offers **spend options**: a swim session, a place on a course, a community meal,
or goods and vouchers. Each has a title, whole minutes and a class (``SpendClass``). A coordinator,
or whoever acts for the organisation (its staff, its API keys), creates and withdraws them; every
member of the timebank may see the active ones.

A member **spends** credits on an option, or a coordinator does it for them. In the ledger a spend
is an ordinary exchange in which the organisation gives and the member receives, so the member's
credits go to the organisation's account. It posts at once: the member is the one who asks, so
credits leave an account with its holder's consent, and the organisation gave its consent when it
offered the option (which is why a timebank's "both sides confirm" setting does not hold a spend
pending). It goes through the same posting and the same exchange repository as any exchange, so
floors, caps, the per-transfer limit, statements and the report's running totals see it as usual.
A ``spends`` row beside it keeps the option, its class and any acknowledgement.

For a member who declared benefits, goods and vouchers may affect those benefits: the disregard of
time credits rests on their not being exchanged for goods. ``check_spend`` decides. Such a spend
goes ahead only with the member's acknowledgement, in their own words; otherwise it is refused
with ``spend_acknowledgement_required``, in words the member reads, which name no benefit. An
acknowledgement given where none is needed is not kept. Every check is audited (``spend_checked``,
and ``spend_acknowledged`` when one was given and needed). A refusal leaves its audit rows
(``spend_checked``, ``spend_refused``), written in a transaction of their own once the refused
one has been rolled back, as a refused payment does (``timebank.involvement.attendance``). The check
itself is in ``spend_guard``.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.benefits.errors import TextRequired
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db.repositories import SpendOptionRecord, SpendRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import Posting, post_transaction
from timebank.involvement.activities import check_acts_for
from timebank.involvement.audit import AuditTrail, write_refusal_audit
from timebank.involvement.errors import MemberAccountRequired
from timebank.ledger import rules
from timebank.ledger.errors import AccountHolderRequired, CoordinatorRequired
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.ledger.types import (
    AccountKind,
    ExchangeRecord,
    ExchangeStatus,
    ReceiverShare,
    TransactionKind,
    TransferIntent,
)
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.spending.errors import SpendClassUnknown, SpendOptionWithdrawn
from timebank.spending.guard import SpendRefused, guard_spend
from timebank.spending.requests import CreateSpendOption, SpendCredits
from timebank.spending.views import SpendOptionPage, SpendOptionView, SpendView

__all__ = [
    "create_spend_option",
    "list_spend_options",
    "read_spend_option",
    "spend_credits",
    "withdraw_spend_option",
]


def _spend_class(value: SpendClass | str) -> SpendClass:
    try:
        return SpendClass(value)
    except ValueError:
        known = ", ".join(c.value for c in SpendClass)
        # The value is not echoed: it is the caller's own text, and may say anything.
        raise SpendClassUnknown(f"That is not a spend class; use one of {known}") from None


def _title(title: str) -> str:
    rules.check_text("title", title, NAME_LENGTH_MAX)
    if not title.strip():
        raise TextRequired("A spend option needs a title")
    return title.strip()


def _acknowledgement(acknowledgement: str | None) -> str | None:
    if acknowledgement is None:
        return None
    rules.check_text("acknowledgement", acknowledgement, NAME_LENGTH_MAX)
    if not acknowledgement.strip():
        raise TextRequired("An acknowledgement, when given, says in words what the member understood")
    return acknowledgement.strip()


def create_spend_option(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, request: CreateSpendOption
) -> SpendOptionView:
    """Offer something members may spend credits on with the organisation."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> SpendOptionView:
        timebank = uow.timebanks.get(timebank_id)
        # The request's own rules, once. A spend is one transfer, so its minutes keep to the
        # timebank's own per-transfer limit.
        title = _title(request.title)
        rules.check_minutes(request.minutes, timebank.minutes_per_transfer_max)
        spend_class = _spend_class(request.spend_class)
        check_acts_for(caller, uow.organisations.get(timebank_id, organisation_id))
        spend_option_id = uow.spend_options.insert(
            timebank_id,
            organisation_id,
            title,
            request.minutes,
            spend_class.value,
            caller.caller,
            utc_now(),
        )
        view = SpendOptionView.of(uow.spend_options.get(timebank_id, spend_option_id))
        uow.commit()
        return view

    return run(engine, use_case)


def list_spend_options(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int | None = None,
    *,
    include_withdrawn: bool = False,
    cursor: str | None = None,
    limit: int | None = None,
) -> SpendOptionPage:
    """The active options (of one organisation, if named), oldest first, for any member to see.

    Withdrawn ones too, with ``include_withdrawn``, for whoever manages them: a coordinator, or the
    organisation's staff when the organisation is named.
    """
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> SpendOptionPage:
        organisation = (
            None if organisation_id is None else uow.organisations.get(timebank_id, organisation_id)
        )
        if include_withdrawn and organisation is not None:
            check_acts_for(caller, organisation)
        elif include_withdrawn and not caller.is_coordinator:
            raise CoordinatorRequired("Only a coordinator may see every organisation's withdrawn options")
        records = uow.spend_options.page(
            timebank_id,
            organisation_id=organisation_id,
            active_only=not include_withdrawn,
            after_id=after_id,
            limit=size + 1,
        )
        kept, next_cursor = split_page(records, size, lambda r: r.spend_option_id)
        return SpendOptionPage(options=tuple(SpendOptionView.of(r) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case, write=False)


def read_spend_option(
    engine: Engine, timebank_id: int, caller: Caller, spend_option_id: int
) -> SpendOptionView:
    """One option, for any member of the timebank; a withdrawn one says so (``active`` is False).

    A withdrawn option is still read, so that a page can say why it can no longer be spent on.
    """
    caller.check_timebank(timebank_id)
    return run(
        engine,
        lambda uow: SpendOptionView.of(uow.spend_options.get(timebank_id, spend_option_id)),
        write=False,
    )


def withdraw_spend_option(
    engine: Engine, timebank_id: int, caller: Caller, spend_option_id: int
) -> SpendOptionView:
    """Stop offering an option; spends already made keep pointing at it. Withdrawing twice is no error."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> SpendOptionView:
        option = uow.spend_options.get(timebank_id, spend_option_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, option.organisation_id))
        uow.spend_options.withdraw(timebank_id, spend_option_id, caller.caller, utc_now())
        view = SpendOptionView.of(uow.spend_options.get(timebank_id, spend_option_id))
        uow.commit()
        return view

    return run(engine, use_case)


def spend_credits(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    spend_option_id: int,
    request: SpendCredits,
    *,
    idempotency_key: str | None = None,
) -> SpendView:
    """Spend the member's credits on the option: one confirmed exchange and its spend row, audited.

    The request's ``acknowledgement`` is the member's own words (or a reference to them) saying they
    understand that goods or a voucher may affect their benefits; it is needed only for those
    classes, and only when the member declared benefits.
    """
    caller.check_timebank(timebank_id)
    words = _acknowledgement(request.acknowledgement)
    # What a replay is compared with: the request as the first version of the use case wrote it.
    replayed_as = {
        "spend_option_id": spend_option_id,
        "account_id": request.account_id,
        "acknowledgement": request.acknowledgement,
    }

    def use_case(uow: UnitOfWork) -> SpendView:
        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "spend_credits",
            replayed_as,
            SpendView,
            lambda: _spend(uow, timebank_id, caller, spend_option_id, request.account_id, words),
        )
        uow.commit()
        return view

    try:
        return run(engine, use_case)
    except SpendRefused as refused:
        write_refusal_audit(engine, timebank_id, refused.entries)
        raise refused.refusal from None


def _spend(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    spend_option_id: int,
    account_id: int,
    acknowledgement: str | None,
) -> SpendView:
    timebank = uow.timebanks.get(timebank_id)
    option = uow.spend_options.get(timebank_id, spend_option_id, for_share=True)
    organisation = uow.organisations.get(timebank_id, option.organisation_id)
    # Existence first (an unknown or other timebank's account is not found), then who asks.
    locked = uow.accounts.lock(timebank_id, [organisation.account_id, account_id])
    if not (caller.is_coordinator or caller.account_id == account_id):
        raise AccountHolderRequired("Only the member, or a coordinator for them, can spend their credits")
    if locked[account_id].kind is not AccountKind.MEMBER:
        raise MemberAccountRequired(f"Credits are spent by members; account {account_id} is not a member's")
    if not option.active:
        raise SpendOptionWithdrawn(f"Spend option {spend_option_id} has been withdrawn")
    # Before the benefit check, whose refusal would be audited: a membership that ended spends nothing.
    rules.check_open(locked.values())
    trail = AuditTrail(caller.caller)
    decision = guard_spend(uow, timebank_id, account_id, option, acknowledgement, trail)
    posting = post_transaction(
        uow,
        timebank,
        TransactionKind.EXCHANGE,
        # The organisation gives and the member receives, so the credits flow member → organisation.
        [TransferIntent(account_id, organisation.account_id, option.minutes)],
        caller.caller,
        locked=locked,
    )
    exchange_id = uow.exchanges.insert(
        _exchange(timebank_id, caller, option, organisation.account_id, account_id, posting)
    )
    uow.rollups.count_exchanges(timebank_id, [exchange_id])  # a spend is a confirmed exchange
    kept = acknowledgement if decision.acknowledgement_needed else None
    spend = SpendRecord(
        None,
        spend_option_id,
        account_id,
        exchange_id,
        option.spend_class,
        kept,
        caller.caller,
        posting.posted_at,
    )
    spend_id = uow.spend_options.insert_spend(timebank_id, spend)
    trail.write(uow, timebank_id)
    (transfer,) = posting.transfers
    assert transfer.source_account_id == account_id
    return SpendView(
        spend_id=spend_id,
        spend_option_id=spend_option_id,
        organisation_id=option.organisation_id,
        account_id=account_id,
        exchange_id=exchange_id,
        transaction_id=posting.transaction_id,
        minutes=option.minutes,
        spend_class=SpendClass(option.spend_class),
        acknowledged=spend.acknowledged,
        spent_at=posting.posted_at,
        balance_minutes=transfer.source_balance_after_minutes,
    )


def _exchange(
    timebank_id: int,
    caller: Caller,
    option: SpendOptionRecord,
    organisation_account_id: int,
    account_id: int,
    posting: Posting,
) -> ExchangeRecord:
    return ExchangeRecord(
        exchange_id=0,  # given by the database on insert
        timebank_id=timebank_id,
        giver_account_id=organisation_account_id,
        receivers=(ReceiverShare(account_id, option.minutes),),
        status=ExchangeStatus.CONFIRMED,
        activity_date=posting.posted_at.date(),
        # The organisation's own title. The benefit-safe statement shows a description only when it
        # calls credits nothing they are not (B8), as for any exchange.
        description=option.title,
        category=None,
        recorded_by=caller.caller,
        recorded_by_account_id=caller.account_id,
        awaiting_consent_from=frozenset(),
        transaction_id=posting.transaction_id,
        created_at=posting.posted_at,
    )
