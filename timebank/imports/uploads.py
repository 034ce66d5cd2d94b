"""Moving in over HTTP: a coordinator uploads the files, checks what they would do, then confirms.

The command line (``timebank import``) reads files from disk; a coordinator on the web sends them
instead, and the import happens in two steps, with the same rules:

1. **Check** (``check_upload``): the files are read by the source's reader and run through
   ``import_history`` as a dry run. If anything is wrong the answer lists every problem and nothing
   is stored. Otherwise the upload is stored with its files and the dry run's report, for 24 hours.
2. **Confirm** (``confirm_upload``): the stored files are read again and imported for real. The
   database may have changed since the check (a member left, a balance moved), so the import may
   now be refused: the answer lists the problems and the upload stays waiting. Once imported, the
   upload keeps the import's report and lets its files go; confirming it again answers that report
   and imports nothing (the import's own record of the files' digest would import nothing either).

Bounds: at most 10 files and 16 MiB in one upload (the HTTP edge stops reading a request body past
that, ``timebank.api.edge``), and at most 5 uploads waiting in a timebank; expired ones are deleted
first, by the next check and by ``timebank tidy``. Coordinators only; another timebank's uploads
are not found, whoever asks.

A check is two transactions (the dry run, rolled back, then storing the upload) and a confirm three
(reading the upload, the import, recording its result with the audit entry), because the import is
its own use case. A confirm stopped between the import and the record leaves the upload waiting;
confirming it again finds the files already imported and records that. Two confirms at once import
once: the files' digest is unique among a timebank's imports, so the second is rolled back and,
asked again, finds the files imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import PurePosixPath

from pydantic import TypeAdapter
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from timebank.clock import utc_now
from timebank.db.import_tables import (
    IMPORT_FILE_NAME_LENGTH_MAX,
    IMPORT_UPLOAD_BYTES_MAX,
    IMPORT_UPLOAD_FILES_MAX,
)
from timebank.db.repositories import ImportUploadRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.imports.errors import (
    ImportFilesRequired,
    ImportFilesTooLarge,
    ImportFilesTooMany,
    ImportRefused,
    ImportUploadExpired,
    ImportUploadNotFound,
    ImportUploadsTooMany,
    Problem,
)
from timebank.imports.importing import ImportReport, import_history
from timebank.imports.plan import ImportPlan, SourceFile, files_sha256
from timebank.imports.spreadsheet import read_spreadsheet
from timebank.imports.timeoverflow import read_timeoverflow
from timebank.imports.views import (
    ImportSource,
    ImportSummaryView,
    ImportsView,
    ImportUploadView,
    OpeningsFromView,
    UploadedFileView,
    UploadState,
)
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.people.callers import Caller

__all__ = [
    "IMPORTS_LISTED_MAX",
    "UPLOADS_WAITING_MAX",
    "UPLOAD_BYTES_MAX",
    "UPLOAD_FILES_MAX",
    "UPLOAD_LIFETIME",
    "UPLOAD_REQUEST_BYTES_MAX",
    "check_upload",
    "confirm_upload",
    "list_imports",
    "read_upload",
]

UPLOAD_FILES_MAX = IMPORT_UPLOAD_FILES_MAX
UPLOAD_BYTES_MAX = IMPORT_UPLOAD_BYTES_MAX
# A request body carries the files and a little more: the multipart framing, the source, a token.
UPLOAD_REQUEST_BYTES_MAX = UPLOAD_BYTES_MAX + 256 * 1024
UPLOADS_WAITING_MAX = 5
UPLOAD_LIFETIME = timedelta(hours=24)
IMPORTS_LISTED_MAX = 50

_READERS: dict[ImportSource, Callable[[list[SourceFile], date], tuple[ImportPlan, list[Problem]]]] = {
    ImportSource.SPREADSHEET: read_spreadsheet,
    ImportSource.TIMEOVERFLOW: read_timeoverflow,
}
_REPORT = TypeAdapter(ImportReport)


def _file_name(name: str) -> str:
    """The name as a person knows it: no folders (old browsers send the whole path), nothing unprintable."""
    base = PurePosixPath(name.replace("\\", "/")).name
    printable = "".join(ch for ch in base if ch.isprintable()).strip()
    return printable[:IMPORT_FILE_NAME_LENGTH_MAX] or "file"


def _checked_files(files: Sequence[SourceFile]) -> list[SourceFile]:
    if not files:
        raise ImportFilesRequired("Choose at least one file to import")
    if len(files) > UPLOAD_FILES_MAX:
        raise ImportFilesTooMany(f"Send at most {UPLOAD_FILES_MAX} files in one import, not {len(files)}")
    total = sum(len(f.content) for f in files)
    if total > UPLOAD_BYTES_MAX:
        raise ImportFilesTooLarge(
            f"Send at most {UPLOAD_BYTES_MAX // 2**20} MB of files in one import; these hold {total} bytes"
        )
    return [SourceFile(_file_name(f.name), f.content) for f in files]


def _plan(source: ImportSource, files: list[SourceFile], today: date) -> ImportPlan:
    plan, problems = _READERS[source](files, today)
    if problems:
        raise ImportRefused(problems)
    return plan


def _refuse_when_full(uow: UnitOfWork, timebank_id: int, now: datetime) -> None:
    if uow.import_uploads.count_waiting(timebank_id, now) >= UPLOADS_WAITING_MAX:
        raise ImportUploadsTooMany(
            f"{UPLOADS_WAITING_MAX} imports are waiting to be confirmed. Confirm one, or wait until one "
            f"expires ({UPLOAD_LIFETIME.total_seconds() / 3600:.0f} hours after it was checked)"
        )


def _report(text: str) -> ImportReport:
    return _REPORT.validate_json(text)


def _make_room(uow: UnitOfWork, timebank_id: int, now: datetime) -> None:
    """Delete the timebank's expired uploads; refuse if as many as allowed are still waiting."""
    uow.import_uploads.delete_expired(now, timebank_id)
    _refuse_when_full(uow, timebank_id, now)


