"""The thresholds a timebank rates its reciprocity reports against, one row per figure it has set.

A figure with no row follows the default, which storage does not know: the services fill it in from
the report engine. Rows hold whole percent, named by the colours they separate (see
``timebank.db.report_tables``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select

from timebank.db.report_tables import report_rating_thresholds

__all__ = ["RatingThresholdRecord", "RatingThresholdRepository"]


@dataclass(frozen=True)
class RatingThresholdRecord:
    figure: str
    red_amber_percent: int
    amber_green_percent: int


class RatingThresholdRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def records(self, timebank_id: int) -> list[RatingThresholdRecord]:
        """The figures the timebank has set, by figure name."""
        t = report_rating_thresholds
        query = (
            select(t.c.figure, t.c.red_amber_percent, t.c.amber_green_percent)
            .where(t.c.timebank_id == timebank_id)
            .order_by(t.c.figure)
        )
        return [RatingThresholdRecord(*row) for row in self.connection.execute(query)]

    def replace(self, timebank_id: int, records: Iterable[RatingThresholdRecord]) -> None:
        """Keep exactly ``records`` for the timebank: a figure left out goes back to its default."""
        t = report_rating_thresholds
        self.connection.execute(delete(t).where(t.c.timebank_id == timebank_id))
        rows = [
            {
                "timebank_id": timebank_id,
                "figure": r.figure,
                "red_amber_percent": r.red_amber_percent,
                "amber_green_percent": r.amber_green_percent,
            }
            for r in records
        ]
        if rows:
            self.connection.execute(insert(t), rows)
