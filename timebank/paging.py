"""Keyset pagination for lists ordered by id: opaque cursors and a capped page size.

A cursor is the last id of the page, base64-wrapped so that callers treat it as opaque; a page asks
for one row more than it returns to know whether another page follows.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from typing import TypeVar

from timebank.errors import InvalidRequest
from timebank.ledger.limits import STATEMENT_LIMIT_DEFAULT, STATEMENT_LIMIT_MAX

__all__ = [
    "CursorInvalid",
    "PageLimitOutOfRange",
    "decode_id_cursor",
    "encode_id_cursor",
    "page_limit",
    "split_page",
]


class CursorInvalid(InvalidRequest):
    code = "cursor_invalid"
    title = "This page cursor is not one we gave out"


class PageLimitOutOfRange(InvalidRequest):
    code = "page_limit_out_of_range"
    title = "The page size is out of range"


T = TypeVar("T")

_PREFIX = "id:"
_ID_MAX = 2**63 - 1


def page_limit(limit: int | None) -> int:
    if limit is None:
        return STATEMENT_LIMIT_DEFAULT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= STATEMENT_LIMIT_MAX:
        raise PageLimitOutOfRange(f"A page holds 1 to {STATEMENT_LIMIT_MAX} items")
    return limit


def encode_id_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{last_id}".encode()).decode()


def decode_id_cursor(cursor: str | None) -> int | None:
    if cursor is None:
        return None
    refusal = CursorInvalid("This page cursor is not one we gave out; start from the first page")
    if len(cursor) > 100:
        raise refusal
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise refusal from error
    if not text.startswith(_PREFIX) or not text[len(_PREFIX) :].isdigit():
        raise refusal
    last_id = int(text[len(_PREFIX) :])
    if not 0 < last_id <= _ID_MAX:
        raise refusal
    return last_id


def split_page(records: Sequence[T], size: int, id_of: Callable[[T], int]) -> tuple[Sequence[T], str | None]:
    """Cut the one-extra row read ahead; the cursor points after the last row kept, if more follow."""
    if len(records) <= size:
        return records, None
    kept = records[:size]
    return kept, encode_id_cursor(id_of(kept[-1]))
