"""The reciprocity report's totals, summed in SQL: per account, per ordered pair, per month.

The report engine (``timebank.reports``) never sees a single exchange; this repository hands it
totals from a handful of ``GROUP BY`` queries, and its ``columns`` (``report_columns``) read the
window's pairs and account-months, the bulk of a report, as numpy columns. Each query reads
*counted legs*: one row per (exchange, receiver) of a confirmed exchange whose giver and receiver
are not both organisations (help counts between members, or between a member and an organisation
either way; the pot never exchanges). A reversed exchange has status ``reversed``, so it drops out
of every count and is summed apart. Time flows giver → receiver: a leg's minutes are what its giver *gave*.

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
from datetime import UTC, date, datetime, time

import numpy as np
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
    or_,
    select,
    union_all,
)
from sqlalchemy.sql import Subquery

from timebank.db.people_tables import member_tags, members, organisation_staff, organisations
from timebank.db.report_tables import report_account_months
from timebank.db.repositories.counted_legs import LegColumns, counted_legs
from timebank.db.repositories.report_columns import ParticipantColumns, ReportColumnReads
from timebank.db.tables import (
    accounts,
    limit_changes,
    transactions,
    transfers,
)

__all__ = [
    "ApartRow",
    "GivenReceived",
    "MemberTotals",
    "ReportRepository",
]

STAFF_TAG = "staff"
USES_SERVICES_TAG = "uses_services"


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


@dataclass(frozen=True)
class GivenReceived:
    """One account's minutes given and received in exchanges: since a month began, and in all."""

    given_since_minutes: int
    received_since_minutes: int
    given_minutes: int
    received_minutes: int


