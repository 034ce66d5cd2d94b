"""The consent rule and the life of an exchange (timebank.ledger.consent), with no database.

Covers who must still consent when the receiver, the giver, a coordinator or a third party records
an exchange, with and without the timebank's "both sides confirm" setting; who may record at all;
what remains after each confirmation; and who may decline, cancel or reverse, with the error named
for each state an exchange can be in (confirmed → exchange_already_confirmed, cancelled →
exchange_already_cancelled, reversed → transaction_already_reversed, and so on).
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from timebank.errors import StateConflict
from timebank.ledger.consent import (
    check_may_cancel,
    check_may_decline,
    check_may_record,
    check_may_reverse,
    check_pending,
    consents_after_confirm,
    consents_needed,
)
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
from timebank.ledger.types import Actor, ExchangeRecord, ExchangeStatus, ReceiverShare

GIVER = 1
RECEIVER = 2
OTHER_RECEIVER = 3
STRANGER = 4

giver = Actor("member:1", account_id=GIVER)
receiver = Actor("member:2", account_id=RECEIVER)
other_receiver = Actor("member:3", account_id=OTHER_RECEIVER)
stranger = Actor("member:4", account_id=STRANGER)
coordinator = Actor("member:9", account_id=9, is_coordinator=True)
accountless = Actor("system")

# The error each closed state answers with; every state but pending must be here.
REFUSAL_BY_STATUS: dict[ExchangeStatus, type[StateConflict]] = {
    ExchangeStatus.CONFIRMED: ExchangeAlreadyConfirmed,
    ExchangeStatus.DECLINED: ExchangeAlreadyDeclined,
    ExchangeStatus.CANCELLED: ExchangeAlreadyCancelled,
    ExchangeStatus.EXPIRED: ExchangeAlreadyExpired,
    ExchangeStatus.REVERSED: TransactionAlreadyReversed,
}
CLOSED_STATUSES = list(REFUSAL_BY_STATUS)


def exchange(
    status: ExchangeStatus = ExchangeStatus.PENDING,
    *,
    awaiting: frozenset[int] = frozenset({RECEIVER, OTHER_RECEIVER}),
    recorded_by: Actor = giver,
) -> ExchangeRecord:
    """An exchange in which GIVER helped RECEIVER and OTHER_RECEIVER."""
    posted = status in (ExchangeStatus.CONFIRMED, ExchangeStatus.REVERSED)
    return ExchangeRecord(
        exchange_id=42,
        timebank_id=7,
        giver_account_id=GIVER,
        receivers=(ReceiverShare(RECEIVER, 60), ReceiverShare(OTHER_RECEIVER, 30)),
        status=status,
        activity_date=date(2026, 3, 1),
        description="gardening",
        category=None,
        recorded_by=recorded_by.caller,
        recorded_by_account_id=recorded_by.account_id,
        awaiting_consent_from=awaiting if status is ExchangeStatus.PENDING else frozenset(),
        transaction_id=5 if posted else None,
        created_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
    )


def test_every_state_but_pending_has_its_own_refusal() -> None:
    assert set(REFUSAL_BY_STATUS) == set(ExchangeStatus) - {ExchangeStatus.PENDING}
    assert len(set(REFUSAL_BY_STATUS.values())) == len(REFUSAL_BY_STATUS)


# --- who must consent when an exchange is recorded ----------------------------------------------


def test_a_receiver_recording_alone_needs_no_other_consent() -> None:
    assert consents_needed(receiver, GIVER, [RECEIVER], require_both_sides=False) == frozenset()


def test_a_receiver_recording_for_several_needs_the_other_receivers_consent() -> None:
    needed = consents_needed(receiver, GIVER, [RECEIVER, OTHER_RECEIVER], require_both_sides=False)

    assert needed == frozenset({OTHER_RECEIVER})


def test_a_giver_recording_needs_every_receivers_consent() -> None:
    needed = consents_needed(giver, GIVER, [RECEIVER, OTHER_RECEIVER], require_both_sides=False)

    assert needed == frozenset({RECEIVER, OTHER_RECEIVER})


def test_a_giver_recording_never_needs_their_own_consent_even_when_both_sides_confirm() -> None:
    needed = consents_needed(giver, GIVER, [RECEIVER], require_both_sides=True)

    assert needed == frozenset({RECEIVER})


def test_when_both_sides_confirm_a_receivers_record_waits_for_the_giver() -> None:
    assert consents_needed(receiver, GIVER, [RECEIVER], require_both_sides=True) == frozenset({GIVER})
    assert consents_needed(receiver, GIVER, [RECEIVER, OTHER_RECEIVER], require_both_sides=True) == frozenset(
        {GIVER, OTHER_RECEIVER}
    )


@pytest.mark.parametrize("require_both_sides", [False, True])
def test_a_coordinators_record_posts_at_once(require_both_sides: bool) -> None:
    assert consents_needed(coordinator, GIVER, [RECEIVER, OTHER_RECEIVER], require_both_sides) == frozenset()


def test_a_coordinator_who_is_also_the_giver_needs_no_consent() -> None:
    giving_coordinator = Actor("member:1", account_id=GIVER, is_coordinator=True)

    assert consents_needed(giving_coordinator, GIVER, [RECEIVER], require_both_sides=True) == frozenset()


@pytest.mark.parametrize("actor", [stranger, accountless], ids=["stranger", "accountless"])
def test_a_third_party_would_need_everyones_consent_but_may_not_record(actor: Actor) -> None:
    assert consents_needed(actor, GIVER, [RECEIVER], require_both_sides=False) == frozenset({RECEIVER})
    assert consents_needed(actor, GIVER, [RECEIVER], require_both_sides=True) == frozenset({GIVER, RECEIVER})
    with pytest.raises(NotAPartyToExchange) as refusal:
        check_may_record(actor, GIVER, [RECEIVER])
    assert refusal.value.code == "not_a_party_to_exchange"


@pytest.mark.parametrize(
    "actor", [giver, receiver, other_receiver, coordinator], ids=["giver", "receiver", "other", "coord"]
)
def test_the_giver_any_receiver_and_a_coordinator_may_record(actor: Actor) -> None:
    check_may_record(actor, GIVER, iter([RECEIVER, OTHER_RECEIVER]))


def test_consents_needed_accepts_receivers_as_a_one_pass_iterator() -> None:
    needed = consents_needed(giver, GIVER, iter([RECEIVER, OTHER_RECEIVER]), require_both_sides=False)

    assert needed == frozenset({RECEIVER, OTHER_RECEIVER})


# --- confirming ---------------------------------------------------------------------------------


def test_each_confirmation_removes_only_the_confirming_account() -> None:
    pending = exchange()

    assert consents_after_confirm(pending, receiver) == frozenset({OTHER_RECEIVER})
    assert consents_after_confirm(pending, other_receiver) == frozenset({RECEIVER})


def test_the_last_confirmation_leaves_nothing_to_wait_for() -> None:
    assert consents_after_confirm(exchange(awaiting=frozenset({RECEIVER})), receiver) == frozenset()


def test_a_giver_confirms_a_receivers_record_when_both_sides_confirm() -> None:
    pending = exchange(awaiting=frozenset({GIVER}), recorded_by=receiver)

    assert consents_after_confirm(pending, giver) == frozenset()


def test_a_coordinators_confirmation_settles_every_outstanding_consent() -> None:
    assert consents_after_confirm(exchange(), coordinator) == frozenset()


def test_a_party_not_being_waited_for_cannot_confirm_again() -> None:
    with pytest.raises(ConsentAlreadyGiven) as refusal:
        consents_after_confirm(exchange(awaiting=frozenset({OTHER_RECEIVER})), receiver)
    assert refusal.value.code == "consent_already_given"
    with pytest.raises(ConsentAlreadyGiven):
        consents_after_confirm(exchange(), giver)


@pytest.mark.parametrize("actor", [stranger, accountless], ids=["stranger", "accountless"])
def test_someone_outside_the_exchange_cannot_confirm_it(actor: Actor) -> None:
    with pytest.raises(NotAPartyToExchange):
        consents_after_confirm(exchange(), actor)


@pytest.mark.parametrize("status", CLOSED_STATUSES)
@pytest.mark.parametrize("actor", [receiver, coordinator], ids=["receiver", "coordinator"])
def test_confirming_a_closed_exchange_raises_the_error_for_its_state(
    status: ExchangeStatus, actor: Actor
) -> None:
    with pytest.raises(REFUSAL_BY_STATUS[status]) as refusal:
        consents_after_confirm(exchange(status, awaiting=frozenset({RECEIVER})), actor)
    assert refusal.value.code == REFUSAL_BY_STATUS[status].code


@pytest.mark.parametrize("status", CLOSED_STATUSES)
def test_check_pending_names_the_exchange_and_its_state(status: ExchangeStatus) -> None:
    with pytest.raises(REFUSAL_BY_STATUS[status]) as refusal:
        check_pending(exchange(status))
    assert "42" in refusal.value.detail
    assert status.value in refusal.value.detail


def test_check_pending_lets_a_pending_exchange_through() -> None:
    check_pending(exchange())


# --- declining ----------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [receiver, other_receiver, coordinator], ids=["r1", "r2", "coordinator"])
def test_whoever_is_asked_to_consent_or_a_coordinator_may_decline(actor: Actor) -> None:
    check_may_decline(exchange(), actor)


@pytest.mark.parametrize("actor", [stranger, accountless], ids=["stranger", "accountless"])
def test_nobody_outside_the_exchange_may_decline(actor: Actor) -> None:
    with pytest.raises(NotAPartyToExchange):
        check_may_decline(exchange(), actor)


def test_a_giver_who_was_not_asked_may_not_decline_but_may_cancel() -> None:
    with pytest.raises(ConsentAlreadyGiven):
        check_may_decline(exchange(), giver)


def test_a_receiver_who_already_confirmed_may_no_longer_decline() -> None:
    with pytest.raises(ConsentAlreadyGiven):
        check_may_decline(exchange(awaiting=frozenset({OTHER_RECEIVER})), receiver)


@pytest.mark.parametrize("status", CLOSED_STATUSES)
@pytest.mark.parametrize("actor", [receiver, coordinator], ids=["receiver", "coordinator"])
def test_declining_a_closed_exchange_raises_the_error_for_its_state(
    status: ExchangeStatus, actor: Actor
) -> None:
    with pytest.raises(REFUSAL_BY_STATUS[status]):
        check_may_decline(exchange(status), actor)


# --- cancelling ---------------------------------------------------------------------------------


def test_the_person_who_recorded_an_exchange_may_cancel_it() -> None:
    check_may_cancel(exchange(recorded_by=giver), giver)
    check_may_cancel(exchange(recorded_by=receiver, awaiting=frozenset({OTHER_RECEIVER})), receiver)


def test_anyone_holding_the_recording_account_may_cancel_it() -> None:
    # An organisation's staff share its account: a colleague may withdraw what another recorded.
    colleague = Actor("member:77", account_id=GIVER)

    check_may_cancel(exchange(recorded_by=giver), colleague)


def test_the_same_caller_may_cancel_even_without_an_account() -> None:
    check_may_cancel(exchange(recorded_by=accountless), accountless)


def test_a_coordinator_may_cancel_what_someone_else_recorded() -> None:
    check_may_cancel(exchange(recorded_by=giver), coordinator)


@pytest.mark.parametrize(
    "actor", [receiver, stranger, accountless], ids=["receiver", "stranger", "accountless"]
)
def test_nobody_else_may_cancel(actor: Actor) -> None:
    with pytest.raises(NotAPartyToExchange):
        check_may_cancel(exchange(recorded_by=giver), actor)


def test_an_exchange_recorded_without_an_account_is_not_cancellable_by_account_holders() -> None:
    with pytest.raises(NotAPartyToExchange):
        check_may_cancel(exchange(recorded_by=accountless), stranger)


@pytest.mark.parametrize("status", CLOSED_STATUSES)
@pytest.mark.parametrize("actor", [giver, coordinator], ids=["recorder", "coordinator"])
def test_cancelling_a_closed_exchange_raises_the_error_for_its_state(
    status: ExchangeStatus, actor: Actor
) -> None:
    with pytest.raises(REFUSAL_BY_STATUS[status]) as refusal:
        check_may_cancel(exchange(status, recorded_by=giver), actor)
    assert refusal.value.code == REFUSAL_BY_STATUS[status].code


def test_cancelling_a_cancelled_exchange_says_it_was_cancelled() -> None:
    with pytest.raises(ExchangeAlreadyCancelled) as refusal:
        check_may_cancel(exchange(ExchangeStatus.CANCELLED), giver)
    assert refusal.value.code == "exchange_already_cancelled"


# --- reversing ----------------------------------------------------------------------------------


def test_a_coordinator_may_reverse_a_confirmed_exchange() -> None:
    check_may_reverse(exchange(ExchangeStatus.CONFIRMED), coordinator)


@pytest.mark.parametrize("status", list(ExchangeStatus))
@pytest.mark.parametrize(
    "actor", [giver, receiver, stranger, accountless], ids=["giver", "receiver", "stranger", "accountless"]
)
def test_only_a_coordinator_may_reverse_whatever_the_state(status: ExchangeStatus, actor: Actor) -> None:
    # Who asks is checked before the state, as the errors tree orders them.
    with pytest.raises(CoordinatorRequired) as refusal:
        check_may_reverse(exchange(status), actor)
    assert refusal.value.code == "coordinator_required"


def test_reversing_a_reversed_exchange_says_it_was_already_reversed() -> None:
    with pytest.raises(TransactionAlreadyReversed) as refusal:
        check_may_reverse(exchange(ExchangeStatus.REVERSED), coordinator)
    assert refusal.value.code == "transaction_already_reversed"


@pytest.mark.parametrize(
    "status",
    [ExchangeStatus.PENDING, ExchangeStatus.DECLINED, ExchangeStatus.CANCELLED, ExchangeStatus.EXPIRED],
)
def test_reversing_an_exchange_that_never_posted_says_it_is_not_confirmed(status: ExchangeStatus) -> None:
    with pytest.raises(ExchangeNotConfirmed) as refusal:
        check_may_reverse(exchange(status), coordinator)
    assert refusal.value.code == "exchange_not_confirmed"
