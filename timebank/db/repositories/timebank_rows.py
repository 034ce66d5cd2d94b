"""A whole timebank's rows, table by table: read out for an export, written back by its import.

The export (``timebank.exports``) names each file's table and columns; this reads them for one
timebank, in the order of their keys, streamed from the database a batch at a time, so a timebank
of millions of transfers never sits in memory. A transaction's free text, kept beside it
(``transaction_texts``), comes with it; a member's username (from their login) and tags are read
apart, as maps, since a timebank has far fewer members than transfers.

The import writes rows back with ids it reserved (``BulkWriter``), in chunks. Each table is written
inside a savepoint, so a row the database refuses (a CHECK the import did not check itself) is
reported as a problem with that file, and the import goes on checking the others before it rolls
everything back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, RowMapping, Table, delete, func, select, update
from sqlalchemy.exc import DBAPIError

from timebank.db.repositories.bulk import BulkWriter
from timebank.db.tables import metadata

__all__ = ["STREAM_ROWS", "TimebankRows"]

# Rows fetched from the database at a time while streaming a table out.
STREAM_ROWS = 2_000

# The tables whose rows make a timebank not empty for an import of a whole timebank.
_FILLED_BY = ("members", "organisations", "transactions", "limit_changes")


def _table(name: str) -> Table:
    return metadata.tables[name]


class TimebankRows:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.bulk = BulkWriter(connection)

    # --- reading out ------------------------------------------------------------------------

    def stream(
        self, table_name: str, columns: Sequence[str], timebank_id: int, order_by: Sequence[str]
    ) -> Iterator[RowMapping]:
        """The timebank's rows of the table, the named columns of each, in key order, streamed."""
        table = _table(table_name)
        owner = table.c.id if table_name == "timebanks" else table.c.timebank_id
        selected = [table.c[name] for name in columns]
        source: Any = table
        if table_name == "transactions":
            texts = _table("transaction_texts")
            source = table.outerjoin(texts, texts.c.transaction_id == table.c.id)
            selected += [texts.c.reason, texts.c.note]
        query = select(*selected).select_from(source).where(owner == timebank_id)
        query = query.order_by(*(table.c[name] for name in order_by))
        result = self.connection.execution_options(stream_results=True, yield_per=STREAM_ROWS).execute(query)
        try:
            yield from result.mappings()
        finally:
            result.close()

    def usernames(self, timebank_id: int) -> dict[int, str]:
        """Each member's login username, by member id, for the members who have a login."""
        members, logins = _table("members"), _table("logins")
        rows = self.connection.execute(
            select(members.c.id, logins.c.username)
            .join(logins, logins.c.id == members.c.login_id)
            .where(members.c.timebank_id == timebank_id)
        )
        return {int(member_id): str(username) for member_id, username in rows}

    def tags(self, timebank_id: int) -> dict[int, list[str]]:
        """Each member's tags, sorted, by member id."""
        tags = _table("member_tags")
        rows = self.connection.execute(
            select(tags.c.member_id, tags.c.tag)
            .where(tags.c.timebank_id == timebank_id)
            .order_by(tags.c.member_id, tags.c.tag)
        )
        found: dict[int, list[str]] = {}
        for member_id, tag in rows:
            found.setdefault(int(member_id), []).append(str(tag))
        return found

    # --- writing back -----------------------------------------------------------------------

    def filled(self, timebank_id: int, pot_account_id: int) -> dict[str, int]:
        """How many rows the timebank has already that an import of a whole timebank would meet:
        accounts other than the pot, members, organisations, transactions, limit changes."""
        counts = {}
        accounts = _table("accounts")
        counts["accounts"] = self._count(
            select(func.count())
            .select_from(accounts)
            .where(accounts.c.timebank_id == timebank_id, accounts.c.id != pot_account_id)
        )
        for name in _FILLED_BY:
            table = _table(name)
            counts[name] = self._count(
                select(func.count()).select_from(table).where(table.c.timebank_id == timebank_id)
            )
        return {name: count for name, count in counts.items() if count}

    def _count(self, query: Any) -> int:
        return int(self.connection.execute(query).scalar_one())

    def reserve_ids(self, table_name: str, count: int) -> Sequence[int]:
        return self.bulk.reserve_ids(_table(table_name), count)

    def insert(self, table_name: str, rows: Iterable[dict[str, Any]]) -> str | None:
        """Insert the rows inside a savepoint; None, or the database's reason for refusing them."""
        savepoint = self.connection.begin_nested()
        try:
            self.bulk.insert(_table(table_name), rows)
        except DBAPIError as error:
            savepoint.rollback()
            return str(error.orig).splitlines()[0][:300]
        savepoint.commit()
        return None

    def update(self, table_name: str, timebank_id: int, row_id: int, values: Mapping[str, Any]) -> str | None:
        """Change one row the timebank already has (its own settings, its pot's account) inside a
        savepoint; None, or the database's reason for refusing the change."""
        table = _table(table_name)
        owner = table.c.id if table_name == "timebanks" else table.c.timebank_id
        savepoint = self.connection.begin_nested()
        try:
            self.connection.execute(
                update(table).where(owner == timebank_id, table.c.id == row_id).values(**values)
            )
        except DBAPIError as error:
            savepoint.rollback()
            return str(error.orig).splitlines()[0][:300]
        savepoint.commit()
        return None

    def clear(self, table_name: str, timebank_id: int) -> None:
        """Delete the timebank's rows of a table the import replaces whole (its default categories,
        its rating thresholds): in an empty timebank nothing points at them."""
        table = _table(table_name)
        self.connection.execute(delete(table).where(table.c.timebank_id == timebank_id))
