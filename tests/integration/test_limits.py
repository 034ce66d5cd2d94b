"""Setting limits: every change to a floor or cap is logged with who, when, why, before and after.

The refusals (positive floor, negative cap, limits that exclude the balance, the pot's floor, a
non-coordinator) are in test_refusals.py; here the log itself is read back.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.people_calls import set_limits
from timebank.clock import utc_now
from timebank.db.unit_of_work import run
from timebank.ledger.errors import LimitExcludesBalance

from .helpers import make_world


def test_each_limit_change_is_logged_with_who_why_and_the_limits_before_and_after(engine: Engine) -> None:
    w = make_world(engine)
    before_first = utc_now()
    set_limits(
        engine, w.timebank_id, w.coordinator, w.ann, floor_minutes=-1200, cap_minutes=None, reason="trusted"
    )
    view = set_limits(
        engine, w.timebank_id, w.coordinator, w.ann, floor_minutes=-300, cap_minutes=900, reason=None
    )

    log = run(engine, lambda uow: uow.limit_changes.for_account(w.timebank_id, w.ann), write=False)

    assert (view.floor_minutes, view.cap_minutes) == (-300, 900)
    assert [
        (
            row["floor_minutes_before"],
            row["cap_minutes_before"],
            row["floor_minutes_after"],
            row["cap_minutes_after"],
            row["reason"],
            row["changed_by"],
        )
        for row in log
    ] == [
        (-600, None, -1200, None, "trusted", w.coordinator.caller),
        (-1200, None, -300, 900, None, w.coordinator.caller),
    ]
    assert all(before_first <= row["changed_at"] <= utc_now() for row in log)


def test_a_refused_limit_change_leaves_no_log_row(engine: Engine) -> None:
    w = make_world(engine)
    w.posted(w.bo, {w.ann: 300})  # Ann is at -300

    with pytest.raises(LimitExcludesBalance):
        set_limits(engine, w.timebank_id, w.coordinator, w.ann, floor_minutes=-100, cap_minutes=None)

    log = run(engine, lambda uow: uow.limit_changes.for_account(w.timebank_id, w.ann), write=False)
    assert log == []
