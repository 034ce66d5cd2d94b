"""A window's pairs and accounts read as numpy columns: the reciprocity report's bulk reads.

A year's window holds half a million pair-months. Made into Python objects one row at a time,
they cost seconds; read as whole numbers straight from the driver into numpy columns, and summed
there, they cost a fraction of that. This module does the report's large reads that way; the few
small ones (participants, the amounts reported apart) stay in ``reports``.

**Where each month comes from.** The window ``[from_on, to_on)`` touches some calendar months. A
month lying wholly inside the window is read from the running totals (``report_pair_months``,
``report_account_months``). So is a partial month (the window starts or ends inside it) when the
totals show that none of its counted exchanges falls outside the window's part of it: the
rolling 90 days end at tomorrow's midnight, so their last month holds nothing later and is read
from the totals too. Any other partial month is read from its counted legs, for the days inside
the window only. ``MonthSource`` records the choice; ``plan_months`` makes it.

**Days as numbers.** Dates travel as ordinals (``date.toordinal()``: 1 January of year 1 is day 1),
computed in SQL on each backend, so that every column is a whole number and 0 can mean "none".
Columns are ``int64`` numpy arrays; sums are made in SQL as BIGINT (never NUMERIC) or in numpy.

The rows are read through the DB-API cursor of the unit of work's own connection (the same
transaction, the same snapshot), with the statement compiled by SQLAlchemy and its values (ids
and dates, never text from a caller) written in as literals.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Date,
    Integer,
    Select,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    or_,
    select,
)

from timebank.db.report_tables import report_account_months, report_pair_months, report_pairs
from timebank.db.repositories.counted_legs import counted_legs, next_month_on
from timebank.db.tables import accounts

__all__ = [
    "AccountFacts",
    "IntColumn",
    "LegColumns",
    "MonthSource",
    "PairMonthColumns",
    "ParticipantColumns",
    "ReportColumnReads",
    "group_sums",
    "month_pieces",
]

IntColumn = npt.NDArray[np.int64]

# Two account ids below 2³¹ make one 64-bit number, giver × 2³² + receiver.
_PACKED_ID_SHIFT = 2**32
_PACKED_ID_LIMIT = 2**31

# 1 January of year 1 is ordinal 1; in SQLite's Julian days it is 1721425.5.
_JULIAN_DAY_OF_ORDINAL_ZERO = 1721424.5


@dataclass(frozen=True)
class MonthSource:
    """One calendar month of a window: the days ``[start_on, end_on)`` of it inside the window,
    and whether the running totals hold exactly those days (else the legs are read)."""

    month_on: date
    start_on: date
    end_on: date
    from_rollups: bool

    @property
    def whole(self) -> bool:
        return (self.start_on, self.end_on) == (self.month_on, next_month_on(self.month_on))

    @property
    def to_month_end(self) -> bool:
        return self.end_on == next_month_on(self.month_on)


@dataclass(frozen=True, eq=False)
class ParticipantColumns:
    """Every member and organisation account of the timebank, in ascending id, as it stood at the
    window's end. Flags are 1 or 0; ``opened_day`` is the day (UTC) the account was opened, and
    ``ended_day`` the last day of a membership that has ended (0 while it has not, and for an
    organisation), both as ordinals."""

    account_id: IntColumn
    is_organisation: IntColumn
    is_staff: IntColumn
    uses_services: IntColumn
    in_group: IntColumn
    opened_day: IntColumn
    balance_minutes: IntColumn
    floor_minutes: IntColumn
    ended_day: IntColumn


@dataclass(frozen=True, eq=False)
class PairMonthColumns:
    """Minutes and exchanges per (month, giver, receiver) of the window; ``month`` is the month's
    position in the window's months."""

    month: IntColumn
    giver_account_id: IntColumn
    receiver_account_id: IntColumn
    minutes: IntColumn
    exchange_count: IntColumn


@dataclass(frozen=True, eq=False)
class LegColumns:
    """Counted legs: one position per (exchange, receiver)."""

    exchange_id: IntColumn
    day: IntColumn  # the activity date's ordinal
    giver_account_id: IntColumn
    receiver_account_id: IntColumn
    minutes: IntColumn

    def __len__(self) -> int:
        return len(self.exchange_id)


