"""Idempotency records: the first answer to a keyed request, kept so a replay gets it again.

A key is unique per timebank and caller. The record holds a SHA-256 of the request, so the same key
sent with a different request is recognised and refused rather than silently answered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, text

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
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:lock_id)")


@dataclass(frozen=True)
class IdempotencyRecord:
    operation: str
    request_sha256: str
    response_json: str


class IdempotencyRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def try_claim(self, timebank_id: int, caller: str, key: str) -> bool:
        """Claim the key for this transaction; False if another transaction holds it right now.

        On PostgreSQL a transaction-scoped advisory lock on the key's hash does this, released at
        commit or rollback, so a retry that arrives while the first request is still running is told
        so at once instead of queueing behind it. SQLite runs one writer at a time: by the time a
        second writer begins, the first has finished, so there is nothing to claim.
        """
        if self.connection.dialect.name != "postgresql":
            return True
        digest = hashlib.sha256(f"{timebank_id}\x00{caller}\x00{key}".encode()).digest()
        lock_id = int.from_bytes(digest[:8], "big", signed=True)
        return bool(self.connection.execute(_TRY_LOCK, {"lock_id": lock_id}).scalar_one())

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
