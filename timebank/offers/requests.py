"""What the offers-and-requests use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms. Every text has a
limit here and is checked again in the use case (control characters, empty after trimming); an
expiry is a day, checked against today there. A change names only what changes: a field left out
stays as it was (no field but ``area`` and ``availability`` may be sent as null, which takes them away),
and a change that sends nothing changes nothing.
"""

from __future__ import annotations

import enum
from typing import Annotated, Any

from pydantic import Field, StrictBool

from timebank.db.offer_tables import (
    AREA_LENGTH_MAX,
    AVAILABILITY_LENGTH_MAX,
    HIDDEN_REASON_LENGTH_MAX,
    POST_DESCRIPTION_LENGTH_MAX,
    POST_TITLE_LENGTH_MAX,
)
from timebank.fields import Id, Request
from timebank.involvement.requests import Day
from timebank.ledger.limits import CATEGORY_LENGTH_MAX

__all__ = [
    "AddCategory",
    "ChangeCategory",
    "ChangePost",
    "ContactMember",
    "CreatePost",
    "HidePost",
    "PostKind",
]


class PostKind(enum.StrEnum):
    """What a post says: what a member can do for others, or what they need."""

    OFFER = "offer"
    REQUEST = "request"

    @property
    def label(self) -> str:
        return "Offer" if self is PostKind.OFFER else "Request"


CategoryName = Annotated[str, Field(min_length=1, max_length=CATEGORY_LENGTH_MAX)]
PostTitle = Annotated[str, Field(min_length=1, max_length=POST_TITLE_LENGTH_MAX)]
PostDescription = Annotated[str, Field(min_length=1, max_length=POST_DESCRIPTION_LENGTH_MAX)]
Area = Annotated[
    str,
    Field(
        max_length=AREA_LENGTH_MAX,
        description="Where, as a neighbourhood or town (never an address): 'Riverside', 'north of the park'.",
    ),
]
Availability = Annotated[
    str, Field(max_length=AVAILABILITY_LENGTH_MAX, description="When: 'weekday mornings', 'Tuesdays'.")
]
# A message to a member: a few short paragraphs. Longer, and it is not a first contact but a letter.
MESSAGE_LENGTH_MAX = 1000
# An answer link's signature (``timebank.notifications.keys.reply_token``): 32 hexadecimal digits.
REPLY_TOKEN_LENGTH_MAX = 64
Message = Annotated[str, Field(min_length=1, max_length=MESSAGE_LENGTH_MAX)]
ReplyToken = Annotated[str, Field(min_length=1, max_length=REPLY_TOKEN_LENGTH_MAX)]
HiddenReason = Annotated[str, Field(min_length=1, max_length=HIDDEN_REASON_LENGTH_MAX)]


# The default of a field that may be left out of a change but never sent as null. Typed Any so that
# the field keeps its real type (and refuses null) while "left out" stays apart from "sent".
_ABSENT: Any = None


class AddCategory(Request):
    """A new category for the timebank's posts."""

    name: CategoryName


class ChangeCategory(Request):
    """Rename a category, or retire it (no new post takes it) or bring it back."""

    name: CategoryName = _ABSENT
    retired: StrictBool = _ABSENT


class CreatePost(Request):
    """An offer or a request. ``member_id``: whose it is, when a coordinator posts for a member."""

    kind: PostKind
    category_id: Id
    title: PostTitle
    description: PostDescription
    area: Area | None = None
    availability: Availability | None = None
    expires_on: Day
    member_id: Id | None = None


class ChangePost(Request):
    """A change to a post: only the fields sent change; ``area`` or ``availability`` sent as null go."""

    category_id: Id = _ABSENT
    title: PostTitle = _ABSENT
    description: PostDescription = _ABSENT
    area: Area | None = None
    availability: Availability | None = None
    expires_on: Day = _ABSENT


class HidePost(Request):
    """Why a coordinator hides a post: kept on the post, shown to its member and coordinators."""

    reason: HiddenReason


class ContactMember(Request):
    """A message about an offer or request: to the member who posted it, or (with ``to_member_id`` and
    ``reply_token``, from the answer link of a message) back to a member who wrote to you about yours."""

    message: Message
    to_member_id: Id | None = Field(
        default=None, description="When answering: the member who wrote to you about this post."
    )
    reply_token: ReplyToken | None = Field(
        default=None, description="When answering: the token of the answer link in their message."
    )
