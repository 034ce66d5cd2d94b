"""Finding the other member a form is about, by part of their name, as every page that names one does.

A member types part of a name; the directory (``timebank.people.members.directory``) answers with
the members whose names hold it. One match, or one exact match among a few, is the person. Several
matches are offered as radios to choose from; none, or too many to list, is a refusal beside the
name field. The member themself is never a match: the pages that ask this (recording an exchange,
giving credits) are about someone else, so typing one's own name is refused in words saying so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from timebank.errors import InvalidRequest
from timebank.people.members import directory
from timebank.people.views import DirectoryEntry
from timebank.web.forms import FormErrors
from timebank.web.visits import Visit

__all__ = ["MATCHES_SHOWN_MAX", "FoundMember", "find_other_member"]

# More matches than this for a name and the member is asked to type more of it.
MATCHES_SHOWN_MAX = 20


@dataclass(frozen=True)
class FoundMember:
    """The member meant (``other``), or the several that match to choose from (``matches``), or neither."""

    other: DirectoryEntry | None = None
    matches: tuple[DirectoryEntry, ...] = ()


def find_other_member(
    visit: Visit,
    form: Mapping[str, str],
    errors: FormErrors,
    *,
    missing: str = "Enter the name of the other person",
    yourself: str = "That is your own name. Enter the name of the other person",
    name_field: str = "other_name",
    choice_field: str = "other_account_id",
) -> FoundMember:
    """Read the name typed (and the choice made among several), adding a refusal to ``errors`` if any."""
    typed = form.get(name_field, "").strip()
    if not typed:
        errors.add(name_field, missing)
        return FoundMember()
    try:
        page = directory(
            visit.engine, visit.timebank_id, visit.caller, name=typed, limit=MATCHES_SHOWN_MAX + 1
        )
    except InvalidRequest as refused:
        errors.add(name_field, refused.detail)
        return FoundMember()
    matches = tuple(m for m in page.members if m.account_id != visit.caller.account_id)
    chosen = form.get(choice_field, "")
    picked = [m for m in matches if str(m.account_id) == chosen]
    exact = [m for m in matches if m.display_name.casefold() == typed.casefold()]
    if picked:
        return FoundMember(other=picked[0])
    if len(matches) == 1:
        return FoundMember(other=matches[0])
    if len(exact) == 1 and len(matches) <= MATCHES_SHOWN_MAX:
        return FoundMember(other=exact[0])
    if not matches and page.members:
        errors.add(name_field, yourself)
    elif not matches:
        errors.add(name_field, f"No member's name has '{typed}' in it. Check the spelling")
    elif len(matches) > MATCHES_SHOWN_MAX:
        errors.add(name_field, f"Many members' names have '{typed}' in them. Type more of the name")
    elif chosen:
        errors.add(choice_field, "Choose the person you mean")
    return FoundMember(matches=matches if len(matches) <= MATCHES_SHOWN_MAX else ())
