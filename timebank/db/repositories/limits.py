"""The log of limit changes: every floor or cap set on an account, by whom, when and why."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, insert, select

from timebank.db.tables import limit_changes

__all__ = ["LimitChangeRepository"]


class LimitChangeRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        account_id: int,
        before: tuple[int, int | None],
        after: tuple[int, int | None],
        reason: str | None,
        changed_by: str,
        changed_at: datetime,
    ) -> None:
        self.connection.execute(
            insert(limit_changes).values(
                timebank_id=timebank_id,
                account_id=account_id,
                floor_minutes_before=before[0],
                cap_minutes_before=before[1],
                floor_minutes_after=after[0],
                cap_minutes_after=after[1],
                reason=reason,
                changed_by=changed_by,
                changed_at=changed_at,
            )
        )

    def for_account(self, timebank_id: int, account_id: int) -> list[dict[str, object]]:
        rows = self.connection.execute(
            select(limit_changes)
            .where(limit_changes.c.timebank_id == timebank_id, limit_changes.c.account_id == account_id)
            .order_by(limit_changes.c.id)
        ).mappings()
        return [dict(row) for row in rows]
