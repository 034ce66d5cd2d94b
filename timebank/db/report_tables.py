"""The reciprocity report's tables: running totals kept beside the ledger, and each timebank's ratings.

``report_rating_thresholds`` (last below) holds the thresholds a timebank rates its reports
against, when it has set its own. The rest of the module is the running totals, kept so that a
report never replays the ledger.

A report for a window needs, besides the window's own exchanges, facts from all of history: when
each pair of accounts first exchanged (``new_ties``), when each account last exchanged before the
window's end (``dormant_members``), whether it was active in the window before (``retention``), and
when it took part first (a member imported with older history joined then). Summing a million
exchanges for those on every report took seconds; these tables hold them already summed.

    report_pairs            one row per ordered pair (giver, receiver) that has ever exchanged:
                            the date of its first counted exchange, and how many there were
    report_pair_months      one row per ordered pair and calendar month it exchanged in: the
                            minutes given and the exchanges, so that a window's pairs and its
                            monthly series are read as a range of whole months, not summed
                            from a million legs
    report_account_months   one row per account and calendar month it took part in: counted
                            exchanges (all, and those it gave in), minutes given and received, and
                            the first and last activity dates in the month

*Counted* has the report's meaning (``timebank.db.repositories.counted_legs``): a confirmed exchange's
legs (one per receiver) whose two ends are not both organisations. A row exists only while it
counts something: a pair or month whose exchanges were all reversed has no row.

They are derived data, never a source of truth: ``ReportRollups`` adds an exchange to them when it
is confirmed and recounts the rows an exchange touched when it is reversed, in the same database
transaction as the change itself, and the tests compare them with a recount from the exchanges
after every step of the ledger's state machine. ``ReportRollups.rebuild`` recounts a timebank from
scratch (after a bulk load that bypassed the repositories).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Table,
)

from timebank.db.tables import Id, metadata

__all__ = [
    "LOWER_IS_BETTER_FIGURES",
    "RATED_FIGURES",
    "report_account_months",
    "report_pair_months",
    "report_pairs",
    "report_rating_thresholds",
]

# timebank.reports.RatedFigureName and LOWER_IS_BETTER, written out because storage does not import
# the report engine; tests/integration/test_report_ratings.py checks that they agree.
RATED_FIGURES = (
    "active_rate",
    "two_way_rate",
    "uses_services_giving_rate",
    "top20_share",
    "largest_scc_share",
)
LOWER_IS_BETTER_FIGURES = ("top20_share",)

report_pairs = Table(
    "report_pairs",
    metadata,
    Column("timebank_id", Id, primary_key=True),
    Column("giver_account_id", Id, primary_key=True),
    Column("receiver_account_id", Id, primary_key=True),
    Column("first_on", Date, nullable=False),
    Column("exchange_count", BigInteger, nullable=False),
    CheckConstraint("giver_account_id <> receiver_account_id", name="not_a_self_pair"),
    CheckConstraint("exchange_count > 0", name="counts_something"),
    ForeignKeyConstraint(
        ["timebank_id", "giver_account_id"],
        ["accounts.timebank_id", "accounts.id"],
        name="fk_report_pairs_giver",
    ),
    ForeignKeyConstraint(
        ["timebank_id", "receiver_account_id"],
        ["accounts.timebank_id", "accounts.id"],
        name="fk_report_pairs_receiver",
    ),
    # The pairs that first exchanged inside a window (new_ties) are a range of this index.
    Index("ix_report_pairs_timebank_first_on", "timebank_id", "first_on"),
)

report_pair_months = Table(
    "report_pair_months",
    metadata,
    # Keyed month first: a window's whole months are one range of the key, read in order.
    Column("timebank_id", Id, primary_key=True),
    Column("month_on", Date, primary_key=True),  # the first day of the calendar month
    Column("giver_account_id", Id, primary_key=True),
    Column("receiver_account_id", Id, primary_key=True),
    Column("minutes", BigInteger, nullable=False),
    Column("exchange_count", BigInteger, nullable=False),
    CheckConstraint("giver_account_id <> receiver_account_id", name="not_a_self_pair"),
    CheckConstraint("exchange_count > 0", name="counts_something"),
    # Every leg moves at least a minute.
    CheckConstraint("minutes >= exchange_count", name="a_minute_a_leg"),
    ForeignKeyConstraint(
        ["timebank_id", "giver_account_id"],
        ["accounts.timebank_id", "accounts.id"],
        name="fk_report_pair_months_giver",
    ),
    ForeignKeyConstraint(
        ["timebank_id", "receiver_account_id"],
        ["accounts.timebank_id", "accounts.id"],
        name="fk_report_pair_months_receiver",
    ),
    # On SQLite the rows are stored in key order (no rowid), so a range of months is read in one
    # sweep of the table itself.
    sqlite_with_rowid=False,
)

report_account_months = Table(
    "report_account_months",
    metadata,
    Column("timebank_id", Id, primary_key=True),
    Column("account_id", Id, primary_key=True),
    # The first day of the calendar month.
    Column("month_on", Date, primary_key=True),
    # Counted exchanges it took part in (an exchange with three receivers is one for its giver),
    # and those of them it gave in: each exchange has one giver, so the month's givers' counts add
    # up to the month's exchanges.
    Column("exchange_count", BigInteger, nullable=False),
    Column("given_exchange_count", BigInteger, nullable=False),
    Column("given_minutes", BigInteger, nullable=False),
    Column("received_minutes", BigInteger, nullable=False),
    Column("first_on", Date, nullable=False),
    Column("last_on", Date, nullable=False),
    CheckConstraint("exchange_count > 0", name="counts_something"),
    CheckConstraint(
        "given_exchange_count >= 0 AND given_exchange_count <= exchange_count", name="given_within_all"
    ),
    CheckConstraint("given_minutes >= 0 AND received_minutes >= 0", name="minutes_not_negative"),
    CheckConstraint("given_minutes + received_minutes > 0", name="minutes_moved"),
    CheckConstraint("first_on <= last_on", name="first_not_after_last"),
    ForeignKeyConstraint(["timebank_id", "account_id"], ["accounts.timebank_id", "accounts.id"]),
    Index("ix_report_account_months_timebank_month", "timebank_id", "month_on"),
)


def _names(values: tuple[str, ...]) -> str:
    return f"({', '.join(repr(v) for v in values)})"


# One row per rated figure a timebank has set for itself; a figure without a row is rated against
# the default (timebank.reports.DEFAULT_THRESHOLDS). The two thresholds are whole percent,
# named by the colours they separate (timebank.reports.Boundaries): where higher is better, amber
# starts at or below where green starts; where lower is better (the top-20% share), the boundary
# between amber and green is at or below the one between red and amber.
report_rating_thresholds = Table(
    "report_rating_thresholds",
    metadata,
    Column("timebank_id", Id, ForeignKey("timebanks.id"), primary_key=True),
    Column("figure", String(40), primary_key=True),
    Column("red_amber_percent", Integer, nullable=False),
    Column("amber_green_percent", Integer, nullable=False),
    CheckConstraint(f"figure IN {_names(RATED_FIGURES)}", name="figure_known"),
    CheckConstraint(
        "red_amber_percent BETWEEN 0 AND 100 AND amber_green_percent BETWEEN 0 AND 100",
        name="percent_in_range",
    ),
    CheckConstraint(
        f"(figure IN {_names(LOWER_IS_BETTER_FIGURES)} AND amber_green_percent <= red_amber_percent)"
        f" OR (figure NOT IN {_names(LOWER_IS_BETTER_FIGURES)} AND red_amber_percent <= amber_green_percent)",
        name="ordered_for_direction",
    ),
)
