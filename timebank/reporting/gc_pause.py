"""Pausing Python's cyclic garbage collector while a report builds its rows.

A report at a million exchanges makes a few hundred thousand small objects (tuples, rows, totals)
in a second or two, none of them in a reference cycle. Each burst of allocations triggers the
cyclic collector, which walks every object still alive, so its cost grows with the report itself:
measured on the 90-day report of the benchmark's timebank, collection took over a third of the
time spent shaping the storage's rows. Reference counting still frees everything as usual; only
the search for cycles waits until the report is built.

The collector is one switch for the whole process, so the pause is counted: with two reports
building at once in two threads, the collector comes back when the last one finishes, and only if
it was on before the first began.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["cyclic_gc_paused"]

_lock = threading.Lock()
_pauses = 0
_was_enabled = False


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    global _pauses, _was_enabled
    with _lock:
        if _pauses == 0:
            _was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _lock:
            _pauses -= 1
            if _pauses == 0 and _was_enabled:
                gc.enable()