def midnight_utc(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _month_start(text: str) -> date:
    year, month = text.split("-")
    return date(int(year), int(month), 1)


class ReportRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        # The bulk reads (pairs, account-months, legs) as numpy columns.
        self.columns = ReportColumnReads(connection)

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

    def group_accounts(
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

    def group_exchange_counts_by_month(
        self, timebank_id: int, from_on: date, to_on: date, group: Select[tuple[int]]
    ) -> dict[date, int]:
        """Distinct counted exchanges per month of the window with at least one party in the group.

        (For the whole timebank the running totals know each month's count: ``columns``.)
        """
        legs = self._legs(timebank_id, from_on, to_on).subquery()
        month = self._month_key(legs.c.activity_on).label("month")
        query = (
            select(month, func.count(distinct(legs.c.exchange_id)))
            .where(or_(legs.c.giver.in_(group), legs.c.receiver.in_(group)))
            .group_by(month)
        )
        return {_month_start(text): n for text, n in self.connection.execute(query)}

    def participants(
        self,
        timebank_id: int,
        to_on: date,
        tag: str | None,
        organisation_id: int | None,
        now: datetime | None = None,
    ) -> ParticipantColumns:
        """Every member and organisation account, with its balance and floor at ``to_on``, and the
        last day of its membership if that has ended.

        The balance at a moment is the balance-after of the account's last transfer posted before
        it: one descent of the per-side ``(account, posted_at, id)`` index for each side, then the
        later of the two. Posting time, not activity date: a balance is the ledger's, and the
        ledger moved the credits when the exchange posted.

        A window that ends after ``now`` (the rolling 90 days ends at tomorrow's midnight) ends
        after every transfer yet posted: its balances are the accounts' own, read directly.
        """
        to_at = midnight_utc(to_on)
        a = accounts
        member_of_tag = {
            tag_name: select(members.c.account_id)
            .join(member_tags, member_tags.c.member_id == members.c.id)
            .where(member_tags.c.timebank_id == timebank_id, member_tags.c.tag == tag_name)
            for tag_name in (STAFF_TAG, USES_SERVICES_TAG)
        }
        group = self.group_accounts(timebank_id, tag, organisation_id)
        is_member = a.c.kind == "member"
        flags = {
            "is_organisation": a.c.kind == "organisation",
            # The tags are a member's; an organisation never carries them.
            "is_staff": and_(is_member, a.c.id.in_(member_of_tag[STAFF_TAG])),
            "uses_services": and_(is_member, a.c.id.in_(member_of_tag[USES_SERVICES_TAG])),
            "in_group": literal(True) if group is None else a.c.id.in_(group),
        }
        balance: ColumnElement[int] = a.c.balance_minutes
        if now is None or to_at <= now:
            balance = self._balance_at(to_at)
        # The last day of a membership that ended: the member's row, one indexed lookup an account.
        ended_on = (
            select(members.c.membership_ended_on).where(members.c.account_id == a.c.id).scalar_subquery()
        )
        query = select(
            a.c.id,
            *(case((flag, 1), else_=0) for flag in flags.values()),
            self.columns.day_number(self.columns.utc_date(a.c.created_at)),
            cast(balance, BigInteger),
            a.c.floor_minutes,
            func.coalesce(self.columns.day_number(ended_on), 0),
        ).where(a.c.timebank_id == timebank_id, a.c.kind.in_(("member", "organisation")))
        read = self.columns.columns(query, 9)
        order = np.argsort(read[0])  # by account id
        columns = ParticipantColumns(*(column[order] for column in read))
        for account_id, floor_minutes in self._floors_at(timebank_id, to_at).items():
            columns.floor_minutes[columns.account_id == account_id] = floor_minutes
        return columns

    def _balance_at(self, to_at: datetime) -> ColumnElement[int]:
        """An account's balance at ``to_at``: after whichever side's last transfer before it posted
        later (0 when none did)."""
        a, t = accounts, transfers
        sides = {}
        for side, own, after in (
            ("out", t.c.source_account_id, t.c.source_balance_after_minutes),
            ("in", t.c.target_account_id, t.c.target_balance_after_minutes),
        ):
            last = (
                select(t.c.posted_at, t.c.id, after.label("balance"))
                .where(own == a.c.id, t.c.posted_at < to_at)
                .order_by(t.c.posted_at.desc(), t.c.id.desc())
                .limit(1)
            )
            sides[side] = {
                name: last.with_only_columns(column).scalar_subquery()
                for name, column in (("at", t.c.posted_at), ("id", t.c.id), ("balance", after))
            }
        out, into = sides["out"], sides["in"]
        out_later = or_(
            into["at"].is_(None),
            out["at"] > into["at"],
            and_(out["at"] == into["at"], out["id"] > into["id"]),
        )
        return case(
            (and_(out["at"].is_(None), into["at"].is_(None)), 0),
            (and_(out["at"].is_not(None), out_later), out["balance"]),
            else_=into["balance"],
        )

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

    def given_received(self, timebank_id: int, account_id: int, since_month_on: date) -> GivenReceived:
        """An account's minutes given and received since ``since_month_on`` (a month's first day) and
        in all, from its monthly running totals: one indexed read of a row a month, however many
        exchanges (a member's home page asks on every visit). The totals count what the report's
        legs count (a reversed exchange in neither), and are kept in the transaction that posts.
        """
        m = report_account_months.c
        since = m.month_on >= since_month_on
        row = self.connection.execute(
            select(
                func.coalesce(func.sum(case((since, m.given_minutes), else_=0)), 0),
                func.coalesce(func.sum(case((since, m.received_minutes), else_=0)), 0),
                func.coalesce(func.sum(m.given_minutes), 0),
                func.coalesce(func.sum(m.received_minutes), 0),
            ).where(m.timebank_id == timebank_id, m.account_id == account_id)
        ).one()
        return GivenReceived(*(int(value) for value in row))

    def member_totals(self, timebank_id: int, account_id: int, from_on: date, to_on: date) -> MemberTotals:
        """One account's window figures, from its own legs in the window (the giver and receiver
        indexes) and, when it had none, its last exchange before the window from the running totals.

        In a transaction on PostgreSQL (the service reads a snapshot), the query runs without
        parallel workers: a busy member's few thousand legs take a quarter less time than starting
        the workers costs.
        """
        if self.connection.dialect.name == "postgresql" and self.connection.in_transaction():
            self.connection.exec_driver_sql("SET LOCAL max_parallel_workers_per_gather = 0")
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
        before_month: date | None = self.connection.execute(
            select(func.max(m.last_on)).where(
                m.timebank_id == timebank_id, m.account_id == account_id, m.month_on < month_on
            )
        ).scalar_one()
        if month_on < day:
            legs = self._account_legs(timebank_id, account_id, month_on, day)
            in_month: date | None = self.connection.execute(select(func.max(legs.c.activity_on))).scalar_one()
            if in_month is not None:
                return in_month
        return before_month
