"""Offers and requests on pages: find who can help, post an offer or request, see and close your own.

``/offers`` searches the timebank's open offers and requests by words, category and kind (a GET
form, so a search can be bookmarked), and lists them best match first, each with the member's name
and when they last took part: never how to reach them (ask a coordinator). ``/offers/new`` asks
what the member offers or needs, and a check-your-answers page repeats it before anything is
posted; only its button posts. ``/offers/mine`` lists the member's own, every state, each open one
with a link to close it; ``/offers/{id}/close`` asks before it closes. Every refusal comes back in
the error summary, beside its field, with what was typed kept.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from timebank.clock import utc_now
from timebank.errors import InvalidRequest, StateConflict
from timebank.offers import (
    CreatePost,
    PostKind,
    close_post,
    create_post,
    list_categories,
    list_member_posts,
    read_post,
    search_posts,
)
from timebank.offers.views import CategoryView, PostView
from timebank.paging import CursorInvalid
from timebank.people.views import MemberView
from timebank.web.forms import FormErrors, calendar_day
from timebank.web.own_statement import check_id, not_found
from timebank.web.templating import render
from timebank.web.visits import Visit, VisitDep, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_FIELDS = ("kind", "category", "title", "description", "area", "availability")
_FIELDS_BY_NAME = {
    "kind": "kind",
    "category_id": "category",
    "title": "title",
    "description": "description",
    "area": "area",
    "availability": "availability",
    "expires_on": "expires_on-day",
}
_WORDS = {
    "kind": "whether it is an offer or a request",
    "category_id": "the category",
    "title": "the title",
    "description": "the description",
    "area": "the area",
    "availability": "when you are free",
    "expires_on": "when it ends",
}
_FIELDS_BY_CODE = {
    "category_not_found": "category",
    "category_retired": "category",
    "post_expiry_out_of_range": "expires_on-day",
    "search_text_too_long": "q",
    "search_words_too_many": "q",
}


def _categories(visit: Visit) -> tuple[CategoryView, ...]:
    with refused_as_page():
        listed = list_categories(visit.engine, visit.timebank_id, visit.caller)
    return tuple(category for category in listed.categories if not category.retired)


def _whole(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) <= 18 else None


@router.get("/offers")
def offers_page(
    request: Request,
    visit: VisitDep,
    q: str | None = None,
    category: str | None = None,
    kind: str | None = None,
    cursor: str | None = None,
) -> Response:
    categories = _categories(visit)
    form = {"q": q or "", "category": category or "", "kind": kind or ""}
    errors = FormErrors()
    category_id = _whole(category)
    if category_id is not None and category_id not in {c.category_id for c in categories}:
        category_id = None
    chosen_kind = PostKind(kind) if kind in ("offer", "request") else None
    page = None
    try:
        with refused_as_page():
            page = search_posts(
                visit.engine,
                visit.timebank_id,
                visit.caller,
                words=q or None,
                category_id=category_id,
                kind=chosen_kind,
                cursor=cursor or None,
            )
    except CursorInvalid:
        raise not_found() from None
    except InvalidRequest as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
    query = {name: value for name, value in form.items() if value}
    context = {
        "title": "Offers and requests",
        "visit": visit,
        "here": "/offers",
        "errors": errors or None,
        "form": form,
        "categories": categories,
        "page": page,
        "searched": bool(query),
        "query": query,
    }
    return render(request, "offers.html", context, status_code=422 if errors else 200)


def new_post_page(
    request: Request,
    visit: Visit,
    form: dict[str, str],
    errors: FormErrors,
    status_code: int = 200,
    member: MemberView | None = None,
) -> Response:
    """The form for a member's own post, or (``member``) for one a coordinator makes for them."""
    context = {
        "title": f"Post an offer or request for {member.display_name}"
        if member
        else "Post an offer or request",
        "visit": visit,
        "here": "/members" if member else "/offers",
        "errors": errors or None,
        "form": form,
        "member": member,
        "categories": _categories(visit),
    }
    return render(request, "offer_new.html", context, status_code=status_code)


def default_form() -> dict[str, str]:
    """A new post's form, ending in 90 days unless changed."""
    ends = utc_now().date() + timedelta(days=90)
    return {
        "expires_on-day": str(ends.day),
        "expires_on-month": str(ends.month),
        "expires_on-year": str(ends.year),
    }


