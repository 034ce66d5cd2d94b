"""Shared fixtures: a migrated database per backend, shared by a test session.

Every test works in a timebank of its own, so tests never see each other's rows and need no
cleanup; invariants are checked per timebank. SQLite runs always. PostgreSQL runs when
``TIMEBANK_TEST_POSTGRES_URL`` names a server (CI sets it; see ``.ci/run``): a fresh database is
created for the session and dropped at the end. In CI a missing PostgreSQL is an error, not a skip.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from timebank.db import make_engine, upgrade

POSTGRES_URL_VARIABLE = "TIMEBANK_TEST_POSTGRES_URL"

# argon2id at its deployed cost (64 MiB, 3 passes) takes tens of milliseconds a hash; the tests
# make hundreds of logins, so they hash cheaply. The algorithm and code path are the same.
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_TIME_COST", "1")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_PARALLELISM", "1")

# An operation answering a refusal the contract does not list for it is a bug: the answer becomes a
# 500 and the test that met it fails (timebank.api.operation_problems).
os.environ.setdefault("TIMEBANK_STRICT_PROBLEMS", "1")

# CI runs the property tests at full strength; a developer's run is quicker. Either can be chosen
# with HYPOTHESIS_PROFILE. Database-backed examples are slow by hypothesis' standards, hence no deadline.
_database_health_checks = [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
settings.register_profile(
    "ci",
    max_examples=200,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=_database_health_checks,
)
settings.register_profile(
    "dev",
    max_examples=40,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=_database_health_checks,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
# The tests' stories happen on fixed days, the oldest in 2024, and a timebank takes exchanges dated
# at most its ``backdate_days_max`` back (365 days by default): the stories' timebanks allow ten years.
STORY_BACKDATE_DAYS = 3660


def pytest_configure(config: pytest.Config) -> None:
    # A commit waits for its flush to disk by default (README, Durability): 5 to 9 ms a commit here,
    # tens of commits a test, most of a test's time. Only a crash of the machine or of PostgreSQL
    # tells the levels apart, and the one test that makes one (tests/reliability/test_durability.py)
    # reads the shipped defaults afresh, without these variables, as do the servers the tests start
    # and the durability test's writer process (which imports this module, so not at import time).
    # What a test sees of its transactions (their order, isolation and locks) is the same.
    os.environ.setdefault("TIMEBANK_SQLITE_SYNCHRONOUS", "NORMAL")
    os.environ.setdefault("TIMEBANK_POSTGRES_SYNCHRONOUS_COMMIT", "off")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get(POSTGRES_URL_VARIABLE):
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI must run the PostgreSQL tests: set {POSTGRES_URL_VARIABLE}")
    skip = pytest.mark.skip(reason=f"set {POSTGRES_URL_VARIABLE} to run the PostgreSQL tests")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def fresh_postgres_database() -> tuple[str, str]:
    """Create an empty database on the test server; return (its URL, the admin URL)."""
    admin_url = os.environ[POSTGRES_URL_VARIABLE]
    name = f"timebank_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False), admin_url


def drop_postgres_database(url: str, admin_url: str) -> None:
    name = make_url(url).database
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path: Path = tmp_path_factory.mktemp("sqlite") / "timebank.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def postgresql_url() -> Iterator[str]:
    url, admin_url = fresh_postgres_database()
    upgrade(url)
    yield url
    drop_postgres_database(url, admin_url)


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest) -> str:
    """The URL of a migrated database, once per backend."""
    return str(request.getfixturevalue(f"{request.param}_url"))


# One engine per database for a worker's tests. An engine keeps the SQL it has compiled (its
# dialect is part of the key), so an engine per test compiled every statement of every use case
# afresh in every test, a fifth or more of a test's time. Its pool is emptied after each test, so
# no connection, and nothing set on one, passes from a test to the next.
_ENGINES: dict[str, Engine] = {}


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    if database_url not in _ENGINES:
        _ENGINES[database_url] = make_engine(database_url)
    engine = _ENGINES[database_url]
    yield engine
    engine.dispose()
