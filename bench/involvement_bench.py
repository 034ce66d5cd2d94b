"""How long recognising involvement takes: a large forum's attendance, a payment check, a statement.

Seeds, through the services, a timebank with one organisation and 500 members (the most one call
may list), a third of whom declared benefits. Then times, on each database named:

- recording attendance for 50 and for 500 attendees in one call (mixed choices: credits, payment
  with the acknowledgement where the guard asks, decline, charity), each a fresh activity whose
  attendees are invited first (inviting is timed with it);
- one payment check against the benefit guard;
- a member's benefit-safe statement for the month, as JSON and as a PDF.

Prints the best and median of ``--repeat`` runs; a script, not a test (compare ratios, not times).

    createdb -h 127.0.0.1 -U postgres involvement_bench   # a database of its own, migrated here
    python bench/involvement_bench.py --sqlite \
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/involvement_bench
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from timebank.benefits.activities import ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.money import PaymentKind
from timebank.db import make_engine, upgrade
from timebank.involvement.activities import create_activity
from timebank.involvement.attendance import record_attendance
from timebank.involvement.declarations import set_declaration
from timebank.involvement.invitations import invite_members
from timebank.involvement.payment_guard import check_payment_offer
from timebank.involvement.requests import (
    AttendeeChoice,
    CheckPayment,
    CreateActivity,
    DeclareBenefits,
    InviteMembers,
    OfferTerms,
    RecordAttendance,
)
from timebank.involvement.statement_views import BenefitStatementView
from timebank.involvement.statements import benefit_safe_statement
from timebank.people.callers import Caller
from timebank.people.members import add_member
from timebank.people.organisations import add_organisation
from timebank.people.requests import AddMember, AddOrganisation, CreateTimebank
from timebank.people.timebanks import create_timebank
from timebank.rendering.statement_pdf import statement_pdf

MEMBERS = 500
DAY = date(2025, 6, 11)  # within the 2025/26 benefit limits
_CHOICES = (Reward.CREDITS, Reward.CREDITS, Reward.PAYMENT, Reward.DECLINE, Reward.CHARITY)


def _seed(engine: Engine) -> tuple[int, Caller, int, list[int], set[int]]:
    timebank = create_timebank(
        engine,
        Caller("bench:admin", True, None, None, None, False, frozenset()),
        CreateTimebank(name=f"Bench {uuid.uuid4().hex[:8]}"),
    )
    tb = timebank.timebank_id
    coordinator = Caller("bench:coordinator", False, tb, None, None, True, frozenset())
    organisation = add_organisation(
        engine, tb, coordinator, AddOrganisation(name="Riverside Health Trust", floor_minutes=-(10**6))
    )
    accounts = [
        add_member(engine, tb, coordinator, AddMember(display_name=f"Member {i}")).account_id
        for i in range(MEMBERS)
    ]
    declared = set(accounts[::3])
    for account_id in declared:
        declaration = DeclareBenefits(categories=["universal_credit"], members_say_so=True)
        set_declaration(engine, tb, coordinator, account_id, declaration)
    return tb, coordinator, organisation.organisation_id, accounts, declared


def _activity(title: str, minutes: int) -> CreateActivity:
    return CreateActivity(
        title=title,
        held_on=DAY,
        duration_minutes=minutes,
        classification=ActivityClassification.USES_SERVICES,
    )


def _attendees(accounts: list[int], declared: set[int]) -> list[AttendeeChoice]:
    chosen = []
    for index, account_id in enumerate(accounts):
        choice = _CHOICES[index % len(_CHOICES)]
        chosen.append(
            AttendeeChoice(
                account_id=account_id,
                minutes=120,
                choice=choice,
                charity_name="Riverside Food Bank" if choice is Reward.CHARITY else None,
                acknowledgement="Advised; form signed"
                if choice is Reward.PAYMENT and account_id in declared
                else None,
            )
        )
    return chosen


def _timed(repeat: int, work: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return times


def measure(name: str, url: str, repeat: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    tb, coordinator, organisation_id, accounts, declared = _seed(engine)
    offer = OfferTerms.for_week(2500, PaymentKind.CASH, DAY, "Thank-you payment")

    def attend(size: int) -> Callable[[], object]:
        def work() -> object:
            activity = create_activity(engine, tb, coordinator, organisation_id, _activity("Forum", 120))
            # Payments go only to invited members: the forum invites those it records.
            invite_members(
                engine, tb, coordinator, activity.activity_id, InviteMembers(account_ids=accounts[:size])
            )
            attendance = RecordAttendance(attendees=_attendees(accounts[:size], declared), offer=offer)
            return record_attendance(engine, tb, coordinator, activity.activity_id, attendance)

        return work

    activity_id = create_activity(
        engine, tb, coordinator, organisation_id, _activity("Panel", 60)
    ).activity_id
    member = accounts[0]
    invite_members(engine, tb, coordinator, activity_id, InviteMembers(account_ids=[member]))
    check = CheckPayment(account_id=member, amount_pence=2500, paid_on=DAY)
    month = (DAY.replace(day=1), DAY.replace(month=DAY.month + 1, day=1))
    rows = {
        "attendance, 50 attendees": _timed(repeat, attend(50)),
        "attendance, 500 attendees": _timed(repeat, attend(500)),
        "payment check": _timed(
            repeat * 5,
            lambda: check_payment_offer(engine, tb, coordinator, activity_id, check),
        ),
        "statement, JSON": _timed(
            repeat * 5,
            lambda: BenefitStatementView.of(benefit_safe_statement(engine, tb, coordinator, member, *month)),
        ),
        "statement, PDF": _timed(
            repeat * 5,
            lambda: statement_pdf(benefit_safe_statement(engine, tb, coordinator, member, *month)),
        ),
    }
    for label, times in rows.items():
        best, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"{name:<11} {label:<28} best {best:8.1f} ms  median {median:8.1f} ms")
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file in a temporary folder")
    parser.add_argument("--postgres-url", help="a PostgreSQL database to seed a new timebank in")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            measure("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.repeat)
    if args.postgres_url:
        measure("postgresql", args.postgres_url, args.repeat)


if __name__ == "__main__":
    main()
