"""A member's home page: balance, hours given and received, what waits for them, recent exchanges."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from timebank.accounts.home import member_home
from timebank.clock import utc_now
from timebank.web.templating import render
from timebank.web.visits import VisitDep, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

# What the waiting list's buttons did, said on the home page they send the member back to.
DONE_MESSAGES = {
    "confirmed": "You confirmed the exchange.",
    "declined": "You declined the exchange. No credits moved.",
    "cancelled": "You cancelled the exchange. No credits moved.",
}


@router.get("/")
def home(request: Request, visit: VisitDep) -> Response:
    with refused_as_page():
        view = member_home(visit.engine, visit.timebank_id, visit.caller, utc_now().date())
    done = DONE_MESSAGES.get(request.query_params.get("done", ""))
    return render(
        request, "home.html", {"title": "Home", "visit": visit, "here": "/", "home": view, "done": done}
    )
