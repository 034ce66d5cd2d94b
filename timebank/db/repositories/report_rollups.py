"""Keeping the report's running totals (``timebank.db.report_tables``) equal to the exchanges.

Three ways in, one meaning:

- ``count_exchanges``: exchanges just confirmed (recorded confirmed, confirmed later, or imported)
  are added to the rows they touch: an upsert per table that adds counts and minutes and widens the
  first and last dates. One read of the exchanges' legs and three writes (pairs, pair-months,
  account-months), whatever their number.
- ``recount_exchanges``: after a reversal, the rows the exchanges touch are recounted from the
  counted legs that remain. Removing a leg cannot be done by subtraction alone (the pair's first
  date may have been that leg's), and reversals are rare, so the rows are rebuilt, each from one
  account's legs in one month, one pair's legs, or one pair's legs in one month, through the giver
  and receiver indexes.
- ``rebuild``: a whole timebank recounted by ``GROUP BY`` in SQL, after a bulk load that wrote
  exchanges without this repository.

A row is only ever the sum of counted legs; the tests hold every way in to that by comparing the
tables with ``rebuild``'s result.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Table,
    bindparam,
    cast,
    delete,
    distinct,
    func,
    insert,
    null,
    select,
    union_all,
)
from sqlalchemy.dialects import postgresql, sqlite

from timebank.db.report_tables import report_account_months, report_pair_months, report_pairs
from timebank.db.repositories.counted_legs import LegColumns, counted_legs, month_start, next_month_on

__all__ = ["ReportRollups"]

# Exchange ids per read: well under SQLite's limit on bound parameters.
_CHUNK = 500

_PAIR_MONTH_KEY = ("timebank_id", "month_on", "giver_account_id", "receiver_account_id")


@dataclass
class _MonthRow:
    exchange_ids: set[int]
    given_exchange_ids: set[int]
    given_minutes: int
    received_minutes: int
    first_on: date
    last_on: date

    def add(self, exchange_id: int, on: date, given_minutes: int, received_minutes: int) -> None:
        self.exchange_ids.add(exchange_id)
        if given_minutes:
            self.given_exchange_ids.add(exchange_id)
        self.given_minutes += given_minutes
        self.received_minutes += received_minutes
        self.first_on = min(self.first_on, on)
        self.last_on = max(self.last_on, on)


def _month_on(day: date) -> date:
    return day.replace(day=1)


# (timebank, giver, receiver) → [first_on, legs]
_Pairs = dict[tuple[int, int, int], list[Any]]
# (timebank, month_on, giver, receiver) → [minutes, legs]
_PairMonths = dict[tuple[int, date, int, int], list[int]]
# (timebank, account, month_on) → the account's month
_Months = dict[tuple[int, int, date], _MonthRow]


def _sum_legs(legs: Iterable[LegColumns]) -> tuple[_Pairs, _PairMonths, _Months]:
    """Pair rows, pair-month rows and account-month rows of the legs."""
    pairs: _Pairs = {}
    pair_months: _PairMonths = {}
    months: _Months = {}
    for exchange_id, timebank_id, on, giver, receiver, minutes in legs:
        pair = pairs.get((timebank_id, giver, receiver))
        if pair is None:
            pairs[timebank_id, giver, receiver] = [on, 1]
        else:
            pair[0] = min(pair[0], on)
            pair[1] += 1
        month_on = _month_on(on)
        pair_month = pair_months.get((timebank_id, month_on, giver, receiver))
        if pair_month is None:
            pair_months[timebank_id, month_on, giver, receiver] = [minutes, 1]
        else:
            pair_month[0] += minutes
            pair_month[1] += 1
        for account_id, given, received in ((giver, minutes, 0), (receiver, 0, minutes)):
            key = (timebank_id, account_id, month_on)
            row = months.get(key)
            if row is None:
                months[key] = row = _MonthRow(set(), set(), 0, 0, on, on)
            row.add(exchange_id, on, given, received)
    return pairs, pair_months, months


def _pair_values(pairs: _Pairs) -> list[dict[str, Any]]:
    return [
        {
            "timebank_id": timebank_id,
            "giver_account_id": giver,
            "receiver_account_id": receiver,
            "first_on": first_on,
            "exchange_count": count,
        }
        for (timebank_id, giver, receiver), (first_on, count) in pairs.items()
    ]


def _pair_month_values(pair_months: _PairMonths) -> list[dict[str, Any]]:
    return [
        {
            "timebank_id": timebank_id,
            "month_on": month_on,
            "giver_account_id": giver,
            "receiver_account_id": receiver,
            "minutes": minutes,
            "exchange_count": count,
        }
        for (timebank_id, month_on, giver, receiver), (minutes, count) in pair_months.items()
    ]


def _month_values(months: _Months) -> list[dict[str, Any]]:
    return [
        {
            "timebank_id": timebank_id,
            "account_id": account_id,
            "month_on": month_on,
            "exchange_count": len(row.exchange_ids),
            "given_exchange_count": len(row.given_exchange_ids),
            "given_minutes": row.given_minutes,
            "received_minutes": row.received_minutes,
            "first_on": row.first_on,
            "last_on": row.last_on,
        }
        for (timebank_id, account_id, month_on), row in months.items()
    ]


@functools.cache
def _legs_of_exchanges(status: str | None) -> Any:
    """The counted legs of some exchanges, built once: it runs on every confirmed exchange, and
    building a statement costs more than running it."""
    return counted_legs(
        bindparam("timebank_id"), status=status, exchange_ids=bindparam("exchange_ids", expanding=True)
    )


@functools.cache
def _upsert_statement(dialect_name: str, table: Table, keys: tuple[str, ...]) -> Any:
    """The upsert for ``table``, built once per dialect: it runs on every confirmed exchange."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    statement = dialect.insert(table)
    excluded, current = statement.excluded, table.c
    earliest, latest = (func.least, func.greatest) if dialect is postgresql else (func.min, func.max)
    merged: dict[str, Any] = {}
    for column in table.c:
        name = column.name
        if name in keys:
            continue
        if name == "first_on":
            merged[name] = earliest(current[name], excluded[name])
        elif name == "last_on":
            merged[name] = latest(current[name], excluded[name])
        else:
            merged[name] = current[name] + excluded[name]
    return statement.on_conflict_do_update(index_elements=list(keys), set_=merged)


