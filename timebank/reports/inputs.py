"""What the report engine reads: totals per account and per ordered pair, never single exchanges.

A report describes one window ``[from_on, to_on)`` of activity dates and, optionally, one group (a
tag or an organisation). The storage layer answers it with a handful of ``GROUP BY`` queries over
the running totals and hands the engine what they sum to, as the frozen values below; the engine
computes every figure from them with no database and no I/O. The contract each value must keep is
written on it, and ``timebank.reports.consistency.check_inputs`` checks them against each other.

Only help counts as an exchange: between members, or between a member and an organisation either
way, confirmed and not reversed. Recognition, pot grants and reversed exchanges are counted
apart (``ReportedApart``) and never enter the totals. Pots are not participants.

    AccountTotals   one row per account: every member of the window (anyone who was a member at
                    any moment in it, active or not) and every organisation, in the group or not
    PairColumns     one position per ordered pair (giver, receiver) that exchanged in the window
    MonthInputs     the same totals for each calendar month the window touches (the monthly series)
    ReportedApart   recognition, pot grants and reversed exchanges: counts and minutes

**Rows and columns.** A timebank has thousands of accounts but a year's window has a third of a
million pairs and half a million pair-months. Accounts are rows (``AccountTotals``, a Python object
each); pairs and a month's accounts and pairs are *columns*: one read-only ``int64`` numpy array
per field, one position per row (``PairColumns``, ``MonthAccountColumns``, ``MonthPairColumns``).
The engine sums, matches and counts them in compiled loops. Each has a row type for reading and
writing them by hand (``PairTotals``, ``MonthAccountTotals``, ``MonthPairTotals``): ``of(rows)``
makes columns, ``rows()`` gives them back, and two are equal when every column is.

The values cover the whole timebank even when the report is for a group: a group's figures count
its own members, but the giving graph they sit in (who can reach whom) is the timebank's, and the
hours a group takes part in include help to and from people outside it. ``in_group`` marks the
group.

Quantities are whole minutes (``int``, ``int64`` in columns), never floats; dates are activity
dates (``_on``).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, ClassVar, Generic, NamedTuple, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "AccountTotals",
    "Activity",
    "ApartTotals",
    "BoolColumn",
    "Edge",
    "Group",
    "IntColumn",
    "MonthAccountColumns",
    "MonthAccountTotals",
    "MonthInputs",
    "MonthPairColumns",
    "MonthPairTotals",
    "OrganisationGroup",
    "PairColumns",
    "PairTotals",
    "ParticipantKind",
    "ReportInputs",
    "ReportedApart",
    "TagGroup",
]


# The columns of the pair and month inputs: whole numbers (minutes, counts, account ids, day
# ordinals) as 64-bit integers, never floats.
IntColumn = npt.NDArray[np.int64]
BoolColumn = npt.NDArray[np.bool_]


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
    """

    giver_account_id: int
    receiver_account_id: int
    minutes: int
    exchange_count: int

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
    """What one account gave another in one calendar month (clipped to the window): one row of
    ``MonthPairColumns``, for writing a test's months by hand. ``check_inputs`` refuses a self-pair
    or a pair with no minutes, before any figure is computed."""

    giver_account_id: int
    receiver_account_id: int
    minutes: int


def _column(values: Iterable[int] | IntColumn) -> IntColumn:
    # A read-only int64 array: the inputs are frozen, arrays included.
    array = np.array(values, dtype=np.int64)
    if array.ndim != 1:
        raise ValueError("a column of the report's inputs is one-dimensional")
    array.flags.writeable = False
    return array


Row = TypeVar("Row", "PairTotals", "MonthPairTotals", "MonthAccountTotals")
Self = TypeVar("Self", bound="_Columns[Any]")


