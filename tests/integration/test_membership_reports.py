"""The reports count a member until the last day of their membership (issue 18, DESIGN §5 and §9).

A member is a member of a window (and of each month of it) when they were a member on at least one
of its days: they joined before its end, and their membership had not ended before its start.
Checked on SQLite and PostgreSQL against one town per backend, built once: an anchor member who
never leaves, and members who joined (their first exchange) and left on days spread over the last
200 days, one of them with no exchange at all, one still a member. Hypothesis draws windows before,
across and after those days, and the members of each window and of each month are exactly those
the rule names; the whole report is built for each window too (its consistency checks pass: every
exchange in a window is between members of it). The running totals hold only exchanges, and no
exchange is added or removed when a membership ends, so they are never stale: the end is read from
the member's row when the report is read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.conftest import STORY_BACKDATE_DAYS
from tests.ledger_calls import record_exchange
from tests.people_calls import add_member, create_timebank, end_membership
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.repositories.counted_legs import next_month_on
from timebank.db.repositories.report_inputs import report_inputs
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.reporting.reports import reciprocity_report
from timebank.reports import ParticipantKind

COORDINATOR = Actor("coordinator", None, True)
# Each leaver: the days ago of their first exchange (None: they never had one, and joined today),
# and of their last day (None: still a member). Their last exchange is on their last day.
LEAVERS = (
    (200, 150),
    (200, 199),
    (150, 60),
    (120, 120),
    (90, 0),
    (60, None),
    (30, 10),
    (10, 10),
    (None, 0),
)


@dataclass(frozen=True)
class Town:
    timebank_id: int
    today: date
    # Every member's account: the day they joined, and their last day (None: still a member).
    members: dict[int, tuple[date, date | None]]


_TOWNS: dict[str, Town] = {}


def _town(engine: Engine) -> Town:
    """The town of this backend, built the first time it is asked for."""
    key = engine.url.render_as_string()
    if key not in _TOWNS:
        _TOWNS[key] = _build(engine)
    return _TOWNS[key]


def _build(engine: Engine) -> Town:
    today = utc_now().date()
    tb = create_timebank(
        engine, f"Town {today.isoformat()}", backdate_days_max=STORY_BACKDATE_DAYS
    ).timebank_id
    coordinator = Caller.coordinator_of(tb)
    anchor = add_member(engine, tb, coordinator, "Anchor")
    members: dict[int, tuple[date, date | None]] = {}
    for number, (first_ago, last_ago) in enumerate(LEAVERS):
        leaver = add_member(engine, tb, coordinator, f"Leaver {number}")
        joined = today
        days = [] if first_ago is None else [first_ago, *([] if last_ago is None else [last_ago])]
        for days_ago in days:
            on = today - timedelta(days=days_ago)
            record_exchange(
                engine, tb, COORDINATOR, leaver.account_id, [ReceiverShare(anchor.account_id, 15)], on, "help"
            )
            joined = min(joined, on)
        last = None if last_ago is None else today - timedelta(days=last_ago)
        if last is not None:
            end_membership(engine, tb, coordinator, leaver.member_id, last)
        members[leaver.account_id] = (joined, last)
    members[anchor.account_id] = (today - timedelta(days=200), None)
    return Town(tb, today, members)


def _members_between(town: Town, start_on: date, end_on: date) -> set[int]:
    """The rule: joined before the end, and not ended before the start."""
    return {
        account_id
        for account_id, (joined, last) in town.members.items()
        if joined < end_on and (last is None or last >= start_on)
    }


def _window_members(
    engine: Engine, town: Town, from_on: date, to_on: date
) -> tuple[set[int], dict[date, set[int]]]:
    inputs = run(engine, lambda uow: report_inputs(uow, town.timebank_id, from_on, to_on, None), write=False)
    members = {a.account_id for a in inputs.accounts if a.kind is not ParticipantKind.ORGANISATION}
    months = {month.month_on: set(month.accounts.account_id.tolist()) for month in inputs.months}
    return members, months


@given(start_ago=st.integers(-5, 260), days=st.integers(1, 150))
def test_a_member_counts_in_a_window_that_holds_a_day_of_their_membership(
    engine: Engine, start_ago: int, days: int
) -> None:
    town = _town(engine)
    from_on = town.today - timedelta(days=start_ago)
    to_on = from_on + timedelta(days=days)

    members, months = _window_members(engine, town, from_on, to_on)

    assert members == _members_between(town, from_on, to_on)
    for month_on, counted in months.items():
        start_on, end_on = max(month_on, from_on), min(next_month_on(month_on), to_on)
        assert counted == _members_between(town, start_on, end_on), month_on
    reciprocity_report(engine, town.timebank_id, Caller.coordinator_of(town.timebank_id), from_on, to_on)


def test_a_window_after_the_last_day_leaves_the_member_out_and_one_that_overlaps_it_counts_them(
    engine: Engine,
) -> None:
    town = _town(engine)
    leaver, (joined, last) = next(
        (a, m) for a, m in town.members.items() if m[1] == town.today - timedelta(60)
    )
    assert last is not None

    after, _ = _window_members(engine, town, last + timedelta(days=1), last + timedelta(days=31))
    overlapping, _ = _window_members(engine, town, last - timedelta(days=10), last + timedelta(days=20))
    on_the_day, _ = _window_members(engine, town, last, last + timedelta(days=1))
    before_they_joined, _ = _window_members(engine, town, joined - timedelta(days=30), joined)

    assert leaver not in after
    assert leaver in overlapping and leaver in on_the_day
    assert leaver not in before_they_joined
