"""A demo timebank to explore: ``timebank serve --demo``.

It looks like a real community's first year. Two hundred members, some tagged ``uses_services``
(people who use care services and give time too) and some ``staff``; three organisations; and a year
of exchanges with the skew real timebanks show: a few members do a lot, many help now and then, and
some never have. A handful of exchanges still wait for confirmation, a few were reversed by a
coordinator with a reason, and members have given credits to the community pot. A user forum at
Riverside Health Trust shows each attendee's reward choice (``timebank.demo.involvement``): the demo
member took time credits, and their benefit-safe statement shows it.

Everything is made through the same use cases the API calls, so the demo obeys every ledger rule.
The random generator is seeded: every demo is the same demo. Seeding twice does nothing the second
time; it prints the same logins again.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.demo.involvement import seed_declaration, seed_spend_options, seed_user_forum
from timebank.errors import LimitBreached
from timebank.exchanges.gifts import give_credits
from timebank.exchanges.imports import ImportRow, import_exchanges
from timebank.exchanges.lifecycle import record_exchange
from timebank.exchanges.requests import GiveCredits, ReceiverShareIn, RecordExchange, ReverseExchange
from timebank.exchanges.reversals import reverse_exchange
from timebank.people.access import create_admin
from timebank.people.callers import Caller
from timebank.people.members import add_member
from timebank.people.organisations import add_organisation, add_staff
from timebank.people.requests import AddMember, AddOrganisation, AddStaff, CreateTimebank
from timebank.people.timebanks import create_timebank
from timebank.people.views import MemberView

__all__ = ["DEMO_PASSWORD", "HELP_ACTIVITIES", "DemoTimebank", "seed_demo"]

DEMO_PASSWORD = "demo-timebank-2026"
MEMBERS = 200
_ADMIN, _COORDINATOR, _MEMBER, _STAFF = "demo-admin", "demo-coordinator", "demo-member", "demo-staff"

_FIRST = "Ada Ben Cara Dev Ema Finn Gita Hal Ines Jon Kemi Lev Mia Noor Olu Pia Quin Rosa Sam Tia Zoe"
_LAST = "Adeyemi Brown Chen Davies Evans Fraser Green Hughes Iqbal Jones Khan Lewis Murphy Nowak Okafor Patel"
# What members help each other with: (description, category). The report dataset uses them too.
HELP_ACTIVITIES = [
    ("Gardening", "garden"),
    ("Shopping trip", "errands"),
    ("Lift to the surgery", "transport"),
    ("Befriending visit", "company"),
    ("Computer help", "digital"),
    ("Cooking a meal", "food"),
    ("Dog walking", "pets"),
    ("Reading group", "company"),
    ("Small repairs", "diy"),
    ("Form filling", "admin"),
]
_ORGANISATIONS = ["Riverside Health Trust", "Northfield Carers Centre", "Hillside Housing Association"]
_MINUTES = [30, 60, 60, 60, 90, 120, 120, 180]


@dataclass(frozen=True)
class DemoTimebank:
    timebank_id: int
    members: int
    exchanges: int
    created: bool

    def how_to_log_in(self, host: str, port: int) -> str:
        base = f"http://{host}:{port}"
        if self.created:
            state = f"Seeded the demo timebank {self.timebank_id}: {self.members} members"
            state += f", {self.exchanges} exchanges."
        else:
            state = f"The demo timebank {self.timebank_id} is already here, with {self.members} members."
        return "\n".join(
            [
                state,
                f"Open {base}/ in a browser and log in as the member below (the member's pages).",
                f"The API: log in at {base}/v1/auth/token (form fields username, password);"
                f" docs at {base}/docs.",
                f"  coordinator:        {_COORDINATOR} / {DEMO_PASSWORD}",
                f"  member:             {_MEMBER} / {DEMO_PASSWORD}",
                f"  organisation staff: {_STAFF} / {DEMO_PASSWORD}",
                f"  platform admin:     {_ADMIN} / {DEMO_PASSWORD}",
                "The member's benefit-safe statement, as a PDF: GET "
                f"{base}/v1/timebanks/{self.timebank_id}/accounts/{{account_id}}/benefit-statement.pdf",
                "These passwords are public: use the demo for trying things out, never for real records.",
                f"For example: curl -d 'username={_MEMBER}&password={DEMO_PASSWORD}' {base}/v1/auth/token",
            ]
        )


def _existing(engine: Engine) -> DemoTimebank | None:
    def use_case(uow: UnitOfWork) -> DemoTimebank | None:
        timebank_id = uow.members.timebank_of_username(_COORDINATOR)
        if timebank_id is None:
            return None
        return DemoTimebank(timebank_id, uow.members.count(timebank_id), 0, False)

    return run(engine, use_case, write=False)


def _activity_weights(rng: random.Random, count: int) -> list[int]:
    """A few very active members, many occasional ones, and some who never exchange."""
    weights = []
    for _ in range(count):
        roll = rng.random()
        weights.append(40 if roll < 0.05 else 6 if roll < 0.35 else 1 if roll < 0.85 else 0)
    return weights


def seed_demo(engine: Engine, *, today: date | None = None) -> DemoTimebank:
    found = _existing(engine)
    if found is not None:
        return found
    rng = random.Random(2026)
    # The ledger's "today" is UTC's: an exchange dated after it is refused as in the future.
    today = today or utc_now().date()
    create_admin(engine, _ADMIN, DEMO_PASSWORD)
    admin = Caller("system:demo", True, None, None, None, False, frozenset())
    timebank = create_timebank(engine, admin, CreateTimebank(name="Riverside Timebank (demo)"))
    tb = timebank.timebank_id
    coordinator_caller = Caller("system:demo", False, tb, None, None, True, frozenset())

    people = _add_people(engine, tb, admin, rng)
    organisations = [
        add_organisation(engine, tb, coordinator_caller, AddOrganisation(name=name))
        for name in _ORGANISATIONS
    ]
    staff = [p for p in people if "staff" in p.tags]
    for index, person in enumerate(staff):
        organisation_id = organisations[index % 3].organisation_id
        add_staff(engine, tb, coordinator_caller, organisation_id, AddStaff(member_id=person.member_id))

    coordinator = Caller.coordinator_of(tb, "system:demo")
    member_accounts = [p.account_id for p in people]
    rows = _year_of_exchanges(rng, member_accounts, [o.account_id for o in organisations], today)
    import_exchanges(engine, tb, coordinator, rows)
    exchanges = len(rows) + _recent_activity(engine, tb, coordinator, rng, people, today)
    give_credits(
        engine,
        tb,
        coordinator,
        GiveCredits(
            from_account_id=people[1].account_id,
            to_account_id=timebank.pot_account_id,
            minutes=120,
            note="For the community fund",
        ),
    )
    give_credits(
        engine,
        tb,
        coordinator,
        GiveCredits(
            from_account_id=timebank.pot_account_id,
            to_account_id=people[7].account_id,
            minutes=60,
            note="A grant from the pot",
        ),
    )
    seed_user_forum(engine, tb, coordinator_caller, organisations[0].organisation_id, people, today)
    seed_spend_options(engine, tb, coordinator_caller, organisations[0].organisation_id, people)
    seed_declaration(engine, tb, coordinator_caller, people)
    return DemoTimebank(tb, len(people), exchanges, True)


def _add_people(engine: Engine, tb: int, admin: Caller, rng: random.Random) -> list[MemberView]:
    first, last = _FIRST.split(), _LAST.split()
    people: list[MemberView] = []
    for index in range(MEMBERS):
        name = f"{first[index % len(first)]} {last[(index * 7) % len(last)]}"
        tags = [rng.choice(["north", "south", "riverside"])]
        if rng.random() < 0.3:
            tags.append("uses_services")
        if rng.random() < 0.1 or index == 2:
            tags.append("staff")
        login = {0: _COORDINATOR, 1: _MEMBER, 2: _STAFF}.get(index)
        if index == 1 and "uses_services" not in tags:
            tags.append("uses_services")
        people.append(
            add_member(
                engine,
                tb,
                admin,
                AddMember(
                    display_name=name,
                    username=login,
                    password=DEMO_PASSWORD if login else None,
                    roles=["member", "coordinator"] if index == 0 else ["member"],
                    tags=tags,
                ),
            )
        )
    return people


def _year_of_exchanges(
    rng: random.Random, members: list[int], organisations: list[int], today: date
) -> list[ImportRow]:
    """About 2,500 exchanges over the past year, none taking a member below their floor."""
    weights = _activity_weights(rng, len(members))
    # The demo's first two members are the ones people log in as: make them active.
    weights[0], weights[1] = 40, 6
    balances = dict.fromkeys(members + organisations, 0)
    floor = -600
    rows: list[ImportRow] = []
    for day in range(365, 0, -1):
        activity_date = today - timedelta(days=day)
        for _ in range(rng.choice([3, 5, 7, 9])):
            giver, receiver = rng.choices(members, weights, k=2)
            roll = rng.random()
            if roll < 0.08:
                giver = rng.choice(organisations)  # a member spends credits at an organisation
            elif roll < 0.14:
                receiver = rng.choice(organisations)  # an organisation recognises involvement
            minutes = rng.choice(_MINUTES)
            payer_floor = -30_000 if receiver in organisations else floor
            if giver == receiver or balances[receiver] - minutes < payer_floor:
                continue
            balances[receiver] -= minutes
            balances[giver] += minutes
            description, category = rng.choice(HELP_ACTIVITIES)
            if giver in organisations:
                description, category = "Swim session at the leisure centre", "leisure"
            if receiver in organisations:
                description, category = "Co-production board meeting", "involvement"
            rows.append(ImportRow(giver, receiver, minutes, activity_date, description, category))
    return rows


def _recent_activity(
    engine: Engine, tb: int, coordinator: Caller, rng: random.Random, people: list[MemberView], today: date
) -> int:
    """Pending exchanges recorded by givers this fortnight, and a few reversed mistakes."""
    recorded = 0
    for index in range(12):
        giver, receiver = rng.sample(people[:60], 2)
        as_giver = Caller.holder_of(tb, giver.account_id, f"member:{giver.member_id}", giver.member_id)
        description, category = rng.choice(HELP_ACTIVITIES)
        record_exchange(
            engine,
            tb,
            as_giver,
            RecordExchange(
                giver_account_id=giver.account_id,
                receivers=[ReceiverShareIn(account_id=receiver.account_id, minutes=rng.choice(_MINUTES))],
                activity_date=today - timedelta(days=index),
                description=description,
                category=category,
            ),
        )
        recorded += 1
    for index in range(5):
        giver, receiver = rng.sample(people[:60], 2)
        try:
            mistake = record_exchange(
                engine,
                tb,
                coordinator,
                RecordExchange(
                    giver_account_id=giver.account_id,
                    receivers=[ReceiverShareIn(account_id=receiver.account_id, minutes=60)],
                    activity_date=today - timedelta(days=20 + index),
                    description="Gardening",
                    category="garden",
                ),
            )
        except LimitBreached:
            continue
        reverse_exchange(
            engine, tb, coordinator, mistake.exchange_id, ReverseExchange(reason="Recorded twice by mistake")
        )
        recorded += 1
    return recorded