async def post_from_form(
    request: Request, visit: Visit, form: dict[str, str], member: MemberView | None = None
) -> Response:
    """The steps after the form is sent, one way for a member's own post and for one a coordinator
    makes for them: back to change it, the answers checked, the check page, then the post."""
    errors = FormErrors()

    def form_again(status_code: int = 200) -> Response:
        return new_post_page(request, visit, form, errors, status_code, member)

    if form.get("action") == "change":
        return await run_in_threadpool(form_again)
    answers = await run_in_threadpool(read_answers, visit, form, errors)
    if answers is None:
        return await run_in_threadpool(form_again, 422)
    if member is not None:
        answers = answers.model_copy(update={"member_id": member.member_id})
    if form.get("action") != "post":
        names = {c.category_id: c.name for c in await run_in_threadpool(_categories, visit)}
        context: dict[str, Any] = {
            "title": "Check your answers",
            "visit": visit,
            "here": "/members" if member else "/offers",
            "errors": None,
            "form": form,
            "member": member,
            "answers": answers,
            "category_name": names.get(answers.category_id, ""),
        }
        return render(request, "offer_check.html", context)
    try:
        with refused_as_page():
            await run_in_threadpool(create_post, visit.engine, visit.timebank_id, visit.caller, answers)
    except (InvalidRequest, StateConflict) as refused:
        errors.refusal(refused, _FIELDS_BY_CODE)
        return await run_in_threadpool(form_again, 409 if isinstance(refused, StateConflict) else 422)
    done = f"/members/{member.member_id}/offers?posted=1" if member else "/offers/mine?posted=1"
    return RedirectResponse(done, status_code=303)


def read_answers(visit: Visit, form: dict[str, str], errors: FormErrors) -> CreatePost | None:
    """The post the form asks for, or None with ``errors`` saying why."""
    if form.get("kind") not in ("offer", "request"):
        errors.add("kind", "Choose whether you are offering help or asking for it")
    if _whole(form.get("category")) is None:
        errors.add("category", "Choose the kind of help")
    for name, words in (("title", "a title"), ("description", "what it is about")):
        if not form.get(name, "").strip():
            errors.add(name, f"Enter {words}")
    expires_on = calendar_day(form, "expires_on", "When it ends", errors)
    if errors or expires_on is None:
        return None
    try:
        return CreatePost.model_validate(
            {
                "kind": form["kind"],
                "category_id": _whole(form.get("category")),
                "title": form["title"].strip(),
                "description": form["description"].strip(),
                "area": form.get("area", "").strip() or None,
                "availability": form.get("availability", "").strip() or None,
                "expires_on": expires_on,
            }
        )
    except ValidationError as error:
        errors.invalid(error, _FIELDS_BY_NAME, _WORDS)
        return None


@router.get("/offers/new")
def new_offer_page(request: Request, visit: VisitDep) -> Response:
    return new_post_page(request, visit, default_form(), FormErrors())


@router.post("/offers/new")
async def new_offer(request: Request, visit: VisitDep) -> Response:
    return await post_from_form(request, visit, await posted_form(request, visit))


@router.get("/offers/mine")
def my_offers_page(
    request: Request, visit: VisitDep, posted: str | None = None, closed: str | None = None
) -> Response:
    if visit.caller.member_id is None:
        raise not_found()
    with refused_as_page():
        page = list_member_posts(
            visit.engine, visit.timebank_id, visit.caller, visit.caller.member_id, limit=200
        )
    context = {
        "title": "Your offers and requests",
        "visit": visit,
        "here": "/offers",
        "errors": None,
        "posts": page.posts,
        "posted": posted == "1",
        "closed": closed == "1",
    }
    return render(request, "offers_mine.html", context)


def _own_open_post(visit: Visit, post_id: int) -> PostView:
    check_id(post_id)
    with refused_as_page():
        post = read_post(visit.engine, visit.timebank_id, visit.caller, post_id)
    # A page for closing one's own: another member's post is not theirs to close, so not here.
    if post.member_id != visit.caller.member_id:
        raise not_found()
    return post


@router.get("/offers/{post_id}/close")
def close_page(request: Request, visit: VisitDep, post_id: int) -> Response:
    post = _own_open_post(visit, post_id)
    context = {
        "title": f"Close {post.title}",
        "visit": visit,
        "here": "/offers",
        "errors": None,
        "post": post,
    }
    return render(request, "offer_close.html", context)


@router.post("/offers/{post_id}/close")
async def close(request: Request, visit: VisitDep, post_id: int) -> Response:
    await posted_form(request, visit)
    await run_in_threadpool(_own_open_post, visit, post_id)
    with refused_as_page():
        await run_in_threadpool(close_post, visit.engine, visit.timebank_id, visit.caller, post_id)
    return RedirectResponse("/offers/mine?closed=1", status_code=303)
