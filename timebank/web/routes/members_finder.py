"""Finding the people of an exchange a coordinator records, by part of their names, one box each.

As on a member's own pages (``timebank.web.people_finder``), a coordinator types part of a name and
the directory answers with the members whose names hold it: one match, or one exact match among a
few, is the person; several are offered as radios (``{box}-choice``) to choose from; none, or too
many, is a refusal beside the box. Unlike a member's pages, the coordinator may name themself: they
may have run the session they record.
"""

from __future__ import annotations

from collections.abc import Mapping

from timebank.errors import InvalidRequest
from timebank.people.members import directory
from timebank.web.forms import FormErrors
from timebank.web.people_finder import MATCHES_SHOWN_MAX, FoundMember
from timebank.web.visits import Visit

__all__ = ["find_member"]


def find_member(visit: Visit, form: Mapping[str, str], box: str, errors: FormErrors) -> FoundMember:
    """The member whose name was typed in ``box`` (a blank box finds nobody and is not refused)."""
    typed = form.get(box, "").strip()
    if not typed:
        return FoundMember()
    choice = f"{box}-choice"
    try:
        page = directory(
            visit.engine, visit.timebank_id, visit.caller, name=typed, limit=MATCHES_SHOWN_MAX + 1
        )
    except InvalidRequest as refused:
        errors.add(box, refused.detail)
        return FoundMember()
    matches = page.members
    picked = [m for m in matches if str(m.account_id) == form.get(choice, "")]
    exact = [m for m in matches if m.display_name.casefold() == typed.casefold()]
    if picked:
        return FoundMember(other=picked[0])
    if len(matches) == 1:
        return FoundMember(other=matches[0])
    if len(exact) == 1 and len(matches) <= MATCHES_SHOWN_MAX:
        return FoundMember(other=exact[0])
    if not matches:
        errors.add(box, f"No member's name has '{typed}' in it. Check the spelling")
    elif len(matches) > MATCHES_SHOWN_MAX:
        errors.add(box, f"Many members' names have '{typed}' in them. Type more of the name")
    elif form.get(choice):
        errors.add(choice, "Choose the person you mean")
    return FoundMember(matches=matches if len(matches) <= MATCHES_SHOWN_MAX else ())
