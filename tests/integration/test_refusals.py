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
new limits; receivers lists; every text limit; statement cursors and page sizes; imports; the
report's rating thresholds (out of range, the wrong way round for their figure, set by someone who
may not), where the snapshot also holds the thresholds the timebank had set before.
Recognising involvement (issue 4): activities, attendance and reward choices, payment offers and
their periods, the benefit guard's acknowledgement, the organisation's floor, expenses against
evidence, benefits declarations, spend options and spending credits on them (B5), and a benefit-safe
statement for a period that starts after today (B7); for these
the snapshot also counts the involvement tables' rows (a payment, or goods or a voucher, refused
for want of an acknowledgement leaves its audit rows, by design). A last test checks that the
table names every leaf of the error tree, so a new refusal cannot go untested.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.involvement_calls import (
    attendee,
    check_payment_offer,
    create_activity,
    invite_members,
    record_expense,
    set_declaration,
)
from tests.ledger_calls import (
    get_exchange,
    import_exchanges,
    record_exchange,
    reverse_exchange,
    reverse_transaction,
)
from tests.people_calls import add_organisation, create_timebank, get_account, set_limits
from tests.people_calls import statement as account_statement
from tests.reporting_calls import set_rating_thresholds
from timebank.accounts.accounts import open_account
from timebank.benefits import (
    ATTENDEES_MAX,
    ActivityClassification,
    Mileage,
    PaymentKind,
    PeriodKind,
    Receipt,
    Reward,
    SpendClass,
)
from timebank.benefits.errors import (
    AttendanceAboveActivityLength,
    AttendeeRepeated,
    AttendeesRequired,
    CharityNameMissing,
    ChoiceDetailNotWanted,
    ExpenseAboveEvidence,
    ExpenseEvidenceMissing,
    MileageRateAboveLimit,
    MileageRateMustBePositive,
    MileageRateMustBeWhole,
    MilesAboveLimit,
    MilesMustBePositive,
    MilesMustBeWhole,
    MonthMustBeOneMonth,
    PaymentNotOffered,
    PenceAboveLimit,
    PenceMustBePositive,
    PenceMustBeWhole,
    PeriodMustEndAfterStart,
    ReducedPaymentMissing,
    ReducedPaymentNotBelowOffer,
    TextRequired,
    TooManyAttendees,
    WeekMustBeSevenDays,
)
from timebank.clock import utc_now
from timebank.db import run
from timebank.errors import (
    AccountNotFound,
    ActivityNotFound,
    ExchangeNotFound,
    SpendOptionNotFound,
    TimebankError,
    TimebankNotFound,
    TransactionNotFound,
    all_error_codes,
)
from timebank.exchanges.errors import IdempotencyKeyReused, ImportRejected, TooManyRows
from timebank.exchanges.idempotency import IDEMPOTENCY_KEY_LENGTH_MAX
from timebank.exchanges.imports import ImportRow
from timebank.exchanges.views import ExchangeView, TransactionView
from timebank.involvement.declarations import delete_declaration, read_declaration
from timebank.involvement.errors import (
    ActivityNotYetHeld,
    AttendanceAlreadyRecorded,
    BenefitCategoriesRequired,
    BenefitCategoryUnknown,
    InvitationRequired,
    MemberAccountRequired,
    MemberSaySoRequired,
    OrganisationStaffRequired,
    PaymentAcknowledgementRequired,
    PeriodStartsAfterToday,
    TooManyInvitations,
)
from timebank.involvement.requests import AttendeeChoice, OfferTerms
from timebank.involvement.statements import benefit_safe_statement
from timebank.ledger.errors import (
    AccountHolderRequired,
    AccountsMustDiffer,
    ActivityDateInFuture,
    ActivityDateTooFarBack,
    BalanceAboveCap,
    BalanceBelowFloor,
    CapMustNotBeNegative,
    ConsentAlreadyGiven,
    CoordinatorRequired,
    ExchangeAlreadyCancelled,
    ExchangeAlreadyConfirmed,
    ExchangeAlreadyDeclined,
    ExchangeAlreadyExpired,
    ExchangeNotConfirmed,
    FloorMustNotBePositive,
    LimitExcludesBalance,
    MinutesAboveTransferLimit,
    MinutesMustBePositive,
    MinutesMustBeWhole,
    NotAPartyToExchange,
    PotCannotExchange,
    PotFloorMustBeZero,
    ReasonRequired,
    ReceiverRepeated,
    ReceiversRequired,
    ReversalCannotBeReversed,
    TextHasControlCharacters,
    TextTooLong,
    TooManyReceivers,
    TransactionAlreadyReversed,
)
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
from timebank.ledger.types import AccountKind, Actor, ReceiverShare
from timebank.paging import CursorInvalid, PageLimitOutOfRange
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.timebanks import DEFAULT_MINUTES_PER_TRANSFER_MAX
from timebank.reports import Boundaries, RatedFigureName
from timebank.reports.errors import RatingThresholdOutOfRange, RatingThresholdsOutOfOrder
from timebank.spending.errors import SpendAcknowledgementRequired, SpendClassUnknown, SpendOptionWithdrawn
from timebank.spending.spends import list_spend_options, withdraw_spend_option

from .helpers import ACTIVITY_DATE, World, make_world, snapshot
from .involvement import BENEFIT_TABLES, FORUM_DAY, Forum, make_forum, offer
from .test_membership import MEMBERSHIP_CODES

UNKNOWN = 10**9  # an account, exchange, transaction or timebank id that no test creates


@dataclass(frozen=True)
class Refusal:
    """Arrange a state, then ``act`` must raise ``error`` with ``code`` and change nothing."""

    name: str
    error: type[TimebankError]
    code: str
    act: Callable[[World, Any], object]
    arrange: Callable[[World], Any] = lambda w: None
    timebank: dict[str, Any] = field(default_factory=dict)
    # Involvement tables the refusal is meant to write to (a refused payment leaves its audit rows).
    writes: tuple[str, ...] = ()


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


def gift_then_its_reversal(w: World) -> TransactionView:
    gift = w.give(w.holder(w.ann), w.ann, w.bo, 30)
    return w.reverse_transaction(gift.transaction_id)


def exchange_reversal(w: World) -> TransactionView:
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


def record_dated(w: World, activity_date: date) -> ExchangeView:
    return record_exchange(
        w.engine, w.timebank_id, w.coordinator, w.bo, [ReceiverShare(w.ann, 30)], activity_date, "help"
    )


def import_dated_tomorrow(w: World, _: object) -> object:
    tomorrow = utc_now().date() + timedelta(days=1)
    row = ImportRow(w.bo, w.ann, 30, tomorrow, "imported help")
    return import_exchanges(w.engine, w.timebank_id, w.coordinator, [row])


def import_help_to_the_pot(w: World, _: object) -> object:
    row = ImportRow(w.bo, w.pot, 30, ACTIVITY_DATE, "imported help")
    return import_exchanges(w.engine, w.timebank_id, w.coordinator, [row])


def member_reverses(w: World, x: ExchangeView) -> object:
    return reverse_exchange(w.engine, w.timebank_id, w.holder(w.ann), x.exchange_id, "wrong")


def member_reverses_transaction(w: World, x: ExchangeView) -> object:
    assert x.transaction_id is not None
    return reverse_transaction(w.engine, w.timebank_id, w.holder(w.ann), x.transaction_id, "wrong")


def set_limits_as(
    actor: Callable[[World], Actor],
    floor: int,
    cap: int | None,
    account: Callable[[World], int] = lambda w: w.ann,
    reason: str | None = None,
) -> Any:
    def act(w: World, _: object) -> object:
        return set_limits(
            w.engine, w.timebank_id, actor(w), account(w), floor_minutes=floor, cap_minutes=cap, reason=reason
        )

    return act


def open_account_as(actor: Callable[[World], Actor], name: str = "Di", **limits: Any) -> Any:
    def act(w: World, _: object) -> object:
        return open_account(w.engine, w.timebank_id, actor(w), AccountKind.MEMBER, name, **limits)

    return act


