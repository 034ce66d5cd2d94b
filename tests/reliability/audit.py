"""The bank workload's audit: the database against the answers the clients were given.

Run after the workload, with the server up and idle. Every figure that must be zero is named for the
promise it keeps:

- ``zero_sum_failures``: a timebank whose balances do not sum to zero (L2);
- ``limit_breaches``: an account outside its floor or cap (L4);
- ``invariant_violations``: the ledger's own checks over every transfer (counters equal a replay of
  all transfers, running balances, well-formed transfers: L1, L3, L9, L10);
- ``lost``: an acknowledged write whose row is not there (its tag is in no description, note or
  reason, or its idempotency record is missing or names another result);
- ``duplicated``: a write whose tag is on more than one row, or an idempotency key with more than one;
- ``refused_but_recorded``: a refused write that left a row in the ledger, or whose idempotency
  record holds anything but that refusal (L5; the refusal itself is recorded under its key, so
  that a late first attempt cannot succeed after the client was told "refused");
- ``status_mismatches``: an exchange whose status is not what the answers said (a lost confirmation,
  reversal, decline or cancellation shows here);
- ``balance_mismatches``: an account whose balance is not what the acknowledged writes add up to;
- ``integrity``: SQLite's ``PRAGMA integrity_check`` (``ok``), or ``not applicable`` on PostgreSQL.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Engine, select, text

from timebank.db.tables import accounts, exchanges, idempotency_keys, transaction_texts

from ..integration.helpers import check_invariants
from .bank_world import BankWorld
from .workload import GIFTS, WorkloadLog

__all__ = ["Figures", "audit"]

MUST_BE_ZERO = (
    "zero_sum_failures",
    "limit_breaches",
    "invariant_violations",
    "lost",
    "duplicated",
    "refused_but_recorded",
    "status_mismatches",
    "balance_mismatches",
    "read_anomalies",
    "server_errors",
    "sigterm_cut_after_commit",
)


@dataclass
class Figures:
    backend: str
    operations: int = 0
    writes: int = 0
    reads: int = 0
    acknowledged: int = 0
    refused: int = 0
    indeterminate: int = 0  # operations with at least one attempt cut off (timeout or lost connection)
    # Writes cut off by a kill, looked up while the server was down: committed ones can only have
    # been acknowledged later by a replay of the first answer; the others ran afresh on retry.
    killed_writes_committed: int = 0
    killed_writes_not_committed: int = 0
    cut_writes: int = 0  # keyed writes with an attempt cut off, by a kill or by impatience
    # ... of which had committed before their answered attempt was sent: that attempt was a replay.
    replayed_after_cut: int = 0
    # Declines and cancellations (unkeyed) cut off after they were done: the retry was refused as
    # already done, so they count as acknowledged.
    unkeyed_settled_by_retry: int = 0
    unsent_attempts: int = 0
    busy_retries: int = 0
    kills: int = 0
    restarts: int = 0
    sigterm_in_flight: int = 0
    sigterm_answered: int = 0
    sigterm_cut_not_committed: int = 0
    sigterm_cut_after_commit: int = 0
    sigterm_timed_out_by_client: int = 0
    sigterm_exit_status: int | None = None
    sigterm_stop_seconds: float = 0.0
    elapsed_seconds: float = 0.0
    operations_per_second: float = 0.0
    lost: int = 0
    duplicated: int = 0
    refused_but_recorded: int = 0
    status_mismatches: int = 0
    balance_mismatches: int = 0
    zero_sum_failures: int = 0
    limit_breaches: int = 0
    invariant_violations: int = 0
    read_anomalies: int = 0
    server_errors: int = 0
    integrity: str = ""
    by_kind: dict[str, int] = field(default_factory=dict)
    refusal_codes: dict[str, int] = field(default_factory=dict)
    details: list[str] = field(default_factory=list)

    def failures(self) -> list[str]:
        """Every promise broken, by name, with the first details; empty when all held."""
        broken = [f"{name} = {getattr(self, name)}" for name in MUST_BE_ZERO if getattr(self, name)]
        if self.integrity not in ("ok", "not applicable"):
            broken.append(f"integrity = {self.integrity!r}")
        if self.sigterm_exit_status not in (None, 0):
            broken.append(f"the server exited with {self.sigterm_exit_status} after SIGTERM")
        return broken + self.details[:40]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def audit(engine: Engine, world: BankWorld, log: WorkloadLog) -> Figures:
    figures = Figures(backend=engine.dialect.name)
    _count(figures, log)
    with engine.connect() as connection:
        _check_books(connection, world, figures)
        _check_writes(connection, world, log, figures)
        figures.integrity = (
            str(connection.execute(text("PRAGMA integrity_check")).scalar())
            if engine.dialect.name == "sqlite"
            else "not applicable"
        )
    for timebank_id in world.timebank_ids:
        for problem in check_invariants(engine, timebank_id):
            figures.invariant_violations += 1
            figures.details.append(f"timebank {timebank_id}: {problem}")
    return figures


def _count(figures: Figures, log: WorkloadLog) -> None:
    figures.operations = len(log.ops)
    figures.writes = sum(op.is_write for op in log.ops)
    figures.reads = figures.operations - figures.writes
    figures.acknowledged = sum(op.is_write and (op.acknowledged or op.settled_by_retry) for op in log.ops)
    figures.refused = sum(op.is_write and op.refused and not op.settled_by_retry for op in log.ops)
    figures.unkeyed_settled_by_retry = sum(op.settled_by_retry for op in log.ops)
    figures.indeterminate = sum(op.indeterminate for op in log.ops)
    figures.unsent_attempts = sum(op.attempts.count("unsent") for op in log.ops)
    figures.busy_retries = sum(op.attempts.count("busy") for op in log.ops)
    figures.kills, figures.restarts = log.kills, log.restarts
    figures.killed_writes_committed = log.killed_writes_committed
    figures.killed_writes_not_committed = log.killed_writes_not_committed
    if log.sigterm is not None:
        figures.sigterm_in_flight = log.sigterm.in_flight
        figures.sigterm_answered = log.sigterm.answered
        figures.sigterm_cut_not_committed = log.sigterm.cut_not_committed
        figures.sigterm_cut_after_commit = log.sigterm.cut_after_commit
        figures.sigterm_timed_out_by_client = log.sigterm.timed_out
        figures.sigterm_exit_status = log.sigterm.exit_status
        figures.sigterm_stop_seconds = round(log.sigterm.stop_seconds, 2)
    figures.elapsed_seconds = round(log.elapsed_seconds, 1)
    figures.operations_per_second = round(figures.operations / max(log.elapsed_seconds, 1e-9), 1)
    figures.read_anomalies = len(log.read_anomalies)
    figures.server_errors = len(log.server_errors)
    figures.details += log.read_anomalies[:10] + log.server_errors[:10]
    figures.by_kind = dict(sorted(log.counts().items()))
    figures.refusal_codes = dict(Counter(op.code or "?" for op in log.ops if op.refused).most_common())
    unanswered = [op.number for op in log.ops if op.status is None]
    if unanswered:
        figures.lost += len(unanswered)
        figures.details.append(f"operations never answered: {unanswered[:10]}")


def _check_books(connection: Any, world: BankWorld, figures: Figures) -> None:
    rows = connection.execute(
        select(
            accounts.c.id,
            accounts.c.timebank_id,
            accounts.c.balance_minutes,
            accounts.c.floor_minutes,
            accounts.c.cap_minutes,
        ).where(accounts.c.timebank_id.in_(world.timebank_ids))
    ).all()
    sums: Counter[int] = Counter()
    for account_id, timebank_id, balance, floor, cap in rows:
        sums[timebank_id] += balance
        if balance < floor or (cap is not None and balance > cap):
            figures.limit_breaches += 1
            figures.details.append(f"account {account_id}: balance {balance} outside [{floor}, {cap}]")
    for timebank_id in world.timebank_ids:
        if sums[timebank_id] != 0:
            figures.zero_sum_failures += 1
            figures.details.append(f"timebank {timebank_id}: balances sum to {sums[timebank_id]}")


def _check_writes(connection: Any, world: BankWorld, log: WorkloadLog, figures: Figures) -> None:
    tag_like = f"{world.run_tag} op %"
    in_scope = world.timebank_ids
    exchange_rows = connection.execute(
        select(exchanges.c.id, exchanges.c.description, exchanges.c.status).where(
            exchanges.c.timebank_id.in_(in_scope), exchanges.c.description.like(tag_like)
        )
    ).all()
    # A transaction's note or reason is kept beside it (transaction_texts), off the append-only row.
    texts = transaction_texts.c
    transaction_rows = connection.execute(
        select(texts.transaction_id, texts.note, texts.reason).where(
            texts.timebank_id.in_(in_scope),
            texts.note.like(tag_like) | texts.reason.like(tag_like),
        )
    ).all()
    keys = {op.key: op for op in log.ops if op.key is not None}
    key_rows = connection.execute(
        select(idempotency_keys.c.key, idempotency_keys.c.response_json, idempotency_keys.c.created_at).where(
            idempotency_keys.c.timebank_id.in_(in_scope)
        )
    ).all()

    rows_by_tag: dict[str, list[int]] = defaultdict(list)
    for exchange_id, description, _status in exchange_rows:
        rows_by_tag[description].append(exchange_id)
    for transaction_id, note, reason in transaction_rows:
        rows_by_tag[note or reason].append(transaction_id)
    key_answers: dict[str, list[dict[str, Any]]] = defaultdict(list)
    key_committed_at: dict[str, float] = {}
    for key, response_json, created_at in key_rows:
        if key in keys:
            key_answers[key].append(json.loads(response_json))
            key_committed_at[key] = created_at.timestamp()

    for op in log.ops:
        if not op.is_write:
            continue
        found = rows_by_tag.get(op.tag, []) if op.tag else []
        answers = key_answers.get(op.key or "", [])
        if op.acknowledged:
            if op.tag is not None and not found:
                figures.lost += 1
                figures.details.append(f"op {op.number} {op.kind} acknowledged but not in the database")
            elif len(found) > 1:
                figures.duplicated += 1
                figures.details.append(f"op {op.number} {op.kind} recorded {len(found)} times: {found}")
            elif op.tag is not None and op.answer is not None and found != [int(op.answer["id"])]:
                figures.lost += 1
                figures.details.append(f"op {op.number} answered id {op.answer['id']}, database has {found}")
            if op.key is not None and op.indeterminate:
                figures.cut_writes += 1
                committed_at = key_committed_at.get(op.key)
                figures.replayed_after_cut += committed_at is not None and committed_at < op.sent_at_wall[-1]
            if op.key is None:
                pass
            elif len(answers) != 1:
                figures.lost += not answers
                figures.duplicated += len(answers) > 1
                figures.details.append(f"op {op.number} {op.kind}: {len(answers)} idempotency records")
            elif op.answer is not None and _stored_id(answers[0]) != op.answer.get("id"):
                figures.lost += 1
                figures.details.append(f"op {op.number}: its key replays id {_stored_id(answers[0])}")
        elif (
            op.refused
            and not op.settled_by_retry
            and (found or any(a.get("refused", {}).get("code") != op.code for a in answers))
        ):
            figures.refused_but_recorded += 1
            figures.details.append(
                f"op {op.number} {op.kind} refused ({op.code}) yet recorded: {found} {answers}"
            )

    statuses = {exchange_id: status for exchange_id, _d, status in exchange_rows}
    for exchange_id, model in log.exchanges.items():
        if statuses.get(exchange_id) != model.status:
            figures.status_mismatches += 1
            figures.details.append(
                f"exchange {exchange_id}: the database says {statuses.get(exchange_id)}, "
                f"the answers say {model.status}"
            )

    expected: Counter[int] = Counter()
    for model in log.exchanges.values():
        if model.status == "confirmed":
            for source, target, minutes in model.transfers:
                expected[source] -= minutes
                expected[target] += minutes
    for op in log.ops:
        if op.kind in GIFTS and op.acknowledged and op.body is not None:
            expected[op.body["from_account_id"]] -= op.body["minutes"]
            expected[op.body["to_account_id"]] += op.body["minutes"]
    balances = dict(
        connection.execute(
            select(accounts.c.id, accounts.c.balance_minutes).where(accounts.c.timebank_id.in_(in_scope))
        ).all()
    )
    for account_id, balance in balances.items():
        if balance != expected[account_id]:
            figures.balance_mismatches += 1
            figures.details.append(
                f"account {account_id}: balance {balance}, the answers add up to {expected[account_id]}"
            )


def _stored_id(stored: dict[str, Any]) -> Any:
    """The id in a stored first answer: an exchange's (record, confirm) or a transaction's (gift, reverse)."""
    return stored["transaction_id"] if "transfers" in stored else stored["exchange_id"]
