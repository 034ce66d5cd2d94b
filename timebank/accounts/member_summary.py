"""One member as a coordinator sees them: who they are, their balance and limits, and their give-and-get.

The coordinators' member page reads this in one snapshot, so its figures agree with each other:
the member's name, login, roles and tags (``MemberView``); their account's balance, floor and cap;
the hours they gave and received in exchanges this calendar year and since they joined (from the
same monthly running totals as the member's own home page, so both say the same); the newest
lines of their statement; and, once their membership has ended, the reason a coordinator gave.
Nothing about benefits: a declaration is read only where its reads are
audited (``timebank.involvement.declarations``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from timebank.accounts.statements import statement_line
from timebank.accounts.views import MemberSummary
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import MemberView

__all__ = ["RECENT_LINES_SHOWN", "member_summary"]

RECENT_LINES_SHOWN = 5


def member_summary(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, today: date
) -> MemberSummary:
    """A member's details and figures, for a coordinator of their timebank."""
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id, admin_allowed=True)
    year_start = today.replace(month=1, day=1)

    def use_case(uow: UnitOfWork) -> MemberSummary:
        uow.timebanks.get(timebank_id)
        record = uow.members.get(timebank_id, member_id)
        member = MemberView.of(record)
        account = uow.accounts.get(timebank_id, member.account_id)
        # No exchange is dated after today, so "since January" is this year so far.
        totals = uow.reports.given_received(timebank_id, member.account_id, year_start)
        recent = uow.transfers.statement(timebank_id, member.account_id, None, RECENT_LINES_SHOWN)
        return MemberSummary(
            member=member,
            balance_minutes=account.balance_minutes,
            floor_minutes=account.floor_minutes,
            cap_minutes=account.cap_minutes,
            given_this_year_minutes=totals.given_since_minutes,
            received_this_year_minutes=totals.received_since_minutes,
            given_all_time_minutes=totals.given_minutes,
            received_all_time_minutes=totals.received_minutes,
            year=today.year,
            recent_lines=tuple(statement_line(row) for row in recent),
            membership_end_reason=record.membership_end_reason,
        )

    return run(engine, use_case, write=False, snapshot=True)
