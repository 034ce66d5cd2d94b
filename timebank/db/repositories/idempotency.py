"""Idempotency records: the first answer to a keyed request, kept so a replay gets it again.

A key is unique per timebank and caller. The record holds a SHA-256 of the request, so the same key
sent with a different request is recognised and refused rather than silently answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select

from timebank.db.tables import idempotency_keys

__all__ = ["IdempotencyRecord", "IdempotencyRepository"]

_FIND = select(
    idempotency_keys.c.operation,
    idempotency_keys.c.request_sha256,
    idempotency_keys.c.response_json,
).where(
    idempotency_keys.c.timebank_id == bindparam("timebank_id"),
    idempotency_keys.c.caller == bindparam("caller"),
    idempotency_keys.c.key == bindparam("key"),
)
_INSERT = insert(idempotency_keys)


@dataclass(frozen=True)
class IdempotencyRecord:
    operation: str
    request_sha256: str
    response_json: str


class IdempotencyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, timebank_id: int, caller: str, key: str) -> IdempotencyRecord | None:
        row = self.connection.execute(
            _FIND, {"timebank_id": timebank_id, "caller": caller, "key": key}
        ).first()
        if row is None:
            return None
        return IdempotencyRecord(operation=row[0], request_sha256=row[1], response_json=row[2])

    def insert(
        self,
        timebank_id: int,
        caller: str,
        key: str,
        operation: str,
        request_sha256: str,
        response_json: str,
        created_at: datetime,
    ) -> None:
        self.connection.execute(
            _INSERT,
            {
                "timebank_id": timebank_id,
                "caller": caller,
                "key": key,
                "operation": operation,
                "request_sha256": request_sha256,
                "response_json": response_json,
                "created_at": created_at,
            },
        )
