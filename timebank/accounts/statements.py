"""Statements and past balances: reading an account's history back.

A statement lists an account's transfers newest first, each with the balance just after it, so a
member sees how their balance came to be. Each line says what it was for (an exchange's description
and day, the activity an organisation recognised, a gift's note) and with whom, by name; a reversal
says what it reversed and the reason given for it. Pages are cut with an opaque cursor (the last line's time
and id), so paging stays fast however long the history. The balance at any past moment is read
from the last transfer at or before it, without adding anything up.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

from timebank.accounts.accounts import check_may_read_account
from timebank.accounts.views import StatementLine, StatementPage, StatementPeriod
from timebank.db.repositories import StatementRow
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger.limits import STATEMENT_LIMIT_DEFAULT, STATEMENT_LIMIT_MAX, STATEMENT_PERIOD_LINES_MAX
from timebank.ledger.types import AccountKind
from timebank.paging import CursorInvalid, PageLimitOutOfRange
from timebank.people.callers import Caller

__all__ = [
    "POT_NAME",
    "balance_at",
    "decode_cursor",
    "encode_cursor",
    "read_statement",
    "statement_between",
    "statement_line",
]

# What a statement calls the timebank's community fund, whatever its account is named.
POT_NAME = "Community pot"


def encode_cursor(posted_at: datetime, transfer_id: int) -> str:
    return base64.urlsafe_b64encode(f"{posted_at.isoformat()}|{transfer_id}".encode()).decode()


_CURSOR_LENGTH_MAX = 200
_TRANSFER_ID_MAX = 2**63 - 1


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    """Read back a cursor from ``encode_cursor``; anything else is refused, never passed to SQL."""
    refusal = CursorInvalid("This page cursor is not one we gave out; start from the first page")
    if len(cursor) > _CURSOR_LENGTH_MAX:
        raise refusal
    try:
        posted_at_text, transfer_id_text = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        posted_at = datetime.fromisoformat(posted_at_text)
        transfer_id = int(transfer_id_text)
        if posted_at.tzinfo is None or not 0 < transfer_id <= _TRANSFER_ID_MAX:
            raise refusal
        # Normalising to UTC also rejects moments that only exist outside the datetime range.
        posted_at = posted_at.astimezone(UTC)
    except (ValueError, UnicodeError, binascii.Error, OverflowError) as error:
        raise refusal from error
    return posted_at, transfer_id


def statement_line(row: StatementRow) -> StatementLine:
    return StatementLine(
        transfer_id=row.transfer_id,
        transaction_id=row.transaction_id,
        kind=row.kind.value,
        counterparty_account_id=row.counterparty_account_id,
        minutes=row.minutes,
        balance_after_minutes=row.balance_after_minutes,
        posted_at=row.posted_at,
        counterparty_name=POT_NAME if row.counterparty_kind is AccountKind.POT else row.counterparty_name,
        exchange_id=row.exchange_id,
        description=row.description,
        activity_date=row.activity_date,
        reverses_transaction_id=row.reverses_transaction_id,
        reason=row.reason,
    )


def read_statement(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    cursor: str | None = None,
    limit: int | None = None,
) -> StatementPage:
    """The account's transfers, newest first, a page at a time, for its holder or a coordinator."""
    check_may_read_account(engine, timebank_id, caller, account_id)
    if limit is None:
        limit = STATEMENT_LIMIT_DEFAULT
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= STATEMENT_LIMIT_MAX:
        raise PageLimitOutOfRange(f"Ask for between 1 and {STATEMENT_LIMIT_MAX} lines a page")
    before = decode_cursor(cursor) if cursor is not None else None

    def use_case(uow: UnitOfWork) -> StatementPage:
        # The account is read first, so an unknown id is refused, not shown as an empty statement.
        account = uow.accounts.get(timebank_id, account_id)
        rows = uow.transfers.statement(timebank_id, account_id, before, limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
        return StatementPage(
            account_id=account_id,
            balance_minutes=account.balance_minutes,
            lines=tuple(statement_line(r) for r in rows),
            next_cursor=encode_cursor(rows[-1].posted_at, rows[-1].transfer_id) if more else None,
        )

    return run(engine, use_case, write=False)


def statement_between(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    account_id: int,
    from_on: date,
    to_on: date,
    limit: int = STATEMENT_PERIOD_LINES_MAX,
) -> StatementPeriod:
    """The account's lines posted from ``from_on`` to ``to_on`` (both included, UTC days), newest
    first, at most ``limit`` of them; ``more`` says when the period holds more. For its holder or a
    coordinator, like ``read_statement``; the caller checks that the period does not end before it
    starts."""
    check_may_read_account(engine, timebank_id, caller, account_id)
    if from_on > to_on:
        raise ValueError("statement_between needs from_on on or before to_on")
    if isinstance(limit, bool) or not 1 <= limit <= STATEMENT_PERIOD_LINES_MAX:
        raise PageLimitOutOfRange(f"Ask for between 1 and {STATEMENT_PERIOD_LINES_MAX} lines")
    starts_at = datetime.combine(from_on, time(), UTC)
    # Strictly before midnight after the last day: the id 0 is below every transfer's id.
    before = (datetime.combine(to_on + timedelta(days=1), time(), UTC), 0)

    def use_case(uow: UnitOfWork) -> StatementPeriod:
        account = uow.accounts.get(timebank_id, account_id)
        # One line more than asked says whether more follow; lines before the period are dropped.
        rows = uow.transfers.statement(timebank_id, account_id, before, limit + 1)
        rows = [r for r in rows if r.posted_at >= starts_at]
        return StatementPeriod(
            account_id=account_id,
            name=uow.accounts.name_of(account_id),
            from_on=from_on,
            to_on=to_on,
            balance_minutes=account.balance_minutes,
            lines=tuple(statement_line(r) for r in rows[:limit]),
            more=len(rows) > limit,
        )

    return run(engine, use_case, write=False)


def balance_at(engine: Engine, timebank_id: int, account_id: int, at: datetime) -> int:
    """The account's balance as it stood at ``at`` (an aware datetime)."""
    if at.tzinfo is None:
        raise ValueError("balance_at needs an aware datetime")

    def use_case(uow: UnitOfWork) -> int:
        uow.accounts.get(timebank_id, account_id)
        return uow.transfers.balance_at(account_id, at)

    return run(engine, use_case, write=False)
