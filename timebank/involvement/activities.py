"""Activities: an organisation's forums, boards and panels, which members take part in.

A coordinator, or whoever acts for the organisation (its staff, its API keys), creates an activity:
a title, the day it was held, how long it ran, its classification ("participating as a service
user" and the like, which a benefit office asks about) and what it was for. Attendance and the
reward each attendee chose are recorded against it (``timebank.involvement.attendance``). Only the
same people read it back, an organisation's list of activities and who came to one and what each
chose: who took part in a user forum, and whether they took a payment, is not for other members.
A member's own part shows on their benefit-safe statement.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.benefits.activities import Activity, ActivityClassification
from timebank.benefits.errors import benefit_rules
from timebank.clock import utc_now
from timebank.db.repositories import OrganisationRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.errors import OrganisationStaffRequired
from timebank.involvement.requests import CreateActivity
from timebank.involvement.views import ActivityPage, ActivityView, AttendanceEntryView, AttendanceListView
from timebank.ledger import rules
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller

__all__ = [
    "activity_attendance",
    "check_acts_for",
    "create_activity",
    "get_activity",
    "list_activities",
]


def check_acts_for(caller: Caller, organisation: OrganisationRecord) -> None:
    """A coordinator, or whoever holds the organisation's account (its staff, its API keys)."""
    if not (caller.is_coordinator or organisation.account_id in caller.organisation_account_ids):
        raise OrganisationStaffRequired(
            f"Only a coordinator or the staff of {organisation.name!r} may do this for it"
        )


def create_activity(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, request: CreateActivity
) -> ActivityView:
    """Create an activity of the organisation (its staff, its API keys, or a coordinator)."""
    caller.check_timebank(timebank_id)
    rules.check_text("title", request.title, NAME_LENGTH_MAX)
    rules.check_text("purpose", request.purpose, DESCRIPTION_LENGTH_MAX)
    with benefit_rules():
        activity = Activity(
            request.title.strip(),
            request.held_on,
            request.duration_minutes,
            request.classification,
            request.purpose.strip(),
        )

    def use_case(uow: UnitOfWork) -> ActivityView:
        uow.timebanks.get(timebank_id)
        organisation = uow.organisations.get(timebank_id, organisation_id)
        check_acts_for(caller, organisation)
        activity_id = uow.activities.insert(
            timebank_id,
            organisation_id,
            activity.title,
            activity.held_on,
            activity.duration_minutes,
            ActivityClassification(activity.classification).value,
            activity.purpose,
            caller.caller,
            utc_now(),
        )
        view = ActivityView.of(uow.activities.get(timebank_id, activity_id))
        uow.commit()
        return view

    return run(engine, use_case)


def get_activity(engine: Engine, timebank_id: int, caller: Caller, activity_id: int) -> ActivityView:
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> ActivityView:
        record = uow.activities.get(timebank_id, activity_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, record.organisation_id))
        return ActivityView.of(record)

    return run(engine, use_case, write=False)


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
        return ActivityPage(activities=tuple(ActivityView.of(r) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case, write=False)


def activity_attendance(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int
) -> AttendanceListView:
    """Everyone recorded at the activity, in account order, with their time and choice."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> AttendanceListView:
        activity = uow.activities.get(timebank_id, activity_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        rows = uow.activities.attendance(timebank_id, activity_id)
        return AttendanceListView(
            activity_id=activity.activity_id, attendees=tuple(AttendanceEntryView.of(row) for row in rows)
        )

    return run(engine, use_case, write=False)
