"""One use case, one database transaction, committed once.

A service opens a ``UnitOfWork``, reads and writes through its repositories, and calls ``commit()``
once at the end. Leaving the block without committing rolls everything back, so a refusal raised
half-way leaves no trace (L5). Repositories never commit.

``run`` wraps a use case in bounded retries. Two writers may collide in ways that are nobody's
fault: PostgreSQL may report a serialization failure or deadlock, SQLite may stay busy past its
timeout, and two requests with the same idempotency key may race to record it. Each of these rolls
back completely, so running the use case again from the start is safe. Every other database error
that a rule explains (a CHECK on a balance, the unique key on reversals) is turned into the ledger
error named for that rule.
"""

from __future__ import annotations

import random
import threading
import time
import weakref
from collections.abc import Callable
from functools import cached_property
from types import TracebackType
from typing import TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError

from timebank.db.repositories import (
    AccessRepository,
    AccountRepository,
    ActivityRepository,
    AuditRepository,
    BenefitStatementRepository,
    BulkWriter,
    DeclarationRepository,
    ErasureRepository,
    ExchangeRepository,
    HistoryWriter,
    IdempotencyRepository,
    ImportRepository,
    ImportUploadRepository,
    InvitationRepository,
    LimitChangeRepository,
    MemberRecordRepository,
    MemberRepository,
    MoneyRepository,
    NotificationRepository,
    OfferRepository,
    OrganisationRepository,
    RatingThresholdRepository,
    RecoveryRepository,
    ReportRepository,
    ReportRollups,
    SpendOptionRepository,
    TimebankRepository,
    TimebankRows,
    TransactionRepository,
    TransferRepository,
)
from timebank.errors import TimebankError, error_class
from timebank.settings import get_settings

__all__ = ["UnitOfWork", "ledger_error_for", "run"]

T = TypeVar("T")

# PostgreSQL SQLSTATEs worth a retry: serialization_failure and deadlock_detected.
_RETRY_SQLSTATES = {"40001", "40P01"}

# Database constraints that back up a rule, and the code of the rule each one means. Storage names
# the rule by its code; the error tree's registry gives its class (``timebank.errors.error_class``),
# so storage imports no use case for their errors.
_CONSTRAINT_CODES: dict[str, str] = {
    "balance_within_floor": "balance_below_floor",
    "balance_within_cap": "balance_above_cap",
    # A closed account (its membership ended) whose counters something tried to move.
    "closed_account_unmoved": "membership_ended",
    "uq_transactions_reverses_transaction_id": "transaction_already_reversed",
    "transactions.reverses_transaction_id": "transaction_already_reversed",
    "minutes_positive": "minutes_must_be_positive",
    "accounts_differ": "accounts_must_differ",
    "uq_logins_username": "username_taken",
    "logins.username": "username_taken",
    # Two writers recording the same member at the same activity at once: the second is refused.
    "pk_attendance": "attendance_already_recorded",
    "attendance.activity_id": "attendance_already_recorded",
    # A timebank's rating thresholds, should one reach the database unchecked.
    "ck_report_rating_thresholds_percent_in_range": "rating_threshold_out_of_range",
    "ck_report_rating_thresholds_ordered_for_direction": "rating_thresholds_out_of_order",
    # Two coordinators naming a category alike at once: the second is refused.
    "uq_categories_timebank_id_name_key": "category_name_taken",
    "categories.name_key": "category_name_taken",
}
_IDEMPOTENCY_CONSTRAINTS = ("uq_idempotency_keys_timebank_id_caller_key", "idempotency_keys.")


# SQLite has one writer at a time. Threads of one process that all ask for the write lock at once
# wait in SQLite's busy handler, which sleeps and polls: a writer may lose many rounds and wait
# seconds. Queueing a process's writers on a lock of our own first hands the write lock over in
# order within the process; only one writer per process meets the other processes' in the busy handler.
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()
_SQLITE_WRITERS_GUARD = threading.Lock()


def _sqlite_writer_lock(engine: Engine) -> threading.Lock:
    with _SQLITE_WRITERS_GUARD:
        lock = _SQLITE_WRITERS.get(engine)
        if lock is None:
            lock = _SQLITE_WRITERS[engine] = threading.Lock()
        return lock