def import_as(actor: Callable[[World], Actor], count: int = 1, minutes: int = 30) -> Any:
    def act(w: World, _: object) -> object:
        row = ImportRow(w.bo, w.ann, minutes, ACTIVITY_DATE, "imported help")
        return import_exchanges(w.engine, w.timebank_id, actor(w), [row] * count)

    return act


def statement(cursor: str | None = None, limit: int = 50) -> Any:
    def act(w: World, _: object) -> object:
        return account_statement(w.engine, w.timebank_id, w.ann, cursor=cursor, limit=limit)

    return act


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


def member(name: str) -> Callable[[World], Actor]:
    return lambda w: w.holder(getattr(w, name))


def coordinator(w: World) -> Actor:
    return w.coordinator


# --- the table -----------------------------------------------------------------------------------

BAD_MINUTES: list[tuple[str, object, type[TimebankError], str]] = [
    ("zero_minutes", 0, MinutesMustBePositive, "minutes_must_be_positive"),
    ("negative_minutes", -30, MinutesMustBePositive, "minutes_must_be_positive"),
    ("fractional_minutes_1.5", 1.5, MinutesMustBeWhole, "minutes_must_be_whole"),
    ("float_minutes_2.0", 2.0, MinutesMustBeWhole, "minutes_must_be_whole"),
    ("bool_minutes_True", True, MinutesMustBeWhole, "minutes_must_be_whole"),
    (
        "minutes_above_the_timebank_default_per_transfer_limit",
        DEFAULT_MINUTES_PER_TRANSFER_MAX + 1,
        MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
    ),
    (
        "minutes_above_the_hard_per_transfer_ceiling",
        MINUTES_PER_TRANSFER_MAX + 1,
        MinutesAboveTransferLimit,
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
        MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
        lambda w, _: w.posted(w.ann, {w.bo: 61}),
        timebank={"minutes_per_transfer_max": 60},
    ),
    Refusal(
        "gift_above_this_timebanks_own_limit_of_an_hour",
        MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 61),
        timebank={"minutes_per_transfer_max": 60},
    ),
    # --- the same account on both sides
    Refusal(
        "gift_to_self",
        AccountsMustDiffer,
        "accounts_must_differ",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.ann, 30),
    ),
    Refusal(
        "giver_among_the_receivers",
        AccountsMustDiffer,
        "accounts_must_differ",
        lambda w, _: w.posted(w.ann, {w.bo: 30, w.ann: 30}),
    ),
    # --- unknown accounts and another timebank's objects
    Refusal(
        "exchange_with_an_unknown_receiver",
        AccountNotFound,
        "account_not_found",
        lambda w, _: w.posted(w.ann, {w.bo: 30, UNKNOWN: 30}),
    ),
    Refusal(
        "exchange_with_an_unknown_giver",
        AccountNotFound,
        "account_not_found",
        lambda w, _: w.posted(UNKNOWN, {w.bo: 30}),
    ),
    Refusal(
        "gift_to_an_unknown_account",
        AccountNotFound,
        "account_not_found",
        lambda w, _: w.give(w.holder(w.ann), w.ann, UNKNOWN, 30),
    ),
    Refusal(
        "gift_from_an_unknown_account",
        AccountNotFound,
        "account_not_found",
        lambda w, _: w.give(w.coordinator, UNKNOWN, w.ann, 30),
    ),
    Refusal(
        "exchange_with_another_timebanks_giver",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.posted(o.bo, {w.ann: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "exchange_with_another_timebanks_receiver",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.posted(w.ann, {w.bo: 30, o.bo: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "receiver_records_help_from_another_timebanks_giver",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.record(w.holder(w.ann), o.bo, {w.ann: 30}),
        arrange=other_timebank,
    ),
    Refusal(
        "gift_from_another_timebanks_account",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.coordinator, o.ann, w.bo, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "gift_to_another_timebanks_account",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.holder(w.ann), w.ann, o.bo, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "donation_to_another_timebanks_pot",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.give(w.holder(w.ann), w.ann, o.pot, 30),
        arrange=other_timebank,
    ),
    Refusal(
        "setting_limits_on_another_timebanks_account",
        AccountNotFound,
        "account_not_found",
        lambda w, o: w.set_limits(o.ann, -60, None),
        arrange=other_timebank,
    ),
    Refusal(
        "statement_of_another_timebanks_account",
        AccountNotFound,
        "account_not_found",
        lambda w, o: account_statement(w.engine, w.timebank_id, o.ann),
        arrange=other_timebank,
    ),
    Refusal(
        "confirming_another_timebanks_exchange",
        ExchangeNotFound,
        "exchange_not_found",
        lambda w, x: w.confirm(w.coordinator, x.exchange_id),
        arrange=other_timebank_pending,
    ),
    Refusal(
        "reversing_another_timebanks_exchange",
        ExchangeNotFound,
        "exchange_not_found",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=other_timebank_posted,
    ),
    Refusal(
        "reversing_another_timebanks_transaction",
        TransactionNotFound,
        "transaction_not_found",
        lambda w, x: w.reverse_transaction(x.transaction_id),
        arrange=other_timebank_posted,
    ),
    Refusal(
        "confirming_an_unknown_exchange",
        ExchangeNotFound,
        "exchange_not_found",
        lambda w, _: w.confirm(w.coordinator, UNKNOWN),
    ),
    Refusal(
        "reversing_an_unknown_transaction",
        TransactionNotFound,
        "transaction_not_found",
        lambda w, _: w.reverse_transaction(UNKNOWN),
    ),
    Refusal(
        "recording_in_an_unknown_timebank",
        TimebankNotFound,
        "timebank_not_found",
        record_in_an_unknown_timebank,
    ),
    # --- floors and caps
    Refusal(
        "exchange_taking_the_receiver_below_the_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.posted(w.bo, {w.ann: 601}),
    ),
    Refusal(
        "receiver_recording_help_beyond_the_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.record(w.holder(w.ann), w.bo, {w.ann: 601}),
    ),
    Refusal(
        "multi_receiver_exchange_where_one_receiver_would_cross_the_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.posted(w.cy, {w.ann: 30, w.bo: 601}),
    ),
    Refusal(
        "gift_taking_the_giver_below_the_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 601),
    ),
    Refusal(
        "pot_grant_from_an_empty_pot",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, _: w.give(w.coordinator, w.pot, w.ann, 1),
    ),
    Refusal(
        "exchange_taking_the_giver_above_the_cap",
        BalanceAboveCap,
        "balance_above_cap",
        lambda w, _: w.posted(w.bo, {w.ann: 61}),
        arrange=bo_capped_at_an_hour,
    ),
    Refusal(
        "gift_taking_the_receiver_above_the_cap",
        BalanceAboveCap,
        "balance_above_cap",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 61),
        arrange=bo_capped_at_an_hour,
    ),
    Refusal(
        "reversal_after_the_giver_spent_the_credits",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=giver_spent_the_credits,
    ),
    # --- exchange states
    Refusal(
        "confirming_twice",
        ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "coordinator_confirming_a_confirmed_exchange",
        ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.confirm(w.coordinator, x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "declining_a_confirmed_exchange",
        ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.decline(w.holder(w.ann), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "cancelling_a_confirmed_exchange",
        ExchangeAlreadyConfirmed,
        "exchange_already_confirmed",
        lambda w, x: w.cancel(w.holder(w.bo), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "confirming_a_cancelled_exchange",
        ExchangeAlreadyCancelled,
        "exchange_already_cancelled",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=cancelled,
    ),
    Refusal(
        "confirming_a_declined_exchange",
        ExchangeAlreadyDeclined,
        "exchange_already_declined",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "cancelling_a_declined_exchange",
        ExchangeAlreadyDeclined,
        "exchange_already_declined",
        lambda w, x: w.cancel(w.holder(w.bo), x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "confirming_an_expired_exchange",
        ExchangeAlreadyExpired,
        "exchange_already_expired",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=expired,
    ),
    Refusal(
        "declining_an_expired_exchange",
        ExchangeAlreadyExpired,
        "exchange_already_expired",
        lambda w, x: w.decline(w.coordinator, x.exchange_id),
        arrange=expired,
    ),
    Refusal(
        "confirming_a_reversed_exchange",
        TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "giver_confirming_their_own_pending_exchange",
        ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.confirm(w.holder(w.bo), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "receiver_confirming_twice_while_another_receiver_is_awaited",
        ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.confirm(w.holder(w.ann), x.exchange_id),
        arrange=pending_for_two,
    ),
    # --- reversals
    Refusal(
        "reversing_an_exchange_twice",
        TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "reversing_a_reversed_exchanges_transaction",
        TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, x: w.reverse_transaction(x.transaction_id),
        arrange=reversed_exchange,
    ),
    Refusal(
        "reversing_a_gift_twice",
        TransactionAlreadyReversed,
        "transaction_already_reversed",
        lambda w, r: w.reverse_transaction(r.reverses_transaction_id),
        arrange=gift_then_its_reversal,
    ),
    Refusal(
        "reversing_a_pending_exchange",
        ExchangeNotConfirmed,
        "exchange_not_confirmed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "reversing_a_declined_exchange",
        ExchangeNotConfirmed,
        "exchange_not_confirmed",
        lambda w, x: w.reverse(x.exchange_id),
        arrange=declined,
    ),
    Refusal(
        "reversal_with_an_empty_reason",
        ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse(x.exchange_id, reason=""),
        arrange=confirmed,
    ),
    Refusal(
        "reversal_with_a_blank_reason",
        ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse(x.exchange_id, reason="  \t "),
        arrange=confirmed,
    ),
    Refusal(
        "transaction_reversal_without_a_reason",
        ReasonRequired,
        "reason_required",
        lambda w, x: w.reverse_transaction(x.transaction_id, reason=""),
        arrange=confirmed,
    ),
    Refusal(
        "reversing_a_gifts_reversal",
        ReversalCannotBeReversed,
        "reversal_cannot_be_reversed",
        lambda w, r: w.reverse_transaction(r.transaction_id),
        arrange=gift_then_its_reversal,
    ),
    Refusal(
        "reversing_an_exchanges_reversal",
        ReversalCannotBeReversed,
        "reversal_cannot_be_reversed",
        lambda w, r: w.reverse_transaction(r.transaction_id),
        arrange=exchange_reversal,
    ),
    # --- idempotency
    Refusal(
        "idempotency_key_reused_with_other_minutes",
        IdempotencyKeyReused,
        "idempotency_key_reused",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 31, idempotency_key="k"),
        arrange=gift_keyed_k,
    ),
    Refusal(
        "idempotency_key_reused_for_another_operation",
        IdempotencyKeyReused,
        "idempotency_key_reused",
        lambda w, _: w.record(w.holder(w.ann), w.bo, {w.ann: 30}, idempotency_key="k"),
        arrange=gift_keyed_k,
    ),
    # --- who may act
    Refusal(
        "non_party_recording_an_exchange",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, _: w.record(w.holder(w.cy), w.ann, {w.bo: 30}),
    ),
    Refusal(
        "actor_without_an_account_recording_an_exchange",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, _: w.record(Actor(caller="visitor"), w.ann, {w.bo: 30}),
    ),
    Refusal(
        "non_party_confirming",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.confirm(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_declining",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.decline(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_cancelling",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.cy), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "receiver_cancelling_what_the_giver_recorded",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.ann), x.exchange_id),
        arrange=pending,
    ),
    Refusal(
        "non_party_confirming_a_cancelled_exchange_learns_nothing_about_its_state",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.confirm(w.holder(w.cy), x.exchange_id),
        arrange=cancelled,
    ),
    Refusal(
        "non_recorder_cancelling_a_confirmed_exchange_learns_nothing_about_its_state",
        NotAPartyToExchange,
        "not_a_party_to_exchange",
        lambda w, x: w.cancel(w.holder(w.cy), x.exchange_id),
        arrange=confirmed,
    ),
    Refusal(
        "receiver_declining_after_confirming",
        ConsentAlreadyGiven,
        "consent_already_given",
        lambda w, x: w.decline(w.holder(w.ann), x.exchange_id),
        arrange=pending_for_two,
    ),
    Refusal(
        "member_giving_from_someone_elses_account",
        AccountHolderRequired,
        "account_holder_required",
        lambda w, _: w.give(w.holder(w.ann), w.bo, w.cy, 30),
    ),
    Refusal(
        "member_granting_from_the_pot",
        AccountHolderRequired,
        "account_holder_required",
        lambda w, _: w.give(w.holder(w.ann), w.pot, w.ann, 30),
    ),
    Refusal(
        "member_reversing_an_exchange",
        CoordinatorRequired,
        "coordinator_required",
        member_reverses,
        arrange=confirmed,
    ),
    Refusal(
        "member_reversing_a_transaction",
        CoordinatorRequired,
        "coordinator_required",
        member_reverses_transaction,
        arrange=confirmed,
    ),
    Refusal(
        "member_setting_limits",
        CoordinatorRequired,
        "coordinator_required",
        set_limits_as(member("ann"), -1200, None),
    ),
    Refusal(
        "member_opening_an_account",
        CoordinatorRequired,
        "coordinator_required",
        open_account_as(member("ann")),
    ),
    Refusal(
        "member_importing_exchanges",
        CoordinatorRequired,
        "coordinator_required",
        import_as(member("ann")),
    ),
    # --- new limits
    Refusal(
        "setting_a_positive_floor",
        FloorMustNotBePositive,
        "floor_must_not_be_positive",
        set_limits_as(coordinator, 1, None),
    ),
    Refusal(
        "setting_a_negative_cap",
        CapMustNotBeNegative,
        "cap_must_not_be_negative",
        set_limits_as(coordinator, -600, -1),
    ),
    Refusal(
        "recording_the_pot_as_the_giver_of_help",
        PotCannotExchange,
        "pot_cannot_exchange",
        coordinator_records_help_from_the_pot,
    ),
    Refusal(
        "recording_the_pot_among_the_receivers_of_help",
        PotCannotExchange,
        "pot_cannot_exchange",
        coordinator_records_help_to_the_pot,
    ),
    Refusal(
        "importing_help_received_by_the_pot",
        ImportRejected,
        "import_rejected",
        import_help_to_the_pot,
    ),
    Refusal(
        "giving_the_pot_a_floor_below_zero",
        PotFloorMustBeZero,
        "pot_floor_must_be_zero",
        set_limits_as(coordinator, -600, None, account=lambda w: w.pot),
    ),
    Refusal(
        "setting_a_floor_above_the_current_balance",
        LimitExcludesBalance,
        "limit_excludes_balance",
        set_limits_as(coordinator, -299, None),
        arrange=ann_owes_300,
    ),
    Refusal(
        "setting_a_cap_below_the_current_balance",
        LimitExcludesBalance,
        "limit_excludes_balance",
        set_limits_as(coordinator, -600, 299, account=lambda w: w.bo),
        arrange=ann_owes_300,
    ),
    Refusal(
        "opening_an_account_with_a_positive_floor",
        FloorMustNotBePositive,
        "floor_must_not_be_positive",
        open_account_as(coordinator, floor_minutes=60),
    ),
    # --- receivers
    Refusal(
        "exchange_without_receivers",
        ReceiversRequired,
        "receivers_required",
        lambda w, _: w.posted(w.ann, {}),
    ),
    Refusal(
        "exchange_with_too_many_receivers",
        TooManyReceivers,
        "too_many_receivers",
        record_too_many_receivers,
    ),
    Refusal(
        "exchange_naming_a_receiver_twice",
        ReceiverRepeated,
        "receiver_repeated",
        record_with_receiver_twice,
    ),
    # --- the exchange's day: not after today, and not further back than the timebank allows
    Refusal(
        "exchange_dated_tomorrow",
        ActivityDateInFuture,
        "activity_date_in_future",
        lambda w, _: record_dated(w, utc_now().date() + timedelta(days=1)),
    ),
    Refusal(
        "exchange_dated_years_ahead",
        ActivityDateInFuture,
        "activity_date_in_future",
        lambda w, _: record_dated(w, date(9999, 12, 31)),
    ),
    Refusal(
        "exchange_dated_in_1901",
        ActivityDateTooFarBack,
        "activity_date_too_far_back",
        lambda w, _: record_dated(w, date(1901, 1, 1)),
        timebank={"backdate_days_max": 3660},
    ),
    Refusal(
        "exchange_dated_one_day_before_the_timebanks_limit",
        ActivityDateTooFarBack,
        "activity_date_too_far_back",
        lambda w, _: record_dated(w, utc_now().date() - timedelta(days=31)),
        timebank={"backdate_days_max": 30},
    ),
    Refusal(
        "import_row_dated_tomorrow",
        ImportRejected,
        "import_rejected",
        import_dated_tomorrow,
    ),
    # --- text limits
    Refusal(
        "description_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, _: w.record(
            w.coordinator, w.ann, {w.bo: 30}, description="d" * (DESCRIPTION_LENGTH_MAX + 1)
        ),
    ),
    Refusal(
        "description_with_a_nul_character",
        TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, description="tea\x00and cake"),
    ),
    Refusal(
        "description_with_a_right_to_left_override",
        TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, description="gardening \u202egnihtyreve"),
    ),
    Refusal(
        "gift_note_with_a_lone_surrogate",
        TextHasControlCharacters,
        "text_has_control_characters",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 30, note="thanks \ud800"),
    ),
    Refusal(
        "category_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, _: w.record(w.coordinator, w.ann, {w.bo: 30}, category="c" * (CATEGORY_LENGTH_MAX + 1)),
    ),
    Refusal(
        "gift_note_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, _: w.give(w.holder(w.ann), w.ann, w.bo, 30, note="n" * (NOTE_LENGTH_MAX + 1)),
    ),
    Refusal(
        "reversal_reason_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, x: w.reverse(x.exchange_id, reason="r" * (REASON_LENGTH_MAX + 1)),
        arrange=confirmed,
    ),
    Refusal(
        "limit_change_reason_too_long",
        TextTooLong,
        "text_too_long",
        set_limits_as(coordinator, -1200, None, reason="r" * (REASON_LENGTH_MAX + 1)),
    ),
    Refusal(
        "account_name_too_long",
        TextTooLong,
        "text_too_long",
        open_account_as(coordinator, name="n" * (NAME_LENGTH_MAX + 1)),
    ),
    Refusal(
        "idempotency_key_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, _: w.give(
            w.holder(w.ann), w.ann, w.bo, 30, idempotency_key="k" * (IDEMPOTENCY_KEY_LENGTH_MAX + 1)
        ),
    ),
    # --- statements
    Refusal("statement_with_a_made_up_cursor", CursorInvalid, "cursor_invalid", statement("nonsense")),
    Refusal(
        "statement_with_a_cursor_of_three_parts",
        CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00+00:00|1|2")),
    ),
    Refusal(
        "statement_with_a_cursor_without_a_time_zone",
        CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00|1")),
    ),
    Refusal(
        "statement_with_a_cursor_whose_id_is_not_a_number",
        CursorInvalid,
        "cursor_invalid",
        statement(cursor_of("2024-05-01T10:00:00+00:00|one")),
    ),
    Refusal(
        "statement_page_of_zero_lines",
        PageLimitOutOfRange,
        "page_limit_out_of_range",
        statement(limit=0),
    ),
    Refusal(
        "statement_page_of_201_lines",
        PageLimitOutOfRange,
        "page_limit_out_of_range",
        statement(limit=201),
    ),
    # --- imports (every bad row is listed: see test_statements_imports.py)
    Refusal(
        "import_with_a_bad_row",
        ImportRejected,
        "import_rejected",
        import_as(coordinator, minutes=0),
    ),
    Refusal(
        "import_of_too_many_rows",
        TooManyRows,
        "too_many_rows",
        import_as(coordinator, count=IMPORT_ROWS_MAX + 1),
    ),
]


