"""Categories and posts (offers and requests), and the search over them, on each database's own index.

Plain values in and out. A post's ``search_text`` is given by the use case, already folded; the
index that searches it is the database's (``timebank.db.offer_tables`` says which), so the one
query that differs between SQLite and PostgreSQL is ``search``'s match and rank:

- SQLite: ``posts_search MATCH :words``, ranked by ``bm25(posts_search)`` (lower is better);
- PostgreSQL: ``search_vector @@ to_tsquery('simple', :words)``, ranked by ``ts_rank`` (higher is
  better).

Both then order equal ranks by the newest post first (the higher id), so a page never shuffles.
Every query names the timebank. Search reads members' display names and nothing else of theirs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Connection,
    Integer,
    String,
    bindparam,
    column,
    func,
    insert,
    literal_column,
    select,
    table,
    union_all,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql import ColumnElement, FromClause, Select

from timebank.db.offer_tables import DEFAULT_CATEGORIES, categories, posts
from timebank.db.people_tables import members
from timebank.db.tables import exchange_receivers, exchanges
from timebank.errors import CategoryNotFound, PostNotFound

__all__ = ["CategoryRecord", "NewPost", "OfferRepository", "PostRecord"]

_CONFIRMED = "confirmed"


@dataclass(frozen=True)
class CategoryRecord:
    category_id: int
    timebank_id: int
    name: str
    retired: bool


@dataclass(frozen=True)
class NewPost:
    """A post as written: what the member said, folded for search, and who wrote it when."""

    member_id: int
    kind: str
    category_id: int
    title: str
    description: str
    area: str | None
    availability: str | None
    expires_on: date
    search_text: str
    created_by: str
    created_at: datetime


@dataclass(frozen=True)
class PostRecord:
    """A post as read, with its member's display name and account and its category's name."""

    post_id: int
    timebank_id: int
    member_id: int
    member_name: str
    account_id: int
    kind: str
    category_id: int
    category_name: str
    title: str
    description: str
    area: str | None
    availability: str | None
    expires_on: date
    status: str
    created_at: datetime
    updated_at: datetime
    hidden_at: datetime | None
    hidden_reason: str | None


def _category(row: RowMapping) -> CategoryRecord:
    return CategoryRecord(row["id"], row["timebank_id"], row["name"], row["retired_at"] is not None)


_POST_COLUMNS = (
    posts.c.id,
    posts.c.timebank_id,
    posts.c.member_id,
    members.c.display_name,
    members.c.account_id,
    posts.c.kind,
    posts.c.category_id,
    categories.c.name.label("category_name"),
    posts.c.title,
    posts.c.description,
    posts.c.area,
    posts.c.availability,
    posts.c.expires_on,
    posts.c.status,
    posts.c.created_at,
    posts.c.updated_at,
    posts.c.hidden_at,
    posts.c.hidden_reason,
)
_POSTS_NAMED = posts.join(members, members.c.id == posts.c.member_id).join(
    categories, categories.c.id == posts.c.category_id
)


def _post(row: RowMapping) -> PostRecord:
    return PostRecord(
        post_id=row["id"],
        timebank_id=row["timebank_id"],
        member_id=row["member_id"],
        member_name=row["display_name"],
        account_id=row["account_id"],
        kind=row["kind"],
        category_id=row["category_id"],
        category_name=row["category_name"],
        title=row["title"],
        description=row["description"],
        area=row["area"],
        availability=row["availability"],
        expires_on=row["expires_on"],
        status=row["status"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        hidden_at=row["hidden_at"],
        hidden_reason=row["hidden_reason"],
    )


def _selected(source: FromClause) -> Select[tuple[object, ...]]:
    """The columns of a post as read, from ``source``."""
    return select(*_POST_COLUMNS).select_from(source)


def _findable(
    timebank_id: int, today: date, kind: str | None, category_id: int | None
) -> list[ColumnElement[bool]]:
    """The conditions a post meets to be found: this timebank's, open, unexpired, unhidden, of the
    kind and category if named."""
    p = posts.c
    found = [p.timebank_id == timebank_id, p.status == "open", p.hidden_at.is_(None), p.expires_on >= today]
    if kind is not None:
        found.append(p.kind == kind)
    if category_id is not None:
        found.append(p.category_id == category_id)
    return found


# SQLite's FTS5 table, named in queries only (it is made by migration 0015, outside the metadata).
_posts_search = table("posts_search", column("rowid", Integer))


class OfferRepository:
    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    # --- categories --------------------------------------------------------------------------------

    def categories(self, timebank_id: int) -> list[CategoryRecord]:
        """Every category of the timebank, retired ones too, by name."""
        c = categories.c
        rows = self.connection.execute(
            select(categories).where(c.timebank_id == timebank_id).order_by(c.name_key, c.id)
        ).mappings()
        return [_category(row) for row in rows]

    def category_count(self, timebank_id: int) -> int:
        query = select(func.count()).select_from(categories).where(categories.c.timebank_id == timebank_id)
        return int(self.connection.execute(query).scalar_one())

    def category(self, timebank_id: int, category_id: int) -> CategoryRecord:
        c = categories.c
        row = (
            self.connection.execute(
                select(categories).where(c.timebank_id == timebank_id, c.id == category_id)
            )
            .mappings()
            .first()
        )
        if row is None:
            raise CategoryNotFound(f"There is no category {category_id} in this timebank")
        return _category(row)

    def category_named(self, timebank_id: int, key: str) -> CategoryRecord | None:
        c = categories.c
        row = (
            self.connection.execute(select(categories).where(c.timebank_id == timebank_id, c.name_key == key))
            .mappings()
            .first()
        )
        return None if row is None else _category(row)

    def insert_categories(
        self, timebank_id: int, names: Sequence[tuple[str, str]], at: datetime
    ) -> list[int]:
        """Write categories, each (name, folded name); their ids, in order."""
        return [
            int(
                self.connection.execute(
                    insert(categories)
                    .values(timebank_id=timebank_id, name=name, name_key=key, created_at=at)
                    .returning(categories.c.id)
                ).scalar_one()
            )
            for name, key in names
        ]

    def insert_default_categories(self, timebank_id: int, at: datetime) -> None:
        """Give a new timebank the default categories."""
        self.connection.execute(
            insert(categories),
            [
                {"timebank_id": timebank_id, "name": name, "name_key": key, "created_at": at}
                for name, key in DEFAULT_CATEGORIES
            ],
        )

    def rename_category(self, timebank_id: int, category_id: int, name: str, key: str) -> None:
        c = categories.c
        self.connection.execute(
            update(categories)
            .where(c.timebank_id == timebank_id, c.id == category_id)
            .values(name=name, name_key=key)
        )

    def set_category_retired(self, timebank_id: int, category_id: int, retired_at: datetime | None) -> None:
        c = categories.c
        self.connection.execute(
            update(categories)
            .where(c.timebank_id == timebank_id, c.id == category_id)
            .values(retired_at=retired_at)
        )

    def open_posts_by_category(self, timebank_id: int, today: date) -> dict[int, int]:
        """How many findable posts (open, unexpired, unhidden) each category holds; absent if none."""
        p = posts.c
        rows = self.connection.execute(
            select(p.category_id, func.count())
            .where(*_findable(timebank_id, today, None, None))
            .group_by(p.category_id)
        )
        return {int(category_id): int(count) for category_id, count in rows}

    # --- posts -------------------------------------------------------------------------------------

    def insert_post(self, timebank_id: int, post: NewPost) -> int:
        return int(
            self.connection.execute(
                insert(posts)
                .values(
                    timebank_id=timebank_id,
                    member_id=post.member_id,
                    kind=post.kind,
                    category_id=post.category_id,
                    title=post.title,
                    description=post.description,
                    area=post.area,
                    availability=post.availability,
                    expires_on=post.expires_on,
                    status="open",
                    search_text=post.search_text,
                    created_by=post.created_by,
                    created_at=post.created_at,
                    updated_at=post.created_at,
                )
                .returning(posts.c.id)
            ).scalar_one()
        )

    def post(self, timebank_id: int, post_id: int, *, for_update: bool = False) -> PostRecord:
        query = select(*_POST_COLUMNS).select_from(_POSTS_NAMED)
        query = query.where(posts.c.timebank_id == timebank_id, posts.c.id == post_id)
        if for_update:
            query = query.with_for_update(of=posts)
        row = self.connection.execute(query).mappings().first()
        if row is None:
            raise PostNotFound(f"There is no offer or request {post_id} in this timebank")
        return _post(row)

    def update_post(self, timebank_id: int, post_id: int, values: dict[str, object]) -> None:
        """Change the named columns of a post (its text with its ``search_text``, its status, its hiding)."""
        self.connection.execute(
            update(posts).where(posts.c.timebank_id == timebank_id, posts.c.id == post_id).values(values)
        )

    def close_member_posts(self, timebank_id: int, member_id: int, at: datetime) -> int:
        """Close every open post of the member (their membership ended); how many were open."""
        result = self.connection.execute(
            update(posts)
            .where(
                posts.c.timebank_id == timebank_id, posts.c.member_id == member_id, posts.c.status == "open"
            )
            .values(status="closed", closed_at=at, updated_at=at)
        )
        return int(result.rowcount or 0)

    def member_posts(
        self, timebank_id: int, member_id: int, *, before_id: int | None, limit: int
    ) -> list[PostRecord]:
        """A member's posts, every state, newest first."""
        query = select(*_POST_COLUMNS).select_from(_POSTS_NAMED)
        query = query.where(posts.c.timebank_id == timebank_id, posts.c.member_id == member_id)
        if before_id is not None:
            query = query.where(posts.c.id < before_id)
        rows = self.connection.execute(query.order_by(posts.c.id.desc()).limit(limit)).mappings()
        return [_post(row) for row in rows]

    def _findable(
        self, timebank_id: int, today: date, kind: str | None, category_id: int | None
    ) -> Select[tuple[object, ...]]:
        """Open, unexpired, unhidden posts of the timebank, of the kind and category if named."""
        query = select(*_POST_COLUMNS).select_from(_POSTS_NAMED)
        return query.where(*_findable(timebank_id, today, kind, category_id))

    def browse(
        self,
        timebank_id: int,
        today: date,
        *,
        kind: str | None,
        category_id: int | None,
        before_id: int | None,
        limit: int,
    ) -> list[PostRecord]:
        """Findable posts newest first, with ids below ``before_id`` (the keyset cursor)."""
        query = self._findable(timebank_id, today, kind, category_id)
        if before_id is not None:
            query = query.where(posts.c.id < before_id)
        rows = self.connection.execute(query.order_by(posts.c.id.desc()).limit(limit)).mappings()
        return [_post(row) for row in rows]

    def search(
        self,
        timebank_id: int,
        today: date,
        *,
        fts5_query: str,
        tsquery: str,
        kind: str | None,
        category_id: int | None,
        candidates_max: int,
        offset: int,
        limit: int,
    ) -> list[PostRecord]:
        """Findable posts that hold every word, best match first, then newest first.

        Only the newest ``candidates_max`` matching posts are ranked: a word in most posts would
        otherwise have every one of them scored to show the first twenty. The candidates are found
        newest first, stopping at the last of them: on SQLite, FTS5's doclist read in descending
        rowid order, whose last candidate bounds the rowid range FTS5 then ranks; on PostgreSQL,
        the posts by id or the GIN index, as the planner finds cheaper, and only those ids are
        joined and ranked. The words come twice, written for each database's
        query language (``SearchWords``); the one this connection speaks is used.
        """
        filters = _findable(timebank_id, today, kind, category_id)
        if self.connection.dialect.name == "sqlite":
            query = self._findable(timebank_id, today, kind, category_id)
            match = literal_column("posts_search").op("MATCH")(fts5_query)
            rowid = _posts_search.c.rowid
            newest = (
                select(rowid)
                .select_from(_posts_search.join(posts, posts.c.id == rowid))
                .where(match, *filters)
                .order_by(rowid.desc())
                .offset(candidates_max - 1)
                .limit(1)
                .correlate(None)
                .scalar_subquery()
            )
            # Ranked in a table of its own, read from FTS5 by rowid range; joined to the posts after.
            # Left to itself, SQLite's planner walks the posts and probes FTS5 once per post.
            hits = (
                select(rowid.label("post_id"), func.bm25(literal_column("posts_search")).label("rank"))
                .where(match, rowid >= func.coalesce(newest, 0))
                .cte("hits")
                .prefix_with("MATERIALIZED")
            )
            query = query.join_from(posts, hits, hits.c.post_id == posts.c.id)
            query = query.order_by(hits.c.rank, posts.c.id.desc())
        else:
            # The words go into the statement's text (quoted by SQLAlchemy), not as a parameter: a
            # statement psycopg has prepared would otherwise get a generic plan, made without
            # knowing how common the words are, and rank every post holding a common one.
            text = bindparam("words", tsquery, type_=String, literal_execute=True)
            words = func.to_tsquery(literal_column("'simple'::regconfig"), text)
            vector: ColumnElement[object] = literal_column("posts.search_vector")
            # The candidates' ids first, in a table of their own, so that only they are joined and
            # ranked (by primary key; the planner would otherwise hash every member).
            candidates = (
                select(posts.c.id.label("post_id"))
                .where(vector.op("@@")(words), *filters)
                .order_by(posts.c.id.desc())
                .limit(candidates_max)
                .cte("newest")
                .prefix_with("MATERIALIZED")
            )
            query = _selected(candidates.join(_POSTS_NAMED, posts.c.id == candidates.c.post_id))
            query = query.order_by(func.ts_rank(vector, words).desc(), posts.c.id.desc())
        rows = self.connection.execute(query.offset(offset).limit(limit)).mappings()
        return [_post(row) for row in rows]

    def last_took_part(self, timebank_id: int, account_ids: Iterable[int]) -> dict[int, date]:
        """The day of each account's latest confirmed exchange, given or received (none: absent)."""
        wanted = sorted(set(account_ids))
        if not wanted:
            return {}
        e, r = exchanges.c, exchange_receivers.c
        given = select(e.giver_account_id.label("account_id"), e.activity_date).where(
            e.timebank_id == timebank_id, e.status == _CONFIRMED, e.giver_account_id.in_(wanted)
        )
        received = (
            select(r.account_id.label("account_id"), e.activity_date)
            .select_from(exchange_receivers.join(exchanges, e.id == r.exchange_id))
            .where(r.timebank_id == timebank_id, e.status == _CONFIRMED, r.account_id.in_(wanted))
        )
        both = union_all(given, received).subquery()
        rows = self.connection.execute(
            select(both.c.account_id, func.max(both.c.activity_date)).group_by(both.c.account_id)
        )
        return {int(account_id): day for account_id, day in rows}

    # --- what coordinators are told ------------------------------------------------------------------

    def minutes_by_category(self, timebank_id: int, from_on: date, to_on: date) -> list[tuple[str, int, int]]:
        """(category, minutes, exchanges) of the confirmed exchanges dated in [from_on, to_on).

        An exchange from a post counts under the post's category; any other under its own category
        text, or under "" when it has none.
        """
        e, r = exchanges.c, exchange_receivers.c
        name = func.coalesce(categories.c.name, e.category, "")
        minutes = (
            select(func.sum(r.minutes)).where(r.exchange_id == e.id).correlate(exchanges).scalar_subquery()
        )
        named = (
            select(name.label("category"), minutes.label("minutes"), e.id)
            .select_from(
                exchanges.outerjoin(posts, posts.c.id == e.post_id).outerjoin(
                    categories, categories.c.id == posts.c.category_id
                )
            )
            .where(
                e.timebank_id == timebank_id,
                e.status == _CONFIRMED,
                e.activity_date >= from_on,
                e.activity_date < to_on,
            )
            .subquery()
        )
        rows = self.connection.execute(
            select(named.c.category, func.sum(named.c.minutes), func.count())
            .group_by(named.c.category)
            .order_by(func.sum(named.c.minutes).desc(), named.c.category)
        )
        return [(str(category), int(total), int(count)) for category, total, count in rows]

    def members_without_open_offer(self, timebank_id: int, today: date) -> tuple[int, int]:
        """(members with no open, unexpired, unhidden offer, members) of the timebank; a member whose
        membership has ended is neither (they can post nothing)."""
        p = posts.c
        has_offer = (
            select(p.id)
            .where(
                p.timebank_id == timebank_id,
                p.member_id == members.c.id,
                p.kind == "offer",
                p.status == "open",
                p.hidden_at.is_(None),
                p.expires_on >= today,
            )
            .exists()
        )
        total, without = self.connection.execute(
            select(func.count(), func.count().filter(~has_offer)).where(
                members.c.timebank_id == timebank_id, members.c.membership_ended_on.is_(None)
            )
        ).one()
        return int(without), int(total)

    def requests_open_since(
        self, timebank_id: int, today: date, before: datetime, limit: int
    ) -> list[PostRecord]:
        """Open, unexpired, unhidden requests posted before ``before``, oldest first."""
        query = self._findable(timebank_id, today, "request", None).where(posts.c.created_at < before)
        rows = self.connection.execute(query.order_by(posts.c.id).limit(limit)).mappings()
        return [_post(row) for row in rows]
