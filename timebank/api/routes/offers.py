"""Offers and requests (DESIGN §10): categories, posts, search, moderation, and the coordinators' report.

Anyone in the timebank lists the categories and searches the open posts: ``GET …/posts`` with
``q`` (words, every one to be found, whatever its case or accents; the last may be the start of a
word), ``category`` and ``kind``, cursor-paged. Results name the member and when they last took
part, never how to reach them. A member posts their own offers and requests and a coordinator posts
for a member (``member_id``); either changes, closes and reopens them. Coordinators manage the
categories and hide a post that breaks the timebank's rules, with a reason (audited). An exchange is
linked to the post it came from by ``post_id`` when it is recorded (``POST …/exchanges``). A member
writes to a post's member through the timebank (``POST …/posts/{id}/messages``, at most a few a
day); the answer is the same whether the message went to them or to a coordinator to pass on.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from timebank.api.deps import (
    CallerDep,
    CursorQuery,
    EngineDep,
    IdempotencyKeyHeader,
    IdPath,
    LimitQuery,
    TimebankPath,
)
from timebank.api.edge import JsonRoute
from timebank.api.routes.reports import FromQuery, ToQuery
from timebank.fields import ID_MAX
from timebank.offers import (
    AddCategory,
    CategoryList,
    CategoryView,
    ChangeCategory,
    ChangePost,
    ContactMember,
    CreatePost,
    HidePost,
    MessageSentView,
    OffersReportView,
    PostKind,
    PostPage,
    PostView,
    SearchPage,
    add_category,
    change_category,
    change_post,
    close_post,
    contact_member,
    create_post,
    hide_post,
    list_categories,
    list_member_posts,
    offers_report,
    read_post,
    reopen_post,
    search_posts,
    show_post,
)
from timebank.offers.report import OPEN_DAYS_DEFAULT, OPEN_DAYS_MAX

__all__ = ["router"]

router = APIRouter(prefix="/v1/timebanks/{tb}", tags=["offers and requests"], route_class=JsonRoute)

# The edge's own bound on the words; the use case refuses more than 200 characters or 8 words by name.
WordsQuery = Annotated[
    str | None,
    Query(
        alias="q",
        max_length=1000,
        description="Words to find, each of them (case and accents aside); the last may start a word.",
    ),
]
CategoryQuery = Annotated[
    int | None, Query(alias="category", ge=1, le=ID_MAX, description="A category's id.")
]
KindQuery = Annotated[PostKind | None, Query(description="offer or request.")]
OpenDaysQuery = Annotated[
    int, Query(ge=0, le=OPEN_DAYS_MAX, description="List requests open longer than this many days.")
]


@router.get("/categories", operation_id="list_categories", response_model=CategoryList)
def categories(tb: TimebankPath, engine: EngineDep, caller: CallerDep) -> CategoryList:
    """List the timebank's categories of help, retired ones marked (anyone in the timebank)."""
    return list_categories(engine, tb, caller)


@router.post("/categories", operation_id="add_category", status_code=201, response_model=CategoryView)
def add(tb: TimebankPath, body: AddCategory, engine: EngineDep, caller: CallerDep) -> CategoryView:
    """Add a category (coordinators); names are unique whatever their case or accents."""
    return add_category(engine, tb, caller, body)


@router.patch("/categories/{category_id}", operation_id="change_category", response_model=CategoryView)
def change(
    tb: TimebankPath, category_id: IdPath, body: ChangeCategory, engine: EngineDep, caller: CallerDep
) -> CategoryView:
    """Rename a category, or retire it or bring it back (coordinators)."""
    return change_category(engine, tb, caller, category_id, body)


