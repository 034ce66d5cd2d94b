"""A timebank big enough to time the reciprocity report: 10,000 members, 1,000,000 exchanges.

Issue 5 asks for the full report in ≤ 2 s and ≤ 500 MB, and the per-member report in ≤ 50 ms, at a
million exchanges among ten thousand members. Those figures mean something only on data shaped like
a real timebank's, so this module builds one, seeded and repeatable, in minutes:

- one timebank, its pot, 3–5 organisations with budget floors and 3–6 staff each;
- members joining over 24 months (a third at the start, the rest spread out, so the members of a
  window change), each with a neighbourhood tag; ``uses_services`` on ~30%, ``staff`` on ~10%;
- activity with a heavy tail: a lognormal weight per member, so the most active tenth carry half
  the hours; ~10% never exchange, and a quarter stop at some point and stay on as dormant members;
- roles: most people mostly give or mostly receive (people who use services lean to receiving),
  so both two-way members and one-way ones are common in any window;
- partners that repeat: a giver sometimes returns help to someone who helped them, often helps
  again someone they helped before, else someone new, mostly from their own neighbourhood. Many
  pairs reciprocate, many don't;
- member-to-member exchanges (2% with several receivers), help members give organisations and
  services organisations give members, 15 to 240 minutes each, on activity dates ending yesterday;
- what the report keeps apart: recognition (an organisation's ``gift`` to each member who took
  part in a meeting, noted ``recognition: ...``; the ledger has no kind of its own for it yet),
  pot donations and grants, and exchanges reversed days later by a coordinator; besides, exchanges
  still pending (the last fortnight) or declined, cancelled or expired, which move nothing.

Every limit is respected rather than switched off. Members have the timebank's floor of −10 h,
except those who mostly receive, whose floor a coordinator set deeper, to about what they are
expected to need (often less, so some reach it); 2% have a cap of 150 h; the pot cannot go below
zero; organisations have budget floors. An exchange the payer cannot afford is turned round (if
they give at all, they give instead) or drawn again; a reversal or grant that does not fit is left
out.

The history is simulated in memory (pure Python, seeded) in posting order and written through the
project's bulk path (``BulkWriter``: ids reserved in blocks, rows by ``executemany``), one database
transaction per chunk of about 50,000 exchanges. Each chunk writes the transaction headers, exchanges,
receivers and transfers (each with both balances after it), marks what it reversed, and saves the
counters of every account it touched under their version check, after asserting the database holds
what the simulation believes. Every committed state keeps the ledger's invariants. Timestamps are
historical: an exchange posts on its activity date, so statements, past balances and transaction
dates (the only date a gift, donation or grant has) agree with the activity dates.

    python bench/report_data.py                          # SQLite file in a temporary folder
    python bench/report_data.py --backend postgresql     # a fresh PostgreSQL database, then dropped
    python bench/report_data.py --url URL --keep         # an existing database (migrated first)
    python bench/report_data.py --members 200 --exchanges 3000 --check    # small, with invariants
"""

from __future__ import annotations

import argparse
import bisect
import math
import random
import resource
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, bindparam, text, update

from timebank.db import UnitOfWork, make_engine, run, upgrade
from timebank.db.checks import check_timebank
from timebank.db.people_tables import member_tags, members
from timebank.db.report_tables import report_account_months, report_pair_months, report_pairs
from timebank.db.repositories import TimebankSettings
from timebank.db.tables import (
    accounts,
    exchange_receivers,
    exchanges,
    transaction_texts,
    transactions,
    transfers,
)
from timebank.demo.timebank import HELP_ACTIVITIES
from timebank.ledger.contacts import Contact
from timebank.ledger.types import AccountKind, AccountState
from timebank.people.timebanks import (
    DEFAULT_BACKDATE_DAYS_MAX,
    DEFAULT_MINUTES_PER_TRANSFER_MAX,
    DEFAULT_ORGANISATION_FLOOR_MINUTES,
    DEFAULT_PENDING_EXPIRY_DAYS,
)

__all__ = ["DatasetInfo", "seed_report_dataset"]

# --- the shape of the community -----------------------------------------------------------------

MONTHS = 24
FOUNDING_SHARE = 0.35  # members there from the first day; the rest join over the two years
NEVER_SHARE = 0.10  # members who never exchange
STOPPING_SHARE = 0.25  # members who stop exchanging at some point (and stay members, dormant)
USES_SERVICES_SHARE = 0.30
STAFF_SHARE = 0.10
ACTIVITY_SIGMA = 1.25  # lognormal spread of members' activity: the heavy tail
ACTIVITY_MAX = 20.0  # ... cut where one person would be doing a dozen exchanges a day
GIVING_SHARE = (0.35, 0.3)  # beta distribution of the share of a member's activity that is giving
GIVING_SHARE_USES_SERVICES = (0.3, 0.45)
NEIGHBOURHOODS = {"north": 5, "south": 4, "riverside": 3, "hillside": 2, "old_town": 2, "east": 1}
ORGANISATIONS = [
    ("Riverside Health Trust", 5),
    ("Northfield Carers Centre", 3),
    ("Hillside Housing Association", 2),
    ("Eastgate Leisure Centre", 2),
    ("Old Town Library", 1),
]
MEMBER_FLOOR_MINUTES = -10 * 60
CAP_MINUTES = 150 * 60
CAP_SHARE = 0.02
ORGANISATION_FLOOR_MINUTES_PER_EXCHANGE = 10  # budget floors grow with the history and their size

# How an exchange is chosen: shares of the exchanges (the rest are member to member, one receiver).
GROUP_SHARE = 0.02  # a member helps 2-4 members at once (a class, a walk)
MEMBER_TO_ORGANISATION_SHARE = 0.08  # a member helps an organisation (a forum, a panel)
ORGANISATION_TO_MEMBER_SHARE = 0.05  # a member spends credits at an organisation
RETURN_HELP = 0.3  # chance a giver returns help to someone who has helped them
REPEAT_PARTNER = 0.55  # ... else helps again someone they have helped before
SAME_NEIGHBOURHOOD = 0.75  # chance a new partner is from the giver's neighbourhood
MINUTES = (15, 30, 45, 60, 75, 90, 120, 150, 180, 210, 240)
MINUTES_WEIGHTS = (3, 10, 5, 25, 4, 12, 18, 5, 10, 2, 6)
_MINUTES_POOL = [m for m, w in zip(MINUTES, MINUTES_WEIGHTS, strict=True) for _ in range(w)]

