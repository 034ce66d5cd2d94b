"""Property: credits and money never cross, whatever the sequence of activities, choices, claims and spends.

Hypothesis draws a forum's life: activities, rounds of attendance with random reward choices (some
attendees declared benefits, some payments acknowledged, some attendees with no choice given so that
the default applies, some rounds with no payment offered, some members recorded twice, some down for
longer than the forum lasted, some rounds beyond the Library's floor), expenses against random
evidence, and members spending credits on the Library's options (a community activity, goods or a
voucher; with or without an acknowledgement; some beyond the member's floor). A small model says,
before each call, whether the service must refuse it and why, and which choice a default resolves
to (credits for a member who declared benefits; otherwise the payment when one is offered and
credits when none is); then, after the whole sequence, on SQLite and PostgreSQL:

- the ledger holds only recognition and exchange transactions. Recognition transfers go from the
  Library to credit-choosers, minute for minute what each credit-choosing attendee gave (defaults
  included), so no payment, decline or expense ever wrote credits; exchange transfers are exactly
  the spends that went ahead, each from the member to the Library for the option's minutes, each a
  confirmed exchange with its ``spends`` row (class, and the acknowledgement kept only where one
  was needed);
- every attendance row holds the model's choice, defaults resolved; every default has its
  ``reward_defaulted`` audit row, naming the choice it resolved to;
- payment rows are exactly the payment and reduced-payment choices (a defaulted payment among
  them), with their pence and the attendee's minutes of paid work; declined rows are exactly the
  decline and charity choices; a credits choice has no money row at all (so no credit was ever
  written as money); a spend writes no money row of any kind (payment, declined, expense);
- expense rows are exactly the expenses recorded; balances are the model's; the ledger's
  invariants hold; a refused call left no row behind (only a refused payment or a spend refused
  for want of an acknowledgement leaves audit rows, and exactly the model's refusals left them).
"""

from __future__ import annotations

import itertools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from tests.involvement_calls import attendee, record_expense, set_declaration
from tests.people_calls import create_timebank
from timebank.benefits import Receipt, Reward, SpendClass
from timebank.benefits.errors import AttendanceAboveActivityLength, PaymentNotOffered
from timebank.db import run
from timebank.db.tables import exchange_receivers, exchanges
from timebank.errors import TimebankError
from timebank.involvement.errors import AttendanceAlreadyRecorded, PaymentAcknowledgementRequired
from timebank.involvement.requests import AttendeeChoice
from timebank.ledger.errors import BalanceBelowFloor
from timebank.spending.errors import SpendAcknowledgementRequired

from .helpers import check_invariants
from .involvement import FORUM_DAY, Forum, make_forum, offer

MEMBERS = 4
DECLARED = {0, 1}  # these members declared benefits
FLOOR = -300  # the Library's
MEMBER_FLOOR = -240  # every member's
OFFER_PENCE = 2000
FORUM_MINUTES = 180  # each forum's length: nobody may be down for longer
PAYS = (Reward.PAYMENT, Reward.REDUCED_PAYMENT)
NEEDS_OFFER = (Reward.PAYMENT, Reward.REDUCED_PAYMENT, Reward.CHARITY)
SPEND_CLASSES = (SpendClass.COMMUNITY_ACTIVITY, SpendClass.GOODS, SpendClass.VOUCHER)
SPEND_ACKNOWLEDGEMENT = "I understand this may affect my benefits"
_banks = itertools.count(1)

Key = tuple[int, int]  # (activity, member's account)


@dataclass
class Model:
    """What must be stored, kept step by step beside the services."""

    organisation_balance: int = 0
    balances: Counter[int] = field(default_factory=Counter)  # member's account → minutes
    chosen: dict[Key, Reward] = field(default_factory=dict)  # every attendee's choice, defaults resolved
    defaulted: dict[Key, Reward] = field(default_factory=dict)  # → what the default resolved to
    credited: dict[Key, int] = field(default_factory=dict)  # → minutes
    paid: dict[Key, tuple[int, int]] = field(default_factory=dict)  # → (pence, worked minutes)
    declined: dict[Key, str] = field(default_factory=dict)  # → decline or charity
    expenses: list[tuple[int, int]] = field(default_factory=list)  # (member, pence)
    spent: list[tuple[int, int, str, bool]] = field(
        default_factory=list
    )  # (member, minutes, class, kept ack)
    spends_refused: int = 0  # for want of an acknowledgement: each leaves its audit rows


