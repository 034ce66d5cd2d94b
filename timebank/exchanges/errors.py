"""The refusals of recording exchanges that are not the ledger's own: idempotency keys and imports.

Leaves of the one error tree (``timebank.errors``). A write that moves credits needs an
``Idempotency-Key``; the same key with another request is refused, and one still being answered
is in flight. A bulk import is refused whole, listing every bad row (``ImportRejected``).
"""

from __future__ import annotations

from dataclasses import dataclass

from timebank.errors import IdempotencyConflict, InvalidRequest

__all__ = [
    "IdempotencyKeyInFlight",
    "IdempotencyKeyRequired",
    "IdempotencyKeyReused",
    "ImportRejected",
    "RowError",
    "TooManyRows",
]


class TooManyRows(InvalidRequest):
    code = "too_many_rows"
    title = "Too many rows in one import"


class IdempotencyKeyRequired(InvalidRequest):
    code = "idempotency_key_required"
    title = "An Idempotency-Key header is needed for a request that moves credits"


@dataclass(frozen=True)
class RowError:
    """One refused row of a bulk import: its 1-based number, the rule's code and a sentence."""

    row: int
    code: str
    detail: str


class ImportRejected(InvalidRequest):
    """A bulk import with at least one bad row. Nothing was written; ``errors`` lists every row."""

    code = "import_rejected"
    title = "The import was refused; nothing was recorded"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} row(s) broke a rule; nothing was recorded")


class IdempotencyKeyReused(IdempotencyConflict):
    code = "idempotency_key_reused"
    title = "This idempotency key was already used for a different request"


class IdempotencyKeyInFlight(IdempotencyConflict):
    code = "idempotency_key_in_flight"
    title = "A request with this idempotency key is still running; retry shortly"
