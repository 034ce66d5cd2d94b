"""Erasing a member's personal data: the reads and writes, table by table (``timebank.people.erasure``).

Each method changes one kind of record and answers how many rows it changed, so the use case can
audit counts without keeping anything it erased. Three kinds of change:

- **replaced**: the member's own row and account get "Former member N", and free text they wrote or
  that is about them (descriptions, reasons, notes, the words of money records) gets a neutral text
  of the use case's choosing;
- **deleted**: what only identifies or reaches them and has no other purpose (email, tags, staff
  links, tokens, codes, verifications, preferences, messages to them, failed logins under their
  username, a benefits declaration and the advice drawn from it, stored replies about them);
- **mentions**: every other free-text column of the timebank that names them by name, username or
  email has the mention replaced (``mentioning`` finds the rows, the use case rewrites them).

Nothing here touches the ledger's append-only rows: transfers and transactions hold ids, kinds,
minutes and times only, and stay exactly as they were, so every balance and statement total does.
The login row stays too, as a tombstone that nobody can log in with: its id is named by the audit
log and by the exchanges the member recorded ("login:7"), and on SQLite a deleted row's id could be
handed to the next login, which would then inherit the former member's history.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    update,
)

from timebank.db.benefit_tables import (
    activities,
    audit_log,
    audit_notes,
    benefit_declarations,
    declined_payments,
    expenses,
    payment_advice,
    payments,
)
from timebank.db.import_tables import import_keys
from timebank.db.notification_tables import email_verifications, notification_outbox, notification_preferences
from timebank.db.offer_tables import posts
from timebank.db.people_tables import (
    access_tokens,
    api_keys,
    login_failures,
    logins,
    member_tags,
    members,
    organisation_staff,
    password_codes,
)
from timebank.db.spend_tables import spends
from timebank.db.tables import (
    accounts,
    exchange_receivers,
    exchanges,
    idempotency_keys,
    limit_changes,
    transaction_texts,
    transactions,
    transfers,
)
from timebank.errors import MemberNotFound

__all__ = [
    "TEXT_COLUMNS",
    "ErasureRepository",
    "ErasureSubject",
    "ExchangeMessage",
    "MentionRow",
    "PostTexts",
]

# Every free-text column of a timebank's mutable tables that may name a member in passing, by table:
# the sweep for mentions reads these. (Idempotency replies are not rewritten but deleted, below.)
TEXT_COLUMNS: Mapping[Table, tuple[str, ...]] = {
    exchanges: ("description", "category"),
    transaction_texts: ("reason", "note"),
    audit_notes: ("note",),
    activities: ("title", "purpose"),
    expenses: ("description", "receipt_reference", "journey"),
    payments: ("description", "acknowledgement_reference"),
    declined_payments: ("description", "charity_name"),
    spends: ("acknowledgement",),
    limit_changes: ("reason",),
    notification_outbox: ("subject", "body"),
    api_keys: ("label",),
}
# The words of an offer or request, rewritten together with the folded ``search_text`` they make.
_POST_TEXT_COLUMNS = ("title", "description", "area", "availability", "hidden_reason")


@dataclass(frozen=True)
class PostTexts:
    """An offer or request that mentions the member: its id and its words, by column."""

    post_id: int
    texts: dict[str, str | None]


# The money records and limit changes: about a member (their account), written by someone (an actor).
_WRITTEN_BY: Mapping[Table, str] = {
    expenses: "recorded_by",
    payments: "recorded_by",
    declined_payments: "recorded_by",
    spends: "recorded_by",
    limit_changes: "changed_by",
}
# Replies are JSON written with ``json.dumps``' default separators: an account id follows a key
# ending in ``account_id`` and is followed by a comma or the object's end.
_ACCOUNT_KEY = 'account_id": '


@dataclass(frozen=True)
class ErasureSubject:
    """The member about to be erased, as stored: what identifies them, read before it goes."""

    member_id: int
    account_id: int
    display_name: str
    email: str | None
    is_coordinator: bool
    login_id: int | None
    username: str | None
    erased_at: datetime | None

    @property
    def actor(self) -> str | None:
        """How the audit log, exchanges and transactions name what they did: their login."""
        return None if self.login_id is None else f"login:{self.login_id}"


@dataclass(frozen=True)
class ExchangeMessage:
    """A message in the outbox about an exchange, to someone else."""

    outbox_id: int
    exchange_id: int
    subject: str
    body: str


@dataclass(frozen=True)
class MentionRow:
    """A row whose text column names the member: its table, key, column and text."""

    table: Table
    key: tuple[int, ...]
    column: str
    text: str


def _in_chunks(values: Sequence[str], size: int = 500) -> list[Sequence[str]]:
    """Lists of at most ``size``, well inside every database's limit on parameters."""
    return [values[start : start + size] for start in range(0, len(values), size)]


class ErasureRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- the member ---------------------------------------------------------------------------

    def subject(self, timebank_id: int, member_id: int) -> ErasureSubject:
        """The member and their login, the row locked on PostgreSQL so two erasures take turns."""
        m = members.c
        query = (
            select(
                m.id,
                m.account_id,
                m.display_name,
                m.email,
                m.is_coordinator,
                m.login_id,
                logins.c.username,
                m.erased_at,
            )
            .outerjoin(logins, logins.c.id == m.login_id)
            .where(m.timebank_id == timebank_id, m.id == member_id)
            .with_for_update(of=members)
        )
        row = self.connection.execute(query).first()
        if row is None:
            raise MemberNotFound(f"There is no member {member_id} in this timebank")
        return ErasureSubject(*row)

    def replace_name(self, subject: ErasureSubject, name: str, at: datetime) -> int:
        """The member's name (on their row and their account) becomes ``name``; their email and
        coordinator's role go; the erasure is stamped."""
        self.connection.execute(
            update(members)
            .where(members.c.id == subject.member_id)
            .values(
                display_name=name,
                email=None,
                email_verified_at=None,
                is_coordinator=False,
                erased_at=at,
                membership_end_reason=None,
            )
        )
        self.connection.execute(update(accounts).where(accounts.c.id == subject.account_id).values(name=name))
        return 2

    def retire_login(self, subject: ErasureSubject, at: datetime) -> int:
        """The login becomes a tombstone: a username no one can type or choose, no password, turned
        off, every token and every failed login under its username gone."""
        if subject.login_id is None:
            return 0
        changed = self.connection.execute(
            update(logins)
            .where(logins.c.id == subject.login_id)
            .values(username=f"erased:{subject.login_id}", password_hash="", disabled_at=at)
        ).rowcount
        changed += self.connection.execute(
            delete(access_tokens).where(access_tokens.c.login_id == subject.login_id)
        ).rowcount
        if subject.username is not None:
            changed += self.connection.execute(
                delete(login_failures).where(login_failures.c.subject == f"username:{subject.username}")
            ).rowcount
        return int(changed)

    def delete_personal_records(self, timebank_id: int, subject: ErasureSubject) -> int:
        """Rows that only identify or reach the member: tags, staff links, codes, verifications,
        preferences, messages to them, their benefits declaration and the advice drawn from it, and
        the keys an import knew them and their exchanges by."""
        by_member = (
            member_tags,
            organisation_staff,
            password_codes,
            email_verifications,
            notification_preferences,
            notification_outbox,
        )
        deleted = 0
        for table in by_member:
            deleted += self.connection.execute(
                delete(table).where(
                    table.c.timebank_id == timebank_id, table.c.member_id == subject.member_id
                )
            ).rowcount
        for table in (payment_advice, benefit_declarations):
            deleted += self.connection.execute(
                delete(table).where(
                    table.c.timebank_id == timebank_id, table.c.account_id == subject.account_id
                )
            ).rowcount
        # An import's keys for them and their exchanges are digests of their name or username, which
        # a guess could be checked against. (The opening balance's key is their member number.)
        k = import_keys.c
        received = select(exchange_receivers.c.exchange_id).where(
            exchange_receivers.c.account_id == subject.account_id
        )
        their_exchanges = select(exchanges.c.id).where(
            exchanges.c.timebank_id == timebank_id,
            or_(exchanges.c.giver_account_id == subject.account_id, exchanges.c.id.in_(received)),
        )
        deleted += self.connection.execute(
            delete(import_keys).where(
                k.timebank_id == timebank_id,
                or_(
                    and_(k.kind == "member", k.target_id == subject.account_id),
                    and_(k.kind == "exchange", k.target_id.in_(their_exchanges)),
                ),
            )
        ).rowcount
        return int(deleted)

    # --- free text about them or by them ------------------------------------------------------

    def _their_exchanges(self, timebank_id: int, subject: ErasureSubject) -> ColumnElement[bool]:
        e = exchanges.c
        received = select(exchange_receivers.c.exchange_id).where(
            exchange_receivers.c.account_id == subject.account_id
        )
        theirs = [e.giver_account_id == subject.account_id, e.recorded_by_account_id == subject.account_id]
        theirs.append(e.id.in_(received))
        if subject.actor is not None:
            theirs.append(e.recorded_by == subject.actor)
        return and_(e.timebank_id == timebank_id, or_(*theirs))

    def exchange_descriptions(self, timebank_id: int, subject: ErasureSubject) -> dict[int, str]:
        """The descriptions of the exchanges they gave, received or recorded, by exchange id."""
        rows = self.connection.execute(
            select(exchanges.c.id, exchanges.c.description).where(self._their_exchanges(timebank_id, subject))
        )
        return {int(exchange_id): str(description) for exchange_id, description in rows}

    def replace_exchange_descriptions(self, timebank_id: int, subject: ErasureSubject, text: str) -> int:
        return int(
            self.connection.execute(
                update(exchanges)
                .where(self._their_exchanges(timebank_id, subject), exchanges.c.description != text)
                .values(description=text)
            ).rowcount
        )

    def replace_transaction_texts(
        self, timebank_id: int, subject: ErasureSubject, reason: str, note: str
    ) -> int:
        """The reasons and notes of the transactions that moved their credits or that they wrote.

        A recognition's note is the service's own words (which activity it was for), and is kept.
        """
        t = transfers.c
        touched = select(t.transaction_id).where(
            t.timebank_id == timebank_id,
            or_(t.source_account_id == subject.account_id, t.target_account_id == subject.account_id),
        )
        theirs = [transaction_texts.c.transaction_id.in_(touched)]
        if subject.actor is not None:
            written = select(transactions.c.id).where(
                transactions.c.timebank_id == timebank_id, transactions.c.created_by == subject.actor
            )
            theirs.append(transaction_texts.c.transaction_id.in_(written))
        recognitions = select(transactions.c.id).where(
            transactions.c.timebank_id == timebank_id, transactions.c.kind == "recognition"
        )
        where = and_(transaction_texts.c.timebank_id == timebank_id, or_(*theirs))
        tt = transaction_texts.c
        changed = self.connection.execute(
            update(transaction_texts)
            .where(where, tt.reason.is_not(None), tt.reason != reason)
            .values(reason=reason)
        ).rowcount
        changed += self.connection.execute(
            update(transaction_texts)
            .where(where, tt.note.is_not(None), tt.note != note, tt.transaction_id.not_in(recognitions))
            .values(note=note)
        ).rowcount
        return int(changed)

    def replace_audit_notes(self, timebank_id: int, subject: ErasureSubject, text: str) -> int:
        """The notes of the audit entries about them, and of those they wrote."""
        a = audit_log.c
        theirs = [a.subject_account_id == subject.account_id]
        if subject.actor is not None:
            theirs.append(a.actor == subject.actor)
        entries = select(a.id).where(a.timebank_id == timebank_id, or_(*theirs))
        return int(
            self.connection.execute(
                update(audit_notes)
                .where(
                    audit_notes.c.timebank_id == timebank_id,
                    audit_notes.c.audit_id.in_(entries),
                    audit_notes.c.note != text,
                )
                .values(note=text)
            ).rowcount
        )

    def replace_money_texts(self, timebank_id: int, subject: ErasureSubject, text: str) -> int:
        """The words of the money records and limit changes about them or written by them (what an
        expense or payment was for, the receipt, the journey, the charity chosen, acknowledgements,
        why a limit changed). The amounts stay: the organisations that paid must keep their accounts."""
        changed = 0
        for table, written_by in _WRITTEN_BY.items():
            theirs = [table.c.account_id == subject.account_id]
            if subject.actor is not None:
                theirs.append(table.c[written_by] == subject.actor)
            for column in TEXT_COLUMNS[table]:
                c = table.c[column]
                changed += self.connection.execute(
                    update(table)
                    .where(table.c.timebank_id == timebank_id, or_(*theirs), c.is_not(None), c != text)
                    .values({column: text})
                ).rowcount
        return int(changed)

    def messages_about_exchanges(
        self, timebank_id: int, exchange_ids: Sequence[int]
    ) -> list[ExchangeMessage]:
        """Messages to other members about these exchanges: each quotes the exchange's description."""
        found: list[ExchangeMessage] = []
        o = notification_outbox.c
        by_key = {f"exchange:{exchange_id}": exchange_id for exchange_id in exchange_ids}
        for chunk in _in_chunks(sorted(by_key)):
            rows = self.connection.execute(
                select(o.id, o.event_key, o.subject, o.body).where(
                    o.timebank_id == timebank_id, o.event_key.in_(chunk)
                )
            )
            for outbox_id, event_key, subject, body in rows:
                found.append(ExchangeMessage(int(outbox_id), by_key[event_key], subject, body))
        return found

    def rewrite_message(self, outbox_id: int, subject: str, body: str) -> None:
        self.connection.execute(
            update(notification_outbox)
            .where(notification_outbox.c.id == outbox_id)
            .values(subject=_fitted(notification_outbox, "subject", subject), body=body)
        )

    def delete_stored_replies(self, timebank_id: int, subject: ErasureSubject, needles: Sequence[str]) -> int:
        """Stored replies to keyed writes (idempotency) by them, about their account, or naming them.

        A replay of one of those keys after the erasure is done again rather than answered from a
        reply that would show what was erased. Keys are kept for days, erasure comes long after.
        """
        k = idempotency_keys.c
        account = f"{_ACCOUNT_KEY}{subject.account_id}"
        conditions = [k.response_json.contains(f"{account},"), k.response_json.contains(f"{account}}}")]
        if subject.actor is not None:
            conditions.append(k.caller == subject.actor)
        for needle in needles:
            # A reply is JSON: a name with letters beyond ASCII is written there with \u escapes.
            for form in {needle, json.dumps(needle)[1:-1]}:
                conditions.append(func.lower(k.response_json).contains(form.lower(), autoescape=True))
            # A client chooses its keys: one may spell a name.
            conditions.append(func.lower(k.key).contains(needle.lower(), autoescape=True))
        return int(
            self.connection.execute(
                delete(idempotency_keys).where(k.timebank_id == timebank_id, or_(*conditions))
            ).rowcount
        )

    # --- mentions elsewhere -------------------------------------------------------------------

    def mentioning(self, timebank_id: int, needles: Sequence[str]) -> list[MentionRow]:
        """Every text in the timebank's free-text columns that holds one of ``needles``.

        Matched by SQL as a first sieve (``lower`` folds only ASCII on SQLite; the exact spelling is
        matched too), then by the use case with word boundaries.
        """
        found: list[MentionRow] = []
        for table, columns in TEXT_COLUMNS.items():
            key = list(table.primary_key.columns)
            for column in columns:
                c = table.c[column]
                sieve = []
                for needle in needles:
                    sieve.append(func.lower(c).contains(needle.lower(), autoescape=True))
                    sieve.append(c.contains(needle, autoescape=True))
                rows = self.connection.execute(
                    select(*key, c).where(table.c.timebank_id == timebank_id, c.is_not(None), or_(*sieve))
                )
                for row in rows:
                    found.append(MentionRow(table, tuple(int(v) for v in row[:-1]), column, str(row[-1])))
        return found

    def replace_posts(
        self, timebank_id: int, subject: ErasureSubject, title: str, text: str, folded: str, at: datetime
    ) -> int:
        """The member's own offers and requests keep only their kind, category and dates: their
        words become ``title`` and ``text`` (``folded``, as search reads them), where and when go, a
        coordinator's reason for hiding one becomes ``text`` too, and each is closed."""
        result = self.connection.execute(
            update(posts)
            .where(posts.c.timebank_id == timebank_id, posts.c.member_id == subject.member_id)
            .values(
                title=title,
                description=text,
                area=None,
                availability=None,
                # A coordinator's reason may name the member; that it was hidden, and when, stays.
                hidden_reason=case((posts.c.hidden_at.is_(None), None), else_=literal(text)),
                search_text=folded,
                status="closed",
                closed_at=func.coalesce(posts.c.closed_at, at),
                updated_at=at,
            )
        )
        return int(result.rowcount or 0)

    def posts_mentioning(self, timebank_id: int, needles: Sequence[str]) -> list[PostTexts]:
        """Other members' posts whose words hold one of ``needles`` (a first sieve, as ``mentioning``)."""
        sieve = []
        for column in _POST_TEXT_COLUMNS:
            c = posts.c[column]
            for needle in needles:
                sieve.append(func.lower(c).contains(needle.lower(), autoescape=True))
                sieve.append(c.contains(needle, autoescape=True))
        rows = self.connection.execute(
            select(posts.c.id, *(posts.c[column] for column in _POST_TEXT_COLUMNS)).where(
                posts.c.timebank_id == timebank_id, or_(*sieve)
            )
        )
        return [PostTexts(int(row[0]), dict(zip(_POST_TEXT_COLUMNS, row[1:], strict=True))) for row in rows]

    def forget_search_words(self) -> None:
        """On SQLite, merge the search index's segments, so the words of changed posts are gone from
        the file and not only marked deleted (FTS5 keeps them until a merge). PostgreSQL's index is
        a column of the post's row, rewritten with it."""
        if self.connection.dialect.name == "sqlite":
            self.connection.exec_driver_sql("INSERT INTO posts_search (posts_search) VALUES ('optimize')")

    def rewrite_post(self, post_id: int, texts: Mapping[str, str | None], search_text: str) -> None:
        fitted = {
            column: None if text is None else _fitted(posts, column, text) for column, text in texts.items()
        }
        self.connection.execute(
            update(posts).where(posts.c.id == post_id).values(**fitted, search_text=search_text)
        )

    def rewrite(self, row: MentionRow, text: str) -> None:
        key = list(row.table.primary_key.columns)
        self.connection.execute(
            update(row.table)
            .where(*(c == value for c, value in zip(key, row.key, strict=True)))
            .values({row.column: _fitted(row.table, row.column, text)})
        )


def _fitted(table: Table, column: str, text: str) -> str:
    """``text`` cut to the column's length: "Former member 12" may be longer than a name it replaced."""
    length = getattr(table.c[column].type, "length", None)
    return text if length is None else text[:length]
