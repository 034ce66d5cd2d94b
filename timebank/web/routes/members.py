"""The coordinators' members: the list, searched by name and tag, one member's page, and their statement.

Every page here is behind ``CoordinatorVisitDep``: anyone else gets the 403 page before anything
is read, and another timebank's member id is not found (404), as the use cases say. The list pages
with the use case's opaque cursor, newest joiners last, and keeps the search in its links. A
member's page shows what a coordinator needs to help them: the balance, hours given and received,
login, roles, tags and limits, the newest statement lines, and links to change them, to record
an exchange for them and to end their membership (``members_end``); once it has ended, the day it
ended and why, and no way to record for them. It never shows a benefit declaration: those are
read, and audited, elsewhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from timebank.accounts.member_summary import member_summary
from timebank.accounts.statements import read_statement
from timebank.clock import utc_now
from timebank.errors import InvalidRequest
from timebank.paging import CursorInvalid
from timebank.people.members import get_member, list_members
from timebank.people.views import MemberView
from timebank.web.forms import FormErrors
from timebank.web.own_statement import check_id
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, refused_as_page

__all__ = ["DONE_SAYS", "MEMBERS_SHOWN", "coordinated_member", "router"]

router = APIRouter(include_in_schema=False)

# A page of the list: enough to scan, few enough to read on a phone.
MEMBERS_SHOWN = 25
# A name or a tag typed into the search: longer than this is not one.
_SEARCH_LENGTH_MAX = 100

# What the member's page says after a change made on another page (``?done=``).
DONE_SAYS = {
    "added": "{name} was added.",
    "changed": "{name}'s details were changed.",
    "limits": "{name}'s limits were changed.",
    "ended": "{name}'s membership has ended.",
}


def _cursor_refused(refused: Exception, where: str) -> PageRefused:
    return PageRefused(
        400,
        "This page cannot be found",
        f"The link to it is not one we gave out. Go to {where} to start from the first page.",
    )


def coordinated_member(visit: Visit, member_id: int) -> MemberView:
    """The member named in the address, for a coordinator; not found if not in their timebank."""
    check_id(member_id)
    with refused_as_page():
        return get_member(visit.engine, visit.timebank_id, visit.caller, member_id)


@router.get("/members")
def members_page(
    request: Request,
    visit: CoordinatorVisitDep,
    name: str = "",
    tag: str = "",
    cursor: str | None = None,
) -> Response:
    errors = FormErrors()
    name, tag = name.strip()[:_SEARCH_LENGTH_MAX], tag.strip().lower()[:_SEARCH_LENGTH_MAX]
    page = None
    try:
        with refused_as_page():
            page = list_members(
                visit.engine,
                visit.timebank_id,
                visit.caller,
                name=name or None,
                tag=tag or None,
                cursor=cursor,
                limit=MEMBERS_SHOWN,
            )
    except CursorInvalid as refused:
        raise _cursor_refused(refused, "Members at the top") from refused
    except InvalidRequest as refused:
        field_id = "tag" if refused.code == "tag_invalid" else "name"
        errors.add(field_id, _search_refusal(refused, field_id))
    search = {key: value for key, value in (("name", name), ("tag", tag)) if value}
    context: dict[str, Any] = {
        "title": "Members",
        "visit": visit,
        "here": "/members",
        "errors": errors or None,
        "form": {"name": name, "tag": tag},
        "page": page,
        "searched": bool(search),
        "first_page": cursor is None,
        "first_href": "/members" + ("?" + urlencode(search) if search else ""),
        "next_href": None
        if page is None or page.next_cursor is None
        else "/members?" + urlencode({**search, "cursor": page.next_cursor}),
    }
    return render(request, "members.html", context, status_code=422 if errors else 200)


def _search_refusal(refused: InvalidRequest, field_id: str) -> str:
    if field_id == "tag":
        return "A tag is one word of small letters, digits and underscores, like uses_services"
    return refused.detail


@router.get("/members/{member_id}")
async def member_page(
    request: Request, visit: CoordinatorVisitDep, member_id: int, done: str = ""
) -> Response:
    check_id(member_id)
    with refused_as_page():
        summary = await run_in_threadpool(
            member_summary, visit.engine, visit.timebank_id, visit.caller, member_id, utc_now().date()
        )
    said = DONE_SAYS.get(done)
    context = {
        "title": summary.member.display_name,
        "visit": visit,
        "here": "/members",
        "errors": None,
        "summary": summary,
        "member": summary.member,
        "done": None if said is None else said.format(name=summary.member.display_name),
    }
    return render(request, "member.html", context)


@router.get("/members/{member_id}/statement")
async def member_statement_page(
    request: Request, visit: CoordinatorVisitDep, member_id: int, cursor: str | None = None
) -> Response:
    member = await run_in_threadpool(coordinated_member, visit, member_id)
    with refused_as_page():
        try:
            page = await run_in_threadpool(
                read_statement, visit.engine, visit.timebank_id, visit.caller, member.account_id, cursor
            )
        except CursorInvalid as refused:
            raise _cursor_refused(refused, f"{member.display_name}'s page") from refused
    context = {
        "title": f"{member.display_name}'s statement",
        "visit": visit,
        "here": "/members",
        "errors": None,
        "member": member,
        "page": page,
        "first_page": cursor is None,
    }
    return render(request, "member_statement.html", context)
