"""A read-back of the whole database as far as two timebanks can see it, for "a refusal changes nothing".

``snapshot`` returns, for every table the service owns (the ledger's and the people's), its total
row count and, for the rows of the given timebanks, the rows themselves in key order. Logins,
tokens and failed logins belong to no timebank, so only their counts are kept. Compare one taken
before a refused request with one taken after: they must be equal (invariant L5, seen over HTTP).
``row_counts`` is the cheap half of it, one query, for checking after each of many requests.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Engine, func, select

import timebank.db.people_tables  # noqa: F401  (registers the people's tables in the metadata)
from timebank.db.tables import metadata

__all__ = ["counts", "row_counts", "snapshot"]


def snapshot(engine: Engine, timebank_ids: Iterable[int], *, ignore: Iterable[str] = ()) -> dict[str, Any]:
    """Row counts of every table, and every row that belongs to one of ``timebank_ids``."""
    ids = sorted(set(timebank_ids))
    skipped = set(ignore)
    found: dict[str, Any] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name in skipped:
                continue
            total = connection.execute(select(func.count()).select_from(table)).scalar_one()
            found[f"{table.name} (count)"] = int(total)
            if "timebank_id" in table.c:
                scope = table.c.timebank_id.in_(ids)
            elif table.name == "timebanks":
                scope = table.c.id.in_(ids)
            else:
                continue
            query = select(table).where(scope).order_by(*table.primary_key.columns)
            found[table.name] = [dict(row) for row in connection.execute(query).mappings()]
    return found


def counts(engine: Engine, timebank_id: int, *tables: str) -> dict[str, int]:
    """Rows of each named table that belong to ``timebank_id``."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for name in tables:
            table = metadata.tables[name]
            query = select(func.count()).select_from(table).where(table.c.timebank_id == timebank_id)
            found[name] = int(connection.execute(query).scalar_one())
    return found


def row_counts(engine: Engine) -> dict[str, int]:
    """The row count of every table, read in one query."""
    tables = metadata.sorted_tables
    query = select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name) for t in tables))
    with engine.connect() as connection:
        row = connection.execute(query).one()
    return {table.name: int(value) for table, value in zip(tables, row, strict=True)}
