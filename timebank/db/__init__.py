"""Storage: SQLAlchemy tables, repositories, the unit of work and engine set-up.

Implements what the use cases need on SQLite (embedded default) and PostgreSQL (production).
"""

from timebank.db.engine import make_engine
from timebank.db.migrate import downgrade, upgrade
from timebank.db.unit_of_work import UnitOfWork, run

__all__ = ["UnitOfWork", "downgrade", "make_engine", "run", "upgrade"]
