"""Housekeeping for a scheduler: forget what no longer protects anyone.

Expired access tokens stop working at their expiry; their rows are kept a day longer for audit and
then deleted. Failed logins older than the limit's window no longer count. Idempotency keys must be
kept long enough for any client to retry (at least 24 hours); the setting keeps them 30 days by
default, and a replay after that is treated as a new request. Uploads of a timebank's history that
were never confirmed are deleted, files and all, once they expire (``timebank.imports.uploads``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, delete

from timebank.clock import utc_now
from timebank.db.people_tables import login_failures
from timebank.db.tables import idempotency_keys
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.settings import get_settings

__all__ = ["TidyReport", "tidy"]

IDEMPOTENCY_RETENTION_DAYS_MIN = 1


@dataclass(frozen=True)
class TidyReport:
    tokens_deleted: int
    login_failures_deleted: int
    idempotency_keys_deleted: int
    import_uploads_deleted: int


def tidy(engine: Engine) -> TidyReport:
    settings = get_settings()
    now = utc_now()
    retention_days = max(IDEMPOTENCY_RETENTION_DAYS_MIN, settings.idempotency_key_retention_days)

    def use_case(uow: UnitOfWork) -> TidyReport:
        tokens = uow.access.delete_tokens_expired_before(now - timedelta(days=1))
        failures = uow.connection.execute(
            delete(login_failures).where(
                login_failures.c.failed_at < now - timedelta(seconds=settings.login_failure_window_seconds)
            )
        ).rowcount
        keys = uow.connection.execute(
            delete(idempotency_keys).where(
                idempotency_keys.c.created_at < now - timedelta(days=retention_days)
            )
        ).rowcount
        uploads = uow.import_uploads.delete_expired(now)
        uow.commit()
        return TidyReport(tokens, failures, keys, uploads)

    return run(engine, use_case)
