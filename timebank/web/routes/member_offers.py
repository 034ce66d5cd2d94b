"""A member's offers and requests as their coordinator sees them, and posting one for them.

Many members are not online: a coordinator takes their offer or request by phone or at a drop-in
and posts it for them. ``/members/{id}/offers`` lists the member's posts in every state (open,
ended, closed, hidden), each open one with a link to close it (``/members/{id}/offers/{post}/close``,
which asks first). ``/members/{id}/offers/new`` is the member's own question page
(``timebank.web.routes.offers``) asked about them, and a check page repeats the answers before
anything is posted; the use case (``create_post`` with ``member_id``) records who posted it.

A member whose membership has ended gets no new post (``membership_ended``): the list says so in
place of the button, and the form answers with a page named for that rule. Every page is behind
``CoordinatorVisitDep``; another timebank's member or post answers 404, as does a post of another
member named under this one.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from timebank.offers import close_post, list_categories, list_member_posts, read_post
from timebank.offers.views import CategoryView, PostView
from timebank.people.views import MemberView
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id, not_found
from timebank.web.routes.members import coordinated_member
from timebank.web.routes.offers import default_form, new_post_page, post_from_form
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, posted_form, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_HERE = "/members"
# A member has a handful of posts; a page of them is all a coordinator reads here.
_POSTS_LISTED = 200
_FIELDS_BY_CODE = {
    "category_not_found": "category",
    "category_retired": "category",
    "post_expiry_out_of_range": "expires_on-day",
}


def _ended(member: MemberView) -> PageRefused:
    name = member.display_name
    return PageRefused(
        409,
        f"Nothing can be posted for {name}",
        f"{name}'s membership has ended, so nothing new can be posted for them.",
    )


def _categories(visit: Visit) -> tuple[CategoryView, ...]:
    with refused_as_page():
        listed = list_categories(visit.engine, visit.timebank_id, visit.caller)
    return tuple(category for category in listed.categories if not category.retired)


@router.get("/members/{member_id}/offers")
def member_offers_page(
    request: Request,
    visit: CoordinatorVisitDep,
    member_id: int,
    posted: str | None = None,
    closed: str | None = None,
) -> Response:
    member = coordinated_member(visit, member_id)
    with refused_as_page():
        page = list_member_posts(
            visit.engine, visit.timebank_id, visit.caller, member_id, limit=_POSTS_LISTED
        )
    context = {
        "title": f"{member.display_name}'s offers and requests",
        "visit": visit,
        "here": _HERE,
        "errors": None,
        "member": member,
        "posts": page.posts,
        "more": page.next_cursor is not None,
        "posted": posted == "1",
        "closed": closed == "1",
    }
    return render(request, "member_offers.html", context)


def _open_member(visit: Visit, member_id: int) -> MemberView:
    member = coordinated_member(visit, member_id)
    if member.membership_ended_on is not None:
        raise _ended(member)
    return member


@router.get("/members/{member_id}/offers/new")
def new_member_offer_page(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    member = _open_member(visit, member_id)
    return new_post_page(request, visit, default_form(), FormErrors(), member=member)


@router.post("/members/{member_id}/offers/new")
async def new_member_offer(request: Request, visit: CoordinatorVisitDep, member_id: int) -> Response:
    form = await posted_form(request, visit)
    member = await run_in_threadpool(_open_member, visit, member_id)
    return await post_from_form(request, visit, form, member)


def _members_post(visit: Visit, member_id: int, post_id: int) -> tuple[MemberView, PostView]:
    member = coordinated_member(visit, member_id)
    check_id(post_id)
    with refused_as_page():
        post = read_post(visit.engine, visit.timebank_id, visit.caller, post_id)
    # The address names the member: another member's post is not found under them.
    if post.member_id != member.member_id:
        raise not_found()
    return member, post


@router.get("/members/{member_id}/offers/{post_id}/close")
def close_member_offer_page(
    request: Request, visit: CoordinatorVisitDep, member_id: int, post_id: int
) -> Response:
    member, post = _members_post(visit, member_id, post_id)
    context = {
        "title": f"Close {post.title}",
        "visit": visit,
        "here": _HERE,
        "errors": None,
        "member": member,
        "post": post,
    }
    return render(request, "member_offer_close.html", context)


@router.post("/members/{member_id}/offers/{post_id}/close")
async def close_member_offer(
    request: Request, visit: CoordinatorVisitDep, member_id: int, post_id: int
) -> Response:
    await posted_form(request, visit)
    await run_in_threadpool(_members_post, visit, member_id, post_id)
    with refused_as_page():
        await run_in_threadpool(close_post, visit.engine, visit.timebank_id, visit.caller, post_id)
    return RedirectResponse(f"/members/{member_id}/offers?closed=1", status_code=303)
