"""Fields the coordinators' member forms share: a length of time in two boxes, and tags typed as words.

A length of time (an exchange's, or a balance limit) is typed as hours and minutes in two boxes,
``{prefix}-hours`` and ``{prefix}-minutes``, as the member's own record page asks it, and read as
whole minutes. Tags are typed in one box as words separated by spaces or commas; the use case says
what a tag may be (``timebank.people.members.check_tags``), and its refusal is shown beside the box.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from timebank.web.forms import FormErrors, whole_number

__all__ = ["duration", "tags_typed"]

_TAG_SEPARATORS = re.compile(r"[\s,]+")


def duration(form: Mapping[str, str], prefix: str, errors: FormErrors, *, missing: str | None) -> int | None:
    """Minutes from the two boxes, or None: left blank (with ``missing`` added if given), or refused."""
    hours_box, minutes_box = f"{prefix}-hours", f"{prefix}-minutes"
    if not form.get(hours_box, "").strip() and not form.get(minutes_box, "").strip():
        if missing is not None:
            errors.add(hours_box, missing)
        return None
    hours = whole_number(form, hours_box, "Hours", errors, blank_is=0)
    minutes = whole_number(form, minutes_box, "Minutes", errors, blank_is=0)
    if hours is None or minutes is None:
        return None
    if minutes >= 60:
        errors.add(minutes_box, "Minutes must be 59 or fewer. Put whole hours in the hours box")
        return None
    return hours * 60 + minutes


def tags_typed(text: str) -> list[str]:
    """The words typed in the tags box, in the order typed, each once."""
    words = [word for word in _TAG_SEPARATORS.split(text.strip()) if word]
    return list(dict.fromkeys(words))
