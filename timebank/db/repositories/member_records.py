"""A member's own records of involvement, read for the download of everything held about them.

Three reads the other repositories do not make from the member's side: the activities they
attended, the activities they were invited to, and what they spent credits on, each joined to what
names it (the activity's title and day, the organisation, the option's title). Each read names the
timebank and takes a ``limit``, so a caller always knows how much it may get back.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, select

from timebank.db.benefit_tables import activities, activity_invitations, attendance
from timebank.db.people_tables import organisations
from timebank.db.spend_tables import spend_options, spends

__all__ = ["AttendedActivityRow", "InvitedActivityRow", "MemberRecordRepository", "SpentRow"]


@dataclass(frozen=True, slots=True)
class AttendedActivityRow:
    activity_id: int
    title: str
    held_on: date
    organisation_name: str
    minutes: int
    reward: str
    chosen_at: datetime


@dataclass(frozen=True, slots=True)
class InvitedActivityRow:
    activity_id: int
    title: str
    held_on: date
    organisation_name: str
    invited_at: datetime


@dataclass(frozen=True, slots=True)
class SpentRow:
    spend_id: int
    exchange_id: int
    spent_at: datetime
    option_title: str
    organisation_name: str
    spend_class: str
    acknowledgement: str | None


class MemberRecordRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def attended(self, timebank_id: int, account_id: int, limit: int) -> list[AttendedActivityRow]:
        """The activities the member attended, by day held then id, ``limit`` at most."""
        a, t, o = activities.c, attendance.c, organisations.c
        rows = self.connection.execute(
            select(a.id, a.title, a.held_on, o.name, t.minutes, t.reward, t.chosen_at)
            .select_from(attendance)
            .join(activities, a.id == t.activity_id)
            .join(organisations, o.id == a.organisation_id)
            .where(t.timebank_id == timebank_id, t.account_id == account_id)
            .order_by(a.held_on, a.id)
            .limit(limit)
        )
        return [AttendedActivityRow(*row) for row in rows]

    def invited(self, timebank_id: int, account_id: int, limit: int) -> list[InvitedActivityRow]:
        """The activities the member was invited to, by day held then id, ``limit`` at most."""
        a, i, o = activities.c, activity_invitations.c, organisations.c
        rows = self.connection.execute(
            select(a.id, a.title, a.held_on, o.name, i.invited_at)
            .select_from(activity_invitations)
            .join(activities, a.id == i.activity_id)
            .join(organisations, o.id == a.organisation_id)
            .where(i.timebank_id == timebank_id, i.account_id == account_id)
            .order_by(a.held_on, a.id)
            .limit(limit)
        )
        return [InvitedActivityRow(*row) for row in rows]

    def spent(self, timebank_id: int, account_id: int, limit: int) -> list[SpentRow]:
        """What the member spent credits on, oldest first, ``limit`` at most."""
        s, p, o = spends.c, spend_options.c, organisations.c
        rows = self.connection.execute(
            select(s.id, s.exchange_id, s.spent_at, p.title, o.name, s.spend_class, s.acknowledgement)
            .select_from(spends)
            .join(spend_options, p.id == s.spend_option_id)
            .join(organisations, o.id == p.organisation_id)
            .where(s.timebank_id == timebank_id, s.account_id == account_id)
            .order_by(s.spent_at, s.id)
            .limit(limit)
        )
        return [SpentRow(*row) for row in rows]
