"""Reciprocity reports (DESIGN §5, issue 5): the storage's totals turned into the engine's inputs.

``reciprocity_report`` is for a timebank's coordinators (and platform admins, who may read a
timebank and its people): one read-only unit of work, one snapshot, sums the window's exchanges in
SQL (``uow.reports``), ``report_inputs`` (``timebank.db.repositories.report_inputs``) shapes the sums as
``ReportInputs``, and the pure engine (``timebank.reports.build_report``) computes every figure.
``member_report`` is one account's own figures (a ``MemberReportView``), for its holder or a
coordinator. The report itself is the engine's ``Report``, which the JSON answer
(``timebank.reporting.views.report_view``), the CSV, the charts and the terminal are drawn from.

Decisions the engine leaves to storage, made here:

- *Members of the window* are the members who were members on at least one of its days: they
  joined before the window's end, and their membership had not ended before its start. A member
  counts from when their account was opened, or from their first counted exchange if that is dated
  earlier (history imported for someone who joined later), until the last day of their membership
  once it has ended (``timebank.people.membership``: the day is never before their last exchange,
  so every exchange in a window is between its members). Organisations follow the same rule; their
  accounts never close.
- *Staff* are members tagged ``staff``; ``uses_services`` is the tag of that name.
- *Groups*: a tag's group is the members carrying it; an organisation's group is the organisation's
  own account and its current staff (staff links carry no end date, so past staff cannot be told).
- *Balances and floors* are the ledger's at midnight UTC starting ``to_on``: the balance after the
  last transfer posted before then (posting time, whatever the activity date said), and the floor
  in force then (read back through the limit log).
- *Recognition* (issue 4): an organisation's recognition transactions, placed in a window by the
  day they were posted (UTC), like pot grants; reported apart, never as exchanges.
- *Ratings* are read against the timebank's own thresholds where it has set them, else the issue's
  defaults (``timebank.reporting.ratings``), in the same unit of work as the figures.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from timebank.db.repositories.report_inputs import report_inputs
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.people.callers import Caller
from timebank.people.members import check_tags
from timebank.people.tenancy import not_found_before_refused
from timebank.reporting.errors import ReportWindowEmpty, ReportWindowOutOfRange, ReportWindowTooLong
from timebank.reporting.gc_pause import cyclic_gc_paused
from timebank.reporting.ratings import timebank_thresholds
from timebank.reporting.views import MemberReportView
from timebank.reports import (
    Group,
    OrganisationGroup,
    Report,
    ReportInputs,
    TagGroup,
    Thresholds,
    build_report,
)
from timebank.reports.windows import DORMANT_AFTER_DAYS

__all__ = [
    "REPORT_WINDOW_DAYS_MAX",
    "check_reckonable",
    "check_window",
    "member_report",
    "reciprocity_report",
    "report_inputs",
]

# Five years of 366 days: long enough for any board paper, short enough to bound the monthly series
# (61 months at most) and the work of one report.
REPORT_WINDOW_DAYS_MAX = 5 * 366
# The first day of the last month whose next month a date can name: a window ends by it.
LAST_MONTH_ON = date(9999, 12, 1)


def check_window(from_on: date, to_on: date) -> None:
    if from_on >= to_on:
        raise ReportWindowEmpty(f"The window from {from_on} to {to_on} holds no day: 'to' must be later")
    if (to_on - from_on).days > REPORT_WINDOW_DAYS_MAX:
        raise ReportWindowTooLong(f"A report covers at most {REPORT_WINDOW_DAYS_MAX} days")


def check_reckonable(from_on: date, to_on: date) -> None:
    """The days a report reads around its window must be days a date can name.

    It reads as long again before the window (retention) and the 180 days before its end
    (dormancy), both after the year 1 began; and its months whole, up to the one after its last,
    which must begin by the end of the year 9999.
    """
    # Bug fix (found by schemathesis): such windows answered 500, from the engine's and storage's
    # date sums.
    if from_on - date.min < to_on - from_on or to_on - date.min < timedelta(days=DORMANT_AFTER_DAYS):
        raise ReportWindowOutOfRange(
            f"A report from {from_on} to {to_on} would look back before the year 1; choose a later window"
        )
    if to_on > LAST_MONTH_ON:
        raise ReportWindowOutOfRange(f"A report's window must end by {LAST_MONTH_ON}; choose an earlier one")


def reciprocity_report(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    from_on: date,
    to_on: date,
    group: Group | None = None,
) -> Report:
    """The reciprocity report of ``[from_on, to_on)``, for the whole timebank or one group."""
    organisation_ids = [group.organisation_id] if isinstance(group, OrganisationGroup) else []
    with not_found_before_refused(engine, timebank_id, organisation_ids=organisation_ids):
        caller.check_coordinator(timebank_id, admin_allowed=True)
    check_window(from_on, to_on)
    check_reckonable(from_on, to_on)
    if isinstance(group, TagGroup):
        check_tags([group.tag])

    def use_case(uow: UnitOfWork) -> tuple[ReportInputs, Thresholds]:
        uow.timebanks.get(timebank_id)
        if isinstance(group, OrganisationGroup):
            uow.organisations.get(timebank_id, group.organisation_id)
        inputs = report_inputs(uow, timebank_id, from_on, to_on, group)
        return inputs, timebank_thresholds(uow, timebank_id)

    with cyclic_gc_paused():
        # Many reads that must agree (check_inputs holds them to it): one snapshot for all.
        inputs, thresholds = run(engine, use_case, write=False, snapshot=True)
        return build_report(inputs, thresholds)


def member_report(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, from_on: date, to_on: date
) -> MemberReportView:
    """One account's figures, for its holder (a member, or an organisation's staff) or a coordinator."""
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        caller.check_may_read_account(timebank_id, account_id)
    check_window(from_on, to_on)

    def use_case(uow: UnitOfWork) -> MemberReportView:
        uow.accounts.get(timebank_id, account_id)  # another timebank's account is not found
        totals = uow.reports.member_totals(timebank_id, account_id, from_on, to_on)
        return MemberReportView(
            account_id=account_id,
            from_on=from_on,
            to_on=to_on,
            given_minutes=totals.given_minutes,
            received_minutes=totals.received_minutes,
            exchange_count=totals.exchange_count,
            partner_count=totals.partner_count,
            last_exchange_on=totals.last_exchange_on,
        )

    return run(engine, use_case, write=False, snapshot=True)
