"""Activities and attendance: an organisation's events, who came, and what each of them chose.

Plain values in and out: a reward choice or a classification is its code (``"credits"``,
``"uses_services"``), as the benefits core spells it; the services turn codes into its enums.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, RowMapping, insert, select

from timebank.db.benefit_tables import activities, attendance
from timebank.errors import ActivityNotFound

__all__ = ["ActivityRecord", "ActivityRepository", "AttendanceRecord"]


@dataclass(frozen=True)
class ActivityRecord:
    activity_id: int
    timebank_id: int
    organisation_id: int
    title: str
    held_on: date
    duration_minutes: int
    classification: str
    purpose: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class AttendanceRecord:
    activity_id: int
    account_id: int
    minutes: int
    reward: str
    chosen_at: datetime
    recorded_by: str
    recognition_transaction_id: int | None


def _activity(values: RowMapping) -> ActivityRecord:
    return ActivityRecord(
        activity_id=values["id"],
        timebank_id=values["timebank_id"],
        organisation_id=values["organisation_id"],
        title=values["title"],
        held_on=values["held_on"],
        duration_minutes=values["duration_minutes"],
        classification=values["classification"],
        purpose=values["purpose"],
        created_by=values["created_by"],
        created_at=values["created_at"],
    )


class ActivityRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        organisation_id: int,
        title: str,
        held_on: date,
        duration_minutes: int,
        classification: str,
        purpose: str,
        created_by: str,
        created_at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                insert(activities)
                .values(
                    timebank_id=timebank_id,
                    organisation_id=organisation_id,
                    title=title,
                    held_on=held_on,
                    duration_minutes=duration_minutes,
                    classification=classification,
                    purpose=purpose,
                    created_by=created_by,
                    created_at=created_at,
                )
                .returning(activities.c.id)
            ).scalar_one()
        )

    def get(self, timebank_id: int, activity_id: int, *, lock: bool = False) -> ActivityRecord:
        """The activity; ``lock`` holds its row until the transaction ends (writers to it take turns)."""
        query = select(activities).where(
            activities.c.timebank_id == timebank_id, activities.c.id == activity_id
        )
        if lock:
            query = query.with_for_update()
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise ActivityNotFound(f"There is no activity {activity_id} in this timebank")
        return _activity(row)

    def page(
        self, timebank_id: int, organisation_id: int, *, after_id: int | None, limit: int
    ) -> list[ActivityRecord]:
        """The organisation's activities in id order (oldest first), after ``after_id``."""
        a = activities.c
        query = select(activities).where(a.timebank_id == timebank_id, a.organisation_id == organisation_id)
        if after_id is not None:
            query = query.where(a.id > after_id)
        rows = self.connection.execute(query.order_by(a.id).limit(limit)).mappings()
        return [_activity(row) for row in rows]

    def attendance(self, timebank_id: int, activity_id: int) -> list[AttendanceRecord]:
        """Everyone recorded at the activity, in account order."""
        rows = self.connection.execute(
            select(attendance)
            .where(attendance.c.timebank_id == timebank_id, attendance.c.activity_id == activity_id)
            .order_by(attendance.c.account_id)
        ).mappings()
        return [
            AttendanceRecord(
                activity_id=row["activity_id"],
                account_id=row["account_id"],
                minutes=row["minutes"],
                reward=row["reward"],
                chosen_at=row["chosen_at"],
                recorded_by=row["recorded_by"],
                recognition_transaction_id=row["recognition_transaction_id"],
            )
            for row in rows
        ]

    def attending(self, activity_id: int, account_ids: Sequence[int]) -> list[int]:
        """Which of ``account_ids`` already have their attendance recorded at the activity."""
        if not account_ids:
            return []
        return list(
            self.connection.execute(
                select(attendance.c.account_id)
                .where(attendance.c.activity_id == activity_id, attendance.c.account_id.in_(account_ids))
                .order_by(attendance.c.account_id)
            ).scalars()
        )

    def insert_attendance(self, timebank_id: int, rows: Sequence[AttendanceRecord]) -> None:
        if not rows:
            return
        self.connection.execute(
            insert(attendance),
            [
                {
                    "activity_id": row.activity_id,
                    "account_id": row.account_id,
                    "timebank_id": timebank_id,
                    "minutes": row.minutes,
                    "reward": row.reward,
                    "chosen_at": row.chosen_at,
                    "recorded_by": row.recorded_by,
                    "recognition_transaction_id": row.recognition_transaction_id,
                }
                for row in rows
            ],
        )
