"""Slots for slow work (timebank.busy): a bounded number run, a bounded number wait, no more.

No database: a ``Slots`` is a counter behind a lock. Threads stand for worker threads, and an
asyncio loop for the HTTP edge, which waits for a slot without a thread and hands it on to the
worker thread through the request's context.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import anyio.to_thread
import pytest

from timebank.busy import ServerBusy, Slots


@contextmanager
def held_elsewhere(slots: Slots, count: int) -> Iterator[threading.Event]:
    """``count`` other threads hold a slot each until the returned event is set (or the block ends)."""
    taken = threading.Semaphore(0)
    let_go = threading.Event()

    def hold() -> None:
        with slots.hold():
            taken.release()
            let_go.wait()

    threads = [threading.Thread(target=hold) for _ in range(count)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert taken.acquire(timeout=10)
    try:
        yield let_go
    finally:
        let_go.set()
        for thread in threads:
            thread.join()


def test_as_many_as_the_slots_run_at_once_and_the_next_is_refused_after_its_wait() -> None:
    slots = Slots("work", "doing work", size=3, waiting_max=5, wait_seconds=0.05)

    with held_elsewhere(slots, 3):
        assert slots.in_use == 3
        started = time.monotonic()
        with pytest.raises(ServerBusy) as refused, slots.hold():
            pytest.fail("a fourth slot was given")
        assert time.monotonic() - started >= 0.05

    assert slots.in_use == 0
    assert refused.value.code == "server_busy"
    assert refused.value.retry_after_seconds == 1
    assert refused.value.detail == "The server is busy doing work. Nothing was done. Try again in a moment."


def test_a_waiter_gets_the_slot_that_is_given_back() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=1, wait_seconds=10)
    ran = []

    with held_elsewhere(slots, 1) as let_go:
        threading.Timer(0.05, let_go.set).start()
        with slots.hold():
            ran.append(slots.in_use)

    assert ran == [1]
    assert slots.in_use == 0


def test_past_the_waiting_room_a_request_is_refused_at_once() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=1, wait_seconds=10)
    refusals: list[float] = []

    with held_elsewhere(slots, 1) as let_go:

        def wait_in_the_room() -> None:
            with slots.hold():
                pass

        waiter = threading.Thread(target=wait_in_the_room)
        waiter.start()
        deadline = time.monotonic() + 5
        while slots.waiting == 0 and time.monotonic() < deadline:
            time.sleep(0.005)
        started = time.monotonic()
        with pytest.raises(ServerBusy), slots.hold():
            pass
        refusals.append(time.monotonic() - started)
        let_go.set()
        waiter.join(timeout=10)

    assert refusals[0] < 5
    assert (slots.in_use, slots.waiting) == (0, 0)


def test_taking_the_same_kind_again_in_one_context_takes_nothing_more() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=0, wait_seconds=0)

    with slots.hold(), slots.hold():
        assert slots.in_use == 1

    assert slots.in_use == 0


def test_another_kind_is_counted_on_its_own() -> None:
    hashing = Slots("hashing", "checking passwords", size=1, waiting_max=0, wait_seconds=0)
    charts = Slots("charts", "drawing charts", size=1, waiting_max=0, wait_seconds=0)

    with hashing.hold(), charts.hold():
        assert (hashing.in_use, charts.in_use) == (1, 1)


def test_a_slot_taken_on_the_event_loop_is_held_by_the_worker_thread_it_hands_work_to() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=0, wait_seconds=0)
    seen: list[int] = []

    def in_a_worker_thread() -> None:
        with slots.hold():  # the request's slot, not a second one (there is none)
            seen.append(slots.in_use)

    async def request() -> None:
        async with slots.hold_async():
            await anyio.to_thread.run_sync(in_a_worker_thread)

    asyncio.run(request())

    assert seen == [1]
    assert slots.in_use == 0


def test_a_request_on_the_event_loop_is_refused_after_its_wait_or_gets_a_slot_given_back_in_time() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=2, wait_seconds=0.05)
    outcomes: list[str] = []

    async def request() -> None:
        try:
            async with slots.hold_async():
                outcomes.append("ran")
        except ServerBusy:
            outcomes.append("busy")

    with held_elsewhere(slots, 1) as let_go:
        asyncio.run(request())
        threading.Timer(0.05, let_go.set).start()
        slots.wait_seconds = 10
        asyncio.run(request())

    assert outcomes == ["busy", "ran"]
    assert (slots.in_use, slots.waiting) == (0, 0)


def test_a_request_cancelled_while_it_waits_leaves_the_waiting_room() -> None:
    slots = Slots("work", "doing work", size=1, waiting_max=1, wait_seconds=10)

    async def cancelled_while_waiting() -> None:
        waiting = asyncio.ensure_future(slots.hold_async().__aenter__())
        await asyncio.sleep(0.05)
        assert slots.waiting == 1
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting

    with held_elsewhere(slots, 1):
        asyncio.run(cancelled_while_waiting())

    assert (slots.in_use, slots.waiting) == (0, 0)