# What the report keeps apart, per exchange posted.
REVERSAL_RATE = 0.004
RECOGNITION_RATE = 0.005  # gift transactions, in meetings of 3-10 members
DONATION_RATE = 0.004
GRANT_RATE = 0.003
UNPOSTED_RATE = 0.002  # pending (last fortnight), declined, cancelled, expired

CHUNK_EXCHANGES = 50_000
CALLER = "coordinator:report-data"
_TO_ORGANISATION = [("Co-production board meeting", "involvement"), ("User forum", "involvement")]
_FROM_ORGANISATION = [("Swim session", "leisure"), ("Cinema afternoon", "leisure")]
_GROUP = ("Walking group", "company")


@dataclass(frozen=True)
class DatasetInfo:
    """What was seeded, with the figures that show its shape. Shares are of members' minutes."""

    timebank_id: int
    pot_account_id: int
    members: int
    organisation_account_ids: tuple[int, ...]
    exchanges: int  # posted: confirmed, or confirmed and later reversed
    reversed_exchanges: int
    group_exchanges: int
    unposted_exchanges: int  # pending, declined, cancelled or expired: no transfers
    recognitions: int  # gift transactions from an organisation to a member
    pot_donations: int
    pot_grants: int
    transfers: int
    first_activity_on: date
    last_activity_on: date
    uses_services_members: int
    staff_members: int
    members_never_exchanging: int  # no counted exchange at all
    top_tenth_share: float  # of given + received minutes, by the most active tenth of all members
    pair_reciprocity: float  # reciprocated ordered member pairs ÷ ordered member pairs
    members_at_floor: int
    busiest_member_id: int  # the most exchanges: the per-member report's hardest case
    busiest_account_id: int
    typical_member_id: int  # the median active member
    typical_account_id: int
    seeding_seconds: float  # all of it: simulating, writing, and ANALYZE
    writing_seconds: float  # of which inside the database transactions that write
    analyze_seconds: float  # of which ANALYZE (and VACUUM on PostgreSQL)


# --- who is in the timebank ---------------------------------------------------------------------


@dataclass
class People:
    """Members in joining order (index = account index), then organisations, then the pot."""

    members: int
    join_day: list[int]
    stop_day: list[int]  # the day they stop exchanging (the number of days: they never stop)
    give_weight: list[float]
    receive_weight: list[float]
    neighbourhood: list[str]
    uses_services: list[bool]
    staff: list[bool]
    floor_minutes: list[int]
    cap_minutes: list[int | None]
    organisation_weights: list[int]
    organisation_floor_minutes: list[int]
    organisation_staff: list[list[int]] = field(default_factory=list)

    @property
    def organisations(self) -> range:
        return range(self.members, self.members + len(self.organisation_weights))

    @property
    def pot(self) -> int:
        return self.members + len(self.organisation_weights)

    def tags(self, index: int) -> list[str]:
        extra = ["uses_services"] * self.uses_services[index] + ["staff"] * self.staff[index]
        return [self.neighbourhood[index], *extra]


