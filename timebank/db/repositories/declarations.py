"""Benefit declarations: the coarse categories a member chose to declare (special-category data).

One row per member account, or none. Deleting a declaration deletes its row; what remains is the
audit log's note that it happened. The categories are codes, sorted and comma-separated in the row
and a sorted tuple here. Only the services that check who asks (``timebank.involvement.declarations``),
the payment guard and the check on spending credits (``timebank.spending.spends``) read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from timebank.db.benefit_tables import benefit_declarations

__all__ = ["DeclarationRecord", "DeclarationRepository"]


@dataclass(frozen=True)
class DeclarationRecord:
    account_id: int
    categories: tuple[str, ...]
    declared_at: datetime
    declared_by: str
    set_for_member: bool


def _codes(stored: str) -> tuple[str, ...]:
    return tuple(sorted(code for code in stored.split(",") if code))


class DeclarationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def get(self, timebank_id: int, account_id: int) -> DeclarationRecord | None:
        d = benefit_declarations.c
        row = (
            self.connection.execute(
                select(benefit_declarations).where(d.timebank_id == timebank_id, d.account_id == account_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            return None
        return DeclarationRecord(
            account_id=row["account_id"],
            categories=_codes(row["categories"]),
            declared_at=row["declared_at"],
            declared_by=row["declared_by"],
            set_for_member=row["set_for_member"],
        )

    def categories_for(self, timebank_id: int, account_ids: Sequence[int]) -> dict[int, tuple[str, ...]]:
        """The declared categories of each of ``account_ids`` that has a declaration."""
        if not account_ids:
            return {}
        d = benefit_declarations.c
        rows = self.connection.execute(
            select(d.account_id, d.categories).where(
                d.timebank_id == timebank_id, d.account_id.in_(list(account_ids))
            )
        )
        return {account_id: _codes(stored) for account_id, stored in rows}

    def put(self, timebank_id: int, record: DeclarationRecord) -> None:
        """Write the declaration, replacing any the member had. The caller holds the account's lock."""
        assert record.categories, "an empty declaration is a deletion"
        values = {
            "categories": ",".join(sorted(record.categories)),
            "declared_at": record.declared_at,
            "declared_by": record.declared_by,
            "set_for_member": record.set_for_member,
        }
        d = benefit_declarations.c
        changed = self.connection.execute(
            update(benefit_declarations)
            .where(d.timebank_id == timebank_id, d.account_id == record.account_id)
            .values(values)
        ).rowcount
        if not changed:
            self.connection.execute(
                insert(benefit_declarations).values(
                    timebank_id=timebank_id, account_id=record.account_id, **values
                )
            )

    def delete(self, timebank_id: int, account_id: int) -> bool:
        """Delete the member's declaration; False if there was none."""
        d = benefit_declarations.c
        result = self.connection.execute(
            delete(benefit_declarations).where(d.timebank_id == timebank_id, d.account_id == account_id)
        )
        return result.rowcount > 0
