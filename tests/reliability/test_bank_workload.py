"""The bank workload's short run, in CI, on SQLite and on PostgreSQL (issue 6, DESIGN §3 L8).

The real server (``timebank serve``, two worker processes) on a database of its own; 16 clients;
two SIGKILLs of the whole server under load, each followed by a restart; one SIGTERM under load;
and 5% of writes cut off by an impatient client a few milliseconds in, so that retries meet the
idempotency replay path on every run. Then the audit:
nothing acknowledged is lost, nothing is counted twice, a refused write leaves no trace, the books
balance in every timebank, and (on SQLite) the file passes ``PRAGMA integrity_check``. The figures
are printed, so a CI log shows what the run did. ``bench/bank_workload.py`` is the long run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from timebank.db import make_engine, upgrade

from ..conftest import BACKENDS, drop_postgres_database, fresh_postgres_database
from .audit import audit
from .bank_world import build_bank_world
from .server import ServerProcess
from .workload import WorkloadConfig, run_workload

OPERATIONS = int(os.environ.get("TIMEBANK_BANK_OPERATIONS", "1500"))
KILLS = 2


@pytest.fixture(params=BACKENDS)
def own_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database for this run alone: the server is killed on it, so no other test shares it."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bank.sqlite3'}"
        return
    url, admin_url = fresh_postgres_database()
    yield url
    drop_postgres_database(url, admin_url)


def test_the_bank_workload_loses_nothing_and_counts_nothing_twice_through_kills(
    own_database_url: str, tmp_path: Path
) -> None:
    upgrade(own_database_url)
    engine = make_engine(own_database_url)
    cheap_hashing = {k: v for k, v in os.environ.items() if k.startswith("TIMEBANK_PASSWORD_HASH_")}
    server = ServerProcess(own_database_url, tmp_path / "server.log", workers=2, environment=cheap_hashing)
    try:
        server.start()
        with httpx.Client(base_url=server.base_url, timeout=30) as client:
            world = build_bank_world(engine, client)
        log = run_workload(
            world, server, engine, WorkloadConfig(operations=OPERATIONS, kills=KILLS, sigterm=True)
        )
        figures = audit(engine, world, log)
    finally:
        server.stop()
        engine.dispose()
    shown = {k: v for k, v in figures.as_dict().items() if k != "details"}
    print(json.dumps(shown, indent=1))
    assert not figures.failures(), "\n".join(figures.failures()) + f"\nserver log:\n{server.log_tail()}"
    assert figures.operations == OPERATIONS
    assert figures.kills == KILLS and figures.restarts == KILLS + 1
    assert figures.lost == 0 and figures.duplicated == 0
    # The faults landed under load, and the workload met the ledger's refusals, not only its yeses.
    assert figures.sigterm_in_flight > 0
    assert figures.indeterminate > 0
    # Some retry found its first attempt committed and was answered by a replay, not a second write.
    assert figures.replayed_after_cut > 0
    assert figures.acknowledged > OPERATIONS // 3
    assert figures.refused > 0