# --- recognising involvement: a forum in the world's own timebank --------------------------------


@dataclass(frozen=True)
class AtForum:
    """A Library forum in the world's timebank: three members, a staff member and one activity."""

    forum: Forum
    activity_id: int

    @property
    def members(self) -> list[int]:
        return self.forum.members

    def attend(self, *attendees: AttendeeChoice, **options: Any) -> object:
        return self.forum.attend(self.activity_id, attendees, **options)

    def expense(self, pence: object, evidence: object, **options: Any) -> object:
        forum = self.forum
        return record_expense(
            forum.engine,
            forum.timebank_id,
            options.pop("by", forum.staff),
            forum.organisation_id,
            options.pop("account_id", forum.members[0]),
            pence,  # type: ignore[arg-type]
            evidence,  # type: ignore[arg-type]
            options.pop("description", "Bus to the forum"),
            FORUM_DAY,
            **options,
        )

    def declare(self, caller: Any, account_id: int, categories: list[str], **options: Any) -> object:
        forum = self.forum
        return set_declaration(forum.engine, forum.timebank_id, caller, account_id, categories, **options)


def at_forum(w: World, organisation_floor_minutes: int = -6000) -> AtForum:
    forum = make_forum(
        w.engine, members=3, organisation_floor_minutes=organisation_floor_minutes, timebank_id=w.timebank_id
    )
    return AtForum(forum, forum.activity().activity_id)


