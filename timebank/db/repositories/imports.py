"""The record of imports: what each wrote, under the natural keys of its source (migration 0016).

An import looks its keys up before it writes, to skip what an earlier import brought, and records
each new key with what it made, in the same transaction as the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from timebank.db.import_tables import import_keys, imports
from timebank.db.people_tables import logins, members
from timebank.db.repositories.bulk import BulkWriter

__all__ = ["ImportRecord", "ImportRepository", "MemberHere"]

# SQLite binds at most 32 766 parameters in one statement; keys are looked up in slices.
_LOOKUP_SLICE = 5_000


@dataclass(frozen=True)
class ImportRecord:
    import_id: int
    source: str
    created_at: datetime


@dataclass(frozen=True)
class MemberHere:
    """A member already in the timebank, as an import may name them: by number, login or name."""

    member_id: int
    account_id: int
    display_name: str
    username: str | None
    erased: bool


class ImportRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def find(self, timebank_id: int, files_sha256: str) -> ImportRecord | None:
        row = self.connection.execute(
            select(imports.c.id, imports.c.source, imports.c.created_at).where(
                imports.c.timebank_id == timebank_id, imports.c.files_sha256 == files_sha256
            )
        ).first()
        return None if row is None else ImportRecord(int(row.id), row.source, row.created_at)

    def targets(self, timebank_id: int, kind: str, keys_sha256: Iterable[str]) -> dict[str, int]:
        """The ids that keys already stored for this timebank point at."""
        wanted = sorted(set(keys_sha256))
        found: dict[str, int] = {}
        for start in range(0, len(wanted), _LOOKUP_SLICE):
            rows = self.connection.execute(
                select(import_keys.c.natural_key_sha256, import_keys.c.target_id).where(
                    import_keys.c.timebank_id == timebank_id,
                    import_keys.c.kind == kind,
                    import_keys.c.natural_key_sha256.in_(wanted[start : start + _LOOKUP_SLICE]),
                )
            )
            found.update({key: int(target) for key, target in rows})
        return found

    def record(
        self,
        timebank_id: int,
        source: str,
        files_sha256: str,
        created_by: str,
        at: datetime,
        counts: tuple[int, int, int, int],
    ) -> int:
        members_added, exchanges_added, openings_added, posts_added = counts
        return int(
            self.connection.execute(
                insert(imports)
                .values(
                    timebank_id=timebank_id,
                    source=source,
                    files_sha256=files_sha256,
                    created_by=created_by,
                    created_at=at,
                    members_added=members_added,
                    exchanges_added=exchanges_added,
                    opening_balances_added=openings_added,
                    posts_added=posts_added,
                )
                .returning(imports.c.id)
            ).scalar_one()
        )

    def add_keys(
        self, timebank_id: int, import_id: int, kind: str, targets: Sequence[tuple[str, int]]
    ) -> None:
        BulkWriter(self.connection).insert(
            import_keys,
            (
                {
                    "timebank_id": timebank_id,
                    "kind": kind,
                    "natural_key_sha256": key,
                    "import_id": import_id,
                    "target_id": target,
                }
                for key, target in targets
            ),
        )

    def set_email(self, timebank_id: int, member_id: int, email: str) -> None:
        """An imported member's email, unverified: mail goes to it only once a link is followed."""
        self.connection.execute(
            update(members)
            .where(members.c.timebank_id == timebank_id, members.c.id == member_id)
            .values(email=email, email_verified_at=None)
        )

    def members_here(self, timebank_id: int) -> list[MemberHere]:
        """Every member of the timebank, for an import that names members added by hand.

        One row per member, so its size is the timebank's membership (thousands, not millions)."""
        rows = self.connection.execute(
            select(
                members.c.id,
                members.c.account_id,
                members.c.display_name,
                members.c.erased_at,
                logins.c.username,
            )
            .select_from(members.outerjoin(logins, logins.c.id == members.c.login_id))
            .where(members.c.timebank_id == timebank_id)
            .order_by(members.c.id)
        )
        return [
            MemberHere(int(r.id), int(r.account_id), r.display_name, r.username, r.erased_at is not None)
            for r in rows
        ]
