"""Moving in over HTTP: upload the files, check them as a dry run, confirm (coordinators).

``POST …/imports`` takes ``multipart/form-data``: ``source`` (spreadsheet or timeoverflow), the
``files`` (repeated; at most 10, 16 MiB in all) and, optionally, ``openings_from``, the organisation
whose account the opening balances come from rather than the pot. Its answer is the stored upload
with the dry run's report, or 422 ``import_refused`` whose ``problems`` list every problem (file,
row, reason). ``POST …/imports/{upload_id}/confirm`` imports it; confirming again answers the same
result and imports nothing. ``GET …/imports`` lists recent imports and the uploads waiting to be
confirmed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import WithJsonSchema

from timebank.api.deps import CallerDep, EngineDep, IdPath, TimebankPath
from timebank.api.edge import JsonRoute
from timebank.fields import ID_MAX
from timebank.imports import (
    ImportSource,
    ImportsView,
    ImportUploadView,
    SourceFile,
    check_upload,
    confirm_upload,
    list_imports,
    read_upload,
)
from timebank.imports.uploads import UPLOAD_BYTES_MAX, UPLOAD_FILES_MAX

__all__ = ["router"]

_OPENINGS_FROM = "An organisation's id: opening balances come from its account, not the pot."

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["imports"], route_class=JsonRoute)


@router.post("/imports", operation_id="check_import", status_code=201, response_model=ImportUploadView)
def check(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    source: Annotated[ImportSource, Form(description="Where the files come from.")],
    files: Annotated[
        list[UploadFile],
        File(
            description="The CSV files, or TimeOverflow's ZIP: at most 10, 16 MiB in all.",
            min_length=1,
            max_length=UPLOAD_FILES_MAX,
        ),
    ],
    openings_from: Annotated[
        int | None,
        # Optional, and never null: a form field is left out rather than sent empty.
        WithJsonSchema({"type": "integer", "minimum": 1, "maximum": ID_MAX, "description": _OPENINGS_FROM}),
        Form(ge=1, le=ID_MAX, description=_OPENINGS_FROM),
    ] = None,
) -> ImportUploadView:
    """Upload files to import and check them as a dry run; kept 24 hours to confirm (coordinators)."""
    # The edge stopped the body at the upload's limit; one byte more than it is enough to refuse.
    given = [SourceFile(f.filename or "file", f.file.read(UPLOAD_BYTES_MAX + 1)) for f in files]
    return check_upload(engine, tb, caller, source, given, openings_from)


@router.get("/imports", operation_id="list_imports", response_model=ImportsView)
def imports(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> ImportsView:
    """List recent imports and the uploads waiting to be confirmed (coordinators)."""
    return list_imports(engine, tb, caller)


@router.get("/imports/{upload_id}", operation_id="get_import_upload", response_model=ImportUploadView)
def get(tb: TimebankPath, upload_id: IdPath, engine: EngineDep, caller: CallerDep) -> ImportUploadView:
    """Read an upload: what its dry run said and, once confirmed, what the import did (coordinators)."""
    return read_upload(engine, tb, caller, upload_id)


@router.post(
    "/imports/{upload_id}/confirm", operation_id="confirm_import_upload", response_model=ImportUploadView
)
def confirm(tb: TimebankPath, upload_id: IdPath, engine: EngineDep, caller: CallerDep) -> ImportUploadView:
    """Import a checked upload; confirming it again imports nothing and answers the same (coordinators)."""
    return confirm_upload(engine, tb, caller, upload_id)
