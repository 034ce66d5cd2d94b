"""The audit log: append-only rows of who did what, when, about whom, in which timebank.

Rows are only ever inserted (triggers refuse UPDATE and DELETE on both databases). ``details`` is a
short JSON object written by the service; the repository stores it as given and never reads meaning
into it. Free text a person wrote with an entry (a coordinator's reason) is its ``note``, kept beside
the row in ``audit_notes``: the append-only row holds nothing that erasing a member would have to
remove (migration 0013).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select

from timebank.db.benefit_tables import AUDIT_DETAILS_LENGTH_MAX, audit_log, audit_notes
from timebank.db.people_tables import members

__all__ = ["AuditRecord", "AuditRepository"]


@dataclass(frozen=True)
class AuditRecord:
    audit_id: int | None  # None until written
    at: datetime
    actor: str
    action: str
    subject_account_id: int | None
    details: dict[str, Any]
    note: str | None = None  # free text written with the entry, kept off the append-only row


class AuditRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(self, timebank_id: int, records: Sequence[AuditRecord]) -> None:
        if not records:
            return
        rows = []
        for record in records:
            details = json.dumps(record.details, sort_keys=True, separators=(",", ":"))
            assert len(details) <= AUDIT_DETAILS_LENGTH_MAX, record.action
            assert record.note is None or len(record.note) <= AUDIT_DETAILS_LENGTH_MAX, record.action
            rows.append(
                {
                    "timebank_id": timebank_id,
                    "at": record.at,
                    "actor": record.actor,
                    "action": record.action,
                    "subject_account_id": record.subject_account_id,
                    "details": details,
                }
            )
        if all(record.note is None for record in records):
            self.connection.execute(insert(audit_log), rows)
            return
        # A note needs its entry's id: the entries are written one at a time, in order, so the log
        # keeps the order things happened in.
        for record, row in zip(records, rows, strict=True):
            audit_id = self.connection.execute(insert(audit_log).returning(audit_log.c.id), row).scalar_one()
            if record.note is not None:
                self.connection.execute(
                    insert(audit_notes),
                    {"audit_id": audit_id, "timebank_id": timebank_id, "note": record.note},
                )

    def entries(
        self,
        timebank_id: int,
        subject_account_id: int | None = None,
        *,
        limit: int = 1000,
        after_id: int | None = None,
        action: str | None = None,
    ) -> list[AuditRecord]:
        """The first ``limit`` audit rows after ``after_id`` (about one account, of one action, if
        named), oldest first."""
        a = audit_log.c
        query = (
            select(audit_log, audit_notes.c.note)
            .outerjoin(audit_notes, audit_notes.c.audit_id == a.id)
            .where(a.timebank_id == timebank_id)
        )
        if subject_account_id is not None:
            query = query.where(a.subject_account_id == subject_account_id)
        if action is not None:
            query = query.where(a.action == action)
        if after_id is not None:
            query = query.where(a.id > after_id)
        rows = self.connection.execute(query.order_by(a.id).limit(limit)).mappings()
        return [
            AuditRecord(
                audit_id=row["id"],
                at=row["at"],
                actor=row["actor"],
                action=row["action"],
                subject_account_id=row["subject_account_id"],
                details=json.loads(row["details"]),
                note=row["note"],
            )
            for row in rows
        ]

    def count_since(self, timebank_id: int, subject_account_id: int, action: str, since: datetime) -> int:
        """How many entries of ``action`` about the account were written at or after ``since`` (by the
        subject's index: a member's daily limit on messages is counted here)."""
        a = audit_log.c
        query = select(func.count()).where(
            a.timebank_id == timebank_id,
            a.subject_account_id == subject_account_id,
            a.at >= since,
            a.action == action,
        )
        return int(self.connection.execute(query).scalar_one())

    def actor_names(self, timebank_id: int, actors: Sequence[str]) -> dict[str, str]:
        """The names of the timebank's members behind ``login:N`` actors; other actors are left out."""
        login_ids = [int(actor[len("login:") :]) for actor in actors if _is_login(actor)]
        if not login_ids:
            return {}
        m = members.c
        rows = self.connection.execute(
            select(m.login_id, m.display_name).where(m.timebank_id == timebank_id, m.login_id.in_(login_ids))
        )
        return {f"login:{login_id}": name for login_id, name in rows}


def _is_login(actor: str) -> bool:
    return actor.startswith("login:") and actor[len("login:") :].isdigit() and len(actor) < 30