class ReportRollups:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _legs_of(
        self, timebank_id: int, exchange_ids: Sequence[int], *, status: str | None
    ) -> list[LegColumns]:
        legs: list[LegColumns] = []
        query = _legs_of_exchanges(status)
        for start in range(0, len(exchange_ids), _CHUNK):
            chunk = list(exchange_ids[start : start + _CHUNK])
            rows = self.connection.execute(query, {"timebank_id": timebank_id, "exchange_ids": chunk})
            legs.extend(tuple(row) for row in rows)
        return legs

    def _upsert(self, table: Table, rows: list[dict[str, Any]], keys: Sequence[str]) -> None:
        """Insert rows, or add them to the rows already there: counts and minutes add, dates widen."""
        if rows:
            self.connection.execute(_upsert_statement(self.connection.dialect.name, table, tuple(keys)), rows)

    # --- confirmed: add ----------------------------------------------------------------------

    def count_exchanges(self, timebank_id: int, exchange_ids: Sequence[int]) -> None:
        """Add exchanges that have just been confirmed to the running totals."""
        pairs, pair_months, months = _sum_legs(self._legs_of(timebank_id, exchange_ids, status="confirmed"))
        self._upsert(
            report_pairs, _pair_values(pairs), ("timebank_id", "giver_account_id", "receiver_account_id")
        )
        self._upsert(report_pair_months, _pair_month_values(pair_months), _PAIR_MONTH_KEY)
        self._upsert(report_account_months, _month_values(months), ("timebank_id", "account_id", "month_on"))

    # --- reversed: recount -------------------------------------------------------------------

    def recount_exchanges(self, timebank_id: int, exchange_ids: Sequence[int]) -> None:
        """Recount every row the exchanges touch (whatever their status now) from the counted legs."""
        touched_pairs, touched_pair_months, touched_months = _sum_legs(
            self._legs_of(timebank_id, exchange_ids, status=None)
        )
        pair_keys = {(giver, receiver) for _, giver, receiver in touched_pairs}
        pair_month_keys = {
            (month_on, giver, receiver) for _, month_on, giver, receiver in touched_pair_months
        }
        month_keys = {(account_id, month_on) for _, account_id, month_on in touched_months}
        self._recount_pairs(timebank_id, pair_keys)
        self._recount_pair_months(timebank_id, pair_month_keys)
        self._recount_months(timebank_id, month_keys)

    def _recount_pairs(self, timebank_id: int, keys: Collection[tuple[int, int]]) -> None:
        p = report_pairs.c
        legs: list[LegColumns] = []
        for giver, receiver in sorted(keys):
            self.connection.execute(
                delete(report_pairs).where(
                    p.timebank_id == timebank_id,
                    p.giver_account_id == giver,
                    p.receiver_account_id == receiver,
                )
            )
            query = counted_legs(timebank_id, giver_account_id=giver, receiver_account_id=receiver)
            legs.extend(tuple(row) for row in self.connection.execute(query))  # type: ignore[misc]
        pairs, _, _ = _sum_legs(legs)
        if pairs:
            self.connection.execute(insert(report_pairs), _pair_values(pairs))

    def _recount_pair_months(self, timebank_id: int, keys: Collection[tuple[date, int, int]]) -> None:
        pm = report_pair_months.c
        legs: list[LegColumns] = []
        for month_on, giver, receiver in sorted(keys):
            self.connection.execute(
                delete(report_pair_months).where(
                    pm.timebank_id == timebank_id,
                    pm.month_on == month_on,
                    pm.giver_account_id == giver,
                    pm.receiver_account_id == receiver,
                )
            )
            query = counted_legs(
                timebank_id,
                start_on=month_on,
                end_on=next_month_on(month_on),
                giver_account_id=giver,
                receiver_account_id=receiver,
            )
            legs.extend(tuple(row) for row in self.connection.execute(query))  # type: ignore[misc]
        _, pair_months, _ = _sum_legs(legs)
        if pair_months:
            self.connection.execute(insert(report_pair_months), _pair_month_values(pair_months))

    def _recount_months(self, timebank_id: int, keys: Collection[tuple[int, date]]) -> None:
        m = report_account_months.c
        rows: _Months = {}
        for account_id, month_on in sorted(keys):
            self.connection.execute(
                delete(report_account_months).where(
                    m.timebank_id == timebank_id, m.account_id == account_id, m.month_on == month_on
                )
            )
            end_on = next_month_on(month_on)
            gave = counted_legs(timebank_id, start_on=month_on, end_on=end_on, giver_account_id=account_id)
            got = counted_legs(timebank_id, start_on=month_on, end_on=end_on, receiver_account_id=account_id)
            legs = [tuple(row) for row in self.connection.execute(union_all(gave, got))]
            _, _, months = _sum_legs(legs)  # type: ignore[arg-type]
            key = (timebank_id, account_id, month_on)
            if key in months:  # the account's partners' rows are recounted under their own keys
                rows[key] = months[key]
        if rows:
            self.connection.execute(insert(report_account_months), _month_values(rows))

    # --- everything: rebuild -----------------------------------------------------------------

    def rebuild(self, timebank_id: int) -> None:
        """Recount a timebank's running totals from all its counted legs, in SQL."""
        for table in (report_pairs, report_pair_months, report_account_months):
            self.connection.execute(delete(table).where(table.c.timebank_id == timebank_id))
        legs = counted_legs(timebank_id).subquery()
        self.connection.execute(
            insert(report_pairs).from_select(
                ["timebank_id", "giver_account_id", "receiver_account_id", "first_on", "exchange_count"],
                select(
                    legs.c.timebank_id,
                    legs.c.giver,
                    legs.c.receiver,
                    func.min(legs.c.activity_on),
                    func.count(),
                ).group_by(legs.c.timebank_id, legs.c.giver, legs.c.receiver),
            )
        )
        leg_month = month_start(self.connection, legs.c.activity_on).label("month_on")
        self.connection.execute(
            insert(report_pair_months).from_select(
                [
                    "timebank_id",
                    "month_on",
                    "giver_account_id",
                    "receiver_account_id",
                    "minutes",
                    "exchange_count",
                ],
                select(
                    legs.c.timebank_id,
                    leg_month,
                    legs.c.giver,
                    legs.c.receiver,
                    func.sum(legs.c.minutes),
                    func.count(),
                ).group_by(legs.c.timebank_id, leg_month, legs.c.giver, legs.c.receiver),
            )
        )
        gave = select(
            legs.c.timebank_id,
            legs.c.giver.label("account_id"),
            legs.c.exchange_id,
            legs.c.activity_on,
            legs.c.exchange_id.label("given_exchange_id"),
            legs.c.minutes.label("given_minutes"),
            (legs.c.minutes * 0).label("received_minutes"),
        )
        got = select(
            legs.c.timebank_id,
            legs.c.receiver.label("account_id"),
            legs.c.exchange_id,
            legs.c.activity_on,
            cast(null(), BigInteger).label("given_exchange_id"),
            (legs.c.minutes * 0).label("given_minutes"),
            legs.c.minutes.label("received_minutes"),
        )
        parties = union_all(gave, got).subquery()
        month = month_start(self.connection, parties.c.activity_on).label("month_on")
        self.connection.execute(
            insert(report_account_months).from_select(
                [
                    "timebank_id",
                    "account_id",
                    "month_on",
                    "exchange_count",
                    "given_exchange_count",
                    "given_minutes",
                    "received_minutes",
                    "first_on",
                    "last_on",
                ],
                select(
                    parties.c.timebank_id,
                    parties.c.account_id,
                    month,
                    func.count(distinct(parties.c.exchange_id)),
                    func.count(distinct(parties.c.given_exchange_id)),
                    func.sum(parties.c.given_minutes),
                    func.sum(parties.c.received_minutes),
                    func.min(parties.c.activity_on),
                    func.max(parties.c.activity_on),
                ).group_by(parties.c.timebank_id, parties.c.account_id, month),
            )
        )