@router.get("/posts", operation_id="search_posts", response_model=SearchPage)
def search(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    words: WordsQuery = None,
    category_id: CategoryQuery = None,
    kind: KindQuery = None,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> SearchPage:
    """Search the open offers and requests by words, category and kind (anyone in the timebank)."""
    return search_posts(
        engine, tb, caller, words=words, category_id=category_id, kind=kind, cursor=cursor, limit=limit
    )


@router.post("/posts", operation_id="create_post", status_code=201, response_model=PostView)
def create(tb: TimebankPath, body: CreatePost, engine: EngineDep, caller: CallerDep) -> PostView:
    """Post an offer or request: a member's own, or a coordinator's for a member."""
    return create_post(engine, tb, caller, body)


@router.get("/posts/{post_id}", operation_id="get_post", response_model=PostView)
def get(tb: TimebankPath, post_id: IdPath, engine: EngineDep, caller: CallerDep) -> PostView:
    """Read an offer or request (a hidden one: its member and coordinators only)."""
    return read_post(engine, tb, caller, post_id)


@router.patch("/posts/{post_id}", operation_id="change_post", response_model=PostView)
def update(
    tb: TimebankPath, post_id: IdPath, body: ChangePost, engine: EngineDep, caller: CallerDep
) -> PostView:
    """Change an offer or request; only the fields sent change (its member or a coordinator)."""
    return change_post(engine, tb, caller, post_id, body)


@router.post("/posts/{post_id}/close", operation_id="close_post", response_model=PostView)
def close(tb: TimebankPath, post_id: IdPath, engine: EngineDep, caller: CallerDep) -> PostView:
    """Close an offer or request: search no longer finds it (its member or a coordinator)."""
    return close_post(engine, tb, caller, post_id)


@router.post("/posts/{post_id}/reopen", operation_id="reopen_post", response_model=PostView)
def reopen(tb: TimebankPath, post_id: IdPath, engine: EngineDep, caller: CallerDep) -> PostView:
    """Open a closed offer or request again while unexpired (its member or a coordinator)."""
    return reopen_post(engine, tb, caller, post_id)


@router.post("/posts/{post_id}/hide", operation_id="hide_post", response_model=PostView)
def hide(tb: TimebankPath, post_id: IdPath, body: HidePost, engine: EngineDep, caller: CallerDep) -> PostView:
    """Hide an offer or request that breaks the timebank's rules, with the reason (coordinators)."""
    return hide_post(engine, tb, caller, post_id, body)


@router.post("/posts/{post_id}/show", operation_id="show_post", response_model=PostView)
def show(tb: TimebankPath, post_id: IdPath, engine: EngineDep, caller: CallerDep) -> PostView:
    """Show a hidden offer or request again (coordinators)."""
    return show_post(engine, tb, caller, post_id)


@router.post(
    "/posts/{post_id}/messages",
    operation_id="contact_member",
    status_code=202,
    response_model=MessageSentView,
)
def contact(
    tb: TimebankPath,
    post_id: IdPath,
    body: ContactMember,
    key: IdempotencyKeyHeader,
    engine: EngineDep,
    caller: CallerDep,
) -> MessageSentView:
    """Write to the member who posted an offer or request, or answer one who wrote about yours (members)."""
    return contact_member(engine, tb, caller, post_id, body, idempotency_key=key)


@router.get("/members/{member_id}/posts", operation_id="list_member_posts", response_model=PostPage)
def member_posts(
    tb: TimebankPath,
    member_id: IdPath,
    engine: EngineDep,
    caller: CallerDep,
    cursor: CursorQuery = None,
    limit: LimitQuery = None,
) -> PostPage:
    """A member's offers and requests in every state, newest first (the member or a coordinator)."""
    return list_member_posts(engine, tb, caller, member_id, cursor=cursor, limit=limit)


@router.get("/reports/offers", operation_id="get_offers_report", response_model=OffersReportView)
def report(
    tb: TimebankPath,
    engine: EngineDep,
    caller: CallerDep,
    from_on: FromQuery = None,
    to_on: ToQuery = None,
    open_days: OpenDaysQuery = OPEN_DAYS_DEFAULT,
) -> OffersReportView:
    """Hours by category, members with no offer, and requests open longer than N days (coordinators)."""
    return offers_report(engine, tb, caller, from_on=from_on, to_on=to_on, open_days=open_days)
