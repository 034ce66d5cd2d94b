"""The exchanges waiting for confirmation across the timebank, for its coordinators.

One page, oldest first (those close soonest), a page at a time with the use case's cursor
(``timebank.exchanges.waiting.list_waiting``). Each exchange says who helped whom, for how long, what
it was, when it was recorded, who it waits for, and how long it has left, in words ("expires in 3
days"; "confirms itself in 3 days" where the timebank auto-confirms). An exchange past its time
waits for the next run of the expiry job, and says so.

Each card links to the exchange's own page, where a coordinator can confirm it for the members it
waits for (when they say so by phone or in person), decline it for them, or cancel it; they then
come back here, told what they did.

The cursor only goes forward, so "Oldest exchanges" returns to the first page. A cursor that was
not one we gave out gets a plain page saying so (400).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from timebank.clock import utc_now
from timebank.exchanges.waiting import WaitingPage, list_waiting
from timebank.paging import CursorInvalid
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, refused_as_page

__all__ = ["DONE_FOR_THEM", "closes_in_words", "router"]

router = APIRouter(include_in_schema=False)

# What a coordinator did from an exchange's page, said on the waiting list they come back to.
DONE_FOR_THEM = {
    "confirmed": "You confirmed the exchange for them. The credits have moved.",
    "declined": "You declined the exchange for them. No credits moved.",
    "cancelled": "You cancelled the exchange. No credits moved.",
}

# Each exchange is a card of six rows: twenty make a page long enough.
_PAGE_SIZE = 20


def closes_in_words(closes_at: datetime, now: datetime, *, auto_confirm: bool) -> str:
    """How long an exchange has left, as a person says it: "expires in 3 days"."""
    verb = "confirms itself" if auto_confirm else "expires"
    left = closes_at - now
    if left <= timedelta(0):
        return f"{verb} at the next check, as its time is up"
    if left < timedelta(hours=1):
        return f"{verb} in less than an hour"
    if left < timedelta(days=1):
        hours = left // timedelta(hours=1)
        return f"{verb} in {hours} hour{'' if hours == 1 else 's'}"
    days = left.days
    return f"{verb} in {days} day{'' if days == 1 else 's'}"


def _read(visit: Visit, cursor: str | None) -> WaitingPage:
    with refused_as_page():
        try:
            return list_waiting(
                visit.engine, visit.timebank_id, visit.caller, cursor=cursor, limit=_PAGE_SIZE
            )
        except CursorInvalid as refused:
            raise PageRefused(
                400,
                "This page of the waiting list cannot be found",
                "The link to it is not one we gave out. Choose Waiting at the top to start again.",
            ) from refused


@router.get("/waiting")
async def waiting(request: Request, visit: CoordinatorVisitDep, cursor: str | None = None) -> Response:
    page = await run_in_threadpool(_read, visit, cursor)
    now = utc_now()
    items = [
        (x, closes_in_words(x.closes_at, now, auto_confirm=page.auto_confirm_pending)) for x in page.exchanges
    ]
    context = {
        "title": "Exchanges waiting to be confirmed",
        "visit": visit,
        "here": "/waiting",
        "errors": None,
        "page": page,
        "items": items,
        "first_page": cursor is None,
        "done": DONE_FOR_THEM.get(request.query_params.get("done", "")),
    }
    return render(request, "waiting.html", context)
