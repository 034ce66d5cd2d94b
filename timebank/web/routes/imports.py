"""Moving in, on pages: coordinators upload their files, see what the import would do, then import.

``/imports`` explains the import in a few words, offers the three spreadsheet templates, takes the
files (the GOV.UK file upload, several files at once, and a question about where they come from)
and lists the uploads waiting and the past imports. The files are checked as a dry run
(``check_upload``): if anything is wrong the page comes back with every problem in a table (at
most 100, then how many more) and nothing is kept; otherwise ``/imports/{id}`` says what the import
would do, in hours and minutes, with an "Import now" button. After the import the same page says
what it did. Pressing "Import now" again (a second tab, the back button) imports nothing and says so.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException as StarletteHTTPException

from timebank.errors import InvalidRequest, StateConflict
from timebank.imports import (
    TEMPLATES,
    ImportRefused,
    ImportSource,
    ImportUploadView,
    Problem,
    SourceFile,
    UploadState,
    check_upload,
    confirm_upload,
    list_imports,
    read_upload,
)
from timebank.imports.uploads import UPLOAD_BYTES_MAX, UPLOAD_FILES_MAX
from timebank.people.organisations import list_organisations
from timebank.people.views import OrganisationView
from timebank.web.csrf import check_session_csrf
from timebank.web.forms import FormErrors
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# A page lists this many problems; the rest are counted. Fixing the first ones often fixes others.
PROBLEMS_SHOWN_MAX = 100
# Organisations offered as where opening balances come from (a select; more is not a timebank's).
_ORGANISATIONS_LISTED = 200
# More parts than this is not our form; the parser refuses it before reading on.
_FORM_FILES_MAX = 2 * UPLOAD_FILES_MAX
_MEGABYTES_MAX = UPLOAD_BYTES_MAX // 2**20
_SOURCES = {
    ImportSource.SPREADSHEET: "Our spreadsheet templates",
    ImportSource.TIMEOVERFLOW: "TimeOverflow",
}


def _list_page(
    request: Request,
    visit: Visit,
    *,
    form: dict[str, str] | None = None,
    errors: FormErrors | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    with refused_as_page():
        listed = list_imports(visit.engine, visit.timebank_id, visit.caller)
        organisations = _organisations(visit)
    shown = (problems or [])[:PROBLEMS_SHOWN_MAX]
    context: dict[str, Any] = {
        "title": "Import your timebank's history",
        "visit": visit,
        "errors": errors or None,
        "form": form or {},
        "sources": _SOURCES,
        "templates": list(TEMPLATES),
        "listed": listed,
        "organisations": organisations,
        "problems": shown,
        "problems_hidden": len(problems or []) - len(shown),
        "files_max": UPLOAD_FILES_MAX,
        "megabytes_max": _MEGABYTES_MAX,
    }
    return render(request, "imports.html", context, status_code=status_code)


def _organisations(visit: Visit) -> tuple[OrganisationView, ...]:
    """The organisations opening balances may come from (the first few hundred: a select's worth)."""
    return list_organisations(
        visit.engine, visit.timebank_id, visit.caller, limit=_ORGANISATIONS_LISTED
    ).organisations


def _openings_from(visit: Visit, text: str, errors: FormErrors) -> int | None:
    """The organisation chosen for opening balances, or None for the pot; a choice not offered is an error."""
    if not text:
        return None
    chosen = next((o for o in _organisations(visit) if str(o.organisation_id) == text), None)
    if chosen is None:
        errors.add("openings_from", "Choose the community pot or one of the organisations listed")
        return None
    return chosen.organisation_id


@router.get("/imports")
async def imports_page(request: Request, visit: CoordinatorVisitDep) -> Response:
    return await run_in_threadpool(_list_page, request, visit)


@router.get("/imports/templates/{name}")
async def template_file(name: str, visit: CoordinatorVisitDep) -> Response:
    if name not in TEMPLATES:
        raise PageRefused(404, "Page not found", "There is no such template.")
    # With a byte-order mark, so that Excel opens accents as they are (as ``timebank import-template``).
    return Response(
        ("\ufeff" + TEMPLATES[name]).encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )


def _refused_upload(errors: FormErrors, problems: list[Problem]) -> None:
    count = len(problems)
    errors.add(
        "files",
        f"There {'is 1 problem' if count == 1 else f'are {count} problems'} in the files. Nothing was "
        "imported. Fix the files, then choose them again",
    )


@router.post("/imports")
async def check_files(request: Request, visit: CoordinatorVisitDep) -> Response:
    errors = FormErrors()
    try:
        form = await request.form(max_files=_FORM_FILES_MAX, max_fields=10)
    except StarletteHTTPException as refused:
        # The body was stopped at the upload's limit (413), or held more files than any form sends.
        # Nothing was read into a use case, so the page simply asks again.
        status_code = refused.status_code
        if status_code == 413:
            errors.add("files", f"The files are too large. Choose at most {_MEGABYTES_MAX} MB in all")
        else:
            errors.add("files", f"Choose at most {UPLOAD_FILES_MAX} files")
        return await run_in_threadpool(
            lambda: _list_page(request, visit, errors=errors, status_code=status_code)
        )
    try:
        sent = form.get("csrf_token")
        check_session_csrf(request, visit.token, sent if isinstance(sent, str) else None)
        source_text, openings_text = form.get("source"), form.get("openings_from")
        typed = {
            "source": source_text if isinstance(source_text, str) else "",
            "openings_from": openings_text if isinstance(openings_text, str) else "",
        }
        source = ImportSource(typed["source"]) if typed["source"] in set(ImportSource) else None
        if source is None:
            errors.add("source", "Choose where the files come from")
        with refused_as_page():
            openings_from = await run_in_threadpool(_openings_from, visit, typed["openings_from"], errors)
        # A form sent with no file chosen still holds one empty part, with no name.
        uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile) and u.filename]
        if not uploads:
            errors.add("files", "Choose at least one file")
        if errors or source is None:
            return await run_in_threadpool(
                lambda: _list_page(request, visit, form=typed, errors=errors, status_code=422)
            )
        given = [SourceFile(u.filename or "file", await u.read(UPLOAD_BYTES_MAX + 1)) for u in uploads]
        try:
            with refused_as_page():
                view = await run_in_threadpool(
                    check_upload, visit.engine, visit.timebank_id, visit.caller, source, given, openings_from
                )
        except ImportRefused as refused:
            _refused_upload(errors, refused.problems)
            problems = refused.problems
            return await run_in_threadpool(
                lambda: _list_page(
                    request, visit, form=typed, errors=errors, problems=problems, status_code=422
                )
            )
        except (InvalidRequest, StateConflict) as refused:
            errors.add("files", refused.detail)
            return await run_in_threadpool(
                lambda: _list_page(request, visit, form=typed, errors=errors, status_code=422)
            )
    finally:
        # The files were spooled to disk past a megabyte: let them go now, not when collected.
        await form.close()
    return RedirectResponse(f"/imports/{view.upload_id}", status_code=303)


