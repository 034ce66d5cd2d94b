"""An oracle for the report's running totals: recounted in plain Python from the exchanges.

``timebank.db.report_tables`` holds derived data, kept up to date as exchanges are confirmed and
reversed. This module recounts what they must hold from the rows of ``exchanges`` and
``exchange_receivers`` alone, with its own reading of a counted leg (confirmed, and not between two
organisations), so a test can compare the tables, the rebuild and the migration's backfill with
an answer that shares no code with any of them.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from timebank.db import run
from timebank.db.people_tables import organisations
from timebank.db.report_tables import report_account_months, report_pair_months, report_pairs
from timebank.db.tables import exchange_receivers, exchanges

__all__ = ["Rollups", "recounted_rollups", "stored_rollups"]

# (giver, receiver) → (first_on, exchanges); (account, month_on) → (exchanges, given exchanges,
# given minutes, received minutes, first_on, last_on); (giver, receiver, month_on) → (minutes,
# exchanges)
Rollups = tuple[
    dict[tuple[int, int], tuple[date, int]],
    dict[tuple[int, date], tuple[int, int, int, int, date, date]],
    dict[tuple[int, int, date], tuple[int, int]],
]


def stored_rollups(engine: Engine, timebank_id: int) -> Rollups:
    def read(uow: Any) -> Rollups:
        p, m, pm = report_pairs.c, report_account_months.c, report_pair_months.c
        pairs = {
            (row.giver_account_id, row.receiver_account_id): (row.first_on, row.exchange_count)
            for row in uow.connection.execute(select(report_pairs).where(p.timebank_id == timebank_id))
        }
        months = {
            (row.account_id, row.month_on): (
                row.exchange_count,
                row.given_exchange_count,
                row.given_minutes,
                row.received_minutes,
                row.first_on,
                row.last_on,
            )
            for row in uow.connection.execute(
                select(report_account_months).where(m.timebank_id == timebank_id)
            )
        }
        pair_months = {
            (row.giver_account_id, row.receiver_account_id, row.month_on): (row.minutes, row.exchange_count)
            for row in uow.connection.execute(select(report_pair_months).where(pm.timebank_id == timebank_id))
        }
        return pairs, months, pair_months

    return run(engine, read, write=False)


def recounted_rollups(engine: Engine, timebank_id: int) -> Rollups:
    def read(uow: Any) -> Rollups:
        connection = uow.connection
        organisation_accounts = set(
            connection.execute(
                select(organisations.c.account_id).where(organisations.c.timebank_id == timebank_id)
            ).scalars()
        )
        confirmed = {
            row.id: (row.giver_account_id, row.activity_date)
            for row in connection.execute(
                select(exchanges.c.id, exchanges.c.giver_account_id, exchanges.c.activity_date).where(
                    exchanges.c.timebank_id == timebank_id, exchanges.c.status == "confirmed"
                )
            )
        }
        legs = [
            (row.exchange_id, *confirmed[row.exchange_id], row.account_id, row.minutes)
            for row in connection.execute(
                select(exchange_receivers).where(exchange_receivers.c.timebank_id == timebank_id)
            )
            if row.exchange_id in confirmed
        ]
        return _recount(legs, organisation_accounts)

    return run(engine, read, write=False)


def _recount(legs: list[tuple[int, int, date, int, int]], organisation_accounts: set[int]) -> Rollups:
    pair_dates: dict[tuple[int, int], list[date]] = defaultdict(list)
    taking_part: dict[tuple[int, date], set[int]] = defaultdict(set)
    giving: dict[tuple[int, date], set[int]] = defaultdict(set)
    given: dict[tuple[int, date], int] = defaultdict(int)
    received: dict[tuple[int, date], int] = defaultdict(int)
    dates: dict[tuple[int, date], list[date]] = defaultdict(list)
    pair_minutes: dict[tuple[int, int, date], list[int]] = defaultdict(list)
    for exchange_id, giver, on, receiver, minutes in legs:
        if giver in organisation_accounts and receiver in organisation_accounts:
            continue
        pair_dates[giver, receiver].append(on)
        month_on = on.replace(day=1)
        pair_minutes[giver, receiver, month_on].append(minutes)
        for account_id in (giver, receiver):
            taking_part[account_id, month_on].add(exchange_id)
            dates[account_id, month_on].append(on)
        giving[giver, month_on].add(exchange_id)
        given[giver, month_on] += minutes
        received[receiver, month_on] += minutes
    pairs = {key: (min(ons), len(ons)) for key, ons in pair_dates.items()}
    months = {
        key: (
            len(ids),
            len(giving.get(key, ())),
            given.get(key, 0),
            received.get(key, 0),
            min(dates[key]),
            max(dates[key]),
        )
        for key, ids in taking_part.items()
    }
    pair_months = {key: (sum(legs), len(legs)) for key, legs in pair_minutes.items()}
    return pairs, months, pair_months
