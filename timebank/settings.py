"""Deployment settings, read from the environment (prefix ``TIMEBANK_``).

One setting picks the database: ``TIMEBANK_DATABASE_URL``. Left unset, timebank keeps its data in a
SQLite file in the working directory; set it to a ``postgresql+psycopg://`` URL for production.
Per-timebank rules (floors, pending expiry, both-sides confirmation) live in the timebank's own
row, not here.
"""

from __future__ import annotations

import os
from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings"]

DEFAULT_DATABASE_URL = "sqlite:///timebank.sqlite3"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TIMEBANK_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    # How many times a use case is retried after a serialization failure, deadlock or busy database.
    transaction_attempts_max: int = 8
    # An acknowledged write must survive a crash of the machine, not only of a process: see the
    # README's "Durability" section for what each value gives.
    # SQLite, in WAL mode: FULL syncs the WAL to disk at every commit. NORMAL survives a crash of
    # this process but may lose the last commits to a power cut or an operating-system crash.
    sqlite_synchronous: str = "FULL"
    # PostgreSQL: sent with every connection, so a server, database or role configured with
    # synchronous_commit=off cannot weaken what an acknowledged write means without anyone noticing.
    # "on" waits for the WAL to reach disk (and for synchronous standbys, where there are any).
    postgres_synchronous_commit: str = "on"
    # `timebank serve` worker processes (uvicorn), unless --workers says otherwise. More than one
    # suits PostgreSQL; SQLite takes one writer at a time whatever the count.
    workers: int = 1
    # PostgreSQL connection pool per process.
    pool_size: int = 10

    # --- access ---------------------------------------------------------------------------------
    # How long a bearer token from POST /v1/auth/token stays valid, unless logged out sooner.
    token_lifetime_minutes: int = 12 * 60
    # The pages' session cookie is marked Secure when a page is asked for over HTTPS; behind a proxy
    # that ends HTTPS and forwards plain HTTP, set this so the cookie is never sent in clear.
    behind_https: bool = False
    # Failed logins allowed per username, and per client address, within the window; then 429.
    login_failures_per_username_max: int = 5
    login_failures_per_address_max: int = 30
    login_failure_window_seconds: int = 15 * 60
    # argon2id cost. The defaults are argon2-cffi's RFC 9106 "low memory" profile (64 MiB, 3 passes).
    password_hash_time_cost: int = 3
    password_hash_memory_kib: int = 64 * 1024
    password_hash_parallelism: int = 4

    # --- expensive work, a bounded number at a time (timebank/busy.py) ------------------
    # Passwords hashed or checked at once in one process. Each takes password_hash_memory_kib and
    # most of a core for a moment, so about one per core; more only queue for the cores and hold
    # the memory longer (60 logins at once took a worker from 124 MB to 2 GB before this bound).
    password_hash_concurrency_max: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    # Charts drawn, and PDFs written, at once in one process. Both hold the interpreter's lock
    # while they work, so more at once only make every other request wait longer.
    chart_render_concurrency_max: int = Field(default=2, ge=1)
    pdf_render_concurrency_max: int = Field(default=2, ge=1)
    # A request waits at most this long for a free slot, and at most this many requests wait per
    # slot; past either it is refused with 503 server_busy and Retry-After, having done nothing.
    busy_wait_milliseconds_max: int = Field(default=2000, ge=0)
    busy_waiters_per_slot_max: int = Field(default=4, ge=0)

    # Idempotency keys are kept this long (at least a day), then `timebank tidy` forgets them.
    idempotency_key_retention_days: int = 30

    # --- the HTTP edge --------------------------------------------------------------------------
    # Larger request bodies are refused with 413 before they are read whole.
    request_body_bytes_max: int = 256 * 1024
    # A client has this long, from opening a connection or from the last answer on it, to send a
    # request's whole head (timebank.api.http_protocol): slow clients cannot hold connections open.
    header_timeout_seconds: float = Field(default=10.0, gt=0, le=300)

    # --- being told: email (timebank.notifications) ----------------------------------------------
    # Where mail goes: an smtp:// URL (smtp://user:password@host:587, STARTTLS whenever the server
    # offers it; ?starttls=require refuses a server that does not). Unset: every message is written
    # as an .eml file into mail_folder instead, so the service runs with no mail server at all.
    smtp_url: str | None = None
    mail_folder: str = "mail-outbox"
    mail_from: str = "timebank <timebank@localhost>"
    smtp_timeout_seconds: float = Field(default=30.0, gt=0, le=300)
    # The address members reach the service at, for the links in their messages.
    public_url: str = "http://127.0.0.1:8000"
    # A verification link works this long, once.
    email_verification_hours: int = Field(default=48, ge=1, le=24 * 30)
    # A set-password code from a coordinator works this many days, once (a letter takes days by post).
    password_code_days: int = Field(default=14, ge=1, le=90)
    # A reset link asked for by email works this many minutes, once; a member is sent at most
    # ``password_resets_per_hour_max`` an hour, and one address may ask that many times an hour too.
    password_reset_minutes: int = Field(default=60, ge=5, le=24 * 60)
    password_resets_per_hour_max: int = Field(default=5, ge=1, le=100)
    # Delivery: at most this many messages a pass; a claimed message is another worker's for the
    # lease; a failure is tried again after the back-off, doubled each time (at most the cap), and
    # given up after the attempts.
    delivery_batch_max: int = Field(default=50, ge=1, le=1000)
    delivery_lease_seconds: int = Field(default=300, ge=1)
    delivery_attempts_max: int = Field(default=8, ge=1, le=50)
    delivery_backoff_seconds: int = Field(default=60, ge=0)
    delivery_backoff_seconds_max: int = Field(default=6 * 3600, ge=0)
    # A reminder goes this many days before a pending exchange would expire.
    reminder_days_before_expiry: int = Field(default=1, ge=1, le=365)

    # --- jobs `timebank serve` runs by itself (timebank.notifications.schedule) -----------------
    # Off for deployments that run `timebank deliver`, `expire-pending` and `tidy` from cron.
    background_jobs: bool = True
    deliver_every_seconds: float = Field(default=10.0, gt=0)
    expire_pending_every_seconds: float = Field(default=3600.0, gt=0)
    tidy_every_seconds: float = Field(default=24 * 3600.0, gt=0)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