@dataclass(frozen=True, eq=False)
class AccountFacts:
    """Per account that ever took part before the window's end, from the running totals.

    ``first_day``: its first counted exchange; ``last_day``: its last before the window's end, as
    far as the totals can tell (0 where only the legs of the last month can). Then, for the accounts
    in ``window_account_id``, ``window_exchanges``: the exchanges each took part in during the
    window's months read from the totals; and ``active_before``: the accounts that took part in the
    previous window, as far as the totals can tell. Three narrow reads, each over the months it
    needs, cost less than one wide one over every month.
    """

    account_id: IntColumn
    first_day: IntColumn
    last_day: IntColumn
    window_account_id: IntColumn
    window_exchanges: IntColumn
    active_before: IntColumn


def month_pieces(from_on: date, to_on: date) -> list[MonthSource]:
    """The calendar months ``[from_on, to_on)`` touches, each with the days of it inside the range
    (``from_rollups`` is left False: that takes a look at the totals, ``plan_months``)."""
    pieces = []
    month_on = from_on.replace(day=1)
    while month_on < to_on:
        end_of_month = next_month_on(month_on)
        pieces.append(MonthSource(month_on, max(month_on, from_on), min(end_of_month, to_on), False))
        month_on = end_of_month
    return pieces


def group_sums(keys: IntColumn, *values: IntColumn) -> tuple[IntColumn, list[IntColumn]]:
    """The distinct ``keys`` in ascending order, and each of ``values`` summed per key (int64)."""
    if len(keys) == 0:
        return keys, [v[:0] for v in values]
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    return ordered[starts], [np.add.reduceat(v[order], starts) for v in values]


def _in_months(column: Any, months: Sequence[date]) -> ColumnElement[bool]:
    return column.in_(list(months)) if months else false()


