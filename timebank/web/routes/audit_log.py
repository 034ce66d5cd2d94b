"""The audit log on a page, for coordinators: every benefit check, warning, choice and read.

Oldest first, a page at a time with the use case's cursor
(``timebank.involvement.audit.read_named_audit_log``), each entry a sentence in plain words
(``timebank.web.audit_words``) with when, about whom and who did it. A search form (a GET: it
changes nothing) narrows the log to one kind of entry, one member, or both. The member is found by
their member number or by part of their name, as the other pages find people
(``timebank.people.members.directory``): one match is the member; several are offered as links;
none is a refusal beside the field. A filter that cannot be read shows the form again with the
error summary, and no entries (422).

The page never shows what a member declared: entries hold no benefit category, and the sentences
leave out the details a reader could guess one from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from timebank.errors import InvalidRequest, NotFound
from timebank.involvement.audit import AuditAction, read_named_audit_log
from timebank.involvement.views import NamedAuditPage
from timebank.paging import CursorInvalid
from timebank.people.members import directory, get_member
from timebank.people.views import DirectoryEntry
from timebank.web.audit_words import KIND_NAMES, entry_sentence
from timebank.web.forms import FormErrors
from timebank.web.templating import render
from timebank.web.visits import CoordinatorVisitDep, PageRefused, Visit, refused_as_page

__all__ = ["router"]

router = APIRouter(include_in_schema=False)

_PAGE_SIZE = 50
# More members than this for a name and the coordinator is asked to type more of it.
_MATCHES_SHOWN_MAX = 20
_TYPED_LENGTH_MAX = 200


@dataclass
class AuditFilter:
    """What the search form asked for, as typed, and what it means once read."""

    kind_text: str
    member_text: str
    errors: FormErrors = field(default_factory=FormErrors)
    kind: AuditAction | None = None
    member: DirectoryEntry | None = None
    matches: tuple[DirectoryEntry, ...] = ()


def _member_by_number(visit: Visit, number: int, found: AuditFilter) -> None:
    try:
        member = get_member(visit.engine, visit.timebank_id, visit.caller, number)
    except NotFound:
        found.errors.add("member", f"No member has the number {number}. Check the number")
        return
    found.member = DirectoryEntry(
        member_id=member.member_id, account_id=member.account_id, display_name=member.display_name
    )


def _member_by_name(visit: Visit, typed: str, found: AuditFilter) -> None:
    try:
        # Former members too: the log is about them as much as anyone.
        page = directory(
            visit.engine,
            visit.timebank_id,
            visit.caller,
            name=typed,
            limit=_MATCHES_SHOWN_MAX + 1,
            include_ended=True,
        )
    except InvalidRequest as refused:
        found.errors.add("member", refused.detail)
        return
    exact = [m for m in page.members if m.display_name.casefold() == typed.casefold()]
    if len(page.members) == 1 or len(exact) == 1:
        found.member = (exact or list(page.members))[0]
    elif not page.members:
        found.errors.add("member", f"No member's name has '{typed}' in it. Check the spelling")
    elif len(page.members) > _MATCHES_SHOWN_MAX:
        found.errors.add("member", f"Many members' names have '{typed}' in them. Type more of the name")
    else:
        found.errors.add("member", f"Several members' names have '{typed}' in them. Choose one below")
        found.matches = tuple(page.members)


def read_filter(visit: Visit, kind_text: str, member_text: str) -> AuditFilter:
    found = AuditFilter(kind_text=kind_text.strip(), member_text=member_text.strip()[:_TYPED_LENGTH_MAX])
    if found.kind_text:
        try:
            found.kind = AuditAction(found.kind_text)
        except ValueError:
            found.errors.add("kind", "Choose a kind of entry from the list")
    typed = found.member_text
    if typed.isascii() and typed.isdigit() and len(typed) <= 12:
        _member_by_number(visit, int(typed), found)
    elif typed:
        _member_by_name(visit, typed, found)
    return found


def _read_page(visit: Visit, found: AuditFilter, cursor: str | None) -> NamedAuditPage:
    with refused_as_page():
        try:
            return read_named_audit_log(
                visit.engine,
                visit.timebank_id,
                visit.caller,
                account_id=None if found.member is None else found.member.account_id,
                action=found.kind,
                cursor=cursor,
                limit=_PAGE_SIZE,
            )
        except CursorInvalid as refused:
            raise PageRefused(
                400,
                "This page of the audit log cannot be found",
                "The link to it is not one we gave out. Choose Audit log at the top to start again.",
            ) from refused


def _entries(page: NamedAuditPage) -> list[dict[str, Any]]:
    shown = []
    for entry in page.entries:
        who = None if entry.subject_account_id is None else page.subject_names.get(entry.subject_account_id)
        shown.append(
            {
                "at": entry.at,
                "kind": KIND_NAMES.get(entry.action, entry.action),  # type: ignore[call-overload]
                "sentence": entry_sentence(entry.action, who, entry.details, entry.note),
                "by": page.actor_names.get(entry.actor, "an app or a timed job"),
            }
        )
    return shown


def _read(
    visit: Visit, kind: str, member: str, cursor: str | None
) -> tuple[AuditFilter, NamedAuditPage | None]:
    found = read_filter(visit, kind, member)
    if found.errors:
        return found, None
    return found, _read_page(visit, found, cursor)


@router.get("/audit")
async def audit_log(
    request: Request,
    visit: CoordinatorVisitDep,
    kind: str = "",
    member: str = "",
    cursor: str | None = None,
) -> Response:
    found, page = await run_in_threadpool(_read, visit, kind, member, cursor)
    query = {"kind": found.kind_text, "member": found.member_text}
    context: dict[str, Any] = {
        "title": "Audit log",
        "visit": visit,
        "here": "/audit",
        "errors": found.errors or None,
        "found": found,
        "kinds": KIND_NAMES,
        "page": page,
        "entries": [] if page is None else _entries(page),
        "first_page": cursor is None,
        "query": {name: value for name, value in query.items() if value},
    }
    return render(request, "audit_log.html", context, status_code=422 if page is None else 200)
