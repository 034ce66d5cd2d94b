"""Email addresses, their verifications, notification preferences and the outbox.

The outbox is written by the use cases that make an event happen, in their own transaction, and
read by the delivery worker, which claims due rows for a lease (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two workers never claim one row; SQLite has one writer at a time, which does the
same), then marks each sent or failed in a transaction of its own. A row is never deleted by these
methods: a sent message stays as the record that it was sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Insert, Row, and_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from timebank.db.notification_tables import (
    LAST_ERROR_LENGTH_MAX,
    email_verifications,
    notification_outbox,
    notification_preferences,
)
from timebank.db.people_tables import members
from timebank.db.tables import accounts
from timebank.errors import MemberNotFound

__all__ = [
    "NotificationRepository",
    "OutboxRecord",
    "PreferencesRecord",
    "Recipient",
    "VerificationRecord",
]


@dataclass(frozen=True)
class Recipient:
    """A member as a message names and reaches them."""

    member_id: int
    account_id: int
    display_name: str
    email: str | None
    email_verified_at: datetime | None


@dataclass(frozen=True)
class VerificationRecord:
    verification_id: int
    timebank_id: int
    member_id: int
    email: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True)
class PreferencesRecord:
    member_id: int
    muted_kinds: frozenset[str]
    unsubscribe_key: str
    changed_at: datetime


@dataclass(frozen=True)
class OutboxRecord:
    outbox_id: int
    timebank_id: int
    member_id: int
    kind: str
    event_key: str
    to_address: str
    subject: str
    body: str
    is_security: bool
    created_at: datetime
    due_at: datetime
    attempts: int
    last_error: str | None
    claimed_until: datetime | None
    sent_at: datetime | None
    given_up_at: datetime | None


def _recipient(row: Row[Any, Any, Any, Any, Any]) -> Recipient:
    return Recipient(
        member_id=row[0], account_id=row[1], display_name=row[2], email=row[3], email_verified_at=row[4]
    )


def _outbox(row: dict[str, object]) -> OutboxRecord:
    return OutboxRecord(outbox_id=row["id"], **{k: v for k, v in row.items() if k != "id"})  # type: ignore[arg-type]


class NotificationRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- the member's address ------------------------------------------------------------------

    def recipient(self, timebank_id: int, member_id: int, *, for_update: bool = False) -> Recipient:
        m = members.c
        query = select(m.id, m.account_id, m.display_name, m.email, m.email_verified_at).where(
            m.timebank_id == timebank_id, m.id == member_id
        )
        if for_update:
            query = query.with_for_update()
        row = self.connection.execute(query).first()
        if row is None:
            raise MemberNotFound(f"There is no member {member_id} in this timebank")
        return _recipient(row)

    def recipients_of_accounts(self, timebank_id: int, account_ids: Sequence[int]) -> dict[int, Recipient]:
        """The member holding each of ``account_ids``; an organisation's or the pot's has none."""
        if not account_ids:
            return {}
        m = members.c
        rows = self.connection.execute(
            select(m.id, m.account_id, m.display_name, m.email, m.email_verified_at).where(
                m.timebank_id == timebank_id, m.account_id.in_(list(account_ids))
            )
        )
        return {recipient.account_id: recipient for recipient in map(_recipient, rows)}

    def coordinator_recipients(self, timebank_id: int) -> list[Recipient]:
        """The timebank's coordinators who are still members, by id (whether they have an address or not)."""
        m = members.c
        rows = self.connection.execute(
            select(m.id, m.account_id, m.display_name, m.email, m.email_verified_at)
            .where(
                m.timebank_id == timebank_id,
                m.is_coordinator.is_(True),
                m.membership_ended_on.is_(None),
                m.erased_at.is_(None),
            )
            .order_by(m.id)
        )
        return [_recipient(row) for row in rows]

    def has_left(self, timebank_id: int, member_id: int) -> bool:
        """Whether the member's membership has ended, or their personal data was erased."""
        m = members.c
        row = self.connection.execute(
            select(m.membership_ended_on, m.erased_at).where(m.timebank_id == timebank_id, m.id == member_id)
        ).first()
        if row is None:
            raise MemberNotFound(f"There is no member {member_id} in this timebank")
        return row[0] is not None or row[1] is not None

    def account_names(self, timebank_id: int, account_ids: Sequence[int]) -> dict[int, str]:
        a = accounts.c
        rows = self.connection.execute(
            select(a.id, a.name).where(a.timebank_id == timebank_id, a.id.in_(list(account_ids)))
        )
        return {account_id: name for account_id, name in rows}

    def set_email(self, timebank_id: int, member_id: int, email: str | None) -> None:
        """Set (or clear) the address; it is unverified until a link sent to it is followed."""
        m = members.c
        self.connection.execute(
            update(members)
            .where(m.timebank_id == timebank_id, m.id == member_id)
            .values(email=email, email_verified_at=None)
        )

    def mark_verified(self, timebank_id: int, member_id: int, at: datetime) -> None:
        m = members.c
        self.connection.execute(
            update(members)
            .where(m.timebank_id == timebank_id, m.id == member_id)
            .values(email_verified_at=at)
        )

    # --- verifications -------------------------------------------------------------------------

    def insert_verification(
        self,
        timebank_id: int,
        member_id: int,
        email: str,
        token_sha256: str,
        created_at: datetime,
        expires_at: datetime,
    ) -> int:
        return int(
            self.connection.execute(
                email_verifications.insert()
                .values(
                    timebank_id=timebank_id,
                    member_id=member_id,
                    email=email,
                    token_sha256=token_sha256,
                    created_at=created_at,
                    expires_at=expires_at,
                )
                .returning(email_verifications.c.id)
            ).scalar_one()
        )

    def verification_by_hash(self, token_sha256: str) -> VerificationRecord | None:
        v = email_verifications.c
        row = self.connection.execute(
            select(v.id, v.timebank_id, v.member_id, v.email, v.created_at, v.expires_at, v.used_at)
            .where(v.token_sha256 == token_sha256)
            .with_for_update()
        ).first()
        return None if row is None else VerificationRecord(*row)

    def use_verification(self, verification_id: int, at: datetime) -> None:
        v = email_verifications.c
        self.connection.execute(update(email_verifications).where(v.id == verification_id).values(used_at=at))

    def void_verifications(self, timebank_id: int, member_id: int, at: datetime) -> None:
        """Links sent to a former address stop working when the address changes."""
        v = email_verifications.c
        self.connection.execute(
            update(email_verifications)
            .where(v.timebank_id == timebank_id, v.member_id == member_id, v.used_at.is_(None))
            .values(used_at=at)
        )

    # --- preferences ---------------------------------------------------------------------------

    def preferences(self, member_id: int) -> tuple[int, PreferencesRecord] | None:
        """The member's preferences and their timebank, or None where they never had any."""
        p = notification_preferences.c
        row = self.connection.execute(
            select(p.timebank_id, p.member_id, p.muted_kinds, p.unsubscribe_key, p.changed_at).where(
                p.member_id == member_id
            )
        ).first()
        if row is None:
            return None
        timebank_id, member, muted, key, changed_at = row
        kinds = frozenset(kind for kind in muted.split(",") if kind)
        return timebank_id, PreferencesRecord(member, kinds, key, changed_at)

    def put_preferences(self, timebank_id: int, record: PreferencesRecord) -> None:
        p = notification_preferences.c
        values = {
            "muted_kinds": ",".join(sorted(record.muted_kinds)),
            "unsubscribe_key": record.unsubscribe_key,
            "changed_at": record.changed_at,
        }
        changed = self.connection.execute(
            update(notification_preferences)
            .where(p.timebank_id == timebank_id, p.member_id == record.member_id)
            .values(values)
        ).rowcount
        if not changed:
            self.connection.execute(
                notification_preferences.insert().values(
                    timebank_id=timebank_id, member_id=record.member_id, **values
                )
            )

    # --- the outbox ----------------------------------------------------------------------------

    def queue(
        self,
        timebank_id: int,
        member_id: int,
        kind: str,
        event_key: str,
        to_address: str,
        subject: str,
        body: str,
        is_security: bool,
        now: datetime,
    ) -> bool:
        """Queue a message; False, writing nothing, when this event was queued for them already."""
        values = {
            "timebank_id": timebank_id,
            "member_id": member_id,
            "kind": kind,
            "event_key": event_key,
            "to_address": to_address,
            "subject": subject,
            "body": body,
            "is_security": is_security,
            "created_at": now,
            "due_at": now,
            "attempts": 0,
        }
        dialect = self.connection.dialect.name
        statement: Insert
        if dialect == "postgresql":
            statement = postgresql.insert(notification_outbox).values(values).on_conflict_do_nothing()
        else:
            assert dialect == "sqlite", dialect
            statement = sqlite.insert(notification_outbox).values(values).on_conflict_do_nothing()
        # RETURNING says whether a row was written (rowcount is not reliable for ON CONFLICT on
        # every driver): nothing comes back when the event was queued already.
        return self.connection.execute(statement.returning(notification_outbox.c.id)).first() is not None

    def claim_due(self, now: datetime, limit: int, lease_until: datetime) -> list[OutboxRecord]:
        """Claim up to ``limit`` due messages until ``lease_until``, counting an attempt for each.

        Due: neither sent nor given up, its time come, and not claimed by a worker whose lease
        still runs. The caller commits, so the claim is seen by every other worker at once.
        """
        assert limit > 0
        o = notification_outbox.c
        query = (
            select(notification_outbox)
            .where(
                o.sent_at.is_(None),
                o.given_up_at.is_(None),
                o.due_at <= now,
                or_(o.claimed_until.is_(None), o.claimed_until <= now),
            )
            .order_by(o.due_at, o.id)
            .limit(limit)
        )
        if self.connection.dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = [dict(row) for row in self.connection.execute(query).mappings()]
        if not rows:
            return []
        self.connection.execute(
            update(notification_outbox)
            .where(o.id.in_([row["id"] for row in rows]))
            .values(claimed_until=lease_until, attempts=o.attempts + 1)
        )
        return [
            _outbox(row | {"claimed_until": lease_until, "attempts": row["attempts"] + 1}) for row in rows
        ]

    def mark_sent(self, outbox_id: int, at: datetime) -> bool:
        o = notification_outbox.c
        return bool(
            self.connection.execute(
                update(notification_outbox)
                .where(o.id == outbox_id, o.sent_at.is_(None))
                .values(sent_at=at, claimed_until=None, last_error=None)
            ).rowcount
        )

    def mark_failed(
        self, outbox_id: int, error: str, *, due_at: datetime | None, given_up_at: datetime | None
    ) -> None:
        """Keep the error; try again at ``due_at``, or give up (exactly one of the two)."""
        assert (due_at is None) != (given_up_at is None)
        o = notification_outbox.c
        values: dict[str, object] = {"last_error": error[:LAST_ERROR_LENGTH_MAX], "claimed_until": None}
        if due_at is not None:
            values["due_at"] = due_at
        else:
            values["given_up_at"] = given_up_at
        self.connection.execute(
            update(notification_outbox).where(and_(o.id == outbox_id, o.sent_at.is_(None))).values(values)
        )

    def messages_for(self, timebank_id: int, member_id: int) -> list[OutboxRecord]:
        """Every message queued for the member, oldest first (for tests and support)."""
        o = notification_outbox.c
        rows = self.connection.execute(
            select(notification_outbox)
            .where(o.timebank_id == timebank_id, o.member_id == member_id)
            .order_by(o.id)
        ).mappings()
        return [_outbox(dict(row)) for row in rows]
