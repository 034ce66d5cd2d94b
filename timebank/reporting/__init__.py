"""Reporting: the reciprocity report for a window and a group, and a timebank's rating thresholds.

The report engine is pure (``timebank.reports``); these use cases read its inputs from storage in
one snapshot (``timebank.db.repositories.report_inputs``), run it, and answer. Coordinators and
admins read the timebank's report; a member reads their own figures.

    reports    the reciprocity report, and one account's report
    ratings    the timebank's own red, amber and green thresholds
    requests   what the use cases are asked to change (the thresholds)
    views      what they answer: the report, an account's report, the thresholds
    gc_pause   the cyclic garbage collector waits while a large report is built
"""

from timebank.reporting.ratings import read_rating_thresholds, set_rating_thresholds
from timebank.reporting.reports import member_report, reciprocity_report
from timebank.reporting.views import MemberReportView, ReportRatingsView, report_view

__all__ = [
    "MemberReportView",
    "ReportRatingsView",
    "member_report",
    "read_rating_thresholds",
    "reciprocity_report",
    "report_view",
    "set_rating_thresholds",
]
