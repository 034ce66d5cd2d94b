"""Activities, who came, and the recognition they post: the credits side of an activity.

An *activity* is an organisation's event: a title, the day it was held, how long it ran, what it
was for, and its classification. *Attendance* is one person's part in it: their account, the
minutes they gave, and their reward choice (``timebank.benefits.choices``).

Recognition is an organisation crediting members for involvement (DESIGN §2). For one activity it
is one transaction: a transfer from the organisation's account to each attendee who chose credits,
of exactly the minutes that attendee gave, which is never more than the activity lasted. The
organisation pays, within its budget floor, so no
credit is minted (L2); the ledger's posting rules check the floor when the plan is posted.
Attendees who chose anything else are recorded with their time and post no credits at all, so the
minutes a recognition moves always equal the sum of the credit-choosing attendees' minutes.

Minutes here are credits and nothing else: no attendance record carries pence, and the money an
attendee's choice leads to is worked out apart, by ``money_for_choice``.
"""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from timebank.benefits.checks import is_whole, text_breaches
from timebank.benefits.choices import CHOICE_MEANINGS, Reward
from timebank.benefits.errors import Breach, BreachCode, raise_if_broken
from timebank.ledger.limits import DESCRIPTION_LENGTH_MAX, NAME_LENGTH_MAX
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import TransferIntent

__all__ = [
    "ATTENDEES_MAX",
    "Activity",
    "ActivityClassification",
    "Attendance",
    "RecognitionPlan",
    "attendance_breaches",
    "minutes_breaches",
    "plan_recognition",
]

# A large forum or a conference day; one recognition transaction stays a bounded write.
ATTENDEES_MAX = 500


class ActivityClassification(enum.StrEnum):
    """What kind of involvement an activity is, as a benefit office would ask.

    ``uses_services``: members shaping services they use (forums, boards, panels). Its label is the
    legal phrase "participating as a service user", under which expenses are disregarded and the
    person is not treated as working. ``volunteering``: unpaid help for a charity or a community
    group. ``community_activity``: taking part in the timebank's own give-and-get.
    """

    USES_SERVICES = "uses_services"
    VOLUNTEERING = "volunteering"
    COMMUNITY_ACTIVITY = "community_activity"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ActivityClassification.USES_SERVICES: "Participating as a service user",
    ActivityClassification.VOLUNTEERING: "Volunteering",
    ActivityClassification.COMMUNITY_ACTIVITY: "Community activity",
}


def minutes_breaches(name: str, value: object) -> list[Breach]:
    """The ledger's rules for one transfer's minutes, as breaches (same codes as the ledger's errors)."""
    if not is_whole(value):
        return [
            Breach(
                BreachCode.MINUTES_MUST_BE_WHOLE, f"{name} must be a whole number of minutes, not {value!r}"
            )
        ]
    assert isinstance(value, int)
    if value <= 0:
        return [
            Breach(BreachCode.MINUTES_MUST_BE_POSITIVE, f"{name} must be more than zero minutes, not {value}")
        ]
    if value > MINUTES_PER_TRANSFER_MAX:
        return [
            Breach(
                BreachCode.MINUTES_ABOVE_TRANSFER_LIMIT,
                f"{name} is {value} minutes; the limit is {MINUTES_PER_TRANSFER_MAX}",
            )
        ]
    return []


@dataclass(frozen=True, slots=True)
class Activity:
    """An organisation's event that members take part in."""

    title: str
    held_on: date
    duration_minutes: int
    classification: ActivityClassification
    purpose: str

    def __post_init__(self) -> None:
        raise_if_broken(
            text_breaches("An activity's title", self.title, NAME_LENGTH_MAX)
            + minutes_breaches("An activity's length", self.duration_minutes)
            + text_breaches("An activity's purpose", self.purpose, DESCRIPTION_LENGTH_MAX, required=False)
        )


@dataclass(frozen=True, slots=True)
class Attendance:
    """One attendee's time at an activity and what they chose for it."""

    account_id: int
    minutes: int
    choice: Reward


@dataclass(frozen=True, slots=True)
class RecognitionPlan:
    """The one recognition transaction an activity posts: organisation → each credit-choosing attendee.

    ``transfers`` is in attendance order and empty when nobody chose credits (then nothing posts).
    ``not_credited`` are the other attendees, to be recorded with their choice and time.
    """

    organisation_account_id: int
    transfers: tuple[TransferIntent, ...]
    total_minutes: int
    not_credited: tuple[Attendance, ...]

    def __post_init__(self) -> None:
        assert self.total_minutes == sum(transfer.minutes for transfer in self.transfers)
        assert all(t.source_account_id == self.organisation_account_id for t in self.transfers)


def attendance_breaches(
    organisation_account_id: int, attendance: Sequence[Attendance], duration_minutes: int | None = None
) -> list[Breach]:
    """Every rule one activity's attendance list breaks; ``duration_minutes`` is the activity's length."""
    if not attendance:
        return [Breach(BreachCode.ATTENDEES_REQUIRED, "An activity's attendance needs at least one attendee")]
    breaches = []
    if len(attendance) > ATTENDEES_MAX:
        breaches.append(
            Breach(
                BreachCode.TOO_MANY_ATTENDEES,
                f"An activity can list at most {ATTENDEES_MAX} attendees, not {len(attendance)}",
            )
        )
    for index, attendee in enumerate(attendance):
        time_breaches = minutes_breaches(f"Attendee {index + 1}'s time", attendee.minutes)
        breaches += time_breaches
        # Bug fix: 600 minutes at a two-hour forum were taken, and became ten hours of credits.
        if not time_breaches and duration_minutes is not None and attendee.minutes > duration_minutes:
            breaches.append(
                Breach(
                    BreachCode.ATTENDANCE_ABOVE_ACTIVITY_LENGTH,
                    f"Attendee {index + 1} is down for {attendee.minutes} minutes, but the activity "
                    f"lasted {duration_minutes}",
                )
            )
        if attendee.account_id == organisation_account_id:
            breaches.append(
                Breach(
                    BreachCode.ACCOUNTS_MUST_DIFFER,
                    f"Attendee {index + 1} is the organisation's own account, which cannot recognise itself",
                )
            )
    counts = Counter(attendee.account_id for attendee in attendance)
    breaches += [
        Breach(BreachCode.ATTENDEE_REPEATED, f"Account {account_id} is listed {count} times")
        for account_id, count in counts.items()
        if count > 1
    ]
    return breaches


def plan_recognition(
    organisation_account_id: int, attendance: Sequence[Attendance], duration_minutes: int | None = None
) -> RecognitionPlan:
    """The recognition an activity's attendance posts, or ``BenefitRulesBroken`` with every breach.

    ``duration_minutes`` is the activity's length, which no attendee's time may pass.
    """
    for attendee in attendance:
        # A money record here would be a caller's type error that silently posts credits for pence.
        if not isinstance(attendee, Attendance):
            raise TypeError(f"plan_recognition takes Attendance, not {type(attendee).__name__}")
    raise_if_broken(attendance_breaches(organisation_account_id, attendance, duration_minutes))
    credited = [a for a in attendance if CHOICE_MEANINGS[a.choice].posts_credits]
    transfers = tuple(TransferIntent(organisation_account_id, a.account_id, a.minutes) for a in credited)
    return RecognitionPlan(
        organisation_account_id=organisation_account_id,
        transfers=transfers,
        total_minutes=sum(a.minutes for a in credited),
        not_credited=tuple(a for a in attendance if not CHOICE_MEANINGS[a.choice].posts_credits),
    )
