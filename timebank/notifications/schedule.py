"""Jobs that run by themselves inside ``timebank serve``: one thread, a clock, and a stop.

Many small timebanks have no cron, so ``timebank serve`` delivers the outbox every few seconds,
and expires pending exchanges (with their reminders) and tidies up on a schedule of its own,
unless told not to (``--no-background-jobs``, ``TIMEBANK_BACKGROUND_JOBS=false``), as a deployment
that runs ``timebank deliver``, ``expire-pending`` and ``tidy`` from cron would be.

One daemon thread runs every job in turn when it is due. A job that fails (the database away for
a moment, a mail server that hangs up) is logged and tried again at its next turn: the thread
never dies of it. ``stop`` wakes the thread and waits for the job in hand to finish, so a shutdown
never leaves a claim half-written; a message claimed but not sent by then waits out its lease.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

__all__ = ["BackgroundJobs", "Job"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], object]


class BackgroundJobs:
    def __init__(self, jobs: Sequence[Job]) -> None:
        assert all(job.every_seconds > 0 for job in jobs)
        self.jobs = tuple(jobs)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="timebank-background-jobs", daemon=True)
        self.runs: dict[str, int] = {job.name: 0 for job in jobs}
        self.failures: dict[str, int] = {job.name: 0 for job in jobs}

    def start(self) -> BackgroundJobs:
        self._thread.start()
        return self

    def stop(self, timeout_seconds: float = 30.0) -> bool:
        """Ask the thread to stop and wait for it; False if it was still busy after the timeout."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_seconds)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        # Every job runs once at the start, then at its interval.
        due = {job.name: time.monotonic() for job in self.jobs}
        while not self._stop.is_set():
            for job in self.jobs:
                if self._stop.is_set():
                    return
                if time.monotonic() >= due[job.name]:
                    self._run(job)
                    due[job.name] = time.monotonic() + job.every_seconds
            self._stop.wait(max(0.0, min(due.values()) - time.monotonic()))

    def _run(self, job: Job) -> None:
        try:
            job.run()
            self.runs[job.name] += 1
        except Exception:
            self.failures[job.name] += 1
            log.exception("Background job %s failed; it runs again in %s s", job.name, job.every_seconds)
