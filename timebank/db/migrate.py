"""Run the schema migrations forward (or back) on a database, from code or the command line.

The migrations are alembic's script directory, the ``alembic/`` folder at the repository's root,
so that ``alembic upgrade head`` works from a checkout as alembic users expect (``alembic.ini``
names it). An installed timebank still migrates itself: the wheel carries the same folder inside
the package as ``timebank/_alembic`` (``pyproject.toml`` maps it there). ``timebank migrate`` and
``timebank serve`` find whichever of the two this copy of timebank has.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from timebank.settings import get_settings

__all__ = ["alembic_config", "downgrade", "script_location", "upgrade"]

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
