"""A page visit: who is asking (from the session cookie), and the checks every form post passes.

A page behind the login depends on ``Visit``: without a live session it sends the visitor to
``/login`` (303), so a page never renders for nobody. A form post reads its fields through
``posted_form``, which refuses a post that fails the CSRF checks (``timebank.web.csrf``) before a
use case runs. A use case's refusals that are not about a field become pages of their own
(``refused_as_page``): not found (404, also for another timebank's ids), not allowed (403),
busy (503).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import Engine

from timebank.busy import ServerBusy
from timebank.errors import NotAllowed, NotFound
from timebank.people.callers import Caller
from timebank.web.csrf import check_session_csrf, session_csrf_token
from timebank.web.sessions import session_caller, session_token

__all__ = [
    "CoordinatorVisitDep",
    "LoginRequired",
    "PageRefused",
    "StaffVisitDep",
    "Visit",
    "VisitDep",
    "posted_form",
    "refused_as_page",
]

# A form on these pages has a few fields; a post with many more is not one of ours.
_FORM_FIELDS_MAX = 60


class LoginRequired(Exception):
    """No live session: the visitor is sent to the login page."""


class PageRefused(Exception):
    """A refusal shown as a page of its own, with its status."""

    def __init__(self, status_code: int, title: str, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.title = title
        self.detail = detail


@dataclass(frozen=True)
class Visit:
    engine: Engine
    caller: Caller
    token: str

    @property
    def csrf_token(self) -> str:
        return session_csrf_token(self.token)

    @property
    def timebank_id(self) -> int:
        if self.caller.timebank_id is None:
            raise PageRefused(
                403,
                "This page is for members of a timebank",
                "You are logged in as a platform admin. Admins manage timebanks through the API.",
            )
        return self.caller.timebank_id

    @property
    def account_id(self) -> int:
        if self.caller.account_id is None:
            raise PageRefused(403, "This page is for members", "Only a member with an account has this page.")
        return self.caller.account_id


def _visit(request: Request) -> Visit:
    engine: Engine = request.app.state.engine
    caller = session_caller(engine, request)
    token = session_token(request)
    if caller is None or token is None:
        raise LoginRequired()
    return Visit(engine=engine, caller=caller, token=token)


VisitDep = Annotated[Visit, Depends(_visit)]


def _coordinator_visit(request: Request) -> Visit:
    # Checked before the page reads anything, so a member learns nothing from a coordinator's page,
    # not even whether the id in its address exists. The use cases check again.
    visit = _visit(request)
    if not visit.caller.is_coordinator or visit.caller.timebank_id is None:
        raise PageRefused(
            403, "This page is for coordinators", "Only a coordinator of this timebank can use this page."
        )
    return visit


def _staff_visit(request: Request) -> Visit:
    visit = _visit(request)
    caller = visit.caller
    if caller.timebank_id is None or not (caller.is_coordinator or caller.organisation_account_ids):
        raise PageRefused(
            403,
            "This page is for an organisation's staff",
            "Only staff of an organisation can use this page.",
        )
    return visit


CoordinatorVisitDep = Annotated[Visit, Depends(_coordinator_visit)]
StaffVisitDep = Annotated[Visit, Depends(_staff_visit)]


async def posted_form(request: Request, visit: Visit) -> dict[str, str]:
    """The posted fields as text (a field's first value), once the CSRF checks pass."""
    form = await request.form(max_fields=_FORM_FIELDS_MAX, max_files=0)
    fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
    fields = {name: str(form.get(name)) for name in fields}
    check_session_csrf(request, visit.token, fields.get("csrf_token"))
    return fields


@contextmanager
def refused_as_page() -> Iterator[None]:
    try:
        yield
    except NotFound as refused:
        raise PageRefused(404, "Page not found", refused.detail) from refused
    except NotAllowed as refused:
        raise PageRefused(403, "You cannot do this", refused.detail) from refused
    except ServerBusy as refused:
        raise PageRefused(
            503, "Sorry, we are busy", "Nothing was recorded. Wait a minute and try again."
        ) from refused
