"""Crews of concurrent workers: threads on PostgreSQL, spawned processes on SQLite.

A crew runs a batch of *jobs*: writers and, alongside them, readers. Every job is a module-level
function called as ``function(engine, start, stop, *arguments)``; it opens its connection, waits at
the ``start`` barrier so that the whole crew begins at once, and returns a picklable value. Readers
run until ``stop`` is set, which happens once every writer has returned.

- ``ThreadCrew`` (PostgreSQL, as deployed: many clients): one thread per job, sharing one engine
  whose pool is large enough that each thread holds a connection of its own.
- ``ProcessCrew`` (SQLite, as deployed: several processes on one file): the jobs are dealt out to a
  ``SpawnPool`` of OS processes started with "spawn"; each process makes its own engine for the
  batch and runs its jobs in threads, one connection each. The pool is started once and reused,
  because starting a process costs most of a second on a small machine. The barrier and the stop
  signal live in a multiprocessing manager so they can be handed to processes already running.

A job that raises breaks the barrier (so nobody waits for it in vain) and fails the test with its
traceback.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import pytest
from sqlalchemy import Engine

from timebank.db import make_engine

__all__ = ["Barrier", "Crew", "Event", "Job", "ProcessCrew", "SpawnPool", "ThreadCrew"]

RESULTS_TIMEOUT_SECONDS = 300
POSTGRES_POOL_SIZE = 60


class Barrier(Protocol):
    def wait(self, timeout: float | None = None) -> int: ...

    def abort(self) -> None: ...


class Event(Protocol):
    def is_set(self) -> bool: ...


@dataclass(frozen=True)
class Job:
    function: Callable[..., Any]  # defined at module level, so that "spawn" can pickle it
    arguments: tuple[Any, ...]


Results = dict[int, tuple[bool, Any]]  # job index → (returned normally, value or traceback)


class Crew(Protocol):
    engine: Engine  # the test's own engine, for setting up and for reading the end state

    def run(self, writers: Sequence[Job], readers: Sequence[Job] = ()) -> tuple[list[Any], list[Any]]:
        """Run every job at once; return the writers' values and the readers' values, in order."""
        ...


def _attend(
    engine: Engine, start: Barrier, stop: Event, index: int, job: Job, report: Callable[[Any], None]
) -> None:
    try:
        report((index, True, job.function(engine, start, stop, *job.arguments)))
    except BaseException:
        start.abort()  # The others would wait at the barrier for this worker in vain.
        report((index, False, traceback.format_exc()))


def _unwrap(results: Results, writers: int, jobs: int) -> tuple[list[Any], list[Any]]:
    failures = [value for ok, value in results.values() if not ok]
    if failures:
        pytest.fail("a worker crashed:\n" + "\n".join(failures))
    values = [results[i][1] for i in range(jobs)]
    return values[:writers], values[writers:]


class ThreadCrew:
    def __init__(self, url: str) -> None:
        self.engine = make_engine(url, pool_size=POSTGRES_POOL_SIZE, max_overflow=10)

    def run(self, writers: Sequence[Job], readers: Sequence[Job] = ()) -> tuple[list[Any], list[Any]]:
        jobs = [*writers, *readers]
        assert len(jobs) <= POSTGRES_POOL_SIZE, "every worker needs a connection of its own"
        start, stop = threading.Barrier(len(jobs)), threading.Event()
        results: Results = {}

        def report(result: tuple[int, bool, Any]) -> None:
            results[result[0]] = (result[1], result[2])

        threads = [
            threading.Thread(target=_attend, args=(self.engine, start, stop, index, job, report))
            for index, job in enumerate(jobs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads[: len(writers)]:
            thread.join(RESULTS_TIMEOUT_SECONDS)
        stop.set()
        for thread in threads:
            thread.join(RESULTS_TIMEOUT_SECONDS)
        assert not any(thread.is_alive() for thread in threads), "workers did not finish in time"
        return _unwrap(results, len(writers), len(jobs))


def _serve(jobs: Any, results: Any) -> None:
    """A pool process: for each batch, an engine of its own and one thread per job."""
    while (batch := jobs.get()) is not None:
        url, assigned, start, stop = batch
        engine = make_engine(url)
        try:
            threads = [
                threading.Thread(target=_attend, args=(engine, start, stop, index, job, results.put))
                for index, job in assigned
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            engine.dispose()


class SpawnPool:
    """OS processes started once with "spawn", each given its share of every batch."""

    def __init__(self, size: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.manager = context.Manager()
        self.results = context.Queue()
        self.job_queues = [context.Queue() for _ in range(size)]
        self.processes = [
            context.Process(target=_serve, args=(jobs, self.results), daemon=True) for jobs in self.job_queues
        ]
        for process in self.processes:
            process.start()

    def close(self) -> None:
        for jobs in self.job_queues:
            jobs.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()
        self.manager.shutdown()

    def collect(self, results: Results, wanted: set[int]) -> None:
        deadline = time.monotonic() + RESULTS_TIMEOUT_SECONDS
        while not wanted <= results.keys():
            try:
                index, ok, value = self.results.get(timeout=1)
            except queue.Empty:
                dead = [p.pid for p in self.processes if not p.is_alive()]
                assert not dead, f"worker processes died: {dead}"
                assert time.monotonic() < deadline, "worker processes did not finish in time"
                continue
            results[index] = (ok, value)


class ProcessCrew:
    def __init__(self, url: str, pool: SpawnPool) -> None:
        self.url = url
        self.pool = pool
        self.engine = make_engine(url)

    def run(self, writers: Sequence[Job], readers: Sequence[Job] = ()) -> tuple[list[Any], list[Any]]:
        jobs = [*writers, *readers]
        start, stop = self.pool.manager.Barrier(len(jobs)), self.pool.manager.Event()
        shares: list[list[tuple[int, Job]]] = [[] for _ in self.pool.job_queues]
        for index, job in enumerate(jobs):
            shares[index % len(shares)].append((index, job))
        for job_queue, share in zip(self.pool.job_queues, shares, strict=True):
            if share:
                job_queue.put((self.url, share, start, stop))
        results: Results = {}
        self.pool.collect(results, set(range(len(writers))))
        stop.set()
        self.pool.collect(results, set(range(len(jobs))))
        return _unwrap(results, len(writers), len(jobs))
