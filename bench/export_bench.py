"""Export benchmark: a timebank of 100 000 exchanges exported, and imported into an empty one.

Not a test. The timebank is made by the spreadsheet import (``bench/import_bench.py``'s history:
1 000 members exchanging round a ring), then exported to a file and imported into a new, empty
timebank, on SQLite and PostgreSQL. Each step is timed, and run a second time under ``tracemalloc``
for the peak of Python's own allocations (the database driver's buffers outside Python are not
counted), which shows that memory follows the accounts, not the transfers.

    python bench/export_bench.py                      # SQLite and PostgreSQL, 100 000 exchanges
    python bench/export_bench.py --exchanges 20000    # a smaller size
    python bench/export_bench.py --skip-postgres      # SQLite only
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from import_bench import ADMIN, POSTGRES_ADMIN_URL, spreadsheet  # bench/, beside this file
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from timebank.db import make_engine, upgrade
from timebank.exports import export_timebank, import_export
from timebank.imports import SourceFile, files_sha256, import_history, read_spreadsheet
from timebank.people.callers import Caller
from timebank.people.requests import CreateTimebank
from timebank.people.timebanks import create_timebank

T = TypeVar("T")


def _history(engine: Engine, exchanges: int) -> int:
    tb = create_timebank(engine, ADMIN, CreateTimebank(name="bench")).timebank_id
    members, trades, _ = spreadsheet(exchanges)
    for name, content in (("members.csv", members), ("exchanges.csv", trades)):
        files = [SourceFile(name, content.encode())]
        plan, problems = read_spreadsheet(files, date.today())
        assert not problems
        import_history(engine, tb, Caller.coordinator_of(tb), plan, files_sha256(files), dry_run=False)
    return tb


def _measured(step: Callable[[], T]) -> tuple[T, float, float]:
    """The step's result, its seconds, and (run again) its peak of Python allocations in MiB."""
    began = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - began
    tracemalloc.start()
    step()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, seconds, peak


def bench(url: str, exchanges: int, folder: Path) -> None:
    upgrade(url)
    engine = make_engine(url)
    tb = _history(engine, exchanges)
    path = folder / f"export-{uuid.uuid4().hex[:6]}.zip"

    def export() -> int:
        with path.open("wb") as out:
            export_timebank(engine, tb, Caller.coordinator_of(tb), out)
        return path.stat().st_size

    def import_it() -> int:
        target = create_timebank(engine, ADMIN, CreateTimebank(name="copy")).timebank_id
        source = SourceFile(path.name, path.read_bytes())
        import_export(engine, target, Caller.coordinator_of(target), source, dry_run=False)
        return target

    size, export_seconds, export_peak = _measured(export)
    _, import_seconds, import_peak = _measured(import_it)
    backend = make_url(url).get_backend_name()
    print(
        f"{backend}: {exchanges} exchanges; export {export_seconds:.1f} s (peak {export_peak:.0f} MiB),"
        f" ZIP {size / 2**20:.1f} MiB; import {import_seconds:.1f} s (peak {import_peak:.0f} MiB)"
    )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exchanges", type=int, default=100_000)
    parser.add_argument("--skip-postgres", action="store_true")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bench(f"sqlite:///{folder}/bench.sqlite3", arguments.exchanges, Path(folder))
        if not arguments.skip_postgres:
            name = f"timebank_bench_{uuid.uuid4().hex[:8]}"
            admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
                bench(url, arguments.exchanges, Path(folder))
            finally:
                with admin.connect() as connection:
                    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
