"""Taking every slot of a kind of slow work (``timebank.busy``), to see what a busy server answers."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from timebank.busy import Slots

__all__ = ["every_slot_taken"]


@contextmanager
def every_slot_taken(slots: Slots) -> Iterator[None]:
    """Others hold every slot: one thread each, holding it until the block ends."""
    taken = threading.Semaphore(0)
    let_go = threading.Event()

    def hold() -> None:
        with slots.hold():
            taken.release()
            let_go.wait()

    threads = [threading.Thread(target=hold) for _ in range(slots.size)]
    for thread in threads:
        thread.start()
    try:
        for _ in threads:
            assert taken.acquire(timeout=30), "a thread could not take its slot"
        assert slots.in_use == slots.size
        yield
    finally:
        let_go.set()
        for thread in threads:
            thread.join()
    assert slots.in_use == 0, "every slot is given back, refusals included"
