"""The collector pause: off while any report builds, back on after the last, untouched if it was off."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from timebank.reporting.gc_pause import cyclic_gc_paused


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    yield
    (gc.enable if was else gc.disable)()


def test_the_collector_is_off_inside_and_on_again_after() -> None:
    gc.enable()
    with cyclic_gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_nested_pauses_turn_it_back_on_only_at_the_last() -> None:
    gc.enable()
    with cyclic_gc_paused():
        with cyclic_gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off() -> None:
    gc.disable()
    with cyclic_gc_paused():
        pass
    assert not gc.isenabled()


def test_an_error_inside_still_turns_it_back_on() -> None:
    gc.enable()
    with pytest.raises(RuntimeError), cyclic_gc_paused():
        raise RuntimeError("the report failed")
    assert gc.isenabled()


def test_two_threads_overlapping_leave_it_on_when_both_are_done() -> None:
    gc.enable()
    inside, release = threading.Barrier(2), threading.Event()

    def report() -> None:
        with cyclic_gc_paused():
            inside.wait()
            release.wait()

    first = threading.Thread(target=report)
    first.start()
    with cyclic_gc_paused():
        inside.wait()
        release.set()
        first.join()
        assert not gc.isenabled()  # the first report is done, this one is not
    assert gc.isenabled()
