"""The refusals of asking for a report: an empty or too long window, an ambiguous group, too few members.

Leaves of the one error tree (``timebank.errors``). A group of fewer than 15 members has "not
enough data" to chart: its figures would point at people.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, StateConflict

__all__ = [
    "NotEnoughData",
    "ReportGroupAmbiguous",
    "ReportWindowEmpty",
    "ReportWindowOutOfRange",
    "ReportWindowTooLong",
]


class ReportWindowEmpty(InvalidRequest):
    code = "report_window_empty"
    title = "A report's window must end after it starts"


class ReportWindowTooLong(InvalidRequest):
    code = "report_window_too_long"
    title = "A report's window is too long"


class ReportWindowOutOfRange(InvalidRequest):
    code = "report_window_out_of_range"
    title = "A report's window reaches past the days a report can reckon with"


class ReportGroupAmbiguous(InvalidRequest):
    code = "report_group_ambiguous"
    title = "A report is for one group at most: a tag or an organisation"


class NotEnoughData(StateConflict):
    code = "not_enough_data"
    title = "The group has too few members to show figures"
