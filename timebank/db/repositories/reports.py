"""The reciprocity report's totals, summed in SQL: per account, per ordered pair, per month.

The report engine (``timebank.reports``) never sees a single exchange; this repository hands it
totals from a handful of ``GROUP BY`` queries. Each query reads *counted legs*: one row per
(exchange, receiver) of a confirmed exchange whose giver and receiver are not both organisations
(help counts between members, or between a member and an organisation either way; the pot never
exchanges). A reversed exchange has status ``reversed``, so it drops out of every count and is
summed apart. Time flows giver → receiver: a leg's minutes are what its giver *gave*.

Dates: ``activity_date`` is a ``Date`` (text ``YYYY-MM-DD`` on SQLite, which sorts and compares
as dates do); the window ``[from_on, to_on)`` is compared on it directly. Months are cut from the
date as text ``YYYY-MM`` on each backend. Moments (when an account was opened, when a transfer
posted) are compared with midnight UTC at the window's ends: the ledger's clock is UTC.

Sums come back as ``Decimal`` on PostgreSQL (SUM of BIGINT is NUMERIC) and are made ``int`` here.
The rows returned are this module's own frozen values: storage does not import the engine; the
service turns them into the engine's inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Select,
    and_,
    case,
    cast,
    distinct,
    func,
    literal,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql import Subquery

from timebank.db.people_tables import member_tags, members, organisation_staff, organisations
from timebank.db.report_tables import report_account_months, report_pairs
from timebank.db.repositories.counted_legs import LegColumns, counted_legs, next_month_on
from timebank.db.tables import (
    accounts,
    limit_changes,
    transactions,
    transfers,
)

__all__ = [
    "AccountHistory",
    "ApartRow",
    "MemberTotals",
    "PairMonth",
    "Participant",
    "ReportRepository",
    "month_spans",
]

STAFF_TAG = "staff"
USES_SERVICES_TAG = "uses_services"


@dataclass(frozen=True)
class Participant:
    """A member or organisation account, as it stood at the window's end."""

    account_id: int
    is_organisation: bool
    is_staff: bool
    uses_services: bool
    in_group: bool
    opened_at: datetime
    balance_minutes: int
    floor_minutes: int


@dataclass(frozen=True)
class AccountHistory:
    """One account's counted legs before the window's end, summed."""

    account_id: int
    first_exchange_on: date
    last_exchange_on: date
    exchange_count: int  # distinct exchanges it took part in inside the window
    active_in_previous_window: bool


class PairMonth(NamedTuple):
    """What a giver gave a receiver in one calendar month of the window.

    A named tuple rather than a dataclass: a year's window has a third of a million of them, and a
    tuple is made several times faster.
    """

    giver_account_id: int
    receiver_account_id: int
    month_on: date
    minutes: int
    exchange_count: int
    first_exchange_on: date  # the pair's first counted exchange ever, in this direction


@dataclass(frozen=True)
class ApartRow:
    count: int
    minutes: int


@dataclass(frozen=True)
class MemberTotals:
    """One account's own figures for a window."""

    given_minutes: int
    received_minutes: int
    exchange_count: int
    partner_count: int
    last_exchange_on: date | None


# One account's part in a span of days: exchanges it took part in, exchanges it gave in, and the
# activity date of its last one.
Span = tuple[int, int, date]


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def month_spans(start_on: date, end_on: date) -> list[tuple[date, date, bool]]:
    """``[start_on, end_on)`` cut into a run of whole calendar months and the partial days around it.

    Each piece is ``(first_on, end_on, whole)``; with no whole month inside, the range is one
    partial piece (it may cross one month boundary, which a query on the legs does not mind).
    """
    first_whole_on = start_on if start_on.day == 1 else next_month_on(start_on)
    end_whole_on = end_on.replace(day=1)
    if first_whole_on >= end_whole_on:
        return [(start_on, end_on, False)] if start_on < end_on else []
    spans = []
    if start_on < first_whole_on:
        spans.append((start_on, first_whole_on, False))
    spans.append((first_whole_on, end_whole_on, True))
    if end_whole_on < end_on:
        spans.append((end_whole_on, end_on, False))
    return spans