@dataclass(frozen=True)
class Attendee:
    """One drawn attendee, with the choice the service must resolve them to."""

    account_id: int
    minutes: int
    given: Reward | None  # None: the Library does not know, so the default applies
    choice: Reward  # the choice recorded
    acknowledged: bool  # an acknowledgement is sent (only ever with a payment given)

    def sent(self) -> AttendeeChoice:
        return attendee(
            self.account_id,
            self.minutes,
            self.given,
            reduced_pence=OFFER_PENCE // 2 if self.given is Reward.REDUCED_PAYMENT else None,
            charity_name="Shelter" if self.given is Reward.CHARITY else None,
            acknowledgement="Advice given" if self.acknowledged else None,
        )


def _attendees(offered: bool) -> st.SearchStrategy[list[tuple[int, int, Reward | None, bool]]]:
    """A round's attendees; None is no choice given, so the default applies.

    Without an offer, half the attendees give no choice and three in sixteen a choice that needs
    the offer, so that most such rounds are recorded (their defaults resolving to credits) while
    some are still refused.
    """
    unoffered = [*[None] * 8, *[Reward.CREDITS] * 3, *[Reward.DECLINE] * 2, *NEEDS_OFFER]
    given = [*Reward, None, None] if offered else unoffered
    attendee = st.tuples(
        st.integers(0, MEMBERS - 1),
        # One attendee in ten is down for longer than the forum lasted, and the round is refused.
        st.integers(1, FORUM_MINUTES + FORUM_MINUTES // 9),
        st.sampled_from(given),
        st.booleans(),  # acknowledged, if the choice is a payment
    )
    return st.lists(attendee, min_size=1, max_size=MEMBERS, unique_by=lambda a: a[0])


attendance_round = st.sampled_from([True, True, False]).flatmap(  # a payment offered, two rounds in three
    lambda offered: st.tuples(
        st.just("attend"),
        st.integers(0, 3),  # which activity (of those made so far, modulo)
        st.just(offered),
        _attendees(offered),
    )
)
step = st.one_of(
    st.tuples(st.just("activity")),
    attendance_round,
    st.tuples(st.just("expense"), st.integers(0, MEMBERS - 1), st.integers(1, 5000), st.integers(0, 100)),
    st.tuples(
        st.just("spend"),
        st.integers(0, MEMBERS - 1),
        st.sampled_from(SPEND_CLASSES),
        st.integers(1, 300),  # the option's minutes
        st.booleans(),  # the member acknowledges that it may affect their benefits
    ),
)


def _resolved(account_id: int, given: Reward | None, offered: bool, declared: set[int]) -> Reward:
    """The default, where no choice is given: credits if declared, else the payment if one is offered."""
    if given is not None:
        return given
    if account_id in declared:
        return Reward.CREDITS
    return Reward.PAYMENT if offered else Reward.CREDITS


def _expected_refusal(
    model: Model, activity_id: int, offered: bool, drawn: list[Attendee], declared: set[int]
) -> type[TimebankError] | None:
    """The refusal the service must give, in the order it checks (attendees by account)."""
    if any(a.minutes > FORUM_MINUTES for a in drawn):
        return AttendanceAboveActivityLength
    if not offered and any(a.given in NEEDS_OFFER for a in drawn):
        return PaymentNotOffered
    if any((activity_id, a.account_id) in model.chosen for a in drawn):
        return AttendanceAlreadyRecorded
    # A default never needs an acknowledgement: a declared member's default is credits.
    if any(a.account_id in declared and a.choice in PAYS and not a.acknowledged for a in drawn):
        return PaymentAcknowledgementRequired
    credits = sum(a.minutes for a in drawn if a.choice is Reward.CREDITS)
    if model.organisation_balance - credits < FLOOR:
        return BalanceBelowFloor
    return None


def _apply(model: Model, activity_id: int, drawn: list[Attendee]) -> None:
    for a in drawn:
        key = (activity_id, a.account_id)
        model.chosen[key] = a.choice
        if a.given is None:
            model.defaulted[key] = a.choice
        if a.choice is Reward.CREDITS:
            model.credited[key] = a.minutes
            model.organisation_balance -= a.minutes
            model.balances[a.account_id] += a.minutes
        elif a.choice is Reward.PAYMENT:
            model.paid[key] = (OFFER_PENCE, a.minutes)
        elif a.choice is Reward.REDUCED_PAYMENT:
            model.paid[key] = (OFFER_PENCE // 2, a.minutes)
        else:
            model.declined[key] = a.choice.value


def _expected_spend_refusal(
    model: Model,
    account_id: int,
    spend_class: SpendClass,
    minutes: int,
    acknowledged: bool,
    declared: set[int],
) -> type[TimebankError] | None:
    """The benefit check comes first, then the member's floor."""
    if account_id in declared and spend_class.is_goods_or_voucher and not acknowledged:
        return SpendAcknowledgementRequired
    if model.balances[account_id] - minutes < MEMBER_FLOOR:
        return BalanceBelowFloor
    return None


def _exchanges(forum: Forum) -> list[dict[str, Any]]:
    """Every exchange of the timebank with its receivers (an exchange with none still shows, once)."""
    e, r = exchanges.c, exchange_receivers.c
    query = (
        select(e.id, e.giver_account_id, e.status, e.transaction_id, r.account_id, r.minutes)
        .select_from(exchanges.outerjoin(exchange_receivers, r.exchange_id == e.id))
        .where(e.timebank_id == forum.timebank_id)
    )
    found: list[dict[str, Any]] = run(
        forum.engine, lambda uow: [dict(row) for row in uow.connection.execute(query).mappings()], write=False
    )
    return found


@settings(max_examples=25)
@given(steps=st.lists(step, min_size=1, max_size=10))
def test_no_sequence_writes_credits_into_money_or_money_into_credits(
    engine: Engine, steps: list[tuple[object, ...]]
) -> None:
    bank = create_timebank(
        engine, f"Property forum {next(_banks)}", default_member_floor_minutes=MEMBER_FLOOR
    )
    forum = make_forum(
        engine, members=MEMBERS, organisation_floor_minutes=FLOOR, timebank_id=bank.timebank_id
    )
    members = forum.members
    for index in DECLARED:
        account = members[index]
        set_declaration(engine, forum.timebank_id, forum.member(account), account, ["prefer_not_to_say"])
    declared = {members[index] for index in DECLARED}
    model = Model()
    activities: list[int] = []
    options: dict[tuple[SpendClass, int], int] = {}  # (class, minutes) → spend option
    refused_payment_rounds = 0

    for drawn_step in steps:
        kind = drawn_step[0]
        if kind == "activity" or (kind == "attend" and not activities):
            activities.append(forum.activity(f"Forum {len(activities) + 1}", FORUM_MINUTES).activity_id)
        if kind == "attend":
            _, which, offered, drawn = drawn_step
            assert isinstance(which, int) and isinstance(offered, bool) and isinstance(drawn, list)
            activity_id = activities[which % len(activities)]
            attendees = [
                Attendee(
                    members[m],
                    minutes,
                    given,
                    _resolved(members[m], given, offered, declared),
                    ack and given in PAYS,
                )
                for m, minutes, given, ack in drawn
            ]
            refusal = _expected_refusal(model, activity_id, offered, attendees, declared)
            choices = [a.sent() for a in attendees]
            terms = offer(OFFER_PENCE) if offered else None
            before = forum.counts()
            event(f"attendance: {'recorded' if refusal is None else refusal.code}")
            if refusal is None:
                for a in attendees:
                    if a.given is None:
                        why = "declared" if a.account_id in declared else "offered" if offered else "no offer"
                        event(f"default recorded: {a.choice} ({why})")
                forum.attend(activity_id, choices, offer=terms)
                _apply(model, activity_id, attendees)
                continue
            with pytest.raises(refusal):
                forum.attend(activity_id, choices, offer=terms)
            after = forum.counts()
            refused_payment_rounds += refusal is PaymentAcknowledgementRequired
            assert {k: v for k, v in after.items() if k != "audit_log"} == {
                k: v for k, v in before.items() if k != "audit_log"
            }
            if refusal is not PaymentAcknowledgementRequired:
                assert after["audit_log"] == before["audit_log"]
        elif kind == "expense":
            _, m, pence, extra = drawn_step
            assert isinstance(m, int) and isinstance(pence, int) and isinstance(extra, int)
            record_expense(
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
        elif kind == "spend":
            _, m, spend_class, minutes, acknowledged = drawn_step
            assert isinstance(m, int) and isinstance(spend_class, SpendClass)
            assert isinstance(minutes, int) and isinstance(acknowledged, bool)
            account = members[m]
            if (spend_class, minutes) not in options:
                title = f"{spend_class.label} for {minutes} minutes"
                options[spend_class, minutes] = forum.spend_option(
                    title, minutes, spend_class
                ).spend_option_id
            option_id = options[spend_class, minutes]
            words = SPEND_ACKNOWLEDGEMENT if acknowledged else None
            refusal = _expected_spend_refusal(model, account, spend_class, minutes, acknowledged, declared)
            event(f"spend on {spend_class}: {'spent' if refusal is None else refusal.code}")
            before = forum.counts()
            if refusal is None:
                spent = forum.spend(option_id, account, acknowledgement=words)
                kept = acknowledged and account in declared and spend_class.is_goods_or_voucher
                model.spent.append((account, minutes, spend_class.value, kept))
                model.balances[account] -= minutes
                model.organisation_balance += minutes
                assert spent.balance_minutes == model.balances[account]
                assert spent.acknowledged == kept
                audited = 1 + kept  # spend_checked, and spend_acknowledged where one was needed
            else:
                with pytest.raises(refusal):
                    forum.spend(option_id, account, acknowledgement=words)
                model.spends_refused += refusal is SpendAcknowledgementRequired
                # spend_checked and spend_refused; a spend beyond the floor leaves nothing at all.
                audited = 2 if refusal is SpendAcknowledgementRequired else 0
            after = forum.counts()
            changed = {name: after[name] - before[name] for name in after if after[name] != before[name]}
            # Above all, no payment, declined payment or expense: a spend writes no money.
            assert changed.pop("audit_log", 0) == audited
            assert changed == ({} if refusal else {"transactions": 1, "transfers": 1, "spends": 1})

    rows = forum.rows()
    org = forum.organisation_account
    kind_of = {t["id"]: t["kind"] for t in rows["transactions"]}
    moved: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)  # transaction → transfers
    for t in rows["transfers"]:
        moved[t["transaction_id"]].append((t["source_account_id"], t["target_account_id"], t["minutes"]))

    def transfers_of(kind: str) -> Counter[tuple[int, int, int]]:
        return Counter(t for txn, found in moved.items() if kind_of[txn] == kind for t in found)

    # The ledger: recognition and exchange only. Recognition from the Library, minute for minute
    # what credit-choosers gave (defaults included); exchange from members, exactly their spends.
    assert set(kind_of.values()) <= {"recognition", "exchange"}
    assert set(moved) == set(kind_of)
    assert transfers_of("recognition") == Counter(
        (org, m, minutes) for (_, m), minutes in model.credited.items()
    )
    assert transfers_of("exchange") == Counter((m, org, minutes) for m, minutes, _, _ in model.spent)
    recognitions = {txn for txn, kind in kind_of.items() if kind == "recognition"}
    credited_rows = [a for a in rows["attendance"] if a["reward"] == "credits"]
    assert {a["recognition_transaction_id"] for a in credited_rows} == recognitions
    assert all(
        a["recognition_transaction_id"] is None for a in rows["attendance"] if a["reward"] != "credits"
    )
    assert forum.balance(org) == model.organisation_balance
    for account in members:
        assert forum.balance(account) == model.balances[account]
    assert check_invariants(engine, forum.timebank_id) == []

    # The spends: each a confirmed exchange, the Library giving, the member receiving the option's
    # minutes in one transfer from the member; its row keeps the class and a needed acknowledgement.
    exchanged = {e["id"]: e for e in _exchanges(forum)}
    assert len(exchanged) == len(rows["spends"]) == len(model.spent)
    option_minutes = {o["id"]: o["minutes"] for o in rows["spend_options"]}
    for s in rows["spends"]:
        e = exchanged[s["exchange_id"]]
        minutes = option_minutes[s["spend_option_id"]]
        assert (e["giver_account_id"], e["status"]) == (org, "confirmed")
        assert (e["account_id"], e["minutes"]) == (s["account_id"], minutes)
        assert kind_of[e["transaction_id"]] == "exchange"
        assert moved[e["transaction_id"]] == [(s["account_id"], org, minutes)]
    assert Counter(
        (s["account_id"], option_minutes[s["spend_option_id"]], s["spend_class"], s["acknowledged"])
        for s in rows["spends"]
    ) == Counter(model.spent)

    # The money: exactly the payment choices, exactly the declines; nothing for a credits choice.
    assert len(rows["attendance"]) == len(model.chosen)
    assert {(a["activity_id"], a["account_id"]): a["reward"] for a in rows["attendance"]} == {
        key: choice.value for key, choice in model.chosen.items()
    }
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

    # Every choice made was audited once, every default with what it resolved to; every refused
    # payment round and every spend refused for want of an acknowledgement left its refusal.
    audit = forum.audit()
    actions = Counter(e.action for e in audit)
    assert actions["reward_chosen"] == len(model.chosen)
    defaults = [e for e in audit if e.action == "reward_defaulted"]
    assert len(defaults) == len(model.defaulted)
    assert {(e.details["activity_id"], e.subject_account_id): e.details["choice"] for e in defaults} == {
        key: choice.value for key, choice in model.defaulted.items()
    }
    assert (refused_payment_rounds > 0) == (actions["payment_refused"] > 0)
    assert actions["spend_refused"] == model.spends_refused
    assert actions["spend_checked"] == len(model.spent) + model.spends_refused
    assert actions["spend_acknowledged"] == sum(kept for *_, kept in model.spent)
