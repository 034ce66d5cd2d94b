"""Slow work, a bounded number at a time: checking passwords, drawing charts, writing PDFs.

Most requests cost a few milliseconds. A few cost far more, on purpose or by nature: argon2id takes
64 MiB and most of a core for every password it hashes or checks, and drawing a chart or writing a
PDF holds the interpreter's lock for a fraction of a second. Left unbounded, a flood of them takes
every worker thread and, for passwords, gigabytes of memory (60 logins at once took a worker from
123 MiB to 2 GiB; 40 charts at once kept a balance read waiting 3 s). So each kind of slow work has
a fixed number of **slots** in a process (settings). Work takes a slot before it starts and gives it
back when it ends. Whoever finds every slot taken waits a short while, behind a bounded number of
others; past either bound it is refused with ``server_busy`` (503, with ``Retry-After``) before it
has done anything, rather than queueing without end.

A slot belongs to the context that took it (a request, a thread), and taking the same kind again in
that context takes nothing more. So a login takes the password slot before it counts the attempt,
and a refusal records nothing; the check it then makes finds the slot already held. The HTTP edge
takes a slot while the request is still on the event loop (``hold_async``), so requests waiting for
one do not sit in the worker threads that every other request needs; the worker thread runs in a
copy of the request's context, and the use case finds the slot held.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from functools import lru_cache
from threading import Condition

from timebank.errors import TimebankError
from timebank.settings import get_settings

__all__ = ["ServerBusy", "Slots", "chart_rendering", "password_hashing", "pdf_rendering"]


class ServerBusy(TimebankError):
    """Too many requests of one slow kind at once (password checks, charts, PDFs); nothing was done.

    Not the caller's fault, unlike ``TooManyAttempts``: the same request a moment later may succeed.
    """

    code = "server_busy"
    title = "The server is busy; try again shortly"

    def __init__(self, detail: str | None = None, retry_after_seconds: int = 1) -> None:
        self.retry_after_seconds = retry_after_seconds
        super().__init__(detail)


# The kinds of slow work the current context holds a slot for.
_HELD: ContextVar[frozenset[str]] = ContextVar("timebank_slots_held", default=frozenset())
# How often a request waiting on the event loop looks for a free slot: often enough to lose little
# of a slot's time, seldom enough to cost nothing next to the work it waits for.
_POLL_SECONDS = 0.01


class Slots:
    """``size`` slots for one kind of slow work, and room for ``waiting_max`` to wait for one."""

    def __init__(self, kind: str, doing: str, size: int, waiting_max: int, wait_seconds: float) -> None:
        assert size >= 1, "work that may never run needs no slots"
        assert waiting_max >= 0
        assert wait_seconds >= 0
        self.kind = kind
        self.doing = doing  # for the refusal: "The server is busy <doing>."
        self.size = size
        self.waiting_max = waiting_max
        self.wait_seconds = wait_seconds
        self._changed = Condition()
        self._in_use = 0
        self._waiting = 0

    @property
    def in_use(self) -> int:
        return self._in_use

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold a slot while the block runs, waiting for one if need be; ``server_busy`` if none comes."""
        if self.kind in _HELD.get():
            yield
            return
        with self._changed:
            if not self._take():
                self._join_queue()
                try:
                    taken = self._changed.wait_for(self._take, timeout=self.wait_seconds)
                finally:
                    self._waiting -= 1
                if not taken:
                    raise self._busy()
        with self._held():
            yield

    @asynccontextmanager
    async def hold_async(self) -> AsyncIterator[None]:
        """``hold`` for a request on the event loop: it waits without holding a thread."""
        if self.kind in _HELD.get():
            yield
            return
        with self._changed:
            taken = self._take()
            if not taken:
                self._join_queue()
        if not taken:
            deadline = time.monotonic() + self.wait_seconds
            try:
                while not taken and time.monotonic() < deadline:
                    await asyncio.sleep(_POLL_SECONDS)
                    with self._changed:
                        taken = self._take()
            finally:
                with self._changed:
                    self._waiting -= 1
            if not taken:
                raise self._busy()
        with self._held():
            yield

    def _take(self) -> bool:
        # Called with the condition's lock held.
        if self._in_use >= self.size:
            return False
        self._in_use += 1
        return True

    def _join_queue(self) -> None:
        # Called with the condition's lock held. A bounded queue: past it, waiting would only
        # make the answer later, not different.
        if self._waiting >= self.waiting_max:
            raise self._busy()
        self._waiting += 1

    @contextmanager
    def _held(self) -> Iterator[None]:
        token = _HELD.set(_HELD.get() | {self.kind})
        try:
            yield
        finally:
            _HELD.reset(token)
            with self._changed:
                assert self._in_use > 0, "a slot is given back once"
                self._in_use -= 1
                self._changed.notify()

    def _busy(self) -> ServerBusy:
        return ServerBusy(
            f"The server is busy {self.doing}. Nothing was done. Try again in a moment.",
            retry_after_seconds=max(1, math.ceil(self.wait_seconds)),
        )


@lru_cache(maxsize=32)
def _slots(kind: str, doing: str, size: int, waiters_per_slot: int, wait_milliseconds: int) -> Slots:
    # One set of slots per kind and configuration: tests may change the settings, a deployment does not.
    return Slots(kind, doing, size, size * waiters_per_slot, wait_milliseconds / 1000)


def password_hashing() -> Slots:
    """Slots for argon2id: hashing a new password, or checking one at a login or a password change."""
    settings = get_settings()
    return _slots(
        "password_hashing",
        "checking passwords",
        settings.password_hash_concurrency_max,
        settings.busy_waiters_per_slot_max,
        settings.busy_wait_milliseconds_max,
    )


def chart_rendering() -> Slots:
    """Slots for the reciprocity report's charts (matplotlib)."""
    settings = get_settings()
    return _slots(
        "chart_rendering",
        "drawing charts",
        settings.chart_render_concurrency_max,
        settings.busy_waiters_per_slot_max,
        settings.busy_wait_milliseconds_max,
    )


def pdf_rendering() -> Slots:
    """Slots for the benefit-safe statement and letter as PDFs (fpdf2)."""
    settings = get_settings()
    return _slots(
        "pdf_rendering",
        "writing PDFs",
        settings.pdf_render_concurrency_max,
        settings.busy_waiters_per_slot_max,
        settings.busy_wait_milliseconds_max,
    )
