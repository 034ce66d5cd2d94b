"""Every refusal in the ledger's error tree, through the services, on SQLite and PostgreSQL.

Each case builds a timebank of its own (Ann, Bo, Cy and a coordinator), arranges what the refusal
needs (a pending, confirmed, cancelled, declined, expired or reversed exchange; a second timebank;
a spent balance), takes a snapshot of every account, exchange and receiver row and the row count of
each ledger table, makes the refused call, and checks that it raised exactly the error named for
the broken rule, with its stable code, and that the snapshot is unchanged (invariant L5).

Covered: bad minutes (zero, negative, 1.5, 2.0, bool, above the timebank's per-transfer limit and
the hard ceiling) for exchanges and gifts; the same account on both sides; unknown accounts and
another timebank's accounts, exchanges and transactions; floors and caps (exchange, gift, pot,
reversal); every exchange state met by confirm, decline, cancel and reverse; reasons; reversing a
reversal; idempotency keys reused with another body; who may act (parties, holders, coordinators);
new limits; receivers lists; every text limit; statement cursors and page sizes; imports. A last
test checks that the table names every leaf of the error tree, so a new refusal cannot go untested.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from timebank import services
from timebank.ledger import errors
from timebank.ledger.limits import (
    CATEGORY_LENGTH_MAX,
    DESCRIPTION_LENGTH_MAX,
    IMPORT_ROWS_MAX,
    NAME_LENGTH_MAX,
    NOTE_LENGTH_MAX,
    REASON_LENGTH_MAX,
    RECEIVERS_MAX,
)
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import AccountKind, Actor
from timebank.services import ExchangeView, ImportRow
from timebank.services.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from timebank.services.timebanks import DEFAULT_MINUTES_PER_TRANSFER_MAX

from .helpers import ACTIVITY_DATE, World, make_world, snapshot

UNKNOWN = 10**9  # an account, exchange, transaction or timebank id that no test creates


@dataclass(frozen=True)
class Refusal:
    """Arrange a state, then ``act`` must raise ``error`` with ``code`` and change nothing."""

    name: str
    error: type[errors.LedgerError]
    code: str
    act: Callable[[World, Any], object]
    arrange: Callable[[World], Any] = lambda w: None
    timebank: dict[str, Any] = field(default_factory=dict)


# --- arranged states ---------------------------------------------------------------------------


def pending(w: World) -> ExchangeView:
    """Bo says he helped Ann for an hour; Ann has not confirmed."""
    return w.pending(w.bo, {w.ann: 60})


def confirmed(w: World) -> ExchangeView:
    x = pending(w)
    return w.confirm(w.holder(w.ann), x.exchange_id)


def cancelled(w: World) -> ExchangeView:
    x = pending(w)
    return w.cancel(w.holder(w.bo), x.exchange_id)


def declined(w: World) -> ExchangeView:
    x = pending(w)
    return w.decline(w.holder(w.ann), x.exchange_id)


def expired(w: World) -> ExchangeView:
    x = pending(w)
    w.expire(days_later=15)
    assert w.status(x.exchange_id) == "expired"
    return x


def reversed_exchange(w: World) -> ExchangeView:
    x = w.posted(w.bo, {w.ann: 60})
    w.reverse(x.exchange_id)
    return x


def pending_for_two(w: World) -> ExchangeView:
    """Bo helped Ann and Cy; Ann has confirmed, Cy has not."""
    x = w.pending(w.bo, {w.ann: 30, w.cy: 30})
    return w.confirm(w.holder(w.ann), x.exchange_id)


def giver_spent_the_credits(w: World) -> ExchangeView:
    """Bo earned 600 from Ann, then spent 1200 with Cy: he is at his floor of -600."""
    x = w.posted(w.bo, {w.ann: 600})
    w.posted(w.cy, {w.bo: 1200})
    assert w.balance(w.bo) == -600
    return x


def ann_owes_300(w: World) -> None:
    w.posted(w.bo, {w.ann: 300})


def bo_capped_at_an_hour(w: World) -> None:
    w.set_limits(w.bo, -600, 60)


def gift_then_its_reversal(w: World) -> services.TransactionView:
    gift = w.give(w.holder(w.ann), w.ann, w.bo, 30)
    return w.reverse_transaction(gift.transaction_id)


def exchange_reversal(w: World) -> services.TransactionView:
    x = w.posted(w.bo, {w.ann: 60})
    return w.reverse(x.exchange_id)


def gift_keyed_k(w: World) -> None:
    w.give(w.holder(w.ann), w.ann, w.bo, 30, idempotency_key="k")


def other_timebank(w: World) -> World:
    return w.other()


def other_timebank_pending(w: World) -> ExchangeView:
    o = w.other()
    return o.pending(o.bo, {o.ann: 60})


def other_timebank_posted(w: World) -> ExchangeView:
    o = w.other()
    return o.posted(o.bo, {o.ann: 60})


# --- acts that need more than a line -------------------------------------------------------------


def record_with_receiver_twice(w: World, _: object) -> ExchangeView:
    return w.record(w.coordinator, w.ann, [(w.bo, 30), (w.bo, 30)])


def record_too_many_receivers(w: World, _: object) -> ExchangeView:
    return w.posted(w.ann, {UNKNOWN + i: 1 for i in range(RECEIVERS_MAX + 1)})


def record_in_an_unknown_timebank(w: World, _: object) -> ExchangeView:
    return replace(w, timebank_id=UNKNOWN).posted(w.ann, {w.bo: 30})


def coordinator_records_help_from_the_pot(w: World, _: object) -> ExchangeView:
    return w.record(w.coordinator, w.pot, [(w.ann, 30)])


def coordinator_records_help_to_the_pot(w: World, _: object) -> ExchangeView:
    return w.record(w.coordinator, w.ann, [(w.bo, 30), (w.pot, 30)])


def import_help_to_the_pot(w: World, _: object) -> object:
    row = ImportRow(w.bo, w.pot, 30, ACTIVITY_DATE, "imported help")
    return services.import_exchanges(w.engine, w.timebank_id, w.coordinator, [row])


def member_reverses(w: World, x: ExchangeView) -> object:
    return services.reverse_exchange(w.engine, w.timebank_id, w.holder(w.ann), x.exchange_id, "wrong")


def member_reverses_transaction(w: World, x: ExchangeView) -> object:
    assert x.transaction_id is not None
    return services.reverse_transaction(w.engine, w.timebank_id, w.holder(w.ann), x.transaction_id, "wrong")


def set_limits_as(
    actor: Callable[[World], Actor],
    floor: int,
    cap: int | None,
    account: Callable[[World], int] = lambda w: w.ann,
    reason: str | None = None,
) -> Any:
    def act(w: World, _: object) -> object:
        return services.set_limits(
            w.engine, w.timebank_id, actor(w), account(w), floor_minutes=floor, cap_minutes=cap, reason=reason
        )

    return act


def open_account_as(actor: Callable[[World], Actor], name: str = "Di", **limits: Any) -> Any:
    def act(w: World, _: object) -> object:
        return services.open_account(w.engine, w.timebank_id, actor(w), AccountKind.MEMBER, name, **limits)

    return act


def import_as(actor: Callable[[World], Actor], count: int = 1, minutes: int = 30) -> Any:
    def act(w: World, _: object) -> object:
        row = ImportRow(w.bo, w.ann, minutes, ACTIVITY_DATE, "imported help")
        return services.import_exchanges(w.engine, w.timebank_id, actor(w), [row] * count)

    return act


def statement(cursor: str | None = None, limit: int = 50) -> Any:
    def act(w: World, _: object) -> object:
        return services.statement(w.engine, w.timebank_id, w.ann, cursor=cursor, limit=limit)

    return act


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def member(name: str) -> Callable[[World], Actor]:
    return lambda w: w.holder(getattr(w, name))


def coordinator(w: World) -> Actor:
    return w.coordinator


# --- the table -----------------------------------------------------------------------------------

BAD_MINUTES: list[tuple[str, object, type[errors.LedgerError], str]] = [
    ("zero_minutes", 0, errors.MinutesMustBePositive, "minutes_must_be_positive"),
    ("negative_minutes", -30, errors.MinutesMustBePositive, "minutes_must_be_positive"),
    ("fractional_minutes_1.5", 1.5, errors.MinutesMustBeWhole, "minutes_must_be_whole"),
    ("float_minutes_2.0", 2.0, errors.MinutesMustBeWhole, "minutes_must_be_whole"),
    ("bool_minutes_True", True, errors.MinutesMustBeWhole, "minutes_must_be_whole"),
    (
        "minutes_above_the_timebank_default_per_transfer_limit",
        DEFAULT_MINUTES_PER_TRANSFER_MAX + 1,
        errors.MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
    ),
    (
        "minutes_above_the_hard_per_transfer_ceiling",
        MINUTES_PER_TRANSFER_MAX + 1,
        errors.MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
    ),
]


def _bad_minutes_cases() -> list[Refusal]:
    cases = []
    for name, minutes, error, code in BAD_MINUTES:
        cases += [
            Refusal(
                f"exchange_with_{name}",
                error,
                code,
                lambda w, _, m=minutes: w.posted(w.ann, {w.bo: 30, w.cy: m}),
            ),
            Refusal(
                f"gift_of_{name}",
                error,
                code,
                lambda w, _, m=minutes: w.give(w.holder(w.ann), w.ann, w.bo, m),
            ),
        ]
    return cases


CASES: list[Refusal] = [
    *_bad_minutes_cases(),
    Refusal(
        "exchange_above_this_timebanks_own_limit_of_an_hour",
        errors.MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
        lambda w, _: w.posted(w.ann, {w.bo: 61}),
        timebank={"minutes_per_transfer_max": 60},
    ),
    Refusal(
        "gift_above_this_timebanks_own_limit_of_an_hour",
        errors.MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 61),
        timebank={"minutes_per_transfer_max": 60},
    ),
    # --- the same account on both sides
    Refusal(
        "gift_to_self",
        errors.AccountsMustDiffer,
        "accounts_must_differ",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.ann, 30),
    ),
    Refusal(
        "giver_among_the_receivers",
        errors.AccountsMustDiffer,
        "accounts_must_differ",
        lambda w, _: w.posted(w.ann, {w.bo: 30, w.ann: 30}),
    ),
    # --- unknown accounts and another timebank's objects
    Refusal(
        "exchange_with_an_unknown_receiver",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, _: w.posted(w.ann, {w.bo: 30, UNKNOWN: 30}),
    ),
    Refusal(
        "exchange_with_an_unknown_giver",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, _: w.posted(UNKNOWN, {w.bo: 30}),
    ),
    Refusal(
        "gift_to_an_unknown_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, _: w.give(w.holder(w.ann), w.ann, UNKNOWN, 30),
    ),
    Refusal(
        "gift_from_an_unknown_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, _: w.give(w.coordinator, UNKNOWN, w.ann, 30),
    ),
    Refusal(
        "exchange_with_another_timebanks_giver",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.posted(o.bo, {w.ann: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "exchange_with_another_timebanks_receiver",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.posted(w.ann, {w.bo: 30, o.bo: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "receiver_records_help_from_another_timebanks_giver",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.record(w.holder(w.ann), o.bo, {w.ann: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "gift_from_another_timebanks_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.coordinator, o.ann, w.bo, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "gift_to_another_timebanks_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.holder(w.ann), w.ann, o.bo, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "donation_to_another_timebanks_pot",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.holder(w.ann), w.ann, o.pot, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "setting_limits_on_another_timebanks_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: w.set_limits(o.ann, -60, None),
        arrange=other_timebank,
    ),
    Refusal(
        "statement_of_another_timebanks_account",
        errors.AccountNotFound,
        "account_not_found",
        lambda w, o: services.statement(w.engine, w.timebank_id, o.ann),
        arrange=other_timebank,
    ),
    Refusal(
        "confirming_another_timebanks_exchange",
        errors.ExchangeNotFound,
        "exchange_not_found",
        lambda w, x: w.confirm(w.coordinator, x.exchange_id),
        arrange=other_timebank_pending,
    ),
    Refusal(
        "reversing_another_timebanks_exchange",
        errors.ExchangeNotFound,
        "exchange_not_found",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=other_timebank_posted,
    ),
    Refusal(
        "reversing_another_timebanks_transaction",
        errors.TransactionNotFound,
        "transaction_not_found",
        lambda w, x: w.reverse_transaction(x.transaction_id),
        arrange=other_timebank_posted,
    ),
    Refusal(
        "confirming_an_unknown_exchange",
        errors.ExchangeNotFound,
        "exchange_not_found",
        lambda w, _: w.confirm(w.coordinator, UNKNOWN),
    ),
    Refusal(
        "reversing_an_unknown_transaction",
        errors.TransactionNotFound,
        "transaction_not_found",
        lambda w, _: w.reverse_transaction(UNKNOWN),
    ),
    Refusal(
        "recording_in_an_unknown_timebank",
        errors.TimebankNotFound,
        "timebank_not_found",
        record_in_an_unknown_timebank,
    ),
    # --- floors and caps
    Refusal(
        "exchange_taking_the_receiver_below_the_floor",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.posted(w.bo, {w.ann: 601}),
    ),
    Refusal(
        "receiver_recording_help_beyond_the_floor",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.record(w.holder(w.ann), w.bo, {w.ann: 601}),
    ),
    Refusal(
        "multi_receiver_exchange_where_one_receiver_would_cross_the_floor",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.posted(w.cy, {w.ann: 30, w.bo: 601}),
    ),
    Refusal(
        "gift_taking_the_giver_below_the_floor",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 601),
    ),
    Refusal(
        "pot_grant_from_an_empty_pot",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.give(w.coordinator, w.pot, w.ann, 1),
    ),
    Refusal(
        "exchange_taking_the_giver_above_the_cap",
        errors.BalanceAboveCap,
        "balance_above_cap",
        lambda w, _: w.posted(w.bo, {w.ann: 61}),
        arrange=bo_capped_at_an_hour,
    ),
    Refusal(
        "gift_taking_the_receiver_above_the_cap",
        errors.BalanceAboveCap,
        "balance_above_cap",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 61),
        arrange=bo_capped_at_an_hour,
    ),
    Refusal(
        "reversal_after_the_giver_spent_the_credits",
        errors.BalanceBelowFloor,
        "balance_below_floor",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=giver_spent_the_credits,
    ),
    # --- exchange states
    Refusal(
        "confirming_twice",
        errors.ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "coordinator_confirming_a_confirmed_exchange",
        errors.ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.confirm(w.coordinator, x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "declining_a_confirmed_exchange",
        errors.ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.decline(w.holder(w.ann), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "cancelling_a_confirmed_exchange",
        errors.ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.cancel(w.holder(w.bo), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "confirming_a_cancelled_exchange",
        errors.ExchangeAlreadyCancelled,
        "exchange_already_cancelled",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=cancelled,
    ),
    Refusal(
        "confirming_a_declined_exchange",
        errors.ExchangeAlreadyDeclined,
        "exchange_already_declined",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "cancelling_a_declined_exchange",
        errors.ExchangeAlreadyDeclined,
        "exchange_already_declined",
        lambda w, x: w.cancel(w.holder(w.bo), x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "confirming_an_expired_exchange",
        errors.ExchangeAlreadyExpired,
        "exchange_already_expired",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=expired,
    ),
    Refusal(
        "declining_an_expired_exchange",
        errors.ExchangeAlreadyExpired,
        "exchange_already_expired",
        lambda w, x: w.decline(w.coordinator, x.exchange_id),
        arrange=expired,
    ),
    Refusal(
        "confirming_a_reversed_exchange",
        errors.TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "giver_confirming_their_own_pending_exchange",
        errors.ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.confirm(w.holder(w.bo), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "receiver_confirming_twice_while_another_receiver_is_awaited",
        errors.ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=pending_for_two,
    ),
    # --- reversals
    Refusal(
        "reversing_an_exchange_twice",
        errors.TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "reversing_a_reversed_exchanges_transaction",
        errors.TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.reverse_transaction(x.transaction_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "reversing_a_gift_twice",
        errors.TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, r: w.reverse_transaction(r.reverses_transaction_id),
        arrange=gift_then_its_reversal,
    ),
    Refusal(
        "reversing_a_pending_exchange",
        errors.ExchangeNotConfirmed,
        "exchange_not_confirmed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "reversing_a_declined_exchange",
        errors.ExchangeNotConfirmed,
        "exchange_not_confirmed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "reversal_with_an_empty_reason",
        errors.ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse(x.exchange_id, reason=""),
        arrange=confirmed,
    ),
    Refusal(
        "reversal_with_a_blank_reason",
        errors.ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse(x.exchange_id, reason="  \t "),
        arrange=confirmed,
    ),
    Refusal(
        "transaction_reversal_without_a_reason",
        errors.ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse_transaction(x.transaction_id, reason=""),
        arrange=confirmed,
    ),
    Refusal(
        "reversing_a_gifts_reversal",
        errors.ReversalCannotBeReversed,
        "reversal_cannot_be_reversed",
        lambda w, r: w.reverse_transaction(r.transaction_id),
        arrange=gift_then_its_reversal,
    ),
    Refusal(
        "reversing_an_exchanges_reversal",
        errors.ReversalCannotBeReversed,
        "reversal_cannot_be_reversed",
        lambda w, r: w.reverse_transaction(r.transaction_id),
        arrange=exchange_reversal,
    ),
    # --- idempotency
    Refusal(
        "idempotency_key_reused_with_other_minutes",
        errors.IdempotencyKeyReused,
        "idempotency_key_reused",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 31, idempotency_key="k"),
        arrange=gift_keyed_k,
    ),
    Refusal(
        "idempotency_key_reused_for_another_operation",
        errors.IdempotencyKeyReused,
        "idempotency_key_reused",
        lambda w, _: w.record(w.holder(w.ann), w.bo, {w.ann: 30}, idempotency_key="k"),
        arrange=gift_keyed_k,
    ),
    # --- who may act
    Refusal(
        "non_party_recording_an_exchange",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, _: w.record(w.holder(w.cy), w.ann, {w.bo: 30}),
    ),
    Refusal(
        "actor_without_an_account_recording_an_exchange",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, _: w.record(Actor(caller="visitor"), w.ann, {w.bo: 30}),
    ),
    Refusal(
        "non_party_confirming",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.confirm(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_declining",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.decline(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_cancelling",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "receiver_cancelling_what_the_giver_recorded",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.ann), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_confirming_a_cancelled_exchange_learns_nothing_about_its_state",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.confirm(w.holder(w.cy), x.exchange_id),
        arrange=cancelled,
    ),
    Refusal(
        "non_recorder_cancelling_a_confirmed_exchange_learns_nothing_about_its_state",
        errors.NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.cy), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "receiver_declining_after_confirming",
        errors.ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.decline(w.holder(w.ann), x.exchange_id),
        arrange=pending_for_two,
    ),
    Refusal(
        "member_giving_from_someone_elses_account",
        errors.AccountHolderRequired,
        "account_holder_required",
        lambda w, _: w.give(w.holder(w.ann), w.bo, w.cy, 30),
    ),
    Refusal(
        "member_granting_from_the_pot",
        errors.AccountHolderRequired,
        "account_holder_required",
        lambda w, _: w.give(w.holder(w.ann), w.pot, w.ann, 30),
    ),
    Refusal(
        "member_reversing_an_exchange",
        errors.CoordinatorRequired,
        "coordinator_required",
        member_reverses,
        arrange=confirmed,
    ),
    Refusal(
        "member_reversing_a_transaction",
        errors.CoordinatorRequired,
        "coordinator_required",
        member_reverses_transaction,
        arrange=confirmed,
    ),
    Refusal(
        "member_setting_limits",
        errors.CoordinatorRequired,
        "coordinator_required",
        set_limits_as(member("ann"), -1200, None),
    ),
    Refusal(
        "member_opening_an_account",
        errors.CoordinatorRequired,
        "coordinator_required",
        open_account_as(member("ann")),
    ),
    Refusal(
        "member_importing_exchanges",
        errors.CoordinatorRequired,
        "coordinator_required",
        import_as(member("ann")),
    ),
    # --- new limits
    Refusal(
        "setting_a_positive_floor",
        errors.FloorMustNotBePositive,
        "floor_must_not_be_positive",
        set_limits_as(coordinator, 1, None),
    ),
    Refusal(
        "setting_a_negative_cap",
        errors.CapMustNotBeNegative,
        "cap_must_not_be_negative",
        set_limits_as(coordinator, -600, -1),
    ),
    Refusal(
        "recording_the_pot_as_the_giver_of_help",
        errors.PotCannotExchange,
        "pot_cannot_exchange",
        coordinator_records_help_from_the_pot,
    ),
    Refusal(
        "recording_the_pot_among_the_receivers_of_help",
        errors.PotCannotExchange,
        "pot_cannot_exchange",
        coordinator_records_help_to_the_pot,
    ),
    Refusal(
        "importing_help_received_by_the_pot",
        errors.ImportRejected,
        "import_rejected",
        import_help_to_the_pot,
    ),
    Refusal(
        "giving_the_pot_a_floor_below_zero",
        errors.PotFloorMustBeZero,
        "pot_floor_must_be_zero",
        set_limits_as(coordinator, -600, None, account=lambda w: w.pot),
    ),
    Refusal(
        "setting_a_floor_above_the_current_balance",
        errors.LimitExcludesBalance,
        "limit_excludes_balance",
        set_limits_as(coordinator, -299, None),
        arrange=ann_owes_300,
    ),
    Refusal(
        "setting_a_cap_below_the_current_balance",
        errors.LimitExcludesBalance,
        "limit_excludes_balance",
        set_limits_as(coordinator, -600, 299, account=lambda w: w.bo),
        arrange=ann_owes_300,
    ),
    Refusal(
        "opening_an_account_with_a_positive_floor",
        errors.FloorMustNotBePositive,
        "floor_must_not_be_positive",
        open_account_as(coordinator, floor_minutes=60),
    ),
    # --- receivers
    Refusal(
        "exchange_without_receivers",
        errors.ReceiversRequired,
        "receivers_required",
        lambda w, _: w.posted(w.ann, {}),
    ),
    Refusal(
        "exchange_with_too_many_receivers",
        errors.TooManyReceivers,
        "too_many_receivers",
        record_too_many_receivers,
    ),
    Refusal(
        "exchange_naming_a_receiver_twice",
        errors.ReceiverRepeated,
        "receiver_repeated",
        record_with_receiver_twice,
    ),
    # --- text limits
    Refusal(
        "description_too_long",
        errors.TextTooLong,
        "text_too_long",
        lambda w, _: w.record(
            w.coordinator, w.ann, {w.bo: 30}, description="d" * (DESCRIPTION_LENGTH_MAX + 1)
        ),
    ),
    Refusal(
        "description_with_a_nul_character",
        errors.TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, description="tea\x00and cake"),
    ),
    Refusal(
        "description_with_a_right_to_left_override",
        errors.TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, description="gardening \u202egnihtyreve"),
    ),
    Refusal(
        "gift_note_with_a_lone_surrogate",
        errors.TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 30, note="thanks \ud800"),
    ),
    Refusal(
        "category_too_long",
        errors.TextTooLong,
        "text_too_long",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, category="c" * (CATEGORY_LENGTH_MAX + 1)),
    ),
    Refusal(
        "gift_note_too_long",
        errors.TextTooLong,
        "text_too_long",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 30, note="n" * (NOTE_LENGTH_MAX + 1)),
    ),
    Refusal(
        "reversal_reason_too_long",
        errors.TextTooLong,
        "text_too_long",
        lambda w, x: w.reverse(x.exchange_id, reason="r" * (REASON_LENGTH_MAX + 1)),
        arrange=confirmed,
    ),
    Refusal(
        "limit_change_reason_too_long",
        errors.TextTooLong,
        "text_too_long",
        set_limits_as(coordinator, -1200, None, reason="r" * (REASON_LENGTH_MAX + 1)),
    ),
    Refusal(
        "account_name_too_long",
        errors.TextTooLong,
        "text_too_long",
        open_account_as(coordinator, name="n" * (NAME_LENGTH_MAX + 1)),
    ),
    Refusal(
        "idempotency_key_too_long",
        errors.TextTooLong,
        "text_too_long",
        lambda w, _: w.give(
            w.holder(w.ann), w.ann, w.bo, 30, idempotency_key="k" * (IDEMPOTENCY_KEY_LENGTH_MAX + 1)
        ),
    ),
    # --- statements
    Refusal("statement_with_a_made_up_cursor", errors.CursorInvalid, "cursor_invalid", statement("nonsense")),
    Refusal(
        "statement_with_a_cursor_of_three_parts",
        errors.CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00+00:00|1|2")),
    ),
    Refusal(
        "statement_with_a_cursor_without_a_time_zone",
        errors.CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00|1")),
    ),
    Refusal(
        "statement_with_a_cursor_whose_id_is_not_a_number",
        errors.CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00+00:00|one")),
    ),
    Refusal(
        "statement_page_of_zero_lines",
        errors.PageLimitOutOfRange,
        "page_limit_out_of_range",
        statement(limit=0),
    ),
    Refusal(
        "statement_page_of_201_lines",
        errors.PageLimitOutOfRange,
        "page_limit_out_of_range",
        statement(limit=201),
    ),
    # --- imports (every bad row is listed: see test_statements_imports.py)
    Refusal(
        "import_with_a_bad_row",
        errors.ImportRejected,
        "import_rejected",
        import_as(coordinator, minutes=0),
    ),
    Refusal(
        "import_of_too_many_rows",
        errors.TooManyRows,
        "too_many_rows",
        import_as(coordinator, count=IMPORT_ROWS_MAX + 1),
    ),
]


def _timebank_ids(w: World) -> list[int]:
    return [w.timebank_id, *(o.timebank_id for o in w.others)]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_a_refused_operation_raises_the_error_named_for_its_rule_and_changes_nothing(
    engine: Engine, case: Refusal
) -> None:
    w = make_world(engine, **case.timebank)
    arranged = case.arrange(w)
    before = [snapshot(engine, tb) for tb in _timebank_ids(w)]

    with pytest.raises(case.error) as refusal:
        case.act(w, arranged)

    assert type(refusal.value) is case.error
    assert refusal.value.code == case.code
    assert [snapshot(engine, tb) for tb in _timebank_ids(w)] == before


# Refusals about people and access (logins, members, organisations, keys) are met through the HTTP
# API, and tests/api/test_refusals_http.py holds the table that exercises them.
ACCESS_CODES = {
    "idempotency_key_required",
    "idempotency_key_in_flight",
    "username_invalid",
    "password_invalid",
    "tag_invalid",
    "role_unknown",
    "member_not_found",
    "organisation_not_found",
    "api_key_not_found",
    "admin_required",
    "self_or_coordinator_required",
    "username_taken",
    "credentials_invalid",
    "token_invalid",
    "login_attempts_exceeded",
}


# Refusals of the reports are met in tests/integration/test_report_storage.py (the window rules) and
# over HTTP in tests/api/test_reports_http.py (every one of them, by code).
REPORT_CODES = {
    "report_window_empty",
    "report_window_too_long",
    "report_group_ambiguous",
    "not_enough_data",
}


def test_the_table_above_exercises_every_refusal_in_the_error_tree() -> None:
    leaves = {code for code, cls in errors.all_error_codes().items() if not cls.__subclasses__()}
    assert leaves - ACCESS_CODES - REPORT_CODES - {case.code for case in CASES} == set()
    assert leaves >= ACCESS_CODES | REPORT_CODES


def test_the_case_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    "cursor",
    [
        pytest.param(cursor_of(f"{datetime.now(UTC).isoformat()}|{10**30}"), id="id_beyond_64_bits"),
        pytest.param(cursor_of("0001-01-01T00:00:00+05:00|3"), id="time_before_year_one_in_utc"),
        pytest.param(cursor_of("9999-12-31T23:59:59-05:00|3"), id="time_after_year_9999_in_utc"),
    ],
)
def test_a_cursor_that_decodes_but_names_an_impossible_line_is_refused_as_invalid(
    engine: Engine, cursor: str
) -> None:
    w = make_world(engine)
    with pytest.raises(errors.CursorInvalid):
        services.statement(engine, w.timebank_id, w.ann, cursor=cursor)


# --- the limits themselves are allowed ----------------------------------------------------------


def test_text_exactly_at_each_limit_is_accepted_and_stored_whole(engine: Engine) -> None:
    w = make_world(engine)
    name = "n" * NAME_LENGTH_MAX
    account = services.open_account(engine, w.timebank_id, w.coordinator, AccountKind.MEMBER, name)
    x = w.record(
        w.coordinator,
        w.ann,
        {w.bo: 30},
        description="d" * DESCRIPTION_LENGTH_MAX,
        category="c" * CATEGORY_LENGTH_MAX,
        idempotency_key="k" * IDEMPOTENCY_KEY_LENGTH_MAX,
    )
    w.give(w.holder(w.ann), w.ann, account.account_id, 30, note="n" * NOTE_LENGTH_MAX)
    w.reverse(x.exchange_id, reason="r" * REASON_LENGTH_MAX)

    assert services.get_account(engine, w.timebank_id, account.account_id).name == name
    stored = services.get_exchange(engine, w.timebank_id, x.exchange_id)
    assert len(stored.description) == DESCRIPTION_LENGTH_MAX
    assert len(stored.category or "") == CATEGORY_LENGTH_MAX


def test_a_statement_page_of_exactly_the_largest_size_is_allowed(engine: Engine) -> None:
    w = make_world(engine)
    assert services.statement(engine, w.timebank_id, w.ann, limit=200).lines == ()
    assert services.statement(engine, w.timebank_id, w.ann, limit=1).lines == ()


def test_a_timebank_named_with_the_longest_allowed_name_gets_a_pot_whose_name_fits(engine: Engine) -> None:
    timebank = services.create_timebank(engine, "n" * NAME_LENGTH_MAX)
    pot = services.get_account(engine, timebank.timebank_id, timebank.pot_account_id)
    assert len(pot.name) <= NAME_LENGTH_MAX
