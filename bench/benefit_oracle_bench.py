"""Can the time a payment check takes tell an organisation which benefit a member declared? (B4)

The organisation's answer to a payment check is the same for every declared benefit; this measures
whether the *time* it takes is too. Seeds, through the services, one member per declaration (each
benefit alone, two together, and one member who declared nothing), all invited to one activity,
each with the same payment already made that week. Then sends payment checks through the HTTP API
in-process (as an organisation's API key would), interleaving the members round-robin so that
drift in the machine's speed falls on every member alike, at amounts just below, at and above
every limit, and prints the median and 90th-percentile time per declaration and the ratio of the
slowest median to the fastest. A script, not a test: compare ratios measured side by side.

    python bench/benefit_oracle_bench.py --sqlite \\
        --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/oracle_bench
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from timebank.api.app import create_app
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.limits import DEFAULT_LIMITS
from timebank.benefits.money import PaymentKind
from timebank.db import make_engine, upgrade
from timebank.involvement.activities import create_activity
from timebank.involvement.attendance import record_attendance
from timebank.involvement.declarations import set_declaration
from timebank.involvement.invitations import invite_members
from timebank.involvement.requests import (
    AttendeeChoice,
    CreateActivity,
    DeclareBenefits,
    InviteMembers,
    OfferTerms,
    RecordAttendance,
)
from timebank.people.callers import Caller
from timebank.people.members import add_member
from timebank.people.organisations import add_organisation, create_api_key
from timebank.people.requests import AddMember, AddOrganisation, CreateApiKey, CreateTimebank
from timebank.people.timebanks import create_timebank

DAY = date(2025, 6, 11)  # within the 2025/26 limits
EARLIER = date(2025, 6, 9)
DECLARATIONS = {
    "nothing declared": [],
    "universal_credit": ["universal_credit"],
    "legacy_means_tested": ["legacy_means_tested"],
    "employment_and_support_allowance": ["employment_and_support_allowance"],
    "carers_allowance": ["carers_allowance"],
    "prefer_not_to_say": ["prefer_not_to_say"],
    "universal_credit + carers_allowance": ["universal_credit", "carers_allowance"],
}
AMOUNTS = sorted({p for limit in DEFAULT_LIMITS for p in (limit.amount_pence - 1, limit.amount_pence + 1)})


def _panel(title: str, held_on: date) -> CreateActivity:
    return CreateActivity(
        title=title,
        held_on=held_on,
        duration_minutes=120,
        classification=ActivityClassification.USES_SERVICES,
    )


def measure(name: str, url: str, rounds: int) -> None:
    upgrade(url)
    engine = make_engine(url)
    tb = create_timebank(
        engine,
        Caller("bench:admin", True, None, None, None, False, frozenset()),
        CreateTimebank(name=f"Oracle bench {uuid.uuid4().hex[:8]}"),
    ).timebank_id
    coordinator = Caller("bench:coordinator", False, tb, None, None, True, frozenset())
    organisation = add_organisation(
        engine, tb, coordinator, AddOrganisation(name="Riverside Health Trust", floor_minutes=-(10**6))
    )
    key = create_api_key(
        engine, tb, coordinator, organisation.organisation_id, CreateApiKey(label="bench")
    ).secret
    accounts = {}
    for label, categories in DECLARATIONS.items():
        account = add_member(engine, tb, coordinator, AddMember(display_name=label)).account_id
        if categories:
            declaration = DeclareBenefits(categories=categories, members_say_so=True)
            set_declaration(engine, tb, coordinator, account, declaration)
        accounts[label] = account
    everyone = InviteMembers(account_ids=list(accounts.values()))
    earlier = create_activity(
        engine, tb, coordinator, organisation.organisation_id, _panel("Earlier", EARLIER)
    ).activity_id
    invite_members(engine, tb, coordinator, earlier, everyone)
    paid = RecordAttendance(
        attendees=[
            AttendeeChoice(account_id=a, minutes=120, choice=Reward.PAYMENT, acknowledgement="Advised")
            for a in accounts.values()
        ],
        offer=OfferTerms.for_week(15_000, PaymentKind.CASH, EARLIER, "Earlier panel"),
        paid_on=EARLIER,
    )
    record_attendance(engine, tb, coordinator, earlier, paid)
    activity = create_activity(
        engine, tb, coordinator, organisation.organisation_id, _panel("Panel", DAY)
    ).activity_id
    invite_members(engine, tb, coordinator, activity, everyone)
    client = TestClient(create_app(engine))
    headers = {"Authorization": f"Bearer {key}"}
    path = f"/v1/timebanks/{tb}/activities/{activity}/payment-checks"
    times: dict[str, list[float]] = {label: [] for label in accounts}
    for _ in range(rounds):
        for pence in AMOUNTS:
            for label, account in accounts.items():
                body = {
                    "account_id": account,
                    "amount_pence": pence,
                    "worked_minutes": 960,
                    "paid_on": str(DAY),
                }
                began = time.perf_counter()
                answer = client.post(path, json=body, headers=headers)
                times[label].append(time.perf_counter() - began)
                assert answer.status_code == 200, answer.text
    medians = {}
    for label, taken in times.items():
        ordered = sorted(taken)
        medians[label] = statistics.median(ordered)
        p90 = ordered[int(len(ordered) * 0.9)]
        print(f"{name:<11} {label:<36} median {medians[label] * 1000:6.2f} ms  p90 {p90 * 1000:6.2f} ms")
    declared = {k: v for k, v in medians.items() if k != "nothing declared"}
    print(
        f"{name:<11} slowest / fastest median among declared benefits: "
        f"{max(declared.values()) / min(declared.values()):.3f} "
        f"({len(next(iter(times.values())))} checks each)"
    )
    client.close()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sqlite", action="store_true", help="a fresh SQLite file in a temporary folder")
    parser.add_argument("--postgres-url", help="a PostgreSQL database to seed a new timebank in")
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    if args.sqlite:
        with tempfile.TemporaryDirectory() as folder:
            measure("sqlite", f"sqlite:///{Path(folder) / 'bench.sqlite3'}", args.rounds)
    if args.postgres_url:
        measure("postgresql", args.postgres_url, args.rounds)


if __name__ == "__main__":
    main()
