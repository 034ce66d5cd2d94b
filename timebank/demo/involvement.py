"""The demo's user forum: one activity where each attendee chose their own reward (DESIGN §4).

Riverside Health Trust held a user forum about its day-centre timetable ten days ago. The demo
member took time credits; others took a payment, a smaller payment, turned the payment down, or
had it given to a food bank. The Trust repaid the demo member's bus fare against the ticket. So a
new user logging in as the demo member finds an activity on their benefit-safe statement, with
credits and money kept apart, and a coordinator finds every reward choice in one place.

The demo member has declared that they get Universal Credit (a coordinator entered it at their
request), so a new user sees what the declaration does: the member and coordinators see it, the
organisation's staff get warnings that name no benefit, and no report or list shows it.

The Trust also offers things to spend credits on, one of each kind that matters for benefits: a
community lunch and a swim session (community activities, always fine) and a café voucher (a
voucher, which a member who declared benefits must acknowledge first). The demo member has spent
credits on the lunch.

It is made through the same use cases the API calls: ``create_activity``, ``invite_members``,
``record_attendance``, ``record_expense``, ``create_spend_option`` and ``spend_credits``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine

from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.benefits.money import PaymentKind
from timebank.benefits.spending import SpendClass
from timebank.involvement.activities import create_activity
from timebank.involvement.attendance import record_attendance
from timebank.involvement.declarations import set_declaration
from timebank.involvement.expenses import record_expense
from timebank.involvement.invitations import invite_members
from timebank.involvement.requests import (
    AttendeeChoice,
    CreateActivity,
    DeclareBenefits,
    InviteMembers,
    OfferTerms,
    ReceiptEvidence,
    RecordAttendance,
    RecordExpense,
)
from timebank.people.callers import Caller
from timebank.people.views import MemberView
from timebank.spending.requests import CreateSpendOption, SpendCredits
from timebank.spending.spends import create_spend_option, spend_credits

__all__ = [
    "DECLARED",
    "FORUM_TITLE",
    "SPEND_OPTIONS",
    "seed_declaration",
    "seed_spend_options",
    "seed_user_forum",
]

FORUM_TITLE = "User forum: the day-centre timetable"
_FORUM_MINUTES = 120
_OFFER_PENCE = 2000
_REDUCED_PENCE = 1000
_BUS_FARE_PENCE = 320
# What the demo member declared, with their say-so, after the forum.
DECLARED = (BenefitCategory.UNIVERSAL_CREDIT,)
# What the Trust offers for credits: a title, the minutes it takes, and its class.
SPEND_OPTIONS = (
    ("Community lunch at the day centre", 60, SpendClass.COMMUNITY_ACTIVITY),
    ("Swim session at Riverside pool", 60, SpendClass.COMMUNITY_ACTIVITY),
    ("Café voucher", 30, SpendClass.VOUCHER),
)


def seed_user_forum(
    engine: Engine,
    timebank_id: int,
    coordinator: Caller,
    organisation_id: int,
    people: list[MemberView],
    today: date,
) -> int:
    """The forum, its attendance with mixed reward choices, and an expense; the activity's id.

    ``people[1]`` is the demo member, who takes time credits.
    """
    held_on = today - timedelta(days=10)
    forum = CreateActivity(
        title=FORUM_TITLE,
        held_on=held_on,
        duration_minutes=_FORUM_MINUTES,
        classification=ActivityClassification.USES_SERVICES,
        purpose="Members who use the day centre shape its new timetable",
    )
    activity = create_activity(engine, timebank_id, coordinator, organisation_id, forum)
    minutes = _FORUM_MINUTES
    invited = [people[i].account_id for i in (1, 3, 4, 5, 6, 8)]
    invite_members(engine, timebank_id, coordinator, activity.activity_id, InviteMembers(account_ids=invited))

    def chose(person: MemberView, choice: Reward, **details: Any) -> AttendeeChoice:
        return AttendeeChoice(account_id=person.account_id, minutes=minutes, choice=choice, **details)

    attendance = RecordAttendance(
        attendees=[
            chose(people[1], Reward.CREDITS),
            chose(people[3], Reward.CREDITS),
            chose(people[4], Reward.PAYMENT),
            chose(people[5], Reward.REDUCED_PAYMENT, reduced_pence=_REDUCED_PENCE),
            chose(people[6], Reward.DECLINE),
            chose(people[8], Reward.CHARITY, charity_name="Riverside Food Bank"),
        ],
        offer=OfferTerms.for_week(_OFFER_PENCE, PaymentKind.VOUCHER, held_on, "Thank-you for the user forum"),
    )
    record_attendance(engine, timebank_id, coordinator, activity.activity_id, attendance)
    bus_fare = RecordExpense(
        account_id=people[1].account_id,
        amount_pence=_BUS_FARE_PENCE,
        evidence=ReceiptEvidence(
            kind="receipt", reference="Bus ticket R-2071", evidenced_pence=_BUS_FARE_PENCE
        ),
        description="Bus fare to the user forum",
        incurred_on=held_on,
        activity_id=activity.activity_id,
    )
    record_expense(engine, timebank_id, coordinator, organisation_id, bus_fare)
    return activity.activity_id


def seed_spend_options(
    engine: Engine, timebank_id: int, coordinator: Caller, organisation_id: int, people: list[MemberView]
) -> None:
    """The Trust's spend options, and the demo member (``people[1]``) spending credits on the lunch."""
    options = [
        create_spend_option(
            engine,
            timebank_id,
            coordinator,
            organisation_id,
            CreateSpendOption(title=title, minutes=minutes, spend_class=spend_class),
        )
        for title, minutes, spend_class in SPEND_OPTIONS
    ]
    lunch = SpendCredits(account_id=people[1].account_id)
    spend_credits(engine, timebank_id, coordinator, options[0].spend_option_id, lunch)


def seed_declaration(engine: Engine, timebank_id: int, coordinator: Caller, people: list[MemberView]) -> None:
    """The demo member's benefits declaration, entered by a coordinator at the member's request."""
    declared = DeclareBenefits(categories=[category.value for category in DECLARED], members_say_so=True)
    set_declaration(engine, timebank_id, coordinator, people[1].account_id, declared)
