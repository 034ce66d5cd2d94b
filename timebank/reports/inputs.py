"""What the report engine reads: totals per account and per ordered pair, never single exchanges.

A report describes one window ``[from_on, to_on)`` of activity dates and, optionally, one group (a
tag or an organisation). The storage layer answers it with a handful of ``GROUP BY`` queries and
hands the engine their rows as the frozen values below; the engine computes every figure from them
with no database and no I/O. The contract each row must keep is written on it, and
``timebank.reports.consistency.check_inputs`` checks the rows against each other.

Only help counts as an exchange: between members, or between a member and an organisation either
way, confirmed and not reversed. Recognition, pot grants and reversed exchanges are counted
apart (``ReportedApart``) and never enter the totals. Pots are not participants.

    AccountTotals   one row per account: every member of the window (anyone who was a member at
                    any moment in it, active or not) and every organisation, in the group or not
    PairTotals      one row per ordered pair (giver, receiver) that exchanged in the window
    MonthInputs     the same totals for each calendar month the window touches (the monthly series)
    ReportedApart   recognition, pot grants and reversed exchanges: counts and minutes

The rows cover the whole timebank even when the report is for a group: a group's figures count its
own members, but the giving graph they sit in (who can reach whom) is the timebank's, and the hours
a group takes part in include help to and from people outside it. ``in_group`` marks the group.

Quantities are whole minutes (``int``), never floats; dates are activity dates (``_on``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple, Protocol

__all__ = [
    "AccountTotals",
    "Activity",
    "ApartTotals",
    "Edge",
    "Group",
    "MonthAccountTotals",
    "MonthInputs",
    "MonthPairTotals",
    "OrganisationGroup",
    "PairTotals",
    "ParticipantKind",
    "ReportInputs",
    "ReportedApart",
    "TagGroup",
]


class ParticipantKind(enum.StrEnum):
    """How an account counts in the hours matrix.

    A member tagged ``staff`` is ``staff``; every other member is ``member``. Both are members in
    every member count (DESIGN §2: staff are members too when they give and get). Organisations
    appear in exchanges, hours and the giving graph, but never in a member count.
    """

    MEMBER = "member"
    STAFF = "staff"
    ORGANISATION = "organisation"


@dataclass(frozen=True, slots=True)
class TagGroup:
    """The members carrying one tag (``uses_services``, a neighbourhood, ...)."""

    tag: str


@dataclass(frozen=True, slots=True)
class OrganisationGroup:
    """The people the storage layer counts as an organisation's group (its staff, say)."""

    organisation_id: int


Group = TagGroup | OrganisationGroup


class Activity(Protocol):
    """What the per-member figures need of an account: the minutes it gave and received."""

    @property
    def given_minutes(self) -> int: ...

    @property
    def received_minutes(self) -> int: ...


class Edge(Protocol):
    """What the graph figures need of an ordered pair: who gave, who received, how much."""

    @property
    def giver_account_id(self) -> int: ...

    @property
    def receiver_account_id(self) -> int: ...

    @property
    def minutes(self) -> int: ...


def _require(condition: bool, problem: str) -> None:
    # Each row refuses to exist in a state no query can produce; cross-row rules are checked in
    # timebank.reports.consistency, which reports every problem at once.
    if not condition:
        raise ValueError(problem)


@dataclass(frozen=True, slots=True)
class AccountTotals:
    """One account's totals for the window.

    ``given_minutes`` and ``received_minutes`` count the counted exchanges in the window with
    anyone, in the group or not. ``exchange_count`` is the number of exchanges it took part in
    (an exchange with three receivers is one exchange for its giver). ``partner_count`` is the
    number of distinct accounts it gave to or received from in the window. ``balance_minutes`` and
    ``floor_minutes`` are as they stood at the window's end. ``last_exchange_on`` is the activity
    date of its last counted exchange before ``to_on``, however long ago (None: never).
    ``active_in_previous_window`` says whether it gave or received in the window of the same
    length just before this one.
    """

    account_id: int
    kind: ParticipantKind
    in_group: bool
    uses_services: bool
    given_minutes: int
    received_minutes: int
    exchange_count: int
    partner_count: int
    balance_minutes: int
    floor_minutes: int
    last_exchange_on: date | None
    active_in_previous_window: bool

    def __post_init__(self) -> None:
        # A report makes tens of thousands of rows: the usual, valid case builds no message.
        if (
            min(self.given_minutes, self.received_minutes, self.exchange_count, self.partner_count) >= 0
            and self.floor_minutes <= 0
            and not (self.uses_services and self.kind is ParticipantKind.ORGANISATION)
        ):
            return
        name = f"account {self.account_id}"
        _require(self.given_minutes >= 0, f"{name} gave a negative number of minutes")
        _require(self.received_minutes >= 0, f"{name} received a negative number of minutes")
        _require(self.exchange_count >= 0, f"{name} has a negative exchange count")
        _require(self.partner_count >= 0, f"{name} has a negative partner count")
        _require(self.floor_minutes <= 0, f"{name} has a floor above zero")
        # The tag is a member's; an organisation never carries it.
        _require(
            not (self.uses_services and self.kind is ParticipantKind.ORGANISATION),
            f"{name} is an organisation tagged uses_services",
        )

    @property
    def is_member(self) -> bool:
        return self.kind is not ParticipantKind.ORGANISATION

    @property
    def is_active(self) -> bool:
        return self.given_minutes + self.received_minutes > 0


