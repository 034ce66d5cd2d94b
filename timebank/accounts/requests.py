"""What the account use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms. A floor is at most
zero and a cap at least zero, each within a year of hours; the use case checks again, inside its
transaction, that the account's balance lies within the new limits.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from timebank.fields import CapMinutes, FloorMinutes, Request
from timebank.ledger.limits import REASON_LENGTH_MAX

__all__ = ["ChangeLimits"]


class ChangeLimits(Request):
    """An account's new floor and cap (none: no cap), and why they change."""

    floor_minutes: FloorMinutes
    cap_minutes: CapMinutes | None = None
    reason: Annotated[str, Field(max_length=REASON_LENGTH_MAX)] | None = None
