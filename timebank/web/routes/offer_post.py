"""One offer or request on its own page, and the coordinators' hiding and showing of it.

``/offers/{id}`` shows what a post says and who posted it, by name, with the day they last took
part: never how to reach them. A member who did not post it, while it is open, gets two ways to
answer it: record an exchange from it (into ``/record``, with the other person and what it was filled
in) and send its member a message (``/offers/{id}/message``). Its own member is pointed to their
list. A coordinator hides it, after a page that asks why (``/offers/{id}/hide``), or shows a hidden
one again, with one button. A hidden post is there only for its member and the coordinators, who
see the reason; to anyone else, and for another timebank's post, the page is not found.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, StateConflict, TimebankError, TooManyAttempts
from timebank.offers import HidePost, PostDetailView, hide_post, read_post_page, show_post
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id
from timebank.web.templating import render
from timebank.web.visits import (
    CoordinatorVisitDep,
    PageRefused,
    Visit,
    VisitDep,
    posted_form,
    refused_as_page,
)

__all__ = ["refused_by_rule", "router"]

router = APIRouter(include_in_schema=False)

_DONE = {
    "sent": "Your message is on its way. If they do not use email, a coordinator will pass it on.",
    "hidden": "It is hidden. Members will not find it. Its member sees it hidden, with your reason.",
    "shown": "It is showing again. Members can find it.",
}
_REASON_FIELDS = {
    "post_text_required": "reason",
    "text_too_long": "reason",
    "text_has_control_characters": "reason",
}


def refused_by_rule(refused: TimebankError) -> PageRefused:
    """A refusal about the post's state or the request as a page of its own, titled by its rule."""
    status_code = 422
    if isinstance(refused, StateConflict):
        status_code = 409
    elif isinstance(refused, TooManyAttempts):
        status_code = 429
    return PageRefused(status_code, refused.title, refused.detail)


def _detail(visit: Visit, post_id: int) -> PostDetailView:
    check_id(post_id)
    with refused_as_page():
        return read_post_page(visit.engine, visit.timebank_id, visit.caller, post_id)


@router.get("/offers/{post_id}")
def post_page(request: Request, visit: VisitDep, post_id: int, done: str | None = None) -> Response:
    detail = _detail(visit, post_id)
    post = detail.post
    answerable = (
        post.member_id != visit.caller.member_id
        and visit.caller.member_id is not None
        and post.status == "open"
        and not post.expired
        and not post.hidden
    )
    context: dict[str, Any] = {
        "title": f"{post.kind.label}: {post.title}",
        "visit": visit,
        "here": "/offers",
        "errors": None,
        "detail": detail,
        "post": post,
        "own": post.member_id == visit.caller.member_id,
        "answerable": answerable,
        "done": _DONE.get(done or ""),
    }
    return render(request, "offer.html", context)


def _hide_page(
    request: Request,
    visit: Visit,
    detail: PostDetailView,
    form: dict[str, str],
    errors: FormErrors,
    status: int,
) -> Response:
    context = {
        "title": f"Hide {detail.post.title}",
        "visit": visit,
        "here": "/offers",
        "errors": errors or None,
        "post": detail.post,
        "form": form,
    }
    return render(request, "offer_hide.html", context, status_code=status)


@router.get("/offers/{post_id}/hide")
def hide_page(request: Request, visit: CoordinatorVisitDep, post_id: int) -> Response:
    return _hide_page(request, visit, _detail(visit, post_id), {}, FormErrors(), 200)


@router.post("/offers/{post_id}/hide")
async def hide(request: Request, visit: CoordinatorVisitDep, post_id: int) -> Response:
    form = await posted_form(request, visit)
    detail = await run_in_threadpool(_detail, visit, post_id)
    errors = FormErrors()
    reason = form.get("reason", "").strip()
    if not reason:
        errors.add("reason", "Enter why you are hiding it")
        return await run_in_threadpool(_hide_page, request, visit, detail, form, errors, 422)
    try:
        asked = HidePost(reason=reason)
    except ValidationError as error:
        errors.invalid(error, {"reason": "reason"}, {"reason": "the reason"})
        return await run_in_threadpool(_hide_page, request, visit, detail, form, errors, 422)
    try:
        with refused_as_page():
            await run_in_threadpool(hide_post, visit.engine, visit.timebank_id, visit.caller, post_id, asked)
    except (InvalidRequest, StateConflict) as refused:
        errors.refusal(refused, _REASON_FIELDS)
        status = 409 if isinstance(refused, StateConflict) else 422
        return await run_in_threadpool(_hide_page, request, visit, detail, form, errors, status)
    return RedirectResponse(f"/offers/{post_id}?done=hidden", status_code=303)


@router.post("/offers/{post_id}/show")
async def show(request: Request, visit: CoordinatorVisitDep, post_id: int) -> Response:
    await posted_form(request, visit)
    check_id(post_id)
    try:
        with refused_as_page():
            await run_in_threadpool(show_post, visit.engine, visit.timebank_id, visit.caller, post_id)
    except StateConflict as refused:
        raise refused_by_rule(refused) from refused
    return RedirectResponse(f"/offers/{post_id}?done=shown", status_code=303)
