"""Timebanks, their own rules (limits, pending expiry, both-sides confirmation, back-dating, balances
on leaving), contacts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, insert, select, update

from timebank.db.tables import timebanks
from timebank.errors import TimebankNotFound
from timebank.ledger.contacts import Contact
from timebank.ledger.types import BalanceOnLeaving

__all__ = ["TimebankRepository", "TimebankSettings"]

# Statements on the hot path are built once: building and cache-keying a statement per call costs
# more than running it.
_GET = select(timebanks).where(timebanks.c.id == bindparam("timebank_id"))


@dataclass(frozen=True)
class TimebankSettings:
    timebank_id: int
    name: str
    pot_account_id: int | None
    default_member_floor_minutes: int
    default_member_cap_minutes: int | None
    default_organisation_floor_minutes: int
    minutes_per_transfer_max: int
    pending_expiry_days: int
    auto_confirm_pending: bool
    require_both_sides: bool
    created_at: datetime
    # How many days back an exchange may be dated when recorded one by one (imports are not bound).
    backdate_days_max: int
    # How to reach the timebank; each part optional (timebank.ledger.contacts).
    contact_address: str | None = None
    contact_email: str | None = None
    contact_phone: str | None = None
    # What happens to a member's balance when their membership ends (migration 0013).
    balance_on_leaving: BalanceOnLeaving = BalanceOnLeaving.KEPT

    @property
    def contact(self) -> Contact:
        return Contact(self.contact_address, self.contact_email, self.contact_phone)


class TimebankRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def insert(self, settings: TimebankSettings) -> int:
        values = {
            "name": settings.name,
            "default_member_floor_minutes": settings.default_member_floor_minutes,
            "default_member_cap_minutes": settings.default_member_cap_minutes,
            "default_organisation_floor_minutes": settings.default_organisation_floor_minutes,
            "minutes_per_transfer_max": settings.minutes_per_transfer_max,
            "pending_expiry_days": settings.pending_expiry_days,
            "auto_confirm_pending": settings.auto_confirm_pending,
            "require_both_sides": settings.require_both_sides,
            "created_at": settings.created_at,
            "contact_address": settings.contact_address,
            "contact_email": settings.contact_email,
            "contact_phone": settings.contact_phone,
            "backdate_days_max": settings.backdate_days_max,
            "balance_on_leaving": settings.balance_on_leaving.value,
        }
        result = self.connection.execute(insert(timebanks).values(values).returning(timebanks.c.id))
        return int(result.scalar_one())

    def update_settings(self, timebank_id: int, values: dict[str, object]) -> None:
        self.connection.execute(update(timebanks).where(timebanks.c.id == timebank_id).values(values))

    def set_pot_account(self, timebank_id: int, account_id: int) -> None:
        self.connection.execute(
            update(timebanks).where(timebanks.c.id == timebank_id).values(pot_account_id=account_id)
        )

    def lock(self, timebank_id: int) -> None:
        """Lock the timebank's row until the transaction ends: writers that must see every change of
        the timebank's coordinators take turns on it.

        ``FOR NO KEY UPDATE`` on PostgreSQL, so inserts whose foreign key names the timebank (they take
        ``FOR KEY SHARE``) do not wait. On SQLite ``BEGIN IMMEDIATE`` already locks the whole database.
        """
        found = self.connection.execute(
            select(timebanks.c.id).where(timebanks.c.id == timebank_id).with_for_update(key_share=True)
        ).scalar_one_or_none()
        if found is None:
            raise TimebankNotFound(f"There is no timebank {timebank_id}")

    def all_ids(self) -> list[int]:
        return list(self.connection.execute(select(timebanks.c.id).order_by(timebanks.c.id)).scalars())

    def get(self, timebank_id: int) -> TimebankSettings:
        row = self.connection.execute(_GET, {"timebank_id": timebank_id}).mappings().first()
        if row is None:
            raise TimebankNotFound(f"There is no timebank {timebank_id}")
        return TimebankSettings(
            timebank_id=row["id"],
            name=row["name"],
            pot_account_id=row["pot_account_id"],
            default_member_floor_minutes=row["default_member_floor_minutes"],
            default_member_cap_minutes=row["default_member_cap_minutes"],
            default_organisation_floor_minutes=row["default_organisation_floor_minutes"],
            minutes_per_transfer_max=row["minutes_per_transfer_max"],
            pending_expiry_days=row["pending_expiry_days"],
            auto_confirm_pending=row["auto_confirm_pending"],
            require_both_sides=row["require_both_sides"],
            created_at=row["created_at"],
            contact_address=row["contact_address"],
            contact_email=row["contact_email"],
            contact_phone=row["contact_phone"],
            backdate_days_max=row["backdate_days_max"],
            balance_on_leaving=BalanceOnLeaving(row["balance_on_leaving"]),
        )
