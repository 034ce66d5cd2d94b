"""Recording exchanges under the consent rule, and what happens to them afterwards.

An exchange recorded by its receiver (who pays) or by a coordinator posts at once: one transaction
with a transfer from each receiver to the giver. One recorded by the giver waits, ``pending`` and
touching no balance, until every receiver confirms; the last confirmation posts it. Limits are
checked when the transfers post, not when the exchange is recorded. Pending exchanges older than the
timebank's setting expire, or post by themselves where the timebank auto-confirms.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import LimitBreached
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import Posting, post_transaction
from timebank.exchanges.requests import RecordExchange
from timebank.exchanges.views import ExchangeView, ExpiryReport
from timebank.ledger import consent, rules
from timebank.ledger.errors import (
    AccountsMustDiffer,
    PotCannotExchange,
    ReceiverRepeated,
    ReceiversRequired,
    TooManyReceivers,
)
from timebank.ledger.limits import (
    CATEGORY_LENGTH_MAX,
    DESCRIPTION_LENGTH_MAX,
    PENDING_EXPIRY_BATCH_MAX,
    RECEIVERS_MAX,
)
from timebank.ledger.types import (
    AccountKind,
    AccountState,
    Actor,
    ExchangeRecord,
    ExchangeStatus,
    ReceiverShare,
    TransactionKind,
    TransferIntent,
)
from timebank.notifications.outbox import tell_exchange_answered, tell_exchange_recorded
from timebank.offers.errors import PostMemberNotInExchange
from timebank.people.callers import Caller

__all__ = [
    "cancel_exchange",
    "check_exchange_request",
    "check_no_pot",
    "confirm_exchange",
    "decline_exchange",
    "expire_pending",
    "expire_pending_everywhere",
    "record_exchange",
]


def check_exchange_request(
    giver_account_id: int,
    receivers: Sequence[ReceiverShare],
    description: str,
    category: str | None,
    limit_minutes: int,
) -> None:
    """The checks an exchange passes on its own, before anything is read (errors tree order)."""
    if not receivers:
        raise ReceiversRequired("Name at least one person who received the help")
    if len(receivers) > RECEIVERS_MAX:
        raise TooManyReceivers(f"At most {RECEIVERS_MAX} receivers in one exchange")
    for share in receivers:
        rules.check_minutes(share.minutes, limit_minutes)
    seen: set[int] = set()
    for share in receivers:
        if share.account_id == giver_account_id:
            raise AccountsMustDiffer("The giver cannot also be a receiver")
        if share.account_id in seen:
            raise ReceiverRepeated(f"Account {share.account_id} is named twice")
        seen.add(share.account_id)
    rules.check_text("description", description, DESCRIPTION_LENGTH_MAX)
    rules.check_text("category", category, CATEGORY_LENGTH_MAX)


def check_no_pot(parties: Iterable[AccountState]) -> None:
    """Help is given and received by members and organisations; the pot only holds donations."""
    if any(party.kind is AccountKind.POT for party in parties):
        raise PotCannotExchange("The pot cannot give or receive help; use a donation or a grant")


def _intents(giver_account_id: int, receivers: Sequence[ReceiverShare]) -> list[TransferIntent]:
    # Time flows giver → receiver, so credits flow receiver → giver.
    return [TransferIntent(r.account_id, giver_account_id, r.minutes) for r in receivers]


def record_exchange(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    request: RecordExchange,
    *,
    idempotency_key: str | None = None,
) -> ExchangeView:
    """Record help given; by its receiver or a coordinator it posts at once, by its giver it waits."""
    receivers = request.shares()
    # Payers first: a staff member recording help their organisation received consents for it.
    actor = caller.actor(timebank_id, [r.account_id for r in receivers] + [request.giver_account_id])

    def use_case(uow: UnitOfWork) -> ExchangeView:
        timebank = uow.timebanks.get(timebank_id)
        view = once(
            uow,
            timebank_id,
            actor.caller,
            idempotency_key,
            "record_exchange",
            # What a replay is compared with: the request as the first version of the API wrote it
            # (and the post it came from, when it names one, so keys used before posts still replay).
            {
                "giver_account_id": request.giver_account_id,
                "receivers": [(r.account_id, r.minutes) for r in receivers],
                "activity_date": request.activity_date.isoformat(),
                "description": request.description,
                "category": request.category,
            }
            | ({} if request.post_id is None else {"post_id": request.post_id}),
            ExchangeView,
            lambda: _record(uow, timebank, actor, caller, request.giver_account_id, receivers, request),
        )
        uow.commit()
        return view

    return run(engine, use_case)


def _record(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    actor: Actor,
    caller: Caller,
    giver_account_id: int,
    receivers: tuple[ReceiverShare, ...],
    request: RecordExchange,
) -> ExchangeView:
    receiver_ids = [r.account_id for r in receivers]
    # The request's own rules, against this timebank's limit on minutes (the request's type knows
    # only the ceiling), checked once, before anything is read.
    check_exchange_request(
        giver_account_id, receivers, request.description, request.category, timebank.minutes_per_transfer_max
    )
    # Bug fix: exchanges dated years ahead, or in 1901, were taken (today is UTC's).
    rules.check_activity_date(request.activity_date, utc_now().date(), timebank.backdate_days_max)
    # Existence first (an unknown or other timebank's account is not found), then consent.
    locked = uow.accounts.lock(timebank.timebank_id, [giver_account_id, *receiver_ids])
    if request.post_id is not None:
        _check_post(uow, timebank.timebank_id, caller, request.post_id, giver_account_id, receiver_ids)
    check_no_pot(locked.values())
    consent.check_may_record(actor, giver_account_id, receiver_ids)
    # Before it waits or posts: an exchange left waiting with a closed account would wait forever.
    rules.check_open(locked.values())
    awaiting = consent.consents_needed(actor, giver_account_id, receiver_ids, timebank.require_both_sides)
    posting: Posting | None = None
    if not awaiting:
        posting = post_transaction(
            uow,
            timebank,
            TransactionKind.EXCHANGE,
            _intents(giver_account_id, receivers),
            actor.caller,
            locked=locked,
        )
    exchange = ExchangeRecord(
        exchange_id=0,  # given by the database on insert
        timebank_id=timebank.timebank_id,
        giver_account_id=giver_account_id,
        receivers=tuple(sorted(receivers, key=lambda r: r.account_id)),
        status=ExchangeStatus.PENDING if awaiting else ExchangeStatus.CONFIRMED,
        activity_date=request.activity_date,
        description=request.description,
        category=request.category,
        recorded_by=actor.caller,
        recorded_by_account_id=actor.account_id,
        awaiting_consent_from=awaiting,
        transaction_id=posting.transaction_id if posting else None,
        created_at=posting.posted_at if posting else utc_now(),
        post_id=request.post_id,
    )
    exchange = replace(exchange, exchange_id=uow.exchanges.insert(exchange))
    if posting is not None:
        # The report's running totals count it in the same transaction (timebank.db.report_tables).
        uow.rollups.count_exchanges(timebank.timebank_id, [exchange.exchange_id])
    else:
        # Those it waits for are told in the same transaction: a rollback tells nobody.
        tell_exchange_recorded(uow, timebank, exchange, exchange.created_at)
    # Answered from what was just written rather than read back: a round trip fewer on the hot path.
    return ExchangeView.of(exchange)


def _check_post(
    uow: UnitOfWork,
    timebank_id: int,
    caller: Caller,
    post_id: int,
    giver_account_id: int,
    receiver_ids: Sequence[int],
) -> None:
    """An exchange from an offer or request is this timebank's, and its member gave or received.

    A member answers it by the same rule as on its page (someone else's, not hidden, open and not
    ended: ``check_answerable``), so a hidden post is not found and its id tells them nothing. A
    coordinator may link an exchange to any post of the timebank, after the fact."""
    # Imported here: offers leans on involvement, which leans on exchanges, so a module-level import
    # would close a cycle when offers is imported first (tests/test_architecture.py tries each first).
    from timebank.offers.answering import check_answerable

    post = uow.offers.post(timebank_id, post_id)
    if not caller.is_coordinator:
        check_answerable(caller, post, utc_now().date())
    if post.account_id != giver_account_id and post.account_id not in receiver_ids:
        raise PostMemberNotInExchange(
            f"{post.member_name} posted this {post.kind}: record help they gave or received"
        )


def _consenting_actor(caller: Caller, timebank_id: int, exchange: ExchangeRecord) -> Actor:
    """The caller as the party whose consent this is: a staff member may hold their own account and
    their organisation's, and confirms or declines for the one the exchange awaits."""
    parties = [exchange.giver_account_id, *(r.account_id for r in exchange.receivers)]
    return caller.actor(timebank_id, [*sorted(exchange.awaiting_consent_from), *parties])


