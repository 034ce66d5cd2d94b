"""What the offers-and-requests use cases return: one view per answer (``timebank.views.View``).

A **post** as its member and coordinators see it (``PostView``) says whether it is hidden and why;
a post as search finds it (``FoundPostView``) says who posted it by their display name and when they
last took part (the day of their latest confirmed exchange), and nothing else about them: no
email, no phone, no address. Members reach each other through the timebank.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field

from timebank.db.repositories import CategoryRecord, PostRecord
from timebank.involvement.views import IsoMoment
from timebank.offers.requests import PostKind
from timebank.views import View

__all__ = [
    "CategoryList",
    "CategoryUseList",
    "CategoryUseView",
    "CategoryView",
    "FoundPostView",
    "HoursByCategoryView",
    "MessageSentView",
    "MessageTargetView",
    "OffersReportView",
    "PostDetailView",
    "PostPage",
    "PostToAnswerView",
    "PostView",
    "SearchPage",
    "WaitingRequestView",
]


class CategoryView(View):
    """One of the timebank's categories; a retired one takes no new post."""

    category_id: int = Field(serialization_alias="id")
    name: str
    retired: bool

    @classmethod
    def of(cls, record: CategoryRecord) -> CategoryView:
        return cls(category_id=record.category_id, name=record.name, retired=record.retired)


class CategoryList(View):
    categories: tuple[CategoryView, ...]


class CategoryUseView(CategoryView):
    """A category as coordinators manage it: with how many posts are findable in it today."""

    open_posts: int = Field(description="Open, unexpired, visible offers and requests in it today.")


class CategoryUseList(View):
    categories: tuple[CategoryUseView, ...]


class PostView(View):
    """An offer or request as its member and the coordinators see it."""

    post_id: int = Field(serialization_alias="id")
    kind: PostKind
    member_id: int
    member_name: str
    category_id: int
    category_name: str
    title: str
    description: str
    area: str | None
    availability: str | None
    expires_on: date
    status: str = Field(description="open or closed")
    expired: bool = Field(description="True once its expiry day has passed: search no longer finds it.")
    hidden: bool
    hidden_reason: str | None = Field(
        description="Why a coordinator hid it; shown to its member and coordinators."
    )
    created_at: IsoMoment
    updated_at: IsoMoment

    @classmethod
    def of(cls, record: PostRecord, today: date) -> PostView:
        return cls(
            post_id=record.post_id,
            kind=PostKind(record.kind),
            member_id=record.member_id,
            member_name=record.member_name,
            category_id=record.category_id,
            category_name=record.category_name,
            title=record.title,
            description=record.description,
            area=record.area,
            availability=record.availability,
            expires_on=record.expires_on,
            status=record.status,
            expired=record.expires_on < today,
            hidden=record.hidden_at is not None,
            hidden_reason=record.hidden_reason,
            created_at=record.created_at,
            updated_at=record.updated_at,
        )


class PostPage(View):
    posts: tuple[PostView, ...]
    next_cursor: str | None


class FoundPostView(View):
    """An open offer or request as search finds it: the member by name, never their contact details."""

    post_id: int = Field(serialization_alias="id")
    kind: PostKind
    member_id: int
    member_name: str
    last_took_part_on: date | None = Field(
        description="The day of the member's latest confirmed exchange, given or received; null if none."
    )
    category_id: int
    category_name: str
    title: str
    description: str
    area: str | None
    availability: str | None
    expires_on: date
    created_at: IsoMoment

    @classmethod
    def of(cls, record: PostRecord, last_took_part_on: date | None) -> FoundPostView:
        return cls(
            post_id=record.post_id,
            kind=PostKind(record.kind),
            member_id=record.member_id,
            member_name=record.member_name,
            last_took_part_on=last_took_part_on,
            category_id=record.category_id,
            category_name=record.category_name,
            title=record.title,
            description=record.description,
            area=record.area,
            availability=record.availability,
            expires_on=record.expires_on,
            created_at=record.created_at,
        )


class SearchPage(View):
    """A page of search results: best match first when words were given, else newest first."""

    posts: tuple[FoundPostView, ...]
    next_cursor: str | None


class HoursByCategoryView(View):
    """Confirmed exchanges of one category in the window: from a post's category, else their own text."""

    category: str = Field(description="The category's name; empty for exchanges that name none.")
    minutes: int
    exchanges: int


class WaitingRequestView(View):
    """A request still open, and for how many days."""

    post_id: int = Field(serialization_alias="id")
    member_id: int
    member_name: str
    category_name: str
    title: str
    created_at: IsoMoment
    days_open: int


class OffersReportView(View):
    """For coordinators: hours by category, members with no offer, requests waiting long."""

    from_on: date
    to_on: date
    hours_by_category: tuple[HoursByCategoryView, ...]
    members: int = Field(description="Members whose membership has not ended.")
    members_with_no_offer: int = Field(
        description="Of those members, how many have no open, unexpired, visible offer today."
    )
    open_days: int
    requests_open_longer: tuple[WaitingRequestView, ...] = Field(
        description="Open requests posted more than open_days days ago, oldest first (at most 200)."
    )


class PostDetailView(View):
    """One post as its page shows it: what ``PostView`` says, and when its member last took part."""

    post: PostView
    last_took_part_on: date | None = Field(
        description="The day of the member's latest confirmed exchange, given or received; null if none."
    )


class MessageTargetView(View):
    """Whom a message about a post goes to: the post, and the member written to, by name."""

    post: PostView
    to_member_id: int
    to_name: str
    is_answer: bool = Field(description="True when answering a member who wrote to you about your post.")


# The same words whoever gets the message: telling the sender whether it went to the member or to a
# coordinator would tell them whether the member has an email address.
MESSAGE_ON_ITS_WAY = "Your message is on its way. If they do not use email, a coordinator will pass it on."


class MessageSentView(View):
    """A message taken: the same answer whether it went to the member or to the coordinators."""

    post_id: int
    detail: str = MESSAGE_ON_ITS_WAY


class PostToAnswerView(View):
    """A post someone may answer, with its member's account: the other side of an exchange from it."""

    post: PostView
    member_account_id: int
