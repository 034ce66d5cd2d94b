"""The report's unit of help: a *counted leg*, and the SQL that selects legs.

An exchange with three receivers is three legs, one per receiver, each with the minutes that
receiver got; time flows giver → receiver, so a leg's minutes are what its giver *gave*. A leg
counts when its exchange is confirmed and its two ends are not both organisations (help between
members, or between a member and an organisation either way; trade between two services is not
member help, and the pot never exchanges). A reversed exchange has status ``reversed``, so it drops
out of every count; the report sums it apart.

Both the report's queries (``reports``) and its running totals (``report_rollups``) read legs
through ``counted_legs``, so the two cannot disagree on what counts.

Dates: ``activity_date`` is a ``Date`` (text ``YYYY-MM-DD`` on SQLite, which sorts and compares as
dates do). ``month_start`` cuts the first day of its month on each backend.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Date,
    Select,
    String,
    and_,
    cast,
    func,
    not_,
    select,
    type_coerce,
)

from timebank.db.people_tables import organisations
from timebank.db.tables import exchange_receivers, exchanges

__all__ = ["LegColumns", "counted_legs", "month_start", "next_month_on"]

# The columns of every legs query, in order: exchange_id, timebank_id, activity_on, giver,
# receiver, minutes.
LegColumns = tuple[int, int, date, int, int, int]


def next_month_on(day: date) -> date:
    """The first day of the calendar month after ``day``'s."""
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def month_start(connection: Connection, day: ColumnElement[date]) -> ColumnElement[date]:
    """The first day of ``day``'s calendar month, as a date on either backend."""
    if connection.dialect.name == "postgresql":
        return cast(func.date_trunc("month", day), Date)
    # Text 'YYYY-MM-01': SQLite keeps dates as text (a CAST to DATE would make it a number), and
    # the coerced type reads it back as a date.
    return type_coerce(func.substr(day, 1, 7, type_=String).concat("-01"), Date)


def counted_legs(
    timebank_id: int | BindParameter[int],
    *,
    start_on: date | None = None,
    end_on: date | None = None,
    status: str | None = "confirmed",
    giver_account_id: int | None = None,
    receiver_account_id: int | None = None,
    exchange_ids: Collection[int] | BindParameter[list[int]] | None = None,
) -> Select[LegColumns]:
    """Legs with ``start_on <= activity_date < end_on`` (either bound may be left open).

    ``status`` None takes every posted or unposted status (the rollups recount the rows of an
    exchange just reversed, and find its legs that way). ``giver_account_id`` or
    ``receiver_account_id`` keeps one account's legs on that side, so the query can start from the
    giver index or the receiver index; ``exchange_ids`` keeps the legs of those exchanges. The
    timebank and the exchanges may be bound parameters, for a statement built once and reused.
    """
    e, r = exchanges, exchange_receivers
    organisation_accounts = select(organisations.c.account_id).where(
        organisations.c.timebank_id == timebank_id
    )
    few = giver_account_id is not None or receiver_account_id is not None or exchange_ids is not None
    conditions: list[ColumnElement[bool]] = [
        # One account's legs, or one exchange's, are a few among a million, found through the
        # giver or receiver index or the primary key. SQLite's planner would rather scan the
        # timebank's window index (it covers the query), so the timebank is compared as an
        # expression no index can serve.
        (e.c.timebank_id + 0 if few else e.c.timebank_id) == timebank_id,
        # Help between two organisations is trade between services, not member help.
        not_(
            and_(
                e.c.giver_account_id.in_(organisation_accounts),
                r.c.account_id.in_(organisation_accounts),
            )
        ),
    ]
    if status is not None:
        conditions.append(e.c.status == status)
    if start_on is not None:
        conditions.append(e.c.activity_date >= start_on)
    if end_on is not None:
        conditions.append(e.c.activity_date < end_on)
    if giver_account_id is not None:
        conditions.append(e.c.giver_account_id == giver_account_id)
    if receiver_account_id is not None:
        conditions.append(r.c.account_id == receiver_account_id)
    if isinstance(exchange_ids, BindParameter):
        conditions.append(e.c.id.in_(exchange_ids))
    elif exchange_ids is not None:
        conditions.append(e.c.id.in_(sorted(exchange_ids)))
    query = (
        select(
            e.c.id.label("exchange_id"),
            e.c.timebank_id.label("timebank_id"),
            e.c.activity_date.label("activity_on"),
            e.c.giver_account_id.label("giver"),
            r.c.account_id.label("receiver"),
            r.c.minutes.label("minutes"),
        )
        .select_from(e.join(r, r.c.exchange_id == e.c.id))
        .where(*conditions)
    )
    return query