class UnitOfWork:
    """A connection with one open transaction and the repositories that work inside it."""

    def __init__(self, engine: Engine, *, write: bool = True, snapshot: bool = False) -> None:
        self.engine = engine
        self.write = write
        # A reader that makes several reads which must agree with each other (a report) asks for
        # one snapshot: every statement sees the database as it was at the first.
        self.snapshot = snapshot
        self._committed = False
        # Set once COMMIT is sent: if the connection dies after that, whether the work was kept is
        # unknown, and only an idempotency key can make a retry safe.
        self.commit_sent = False

    def __enter__(self) -> UnitOfWork:
        self._writer_lock: threading.Lock | None = None
        if self.write and self.engine.dialect.name == "sqlite":
            self._writer_lock = _sqlite_writer_lock(self.engine)
            self._writer_lock.acquire()
        try:
            return self._open()
        except BaseException:
            self._release_writer_lock()
            raise

    def _release_writer_lock(self) -> None:
        if self._writer_lock is not None:
            self._writer_lock.release()
            self._writer_lock = None

    def _open(self) -> UnitOfWork:
        connection = self.engine.connect()
        if not self.write and self.engine.dialect.name == "sqlite":
            # Readers must not take SQLite's write lock: WAL lets them read a snapshot alongside it.
            connection = connection.execution_options(timebank_sqlite_begin="DEFERRED")
        elif not self.write and self.snapshot and self.engine.dialect.name == "postgresql":
            # One snapshot for every statement, read only (SQLite's deferred transaction above is
            # a snapshot already, from its first read).
            connection = connection.execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            )
        elif not self.write and self.engine.dialect.name == "postgresql":
            # Readers run without BEGIN and ROLLBACK, two round trips saved per read (the token
            # lookup on every API request is one). Nothing is lost: at READ COMMITTED each statement
            # takes its own snapshot inside a transaction as well, and readers take no locks.
            # SQLAlchemy puts the connection back to READ COMMITTED when it returns to the pool.
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
        self.connection: Connection = connection
        self._transaction = connection.begin()
        return self

    # The repositories, each made the first time the use case asks for it: a use case reads
    # and writes through a few of them, and the rest cost nothing.
    @cached_property
    def timebanks(self) -> TimebankRepository:
        return TimebankRepository(self.connection)

    @cached_property
    def accounts(self) -> AccountRepository:
        return AccountRepository(self.connection)

    @cached_property
    def transactions(self) -> TransactionRepository:
        return TransactionRepository(self.connection)

    @cached_property
    def transfers(self) -> TransferRepository:
        return TransferRepository(self.connection)

    @cached_property
    def exchanges(self) -> ExchangeRepository:
        return ExchangeRepository(self.connection)

    @cached_property
    def idempotency(self) -> IdempotencyRepository:
        return IdempotencyRepository(self.connection)

    @cached_property
    def limit_changes(self) -> LimitChangeRepository:
        return LimitChangeRepository(self.connection)

    @cached_property
    def bulk(self) -> BulkWriter:
        return BulkWriter(self.connection)

    @cached_property
    def members(self) -> MemberRepository:
        return MemberRepository(self.connection)

    @cached_property
    def member_records(self) -> MemberRecordRepository:
        return MemberRecordRepository(self.connection)

    @cached_property
    def erasure(self) -> ErasureRepository:
        return ErasureRepository(self.connection)

    @cached_property
    def organisations(self) -> OrganisationRepository:
        return OrganisationRepository(self.connection)

    @cached_property
    def access(self) -> AccessRepository:
        return AccessRepository(self.connection)

    @cached_property
    def reports(self) -> ReportRepository:
        return ReportRepository(self.connection)

    @cached_property
    def rating_thresholds(self) -> RatingThresholdRepository:
        return RatingThresholdRepository(self.connection)

    @cached_property
    def activities(self) -> ActivityRepository:
        return ActivityRepository(self.connection)

    @cached_property
    def money(self) -> MoneyRepository:
        return MoneyRepository(self.connection)

    @cached_property
    def declarations(self) -> DeclarationRepository:
        return DeclarationRepository(self.connection)

    @cached_property
    def notifications(self) -> NotificationRepository:
        return NotificationRepository(self.connection)

    @cached_property
    def recovery(self) -> RecoveryRepository:
        return RecoveryRepository(self.connection)

    @cached_property
    def invitations(self) -> InvitationRepository:
        return InvitationRepository(self.connection)

    # The report's running totals, counted by the use cases that confirm and reverse exchanges.
    @cached_property
    def rollups(self) -> ReportRollups:
        return ReportRollups(self.connection)

    @cached_property
    def history(self) -> HistoryWriter:
        return HistoryWriter(self.connection)

    @cached_property
    def audit(self) -> AuditRepository:
        return AuditRepository(self.connection)

    @cached_property
    def benefit_statements(self) -> BenefitStatementRepository:
        return BenefitStatementRepository(self.connection)

    @cached_property
    def spend_options(self) -> SpendOptionRepository:
        return SpendOptionRepository(self.connection)

    @cached_property
    def offers(self) -> OfferRepository:
        return OfferRepository(self.connection)

    @cached_property
    def imports(self) -> ImportRepository:
        return ImportRepository(self.connection)

    @cached_property
    def import_uploads(self) -> ImportUploadRepository:
        return ImportUploadRepository(self.connection)

    # A whole timebank's rows, table by table: its export, and the import of an export.
    @cached_property
    def timebank_rows(self) -> TimebankRows:
        return TimebankRows(self.connection)

    def restart(self) -> None:
        """Roll back everything done so far and begin again on the same connection.

        For the one case where a use case commits something other than its work: a refusal recorded
        under an idempotency key (timebank/exchanges/idempotency.py), written alone once the work is undone.
        """
        assert not self._committed, "a committed unit of work cannot start again"
        self._transaction.rollback()
        self._transaction = self.connection.begin()

    def commit(self) -> None:
        assert not self._committed, "a unit of work commits once"
        self.commit_sent = True
        self._transaction.commit()
        self._committed = True

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            if not self._committed and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            try:
                self.connection.close()
            finally:
                self._release_writer_lock()


