"""What coordinators are told about offers and requests: where the hours go, and who is waiting.

For a window of activity days (``from_on`` up to, not including, ``to_on``; by default the 90 days
to today): the hours of confirmed exchanges by category, an exchange recorded from a post counted
under the post's category and any other under its own category text; how many members (whose
membership has not ended: a former member can post nothing) have no open offer today; and the
requests open longer than ``open_days`` days, oldest first, so that a coordinator can match them.
Read in one snapshot. The reciprocity report (``timebank.reporting``) stays as it is: its figures
are about people and ties, these are about kinds of help.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.offers.views import HoursByCategoryView, OffersReportView, WaitingRequestView
from timebank.people.callers import Caller
from timebank.reporting.reports import check_window

__all__ = [
    "OPEN_DAYS_DEFAULT",
    "OPEN_DAYS_MAX",
    "REPORT_DAYS_DEFAULT",
    "WAITING_REQUESTS_MAX",
    "offers_report",
]

REPORT_DAYS_DEFAULT = 90
OPEN_DAYS_DEFAULT = 30
OPEN_DAYS_MAX = 3660
WAITING_REQUESTS_MAX = 200


def offers_report(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    from_on: date | None = None,
    to_on: date | None = None,
    open_days: int = OPEN_DAYS_DEFAULT,
) -> OffersReportView:
    """Hours by category, members with no offer, and requests waiting long (coordinators)."""
    caller.check_coordinator(timebank_id)
    assert 0 <= open_days <= OPEN_DAYS_MAX, "the edge bounds open_days"
    now = utc_now()
    today = now.date()
    end = today + timedelta(days=1) if to_on is None else to_on
    start = end - timedelta(days=REPORT_DAYS_DEFAULT) if from_on is None else from_on
    check_window(start, end)

    def use_case(uow: UnitOfWork) -> OffersReportView:
        uow.timebanks.get(timebank_id)
        hours = uow.offers.minutes_by_category(timebank_id, start, end)
        without, members = uow.offers.members_without_open_offer(timebank_id, today)
        waiting = uow.offers.requests_open_since(
            timebank_id, today, now - timedelta(days=open_days), WAITING_REQUESTS_MAX
        )
        return OffersReportView(
            from_on=start,
            to_on=end,
            hours_by_category=tuple(
                HoursByCategoryView(category=name, minutes=minutes, exchanges=count)
                for name, minutes, count in hours
            ),
            members=members,
            members_with_no_offer=without,
            open_days=open_days,
            requests_open_longer=tuple(
                WaitingRequestView(
                    post_id=post.post_id,
                    member_id=post.member_id,
                    member_name=post.member_name,
                    category_name=post.category_name,
                    title=post.title,
                    created_at=post.created_at,
                    days_open=(now - post.created_at).days,
                )
                for post in waiting
            ),
        )

    return run(engine, use_case, write=False, snapshot=True)