def at_forum_next_week(w: World) -> AtForum:
    """The forum's next meeting, a week from today: nobody has attended it yet."""
    forum = make_forum(w.engine, members=3, timebank_id=w.timebank_id)
    return AtForum(forum, forum.activity(on=utc_now().date() + timedelta(days=7)).activity_id)


def at_forum_with_a_floor_of_100(w: World) -> AtForum:
    return at_forum(w, organisation_floor_minutes=-100)


def at_forum_with_another_timebank(w: World) -> AtForum:
    w.other()
    return at_forum(w)


def at_forum_where_the_first_member_declared(w: World) -> AtForum:
    f = at_forum(w)
    first = f.members[0]
    f.declare(f.forum.member(first), first, ["employment_and_support_allowance"])
    return f


def at_forum_nobody_was_invited_to(w: World) -> AtForum:
    forum = make_forum(w.engine, members=3, timebank_id=w.timebank_id)
    return AtForum(forum, forum.activity(invite=False).activity_id)


def at_forum_where_the_first_member_attended(w: World) -> AtForum:
    f = at_forum(w)
    f.attend(attendee(f.members[0], 60, Reward.CREDITS))
    return f


def at_forum_with_a_clinic_activity(w: World) -> tuple[AtForum, int]:
    f = at_forum(w)
    clinic = add_organisation(w.engine, w.timebank_id, f.forum.coordinator, "Clinic")
    forum = f.forum
    activity = create_activity(
        w.engine,
        w.timebank_id,
        forum.coordinator,
        clinic.organisation_id,
        "Clinic panel",
        FORUM_DAY,
        60,
        ActivityClassification.USES_SERVICES,
    )
    return f, activity.activity_id


def create_activity_as(caller: Callable[[AtForum], Any], title: str = "User forum") -> Any:
    def act(w: World, f: AtForum) -> object:
        forum = f.forum
        return create_activity(
            w.engine,
            w.timebank_id,
            caller(f),
            forum.organisation_id,
            title,
            FORUM_DAY,
            60,
            ActivityClassification.USES_SERVICES,
        )

    return act


def offer_terms(**changes: Any) -> OfferTerms:
    # Unchecked, as the use case may be sent it: its own checks are what the cases below reach.
    return offer().model_copy(update=changes)


def credits(account_id: int, minutes: int = 60, **details: Any) -> AttendeeChoice:
    return attendee(account_id, minutes, Reward.CREDITS, **details)


def choosing(choice: Reward, **details: Any) -> Callable[[World, AtForum], object]:
    return lambda w, f: f.attend(attendee(f.members[0], 60, choice, **details), offer=offer())


def offered(**changes: Any) -> Callable[[World, AtForum], object]:
    return lambda w, f: f.attend(attendee(f.members[0], 60, Reward.PAYMENT), offer=offer_terms(**changes))


