"""A month at the Library for one member, told through the services, for the statement tests.

In May 2025 the member (``forum.members[0]``) takes time credits for a user forum, takes a cash
payment for an interview panel, turns down a payment for a board meeting and has another given to a
charity; the Library repays two expenses (a bus ticket, a car journey); a neighbour gives the
member half an hour of help in the garden. A forum in June, and credits for it, fall outside May's
statement. Last, the member declares benefits, which the statement must never show. ``Story``
holds the figures the statement must state.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from tests.involvement_calls import attendee, record_expense, set_declaration
from tests.ledger_calls import record_exchange
from timebank.benefits import Mileage, PaymentKind, Receipt, Reward
from timebank.benefits.categories import BenefitCategory
from timebank.ledger.types import Actor, ReceiverShare

from .involvement import FORUM_DAY, Forum, make_forum, offer

__all__ = ["MAY", "Story", "tell_story"]

MAY = (date(2025, 5, 1), date(2025, 6, 1))
EXCHANGE_DESCRIPTION = "Help in the garden"


@dataclass(frozen=True)
class Story:
    forum: Forum
    member: int  # the account whose statement is read
    neighbour: int
    received_minutes: int = 120
    spent_minutes: int = 30
    expenses_pence: int = 450 + 450
    payments_pence: int = 2500
    declined_pence: int = 2000
    redirected_pence: int = 1500
    activity_titles: tuple[str, ...] = ("User forum", "Interview panel", "Board meeting", "Steering group")


def _activity(forum: Forum, title: str, on: date) -> int:
    return forum.activity(title, 120, on).activity_id


def tell_story(engine: Engine) -> Story:
    forum = make_forum(engine, members=2)
    member, neighbour = forum.members
    week = timedelta(days=7)
    forum.attend(
        _activity(forum, "User forum", FORUM_DAY),
        [attendee(member, 120, Reward.CREDITS), attendee(neighbour, 120, Reward.PAYMENT)],
        offer=offer(2000),
    )
    forum.attend(
        _activity(forum, "Interview panel", FORUM_DAY + week),
        [attendee(member, 120, Reward.PAYMENT)],
        offer=offer(2500, PaymentKind.CASH, FORUM_DAY + week),
    )
    forum.attend(
        _activity(forum, "Board meeting", FORUM_DAY + 2 * week),
        [attendee(member, 120, Reward.DECLINE)],
        offer=offer(2000, on=FORUM_DAY + 2 * week),
    )
    forum.attend(
        _activity(forum, "Steering group", FORUM_DAY + 2 * week + timedelta(days=1)),
        [attendee(member, 120, Reward.CHARITY, charity_name="Shelter")],
        offer=offer(1500, PaymentKind.CASH, FORUM_DAY + 2 * week + timedelta(days=1)),
    )
    # In June: not on May's statement.
    forum.attend(_activity(forum, "June forum", date(2025, 6, 11)), [attendee(member, 60, Reward.CREDITS)])
    record_expense(
        engine,
        forum.timebank_id,
        forum.staff,
        forum.organisation_id,
        member,
        450,
        Receipt("Bus ticket 4471", 450),
        "Bus fare to the forum",
        FORUM_DAY,
    )
    record_expense(
        engine,
        forum.timebank_id,
        forum.staff,
        forum.organisation_id,
        member,
        450,
        Mileage("Home to the library and back", 10),
        "Driving to the panel",
        FORUM_DAY + week,
    )
    record_exchange(
        engine,
        forum.timebank_id,
        Actor("test:coordinator", None, is_coordinator=True),
        neighbour,
        [ReceiverShare(member, 30)],
        FORUM_DAY + timedelta(days=2),
        EXCHANGE_DESCRIPTION,
    )
    set_declaration(
        engine, forum.timebank_id, forum.member(member), member, [BenefitCategory.UNIVERSAL_CREDIT]
    )
    return Story(forum, member, neighbour)