@dataclass(frozen=True, slots=True)
class PairTotals:
    """What one account gave another in the window (time flows giver → receiver).

    ``exchange_count`` counts the exchanges in which this giver gave to this receiver.
    ``first_exchange_on`` is the activity date of the first exchange ever from this giver to this
    receiver (in this direction), which may be long before the window; it decides ``new_ties``.
    """

    giver_account_id: int
    receiver_account_id: int
    minutes: int
    exchange_count: int
    first_exchange_on: date

    def __post_init__(self) -> None:
        if self.giver_account_id != self.receiver_account_id and self.minutes > 0 and self.exchange_count > 0:
            return
        name = f"pair {self.giver_account_id}→{self.receiver_account_id}"
        _require(self.giver_account_id != self.receiver_account_id, f"{name} gives to itself")
        _require(self.minutes > 0, f"{name} has no minutes; leave the pair out")
        _require(self.exchange_count > 0, f"{name} has no exchanges; leave the pair out")


@dataclass(frozen=True, slots=True)
class ApartTotals:
    """A count of transactions of one kind kept out of the figures, and their minutes."""

    count: int = 0
    minutes: int = 0

    def __post_init__(self) -> None:
        _require(self.count >= 0, "a negative count is reported apart")
        # Every transaction moves at least one minute, so minutes and count are zero together.
        _require(self.minutes >= self.count, "fewer minutes than transactions are reported apart")
        _require((self.count == 0) == (self.minutes == 0), "minutes without transactions reported apart")


@dataclass(frozen=True, slots=True)
class ReportedApart:
    """The trade filter's other side: what moved credits in the window but was not an exchange."""

    recognition: ApartTotals = field(default_factory=ApartTotals)
    pot_grants: ApartTotals = field(default_factory=ApartTotals)
    reversed_exchanges: ApartTotals = field(default_factory=ApartTotals)


@dataclass(frozen=True, slots=True)
class MonthAccountTotals:
    """One account's minutes in one calendar month (clipped to the window).

    One row for every account that was a member, or an organisation, at any moment in the month,
    active or not. Its kind, group and tag are read from the window's ``AccountTotals``.
    """

    account_id: int
    given_minutes: int
    received_minutes: int

    def __post_init__(self) -> None:
        if self.given_minutes >= 0 and self.received_minutes >= 0:
            return
        _require(self.given_minutes >= 0, f"account {self.account_id} gave negative minutes in a month")
        _require(
            self.received_minutes >= 0, f"account {self.account_id} received negative minutes in a month"
        )


class MonthPairTotals(NamedTuple):
    """What one account gave another in one calendar month (clipped to the window).

    A named tuple, not a checked dataclass: a year's monthly series has half a million of these,
    and a tuple is made several times faster. ``check_inputs`` refuses a self-pair or a pair with
    no minutes instead, before any figure is computed.
    """

    giver_account_id: int
    receiver_account_id: int
    minutes: int


@dataclass(frozen=True)
class MonthInputs:
    """The totals of one calendar month, for the monthly series of headline figures.

    ``month_on`` is the first day of the month. Where the window starts or ends inside a month, the
    month's totals cover only the part inside the window. ``exchange_count`` counts the month's
    exchanges as ``ReportInputs.exchange_count`` counts the window's.
    """

    month_on: date
    exchange_count: int
    accounts: tuple[MonthAccountTotals, ...]
    pairs: tuple[MonthPairTotals, ...]

    def __post_init__(self) -> None:
        _require(self.month_on.day == 1, f"month {self.month_on} does not start on the first")
        _require(self.exchange_count >= 0, f"month {self.month_on} has a negative exchange count")


@dataclass(frozen=True)
class ReportInputs:
    """Everything one report needs: the window, the group, and the totals that describe them.

    ``exchange_count`` is the number of counted exchanges in the window with at least one party in
    the group (every exchange when there is no group); an exchange with three receivers counts
    once. With no group, every account is ``in_group``. ``months`` holds one ``MonthInputs`` for
    each calendar month the window touches, in order.
    """

    from_on: date
    to_on: date
    group: Group | None
    exchange_count: int
    accounts: tuple[AccountTotals, ...]
    pairs: tuple[PairTotals, ...]
    reported_apart: ReportedApart
    months: tuple[MonthInputs, ...]

    def __post_init__(self) -> None:
        _require(self.from_on < self.to_on, f"the window {self.from_on} to {self.to_on} is empty")
        _require(self.exchange_count >= 0, "the window has a negative exchange count")
