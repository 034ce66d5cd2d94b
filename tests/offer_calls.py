"""Offers and requests as their tests speak: a timebank with members, and posts made in a line.

``OfferWorld`` is a timebank of its own with a coordinator and members (each a ``Caller`` holding
their own account, as their login would), its default categories by name, and small methods that
post, close, hide and search, with sensible defaults. ``post_for`` posts as a coordinator for any
member of any timebank (the API tests arrange their posts with it). ``expire`` moves a post's
expiry day into the past, which no use case does (a post's expiry is always today or later when it
is set), so that tests can meet an expired post.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, update

from tests.conftest import STORY_BACKDATE_DAYS
from tests.people_calls import add_member, create_timebank
from timebank.clock import utc_now
from timebank.db.offer_tables import posts
from timebank.offers import (
    CreatePost,
    HidePost,
    PostKind,
    PostView,
    SearchPage,
    close_post,
    create_post,
    hide_post,
    list_categories,
    search_posts,
)
from timebank.people.callers import Caller

__all__ = ["OfferWorld", "category_id_named", "expire", "make_offer_world", "post_for"]


def category_id_named(engine: Engine, timebank_id: int, name: str) -> int:
    listed = list_categories(engine, timebank_id, Caller.coordinator_of(timebank_id))
    (found,) = [c.category_id for c in listed.categories if c.name == name]
    return found


def post_for(
    engine: Engine,
    timebank_id: int,
    member_id: int,
    *,
    title: str = "Help in the garden",
    description: str = "Weeding, mowing and planting",
    kind: PostKind = PostKind.OFFER,
    category: str = "Gardening",
    area: str | None = "Riverside",
    availability: str | None = "Weekday mornings",
    expires_in_days: int = 30,
) -> PostView:
    """A post a coordinator makes for ``member_id``."""
    request = CreatePost(
        kind=kind,
        category_id=category_id_named(engine, timebank_id, category),
        title=title,
        description=description,
        area=area,
        availability=availability,
        expires_on=utc_now().date() + timedelta(days=expires_in_days),
        member_id=member_id,
    )
    return create_post(engine, timebank_id, Caller.coordinator_of(timebank_id), request)


def expire(engine: Engine, post_id: int, days_ago: int = 1) -> None:
    """Move the post's expiry day into the past (no use case can)."""
    with engine.begin() as connection:
        connection.execute(
            update(posts)
            .where(posts.c.id == post_id)
            .values(expires_on=utc_now().date() - timedelta(days=days_ago))
        )


@dataclass
class OfferWorld:
    engine: Engine
    timebank_id: int
    coordinator: Caller
    members: dict[str, Caller] = field(default_factory=dict)  # by display name
    categories: dict[str, int] = field(default_factory=dict)

    def member(self, name: str) -> Caller:
        return self.members[name]

    def post(self, name: str, **fields: Any) -> PostView:
        member_id = self.members[name].member_id
        assert member_id is not None
        return post_for(self.engine, self.timebank_id, member_id, **fields)

    def request(
        self,
        caller: Caller,
        *,
        kind: PostKind = PostKind.OFFER,
        category: str = "Gardening",
        title: str = "Help in the garden",
        description: str = "Weeding and mowing",
        expires_on: date | None = None,
        **more: Any,
    ) -> CreatePost:
        return CreatePost(
            kind=kind,
            category_id=self.categories[category],
            title=title,
            description=description,
            expires_on=expires_on or utc_now().date() + timedelta(days=30),
            **more,
        )

    def close(self, post_id: int) -> PostView:
        return close_post(self.engine, self.timebank_id, self.coordinator, post_id)

    def hide(self, post_id: int, reason: str = "Asks for money") -> PostView:
        return hide_post(self.engine, self.timebank_id, self.coordinator, post_id, HidePost(reason=reason))

    def search(self, caller: Caller | None = None, **query: Any) -> SearchPage:
        return search_posts(self.engine, self.timebank_id, caller or self.coordinator, **query)

    def found_ids(self, caller: Caller | None = None, limit: int = 200, **query: Any) -> list[int]:
        """Every result's id, page after page, in order."""
        found: list[int] = []
        cursor = None
        while True:
            page = self.search(caller, cursor=cursor, limit=limit, **query)
            found += [p.post_id for p in page.posts]
            if page.next_cursor is None:
                return found
            cursor = page.next_cursor


def make_offer_world(engine: Engine, names: tuple[str, ...] = ("Ann", "Bo", "Cy")) -> OfferWorld:
    """A timebank of its own, its default categories, and a member for each name."""
    timebank = create_timebank(
        engine, f"Offers {uuid.uuid4().hex[:8]}", backdate_days_max=STORY_BACKDATE_DAYS
    )
    tb = timebank.timebank_id
    world = OfferWorld(engine, tb, Caller.coordinator_of(tb))
    for name in names:
        view = add_member(engine, tb, world.coordinator, name, floor_minutes=-600)
        world.members[name] = Caller.holder_of(tb, view.account_id, f"test:{name}", view.member_id)
    listed = list_categories(engine, tb, world.coordinator)
    world.categories = {c.name: c.category_id for c in listed.categories}
    return world
