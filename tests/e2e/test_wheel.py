"""An installed timebank migrates itself: the wheel, built and installed into a fresh venv.

The migrations live in the repository's root ``alembic/`` folder, which no installed copy has; the
wheel carries them inside the package as ``timebank/_alembic`` (``pyproject.toml``). The test builds
the wheel from a copy of the sources (so the checkout gets no ``build/`` folder), installs it into a
new venv with ``python -m venv``, and runs that venv's ``timebank migrate`` from an empty directory
on an empty database, SQLite and PostgreSQL: the database must reach the head revision with every
table of the metadata. To stay fast and offline, the venv borrows the dependencies (fastapi,
alembic, numpy ...) from the environment running the tests through a ``.pth`` file; timebank itself
comes from the wheel alone, which the test checks before trusting the result.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from tests.conftest import drop_postgres_database, fresh_postgres_database
from timebank.db import (  # noqa: F401  (their tables join the metadata)
    benefit_tables,
    import_tables,
    make_engine,
    offer_tables,
    people_tables,
    report_tables,
    spend_tables,
)
from timebank.db.migrate import alembic_config
from timebank.db.tables import metadata

pytestmark = pytest.mark.slow

REPOSITORY = Path(__file__).resolve().parents[2]
# What the build reads: the project's metadata, the readme it names, and the two source folders.
SOURCES = ("pyproject.toml", "README.md", "timebank", "alembic")
TIMEOUT_SECONDS = 180


@dataclass(frozen=True)
class Installed:
    wheel: Path
    venv: Path

    def command(self, name: str) -> Path:
        return self.venv / "bin" / name


def _run(command: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _build_wheel(work: Path) -> Path:
    source = work / "source"
    source.mkdir()
    for name in SOURCES:
        if (REPOSITORY / name).is_dir():
            shutil.copytree(REPOSITORY / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPOSITORY / name, source / name)
    dist = work / "dist"
    _run([sys.executable, "-m", "pip", "wheel", source, "--no-deps", "-q", "--wheel-dir", dist], cwd=work)
    (wheel,) = dist.glob("timebank-*.whl")
    return wheel


def _fresh_venv(work: Path) -> Path:
    venv = work / "venv"
    _run([sys.executable, "-m", "venv", venv], cwd=work)
    site_packages = _run(
        [venv / "bin" / "python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=work
    ).strip()
    # Entries of a .pth file go after the venv's own site-packages, so what the wheel installs
    # there comes first; the running environment only lends the dependencies.
    borrowed = dict.fromkeys([sysconfig.get_path("purelib"), sysconfig.get_path("platlib")])
    (Path(site_packages) / "borrowed_dependencies.pth").write_text("\n".join(borrowed) + "\n")
    return venv


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    work = tmp_path_factory.mktemp("wheel")
    wheel = _build_wheel(work)
    installed = Installed(wheel, _fresh_venv(work))
    _run([installed.command("python"), "-m", "pip", "install", "--no-deps", "--quiet", wheel], cwd=work)
    return installed


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url, admin_url = fresh_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url, admin_url)


def test_the_wheel_carries_the_migrations_inside_the_package_and_every_source_file(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    sources = {
        f"timebank/{path.relative_to(REPOSITORY / 'timebank').as_posix()}"
        for path in (REPOSITORY / "timebank").rglob("*.py")
    }
    migrations = {
        f"timebank/_alembic/{path.relative_to(REPOSITORY / 'alembic').as_posix()}"
        for path in (REPOSITORY / "alembic").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }

    assert "timebank/_alembic/env.py" in migrations
    assert "timebank/_alembic/script.py.mako" in migrations
    assert "timebank/_alembic/versions/0001_the_ledger.py" in migrations
    assert sources - names == set()
    assert migrations - names == set()
    # A top-level alembic/ in the wheel would overwrite the alembic library when installed.
    assert {name for name in names if name.startswith("alembic/")} == set()


def test_the_installed_timebank_migrate_brings_an_empty_database_to_head(
    installed: Installed, empty_url: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"  # no checkout here, nor above: only the wheel's migrations
    elsewhere.mkdir()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TIMEBANK_")}
    environment["TIMEBANK_DATABASE_URL"] = empty_url
    where = _run(
        [
            installed.command("python"),
            "-c",
            "import timebank.db.migrate as m; print(m.__file__); print(m.script_location())",
        ],
        cwd=elsewhere,
        env=environment,
    ).split()
    site_packages = installed.venv.resolve()

    output = _run([installed.command("timebank"), "migrate"], cwd=elsewhere, env=environment)

    assert "Database is at head" in output
    assert Path(where[0]).resolve().is_relative_to(site_packages)
    assert Path(where[1]).resolve().is_relative_to(site_packages)
    assert Path(where[1]).name == "_alembic"
    head = ScriptDirectory.from_config(alembic_config(empty_url)).get_current_head()
    assert head is not None
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_revision() == head
        tables = set(inspect(engine).get_table_names())
        # Beside the metadata's tables: SQLite's search index, which migration 0015 makes in SQL.
        sqlite = engine.dialect.name == "sqlite"
        search = set(offer_tables.SEARCH_OBJECTS["sqlite_tables"]) if sqlite else set()
        assert tables == {table.name for table in metadata.sorted_tables} | {"alembic_version"} | search
        assert {"accounts", "transactions", "transfers", "exchanges"} <= tables
    finally:
        engine.dispose()
