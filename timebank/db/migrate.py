"""Run the schema migrations forward (or back) on a database, from code or the command line.

The migrations are alembic's script directory, the ``alembic/`` folder at the repository's root,
so that ``alembic upgrade head`` works from a checkout as alembic users expect (``alembic.ini``
names it). An installed timebank still migrates itself: the wheel carries the same folder inside
the package as ``timebank/_alembic`` (``pyproject.toml`` maps it there). ``timebank migrate`` and
``timebank serve`` find whichever of the two this copy of timebank has.

``database_state`` says, without creating or changing anything, whether a database is there to be
read: a command that only reads (``timebank report``) asks it first, so that run where there is no
database it refuses in a sentence instead of leaving an empty SQLite file behind.
"""

from __future__ import annotations

import enum
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError

from timebank.settings import get_settings

__all__ = [
    "DatabaseState",
    "alembic_config",
    "database_state",
    "downgrade",
    "script_location",
    "upgrade",
]

PACKAGE = Path(__file__).resolve().parents[1]


def script_location() -> Path:
    """The folder of env.py and versions/: inside the package when installed, else the checkout's."""
    installed = PACKAGE / "_alembic"
    if installed.is_dir():
        return installed
    # An editable install or a bare checkout: the package is imported from the repository, whose
    # root holds alembic.ini beside alembic/. (Installed, the package's parent is site-packages,
    # whose alembic/ is the alembic library itself: hence the packaged copy is looked for first.)
    checkout = PACKAGE.parent
    if (checkout / "alembic.ini").is_file() and (checkout / "alembic" / "env.py").is_file():
        return checkout / "alembic"
    raise RuntimeError(f"timebank's migrations are missing: neither {installed} nor {checkout / 'alembic'}")


_TIMEOUT = {"connect_timeout": 10}


class DatabaseState(enum.StrEnum):
    """What a command finds at the configured database, before it touches it."""

    MISSING = "missing"  # a SQLite file that does not exist (opening it would create it)
    UNREACHABLE = "unreachable"  # no connection: the server is down, the database or login unknown
    NOT_MIGRATED = "not_migrated"  # it opens, but holds no timebank schema
    BEHIND = "behind"  # an older schema: `timebank migrate` brings it up to date
    READY = "ready"


def alembic_config(url: str | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location()))
    # Percent signs in a URL (escaped passwords) would be read as interpolation by configparser.
    config.set_main_option("sqlalchemy.url", (url or get_settings().database_url).replace("%", "%%"))
    return config


def upgrade(url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    command.downgrade(alembic_config(url), revision)


def database_state(url: str | None = None) -> DatabaseState:
    """Whether the database at ``url`` (default: the configured one) can be read, creating nothing."""
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and not _sqlite_file_exists(parsed):
        return DatabaseState.MISSING
    # A plain engine, not make_engine's: its SQLite set-up would switch an existing file to WAL.
    # A server that does not answer is given up on after a while rather than waited for.
    engine = create_engine(url, connect_args={} if parsed.get_backend_name() == "sqlite" else _TIMEOUT)
    try:
        with engine.connect() as connection:
            revision = MigrationContext.configure(connection).get_current_revision()
    except SQLAlchemyError:
        return DatabaseState.UNREACHABLE
    finally:
        engine.dispose()
    if revision is None:
        return DatabaseState.NOT_MIGRATED
    scripts = ScriptDirectory.from_config(alembic_config(url))
    if revision in scripts.get_heads():
        return DatabaseState.READY
    # A revision this code does not know is newer than it: reading may still work, so it is allowed.
    known = {script.revision for script in scripts.walk_revisions()}
    return DatabaseState.BEHIND if revision in known else DatabaseState.READY


def _sqlite_file_exists(url: URL) -> bool:
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file::memory:"):
        return True  # an in-memory database is never missing, only empty
    if database.startswith("file:"):  # the URI form, sqlite:///file:path?mode=ro&uri=true
        database = database.removeprefix("file:").partition("?")[0]
    return Path(database).is_file()