def plan_people(rng: random.Random, members: int, exchanges: int, days: int) -> People:
    founding = round(members * FOUNDING_SHARE)
    join_day = sorted([0] * founding + [rng.randrange(1, days) for _ in range(members - founding)])
    uses_services = [rng.random() < USES_SERVICES_SHARE for _ in range(members)]
    give, receive = _activity(rng, uses_services)
    organisations = ORGANISATIONS[: rng.randint(3, 5)]
    total_weight = sum(weight for _, weight in organisations)
    hoods, hood_weights = list(NEIGHBOURHOODS), list(NEIGHBOURHOODS.values())
    stop_day = [rng.randrange(j, days) if rng.random() < STOPPING_SHARE else days for j in join_day]
    people = People(
        members=members,
        join_day=join_day,
        stop_day=stop_day,
        give_weight=give,
        receive_weight=receive,
        neighbourhood=rng.choices(hoods, hood_weights, k=members),
        uses_services=uses_services,
        staff=[rng.random() < STAFF_SHARE for _ in range(members)],
        floor_minutes=_floors(rng, join_day, give, receive, exchanges, days),
        cap_minutes=[CAP_MINUTES if rng.random() < CAP_SHARE else None for _ in range(members)],
        organisation_weights=[weight for _, weight in organisations],
        organisation_floor_minutes=[
            -max(30_000, exchanges * ORGANISATION_FLOOR_MINUTES_PER_EXCHANGE * weight // total_weight)
            for _, weight in organisations
        ],
    )
    staff = [i for i in range(members) if people.staff[i]]
    people.organisation_staff = [
        sorted(rng.sample(staff, min(len(staff), rng.randint(3, 6)))) for _ in organisations
    ]
    return people


def _activity(rng: random.Random, uses_services: list[bool]) -> tuple[list[float], list[float]]:
    """Each member's weight as a giver and as a receiver: zero for those who never exchange."""
    give, receive = [], []
    for uses in uses_services:
        if rng.random() < NEVER_SHARE:
            give.append(0.0)
            receive.append(0.0)
            continue
        activity = min(ACTIVITY_MAX, rng.lognormvariate(0.0, ACTIVITY_SIGMA))
        # Most people mostly give or mostly receive (a U-shaped share of giving); people who use
        # services lean to receiving.
        giving = rng.betavariate(*GIVING_SHARE_USES_SERVICES if uses else GIVING_SHARE)
        give.append(activity * giving)
        receive.append(activity * (1.0 - giving))
    return give, receive


def _floors(
    rng: random.Random,
    join_day: list[int],
    give: list[float],
    receive: list[float],
    exchanges: int,
    days: int,
) -> list[int]:
    """The timebank's −10 h for most; deeper for those who mostly receive.

    A timebank that supports people who receive more than they can give lets a coordinator set
    their floor deeper. Here it is about what they are expected to need over their time in the
    timebank, often less, so some of them reach it (then they give to receive more, or wait).
    """
    mean_minutes = sum(_MINUTES_POOL) / len(_MINUTES_POOL)
    remaining = [days - day for day in join_day]
    given_per_weight = exchanges * mean_minutes / sum(g * r for g, r in zip(give, remaining, strict=True))
    received_per_weight = (
        exchanges * mean_minutes / sum(w * r for w, r in zip(receive, remaining, strict=True))
    )
    floors = []
    for g, w, r in zip(give, receive, remaining, strict=True):
        need = (w * received_per_weight - g * given_per_weight) * r * rng.uniform(0.6, 1.4)
        floors.append(min(MEMBER_FLOOR_MINUTES, -60 * math.ceil(need / 60)))
    return floors


# --- the history, simulated in posting order ----------------------------------------------------

# A posted transfer: (source, target, minutes, source balance after, target balance after).
Transfer = tuple[int, int, int, int, int]
_NO_CAP = 2**62


@dataclass(slots=True)
class Exchange:
    """An exchange, by account index. Unposted ones (pending, declined, ...) have no transfers."""

    giver: int
    receivers: list[tuple[int, int]]
    day: int
    description: str
    category: str
    status: str
    transfers: list[Transfer]
    decided_after_days: int = 0
    at: datetime = datetime.min
    exchange_id: int = 0  # given when written
    transaction_id: int = 0


@dataclass(slots=True)
class Movement:
    """A transaction that is not an exchange: a reversal, recognition gift, donation or grant."""

    kind: str
    transfers: list[Transfer]
    by_member: int | None = None  # the member who gave (a donation); else a coordinator
    note: str | None = None
    reason: str | None = None
    reverses: Exchange | None = None
    at: datetime = datetime.min
    transaction_id: int = 0  # given when written


Event = Exchange | Movement


class Sampler:
    """Weighted draws among the members who have joined by a given day and not yet stopped.

    Members are held in joining order, so those joined by a day are a prefix: one bisection finds
    its end, another draws within it. A member of weight zero is never drawn; drawing one who has
    stopped exchanging answers None, and the caller draws again.
    """

    def __init__(self, indexes: Sequence[int], weights: Sequence[float], people: People) -> None:
        self.indexes = list(indexes)
        self.days = [people.join_day[i] for i in self.indexes]
        self.stop_day = people.stop_day
        self.cumulative: list[float] = []
        total = 0.0
        for i in self.indexes:
            total += weights[i]
            self.cumulative.append(total)

    def draw(self, rng: random.Random, day: int) -> int | None:
        end = bisect.bisect_right(self.days, day)
        if end == 0 or self.cumulative[end - 1] <= 0:
            return None
        position = bisect.bisect_right(self.cumulative, rng.random() * self.cumulative[end - 1], 0, end)
        index = self.indexes[min(position, end - 1)]
        return None if day >= self.stop_day[index] else index


class Ledger:
    """Every account's counters in memory, posted by the ledger's rules (DESIGN §3).

    ``post`` applies transfers in order and checks each touched balance against its floor and cap
    after each step, as ``timebank.ledger.rules.post`` does; it answers None and changes nothing if
    any would break. Plain lists instead of frozen states: a million postings must take seconds.
    """

    def __init__(self, people: People) -> None:
        count = people.pot + 1
        self.balance = [0] * count
        self.earned = [0] * count
        self.spent = [0] * count
        self.version = [0] * count
        self.floor = [*people.floor_minutes, *people.organisation_floor_minutes, 0]
        self.cap = [_NO_CAP if c is None else c for c in people.cap_minutes] + [_NO_CAP] * (
            count - people.members
        )

    def post(self, moves: Sequence[tuple[int, int, int]]) -> list[Transfer] | None:
        balance = self.balance
        after: dict[int, int] = {}
        for source, target, minutes in moves:
            assert source != target and minutes > 0
            after[source] = after.get(source, balance[source]) - minutes
            after[target] = after.get(target, balance[target]) + minutes
            if after[source] < self.floor[source] or after[target] > self.cap[target]:
                return None
        posted = []
        for source, target, minutes in moves:
            balance[source] -= minutes
            balance[target] += minutes
            self.spent[source] += minutes
            self.earned[target] += minutes
            self.version[source] += 1
            self.version[target] += 1
            posted.append((source, target, minutes, balance[source], balance[target]))
        return posted


def _days_between(first_on: date, last_on: date) -> list[date]:
    return [first_on + timedelta(days=d) for d in range((last_on - first_on).days + 1)]


def _exchanges_per_day(people: People, days: list[date], exchanges: int) -> list[int]:
    """Exchanges on each day, in proportion to the activity of the members joined by then."""
    activity = [0.0] * len(days)
    for i in range(people.members):
        activity[people.join_day[i]] += people.give_weight[i] + people.receive_weight[i]
    weights, running = [], 0.0
    for d, day in enumerate(days):
        running += activity[d]
        weights.append(running * (0.6 if day.weekday() >= 5 else 1.0))
    total = sum(weights)
    shares = [exchanges * w / total for w in weights]
    counts = [math.floor(s) for s in shares]
    # Largest remainders first, so the counts add up exactly.
    for d in sorted(range(len(days)), key=lambda d: counts[d] - shares[d])[: exchanges - sum(counts)]:
        counts[d] += 1
    return counts


class History:
    """The timebank's two years, day by day, as the events posted each day in posting order."""

    def __init__(self, people: People, days: list[date], exchanges: int, rng: random.Random) -> None:
        self.people, self.days, self.rng = people, days, rng
        self.per_day = _exchanges_per_day(people, days, exchanges)
        self.ledger = Ledger(people)
        # Chances per exchange; a small history still gets a dozen or so of each.
        rates = {
            "reversal": REVERSAL_RATE,
            "recognition": RECOGNITION_RATE / 6.5,  # a meeting recognises 6.5 members on average
            "donation": DONATION_RATE,
            "grant": GRANT_RATE,
            "unposted": UNPOSTED_RATE,
        }
        self.rate = {kind: max(rate, 12 / exchanges) for kind, rate in rates.items()}
        everyone = range(people.members)
        self.givers = Sampler(everyone, people.give_weight, people)
        self.receivers = Sampler(everyone, people.receive_weight, people)
        self.neighbours = {
            hood: Sampler(
                [i for i in everyone if people.neighbourhood[i] == hood], people.receive_weight, people
            )
            for hood in NEIGHBOURHOODS
        }
        # Recognition goes mostly to people who use services, for shaping them.
        involvement = [
            (w + people.receive_weight[i]) * (1.0 if people.uses_services[i] else 0.25)
            for i, w in enumerate(people.give_weight)
        ]
        self.involved = Sampler(everyone, involvement, people)
        self.organisation_pool = [
            o
            for o, w in zip(people.organisations, people.organisation_weights, strict=True)
            for _ in range(w)
        ]
        self.giving_share = [
            g / (g + r) if g + r > 0 else 0.0
            for g, r in zip(people.give_weight, people.receive_weight, strict=True)
        ]
        self.helped: list[list[int]] = [[] for _ in everyone]  # whom each member has given to
        self.helped_by: list[list[int]] = [[] for _ in everyone]  # who has given to each member
        self.reversals_due: dict[int, list[Exchange]] = {}
        # Counted figures (member-to-member and with organisations, reversed ones taken out).
        self.minutes = [0] * people.members
        self.exchange_count = [0] * people.members
        self.pairs: dict[tuple[int, int], int] = {}
        self.tally = dict.fromkeys(
            ["exchanges", "reversed", "group", "unposted", "gift", "pot_donation", "pot_grant", "transfers"],
            0,
        )

    def __iter__(self) -> Iterator[list[Event]]:
        for day, count in enumerate(self.per_day):
            events: list[Event] = []
            for exchange in self.reversals_due.pop(day, []):
                self._reverse(exchange, events)
            for _ in range(count):
                self._one_exchange(day, events)
            start = datetime.combine(self.days[day], datetime.min.time(), UTC) + timedelta(hours=8)
            step = timedelta(hours=13) / max(1, len(events))
            for position, event in enumerate(events):
                event.at = start + position * step
            yield events

    # --- exchanges --------------------------------------------------------------------------

    def _one_exchange(self, day: int, events: list[Event]) -> None:
        rng = self.rng
        for _ in range(1_000):
            roll = rng.random()
            if roll < GROUP_SHARE:
                exchange = self._group(day)
            elif roll < GROUP_SHARE + MEMBER_TO_ORGANISATION_SHARE:
                exchange = self._with_organisation(day, to_organisation=True)
            elif roll < GROUP_SHARE + MEMBER_TO_ORGANISATION_SHARE + ORGANISATION_TO_MEMBER_SHARE:
                exchange = self._with_organisation(day, to_organisation=False)
            else:
                exchange = self._member_to_member(day)
            if exchange is not None:
                break
        else:
            raise RuntimeError(f"no exchange fits on day {day}: the floors are too tight")
        self._emit(events, exchange)
        self._count(exchange, +1)
        self._extras(day, exchange, events)

    def _minutes(self) -> int:
        return self.rng.choice(_MINUTES_POOL)

    def _partner(self, giver: int, day: int) -> int | None:
        rng = self.rng
        stop_day = self.people.stop_day
        helpers = self.helped_by[giver]
        if helpers and rng.random() < RETURN_HELP:
            partner = rng.choice(helpers)
            return None if day >= stop_day[partner] else partner
        known = self.helped[giver]
        if known and rng.random() < REPEAT_PARTNER:
            # Someone they have helped before, if that person is one to receive: people keep
            # to their roles.
            partner = rng.choice(known)
            if rng.random() >= self.giving_share[partner]:
                return None if day >= stop_day[partner] else partner
        if rng.random() < SAME_NEIGHBOURHOOD:
            return self.neighbours[self.people.neighbourhood[giver]].draw(rng, day)
        return self.receivers.draw(rng, day)

    def _member_to_member(self, day: int) -> Exchange | None:
        giver = self.givers.draw(self.rng, day)
        receiver = None if giver is None else self._partner(giver, day)
        if giver is None or receiver is None or receiver == giver:
            return None
        minutes = self._minutes()
        posted = self.ledger.post([(receiver, giver, minutes)])
        if posted is None and self.rng.random() < self.giving_share[receiver]:
            # The receiver is at their floor (or the giver at their cap): turned round, the one
            # who cannot pay gives instead, as a coordinator would suggest to someone who gives.
            posted = self.ledger.post([(giver, receiver, minutes)])
            giver, receiver = receiver, giver
        if posted is None:
            return None
        description, category = self.rng.choice(HELP_ACTIVITIES)
        return Exchange(giver, [(receiver, minutes)], day, description, category, "confirmed", posted)

    def _group(self, day: int) -> Exchange | None:
        rng = self.rng
        giver = self.givers.draw(rng, day)
        if giver is None:
            return None
        wanted = rng.randint(2, 4)
        receivers: set[int] = set()
        for _ in range(3 * wanted):
            r = self.neighbours[self.people.neighbourhood[giver]].draw(rng, day)
            if r is not None and r != giver:
                receivers.add(r)
            if len(receivers) == wanted:
                break
        if len(receivers) < 2:
            return None
        minutes = rng.choice((30, 60, 90))
        shares = [(r, minutes) for r in sorted(receivers)]
        posted = self.ledger.post([(r, giver, minutes) for r, _ in shares])
        if posted is None:
            return None
        self.tally["group"] += 1
        return Exchange(giver, shares, day, *_GROUP, "confirmed", posted)

    def _organisation(self) -> int:
        return self.rng.choice(self.organisation_pool)

    def _with_organisation(self, day: int, *, to_organisation: bool) -> Exchange | None:
        rng = self.rng
        member = (self.givers if to_organisation else self.receivers).draw(rng, day)
        if member is None:
            return None
        organisation = self._organisation()
        minutes = rng.choice((60, 90, 120, 180))
        giver, receiver = (member, organisation) if to_organisation else (organisation, member)
        posted = self.ledger.post([(receiver, giver, minutes)])
        if posted is None:
            return None
        description, category = rng.choice(_TO_ORGANISATION if to_organisation else _FROM_ORGANISATION)
        return Exchange(giver, [(receiver, minutes)], day, description, category, "confirmed", posted)

    def _count(self, exchange: Exchange, sign: int) -> None:
        """Add an exchange to the counted figures (sign +1), or take a reversed one out (−1)."""
        members = self.people.members
        self.tally["exchanges" if sign > 0 else "reversed"] += 1
        giver = exchange.giver
        if giver < members:
            self.exchange_count[giver] += sign
        for receiver, minutes in exchange.receivers:
            if receiver < members:
                self.exchange_count[receiver] += sign
                self.minutes[receiver] += sign * minutes
            if giver < members:
                self.minutes[giver] += sign * minutes
            if giver < members and receiver < members:
                known = self.pairs.get((giver, receiver))
                self.pairs[giver, receiver] = (known or 0) + sign
                if known is None:
                    self.helped[giver].append(receiver)
                    self.helped_by[receiver].append(giver)

    # --- what the report keeps apart ------------------------------------------------------------

    def _emit(self, events: list[Event], event: Event) -> None:
        events.append(event)
        self.tally["transfers"] += len(event.transfers)
        if isinstance(event, Movement) and event.kind != "reversal":
            self.tally[event.kind] += 1

    def _extras(self, day: int, exchange: Exchange, events: list[Event]) -> None:
        """Now and then, after an exchange: a reversal due later, recognition, a donation, a grant."""
        rng = self.rng
        rate = self.rate
        if rng.random() < rate["reversal"] and day + 14 < len(self.days):
            self.reversals_due.setdefault(day + rng.randint(1, 14), []).append(exchange)
        if rng.random() < rate["recognition"]:
            self._recognise(day, events)
        if rng.random() < rate["donation"]:
            self._donate(day, exchange, events)
        if rng.random() < rate["grant"]:
            self._grant(day, exchange, events)
        if rng.random() < rate["unposted"]:
            self._unposted(day, events)

    def _reverse(self, exchange: Exchange, events: list[Event]) -> None:
        posted = self.ledger.post([(t, s, m) for s, t, m, _, _ in exchange.transfers])
        if posted is None:
            return  # the giver has spent the credits since: a coordinator would leave it
        exchange.status = "reversed"
        self._count(exchange, -1)
        reversal = Movement("reversal", posted, reason="Recorded twice by mistake", reverses=exchange)
        self._emit(events, reversal)

    def _recognise(self, day: int, events: list[Event]) -> None:
        """An organisation credits each member who took part in a meeting: one gift each."""
        rng = self.rng
        organisation = self._organisation()
        minutes = rng.choice((60, 90, 120, 180))
        activity = rng.choice(("user forum", "interview panel", "co-production board", "peer support"))
        attendees = {self.involved.draw(rng, day) for _ in range(rng.randint(3, 10))}
        for member in sorted(a for a in attendees if a is not None):
            posted = self.ledger.post([(organisation, member, minutes)])
            if posted is not None:
                self._emit(events, Movement("gift", posted, note=f"recognition: {activity}"))

    def _donate(self, day: int, exchange: Exchange, events: list[Event]) -> None:
        """A member with credits to spare gives some to the community pot."""
        rng = self.rng
        candidates = [exchange.giver, *(self.givers.draw(rng, day) for _ in range(3))]
        for donor in candidates:
            if donor is not None and donor < self.people.members and self.ledger.balance[donor] >= 600:
                posted = self.ledger.post([(donor, self.people.pot, rng.choice((30, 60, 120)))])
                if posted is not None:
                    donation = Movement("pot_donation", posted, donor, note="For the community fund")
                    self._emit(events, donation)
                return

    def _grant(self, day: int, exchange: Exchange, events: list[Event]) -> None:
        """A coordinator grants from the pot to a member near their floor, if the pot can afford it."""
        rng, ledger = self.rng, self.ledger
        candidates = [r for r, _ in exchange.receivers] + [self.receivers.draw(rng, day) for _ in range(5)]
        for member in candidates:
            if member is None or member >= self.people.members:
                continue
            if ledger.balance[member] < 0:
                minutes = min(ledger.balance[self.people.pot], rng.choice((60, 120, 180, 240)))
                posted = ledger.post([(self.people.pot, member, minutes)]) if minutes >= 15 else None
                if posted is not None:
                    self._emit(events, Movement("pot_grant", posted, note="A grant from the pot"))
                return

    def _unposted(self, day: int, events: list[Event]) -> None:
        """An exchange a giver recorded that moved nothing: still pending, or declined, cancelled, expired."""
        rng = self.rng
        giver = self.givers.draw(rng, day)
        receiver = None if giver is None else self._partner(giver, day)
        if giver is None or receiver is None or receiver == giver:
            return
        if day >= len(self.days) - 14:
            status, after = "pending", 0
        else:
            status = rng.choices(("declined", "cancelled", "expired"), (5, 2, 3))[0]
            after = 14 if status == "expired" else rng.randint(1, 3)
        description, category = rng.choice(HELP_ACTIVITIES)
        exchange = Exchange(
            giver, [(receiver, self._minutes())], day, description, category, status, [], after
        )
        self.tally["unposted"] += 1
        events.append(exchange)

    # --- the figures that show the shape --------------------------------------------------------

    def top_tenth_share(self) -> float:
        ranked = sorted(self.minutes, reverse=True)
        return sum(ranked[: max(1, len(ranked) // 10)]) / max(1, sum(ranked))

    def pair_reciprocity(self) -> float:
        live = {pair for pair, count in self.pairs.items() if count > 0}
        return sum((b, a) in live for a, b in live) / max(1, len(live))

    def members_at_floor(self) -> int:
        ledger = self.ledger
        return sum(ledger.balance[i] == ledger.floor[i] for i in range(self.people.members))


# --- writing it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ids:
    """Database ids by account index (members, organisations, pot) and by member index."""

    timebank_id: int
    account_ids: list[int]
    member_ids: list[int]
    organisation_ids: list[int]


def _moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=hour)


def _reserved(uow: UnitOfWork, table: Table, count: int) -> list[int]:
    # PostgreSQL hands out sequence values in no promised order: sort them, so that ids ascend in
    # posting order (statements and running balances read transfers by id).
    return sorted(uow.bulk.reserve_ids(table, count))


def _create_people(uow: UnitOfWork, people: People, days: list[date], name: str) -> Ids:
    """The timebank (as ``create_timebank`` makes it, dated to its first day), its people and pot."""
    opened = _moment(days[0], 5)
    timebank_id = uow.timebanks.insert(
        TimebankSettings(
            timebank_id=0,
            name=name,
            pot_account_id=None,
            default_member_floor_minutes=MEMBER_FLOOR_MINUTES,
            default_member_cap_minutes=None,
            default_organisation_floor_minutes=DEFAULT_ORGANISATION_FLOOR_MINUTES,
            minutes_per_transfer_max=DEFAULT_MINUTES_PER_TRANSFER_MAX,
            pending_expiry_days=DEFAULT_PENDING_EXPIRY_DAYS,
            auto_confirm_pending=False,
            require_both_sides=False,
            created_at=opened,
            backdate_days_max=DEFAULT_BACKDATE_DAYS_MAX,
        )
    )
    joined = [_moment(days[people.join_day[i]], 7) for i in range(people.members)]
    account_ids = _reserved(uow, accounts, people.members)
    uow.bulk.insert(
        accounts,
        (
            {
                "id": account_ids[i],
                "timebank_id": timebank_id,
                "kind": AccountKind.MEMBER.value,
                "name": f"Member {i + 1}",
                "balance_minutes": 0,
                "earned_minutes": 0,
                "spent_minutes": 0,
                "floor_minutes": people.floor_minutes[i],
                "cap_minutes": people.cap_minutes[i],
                "version": 0,
                "created_at": joined[i],
            }
            for i in range(people.members)
        ),
    )
    member_ids = _reserved(uow, members, people.members)
    uow.bulk.insert(
        members,
        (
            {
                "id": member_ids[i],
                "timebank_id": timebank_id,
                "account_id": account_ids[i],
                "login_id": None,
                "display_name": f"Member {i + 1}",
                "is_coordinator": i < 3,
                "created_at": joined[i],
            }
            for i in range(people.members)
        ),
    )
    uow.bulk.insert(
        member_tags,
        (
            {"member_id": member_ids[i], "tag": tag, "timebank_id": timebank_id}
            for i in range(people.members)
            for tag in people.tags(i)
        ),
    )
    organisation_ids = []
    planned = zip(ORGANISATIONS, people.organisation_floor_minutes, people.organisation_staff, strict=False)
    for (organisation_name, _), floor, staff in planned:
        account_id = uow.accounts.insert(
            timebank_id, AccountKind.ORGANISATION, organisation_name, floor, None, opened
        )
        account_ids.append(account_id)
        organisation_ids.append(
            uow.organisations.insert(timebank_id, account_id, organisation_name, opened, Contact())
        )
        for i in staff:
            uow.organisations.add_staff(
                timebank_id, organisation_ids[-1], member_ids[i], max(opened, joined[i])
            )
    pot_id = uow.accounts.insert(timebank_id, AccountKind.POT, f"{name} pot", 0, None, opened)
    uow.timebanks.set_pot_account(timebank_id, pot_id)
    account_ids.append(pot_id)
    return Ids(timebank_id, account_ids, member_ids, organisation_ids)


@dataclass(frozen=True)
class Counters:
    """Every account's counters at one moment, copied from the ledger in memory."""

    balance: list[int]
    earned: list[int]
    spent: list[int]
    version: list[int]

    @classmethod
    def of(cls, ledger: Ledger) -> Counters:
        return cls(list(ledger.balance), list(ledger.earned), list(ledger.spent), list(ledger.version))

    def state(self, index: int, ids: Ids, people: People, ledger: Ledger) -> AccountState:
        kind = (
            AccountKind.MEMBER
            if index < people.members
            else AccountKind.POT
            if index == people.pot
            else AccountKind.ORGANISATION
        )
        return AccountState(
            account_id=ids.account_ids[index],
            timebank_id=ids.timebank_id,
            kind=kind,
            balance_minutes=self.balance[index],
            earned_minutes=self.earned[index],
            spent_minutes=self.spent[index],
            floor_minutes=ledger.floor[index],
            cap_minutes=None if ledger.cap[index] == _NO_CAP else ledger.cap[index],
            version=self.version[index],
        )


def _transaction_row(event: Event, ids: Ids) -> dict[str, Any]:
    if isinstance(event, Exchange):
        kind, reverses, created_by = "exchange", None, CALLER
    else:
        kind = event.kind
        reverses = None if event.reverses is None else event.reverses.transaction_id
        created_by = CALLER if event.by_member is None else f"member:{ids.member_ids[event.by_member]}"
    return {
        "id": event.transaction_id,
        "timebank_id": ids.timebank_id,
        "kind": kind,
        "reverses_transaction_id": reverses,
        "created_by": created_by,
        "created_at": event.at,
    }


def _transaction_text_rows(events: list[Event], ids: Ids) -> Iterator[dict[str, Any]]:
    """A movement's reason or note, kept beside its transaction as the services keep it."""
    for event in events:
        if isinstance(event, Exchange) or (event.reason is None and event.note is None):
            continue
        yield {
            "transaction_id": event.transaction_id,
            "timebank_id": ids.timebank_id,
            "reason": event.reason,
            "note": event.note,
        }


def _exchange_row(exchange: Exchange, ids: Ids) -> dict[str, Any]:
    """As the services write it; a posted exchange is confirmed here and marked reversed later."""
    posted = bool(exchange.transfers)
    decided_at = exchange.at + timedelta(days=exchange.decided_after_days)
    return {
        "id": exchange.exchange_id,
        "timebank_id": ids.timebank_id,
        "giver_account_id": ids.account_ids[exchange.giver],
        "status": "confirmed" if posted else exchange.status,
        "activity_date": exchange.at.date(),
        "description": exchange.description,
        "category": exchange.category,
        # Posted: recorded by a coordinator (so it posts at once); unposted: recorded by its giver.
        "recorded_by": CALLER if posted else f"member:{ids.member_ids[exchange.giver]}",
        "recorded_by_account_id": None if posted else ids.account_ids[exchange.giver],
        "giver_consent_needed": False,
        "giver_consented_at": None,
        "transaction_id": exchange.transaction_id if posted else None,
        "reversal_transaction_id": None,
        "created_at": exchange.at,
        "decided_at": None if exchange.status == "pending" else decided_at,
    }


def _receiver_rows(exchange: Exchange, ids: Ids) -> Iterator[dict[str, Any]]:
    for receiver, minutes in exchange.receivers:
        yield {
            "exchange_id": exchange.exchange_id,
            "account_id": ids.account_ids[receiver],
            "timebank_id": ids.timebank_id,
            "minutes": minutes,
            "consent_needed": not exchange.transfers,
            "consented_at": None,
        }


def _transfer_rows(posted: list[Event], transfer_ids: list[int], ids: Ids) -> Iterator[dict[str, Any]]:
    numbers = iter(transfer_ids)
    account = ids.account_ids
    for event in posted:
        for source, target, minutes, source_after, target_after in event.transfers:
            yield {
                "id": next(numbers),
                "timebank_id": ids.timebank_id,
                "transaction_id": event.transaction_id,
                "source_account_id": account[source],
                "target_account_id": account[target],
                "minutes": minutes,
                "source_balance_after_minutes": source_after,
                "target_balance_after_minutes": target_after,
                "posted_at": event.at,
            }


_MARK_REVERSED = (
    update(exchanges)
    .where(exchanges.c.id == bindparam("b_id"), exchanges.c.status == "confirmed")
    .values(status="reversed", reversal_transaction_id=bindparam("b_reversal"))
)


def write_chunk(
    uow: UnitOfWork, events: list[Event], ids: Ids, people: People, ledger: Ledger, before: Counters
) -> None:
    """Write a run of events in posting order, then the counters of every account they touched."""
    posted = [e for e in events if e.transfers]
    recorded = [e for e in events if isinstance(e, Exchange)]
    for event, transaction_id in zip(posted, _reserved(uow, transactions, len(posted)), strict=True):
        event.transaction_id = transaction_id
    for exchange, exchange_id in zip(recorded, _reserved(uow, exchanges, len(recorded)), strict=True):
        exchange.exchange_id = exchange_id
    transfer_ids = _reserved(uow, transfers, sum(len(e.transfers) for e in posted))
    uow.bulk.insert(transactions, (_transaction_row(e, ids) for e in posted))
    uow.bulk.insert(transaction_texts, _transaction_text_rows(posted, ids))
    uow.bulk.insert(exchanges, (_exchange_row(e, ids) for e in recorded))
    uow.bulk.insert(exchange_receivers, (row for e in recorded for row in _receiver_rows(e, ids)))
    uow.bulk.insert(transfers, _transfer_rows(posted, transfer_ids, ids))
    marks = [
        {"b_id": e.reverses.exchange_id, "b_reversal": e.transaction_id}
        for e in posted
        if isinstance(e, Movement) and e.reverses is not None
    ]
    if marks:
        result = uow.connection.execute(_MARK_REVERSED, marks)
        assert result.rowcount in (len(marks), -1), "a reversed exchange was not confirmed"
    touched = [i for i, version in enumerate(ledger.version) if version != before.version[i]]
    before_states = {ids.account_ids[i]: before.state(i, ids, people, ledger) for i in touched}
    # The database must hold what the simulation believes, before it is written on top of.
    for start in range(0, len(touched), 5_000):
        piece = [ids.account_ids[i] for i in touched[start : start + 5_000]]
        stored = uow.accounts.lock(ids.timebank_id, piece)
        assert all(stored[a] == before_states[a] for a in piece), "an account changed under the seeding"
    now = Counters.of(ledger)
    uow.accounts.save(before_states, [now.state(i, ids, people, ledger) for i in touched])


# --- the whole run ------------------------------------------------------------------------------


def _window(today: date) -> list[date]:
    """The 24 months ending yesterday: from this day 24 months ago to yesterday."""
    last_on = today - timedelta(days=1)
    year, month = divmod(today.year * 12 + today.month - 1 - MONTHS, 12)
    first_on = date(year, month + 1, min(today.day, 28))
    return _days_between(first_on, last_on)


def _analyze(engine: Engine) -> None:
    """Fresh planner statistics for every table, as a database that has run two years would have.

    PostgreSQL also gets VACUUM: bulk-loaded rows have no visibility map yet, so index-only scans
    would visit the heap, and the first reader would pay for setting hint bits.
    """
    if engine.dialect.name == "postgresql":
        names = ", ".join(t.name for t in (accounts, members, member_tags, *_LEDGER_TABLES))
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text(f"VACUUM (ANALYZE) {names}"))
        return

    def use_case(uow: UnitOfWork) -> None:
        uow.connection.execute(text("ANALYZE"))
        uow.commit()

    run(engine, use_case)


_LEDGER_TABLES = (
    transactions,
    transaction_texts,
    exchanges,
    exchange_receivers,
    transfers,
    report_pairs,
    report_account_months,
    report_pair_months,
)


def _count_for_reports(engine: Engine, timebank_id: int) -> None:
    """The report's running totals, counted once from everything written (the bulk path skips them)."""

    def use_case(uow: UnitOfWork) -> None:
        uow.rollups.rebuild(timebank_id)
        uow.commit()

    run(engine, use_case)


def seed_report_dataset(
    url: str | Engine,
    members: int = 10_000,
    exchanges: int = 1_000_000,
    seed: int = 0,
    *,
    today: date | None = None,
    analyze: bool = True,
) -> DatasetInfo:
    """Add a new timebank holding two years of seeded history to a migrated database.

    ``url`` is a database URL or an engine; other timebanks in the database are left alone.
    ``exchanges`` counts posted exchanges (some later reversed); unposted ones come on top.
    """
    began = time.perf_counter()
    engine = make_engine(url) if isinstance(url, str) else url
    try:
        rng = random.Random(seed)
        days = _window(today or date.today())
        people = plan_people(rng, members, exchanges, len(days))
        history = History(people, days, exchanges, rng)
        name = f"Report benchmark ({members:,} members, {exchanges:,} exchanges, seed {seed})"

        def create(uow: UnitOfWork) -> Ids:
            made = _create_people(uow, people, days, name)
            uow.commit()
            return made

        clock = _Clock()
        with clock.writing:
            ids = run(engine, create)
        # A chunk ends with a day, so the ledger in memory stands exactly where the chunk ends.
        pending: list[Event] = []
        before = Counters.of(history.ledger)
        for events in history:
            pending.extend(events)
            if len(pending) >= CHUNK_EXCHANGES:
                with clock.writing:
                    _flush(engine, pending, ids, people, history.ledger, before)
                pending, before = [], Counters.of(history.ledger)
        with clock.writing:
            _flush(engine, pending, ids, people, history.ledger, before)
            _count_for_reports(engine, ids.timebank_id)
        if analyze:
            with clock.analyzing:
                _analyze(engine)
        return _info(history, ids, days, time.perf_counter() - began, clock)
    finally:
        if isinstance(url, str):
            engine.dispose()


def _flush(
    engine: Engine, events: list[Event], ids: Ids, people: People, ledger: Ledger, before: Counters
) -> None:
    if not events:
        return

    def use_case(uow: UnitOfWork) -> None:
        write_chunk(uow, events, ids, people, ledger, before)
        uow.commit()

    run(engine, use_case)


class _Stopwatch:
    """Adds up the time spent inside its ``with`` blocks."""

    def __init__(self) -> None:
        self.seconds = 0.0

    def __enter__(self) -> None:
        self._began = time.perf_counter()

    def __exit__(self, *_: object) -> None:
        self.seconds += time.perf_counter() - self._began


@dataclass
class _Clock:
    writing: _Stopwatch = field(default_factory=_Stopwatch)
    analyzing: _Stopwatch = field(default_factory=_Stopwatch)


def _info(history: History, ids: Ids, days: list[date], seconds: float, clock: _Clock) -> DatasetInfo:
    people, tally = history.people, history.tally
    counts = history.exchange_count
    busiest = max(range(people.members), key=counts.__getitem__)
    active = sorted((c, i) for i, c in enumerate(counts) if c > 0)
    typical = active[len(active) // 2][1] if active else busiest
    return DatasetInfo(
        timebank_id=ids.timebank_id,
        pot_account_id=ids.account_ids[people.pot],
        members=people.members,
        organisation_account_ids=tuple(ids.account_ids[o] for o in people.organisations),
        exchanges=tally["exchanges"],
        reversed_exchanges=tally["reversed"],
        group_exchanges=tally["group"],
        unposted_exchanges=tally["unposted"],
        recognitions=tally["gift"],
        pot_donations=tally["pot_donation"],
        pot_grants=tally["pot_grant"],
        transfers=tally["transfers"],
        first_activity_on=days[0],
        last_activity_on=days[-1],
        uses_services_members=sum(people.uses_services),
        staff_members=sum(people.staff),
        members_never_exchanging=sum(m == 0 for m in history.minutes),
        top_tenth_share=history.top_tenth_share(),
        pair_reciprocity=history.pair_reciprocity(),
        members_at_floor=history.members_at_floor(),
        busiest_member_id=ids.member_ids[busiest],
        busiest_account_id=ids.account_ids[busiest],
        typical_member_id=ids.member_ids[typical],
        typical_account_id=ids.account_ids[typical],
        seeding_seconds=seconds,
        writing_seconds=clock.writing.seconds,
        analyze_seconds=clock.analyzing.seconds,
    )


# --- from the command line --------------------------------------------------------------------


def database_megabytes(engine: Engine) -> float:
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            size = connection.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
        return int(size) / 2**20
    # Outside any transaction (the engine's own connections begin one), so the WAL can be emptied.
    raw = engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    path = Path(str(engine.url.database))
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 2**20


def _seed_and_print(url: str, arguments: argparse.Namespace) -> None:
    upgrade(url)
    info = seed_report_dataset(url, arguments.members, arguments.exchanges, arguments.seed)
    engine = make_engine(url)
    for key, value in vars(info).items():
        print(f"{key:28} {value:.3f}" if isinstance(value, float) else f"{key:28} {value}")
    print(f"{'database_megabytes':28} {database_megabytes(engine):.0f}")
    # Linux reports the peak resident set in KiB.
    print(f"{'seeder_peak_megabytes':28} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    if arguments.check:
        began = time.perf_counter()
        problems = check_timebank(engine, info.timebank_id)
        print(f"{'invariant_problems':28} {len(problems)} (checked in {time.perf_counter() - began:.1f} s)")
        for problem in problems[:20]:
            print("  ", problem)
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--exchanges", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--url", help="an existing database (migrated first); --backend is then ignored")
    parser.add_argument("--keep", action="store_true", help="keep the fresh database and print its URL")
    parser.add_argument("--check", action="store_true", help="check the ledger's invariants afterwards")
    arguments = parser.parse_args()
    if arguments.url:
        _seed_and_print(arguments.url, arguments)
    elif arguments.backend == "postgresql":
        from ledger_bench import drop_postgres_database, fresh_postgres_database

        url = fresh_postgres_database()
        try:
            _seed_and_print(url, arguments)
        finally:
            if arguments.keep:
                print(f"kept: {url}")
            else:
                drop_postgres_database(url)
    else:
        folder = tempfile.mkdtemp(prefix="timebank_report_") if arguments.keep else None
        with tempfile.TemporaryDirectory() as scratch:
            url = f"sqlite:///{folder or scratch}/report.sqlite3"
            _seed_and_print(url, arguments)
            if arguments.keep:
                print(f"kept: {url}")


if __name__ == "__main__":
    main()
