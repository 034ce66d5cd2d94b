"""What a page that moved credits shows afterwards, read back from the member's own statement.

After a spend or a gift the page redirects to a result page named by the transaction. That page
finds the transaction among the newest lines of the member's own statement, so it shows what the
ledger holds (the minutes, the other side, the balance now), and only to the member whose credits
moved: another member's transaction, or another timebank's, is not on their statement and is not
found. An id no database could hold is not found either, before any query.
"""

from __future__ import annotations

from collections.abc import Callable

from timebank.accounts.statements import read_statement
from timebank.accounts.views import StatementLine
from timebank.ledger.limits import STATEMENT_LIMIT_MAX
from timebank.web.visits import PageRefused, Visit, refused_as_page

__all__ = ["ID_MAX", "check_id", "not_found", "own_statement_line"]

# The largest id a BIGINT column holds; a larger one in an address is not found, never queried.
ID_MAX = 2**63 - 1


def not_found() -> PageRefused:
    return PageRefused(404, "Page not found", "If you typed the web address, check it is correct.")


def check_id(value: int) -> int:
    if not 0 < value <= ID_MAX:
        raise not_found()
    return value


def own_statement_line(
    visit: Visit, transaction_id: int, wanted: Callable[[StatementLine], bool]
) -> tuple[StatementLine, int]:
    """The member's statement line for ``transaction_id`` (if ``wanted``), and their balance now."""
    check_id(transaction_id)
    with refused_as_page():
        page = read_statement(
            visit.engine, visit.timebank_id, visit.caller, visit.account_id, limit=STATEMENT_LIMIT_MAX
        )
    for line in page.lines:
        if line.transaction_id == transaction_id and wanted(line):
            return line, page.balance_minutes
    raise not_found()
