"""Ending a membership (issue 18, DESIGN §9): the account closes, the history stays.

A coordinator ends a member's membership on a day: the last day they were a member. From then on
their account neither gives nor receives (the ledger refuses, ``membership_ended``), their balance
stays in the ledger, and the reports count them as a member of every window that holds a day from
their joining to that last day. What happens to the balance is the timebank's setting
(``balance_on_leaving``): ``kept`` leaves it on the closed account as it was; ``to_pot`` moves all of
it to the pot in one ``membership_end`` transaction, and where it was below zero the pot covers it
(refused with ``pot_cannot_cover_balance`` when the pot holds too little: it never goes below zero).

The day may be today or earlier, but no further back than the timebank lets exchanges be dated,
and never before the member joined or before an exchange they took part in (the membership must
cover everything recorded for them, as the reports count it). Not a future day: the ending acts at
once (the balance moves, the account closes, waiting exchanges are cancelled), so a leaving that is
planned is recorded on its day.

In the same transaction, so that nothing is left waiting for someone who has gone:

- every exchange still pending with the member as giver or receiver is cancelled, and says why
  (``closed_because``: ``membership_ended``);
- their open offers and requests are closed, so search no longer finds them;
- the coordinator role is taken from them (refused with ``last_coordinator_required`` for the
  timebank's last coordinator, as for any role change), and their links as an organisation's staff
  are removed: a former member acts for nobody;
- the audit log records that it ended, the day, and what happened to the balance; the reason, in
  the coordinator's words and about a person, is kept on the member's record instead, where an
  erasure can clear it (the audit log is append-only).

Their login is left as it is: a former member may still log in to read their statement and
download everything held about them, and can do nothing that moves credits. A coordinator who wants
it off turns it off on the member's page, as for anyone. A membership ends once
(``membership_already_ended``); a replay of the same keyed request answers as the first time.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import MemberRecord, TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.exchanges.idempotency import once
from timebank.exchanges.posting import post_transaction
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.ledger import rules
from timebank.ledger.errors import ReasonRequired
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import (
    AccountState,
    BalanceOnLeaving,
    ClosedBecause,
    ExchangeStatus,
    TransactionKind,
    TransferIntent,
)
from timebank.people.callers import Caller
from timebank.people.errors import (
    LastCoordinatorRequired,
    MembershipAlreadyEnded,
    MembershipEndDateInFuture,
    MembershipEndDateTooEarly,
    MembershipEndDateTooFarBack,
    PotCannotCoverBalance,
)
from timebank.people.requests import MEMBERSHIP_END_REASON_LENGTH_MAX, EndMembership
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import MembershipEndView

__all__ = ["balance_move", "check_end_date", "end_membership"]

# The note on a membership_end transaction, read on the statements of both accounts.
_NOTE_TO_POT = "Balance moved to the community pot as the membership ended"
_NOTE_FROM_POT = "Balance below zero covered by the community pot as the membership ended"


def check_end_date(
    ended_on: date,
    today: date,
    backdate_days_max: int,
    joined_on: date,
    last_exchange_on: date | None,
) -> None:
    """The last day of a membership: today or before, within the reach back, and covering its history."""
    if ended_on > today:
        raise MembershipEndDateInFuture(
            f"The membership would end on {ended_on.isoformat()}, after today ({today.isoformat()}). "
            "Record a leaving on its day, or a day already past."
        )
    if (today - ended_on).days > backdate_days_max:
        raise MembershipEndDateTooFarBack(
            f"The membership would end on {ended_on.isoformat()}. This timebank takes dates up to "
            f"{backdate_days_max} days back."
        )
    if ended_on < joined_on:
        raise MembershipEndDateTooEarly(
            f"The membership would end on {ended_on.isoformat()}, before the member joined "
            f"({joined_on.isoformat()})."
        )
    if last_exchange_on is not None and ended_on < last_exchange_on:
        raise MembershipEndDateTooEarly(
            f"The membership would end on {ended_on.isoformat()}, before their last exchange "
            f"({last_exchange_on.isoformat()}). Choose that day or a later one."
        )


def balance_move(account: AccountState, pot: AccountState) -> list[TransferIntent]:
    """The transfers that bring ``account`` to zero against the pot, each at most the ledger's
    ceiling on one transfer (a balance may be larger than a week of help)."""
    balance = account.balance_minutes
    source, target = (account, pot) if balance > 0 else (pot, account)
    intents = []
    left = abs(balance)
    while left:
        minutes = min(left, MINUTES_PER_TRANSFER_MAX)
        intents.append(TransferIntent(source.account_id, target.account_id, minutes))
        left -= minutes
    return intents


def end_membership(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    member_id: int,
    request: EndMembership,
    *,
    idempotency_key: str | None = None,
) -> MembershipEndView:
    """End a member's membership on ``request.ended_on`` (coordinator); see the module's docstring."""
    caller.check_timebank(timebank_id)
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id)
    reason = request.reason.strip()
    if not reason:
        raise ReasonRequired("Say why the membership ended, in a few words")
    rules.check_text("reason", reason, MEMBERSHIP_END_REASON_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> MembershipEndView:
        view = once(
            uow,
            timebank_id,
            caller.caller,
            idempotency_key,
            "end_membership",
            {"member_id": member_id, "ended_on": request.ended_on.isoformat(), "reason": reason},
            MembershipEndView,
            lambda: _end(uow, timebank_id, caller, member_id, request.ended_on, reason),
        )
        uow.commit()
        return view

    return run(engine, use_case)


def _end(
    uow: UnitOfWork, timebank_id: int, caller: Caller, member_id: int, ended_on: date, reason: str
) -> MembershipEndView:
    timebank = uow.timebanks.get(timebank_id)
    member = uow.members.get(timebank_id, member_id)
    if member.is_coordinator:
        # As for any change of role: two coordinators ending each other's memberships at once must
        # not both succeed, so role changes that may leave nobody to run the timebank take turns.
        uow.timebanks.lock(timebank_id)
    assert timebank.pot_account_id is not None, "every timebank is created with its pot"
    # Locked before anything about the account is read, so an exchange posting at the same moment
    # is either wholly before the end (and its day checked below) or refused as ended.
    locked = uow.accounts.lock(timebank_id, [member.account_id, timebank.pot_account_id])
    account = locked[member.account_id]
    if member.membership_ended_on is not None or account.closed:
        raise MembershipAlreadyEnded(f"{member.display_name}'s membership has already ended")
    first_exchange_on, last_exchange_on = uow.exchanges.activity_span(timebank_id, member.account_id)
    joined_on = member.created_at.date()
    if first_exchange_on is not None:
        # History imported for someone who joined later: they were a member from their first exchange.
        joined_on = min(joined_on, first_exchange_on)
    check_end_date(ended_on, utc_now().date(), timebank.backdate_days_max, joined_on, last_exchange_on)
    if member.is_coordinator and uow.members.coordinator_count(timebank_id) <= 1:
        raise LastCoordinatorRequired(
            "This is the timebank's last coordinator. Make another member a coordinator first."
        )
    transaction_id = _settle(uow, timebank, caller, account, locked[timebank.pot_account_id])
    now = utc_now()
    cancelled = uow.exchanges.pending_for_account(timebank_id, member.account_id)
    for exchange_id in cancelled:
        uow.exchanges.set_status(
            exchange_id, ExchangeStatus.CANCELLED, now, closed_because=ClosedBecause.MEMBERSHIP_ENDED
        )
    # Their offers and requests close with them: nobody should ask a former member for help.
    uow.offers.close_member_posts(timebank_id, member_id, now)
    # The account as the settling left it (locked all along), closed at that version.
    uow.accounts.close(uow.accounts.get(timebank_id, member.account_id), now)
    uow.members.end_membership(member_id, ended_on, now, caller.caller, reason)
    if member.is_coordinator:
        uow.members.set_coordinator(member_id, False)
    organisations_left = uow.organisations.remove_from_every_staff(member_id)
    view = MembershipEndView(
        member_id=member_id,
        account_id=member.account_id,
        membership_ended_on=ended_on,
        balance_on_leaving=timebank.balance_on_leaving,
        balance_minutes=account.balance_minutes,
        transaction_id=transaction_id,
        cancelled_exchange_ids=tuple(cancelled),
        coordinator_role_removed=member.is_coordinator,
        organisation_ids_left=tuple(organisations_left),
    )
    _audit(uow, timebank_id, caller, member, view)
    return view


def _settle(
    uow: UnitOfWork, timebank: TimebankSettings, caller: Caller, account: AccountState, pot: AccountState
) -> int | None:
    """Move the balance to or from the pot, where the timebank says so; the transaction's id."""
    balance = account.balance_minutes
    if timebank.balance_on_leaving is BalanceOnLeaving.KEPT or balance == 0:
        return None
    if balance < 0 and pot.balance_minutes + balance < pot.floor_minutes:
        raise PotCannotCoverBalance(
            f"The pot holds {pot.balance_minutes} minutes, and this member's balance is {balance} minutes. "
            "Give credits to the pot first, or change the setting so that balances are kept."
        )
    posting = post_transaction(
        uow,
        timebank,
        TransactionKind.MEMBERSHIP_END,
        balance_move(account, pot),
        caller.caller,
        limit_minutes=MINUTES_PER_TRANSFER_MAX,
        note=_NOTE_TO_POT if balance > 0 else _NOTE_FROM_POT,
        locked={account.account_id: account, pot.account_id: pot},
    )
    return posting.transaction_id


def _audit(
    uow: UnitOfWork, timebank_id: int, caller: Caller, member: MemberRecord, view: MembershipEndView
) -> None:
    trail = AuditTrail(caller.caller)
    trail.add(
        AuditAction.MEMBERSHIP_ENDED,
        member.account_id,
        ended_on=view.membership_ended_on.isoformat(),
        balance_on_leaving=view.balance_on_leaving.value,
        balance_minutes=view.balance_minutes,
        transaction_id=view.transaction_id,
        cancelled_exchanges=len(view.cancelled_exchange_ids),
        coordinator_role_removed=view.coordinator_role_removed,
        organisations_left=len(view.organisation_ids_left),
    )
    trail.write(uow, timebank_id)
