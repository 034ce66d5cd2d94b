"""Reciprocity reports: does give-and-get really happen, and does the network grow? (DESIGN §5)

This package is the pure report engine. It never sees a single exchange and never touches a
database: the storage layer sums a window's exchanges per account and per ordered pair (a few
``GROUP BY`` queries, cheap at a million exchanges) and hands the totals over as ``ReportInputs``.
From them, ``build_report`` computes every figure of the issue (participation, reciprocity,
networks, a monthly series), rates the headline figures red, amber or green against
``Thresholds`` (the timebank's own, or the issue's defaults), withholds the figures of groups too
small to show, and returns a frozen ``Report``; ``report_json`` writes it with the issue's keys and
the thresholds that applied.

    inputs        the totals the engine reads, and what each must mean
    windows       the previous window, the months, the dormancy cut-off
    consistency   the rules tying the totals together, checked before any figure
    statistics    exact shares, medians, top share and Gini over whole minutes
    figures       per-member figures: activity, roles, balances, retention, dormancy
    networks      the giving graph: reciprocity, strongly connected components, new ties
    ratings       red, amber, green
    report        the report, the small-group rule, whether it may be exported
    report_json   the report as JSON (the answer of the API and the pages' data)

The report as CSV, as text for the terminal and as charts is drawn in ``timebank.rendering``.

Imports only the standard library, numpy and scipy (for the strongly connected components of a
large giving graph; the architecture test would also allow networkx and ``timebank.ledger``).
"""

from timebank.reports import consistency, figures, networks, statistics, windows
from timebank.reports.consistency import InconsistentInputs, check_inputs
from timebank.reports.inputs import (
    AccountTotals,
    ApartTotals,
    Group,
    MonthAccountTotals,
    MonthInputs,
    MonthPairTotals,
    OrganisationGroup,
    PairTotals,
    ParticipantKind,
    ReportedApart,
    ReportInputs,
    TagGroup,
)
from timebank.reports.ratings import (
    DEFAULT_THRESHOLDS,
    LOWER_IS_BETTER,
    Boundaries,
    RatedFigureName,
    Rating,
    Thresholds,
)
from timebank.reports.report import (
    GROUP_MEMBERS_MINIMUM,
    Figures,
    HeadlineFigures,
    MonthlyEntry,
    RatedFigure,
    Report,
    build_report,
    may_export,
)
from timebank.reports.report_json import REPORT_KEYS, report_json, thresholds_json

__all__ = [
    "DEFAULT_THRESHOLDS",
    "GROUP_MEMBERS_MINIMUM",
    "LOWER_IS_BETTER",
    "REPORT_KEYS",
    "AccountTotals",
    "ApartTotals",
    "Boundaries",
    "Figures",
    "Group",
    "HeadlineFigures",
    "InconsistentInputs",
    "MonthAccountTotals",
    "MonthInputs",
    "MonthPairTotals",
    "MonthlyEntry",
    "OrganisationGroup",
    "PairTotals",
    "ParticipantKind",
    "RatedFigure",
    "RatedFigureName",
    "Rating",
    "Report",
    "ReportInputs",
    "ReportedApart",
    "TagGroup",
    "Thresholds",
    "build_report",
    "check_inputs",
    "consistency",
    "figures",
    "may_export",
    "networks",
    "report_json",
    "statistics",
    "thresholds_json",
    "windows",
]