def expense(pence: object, evidence: object, **options: Any) -> Callable[[World, AtForum], object]:
    return lambda w, f: f.expense(pence, evidence, **options)


def offering(
    spend_class: SpendClass = SpendClass.COMMUNITY_ACTIVITY,
    minutes: int = 60,
    *,
    declared: bool = False,
    withdrawn: bool = False,
    other: bool = False,
) -> Callable[[World], tuple[Forum, int]]:
    """The Library offers one thing to spend credits on (in a second timebank, with ``other``)."""

    def arrange(w: World) -> tuple[Forum, int]:
        f = at_forum_where_the_first_member_declared(w) if declared else at_forum(w)
        forum = make_forum(w.engine, members=1, timebank_id=w.other().timebank_id) if other else f.forum
        option = forum.spend_option("Swim session", minutes, spend_class)
        if withdrawn:
            withdraw_spend_option(w.engine, forum.timebank_id, forum.staff, option.spend_option_id)
        return f.forum, option.spend_option_id

    return arrange


def spending(
    by: Callable[[Forum], Any] | None = None,
    account: Callable[[Forum], int] = lambda forum: forum.members[0],
    **options: Any,
) -> Callable[[World, tuple[Forum, int]], object]:
    """The first member (or ``by``) spends ``account``'s credits on the arranged option."""

    def act(w: World, arranged: tuple[Forum, int]) -> object:
        forum, option_id = arranged
        return forum.spend(option_id, account(forum), by=None if by is None else by(forum), **options)

    return act


def benefit_counts(engine: Engine, timebank_id: int, skip: tuple[str, ...]) -> dict[str, int]:
    def read(uow: Any) -> dict[str, int]:
        return {
            t.name: int(
                uow.connection.execute(
                    select(func.count()).select_from(t).where(t.c.timebank_id == timebank_id)
                ).scalar_one()
            )
            for t in BENEFIT_TABLES
            if t.name not in skip
        }

    found: dict[str, int] = run(engine, read, write=False)
    return found


