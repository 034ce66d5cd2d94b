"""Money typed into a form: pounds and pence as a person writes them ("12.50", "£12", "12.5"), kept as pence.

Expenses and payments are money, kept as whole pence (DESIGN §3, B2); credits are never money and
never pass through here. A box that holds anything else is refused in a sentence naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from timebank.benefits.checks import PENCE_MAX
from timebank.web.forms import FormErrors

__all__ = ["pence"]

_POUNDS = re.compile(r"£?\s*([0-9]{1,7})(?:\.([0-9]{1,2}))?")


def pence(form: Mapping[str, str], name: str, label: str, errors: FormErrors) -> int | None:
    """A box of pounds and pence as whole pence (more than zero), or None with the reason in ``errors``."""
    text = form.get(name, "").strip().replace(",", "")
    if not text:
        errors.add(name, f"Enter {label.lower()}")
        return None
    matched = _POUNDS.fullmatch(text) if text.isascii() or text.startswith("£") else None
    if matched is None:
        errors.add(name, f"{label} must be in pounds and pence, like 12.50")
        return None
    pounds, fraction = matched.group(1), matched.group(2) or "0"
    amount = int(pounds) * 100 + int(fraction.ljust(2, "0"))
    if amount <= 0:
        errors.add(name, f"{label} must be more than nothing")
        return None
    if amount > PENCE_MAX:
        errors.add(name, f"{label} is more than this service can record")
        return None
    return amount