def run(
    engine: Engine, use_case: Callable[[UnitOfWork], T], *, write: bool = True, snapshot: bool = False
) -> T:
    """Run ``use_case`` in a fresh unit of work, retrying collisions a bounded number of times.

    The use case must call ``uow.commit()`` itself if it writes; ``run`` never commits for it. A
    reader passes ``snapshot=True`` when its reads must all see the same moment.
    """
    attempts_max = get_settings().transaction_attempts_max
    for attempt in range(1, attempts_max + 1):
        uow = UnitOfWork(engine, write=write, snapshot=snapshot)
        try:
            with uow:
                return use_case(uow)
        except IntegrityError as error:
            if _is_idempotency_race(error) and attempt < attempts_max:
                continue
            ledger_error = ledger_error_for(error)
            if ledger_error is None:
                raise
            raise ledger_error from error
        except (OperationalError, DBAPIError) as error:
            if not _is_retryable(error, uow.commit_sent) or attempt == attempts_max:
                raise
            # Back off with jitter so colliding writers do not collide again in lockstep.
            time.sleep(random.uniform(0, 0.002 * 2**attempt))
    raise AssertionError("unreachable: the loop either returns or raises")


def _is_retryable(error: DBAPIError, commit_sent: bool) -> bool:
    if error.connection_invalidated:
        # The server went away (restart, failover). Before COMMIT was sent nothing can have been
        # kept, so running again is safe; after it, the outcome is unknown and the caller decides.
        return not commit_sent
    sqlstate = getattr(error.orig, "sqlstate", None)
    if sqlstate in _RETRY_SQLSTATES:
        return True
    message = str(error.orig).lower()
    return "database is locked" in message or "database is busy" in message


def _is_idempotency_race(error: IntegrityError) -> bool:
    message = str(error.orig)
    return any(name in message for name in _IDEMPOTENCY_CONSTRAINTS)


def ledger_error_for(error: IntegrityError) -> TimebankError | None:
    """The error a database constraint's refusal stands for, if a rule explains it."""
    message = str(error.orig)
    for constraint, code in _CONSTRAINT_CODES.items():
        if constraint in message:
            rule = error_class(code)
            return rule(f"The database refused this: {rule.title.lower()}")
    return None
