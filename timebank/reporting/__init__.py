"""Reporting: the reciprocity report for a window and a group, and a timebank's rating thresholds.

The report engine is pure (``timebank.reports``); these use cases read its inputs from storage in
one snapshot (``timebank.db.repositories.report_inputs``), run it, and answer. Coordinators and
admins read the timebank's report; a member reads their own figures.

    reports    the reciprocity report, and one account's report
    ratings    the timebank's own red, amber and green thresholds
    gc_pause   the cyclic garbage collector waits while a large report is built
"""

from timebank.reporting.ratings import read_rating_thresholds, set_rating_thresholds
from timebank.reporting.reports import MemberReport, member_report, reciprocity_report

__all__ = [
    "MemberReport",
    "member_report",
    "read_rating_thresholds",
    "reciprocity_report",
    "set_rating_thresholds",
]