def _view(uow: UnitOfWork, timebank_id: int, record: ImportUploadRecord, now: datetime) -> ImportUploadView:
    files = uow.import_uploads.file_sizes(timebank_id, record.upload_id)
    return ImportUploadView(
        upload_id=record.upload_id,
        source=ImportSource(record.source),
        state=UploadState(record.state),
        files=tuple(UploadedFileView(name=name, size_bytes=size) for name, size in files),
        files_sha256=record.files_sha256,
        created_by=record.created_by,
        created_at=record.created_at,
        expires_at=record.expires_at,
        expired=record.expires_at <= now,
        checked=_report(record.checked_report_json),
        imported=None if record.imported_report_json is None else _report(record.imported_report_json),
        imported_at=record.imported_at,
        import_id=record.import_id,
        openings_from=_openings_from(uow, timebank_id, record.openings_from_id),
    )


def _openings_from(uow: UnitOfWork, timebank_id: int, organisation_id: int | None) -> OpeningsFromView | None:
    if organisation_id is None:
        return None
    organisation = uow.organisations.get(timebank_id, organisation_id)
    return OpeningsFromView(organisation_id=organisation.organisation_id, name=organisation.name)


def _found(
    uow: UnitOfWork, timebank_id: int, upload_id: int, *, for_update: bool = False
) -> ImportUploadRecord:
    record = uow.import_uploads.get(timebank_id, upload_id, for_update=for_update)
    if record is None:
        raise ImportUploadNotFound(f"There is no import {upload_id} waiting in this timebank")
    return record


def check_upload(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    source: ImportSource,
    files: Sequence[SourceFile],
    openings_from: int | None = None,
) -> ImportUploadView:
    """Check the files as a dry run and, if nothing is wrong, keep them to be confirmed (coordinators).

    ``openings_from`` names an organisation whose account the opening balances come from, rather
    than the pot (``import_history``); the confirm takes them from the same place."""
    caller.check_coordinator(timebank_id)
    given = _checked_files(files)
    now = utc_now()
    # Refused before the files are read, when there is no room to keep them anyway.
    run(engine, lambda uow: _refuse_when_full(uow, timebank_id, now), write=False)
    digest = files_sha256(given)
    report = import_history(
        engine,
        timebank_id,
        caller,
        _plan(source, given, now.date()),
        digest,
        dry_run=True,
        openings_from=openings_from,
    )

    def store(uow: UnitOfWork) -> ImportUploadView:
        # Two checks at once take turns here, so neither slips past the bound on waiting uploads.
        uow.timebanks.lock(timebank_id)
        _make_room(uow, timebank_id, now)
        upload_id = uow.import_uploads.insert(
            timebank_id,
            source.value,
            digest,
            [(f.name, f.content) for f in given],
            caller.caller,
            now,
            now + UPLOAD_LIFETIME,
            _REPORT.dump_json(report).decode(),
            openings_from,
        )
        view = _view(uow, timebank_id, _found(uow, timebank_id, upload_id), now)
        uow.commit()
        return view

    return run(engine, store)


