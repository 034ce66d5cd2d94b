"""The consent rule and the life of an exchange.

Credits leave an account only with its holder's consent. When the receiver (who pays) records an
exchange, or a coordinator records it for people who are not online, it posts at once. When the
giver records it, each receiver must confirm before any credits move; until then the exchange is
``pending`` and touches no balance. A timebank may also require the giver to confirm what a receiver
recorded ("both sides confirm").

    pending ──confirm (last consent)──▶ confirmed ──reverse──▶ reversed
       ├──decline──▶ declined
       ├──cancel───▶ cancelled
       └──expire───▶ expired

These functions decide; they never read or write storage.
"""

from __future__ import annotations

from collections.abc import Iterable

from timebank.errors import StateConflict
from timebank.ledger.errors import (
    ConsentAlreadyGiven,
    CoordinatorRequired,
    ExchangeAlreadyCancelled,
    ExchangeAlreadyConfirmed,
    ExchangeAlreadyDeclined,
    ExchangeAlreadyExpired,
    ExchangeNotConfirmed,
    NotAPartyToExchange,
    TransactionAlreadyReversed,
)
from timebank.ledger.types import Actor, ExchangeRecord, ExchangeStatus

__all__ = [
    "check_may_cancel",
    "check_may_decline",
    "check_may_record",
    "check_may_reverse",
    "check_pending",
    "consents_after_confirm",
    "consents_needed",
]

_REFUSAL_BY_STATUS: dict[ExchangeStatus, type[StateConflict]] = {
    ExchangeStatus.CONFIRMED: ExchangeAlreadyConfirmed,
    ExchangeStatus.DECLINED: ExchangeAlreadyDeclined,
    ExchangeStatus.CANCELLED: ExchangeAlreadyCancelled,
    ExchangeStatus.EXPIRED: ExchangeAlreadyExpired,
    ExchangeStatus.REVERSED: TransactionAlreadyReversed,
}


def check_may_record(actor: Actor, giver_account_id: int, receiver_ids: Iterable[int]) -> None:
    """A member records only exchanges they took part in; a coordinator records any."""
    if actor.is_coordinator:
        return
    parties = {giver_account_id, *receiver_ids}
    if actor.account_id is None or actor.account_id not in parties:
        raise NotAPartyToExchange("You can only record an exchange you gave or received in")


def consents_needed(
    actor: Actor,
    giver_account_id: int,
    receiver_ids: Iterable[int],
    require_both_sides: bool,
) -> frozenset[int]:
    """Accounts whose holders must still confirm before the exchange posts (empty: post now)."""
    if actor.is_coordinator:
        return frozenset()
    needed = {r for r in receiver_ids if not actor.holds(r)}
    if require_both_sides and not actor.holds(giver_account_id):
        needed.add(giver_account_id)
    return frozenset(needed)


def check_pending(exchange: ExchangeRecord) -> None:
    """Raise the state's own error unless the exchange is still pending."""
    if exchange.status is not ExchangeStatus.PENDING:
        raise _REFUSAL_BY_STATUS[exchange.status](
            f"Exchange {exchange.exchange_id} is {exchange.status.value}, not pending"
        )


def _parties(exchange: ExchangeRecord) -> set[int]:
    return {exchange.giver_account_id, *(r.account_id for r in exchange.receivers)}


def _check_party(exchange: ExchangeRecord, actor: Actor, action: str) -> None:
    # Who asks is checked before the exchange's state, so a stranger learns nothing about it.
    if actor.is_coordinator:
        return
    if actor.account_id is None or actor.account_id not in _parties(exchange):
        raise NotAPartyToExchange(f"Only the people in this exchange can {action} it")


def consents_after_confirm(exchange: ExchangeRecord, actor: Actor) -> frozenset[int]:
    """The consents still awaited once ``actor`` confirms; empty means the exchange posts now."""
    _check_party(exchange, actor, "confirm")
    check_pending(exchange)
    if actor.is_coordinator:
        return frozenset()
    assert actor.account_id is not None
    if actor.account_id not in exchange.awaiting_consent_from:
        raise ConsentAlreadyGiven("This exchange is waiting for the other side, not for you")
    return exchange.awaiting_consent_from - {actor.account_id}


def check_may_decline(exchange: ExchangeRecord, actor: Actor) -> None:
    """Whoever is asked to consent may refuse; so may a coordinator."""
    _check_party(exchange, actor, "decline")
    check_pending(exchange)
    if actor.is_coordinator:
        return
    if actor.account_id not in exchange.awaiting_consent_from:
        raise ConsentAlreadyGiven("You have already confirmed or recorded this exchange")


def check_may_cancel(exchange: ExchangeRecord, actor: Actor) -> None:
    """The person who recorded a pending exchange may withdraw it; so may a coordinator."""
    if not actor.is_coordinator:
        recorded_by_actor = actor.caller == exchange.recorded_by or (
            exchange.recorded_by_account_id is not None and actor.holds(exchange.recorded_by_account_id)
        )
        if not recorded_by_actor:
            raise NotAPartyToExchange("Only the person who recorded this exchange can cancel it")
    check_pending(exchange)


def check_may_reverse(exchange: ExchangeRecord, actor: Actor) -> None:
    """Only a coordinator corrects history, and only what was posted."""
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can reverse an exchange")
    if exchange.status is ExchangeStatus.REVERSED:
        raise TransactionAlreadyReversed(f"Exchange {exchange.exchange_id} was already reversed")
    if exchange.status is not ExchangeStatus.CONFIRMED:
        raise ExchangeNotConfirmed(
            f"Exchange {exchange.exchange_id} is {exchange.status.value}; nothing was posted to reverse"
        )
