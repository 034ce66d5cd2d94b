"""A limit on everything: the bounds checked at the edge and asserted inside.

Per-timebank settings (such as the most minutes one transfer may move) live in the timebank's row
and can only be set lower than the hard ceilings here.
"""

from __future__ import annotations

__all__ = [
    "CATEGORY_LENGTH_MAX",
    "DESCRIPTION_LENGTH_MAX",
    "IMPORT_ROWS_MAX",
    "NAME_LENGTH_MAX",
    "NOTE_LENGTH_MAX",
    "PENDING_EXPIRY_BATCH_MAX",
    "REASON_LENGTH_MAX",
    "RECEIVERS_MAX",
    "STATEMENT_LIMIT_DEFAULT",
    "STATEMENT_LIMIT_MAX",
    "STATEMENT_PERIOD_LINES_MAX",
]

RECEIVERS_MAX = 50
DESCRIPTION_LENGTH_MAX = 500
CATEGORY_LENGTH_MAX = 80
NAME_LENGTH_MAX = 200
NOTE_LENGTH_MAX = 500
REASON_LENGTH_MAX = 1000
STATEMENT_LIMIT_DEFAULT = 50
STATEMENT_LIMIT_MAX = 200
# A printed or downloaded statement: a few years of a busy member, read in one query.
STATEMENT_PERIOD_LINES_MAX = 2_000
IMPORT_ROWS_MAX = 2_000_000
PENDING_EXPIRY_BATCH_MAX = 10_000
