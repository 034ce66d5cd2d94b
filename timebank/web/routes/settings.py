"""The timebank's settings and the report's ratings, on one page for its coordinators.

Two forms, each saved on its own: the timebank's settings (``change_settings`` with an
``UpdateTimebank``, as ``PATCH /v1/timebanks/{tb}`` calls it; every setting is sent, as the form
shows them all) and the red, amber and green thresholds of the reciprocity report
(``set_rating_thresholds`` with a ``SetReportRatings``, as ``PUT …/report-ratings``). Each setting
has a hint saying what it does in one plain sentence. A refusal gives the page back with the error
summary, the refusal beside its box and what was typed kept, and changes nothing; a saved form comes
back as the page with a banner saying so (post, then redirect, so a reload does not post again).

Changing the settings is not written to the audit log: the use case does not audit it (the audit
log records what touches benefits).

The page ends with a link to download everything of the timebank (``/settings/export.zip``: the
same use case and ZIP as ``GET /v1/timebanks/{tb}/export.zip``, audited by the use case), for a
copy or for moving to another service (docs/exports.md).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest
from timebank.exports import export_timebank
from timebank.people.timebanks import change_settings, read_timebank
from timebank.rendering.zip_files import sent_in_pieces, spool
from timebank.reporting.ratings import read_rating_thresholds, set_rating_thresholds
from timebank.reports import LOWER_IS_BETTER
from timebank.web.forms import FormErrors
from timebank.web.settings_forms import (
    FIGURES,
    SETTINGS_FIELDS_BY_CODE,
    RatingsAnswers,
    SettingsAnswers,
    ratings_form,
    read_ratings,
    read_settings,
    settings_form,
)
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_DONE = {"settings": "The timebank's settings are saved.", "ratings": "The report's ratings are saved."}
# A text refusal names the setting first ("contact_address has …"); this places it beside its box.
_TEXT_FIELDS = {name: name for name in ("name", "contact_address", "contact_email", "contact_phone")}
_TEXT_CODES = ("text_too_long", "text_has_control_characters")


def _current(visit: Visit) -> tuple[dict[str, str], dict[str, str]]:
    with refused_as_page():
        timebank = read_timebank(visit.engine, visit.timebank_id, visit.caller)
        ratings = read_rating_thresholds(visit.engine, visit.timebank_id, visit.caller)
    return settings_form(timebank), ratings_form(ratings)


def _page(
    request: Request,
    visit: Visit,
    settings: SettingsAnswers,
    ratings: RatingsAnswers,
    *,
    done: str | None = None,
    status_code: int = 200,
) -> Response:
    errors = FormErrors()
    for answers in (settings, ratings):
        errors.by_field.update(answers.errors.by_field)
        errors.general += answers.errors.general
    context: dict[str, Any] = {
        "title": "Settings",
        "visit": visit,
        "here": "/settings",
        "errors": errors or None,
        "settings": settings.form,
        "ratings": ratings.form,
        "figures": FIGURES,
        "lower_is_better": LOWER_IS_BETTER,
        "done": done,
    }
    return render(request, "settings.html", context, status_code=status_code)


@router.get("/settings")
async def settings_page(request: Request, visit: CoordinatorVisitDep, saved: str = "") -> Response:
    settings, ratings = await run_in_threadpool(_current, visit)
    return _page(
        request, visit, SettingsAnswers(form=settings), RatingsAnswers(form=ratings), done=_DONE.get(saved)
    )


def _place(errors: FormErrors, refused: InvalidRequest) -> None:
    if refused.code in _TEXT_CODES:
        named = refused.detail.split(" ", 1)[0]
        field_id = _TEXT_FIELDS.get(named)
        errors.add(field_id, "This has too many characters, or characters that cannot be shown. Check it")
        return
    errors.refusal(refused, SETTINGS_FIELDS_BY_CODE)


@router.post("/settings")
async def save_settings(request: Request, visit: CoordinatorVisitDep) -> Response:
    form = await posted_form(request, visit)
    answers = read_settings(form)
    _, ratings = await run_in_threadpool(_current, visit)
    if answers.request is None:
        return _page(request, visit, answers, RatingsAnswers(form=ratings), status_code=422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                change_settings, visit.engine, visit.timebank_id, visit.caller, answers.request
            )
    except InvalidRequest as refused:
        _place(answers.errors, refused)
        return _page(request, visit, answers, RatingsAnswers(form=ratings), status_code=422)
    return RedirectResponse("/settings?saved=settings", status_code=303)


@router.post("/settings/ratings")
async def save_ratings(request: Request, visit: CoordinatorVisitDep) -> Response:
    form = await posted_form(request, visit)
    answers = read_ratings(form)
    settings, _ = await run_in_threadpool(_current, visit)
    if answers.request is None:
        return _page(request, visit, SettingsAnswers(form=settings), answers, status_code=422)
    try:
        with refused_as_page():
            await run_in_threadpool(
                set_rating_thresholds, visit.engine, visit.timebank_id, visit.caller, answers.request
            )
    except InvalidRequest as refused:
        answers.errors.add(None, refused.detail)
        return _page(request, visit, SettingsAnswers(form=settings), answers, status_code=422)
    return RedirectResponse("/settings?saved=ratings", status_code=303)


@router.get("/settings/export.zip")
def export_everything(visit: CoordinatorVisitDep) -> Response:
    # Spooled (memory, then disk) and audited before a byte is sent; closed by sent_in_pieces.
    out = spool()
    try:
        with refused_as_page():
            summary = export_timebank(visit.engine, visit.timebank_id, visit.caller, out)
    except BaseException:
        out.close()
        raise
    filename = f"timebank-{visit.timebank_id}-{summary.read_at.date().isoformat()}.zip"
    return StreamingResponse(
        sent_in_pieces(out),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )
