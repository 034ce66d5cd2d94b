"""Running totals for the reciprocity report, kept beside the ledger so a report never replays it.

A report for a window needs, besides the window's own exchanges, facts from all of history: when
each pair of accounts first exchanged (``new_ties``), when each account last exchanged before the
window's end (``dormant_members``), whether it was active in the window before (``retention``), and
when it took part first (a member imported with older history joined then). Summing a million
exchanges for those on every report took seconds; these tables hold them already summed.

    report_pairs            one row per ordered pair (giver, receiver) that has ever exchanged:
                            the date of its first counted exchange, and how many there were
    report_account_months   one row per account and calendar month it took part in: counted
                            exchanges (all, and those it gave in), minutes given and received, and
                            the first and last activity dates in the month

*Counted* has the report's meaning (``timebank.db.repositories.reports``): a confirmed exchange's
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
    ForeignKeyConstraint,
    Index,
    Table,
)

from timebank.db.tables import Id, metadata

__all__ = ["report_account_months", "report_pairs"]

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