class ReportColumnReads:
    """The report's bulk reads for one timebank, on the unit of work's connection."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"

    # --- building blocks ---------------------------------------------------------------------

    def day_number(self, day: Any) -> ColumnElement[int]:
        """A date column as its ordinal, computed by the database."""
        if self.postgres:
            return cast(day - cast(literal("0001-01-01"), Date) + 1, BigInteger)
        return cast(func.julianday(day) - _JULIAN_DAY_OF_ORDINAL_ZERO, Integer)

    def utc_date(self, moment: Any) -> ColumnElement[date]:
        """The UTC calendar day of a stored moment (naive UTC text on SQLite)."""
        if self.postgres:
            return cast(func.timezone("UTC", moment), Date)
        return func.date(moment)

    def columns(self, query: Select[Any], count: int) -> list[IntColumn]:
        """The rows of ``query``, every value a whole number (no NULL), as ``count`` columns.

        In no particular order: a caller that needs one sorts the columns. Each backend's fastest
        way to hand over a hundred thousand rows of integers:

        - SQLite, through the DB-API cursor: its rows are plain tuples, which numpy takes in one
          call (SQLAlchemy's rows are not tuples, and numpy would read them value by value);
        - PostgreSQL, as one text of comma-separated numbers built by ``string_agg`` and parsed by
          numpy in C: psycopg makes a Python object of every value it reads, which costs more
          than the query.
        """
        if self.postgres:
            rows = query.subquery()
            text = self.connection.execute(
                select(func.string_agg(func.concat_ws(",", *rows.c), ","))
            ).scalar_one()
            values = np.fromstring(text or "", dtype=np.int64, sep=",")
            table = values.reshape(len(values) // count, count)
        else:
            sql = str(query.compile(self.connection, compile_kwargs={"literal_binds": True}))
            cursor = self.connection.connection.cursor()
            try:
                cursor.execute(sql)
                fetched = cursor.fetchall()
            finally:
                cursor.close()
            table = np.array(fetched, dtype=np.int64).reshape(len(fetched), count)
        return [np.ascontiguousarray(table[:, i]) for i in range(count)]

    # --- which months come from where ----------------------------------------------------------

    def plan_months(self, timebank_id: int, from_on: date, to_on: date) -> list[MonthSource]:
        """Every month the window touches, and whether the running totals hold its part exactly."""
        pieces = [(s.month_on, s.start_on, s.end_on) for s in month_pieces(from_on, to_on)]
        partial = [s.month_on for s in month_pieces(from_on, to_on) if not s.whole]
        spread: dict[date, tuple[date, date]] = {}
        if partial:
            m = report_account_months.c
            rows = self.connection.execute(
                select(m.month_on, func.min(m.first_on), func.max(m.last_on))
                .where(m.timebank_id == timebank_id, m.month_on.in_(partial))
                .group_by(m.month_on)
            )
            spread = {month_on: (first_on, last_on) for month_on, first_on, last_on in rows}
        sources = []
        for month_on, start_on, end_on in pieces:
            first_on, last_on = spread.get(month_on, (start_on, start_on))
            held = month_on not in partial or (start_on <= first_on and last_on < end_on)
            sources.append(MonthSource(month_on, start_on, end_on, held))
        return sources

    # --- pairs ---------------------------------------------------------------------------------

    def legs(self, timebank_id: int, start_on: date, end_on: date) -> LegColumns:
        """The counted legs of the days ``[start_on, end_on)``."""
        legs = counted_legs(timebank_id, start_on=start_on, end_on=end_on).subquery()
        if self.postgres:
            # A few days' exchanges are a few thousand lookups in the receivers' key, but the
            # planner, costing each as a read from disk, would rather hash all a million receivers
            # (five times slower with the data in memory). For this read only, in this transaction.
            self.connection.exec_driver_sql("SET LOCAL enable_hashjoin = off")
        columns = self.columns(
            select(
                legs.c.exchange_id,
                self.day_number(legs.c.activity_on),
                legs.c.giver,
                legs.c.receiver,
                legs.c.minutes,
            ),
            5,
        )
        if self.postgres:
            self.connection.exec_driver_sql("SET LOCAL enable_hashjoin = on")
        return LegColumns(*columns)

    def pair_months(
        self, timebank_id: int, months: Sequence[MonthSource], legs: dict[date, LegColumns]
    ) -> PairMonthColumns:
        """The window's pair-months: the totals' rows for months they hold, summed legs for the rest.

        ``legs`` holds the legs already read for each month the totals do not hold.
        """
        # One read per month the totals hold: the month is the key's first part, so each is one
        # range of the table, and no row carries a date to convert. Reading is the cost (a Python
        # object per value on either driver), so while every account id is below 2³¹ a row's two
        # ids travel as one number, giver × 2³² + receiver, unpacked in numpy.
        p = report_pair_months.c
        packed = self._largest_account_id(timebank_id) < _PACKED_ID_LIMIT
        ends = (
            [p.giver_account_id * _PACKED_ID_SHIFT + p.receiver_account_id]
            if packed
            else [p.giver_account_id, p.receiver_account_id]
        )
        none = np.zeros(0, dtype=np.int64)
        parts = [(none, none, none, none, none)]
        for i, source in enumerate(months):
            if not source.from_rollups:
                continue
            read = self.columns(
                select(*ends, p.minutes, p.exchange_count).where(
                    p.timebank_id == timebank_id, p.month_on == source.month_on
                ),
                len(ends) + 2,
            )
            if packed:
                both, minutes, count = read
                giver, receiver = both // _PACKED_ID_SHIFT, both % _PACKED_ID_SHIFT
            else:
                giver, receiver, minutes, count = read
            parts.append((np.full(len(giver), i, dtype=np.int64), giver, receiver, minutes, count))
        for i, source in enumerate(months):
            if source.from_rollups:
                continue
            month_legs = legs[source.month_on]
            # Sum the month's legs per ordered pair: the key orders by giver, then receiver.
            ids, ends_at = np.unique(
                np.concatenate((month_legs.giver_account_id, month_legs.receiver_account_id)),
                return_inverse=True,
            )
            n = len(month_legs)
            keys = ends_at[:n].astype(np.int64) * len(ids) + ends_at[n:]
            pair_keys, (pair_minutes, pair_count) = group_sums(
                keys, month_legs.minutes, np.ones(n, dtype=np.int64)
            )
            parts.append(
                (
                    np.full(len(pair_keys), i, dtype=np.int64),
                    ids[pair_keys // max(len(ids), 1)],
                    ids[pair_keys % max(len(ids), 1)],
                    pair_minutes,
                    pair_count,
                )
            )
        month, giver, receiver, minutes, count = (
            np.concatenate(column) for column in zip(*parts, strict=True)
        )
        return PairMonthColumns(month, giver, receiver, minutes, count)

    def _largest_account_id(self, timebank_id: int) -> int:
        a = accounts.c
        return int(
            self.connection.execute(
                select(func.coalesce(func.max(a.id), 0)).where(a.timebank_id == timebank_id)
            ).scalar_one()
        )

    def new_tie_count(
        self, timebank_id: int, from_on: date, to_on: date, group: Select[tuple[int]] | None
    ) -> int:
        """Ordered pairs (with an end in the group) whose first counted exchange is in the window."""
        p = report_pairs.c
        query = select(func.count()).where(
            p.timebank_id == timebank_id, p.first_on >= from_on, p.first_on < to_on
        )
        if group is not None:
            query = query.where(or_(p.giver_account_id.in_(group), p.receiver_account_id.in_(group)))
        return int(self.connection.execute(query).scalar_one())

    # --- accounts ------------------------------------------------------------------------------

    def account_facts(
        self,
        timebank_id: int,
        to_on: date,
        months: Sequence[MonthSource],
        previous: Sequence[MonthSource],
    ) -> AccountFacts:
        """From the account-months before ``to_on``: first and last dates, the window's exchanges
        in the months the totals hold, and activity in the previous window.

        ``previous`` are the previous window's months. A month wholly inside it counts if the
        account has a row; a partial one that runs to its month's end counts if the account's last
        date in it is inside; one that runs from its month's start, if its first date is. (A part
        touching neither end of its month is left to the legs: ``ReportColumns`` reads those.)
        """
        m = report_account_months.c
        last_month_on = months[-1].month_on
        held_window = [s.month_on for s in months if s.from_rollups]
        before: list[ColumnElement[bool]] = []
        for source in previous:
            if source.whole:
                before.append(m.month_on == source.month_on)
            elif source.to_month_end:
                before.append(and_(m.month_on == source.month_on, m.last_on >= source.start_on))
            elif source.start_on == source.month_on:
                before.append(and_(m.month_on == source.month_on, m.first_on < source.end_on))
        # The last month's last date counts when the totals hold the window's part of it, or when
        # the window ends on a month's first day (then that month is wholly before the end).
        last_month_held = months[-1].from_rollups
        last_known = m.month_on < last_month_on
        if last_month_held:
            last_known = m.month_on <= last_month_on
        account_id, first_day, last_day = self.columns(
            select(
                m.account_id,
                self.day_number(func.min(m.first_on)),
                func.coalesce(self.day_number(func.max(case((last_known, m.last_on)))), 0),
            )
            .where(m.timebank_id == timebank_id, m.first_on < to_on)
            .group_by(m.account_id),
            3,
        )
        window_account_id, window_exchanges = self.columns(
            select(m.account_id, cast(func.sum(m.exchange_count), BigInteger))
            .where(m.timebank_id == timebank_id, _in_months(m.month_on, held_window))
            .group_by(m.account_id),
            2,
        )
        (active_before,) = self.columns(
            select(m.account_id)
            .distinct()
            .where(m.timebank_id == timebank_id, or_(*before) if before else false()),
            1,
        )
        return AccountFacts(
            account_id, first_day, last_day, window_account_id, window_exchanges, active_before
        )

    def month_exchange_counts(self, timebank_id: int, months: Sequence[MonthSource]) -> dict[date, int]:
        """Exchanges per month held by the totals: each has one giver, so its givers' counts add up."""
        held = [s.month_on for s in months if s.from_rollups]
        if not held:
            return {}
        m = report_account_months.c
        rows = self.connection.execute(
            select(m.month_on, cast(func.sum(m.given_exchange_count), BigInteger))
            .where(m.timebank_id == timebank_id, m.month_on.in_(held))
            .group_by(m.month_on)
        )
        return {month_on: int(n) for month_on, n in rows}