def read_upload(engine: Engine, timebank_id: int, caller: Caller, upload_id: int) -> ImportUploadView:
    """An upload, waiting or imported, with its reports (coordinators)."""
    caller.check_timebank(timebank_id)
    now = utc_now()

    def use_case(uow: UnitOfWork) -> ImportUploadView:
        # Not found before not allowed: another timebank's upload is not there, whoever asks.
        record = _found(uow, timebank_id, upload_id)
        caller.check_coordinator(timebank_id)
        return _view(uow, timebank_id, record, now)

    return run(engine, use_case, write=False)


def confirm_upload(engine: Engine, timebank_id: int, caller: Caller, upload_id: int) -> ImportUploadView:
    """Import a checked upload for real; an upload already imported answers its result (coordinators)."""
    caller.check_timebank(timebank_id)
    now = utc_now()

    def load(uow: UnitOfWork) -> tuple[ImportUploadRecord, list[SourceFile]]:
        record = _found(uow, timebank_id, upload_id)
        caller.check_coordinator(timebank_id)
        if record.state == UploadState.IMPORTED:
            return record, []
        if record.expires_at <= now:
            raise ImportUploadExpired(
                "This import was checked more than 24 hours ago and can no longer be confirmed. "
                "Upload the files again"
            )
        return record, [SourceFile(n, c) for n, c in uow.import_uploads.files(timebank_id, upload_id)]

    record, files = run(engine, load, write=False)
    if record.state == UploadState.IMPORTED:
        return run(engine, lambda uow: _view(uow, timebank_id, record, now), write=False)
    plan = _plan(ImportSource(record.source), files, now.date())
    openings_from = record.openings_from_id
    try:
        report = import_history(
            engine, timebank_id, caller, plan, record.files_sha256, dry_run=False, openings_from=openings_from
        )
    except IntegrityError:
        # Two confirms at once (PostgreSQL): the other's import recorded the files' digest first, and
        # this one was rolled back whole at the digest's unique key. Asked again, the import finds
        # the files imported and adds nothing.
        report = import_history(
            engine, timebank_id, caller, plan, record.files_sha256, dry_run=False, openings_from=openings_from
        )

    def finish(uow: UnitOfWork) -> ImportUploadView:
        current = _found(uow, timebank_id, upload_id, for_update=True)
        if current.state == UploadState.IMPORTED:
            # Another confirm finished first; the import itself ran once (its digest is unique).
            return _view(uow, timebank_id, current, now)
        earlier = uow.imports.find(timebank_id, record.files_sha256)
        import_id = None if earlier is None else earlier.import_id
        uow.import_uploads.mark_imported(
            timebank_id, upload_id, _REPORT.dump_json(report).decode(), utc_now(), import_id
        )
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.HISTORY_IMPORTED,
            None,
            upload_id=upload_id,
            import_id=import_id,
            source=record.source,
            members_added=report.members_added,
            exchanges_added=report.exchanges_added,
            opening_balances_added=report.opening_balances_added,
            posts_added=report.posts_added,
            already_imported=report.already_imported_at is not None,
        )
        trail.write(uow, timebank_id)
        view = _view(uow, timebank_id, _found(uow, timebank_id, upload_id), now)
        uow.commit()
        return view

    return run(engine, finish)


def list_imports(engine: Engine, timebank_id: int, caller: Caller) -> ImportsView:
    """The timebank's recent imports and the uploads waiting to be confirmed (coordinators)."""
    caller.check_coordinator(timebank_id)
    now = utc_now()

    def use_case(uow: UnitOfWork) -> ImportsView:
        past = uow.import_uploads.recent_imports(timebank_id, IMPORTS_LISTED_MAX)
        waiting = uow.import_uploads.waiting(timebank_id, now, UPLOADS_WAITING_MAX)
        return ImportsView(
            imports=tuple(
                ImportSummaryView(
                    import_id=p.import_id,
                    source=ImportSource(p.source),
                    created_by=p.created_by,
                    created_at=p.created_at,
                    members_added=p.members_added,
                    exchanges_added=p.exchanges_added,
                    opening_balances_added=p.opening_balances_added,
                    posts_added=p.posts_added,
                )
                for p in past
            ),
            waiting=tuple(_view(uow, timebank_id, record, now) for record in waiting),
        )

    return run(engine, use_case, write=False)
