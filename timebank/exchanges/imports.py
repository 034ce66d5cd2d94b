"""Bulk import of historical exchanges: every row checked, then all written or none.

A timebank moving to this ledger brings its history: years of exchanges kept in a spreadsheet or
another system. The import checks every row (whole positive minutes within the timebank's limit,
two different accounts of this timebank, text lengths, a day no later than today) and replays the
rows in order against the accounts' limits, collecting every broken rule with its row number
instead of stopping at the first. The timebank's bound on back-dating is for exchanges recorded one
by one, not for its history, which may reach back any number of years.
If any row is refused, nothing is written and the caller gets the whole list to fix at once.
Otherwise each row becomes a confirmed exchange with its own ledger transaction, so any one of them
can later be reversed on its own, all in one database transaction.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import AccountNotFound, TimebankError
from timebank.exchanges.errors import ImportRejected, RowError, TooManyRows
from timebank.exchanges.idempotency import once
from timebank.exchanges.lifecycle import check_no_pot
from timebank.exchanges.views import ImportResult
from timebank.ledger import rules
from timebank.ledger.errors import AccountsMustDiffer, CoordinatorRequired
from timebank.ledger.limits import CATEGORY_LENGTH_MAX, DESCRIPTION_LENGTH_MAX, IMPORT_ROWS_MAX
from timebank.ledger.types import AccountState, PostedTransfer, TransferIntent
from timebank.people.callers import Caller

__all__ = ["ImportRow", "import_exchanges", "replay", "rows_sha256"]


@dataclass(frozen=True)
class ImportRow:
    giver_account_id: int
    receiver_account_id: int
    minutes: int
    activity_date: date
    description: str
    category: str | None = None


def _check_row(row: ImportRow, accounts: Mapping[int, AccountState], limit_minutes: int, today: date) -> None:
    rules.check_minutes(row.minutes, limit_minutes)
    # History may reach back any number of years, but no exchange happened after today.
    rules.check_activity_date(row.activity_date, today, None)
    if row.giver_account_id == row.receiver_account_id:
        raise AccountsMustDiffer("The giver and the receiver are the same account")
    for account_id in (row.receiver_account_id, row.giver_account_id):
        if account_id not in accounts:
            raise AccountNotFound(f"There is no account {account_id} in this timebank")
    check_no_pot([accounts[row.giver_account_id], accounts[row.receiver_account_id]])
    rules.check_text("description", row.description, DESCRIPTION_LENGTH_MAX)
    rules.check_text("category", row.category, CATEGORY_LENGTH_MAX)


def replay(
    rows: Sequence[ImportRow], accounts: dict[int, AccountState], limit_minutes: int
) -> tuple[dict[int, AccountState], list[PostedTransfer], list[RowError]]:
    """Apply every good row in order; collect each bad row's error and carry on without it."""
    states = dict(accounts)
    posted: list[PostedTransfer] = []
    errors: list[RowError] = []
    today = utc_now().date()
    for number, row in enumerate(rows, start=1):
        try:
            _check_row(row, states, limit_minutes, today)
            intent = TransferIntent(row.receiver_account_id, row.giver_account_id, row.minutes)
            pair = {i: states[i] for i in (row.receiver_account_id, row.giver_account_id)}
            changed, (transfer,) = rules.post(pair, [intent], limit_minutes)
        except TimebankError as error:
            errors.append(RowError(row=number, code=error.code, detail=error.detail))
            continue
        states.update(changed)
        posted.append(transfer)
    return states, posted, errors


def rows_sha256(rows: Sequence[ImportRow]) -> str:
    """A digest of the rows, so a retried import with the same key is recognised as the same file."""
    digest = hashlib.sha256()
    for r in rows:
        digest.update(
            repr(
                (
                    r.giver_account_id,
                    r.receiver_account_id,
                    r.minutes,
                    r.activity_date,
                    r.description,
                    r.category,
                )
            ).encode()
        )
    return digest.hexdigest()


def import_exchanges(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    rows: Sequence[ImportRow],
    *,
    idempotency_key: str | None = None,
) -> ImportResult:
    actor = caller.actor(timebank_id)
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can import exchanges")
    if len(rows) > IMPORT_ROWS_MAX:
        raise TooManyRows(f"At most {IMPORT_ROWS_MAX} rows in one import; split the file")
    request = {"rows_sha256": rows_sha256(rows)} if idempotency_key is not None else {}

    def work(uow: UnitOfWork) -> ImportResult:
        timebank = uow.timebanks.get(timebank_id)
        referenced = {r.giver_account_id for r in rows} | {r.receiver_account_id for r in rows}
        locked = uow.accounts.lock(timebank_id, referenced, missing_ok=True)
        states, posted, errors = replay(rows, locked, timebank.minutes_per_transfer_max)
        if errors:
            raise ImportRejected(errors)
        exchange_ids = uow.history.write(timebank_id, actor.caller, rows, posted, utc_now())
        # The report's running totals count them in the same transaction.
        uow.rollups.count_exchanges(timebank_id, list(exchange_ids))
        touched = [states[i] for i in sorted(locked) if states[i] != locked[i]]
        uow.accounts.save(locked, touched)
        return ImportResult(exchanges_imported=len(rows), minutes_imported=sum(r.minutes for r in rows))

    def use_case(uow: UnitOfWork) -> ImportResult:
        result = once(
            uow,
            timebank_id,
            actor.caller,
            idempotency_key,
            "import_exchanges",
            request,
            ImportResult,
            lambda: work(uow),
        )
        uow.commit()
        return result

    return run(engine, use_case)
