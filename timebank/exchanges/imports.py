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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import TimebankSettings
from timebank.db.tables import exchange_receivers, exchanges, transactions, transfers
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import AccountNotFound, TimebankError
from timebank.exchanges.errors import ImportRejected, RowError, TooManyRows
from timebank.exchanges.idempotency import once
from timebank.exchanges.lifecycle import check_no_pot
from timebank.exchanges.views import ImportResult
from timebank.ledger import rules
from timebank.ledger.errors import AccountsMustDiffer, CoordinatorRequired
from timebank.ledger.limits import CATEGORY_LENGTH_MAX, DESCRIPTION_LENGTH_MAX, IMPORT_ROWS_MAX
from timebank.ledger.types import AccountState, Actor, PostedTransfer, TransferIntent

__all__ = ["ImportRow", "import_exchanges"]

# An import this large changes the tables' size enough to mislead the query planner.
ANALYZE_AFTER_ROWS = 10_000


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


def _replay(
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
    actor: Actor,
    rows: Sequence[ImportRow],
    *,
    idempotency_key: str | None = None,
) -> ImportResult:
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can import exchanges")
    if len(rows) > IMPORT_ROWS_MAX:
        raise TooManyRows(f"At most {IMPORT_ROWS_MAX} rows in one import; split the file")
    request = {"rows_sha256": rows_sha256(rows)} if idempotency_key is not None else {}

    def work(uow: UnitOfWork) -> ImportResult:
        timebank = uow.timebanks.get(timebank_id)
        referenced = {r.giver_account_id for r in rows} | {r.receiver_account_id for r in rows}
        locked = uow.accounts.lock(timebank_id, referenced, missing_ok=True)
        states, posted, errors = _replay(rows, locked, timebank.minutes_per_transfer_max)
        if errors:
            raise ImportRejected(errors)
        _write(uow, timebank, actor, rows, posted)
        touched = [states[i] for i in sorted(locked) if states[i] != locked[i]]
        uow.accounts.save(locked, touched)
        return ImportResult(exchanges_imported=len(rows), minutes_imported=sum(r.minutes for r in rows))

    def use_case(uow: UnitOfWork) -> ImportResult:
        result = once(
            uow,
            timebank_id,
            actor,
            idempotency_key,
            "import_exchanges",
            request,
            ImportResult,
            lambda: work(uow),
        )
        uow.commit()
        return result

    return run(engine, use_case)


def _write(
    uow: UnitOfWork,
    timebank: TimebankSettings,
    actor: Actor,
    rows: Sequence[ImportRow],
    posted: Sequence[PostedTransfer],
) -> None:
    count = len(rows)
    tb = timebank.timebank_id
    now = utc_now()
    transaction_ids = uow.bulk.reserve_ids(transactions, count)
    exchange_ids = uow.bulk.reserve_ids(exchanges, count)
    transfer_ids = uow.bulk.reserve_ids(transfers, count)
    uow.bulk.insert(transactions, _transaction_rows(tb, transaction_ids, actor.caller, now))
    uow.bulk.insert(exchanges, _exchange_rows(tb, exchange_ids, transaction_ids, rows, actor, now))
    uow.bulk.insert(exchange_receivers, _receiver_rows(tb, exchange_ids, rows))
    uow.bulk.insert(transfers, _transfer_rows(tb, transfer_ids, transaction_ids, posted, now))
    uow.exchanges.rollups.count_exchanges(tb, list(exchange_ids))
    if count >= ANALYZE_AFTER_ROWS:
        uow.bulk.refresh_statistics([transactions, exchanges, exchange_receivers, transfers])


def _transaction_rows(tb: int, ids: Sequence[int], caller: str, now: datetime) -> Iterator[dict[str, Any]]:
    for transaction_id in ids:
        yield {
            "id": transaction_id,
            "timebank_id": tb,
            "kind": "exchange",
            "reverses_transaction_id": None,
            "reason": None,
            "note": "imported",
            "created_by": caller,
            "created_at": now,
        }


def _exchange_rows(
    tb: int,
    ids: Sequence[int],
    transaction_ids: Sequence[int],
    rows: Sequence[ImportRow],
    actor: Actor,
    now: datetime,
) -> Iterator[dict[str, Any]]:
    for exchange_id, transaction_id, row in zip(ids, transaction_ids, rows, strict=True):
        yield {
            "id": exchange_id,
            "timebank_id": tb,
            "giver_account_id": row.giver_account_id,
            "status": "confirmed",
            "activity_date": row.activity_date,
            "description": row.description,
            "category": row.category,
            "recorded_by": actor.caller,
            "recorded_by_account_id": None,
            "giver_consent_needed": False,
            "giver_consented_at": None,
            "transaction_id": transaction_id,
            "reversal_transaction_id": None,
            "created_at": now,
            "decided_at": now,
        }


def _receiver_rows(
    tb: int, exchange_ids: Sequence[int], rows: Sequence[ImportRow]
) -> Iterator[dict[str, Any]]:
    for exchange_id, row in zip(exchange_ids, rows, strict=True):
        yield {
            "exchange_id": exchange_id,
            "account_id": row.receiver_account_id,
            "timebank_id": tb,
            "minutes": row.minutes,
            "consent_needed": False,
            "consented_at": None,
        }


def _transfer_rows(
    tb: int,
    ids: Sequence[int],
    transaction_ids: Sequence[int],
    posted: Sequence[PostedTransfer],
    now: datetime,
) -> Iterator[dict[str, Any]]:
    for transfer_id, transaction_id, p in zip(ids, transaction_ids, posted, strict=True):
        yield {
            "id": transfer_id,
            "timebank_id": tb,
            "transaction_id": transaction_id,
            "source_account_id": p.source_account_id,
            "target_account_id": p.target_account_id,
            "minutes": p.minutes,
            "source_balance_after_minutes": p.source_balance_after_minutes,
            "target_balance_after_minutes": p.target_balance_after_minutes,
            "posted_at": now,
        }
