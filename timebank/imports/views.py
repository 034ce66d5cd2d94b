"""What the upload use cases return: an upload as a coordinator checks and confirms it, and the list.

An upload's ``checked`` report is what its dry run said the import would do; ``imported`` is what
the import did, once confirmed. Both are the import's own ``ImportReport``. Once imported, an
upload's files are let go (the import is recorded), so ``files`` is empty.
"""

from __future__ import annotations

import enum
from datetime import datetime

from pydantic import Field

from timebank.imports.importing import ImportReport
from timebank.views import View

__all__ = [
    "ImportSource",
    "ImportSummaryView",
    "ImportUploadView",
    "ImportsView",
    "OpeningsFromView",
    "UploadState",
    "UploadedFileView",
]


class ImportSource(enum.StrEnum):
    """Where the files come from: our spreadsheet layout, or TimeOverflow's files."""

    SPREADSHEET = "spreadsheet"
    TIMEOVERFLOW = "timeoverflow"


class UploadState(enum.StrEnum):
    CHECKED = "checked"
    IMPORTED = "imported"


class UploadedFileView(View):
    name: str
    size_bytes: int


class OpeningsFromView(View):
    """The organisation whose account an upload's opening balances come from (not the pot)."""

    organisation_id: int
    name: str


class ImportUploadView(View):
    """An upload whose dry run passed: waiting to be confirmed, or imported."""

    upload_id: int = Field(serialization_alias="id")
    source: ImportSource
    state: UploadState
    files: tuple[UploadedFileView, ...] = Field(description="The files sent; none once imported.")
    files_sha256: str
    created_by: str
    created_at: datetime
    expires_at: datetime = Field(description="After this it can no longer be confirmed, and is deleted.")
    expired: bool
    checked: ImportReport = Field(description="What the dry run said the import would do.")
    imported: ImportReport | None = Field(description="What the import did, once confirmed.")
    imported_at: datetime | None
    import_id: int | None = Field(description="The import it made; none if it added nothing.")
    openings_from: OpeningsFromView | None = Field(
        default=None, description="The organisation opening balances come from; none for the pot."
    )


class ImportSummaryView(View):
    """A past import that wrote something."""

    import_id: int = Field(serialization_alias="id")
    source: ImportSource
    created_by: str
    created_at: datetime
    members_added: int
    exchanges_added: int
    opening_balances_added: int
    posts_added: int = 0


class ImportsView(View):
    imports: tuple[ImportSummaryView, ...] = Field(description="Recent imports, newest first.")
    waiting: tuple[ImportUploadView, ...] = Field(description="Uploads checked and not yet confirmed.")
