"""Fixtures shared by the integration tests of the command line."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from timebank.db import make_engine, upgrade
from timebank.settings import get_settings


@pytest.fixture
def database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file that TIMEBANK_DATABASE_URL names, as the commands read it."""
    url = f"sqlite:///{tmp_path / 'timebank.sqlite3'}"
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()
    get_settings.cache_clear()
