"""Reading activities back: an organisation's list, and who came to one and what each chose.

The same people who record them read them: a coordinator, or whoever acts for the organisation
(its staff, its API keys). Other members see neither: who took part in a user forum, and
whether they took a payment, is not for them. A member's own part shows on their benefit-safe
statement.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.services.activities import activity_view, check_acts_for
from timebank.services.benefit_views import ActivityPage, AttendanceEntryView
from timebank.services.callers import Caller
from timebank.services.pages import decode_id_cursor, page_limit, split_page

__all__ = ["activity_attendance", "list_activities"]


def list_activities(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    organisation_id: int,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> ActivityPage:
    """The organisation's activities, oldest first, a page at a time."""
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> ActivityPage:
        check_acts_for(caller, uow.organisations.get(timebank_id, organisation_id))
        records = uow.activities.page(timebank_id, organisation_id, after_id=after_id, limit=size + 1)
        kept, next_cursor = split_page(records, size, lambda r: r.activity_id)
        return ActivityPage(tuple(activity_view(r) for r in kept), next_cursor)

    return run(engine, use_case, write=False)


def activity_attendance(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int
) -> tuple[AttendanceEntryView, ...]:
    """Everyone recorded at the activity, in account order, with their time and choice."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> tuple[AttendanceEntryView, ...]:
        activity = uow.activities.get(timebank_id, activity_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        return tuple(
            AttendanceEntryView(
                account_id=row.account_id,
                minutes=row.minutes,
                choice=row.reward,
                recognition_transaction_id=row.recognition_transaction_id,
                chosen_at=row.chosen_at,
                recorded_by=row.recorded_by,
            )
            for row in uow.activities.attendance(timebank_id, activity_id)
        )

    return run(engine, use_case, write=False)