INVOLVEMENT_CASES: list[Refusal] = [
    # --- activities
    Refusal(
        "activity_with_a_blank_title",
        TextRequired,
        "text_required",
        create_activity_as(lambda f: f.forum.staff, title="   "),
        arrange=at_forum,
    ),
    Refusal(
        "activity_created_by_a_member_who_is_not_staff",
        OrganisationStaffRequired,
        "organisation_staff_required",
        create_activity_as(lambda f: f.forum.member(f.members[0])),
        arrange=at_forum,
    ),
    # --- attendance
    Refusal(
        "attendance_at_an_unknown_activity",
        ActivityNotFound,
        "activity_not_found",
        lambda w, f: f.forum.attend(UNKNOWN, [credits(f.members[0])]),
        arrange=at_forum,
    ),
    Refusal(
        "attendance_recorded_by_a_member_who_is_not_staff",
        OrganisationStaffRequired,
        "organisation_staff_required",
        lambda w, f: f.attend(credits(f.members[1]), by=f.forum.member(f.members[0])),
        arrange=at_forum,
    ),
    Refusal(
        "attendance_without_attendees",
        AttendeesRequired,
        "attendees_required",
        lambda w, f: f.attend(),
        arrange=at_forum,
    ),
    Refusal(
        "attendance_of_more_than_the_most_attendees",
        TooManyAttendees,
        "too_many_attendees",
        lambda w, f: f.attend(*(credits(UNKNOWN + i) for i in range(ATTENDEES_MAX + 1))),
        arrange=at_forum,
    ),
    Refusal(
        "attendee_listed_twice",
        AttendeeRepeated,
        "attendee_repeated",
        lambda w, f: f.attend(credits(f.members[0]), credits(f.members[0], 30)),
        arrange=at_forum,
    ),
    Refusal(
        "attendee_down_for_more_than_the_activity_lasted",
        AttendanceAboveActivityLength,
        "attendance_above_activity_length",
        lambda w, f: f.attend(credits(f.members[0], 120), credits(f.members[1], 600)),
        arrange=at_forum,
    ),
    Refusal(
        "attendance_at_an_activity_not_yet_held",
        ActivityNotYetHeld,
        "activity_not_yet_held",
        lambda w, f: f.attend(credits(f.members[0])),
        arrange=at_forum_next_week,
    ),
    Refusal(
        "the_organisation_attending_its_own_activity",
        AccountsMustDiffer,
        "accounts_must_differ",
        lambda w, f: f.attend(credits(f.forum.organisation_account)),
        arrange=at_forum,
    ),
    Refusal(
        "the_pot_attending_an_activity",
        MemberAccountRequired,
        "member_account_required",
        lambda w, f: f.attend(credits(f.members[0]), credits(w.pot)),
        arrange=at_forum,
    ),
    Refusal(
        "attendee_from_another_timebank",
        AccountNotFound,
        "account_not_found",
        lambda w, f: f.attend(credits(f.members[0]), credits(w.others[0].ann)),
        arrange=at_forum_with_another_timebank,
    ),
    Refusal(
        "attendee_with_no_minutes",
        MinutesMustBePositive,
        "minutes_must_be_positive",
        lambda w, f: f.attend(credits(f.members[0], 0)),
        arrange=at_forum,
    ),
    Refusal(
        "attendance_recorded_twice_for_a_member",
        AttendanceAlreadyRecorded,
        "attendance_already_recorded",
        lambda w, f: f.attend(credits(f.members[1]), credits(f.members[0])),
        arrange=at_forum_where_the_first_member_attended,
    ),
    Refusal(
        "recognition_beyond_the_organisations_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        lambda w, f: f.attend(credits(f.members[0], 60), credits(f.members[1], 41)),
        arrange=at_forum_with_a_floor_of_100,
    ),
    Refusal(
        "payment_chosen_with_nothing_offered",
        PaymentNotOffered,
        "payment_not_offered",
        lambda w, f: f.attend(attendee(f.members[0], 60, Reward.PAYMENT)),
        arrange=at_forum,
    ),
    Refusal(
        "smaller_payment_without_its_amount",
        ReducedPaymentMissing,
        "reduced_payment_missing",
        choosing(Reward.REDUCED_PAYMENT),
        arrange=at_forum,
    ),
    Refusal(
        "smaller_payment_not_below_the_offer",
        ReducedPaymentNotBelowOffer,
        "reduced_payment_not_below_offer",
        choosing(Reward.REDUCED_PAYMENT, reduced_pence=2000),
        arrange=at_forum,
    ),
    Refusal(
        "charity_chosen_without_a_charity",
        CharityNameMissing,
        "charity_name_missing",
        choosing(Reward.CHARITY, charity_name="  "),
        arrange=at_forum,
    ),
    Refusal(
        "credits_chosen_with_a_charity_named",
        ChoiceDetailNotWanted,
        "choice_detail_not_wanted",
        choosing(Reward.CREDITS, charity_name="Shelter"),
        arrange=at_forum,
    ),
    Refusal(
        "credits_chosen_with_an_acknowledgement",
        ChoiceDetailNotWanted,
        "choice_detail_not_wanted",
        choosing(Reward.CREDITS, acknowledgement="Advice given"),
        arrange=at_forum,
    ),
    Refusal(
        "charity_name_too_long",
        TextTooLong,
        "text_too_long",
        choosing(Reward.CHARITY, charity_name="c" * (NAME_LENGTH_MAX + 1)),
        arrange=at_forum,
    ),
    Refusal(
        "offer_of_no_pence",
        PenceMustBePositive,
        "pence_must_be_positive",
        offered(amount_pence=0),
        arrange=at_forum,
    ),
    Refusal(
        "offer_of_a_fraction_of_a_penny",
        PenceMustBeWhole,
        "pence_must_be_whole",
        offered(amount_pence=1999.5),
        arrange=at_forum,
    ),
    Refusal(
        "offer_above_the_most_pence",
        PenceAboveLimit,
        "pence_above_limit",
        offered(amount_pence=10_000_001),
        arrange=at_forum,
    ),
    Refusal(
        "offer_without_a_description",
        TextRequired,
        "text_required",
        offered(description=" "),
        arrange=at_forum,
    ),
    Refusal(
        "offer_for_a_period_that_ends_before_it_starts",
        PeriodMustEndAfterStart,
        "period_must_end_after_start",
        offered(from_on=FORUM_DAY, to_on=FORUM_DAY),
        arrange=at_forum,
    ),
    Refusal(
        "offer_for_a_week_of_eight_days",
        WeekMustBeSevenDays,
        "week_must_be_seven_days",
        offered(to_on=offer().to_on + timedelta(days=1)),
        arrange=at_forum,
    ),
    Refusal(
        "offer_for_a_month_of_nineteen_days",
        MonthMustBeOneMonth,
        "month_must_be_one_month",
        offered(
            period_kind=PeriodKind.MONTH, from_on=FORUM_DAY.replace(day=1), to_on=FORUM_DAY.replace(day=20)
        ),
        arrange=at_forum,
    ),
    Refusal(
        "payment_to_a_member_who_declared_benefits_without_an_acknowledgement",
        PaymentAcknowledgementRequired,
        "payment_acknowledgement_required",
        lambda w, f: f.attend(
            credits(f.members[1]),
            attendee(f.members[0], 60, Reward.PAYMENT),
            offer=offer(kind=PaymentKind.CASH),
        ),
        arrange=at_forum_where_the_first_member_declared,
        writes=("audit_log",),
    ),
    Refusal(
        "payment_to_a_member_not_invited",
        InvitationRequired,
        "invitation_required",
        lambda w, f: f.attend(
            credits(f.members[1]),
            attendee(f.members[0], 60, Reward.PAYMENT),
            offer=offer(kind=PaymentKind.CASH),
        ),
        arrange=at_forum_nobody_was_invited_to,
    ),
    Refusal(
        "payment_check_for_a_member_not_invited",
        InvitationRequired,
        "invitation_required",
        lambda w, f: check_payment_offer(
            w.engine, w.timebank_id, f.forum.staff, f.activity_id, f.members[0], 2500
        ),
        arrange=at_forum_nobody_was_invited_to,
    ),
    Refusal(
        "invitation_of_more_than_the_most_attendees",
        TooManyInvitations,
        "too_many_invitations",
        lambda w, f: invite_members(
            w.engine, w.timebank_id, f.forum.staff, f.activity_id, list(range(1, ATTENDEES_MAX + 2))
        ),
        arrange=at_forum,
    ),
    Refusal(
        "invitation_of_the_organisations_own_account",
        MemberAccountRequired,
        "member_account_required",
        lambda w, f: invite_members(
            w.engine, w.timebank_id, f.forum.staff, f.activity_id, [f.forum.organisation_account]
        ),
        arrange=at_forum,
    ),
    # --- expenses
    Refusal(
        "expense_without_evidence",
        ExpenseEvidenceMissing,
        "expense_evidence_missing",
        expense(480, None),
        arrange=at_forum,
    ),
    Refusal(
        "expense_above_its_receipt",
        ExpenseAboveEvidence,
        "expense_above_evidence",
        expense(481, Receipt("Bus ticket", 480)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_above_its_mileage",
        ExpenseAboveEvidence,
        "expense_above_evidence",
        expense(451, Mileage("Home to library", 10)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_of_no_pence",
        PenceMustBePositive,
        "pence_must_be_positive",
        expense(0, Receipt("R", 1)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_of_a_fraction_of_a_penny",
        PenceMustBeWhole,
        "pence_must_be_whole",
        expense(12.5, Receipt("R", 13)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_above_the_most_pence",
        PenceAboveLimit,
        "pence_above_limit",
        expense(10_000_001, Receipt("R", 10_000_001)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_without_a_description",
        TextRequired,
        "text_required",
        expense(100, Receipt("R", 100), description=""),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_of_a_fraction_of_a_mile",
        MilesMustBeWhole,
        "miles_must_be_whole",
        expense(100, Mileage("Home to library", 2.5)),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_of_no_miles",
        MilesMustBePositive,
        "miles_must_be_positive",
        expense(100, Mileage("Home to library", 0)),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_beyond_the_most_miles",
        MilesAboveLimit,
        "miles_above_limit",
        expense(100, Mileage("Land's End to John o' Groats and back", 2001)),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_rate_of_a_fraction_of_a_penny",
        MileageRateMustBeWhole,
        "mileage_rate_must_be_whole",
        expense(100, Mileage("Home to library", 10, 45.5)),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_rate_of_nothing",
        MileageRateMustBePositive,
        "mileage_rate_must_be_positive",
        expense(100, Mileage("Home to library", 10, 0)),
        arrange=at_forum,
    ),
    Refusal(
        "mileage_rate_above_a_pound_a_mile",
        MileageRateAboveLimit,
        "mileage_rate_above_limit",
        expense(100, Mileage("Home to library", 10, 101)),
        arrange=at_forum,
    ),
    Refusal(
        "expense_for_another_organisations_activity",
        ActivityNotFound,
        "activity_not_found",
        lambda w, arranged: arranged[0].expense(100, Receipt("R", 100), activity_id=arranged[1]),
        arrange=at_forum_with_a_clinic_activity,
    ),
    Refusal(
        "expense_repaid_to_the_pot",
        MemberAccountRequired,
        "member_account_required",
        lambda w, f: f.expense(100, Receipt("R", 100), account_id=w.pot),
        arrange=at_forum,
    ),
    Refusal(
        "expense_recorded_by_a_member_who_is_not_staff",
        OrganisationStaffRequired,
        "organisation_staff_required",
        lambda w, f: f.expense(100, Receipt("R", 100), by=f.forum.member(f.members[0])),
        arrange=at_forum,
    ),
    # --- benefits declarations
    Refusal(
        "declaration_of_no_categories",
        BenefitCategoriesRequired,
        "benefit_categories_required",
        lambda w, f: f.declare(f.forum.member(f.members[0]), f.members[0], []),
        arrange=at_forum,
    ),
    Refusal(
        "declaration_of_an_unknown_category",
        BenefitCategoryUnknown,
        "benefit_category_unknown",
        lambda w, f: f.declare(f.forum.member(f.members[0]), f.members[0], ["universal_credit", "lottery"]),
        arrange=at_forum,
    ),
    Refusal(
        "coordinator_declaring_without_the_members_say_so",
        MemberSaySoRequired,
        "member_say_so_required",
        lambda w, f: f.declare(f.forum.coordinator, f.members[0], ["carers_allowance"]),
        arrange=at_forum,
    ),
    Refusal(
        "member_declaring_for_another_member",
        SelfOrCoordinatorRequired,
        "self_or_coordinator_required",
        lambda w, f: f.declare(f.forum.member(f.members[1]), f.members[0], ["carers_allowance"]),
        arrange=at_forum,
    ),
    Refusal(
        "staff_reading_a_members_declaration",
        SelfOrCoordinatorRequired,
        "self_or_coordinator_required",
        lambda w, f: read_declaration(w.engine, w.timebank_id, f.forum.staff, f.members[0]),
        arrange=at_forum_where_the_first_member_declared,
    ),
    Refusal(
        "member_deleting_another_members_declaration",
        SelfOrCoordinatorRequired,
        "self_or_coordinator_required",
        lambda w, f: delete_declaration(w.engine, w.timebank_id, f.forum.member(f.members[1]), f.members[0]),
        arrange=at_forum_where_the_first_member_declared,
    ),
    Refusal(
        "declaration_for_an_organisations_account",
        MemberAccountRequired,
        "member_account_required",
        lambda w, f: f.declare(
            f.forum.coordinator, f.forum.organisation_account, ["carers_allowance"], members_say_so=True
        ),
        arrange=at_forum,
    ),
    # --- spend options and spending credits on them (B5)
    Refusal(
        "spend_option_of_an_unknown_class",
        SpendClassUnknown,
        "spend_class_unknown",
        lambda w, f: f.forum.spend_option(spend_class="cash"),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_with_a_blank_title",
        TextRequired,
        "text_required",
        lambda w, f: f.forum.spend_option(title="  "),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_with_a_title_too_long",
        TextTooLong,
        "text_too_long",
        lambda w, f: f.forum.spend_option(title="t" * (NAME_LENGTH_MAX + 1)),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_of_no_minutes",
        MinutesMustBePositive,
        "minutes_must_be_positive",
        lambda w, f: f.forum.spend_option(minutes=0),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_of_a_fraction_of_a_minute",
        MinutesMustBeWhole,
        "minutes_must_be_whole",
        lambda w, f: f.forum.spend_option(minutes=59.5),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_above_this_timebanks_own_limit_of_an_hour",
        MinutesAboveTransferLimit,
        "minutes_above_transfer_limit",
        lambda w, f: f.forum.spend_option(minutes=61),
        arrange=at_forum,
        timebank={"minutes_per_transfer_max": 60},
    ),
    Refusal(
        "spend_option_created_by_a_member_who_is_not_staff",
        OrganisationStaffRequired,
        "organisation_staff_required",
        lambda w, f: f.forum.spend_option(by=f.forum.member(f.members[0])),
        arrange=at_forum,
    ),
    Refusal(
        "spend_option_withdrawn_by_a_member_who_is_not_staff",
        OrganisationStaffRequired,
        "organisation_staff_required",
        lambda w, a: withdraw_spend_option(w.engine, w.timebank_id, a[0].member(a[0].members[0]), a[1]),
        arrange=offering(),
    ),
    Refusal(
        "withdrawn_spend_options_listed_for_a_member",
        CoordinatorRequired,
        "coordinator_required",
        lambda w, f: list_spend_options(
            w.engine, w.timebank_id, f.forum.member(f.members[0]), include_withdrawn=True
        ),
        arrange=at_forum,
    ),
    Refusal(
        "spending_on_an_unknown_spend_option",
        SpendOptionNotFound,
        "spend_option_not_found",
        spending(),
        arrange=lambda w: (at_forum(w).forum, UNKNOWN),
    ),
    Refusal(
        "spending_on_another_timebanks_spend_option",
        SpendOptionNotFound,
        "spend_option_not_found",
        spending(),
        arrange=offering(other=True),
    ),
    Refusal(
        "spending_on_a_withdrawn_spend_option",
        SpendOptionWithdrawn,
        "spend_option_withdrawn",
        spending(),
        arrange=offering(withdrawn=True),
    ),
    Refusal(
        "spending_another_members_credits",
        AccountHolderRequired,
        "account_holder_required",
        spending(by=lambda forum: forum.member(forum.members[1])),
        arrange=offering(),
    ),
    Refusal(
        "staff_spending_a_members_credits",
        AccountHolderRequired,
        "account_holder_required",
        spending(by=lambda forum: forum.staff),
        arrange=offering(),
    ),
    Refusal(
        "coordinator_spending_the_organisations_own_credits",
        MemberAccountRequired,
        "member_account_required",
        spending(by=lambda forum: forum.coordinator, account=lambda forum: forum.organisation_account),
        arrange=offering(),
    ),
    Refusal(
        "spending_below_the_members_floor",
        BalanceBelowFloor,
        "balance_below_floor",
        spending(),
        arrange=offering(minutes=601),  # the default member floor is -600
    ),
    Refusal(
        "spending_with_a_blank_acknowledgement",
        TextRequired,
        "text_required",
        spending(acknowledgement=" "),
        arrange=offering(SpendClass.GOODS, declared=True),
    ),
    Refusal(
        "spending_with_an_acknowledgement_too_long",
        TextTooLong,
        "text_too_long",
        spending(acknowledgement="a" * (NAME_LENGTH_MAX + 1)),
        arrange=offering(SpendClass.GOODS, declared=True),
    ),
    Refusal(
        "goods_for_a_member_who_declared_benefits_without_an_acknowledgement",
        SpendAcknowledgementRequired,
        "spend_acknowledgement_required",
        spending(),
        arrange=offering(SpendClass.GOODS, declared=True),
        writes=("audit_log",),
    ),
    Refusal(
        "a_voucher_for_a_member_who_declared_benefits_without_an_acknowledgement",
        SpendAcknowledgementRequired,
        "spend_acknowledgement_required",
        spending(),
        arrange=offering(SpendClass.VOUCHER, declared=True),
        writes=("audit_log",),
    ),
    # --- the benefit-safe statement: never a day after today (B7)
    Refusal(
        "benefit_statement_for_a_period_that_starts_tomorrow",
        PeriodStartsAfterToday,
        "period_starts_after_today",
        lambda w, f: benefit_safe_statement(
            w.engine,
            w.timebank_id,
            f.forum.member(f.members[0]),
            f.members[0],
            utc_now().date() + timedelta(days=1),
        ),
        arrange=at_forum,
    ),
]


# --- the report's rating thresholds ---------------------------------------------------------------


def coordinator_caller(w: World) -> Caller:
    return Caller(f"login:coordinator{w.timebank_id}", False, w.timebank_id, None, None, True, frozenset())


def setting_thresholds(
    caller: Callable[[World], Caller] = coordinator_caller, **own: tuple[Any, Any]
) -> Callable[[World, object], object]:
    """Set the timebank's own thresholds: figure name → (where red meets amber, where amber meets green)."""

    def act(w: World, _: object) -> object:
        boundaries = {RatedFigureName(figure): Boundaries(*pair) for figure, pair in own.items()}
        return set_rating_thresholds(w.engine, w.timebank_id, caller(w), boundaries)

    return act


def own_thresholds(w: World) -> None:
    """The timebank rates against thresholds of its own, which a refused change must keep."""
    setting_thresholds(active_rate=(30, 60), top20_share=(70, 50))(w, None)


RATING_CASES: list[Refusal] = [
    Refusal(
        "rating_threshold_above_100_percent",
        RatingThresholdOutOfRange,
        "rating_threshold_out_of_range",
        setting_thresholds(two_way_rate=(25, 101)),
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_threshold_below_0_percent",
        RatingThresholdOutOfRange,
        "rating_threshold_out_of_range",
        setting_thresholds(largest_scc_share=(-1, 50)),
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_threshold_of_a_fraction_of_a_percent",
        RatingThresholdOutOfRange,
        "rating_threshold_out_of_range",
        setting_thresholds(top20_share=(80, 59.5)),
    ),
    Refusal(
        "rating_thresholds_with_amber_starting_above_green",
        RatingThresholdsOutOfOrder,
        "rating_thresholds_out_of_order",
        setting_thresholds(active_rate=(60, 50)),
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_thresholds_of_the_top_20_share_with_green_reaching_above_red",
        RatingThresholdsOutOfOrder,
        "rating_thresholds_out_of_order",
        setting_thresholds(top20_share=(60, 80)),  # the higher-is-better order, wrong for this figure
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_thresholds_of_which_one_figure_is_out_of_order",
        RatingThresholdsOutOfOrder,
        "rating_thresholds_out_of_order",
        setting_thresholds(two_way_rate=(30, 60), uses_services_giving_rate=(61, 60)),
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_thresholds_set_by_a_member",
        CoordinatorRequired,
        "coordinator_required",
        setting_thresholds(
            lambda w: Caller(f"login:ann{w.ann}", False, w.timebank_id, 1, w.ann, False, frozenset()),
            active_rate=(30, 60),
        ),
        arrange=own_thresholds,
    ),
    Refusal(
        "rating_thresholds_set_by_another_timebanks_coordinator",
        TimebankNotFound,
        "timebank_not_found",
        setting_thresholds(lambda w: coordinator_caller(w.other()), active_rate=(30, 60)),
        arrange=lambda w: (own_thresholds(w), w.other()),
    ),
]


def _timebank_ids(w: World) -> list[int]:
    return [w.timebank_id, *(o.timebank_id for o in w.others)]


CASES += RATING_CASES
CASES += INVOLVEMENT_CASES


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in CASES])
def test_a_refused_operation_raises_the_error_named_for_its_rule_and_changes_nothing(
    engine: Engine, case: Refusal
) -> None:
    w = make_world(engine, **case.timebank)
    arranged = case.arrange(w)
    before = [snapshot(engine, tb) for tb in _timebank_ids(w)]
    involvement_before = [benefit_counts(engine, tb, case.writes) for tb in _timebank_ids(w)]

    with pytest.raises(case.error) as refusal:
        case.act(w, arranged)

    assert type(refusal.value) is case.error
    assert refusal.value.code == case.code
    assert [snapshot(engine, tb) for tb in _timebank_ids(w)] == before
    assert [benefit_counts(engine, tb, case.writes) for tb in _timebank_ids(w)] == involvement_before


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
    "email_invalid",
    "phone_invalid",
    "api_key_not_found",
    "admin_required",
    "self_or_coordinator_required",
    "username_taken",
    "last_coordinator_required",
    "credentials_invalid",
    "token_invalid",
    "login_attempts_exceeded",
}


# Refusals of the reports are met in tests/integration/test_report_storage.py (the window rules) and
# over HTTP in tests/api/test_reports_http.py (every one of them, by code). The report's rating
# thresholds are refused through the services above (RATING_CASES), so their codes are not listed
# here; tests/api/test_report_ratings_http.py meets them over HTTP.
REPORT_CODES = {
    "report_window_empty",
    "report_window_too_long",
    "report_window_out_of_range",
    "report_group_ambiguous",
    "not_enough_data",
}


# A request refused because every slot for its kind of slow work is taken (password checks, charts,
# PDFs) is met over HTTP in tests/api/test_busy_http.py.
BUSY_CODES = {"server_busy"}


# Refusals of being told (verification and unsubscribe links, an empty choice of preferences) are
# met through the services in tests/integration/test_notifications.py, each changing nothing, and
# over HTTP in tests/api/test_notifications_http.py and the bad-input corpus.
NOTIFICATION_CODES = {
    "notification_kind_required",
    "unsubscribe_token_invalid",
    "verification_token_expired",
    "verification_token_unknown",
    "verification_token_used",
}


# Refusals of the ways back in (set-password codes, reset links, logins turned off) are met over
# HTTP in tests/api/test_recovery_http.py and on the pages in tests/web/test_recovery_pages.py and
# tests/web/test_member_login_pages.py, each changing nothing.
RECOVERY_CODES = {
    "login_disabled",
    "member_has_no_login",
    "own_login_stays_on",
    "password_code_expired",
    "password_code_unknown",
    "password_code_used",
    "reset_link_expired",
    "reset_link_unknown",
    "reset_link_used",
    "reset_requests_exceeded",
    "username_required",
    "verified_email_required",
}


# Refusals of ending a membership (issue 18) are met through the services in
# tests/integration/test_membership.py (``MEMBERSHIP_CODES``: membership_ended on every write that
# names a closed account, and the ending's own rules), each changing nothing, and over HTTP in
# tests/api/test_membership_http.py.
# Refusals of erasing a member's personal data are met through the use case in
# tests/integration/test_erasure.py and over HTTP in tests/api/test_erasure_http.py, each changing
# nothing.
ERASURE_CODES = {"erasure_not_confirmed", "member_already_erased", "own_data_erased_by_another"}
# Refusals of offers and requests (DESIGN §10) are met through the services in
# tests/integration/test_offers.py and over HTTP in tests/api/test_offers_http.py (every one of
# them, by code, each changing nothing), and by the bad-input corpus.
OFFER_CODES = {
    "category_not_found",
    "category_name_taken",
    "categories_too_many",
    "category_retired",
    "post_not_found",
    "post_kind_unknown",
    "post_expiry_out_of_range",
    "post_text_required",
    "search_text_too_long",
    "search_words_too_many",
    "post_member_not_in_exchange",
    "post_hidden",
    "post_already_hidden",
    "post_not_hidden",
    "post_expired",
}


# Refusals of contacting a member about a post are met through the services in
# tests/integration/test_offer_contact.py (each changing nothing), on the pages in
# tests/web/test_offer_post_pages.py, and by the bad-input corpus; an import's refusal (every problem
# of its files listed) in tests/integration/test_history_import.py, and over HTTP, with the refusals
# of uploading files to import (each changing nothing), in tests/api/test_imports_http.py.
CONTACT_CODES = {
    "message_required",
    "messages_per_day_exceeded",
    "post_is_your_own",
    "post_not_open",
    "member_has_left",
    "reply_link_invalid",
}
IMPORT_CODES = {
    "import_refused",
    "import_files_required",
    "import_files_too_many",
    "import_files_too_large",
    "import_upload_not_found",
    "import_upload_expired",
    "import_uploads_too_many",
}


# Refusals of recognising involvement (issue 4), spend options included, are exercised above, through
# the services, and met over HTTP in tests/api/test_involvement_refusals_http.py (every one of them,
# by code).
INVOLVEMENT_CODES = {
    "text_required",
    "pence_must_be_whole",
    "pence_must_be_positive",
    "pence_above_limit",
    "expense_evidence_missing",
    "expense_above_evidence",
    "miles_must_be_whole",
    "miles_must_be_positive",
    "miles_above_limit",
    "mileage_rate_must_be_whole",
    "mileage_rate_must_be_positive",
    "mileage_rate_above_limit",
    "period_must_end_after_start",
    "week_must_be_seven_days",
    "month_must_be_one_month",
    "payment_not_offered",
    "reduced_payment_missing",
    "reduced_payment_not_below_offer",
    "charity_name_missing",
    "choice_detail_not_wanted",
    "attendees_required",
    "too_many_attendees",
    "attendee_repeated",
    "attendance_above_activity_length",
    "member_account_required",
    "activity_not_yet_held",
    "benefit_categories_required",
    "benefit_category_unknown",
    "payment_acknowledgement_required",
    "activity_not_found",
    "organisation_staff_required",
    "member_say_so_required",
    "attendance_already_recorded",
    "spend_class_unknown",
    "spend_acknowledgement_required",
    "spend_option_not_found",
    "spend_option_withdrawn",
    "invitation_required",
    "too_many_invitations",
}


def test_every_involvement_code_is_exercised_here() -> None:
    assert {case.code for case in INVOLVEMENT_CASES} >= INVOLVEMENT_CODES


def test_the_table_above_exercises_every_refusal_in_the_error_tree() -> None:
    leaves = {code for code, cls in all_error_codes().items() if not cls.__subclasses__()}
    met_elsewhere = (
        ACCESS_CODES
        | REPORT_CODES
        | BUSY_CODES
        | NOTIFICATION_CODES
        | RECOVERY_CODES
        | MEMBERSHIP_CODES
        | ERASURE_CODES
        | OFFER_CODES
        | CONTACT_CODES
        | IMPORT_CODES
    )
    assert leaves - met_elsewhere - {case.code for case in CASES} == set()
    assert leaves >= met_elsewhere | INVOLVEMENT_CODES


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
    with pytest.raises(CursorInvalid):
        account_statement(engine, w.timebank_id, w.ann, cursor=cursor)


# --- the limits themselves are allowed ----------------------------------------------------------


def test_text_exactly_at_each_limit_is_accepted_and_stored_whole(engine: Engine) -> None:
    w = make_world(engine)
    name = "n" * NAME_LENGTH_MAX
    account = open_account(engine, w.timebank_id, w.coordinator, AccountKind.MEMBER, name)
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

    assert get_account(engine, w.timebank_id, account.account_id).name == name
    stored = get_exchange(engine, w.timebank_id, x.exchange_id)
    assert len(stored.description) == DESCRIPTION_LENGTH_MAX
    assert len(stored.category or "") == CATEGORY_LENGTH_MAX


def test_a_statement_page_of_exactly_the_largest_size_is_allowed(engine: Engine) -> None:
    w = make_world(engine)
    assert account_statement(engine, w.timebank_id, w.ann, limit=200).lines == ()
    assert account_statement(engine, w.timebank_id, w.ann, limit=1).lines == ()


def test_a_timebank_named_with_the_longest_allowed_name_gets_a_pot_whose_name_fits(engine: Engine) -> None:
    timebank = create_timebank(engine, "n" * NAME_LENGTH_MAX)
    pot = get_account(engine, timebank.timebank_id, timebank.pot_account_id)
    assert len(pot.name) <= NAME_LENGTH_MAX
