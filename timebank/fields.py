"""The typed fields of requests: whole numbers within bounds, days as days, text with a limit.

A use case takes one typed request (a ``Request``), and the JSON API and the pages parse what they
are sent into it, so a field's rule is written once: ids are positive and fit the databases,
minutes are strict whole numbers within a transfer's limit (``60.0``, ``"60"`` and ``true`` are
refused, never rounded), a day is ``YYYY-MM-DD`` (a person means a day, not a timestamp), and every
text has a maximum length. Unknown fields are refused, so nobody slips in ``balance_minutes``.

A request may also be built without these checks (``model_construct``), as a test does to reach a
use case's own checks: each use case checks again what the ledger's rules say, inside its
transaction, against the timebank's own limits.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictInt

from timebank.ledger.limits import (
    CATEGORY_LENGTH_MAX,
    DESCRIPTION_LENGTH_MAX,
    NAME_LENGTH_MAX,
    NOTE_LENGTH_MAX,
    REASON_LENGTH_MAX,
)
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX

__all__ = [
    "ID_MAX",
    "LIMIT_MINUTES_MAX",
    "CalendarDate",
    "CapMinutes",
    "Category",
    "Description",
    "FloorMinutes",
    "Id",
    "Minutes",
    "Name",
    "Note",
    "Reason",
    "Request",
]

# The largest id both databases store (a signed 64-bit integer).
ID_MAX = 2**63 - 1

Id = Annotated[StrictInt, Field(ge=1, le=ID_MAX)]
Minutes = Annotated[StrictInt, Field(ge=1, le=MINUTES_PER_TRANSFER_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH_MAX)]
Description = Annotated[str, Field(min_length=1, max_length=DESCRIPTION_LENGTH_MAX)]
Category = Annotated[str, Field(max_length=CATEGORY_LENGTH_MAX)]
Reason = Annotated[str, Field(min_length=1, max_length=REASON_LENGTH_MAX)]
Note = Annotated[str, Field(max_length=NOTE_LENGTH_MAX)]

# An account's floor and cap: a year of hours either way is far beyond any real timebank's limit.
LIMIT_MINUTES_MAX = 366 * 24 * 60
FloorMinutes = Annotated[StrictInt, Field(ge=-LIMIT_MINUTES_MAX, le=0)]
CapMinutes = Annotated[StrictInt, Field(ge=0, le=LIMIT_MINUTES_MAX)]


def _calendar_date_only(value: object) -> object:
    # Pydantic would also read 1714521600 or "2024-05-01T00:00:00" as a date; a person means a day.
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not (isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"):
        raise ValueError("give the date as YYYY-MM-DD")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date_only)]


class Request(BaseModel):
    """A use case's typed request: frozen, and refusing fields it does not know."""

    model_config = ConfigDict(extra="forbid", frozen=True)