def _upload_page(
    request: Request,
    visit: Visit,
    upload: ImportUploadView,
    *,
    again: bool = False,
    errors: FormErrors | None = None,
    problems: list[Problem] | None = None,
    status_code: int = 200,
) -> Response:
    shown = (problems or [])[:PROBLEMS_SHOWN_MAX]
    if upload.state == UploadState.IMPORTED:
        title = "The history is imported"
    elif upload.expired:
        title = "This check has run out"
    else:
        title = "Check what the import will do"
    context: dict[str, Any] = {
        "title": title,
        "visit": visit,
        "upload": upload,
        "source_name": _SOURCES[upload.source],
        "again": again,
        "errors": errors or None,
        "problems": shown,
        "problems_hidden": len(problems or []) - len(shown),
    }
    return render(request, "import_upload.html", context, status_code=status_code)


def _read(visit: Visit, upload_id: int) -> ImportUploadView:
    with refused_as_page():
        return read_upload(visit.engine, visit.timebank_id, visit.caller, upload_id)


@router.get("/imports/{upload_id}")
async def upload_page(
    request: Request, upload_id: int, visit: CoordinatorVisitDep, again: str = ""
) -> Response:
    with refused_as_page():
        upload = await run_in_threadpool(
            read_upload, visit.engine, visit.timebank_id, visit.caller, upload_id
        )
    return _upload_page(request, visit, upload, again=again == "yes")


@router.post("/imports/{upload_id}/confirm")
async def confirm(request: Request, upload_id: int, visit: CoordinatorVisitDep) -> Response:
    await posted_form(request, visit)
    with refused_as_page():
        before = await run_in_threadpool(
            read_upload, visit.engine, visit.timebank_id, visit.caller, upload_id
        )
    if before.state == UploadState.IMPORTED:
        return RedirectResponse(f"/imports/{upload_id}?again=yes", status_code=303)
    try:
        with refused_as_page():
            await run_in_threadpool(confirm_upload, visit.engine, visit.timebank_id, visit.caller, upload_id)
    except ImportRefused as refused:
        errors = FormErrors()
        count = len(refused.problems)
        errors.add(
            None,
            "The timebank has changed since the check. "
            f"There {'is 1 problem' if count == 1 else f'are {count} problems'} now. Nothing was imported",
        )
        return _upload_page(request, visit, before, errors=errors, problems=refused.problems, status_code=422)
    except StateConflict:
        # It ran out while the page was open: the page now says so.
        pass
    return RedirectResponse(f"/imports/{upload_id}", status_code=303)