def _month_start(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class ReportRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # The partial months a report reads from the legs, by span: the window's last days are
        # read for the window, for the last exchange before its end and for the month's count.
        self._spans_from_legs: dict[tuple[int, date, date], dict[int, Span]] = {}

    # --- building blocks ---------------------------------------------------------------------

    def _month_key(self, day: ColumnElement[date]) -> ColumnElement[str]:
        if self.connection.dialect.name == "postgresql":
            return func.to_char(day, "YYYY-MM")
        return func.substr(day, 1, 7)

    def _legs(
        self,
        timebank_id: int,
        start_on: date | None,
        end_on: date | None,
        *,
        status: str = "confirmed",
        account_id: int | None = None,
        side: str | None = None,
    ) -> Select[LegColumns]:
        """Counted legs with ``start_on <= activity_date < end_on`` (no bound where None).

        ``account_id`` with ``side`` ("giver" or "receiver") keeps one account's legs on that side,
        so the query can start from the giver index or the receiver index.
        """
        return counted_legs(
            timebank_id,
            start_on=start_on,
            end_on=end_on,
            status=status,
            giver_account_id=account_id if side == "giver" else None,
            receiver_account_id=account_id if side == "receiver" else None,
        )

    def _group_accounts(
        self, timebank_id: int, tag: str | None, organisation_id: int | None
    ) -> Select[tuple[int]] | None:
        """The accounts of the group, or None for the whole timebank.

        A tag's group is the members carrying it. An organisation's group is its own account and
        the members linked to it as staff: the organisation is a party to its exchanges but never a
        member, so it never makes a group big enough (the engine counts only members).
        """
        if tag is not None:
            return (
                select(members.c.account_id)
                .join(member_tags, member_tags.c.member_id == members.c.id)
                .where(member_tags.c.timebank_id == timebank_id, member_tags.c.tag == tag)
            )
        if organisation_id is not None:
            staff = (
                select(members.c.account_id)
                .join(organisation_staff, organisation_staff.c.member_id == members.c.id)
                .where(
                    organisation_staff.c.timebank_id == timebank_id,
                    organisation_staff.c.organisation_id == organisation_id,
                )
            )
            own = select(organisations.c.account_id).where(
                organisations.c.timebank_id == timebank_id, organisations.c.id == organisation_id
            )
            return select(union_all(staff, own).subquery().c.account_id)
        return None

    # --- the report's totals -----------------------------------------------------------------

    def pair_months(self, timebank_id: int, from_on: date, to_on: date) -> list[PairMonth]:
        """Minutes and exchanges per (giver, receiver, month) in the window, with the pair's first date.

        The window's legs are summed here; the first exchange ever of each pair comes from the
        running totals (``report_pairs``), joined on its key, instead of from all of history.
        """
        legs = self._legs(timebank_id, from_on, to_on).subquery()
        month = self._month_key(legs.c.activity_on).label("month")
        sums = (
            select(
                legs.c.giver,
                legs.c.receiver,
                month,
                # SUM of BIGINT is NUMERIC on PostgreSQL, read as Decimal: slow, for 150,000 rows.
                cast(func.sum(legs.c.minutes), BigInteger).label("minutes"),
                func.count().label("legs"),
            )
            .group_by(legs.c.giver, legs.c.receiver, month)
            .subquery()
        )
        p = report_pairs.c
        rows = self.connection.execute(
            select(
                sums.c.giver, sums.c.receiver, sums.c.month, sums.c.minutes, sums.c.legs, p.first_on
            ).select_from(
                sums.join(
                    report_pairs,
                    and_(
                        p.timebank_id == timebank_id,
                        p.giver_account_id == sums.c.giver,
                        p.receiver_account_id == sums.c.receiver,
                    ),
                )
            )
        )
        months: dict[str, date] = {}  # a few distinct months, parsed once each
        result = []
        for giver, receiver, month_text, minutes, count, first_on in rows.all():
            month_on = months.get(month_text)
            if month_on is None:
                month_on = months[month_text] = _month_start(month_text)
            result.append(PairMonth(giver, receiver, month_on, minutes, count, first_on))
        return result

    def _span_from_rollups(self, timebank_id: int, start_on: date, end_on: date) -> dict[int, Span]:
        """Per account, over the whole months in ``[start_on, end_on)``, from the running totals."""
        m = report_account_months.c
        rows = self.connection.execute(
            select(
                m.account_id,
                func.sum(m.exchange_count),
                func.sum(m.given_exchange_count),
                func.max(m.last_on),
            )
            .where(m.timebank_id == timebank_id, m.month_on >= start_on, m.month_on < end_on)
            .group_by(m.account_id)
        )
        return {account_id: (int(n), int(given), last_on) for account_id, n, given, last_on in rows}

    def _span_from_legs(self, timebank_id: int, start_on: date, end_on: date) -> dict[int, Span]:
        """Per account, from the legs of the days ``[start_on, end_on)`` (read once per span)."""
        key = (timebank_id, start_on, end_on)
        if key not in self._spans_from_legs:
            self._spans_from_legs[key] = self._read_span_from_legs(timebank_id, start_on, end_on)
        return self._spans_from_legs[key]

    def _read_span_from_legs(self, timebank_id: int, start_on: date, end_on: date) -> dict[int, Span]:
        # The legs are read once (a materialised CTE) and summed by giver and by receiver. An
        # account is never both in one exchange, and a receiver has one leg per exchange, so its
        # exchanges are the distinct ones it gave in plus the legs it received.
        legs = self._legs(timebank_id, start_on, end_on).cte("span_legs").prefix_with("MATERIALIZED")
        gave = select(
            legs.c.giver,
            literal(1),
            func.count(distinct(legs.c.exchange_id)),
            func.max(legs.c.activity_on),
        ).group_by(legs.c.giver)
        got = select(legs.c.receiver, literal(0), func.count(), func.max(legs.c.activity_on)).group_by(
            legs.c.receiver
        )
        spans: dict[int, Span] = {}
        for account_id, is_giver, n, last_on in self.connection.execute(union_all(gave, got)).all():
            given = n if is_giver else 0
            before = spans.get(account_id)
            if before is not None:
                n, given, last_on = before[0] + n, before[1] + given, max(before[2], last_on)
            spans[account_id] = (n, given, last_on)
        return spans

    def account_spans(self, timebank_id: int, start_on: date, end_on: date) -> dict[int, Span]:
        """Per account that took part in ``[start_on, end_on)``: exchanges, exchanges given, last date.

        Whole calendar months come from the running totals; the partial months at either end (at
        most one at each) from the legs of those days alone.
        """
        totals: dict[int, Span] = {}
        for first_on, last_on, whole in month_spans(start_on, end_on):
            read = self._span_from_rollups if whole else self._span_from_legs
            for account_id, (n, given, last) in read(timebank_id, first_on, last_on).items():
                before = totals.get(account_id)
                totals[account_id] = (
                    (n, given, last)
                    if before is None
                    else (before[0] + n, before[1] + given, max(before[2], last))
                )
        return totals

    def account_histories(self, timebank_id: int, from_on: date, to_on: date) -> list[AccountHistory]:
        """Per account: first and last exchange before ``to_on``, window exchanges, previous window."""
        m = report_account_months.c
        to_month_on = to_on.replace(day=1)
        # The first ever (a month's first date before to_on is the account's first before to_on)
        # and the last in the months before to_on's month.
        rows = self.connection.execute(
            select(
                m.account_id,
                func.min(m.first_on),
                func.max(case((m.month_on < to_month_on, m.last_on))),
            )
            .where(m.timebank_id == timebank_id, m.first_on < to_on)
            .group_by(m.account_id)
        )
        first_last = {account_id: (first_on, last_on) for account_id, first_on, last_on in rows}
        # The days of to_on's month before it, if any, from the legs.
        latest = self._span_from_legs(timebank_id, to_month_on, to_on) if to_month_on < to_on else {}
        window = self.account_spans(timebank_id, from_on, to_on)
        previous_from_on = from_on - (to_on - from_on)
        previous = self.account_spans(timebank_id, previous_from_on, from_on)
        histories = []
        for account_id, (first_on, last_on) in first_last.items():
            recent = latest.get(account_id)
            if recent is not None:
                last_on = recent[2] if last_on is None else max(last_on, recent[2])
            assert last_on is not None  # it took part before to_on, so in some month before it
            in_window = window.get(account_id)
            histories.append(
                AccountHistory(
                    account_id,
                    first_on,
                    last_on,
                    0 if in_window is None else in_window[0],
                    account_id in previous,
                )
            )
        return histories

    def exchange_counts_by_month(
        self,
        timebank_id: int,
        from_on: date,
        to_on: date,
        tag: str | None,
        organisation_id: int | None,
    ) -> dict[date, int]:
        """Distinct counted exchanges per month with at least one party in the group.

        For the whole timebank, each exchange has one giver: a whole month's count is the sum of
        its givers' counts in the running totals. A group's count needs the legs themselves.
        """
        group = self._group_accounts(timebank_id, tag, organisation_id)
        counts: dict[date, int] = {}
        for first_on, end_on, whole in month_spans(from_on, to_on):
            if whole and group is None:
                m = report_account_months.c
                rows = self.connection.execute(
                    select(m.month_on, func.sum(m.given_exchange_count))
                    .where(m.timebank_id == timebank_id, m.month_on >= first_on, m.month_on < end_on)
                    .group_by(m.month_on)
                )
                counts.update({month_on: int(n) for month_on, n in rows if n})
                continue
            if group is None and first_on.replace(day=1) == (end_on - timedelta(days=1)).replace(day=1):
                # Days within one month: each exchange has one giver, as in the totals.
                given = sum(span[1] for span in self._span_from_legs(timebank_id, first_on, end_on).values())
                if given:
                    counts[first_on.replace(day=1)] = given
                continue
            legs = self._legs(timebank_id, first_on, end_on).subquery()
            month = self._month_key(legs.c.activity_on).label("month")
            query = select(month, func.count(distinct(legs.c.exchange_id))).group_by(month)
            if group is not None:
                query = query.where(or_(legs.c.giver.in_(group), legs.c.receiver.in_(group)))
            counts.update({_month_start(text): n for text, n in self.connection.execute(query)})
        return counts

    def participants(
        self,
        timebank_id: int,
        to_on: date,
        tag: str | None,
        organisation_id: int | None,
        now: datetime | None = None,
    ) -> list[Participant]:
        """Every member and organisation account, with its balance and floor at ``to_on``.

        The balance at a moment is the balance-after of the account's last transfer posted before
        it: one descent of the per-side ``(account, posted_at, id)`` index for each side, then the
        later of the two. Posting time, not activity date: a balance is the ledger's, and the
        ledger moved the credits when the exchange posted.

        A window that ends after ``now`` (the rolling 90 days ends at tomorrow's midnight) ends
        after every transfer yet posted: its balances are the accounts' own, read directly.
        """
        to_at = midnight_utc(to_on)
        a, t = accounts, transfers
        current = now is not None and to_at > now
        last = {}
        for side, own in (("out", t.c.source_account_id), ("in", t.c.target_account_id)):
            last[side] = (
                select(t.c.id)
                .where(own == a.c.id, t.c.posted_at < to_at)
                .order_by(t.c.posted_at.desc(), t.c.id.desc())
                .limit(1)
                .scalar_subquery()
            )
        member_of_tag = {
            tag_name: select(members.c.account_id)
            .join(member_tags, member_tags.c.member_id == members.c.id)
            .where(member_tags.c.timebank_id == timebank_id, member_tags.c.tag == tag_name)
            for tag_name in (STAFF_TAG, USES_SERVICES_TAG)
        }
        group = self._group_accounts(timebank_id, tag, organisation_id)
        in_group = literal(True) if group is None else a.c.id.in_(group)
        base = (
            select(
                a.c.id.label("account_id"),
                a.c.kind,
                a.c.created_at,
                a.c.floor_minutes,
                a.c.id.in_(member_of_tag[STAFF_TAG]).label("is_staff"),
                a.c.id.in_(member_of_tag[USES_SERVICES_TAG]).label("uses_services"),
                in_group.label("in_group"),
                a.c.balance_minutes,
                (cast(null(), BigInteger) if current else last["out"]).label("out_id"),
                (cast(null(), BigInteger) if current else last["in"]).label("in_id"),
            )
            .where(a.c.timebank_id == timebank_id, a.c.kind.in_(("member", "organisation")))
            .subquery()
        )
        out, into = transfers.alias("last_out"), transfers.alias("last_in")
        rows = self.connection.execute(
            select(
                base,
                out.c.posted_at.label("out_at"),
                out.c.source_balance_after_minutes.label("out_balance"),
                into.c.posted_at.label("in_at"),
                into.c.target_balance_after_minutes.label("in_balance"),
            )
            .select_from(
                base.outerjoin(out, out.c.id == base.c.out_id).outerjoin(into, into.c.id == base.c.in_id)
            )
            .order_by(base.c.account_id)
        ).mappings()
        floors = self._floors_at(timebank_id, to_at)
        return [
            Participant(
                account_id=row["account_id"],
                is_organisation=row["kind"] == "organisation",
                is_staff=bool(row["is_staff"]) and row["kind"] == "member",
                uses_services=bool(row["uses_services"]) and row["kind"] == "member",
                in_group=bool(row["in_group"]),
                opened_at=row["created_at"],
                balance_minutes=row["balance_minutes"] if current else _later_balance(row),
                floor_minutes=floors.get(row["account_id"], row["floor_minutes"]),
            )
            for row in rows
        ]

    def _floors_at(self, timebank_id: int, to_at: datetime) -> dict[int, int]:
        """The floor before the first change at or after ``to_at``, for accounts changed since.

        Limits change a few times a year at most; the log's rows since the window's end are few.
        """
        lc = limit_changes
        rows = self.connection.execute(
            select(lc.c.account_id, lc.c.floor_minutes_before)
            .where(lc.c.timebank_id == timebank_id, lc.c.changed_at >= to_at)
            .order_by(lc.c.account_id, lc.c.changed_at.desc(), lc.c.id.desc())
        )
        # Later rows overwrite earlier ones: the last written per account is its first change.
        return {account_id: floor for account_id, floor in rows}

    def reported_apart(
        self, timebank_id: int, from_on: date, to_on: date
    ) -> tuple[ApartRow, ApartRow, ApartRow]:
        """Pot grants and recognition posted in the window, and reversed exchanges dated in it.

        Counts and minutes. A pot grant has no activity date, and a recognition's credits move when
        it is posted: the day each was posted (UTC) places it in a window.
        """
        tx, t = transactions, transfers
        posted = {
            kind: ApartRow(count, int(minutes))
            for kind, count, minutes in self.connection.execute(
                select(tx.c.kind, func.count(distinct(tx.c.id)), func.coalesce(func.sum(t.c.minutes), 0))
                .select_from(tx.join(t, t.c.transaction_id == tx.c.id))
                .where(
                    tx.c.timebank_id == timebank_id,
                    tx.c.kind.in_(("pot_grant", "recognition")),
                    tx.c.created_at >= midnight_utc(from_on),
                    tx.c.created_at < midnight_utc(to_on),
                )
                .group_by(tx.c.kind)
            )
        }
        legs = self._legs(timebank_id, from_on, to_on, status="reversed").subquery()
        reversed_ = self.connection.execute(
            select(func.count(distinct(legs.c.exchange_id)), func.coalesce(func.sum(legs.c.minutes), 0))
        ).one()
        none = ApartRow(0, 0)
        return (
            posted.get("pot_grant", none),
            posted.get("recognition", none),
            ApartRow(reversed_[0], int(reversed_[1])),
        )

    # --- one member --------------------------------------------------------------------------

    def member_totals(self, timebank_id: int, account_id: int, from_on: date, to_on: date) -> MemberTotals:
        """One account's window figures, from its own legs in the window (the giver and receiver
        indexes) and, when it had none, its last exchange before the window from the running totals.
        """
        legs = self._account_legs(timebank_id, account_id, from_on, to_on)
        partner = case((legs.c.gave == 1, legs.c.receiver), else_=legs.c.giver)
        row = self.connection.execute(
            select(
                func.coalesce(func.sum(case((legs.c.gave == 1, legs.c.minutes), else_=0)), 0),
                func.coalesce(func.sum(case((legs.c.gave == 0, legs.c.minutes), else_=0)), 0),
                func.count(distinct(legs.c.exchange_id)),
                func.count(distinct(partner)),
                func.max(legs.c.activity_on),
            )
        ).one()
        last_on = (
            row[4] if row[4] is not None else self._last_exchange_before(timebank_id, account_id, from_on)
        )
        return MemberTotals(int(row[0]), int(row[1]), row[2], row[3], last_on)

    def _account_legs(self, timebank_id: int, account_id: int, start_on: date, end_on: date) -> Subquery:
        """One account's counted legs in ``[start_on, end_on)``, marked ``gave`` 1 or 0."""
        gave = self._legs(timebank_id, start_on, end_on, account_id=account_id, side="giver")
        got = self._legs(timebank_id, start_on, end_on, account_id=account_id, side="receiver")
        return union_all(
            select(gave.subquery()).add_columns(literal(1).label("gave")),
            select(got.subquery()).add_columns(literal(0).label("gave")),
        ).subquery()

    def _last_exchange_before(self, timebank_id: int, account_id: int, day: date) -> date | None:
        """The activity date of the account's last counted exchange before ``day``.

        A month's row holds its last date; in ``day``'s own month that date may fall on or after
        ``day``, so the days of that month before it are read from the legs.
        """
        month_on = day.replace(day=1)
        m = report_account_months.c
        before_month = self.connection.execute(
            select(func.max(m.last_on)).where(
                m.timebank_id == timebank_id, m.account_id == account_id, m.month_on < month_on
            )
        ).scalar_one()
        if month_on < day:
            legs = self._account_legs(timebank_id, account_id, month_on, day)
            in_month = self.connection.execute(select(func.max(legs.c.activity_on))).scalar_one()
            if in_month is not None:
                return in_month  # type: ignore[no-any-return]
        return before_month  # type: ignore[no-any-return]


def _later_balance(values: RowMapping) -> int:
    """The balance after whichever side's last transfer posted later (0: none before the end)."""
    out_key = None if values["out_id"] is None else (values["out_at"], values["out_id"])
    in_key = None if values["in_id"] is None else (values["in_at"], values["in_id"])
    if out_key is None and in_key is None:
        return 0
    if in_key is None or (out_key is not None and out_key > in_key):
        return int(values["out_balance"])
    return int(values["in_balance"])