def confirm_exchange(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    exchange_id: int,
    *,
    idempotency_key: str | None = None,
) -> ExchangeView:
    """Give the caller's consent; the last consent posts the exchange (limits checked now)."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> ExchangeView:
        timebank = uow.timebanks.get(timebank_id)

        def work() -> ExchangeView:
            exchange = uow.exchanges.get(timebank_id, exchange_id, for_update=True)
            actor = _consenting_actor(caller, timebank_id, exchange)
            still_awaiting = consent.consents_after_confirm(exchange, actor)
            now = utc_now()
            if actor.account_id is not None and actor.account_id in exchange.awaiting_consent_from:
                uow.exchanges.record_consent(exchange, actor.account_id, now)
            if not still_awaiting:
                _post_pending(uow, timebank, exchange)
                tell_exchange_answered(uow, timebank, exchange, actor.account_id, True, now)
            return ExchangeView.of(uow.exchanges.get(timebank_id, exchange_id))

        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "confirm_exchange",
            {"exchange_id": exchange_id},
            ExchangeView,
            work,
        )
        uow.commit()
        return view

    return run(engine, use_case)


def _post_pending(uow: UnitOfWork, timebank: TimebankSettings, exchange: ExchangeRecord) -> Posting:
    posting = post_transaction(
        uow,
        timebank,
        TransactionKind.EXCHANGE,
        _intents(exchange.giver_account_id, exchange.receivers),
        exchange.recorded_by,
    )
    uow.exchanges.set_status(
        exchange.exchange_id,
        ExchangeStatus.CONFIRMED,
        posting.posted_at,
        transaction_id=posting.transaction_id,
    )
    uow.rollups.count_exchanges(timebank.timebank_id, [exchange.exchange_id])
    return posting


def _close(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    exchange_id: int,
    status: ExchangeStatus,
) -> ExchangeView:
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> ExchangeView:
        timebank = uow.timebanks.get(timebank_id)
        exchange = uow.exchanges.get(timebank_id, exchange_id, for_update=True)
        now = utc_now()
        if status is ExchangeStatus.DECLINED:
            actor = _consenting_actor(caller, timebank_id, exchange)
            consent.check_may_decline(exchange, actor)
            tell_exchange_answered(uow, timebank, exchange, actor.account_id, False, now)
        else:
            consent.check_may_cancel(exchange, caller.actor(timebank_id))
        uow.exchanges.set_status(exchange_id, status, now)
        view = ExchangeView.of(uow.exchanges.get(timebank_id, exchange_id))
        uow.commit()
        return view

    return run(engine, use_case)


def decline_exchange(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeView:
    """Someone asked to confirm says no; nothing posts."""
    return _close(engine, timebank_id, caller, exchange_id, ExchangeStatus.DECLINED)


def cancel_exchange(engine: Engine, timebank_id: int, caller: Caller, exchange_id: int) -> ExchangeView:
    """Whoever recorded a pending exchange withdraws it; nothing posts."""
    return _close(engine, timebank_id, caller, exchange_id, ExchangeStatus.CANCELLED)


def expire_pending_everywhere(engine: Engine, now: datetime | None = None) -> dict[int, ExpiryReport]:
    """Run ``expire_pending`` for every timebank, each in its own transaction (for a scheduler)."""
    timebank_ids = run(engine, lambda uow: uow.timebanks.all_ids(), write=False)
    return {timebank_id: expire_pending(engine, timebank_id, now) for timebank_id in timebank_ids}


def expire_pending(engine: Engine, timebank_id: int, now: datetime | None = None) -> ExpiryReport:
    """Close pending exchanges older than the timebank's setting, in one transaction.

    Where the timebank auto-confirms, each posts as if confirmed; one that would now break a limit
    expires instead, so one member's balance never blocks the rest.
    """

    def use_case(uow: UnitOfWork) -> ExpiryReport:
        timebank = uow.timebanks.get(timebank_id)
        cutoff = (now or utc_now()) - timedelta(days=timebank.pending_expiry_days)
        expired = auto_confirmed = 0
        for exchange_id in uow.exchanges.pending_created_before(
            timebank_id, cutoff, PENDING_EXPIRY_BATCH_MAX
        ):
            exchange = uow.exchanges.get(timebank_id, exchange_id, for_update=True)
            if timebank.auto_confirm_pending:
                try:
                    _post_pending(uow, timebank, exchange)
                    auto_confirmed += 1
                    continue
                except LimitBreached:
                    # Posting raised before writing anything, so the exchange simply expires.
                    pass
            uow.exchanges.set_status(exchange_id, ExchangeStatus.EXPIRED, utc_now())
            expired += 1
        uow.commit()
        return ExpiryReport(expired=expired, auto_confirmed=auto_confirmed)

    return run(engine, use_case)
