"""Property: credits and money never cross, whatever the sequence of activities, choices and claims.

Hypothesis draws a forum's life: activities, rounds of attendance with random reward choices (some
attendees declared benefits, some payments acknowledged, some members recorded twice, some rounds
beyond the Library's floor) and expenses against random evidence. A small model says, before each
call, whether the service must refuse it and why; then, after the whole sequence, on SQLite and
PostgreSQL:

- the ledger holds only recognition transactions, each from the Library to credit-choosers, and
  the transfers' minutes are exactly the credit-choosing attendees' minutes, attendee for attendee
  (so no payment, decline or expense ever wrote credits);
- payment rows are exactly the payment and reduced-payment choices, with their pence and the
  attendee's minutes of paid work; declined rows are exactly the decline and charity choices; a
  credits choice has no money row at all (so no credit was ever written as money);
- expense rows are exactly the expenses recorded; balances are the model's; the ledger's
  invariants hold; a refused call left no row behind (only a refused payment leaves audit rows).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from timebank import services
from timebank.benefits import Receipt, Reward
from timebank.ledger import errors
from timebank.services import AttendeeChoice

from .helpers import check_invariants
from .involvement import FORUM_DAY, make_forum, offer

MEMBERS = 4
DECLARED = {0, 1}  # these members declared benefits
FLOOR = -300
OFFER_PENCE = 2000


@dataclass
class Model:
    """What must be stored, kept step by step beside the services."""

    organisation_balance: int = 0
    credited: dict[tuple[int, int], int] = field(default_factory=dict)  # (activity, member) → minutes
    paid: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)  # → (pence, worked minutes)
    declined: dict[tuple[int, int], str] = field(default_factory=dict)  # → decline or charity
    attended: set[tuple[int, int]] = field(default_factory=set)
    expenses: list[tuple[int, int]] = field(default_factory=list)  # (member, pence)


attendee = st.tuples(
    st.integers(0, MEMBERS - 1),
    st.integers(1, 240),
    st.sampled_from(list(Reward)),
    st.booleans(),  # acknowledged, if the choice is a payment
)
step = st.one_of(
    st.tuples(st.just("activity")),
    st.tuples(
        st.just("attend"),
        st.integers(0, 3),  # which activity (of those made so far, modulo)
        st.lists(attendee, min_size=1, max_size=MEMBERS, unique_by=lambda a: a[0]),
    ),
    st.tuples(st.just("expense"), st.integers(0, MEMBERS - 1), st.integers(1, 5000), st.integers(0, 100)),
)


def _choice(member_account: int, minutes: int, choice: Reward, acknowledged: bool) -> AttendeeChoice:
    return AttendeeChoice(
        member_account,
        minutes,
        choice,
        reduced_pence=OFFER_PENCE // 2 if choice is Reward.REDUCED_PAYMENT else None,
        charity_name="Shelter" if choice is Reward.CHARITY else None,
        acknowledgement="Advice given"
        if acknowledged and choice in (Reward.PAYMENT, Reward.REDUCED_PAYMENT)
        else None,
    )


def _expected_refusal(
    model: Model, activity_id: int, drawn: list[tuple[int, int, Reward, bool]], declared: set[int]
) -> type[errors.LedgerError] | None:
    """The refusal the service must give, in the order it checks (attendees by account)."""
    if any((activity_id, m) in model.attended for m, _, _, _ in drawn):
        return errors.AttendanceAlreadyRecorded
    pays = (Reward.PAYMENT, Reward.REDUCED_PAYMENT)
    if any(m in declared and c in pays and not ack for m, _, c, ack in drawn):
        return errors.PaymentAcknowledgementRequired
    credits = sum(minutes for _, minutes, c, _ in drawn if c is Reward.CREDITS)
    if model.organisation_balance - credits < FLOOR:
        return errors.BalanceBelowFloor
    return None


def _apply(model: Model, activity_id: int, drawn: list[tuple[int, int, Reward, bool]]) -> None:
    for m, minutes, choice, _ in drawn:
        key = (activity_id, m)
        model.attended.add(key)
        if choice is Reward.CREDITS:
            model.credited[key] = minutes
            model.organisation_balance -= minutes
        elif choice is Reward.PAYMENT:
            model.paid[key] = (OFFER_PENCE, minutes)
        elif choice is Reward.REDUCED_PAYMENT:
            model.paid[key] = (OFFER_PENCE // 2, minutes)
        else:
            model.declined[key] = choice.value


@settings(max_examples=25)
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_no_sequence_writes_credits_into_money_or_money_into_credits(
    engine: Engine, steps: list[tuple[object, ...]]
) -> None:
    forum = make_forum(engine, members=MEMBERS, organisation_floor_minutes=FLOOR)
    members = forum.members
    for index in DECLARED:
        account = members[index]
        services.set_declaration(
            engine, forum.timebank_id, forum.member(account), account, ["prefer_not_to_say"]
        )
    declared = {members[index] for index in DECLARED}
    model = Model()
    activities: list[int] = []
    refused_payment_rounds = 0

    for drawn_step in steps:
        kind = drawn_step[0]
        if kind == "activity" or (kind == "attend" and not activities):
            activities.append(forum.activity(f"Forum {len(activities) + 1}").activity_id)
        if kind == "attend":
            _, which, drawn = drawn_step
            assert isinstance(which, int) and isinstance(drawn, list)
            activity_id = activities[which % len(activities)]
            by_account = [(members[m], minutes, c, ack) for m, minutes, c, ack in drawn]
            refusal = _expected_refusal(model, activity_id, by_account, declared)
            choices = [_choice(*entry) for entry in by_account]
            before = forum.counts()
            event(f"attendance: {'recorded' if refusal is None else refusal.code}")
            if refusal is None:
                forum.attend(activity_id, choices, offer=offer(OFFER_PENCE))
                _apply(model, activity_id, by_account)
                continue
            with pytest.raises(refusal):
                forum.attend(activity_id, choices, offer=offer(OFFER_PENCE))
            after = forum.counts()
            refused_payment_rounds += refusal is errors.PaymentAcknowledgementRequired
            assert {k: v for k, v in after.items() if k != "audit_log"} == {
                k: v for k, v in before.items() if k != "audit_log"
            }
            if refusal is not errors.PaymentAcknowledgementRequired:
                assert after["audit_log"] == before["audit_log"]
        elif kind == "expense":
            _, m, pence, extra = drawn_step
            assert isinstance(m, int) and isinstance(pence, int) and isinstance(extra, int)
            services.record_expense(
                engine,
                forum.timebank_id,
                forum.staff,
                forum.organisation_id,
                members[m],
                pence,
                Receipt(f"R{len(model.expenses)}", pence + extra),
                "Travel",
                FORUM_DAY,
            )
            model.expenses.append((members[m], pence))

    rows = forum.rows()
    # The ledger: recognition only, from the Library, minute for minute what credit-choosers gave.
    assert {t["kind"] for t in rows["transactions"]} <= {"recognition"}
    transfers = Counter(
        (t["source_account_id"], t["target_account_id"], t["minutes"]) for t in rows["transfers"]
    )
    assert transfers == Counter(
        (forum.organisation_account, m, minutes) for (_, m), minutes in model.credited.items()
    )
    assert sum(t["minutes"] for t in rows["transfers"]) == sum(model.credited.values())
    by_transaction = {t["transaction_id"] for t in rows["transfers"]}
    credited_rows = [a for a in rows["attendance"] if a["reward"] == "credits"]
    assert {a["recognition_transaction_id"] for a in credited_rows} == by_transaction
    assert forum.balance(forum.organisation_account) == model.organisation_balance
    for account in members:
        assert forum.balance(account) == sum(v for (_, m), v in model.credited.items() if m == account)
    assert check_invariants(engine, forum.timebank_id) == []

    # The money: exactly the payment choices, exactly the declines; nothing for a credits choice.
    paid = {
        (p["activity_id"], p["account_id"]): (p["amount_pence"], p["worked_minutes"])
        for p in rows["payments"]
    }
    assert paid == model.paid
    declined = {(d["activity_id"], d["account_id"]): d["choice"] for d in rows["declined_payments"]}
    assert declined == model.declined
    money_keys = set(paid) | set(declined)
    assert not money_keys & set(model.credited)
    assert Counter((e["account_id"], e["amount_pence"]) for e in rows["expenses"]) == Counter(model.expenses)
    assert all(e["amount_pence"] <= e["evidenced_pence"] for e in rows["expenses"])
    assert {(a["activity_id"], a["account_id"]) for a in rows["attendance"]} == model.attended

    # Every choice made was audited once; every refused payment round left its refusal.
    chosen = [e for e in forum.audit() if e.action == "reward_chosen"]
    assert len(chosen) == len(model.attended)
    assert (refused_payment_rounds > 0) == any(e.action == "payment_refused" for e in forum.audit())
