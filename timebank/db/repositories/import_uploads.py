"""Uploads waiting to be confirmed, and the record of past imports as coordinators list them.

An upload (migration 0017) is stored only once its dry run passed; its files are kept beside it
until it is imported or expires. Every query names the timebank: another timebank's upload is never
found, whatever its id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, func, insert, select, update

from timebank.db.import_tables import import_upload_files, import_uploads, imports

__all__ = ["ImportSummaryRecord", "ImportUploadRecord", "ImportUploadRepository"]


@dataclass(frozen=True)
class ImportUploadRecord:
    upload_id: int
    source: str
    files_sha256: str
    file_count: int
    bytes_total: int
    created_by: str
    created_at: datetime
    expires_at: datetime
    state: str
    checked_report_json: str
    imported_report_json: str | None
    imported_at: datetime | None
    import_id: int | None
    openings_from_id: int | None = None


@dataclass(frozen=True)
class ImportSummaryRecord:
    """One row of ``imports``: an import that wrote something."""

    import_id: int
    source: str
    created_by: str
    created_at: datetime
    members_added: int
    exchanges_added: int
    opening_balances_added: int
    posts_added: int


def _record(row: object) -> ImportUploadRecord:
    r = row._mapping  # type: ignore[attr-defined]
    return ImportUploadRecord(
        upload_id=int(r["id"]),
        source=r["source"],
        files_sha256=r["files_sha256"],
        file_count=int(r["file_count"]),
        bytes_total=int(r["bytes_total"]),
        created_by=r["created_by"],
        created_at=r["created_at"],
        expires_at=r["expires_at"],
        state=r["state"],
        checked_report_json=r["checked_report_json"],
        imported_report_json=r["imported_report_json"],
        imported_at=r["imported_at"],
        import_id=None if r["import_id"] is None else int(r["import_id"]),
        openings_from_id=(None if r["openings_from_id"] is None else int(r["openings_from_id"])),
    )


class ImportUploadRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(
        self,
        timebank_id: int,
        source: str,
        files_sha256: str,
        files: Sequence[tuple[str, bytes]],
        created_by: str,
        created_at: datetime,
        expires_at: datetime,
        report_json: str,
        openings_from_id: int | None = None,
    ) -> int:
        upload_id = int(
            self.connection.execute(
                insert(import_uploads)
                .values(
                    timebank_id=timebank_id,
                    source=source,
                    files_sha256=files_sha256,
                    file_count=len(files),
                    bytes_total=sum(len(content) for _, content in files),
                    created_by=created_by,
                    created_at=created_at,
                    expires_at=expires_at,
                    state="checked",
                    checked_report_json=report_json,
                    openings_from_id=openings_from_id,
                )
                .returning(import_uploads.c.id)
            ).scalar_one()
        )
        self.connection.execute(
            insert(import_upload_files),
            [
                {"timebank_id": timebank_id, "upload_id": upload_id, "position": i, "name": n, "content": c}
                for i, (n, c) in enumerate(files)
            ],
        )
        return upload_id

    def get(self, timebank_id: int, upload_id: int, *, for_update: bool = False) -> ImportUploadRecord | None:
        query = select(import_uploads).where(
            import_uploads.c.timebank_id == timebank_id, import_uploads.c.id == upload_id
        )
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        return None if row is None else _record(row)

    def file_sizes(self, timebank_id: int, upload_id: int) -> list[tuple[str, int]]:
        """Each file's name and size in bytes, in the order they were sent (none once imported)."""
        f = import_upload_files.c
        rows = self.connection.execute(
            select(f.name, func.length(f.content))
            .where(f.timebank_id == timebank_id, f.upload_id == upload_id)
            .order_by(f.position)
        )
        return [(name, int(size)) for name, size in rows]

    def files(self, timebank_id: int, upload_id: int) -> list[tuple[str, bytes]]:
        f = import_upload_files.c
        rows = self.connection.execute(
            select(f.name, f.content)
            .where(f.timebank_id == timebank_id, f.upload_id == upload_id)
            .order_by(f.position)
        )
        return [(name, bytes(content)) for name, content in rows]

    def mark_imported(
        self, timebank_id: int, upload_id: int, report_json: str, at: datetime, import_id: int | None
    ) -> None:
        """Record the import's result and let the bytes go: the import itself is recorded."""
        self.connection.execute(
            update(import_uploads)
            .where(
                import_uploads.c.timebank_id == timebank_id,
                import_uploads.c.id == upload_id,
                import_uploads.c.state == "checked",
            )
            .values(state="imported", imported_report_json=report_json, imported_at=at, import_id=import_id)
        )
        self._delete_files(timebank_id, [upload_id])

    def count_waiting(self, timebank_id: int, now: datetime) -> int:
        u = import_uploads.c
        query = select(func.count()).where(
            u.timebank_id == timebank_id, u.state == "checked", u.expires_at > now
        )
        return int(self.connection.execute(query).scalar_one())

    def waiting(self, timebank_id: int, now: datetime, limit: int) -> list[ImportUploadRecord]:
        """Uploads checked and not yet expired, newest first."""
        u = import_uploads.c
        rows = self.connection.execute(
            select(import_uploads)
            .where(u.timebank_id == timebank_id, u.state == "checked", u.expires_at > now)
            .order_by(u.created_at.desc(), u.id.desc())
            .limit(limit)
        )
        return [_record(row) for row in rows]

    def delete_expired(self, now: datetime, timebank_id: int | None = None) -> int:
        """Delete uploads past their expiry (in one timebank, or in all), with their files."""
        u = import_uploads.c
        query = select(u.timebank_id, u.id).where(u.expires_at <= now)
        if timebank_id is not None:
            query = query.where(u.timebank_id == timebank_id)
        found = self.connection.execute(query).all()
        by_timebank: dict[int, list[int]] = {}
        for tb, upload_id in found:
            by_timebank.setdefault(int(tb), []).append(int(upload_id))
        for tb, ids in by_timebank.items():
            self._delete_files(tb, ids)
            self.connection.execute(delete(import_uploads).where(u.timebank_id == tb, u.id.in_(ids)))
        return len(found)

    def delete_waiting(self, timebank_id: int) -> int:
        """Delete the timebank's uploads not yet imported, with their files (an erasure's part)."""
        u = import_uploads.c
        ids = [
            int(i)
            for i in self.connection.execute(
                select(u.id).where(u.timebank_id == timebank_id, u.state == "checked")
            ).scalars()
        ]
        if ids:
            self._delete_files(timebank_id, ids)
            self.connection.execute(delete(import_uploads).where(u.timebank_id == timebank_id, u.id.in_(ids)))
        return len(ids)

    def _delete_files(self, timebank_id: int, upload_ids: list[int]) -> None:
        f = import_upload_files.c
        self.connection.execute(
            delete(import_upload_files).where(f.timebank_id == timebank_id, f.upload_id.in_(upload_ids))
        )

    def recent_imports(self, timebank_id: int, limit: int) -> list[ImportSummaryRecord]:
        """The timebank's imports that wrote something, newest first."""
        i = imports.c
        rows = self.connection.execute(
            select(imports)
            .where(i.timebank_id == timebank_id)
            .order_by(i.created_at.desc(), i.id.desc())
            .limit(limit)
        ).mappings()
        return [
            ImportSummaryRecord(
                import_id=int(r["id"]),
                source=r["source"],
                created_by=r["created_by"],
                created_at=r["created_at"],
                members_added=int(r["members_added"]),
                exchanges_added=int(r["exchanges_added"]),
                opening_balances_added=int(r["opening_balances_added"]),
                posts_added=int(r["posts_added"]),
            )
            for r in rows
        ]