@dataclass(frozen=True, eq=False)
class _Columns(Generic[Row]):
    """Rows held as columns: one field per field of the row type, each an int64 array.

    The column fields carry the row type's names, in its order, so that ``of`` and ``rows`` turn
    one into the other. A subclass names its row type and may say which rows no query produces
    (``_refused``): the first of them is made a row, which refuses itself with its own message.
    """

    row_type: ClassVar[type[Any]]

    def __post_init__(self) -> None:
        columns = [_column(getattr(self, f.name)) for f in fields(self)]
        for f, column in zip(fields(self), columns, strict=True):
            object.__setattr__(self, f.name, column)
        _require(
            len({len(c) for c in columns}) <= 1, f"the columns of {type(self).__name__} differ in length"
        )
        refused = self._refused()
        if refused.any():
            self.row(int(np.argmax(refused)))

    def _refused(self) -> BoolColumn:
        return np.zeros(len(self), dtype=np.bool_)

    @classmethod
    def of(cls: type[Self], rows: Iterable[Row]) -> Self:
        listed = list(rows)
        return cls(*(_column([getattr(row, f.name) for row in listed]) for f in fields(cls)))

    def __len__(self) -> int:
        return len(getattr(self, fields(self)[0].name))

    def __eq__(self, other: object) -> bool:
        # Equal when every column holds the same values in the same order (the tests compare what
        # storage hands over with a reference model's, field by field).
        return type(self) is type(other) and all(
            bool(np.array_equal(getattr(self, f.name), getattr(other, f.name))) for f in fields(self)
        )

    __hash__ = None  # type: ignore[assignment]

    def row(self, i: int) -> Row:
        return self.row_type(*(int(getattr(self, f.name)[i]) for f in fields(self)))  # type: ignore[no-any-return]

    def rows(self) -> Iterator[Row]:
        return (self.row(i) for i in range(len(self)))

    def take(self: Self, keep: BoolColumn) -> Self:
        """The rows where ``keep`` is true, in order."""
        return type(self)(*(getattr(self, f.name)[keep] for f in fields(self)))


@dataclass(frozen=True, eq=False)
class PairColumns(_Columns[PairTotals]):
    """The window's ``PairTotals``, one numpy column per field and one position per ordered pair.

    A year's window has a third of a million pairs; as columns they are summed, matched and
    counted in compiled loops instead of one Python object at a time. Build it from rows with
    ``PairColumns.of`` (tests, small inputs) or from arrays (the storage layer).
    """

    row_type = PairTotals

    giver_account_id: IntColumn
    receiver_account_id: IntColumn
    minutes: IntColumn
    exchange_count: IntColumn

    def _refused(self) -> BoolColumn:
        refused: BoolColumn = (
            (self.giver_account_id == self.receiver_account_id)
            | (self.minutes <= 0)
            | (self.exchange_count <= 0)
        )
        return refused


@dataclass(frozen=True, eq=False)
class MonthPairColumns(_Columns[MonthPairTotals]):
    """One month's ``MonthPairTotals`` as columns (a year's series has half a million of them).

    ``check_inputs`` names a self-pair or a pair with no minutes, as it does for a month's rows.
    """

    row_type = MonthPairTotals

    giver_account_id: IntColumn
    receiver_account_id: IntColumn
    minutes: IntColumn


@dataclass(frozen=True, eq=False)
class MonthAccountColumns(_Columns[MonthAccountTotals]):
    """One month's ``MonthAccountTotals`` as columns: every account that counted in the month."""

    row_type = MonthAccountTotals

    account_id: IntColumn
    given_minutes: IntColumn
    received_minutes: IntColumn

    def _refused(self) -> BoolColumn:
        refused: BoolColumn = (self.given_minutes < 0) | (self.received_minutes < 0)
        return refused


@dataclass(frozen=True)
class MonthInputs:
    """The totals of one calendar month, for the monthly series of headline figures.

    ``month_on`` is the first day of the month. Where the window starts or ends inside a month, the
    month's totals cover only the part inside the window. ``exchange_count`` counts the month's
    exchanges as ``ReportInputs.exchange_count`` counts the window's.
    """

    month_on: date
    exchange_count: int
    accounts: MonthAccountColumns
    pairs: MonthPairColumns

    def __post_init__(self) -> None:
        _require(self.month_on.day == 1, f"month {self.month_on} does not start on the first")
        _require(self.exchange_count >= 0, f"month {self.month_on} has a negative exchange count")


@dataclass(frozen=True)
class ReportInputs:
    """Everything one report needs: the window, the group, and the totals that describe them.

    ``exchange_count`` is the number of counted exchanges in the window with at least one party in
    the group (every exchange when there is no group); an exchange with three receivers counts
    once. With no group, every account is ``in_group``. ``new_tie_count`` is the number of pairs
    of the window with an end in the group whose first exchange ever, in that direction, lies in the
    window (the running totals know every pair's first date). ``months`` holds one ``MonthInputs``
    for each calendar month the window touches, in order.
    """

    from_on: date
    to_on: date
    group: Group | None
    exchange_count: int
    accounts: tuple[AccountTotals, ...]
    pairs: PairColumns
    new_tie_count: int
    reported_apart: ReportedApart
    months: tuple[MonthInputs, ...]

    def __post_init__(self) -> None:
        _require(self.from_on < self.to_on, f"the window {self.from_on} to {self.to_on} is empty")
        _require(self.exchange_count >= 0, "the window has a negative exchange count")
        _require(self.new_tie_count >= 0, "the window has a negative count of new ties")
