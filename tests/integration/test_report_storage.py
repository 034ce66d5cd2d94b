"""The report's storage side (uow.reports, services.reports) against the reference model, on both backends.

Each test builds a timebank of its own through the services, records the same exchanges it hands to
``aggregate`` (the one-exchange-at-a-time reference model in tests/unit/test_report_inputs.py), and
asks that the SQL sums, shaped by ``report_inputs``, equal the reference field for field: the whole
history, a window in the middle, an empty window, a tag group, an organisation group, and random
small histories (a hypothesis property). The trade filter: a reversed exchange leaves the figures and
is reported apart; a pot grant is never an exchange.

Two things the reference cannot know, and which the tests supply: membership starts when an account
is opened (today, here) or at its first exchange if that is dated earlier; and a balance is the
ledger's at midnight UTC on ``to_on`` by *posting* time. Everything here posts today, so a window
ending by today sees every balance at zero and a window ending later sees today's balances (pot
grants and donations included, which the reference does not model).

Also here: who may read a report (a coordinator or an admin; not a member; another timebank's
coordinator is told it does not exist), the window rules, and the per-member report.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import STORY_BACKDATE_DAYS
from tests.integration.rollup_oracle import recounted_rollups, stored_rollups
from tests.ledger_calls import give_credits, record_exchange, reverse_exchange
from tests.people_calls import (
    add_member,
    add_organisation,
    add_staff,
    create_timebank,
    get_account,
    set_limits,
)
from tests.unit.test_report_inputs import Help, Person, aggregate
from timebank.clock import utc_now
from timebank.db import run
from timebank.errors import AccountNotFound, OrganisationNotFound, TimebankError, TimebankNotFound
from timebank.ledger.errors import CoordinatorRequired
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.reporting.errors import ReportWindowEmpty, ReportWindowTooLong
from timebank.reporting.reports import (
    REPORT_WINDOW_DAYS_MAX,
    member_report,
    reciprocity_report,
    report_inputs,
)
from timebank.reports import (
    ApartTotals,
    Group,
    OrganisationGroup,
    ParticipantKind,
    ReportedApart,
    ReportInputs,
    TagGroup,
    build_report,
    check_inputs,
)

FLOOR = -1_000_000
TODAY = utc_now().date()
AFTER_TODAY = TODAY + timedelta(days=1)
_names = itertools.count(1)


@dataclass
class Bank:
    """A timebank built through the services, and what the reference model needs to know of it."""

    engine: Engine
    timebank_id: int
    pot: int
    coordinator: Caller
    actor: Actor
    people: dict[int, Person] = field(default_factory=dict)
    member_ids: dict[int, int] = field(default_factory=dict)  # account → member id
    history: list[Help] = field(default_factory=list)  # counted exchanges only
    reversed_: list[Help] = field(default_factory=list)

    def member(self, name: str, tags: tuple[str, ...] = ()) -> int:
        view = add_member(self.engine, self.timebank_id, self.coordinator, name, tags=tags)
        kind = ParticipantKind.STAFF if "staff" in tags else ParticipantKind.MEMBER
        self.people[view.account_id] = Person(
            view.account_id, kind=kind, uses_services="uses_services" in tags, floor_minutes=FLOOR
        )
        self.member_ids[view.account_id] = view.member_id
        return view.account_id

    def organisation(self, name: str, staff: tuple[int, ...] = ()) -> tuple[int, int]:
        view = add_organisation(self.engine, self.timebank_id, self.coordinator, name)
        for account_id in staff:
            add_staff(
                self.engine,
                self.timebank_id,
                self.coordinator,
                view.organisation_id,
                self.member_ids[account_id],
            )
        kind = ParticipantKind.ORGANISATION
        self.people[view.account_id] = Person(view.account_id, kind=kind, floor_minutes=FLOOR)
        return view.organisation_id, view.account_id

    def help(self, on: date, giver: int, *receivers: tuple[int, int]) -> int:
        shares = [ReceiverShare(account_id, minutes) for account_id, minutes in receivers]
        view = record_exchange(
            self.engine, self.timebank_id, self.actor, giver, shares, on, "help in the garden", None
        )
        assert view.status == "confirmed"
        self.history.append(Help(on, giver, tuple(receivers)))
        return view.exchange_id

    def reverse(self, exchange_id: int, index: int) -> None:
        reverse_exchange(self.engine, self.timebank_id, self.actor, exchange_id, "recorded twice")
        self.reversed_.append(self.history.pop(index))

    def grant(self, donor: int, receiver: int, minutes: int) -> None:
        """A donation to the pot, then a grant from it: neither is an exchange."""
        give_credits(self.engine, self.timebank_id, self.actor, donor, self.pot, minutes)
        give_credits(self.engine, self.timebank_id, self.actor, self.pot, receiver, minutes)

    # --- reading back ------------------------------------------------------------------------

    def stored(self, from_on: date, to_on: date, group: Group | None = None) -> ReportInputs:
        return run(
            self.engine, lambda uow: report_inputs(uow, self.timebank_id, from_on, to_on, group), write=False
        )

    def expected(
        self,
        from_on: date,
        to_on: date,
        group: Group | None = None,
        in_group: set[int] | None = None,
        reported_apart: ReportedApart | None = None,
    ) -> ReportInputs:
        people = []
        for account_id, person in sorted(self.people.items()):
            dates = [h.on for h in self.history if account_id in {h.giver, *(r for r, _ in h.receivers)}]
            joined_on = min([TODAY, *dates])
            member_of_group = in_group is None or account_id in in_group
            people.append(replace(person, joined_on=joined_on, in_group=member_of_group))
        inputs = aggregate(
            people, self.history, from_on, to_on, group, reported_apart or self.apart(from_on, to_on)
        )
        balances = self.balances() if to_on > TODAY else {}
        accounts = tuple(replace(a, balance_minutes=balances.get(a.account_id, 0)) for a in inputs.accounts)
        return replace(inputs, accounts=accounts)

    def apart(self, from_on: date, to_on: date) -> ReportedApart:
        inside = [h for h in self.reversed_ if from_on <= h.on < to_on]
        return ReportedApart(
            reversed_exchanges=ApartTotals(len(inside), sum(m for h in inside for _, m in h.receivers))
        )

    def balances(self) -> dict[int, int]:
        return {
            account_id: get_account(self.engine, self.timebank_id, account_id).balance_minutes
            for account_id in self.people
        }


def make_bank(engine: Engine) -> Bank:
    timebank = create_timebank(
        engine,
        f"Report bank {next(_names)}",
        default_member_floor_minutes=FLOOR,
        default_organisation_floor_minutes=FLOOR,
        backdate_days_max=STORY_BACKDATE_DAYS,
    )
    tb = timebank.timebank_id
    coordinator = Caller("system:test", False, tb, None, None, True, frozenset())
    actor = Actor(caller=f"coordinator:{tb}", is_coordinator=True)
    return Bank(engine, tb, timebank.pot_account_id, coordinator, actor)


def assert_same(stored: ReportInputs, expected: ReportInputs) -> None:
    """Field for field, with a readable difference for the part that differs."""
    assert check_inputs(stored) == []
    assert stored.accounts == expected.accounts
    assert stored.pairs == expected.pairs
    assert stored.exchange_count == expected.exchange_count
    assert stored.reported_apart == expected.reported_apart
    for month, expected_month in zip(stored.months, expected.months, strict=True):
        assert month == expected_month, month.month_on
    assert stored == expected


D = date


def story(engine: Engine) -> tuple[Bank, dict[str, int]]:
    """Five members (one staff, two using services, two youth), an organisation with that staff member."""
    bank = make_bank(engine)
    ann = bank.member("Ann", ("youth",))
    bo = bank.member("Bo", ("uses_services", "youth"))
    cy = bank.member("Cy", ("uses_services",))
    di = bank.member("Di", ("staff",))
    ed = bank.member("Ed")  # never exchanges
    organisation_id, org = bank.organisation("Library", staff=(di,))
    bank.help(D(2024, 1, 20), ann, (bo, 30))
    bank.help(D(2024, 2, 3), bo, (ann, 60))
    bank.help(D(2024, 2, 29), org, (ann, 45), (cy, 15))
    bank.help(D(2024, 3, 1), cy, (di, 90))
    bank.help(D(2024, 3, 15), ann, (bo, 20))
    bank.help(D(2024, 4, 30), di, (org, 120))
    return bank, {
        "ann": ann,
        "bo": bo,
        "cy": cy,
        "di": di,
        "ed": ed,
        "org": org,
        "organisation_id": organisation_id,
    }


@pytest.mark.parametrize(
    "window",
    [
        pytest.param((D(2023, 12, 1), AFTER_TODAY), id="whole-history"),
        pytest.param((D(2024, 2, 1), D(2024, 3, 16)), id="middle"),
        pytest.param((D(2024, 2, 29), D(2024, 3, 1)), id="one-day"),
        pytest.param((D(2024, 6, 1), D(2024, 9, 1)), id="empty-after-history"),
        pytest.param((D(2020, 1, 1), D(2020, 2, 1)), id="empty-before-anyone"),
    ],
)
def test_the_sql_totals_equal_the_reference_model(engine: Engine, window: tuple[date, date]) -> None:
    bank, _ = story(engine)

    assert_same(bank.stored(*window), bank.expected(*window))


def test_a_window_before_anyone_joined_lists_no_account_and_one_in_the_middle_those_who_exchanged(
    engine: Engine,
) -> None:
    bank, who = story(engine)

    assert bank.stored(D(2020, 1, 1), D(2020, 2, 1)).accounts == ()
    # Opened today, but exchanging since January 2024: Ann and Bo were members in February.
    listed = {a.account_id for a in bank.stored(D(2024, 2, 1), D(2024, 2, 10)).accounts}
    assert listed == {who["ann"], who["bo"]}


def test_a_tag_group_marks_its_members_and_counts_exchanges_touching_it(engine: Engine) -> None:
    bank, who = story(engine)
    window = (D(2024, 1, 1), D(2024, 5, 1))

    stored = bank.stored(*window, TagGroup("youth"))

    assert_same(stored, bank.expected(*window, TagGroup("youth"), in_group={who["ann"], who["bo"]}))
    assert stored.exchange_count == 4  # Cy → Di and Di → the library touch no youth


def test_an_organisation_group_is_the_organisation_and_its_staff(engine: Engine) -> None:
    bank, who = story(engine)
    window = (D(2024, 1, 1), AFTER_TODAY)
    group = OrganisationGroup(who["organisation_id"])

    stored = bank.stored(*window, group)

    assert_same(stored, bank.expected(*window, group, in_group={who["org"], who["di"]}))
    assert {a.account_id for a in stored.accounts if a.in_group} == {who["org"], who["di"]}


def test_a_reversed_exchange_leaves_the_figures_and_is_reported_apart(engine: Engine) -> None:
    bank, who = story(engine)
    exchange_id = bank.help(D(2024, 3, 10), who["bo"], (who["cy"], 50), (who["ann"], 10))
    window = (D(2024, 3, 1), AFTER_TODAY)
    before = bank.stored(*window)

    bank.reverse(exchange_id, index=-1)
    stored = bank.stored(*window)

    assert_same(stored, bank.expected(*window))
    assert stored.exchange_count == before.exchange_count - 1
    assert stored.reported_apart.reversed_exchanges == ApartTotals(count=1, minutes=60)
    by_id = {a.account_id: a for a in stored.accounts}
    assert by_id[who["bo"]].given_minutes == 0


def test_a_pot_grant_is_reported_apart_and_never_counts_as_an_exchange(engine: Engine) -> None:
    bank, who = story(engine)
    window = (D(2024, 1, 1), AFTER_TODAY)
    before = bank.stored(*window)

    bank.grant(who["ann"], who["ed"], 25)
    stored = bank.stored(*window)

    grants = ApartTotals(count=1, minutes=25)
    assert_same(stored, bank.expected(*window, reported_apart=ReportedApart(pot_grants=grants)))
    assert (stored.exchange_count, stored.pairs) == (before.exchange_count, before.pairs)
    by_id = {a.account_id: a for a in stored.accounts}
    assert by_id[who["ed"]].balance_minutes == 25  # the grant moves a balance, not an exchange count
    assert by_id[who["ed"]].exchange_count == 0
    assert bank.pot not in by_id
    # A window that ended before the grant was posted sees none of it.
    assert bank.stored(D(2024, 1, 1), TODAY).reported_apart == ReportedApart()


def test_balances_are_the_ledgers_at_midnight_by_posting_time(engine: Engine) -> None:
    bank, who = story(engine)

    past = {a.account_id: a.balance_minutes for a in bank.stored(D(2024, 1, 1), TODAY).accounts}
    now = {a.account_id: a.balance_minutes for a in bank.stored(D(2024, 1, 1), AFTER_TODAY).accounts}

    assert set(past.values()) == {0}  # everything was posted today
    assert now == bank.balances()
    assert now[who["ann"]] == 30 - 60 - 45 + 20


def test_a_floor_changed_after_the_window_is_read_as_it_was(engine: Engine) -> None:
    bank, who = story(engine)
    set_limits(
        engine,
        bank.timebank_id,
        bank.actor,
        who["cy"],
        floor_minutes=-60,
        cap_minutes=None,
        reason="new rule",
    )

    before = {a.account_id: a for a in bank.stored(D(2024, 1, 1), TODAY).accounts}
    after = {a.account_id: a for a in bank.stored(D(2024, 1, 1), AFTER_TODAY).accounts}

    assert before[who["cy"]].floor_minutes == FLOOR
    assert after[who["cy"]].floor_minutes == -60


def test_the_stored_inputs_make_a_report(engine: Engine) -> None:
    bank, _ = story(engine)

    report = reciprocity_report(engine, bank.timebank_id, bank.coordinator, D(2024, 1, 1), AFTER_TODAY)

    assert report.figures is not None
    assert report.figures.headline.exchanges == 6
    assert report.figures.headline.members == 5


# --- random histories ----------------------------------------------------------------------------

MEMBERS = 5


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[tuple[int, tuple[tuple[int, int], ...], int, bool]], date, date]:
    """Exchanges as (giver, receivers, day, reversed) over people 0..MEMBERS (the last: an organisation)."""
    people = list(range(MEMBERS + 1))
    exchanges = []
    for _ in range(draw(st.integers(0, 12))):
        giver = draw(st.sampled_from(people))
        others = [p for p in people if p != giver and not (giver == MEMBERS and p == MEMBERS)]
        receivers = draw(st.lists(st.sampled_from(others), min_size=1, max_size=3, unique=True))
        shares = tuple((r, draw(st.integers(1, 120))) for r in receivers)
        exchanges.append((giver, shares, draw(st.integers(0, 150)), draw(st.booleans())))
    start = draw(st.integers(0, 150))
    length = draw(st.integers(1, 120))
    return exchanges, D(2024, 1, 1) + timedelta(days=start), D(2024, 1, 1) + timedelta(days=start + length)


@settings(max_examples=12)
@given(history=histories(), tagged=st.sets(st.integers(0, MEMBERS - 1)))
def test_random_histories_sum_in_sql_as_the_reference_does(
    engine: Engine,
    history: tuple[list[tuple[int, tuple[tuple[int, int], ...], int, bool]], date, date],
    tagged: set[int],
) -> None:
    exchanges, from_on, to_on = history
    bank = make_bank(engine)
    ids = [bank.member(f"M{i}", ("youth",) if i in tagged else ()) for i in range(MEMBERS)]
    ids.append(bank.organisation("Org")[1])
    for giver, shares, day, reverse in exchanges:
        on = D(2024, 1, 1) + timedelta(days=day)
        exchange_id = bank.help(on, ids[giver], *((ids[r], m) for r, m in shares))
        if reverse:
            bank.reverse(exchange_id, index=-1)
    youth = {ids[i] for i in tagged}

    assert stored_rollups(engine, bank.timebank_id) == recounted_rollups(engine, bank.timebank_id)
    expected = bank.expected(from_on, to_on)
    assert_same(bank.stored(from_on, to_on), expected)
    rows = {a.account_id: a for a in expected.accounts}
    for account_id in ids:  # each one's own report, read from its own legs and the running totals
        mine = member_report(engine, bank.timebank_id, bank.coordinator, account_id, from_on, to_on)
        if account_id in rows:
            row = rows[account_id]
            assert (mine.given_minutes, mine.received_minutes) == (row.given_minutes, row.received_minutes)
            assert (mine.exchange_count, mine.partner_count) == (row.exchange_count, row.partner_count)
            assert mine.last_exchange_on == row.last_exchange_on
    assert_same(
        bank.stored(from_on, to_on, TagGroup("youth")),
        bank.expected(from_on, to_on, TagGroup("youth"), in_group=youth),
    )
    build_report(bank.stored(from_on, to_on))


# --- who may read, and the window rules ----------------------------------------------------------


def member_caller(bank: Bank, account_id: int) -> Caller:
    return Caller(
        f"login:{account_id}",
        False,
        bank.timebank_id,
        bank.member_ids[account_id],
        account_id,
        False,
        frozenset(),
    )


def test_a_coordinator_and_an_admin_may_read_the_report_and_a_member_may_not(engine: Engine) -> None:
    bank, who = story(engine)
    window = (D(2024, 1, 1), D(2024, 5, 1))
    admin = Caller("login:admin", True, None, None, None, False, frozenset())

    assert reciprocity_report(engine, bank.timebank_id, bank.coordinator, *window).figures is not None
    assert reciprocity_report(engine, bank.timebank_id, admin, *window).figures is not None
    with pytest.raises(CoordinatorRequired):
        reciprocity_report(engine, bank.timebank_id, member_caller(bank, who["ann"]), *window)


def test_another_timebanks_coordinator_is_told_the_timebank_does_not_exist(engine: Engine) -> None:
    bank, who = story(engine)
    other = make_bank(engine)

    with pytest.raises(TimebankNotFound):
        reciprocity_report(engine, bank.timebank_id, other.coordinator, D(2024, 1, 1), D(2024, 5, 1))
    with pytest.raises(TimebankNotFound):
        member_report(engine, bank.timebank_id, other.coordinator, who["ann"], D(2024, 1, 1), D(2024, 5, 1))
    with pytest.raises(AccountNotFound):
        member_report(engine, other.timebank_id, other.coordinator, who["ann"], D(2024, 1, 1), D(2024, 5, 1))


def test_an_unknown_organisation_group_is_not_found(engine: Engine) -> None:
    bank, _ = story(engine)
    other_organisation, _ = make_bank(engine).organisation("Elsewhere")

    with pytest.raises(OrganisationNotFound):
        reciprocity_report(
            engine,
            bank.timebank_id,
            bank.coordinator,
            D(2024, 1, 1),
            D(2024, 5, 1),
            OrganisationGroup(other_organisation),
        )


@pytest.mark.parametrize(
    ("from_on", "to_on", "refusal"),
    [
        (D(2024, 3, 1), D(2024, 3, 1), ReportWindowEmpty),
        (D(2024, 3, 2), D(2024, 3, 1), ReportWindowEmpty),
        (
            D(2020, 1, 1),
            D(2020, 1, 1) + timedelta(days=REPORT_WINDOW_DAYS_MAX + 1),
            ReportWindowTooLong,
        ),
    ],
)
def test_a_window_must_hold_a_day_and_at_most_five_years(
    engine: Engine, from_on: date, to_on: date, refusal: type[TimebankError]
) -> None:
    bank, who = story(engine)

    with pytest.raises(refusal):
        reciprocity_report(engine, bank.timebank_id, bank.coordinator, from_on, to_on)
    with pytest.raises(refusal):
        member_report(engine, bank.timebank_id, bank.coordinator, who["ann"], from_on, to_on)


def test_a_window_of_exactly_five_years_is_allowed(engine: Engine) -> None:
    bank, _ = story(engine)
    from_on = D(2020, 1, 1)

    report = reciprocity_report(
        engine, bank.timebank_id, bank.coordinator, from_on, from_on + timedelta(days=REPORT_WINDOW_DAYS_MAX)
    )

    assert report.figures is not None


@pytest.mark.parametrize("window", [(D(2024, 1, 1), D(2024, 5, 1)), (D(2024, 3, 1), D(2024, 3, 16))])
def test_the_member_report_equals_the_members_row_of_the_full_report(
    engine: Engine, window: tuple[date, date]
) -> None:
    bank, who = story(engine)
    rows = {a.account_id: a for a in bank.expected(*window).accounts}

    for name in ("ann", "bo", "cy", "di", "ed", "org"):
        mine = member_report(engine, bank.timebank_id, bank.coordinator, who[name], *window)
        if who[name] not in rows:  # Ed, opened today and never exchanging, was no member then
            assert (mine.given_minutes, mine.partner_count, mine.last_exchange_on) == (0, 0, None)
            continue
        row = rows[who[name]]
        assert (mine.given_minutes, mine.received_minutes) == (row.given_minutes, row.received_minutes), name
        assert (mine.exchange_count, mine.partner_count) == (row.exchange_count, row.partner_count), name
        assert mine.last_exchange_on == row.last_exchange_on, name


def test_a_member_reads_their_own_report_and_not_anothers(engine: Engine) -> None:
    bank, who = story(engine)
    ann = member_caller(bank, who["ann"])

    mine = member_report(engine, bank.timebank_id, ann, who["ann"], D(2024, 1, 1), D(2024, 5, 1))

    assert (mine.given_minutes, mine.received_minutes, mine.partner_count) == (50, 105, 2)
    assert mine.last_exchange_on == D(2024, 3, 15)
    with pytest.raises(SelfOrCoordinatorRequired):
        member_report(engine, bank.timebank_id, ann, who["bo"], D(2024, 1, 1), D(2024, 5, 1))
