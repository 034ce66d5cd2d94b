"""A timebank for the involvement tests: an organisation running a user forum, its staff, members.

``make_forum`` builds, through the services, a timebank of its own with a coordinator, an
organisation (the Library) with one staff member, and members who attend. Its small methods wrap
the involvement services with the timebank and sensible defaults filled in, and ``rows`` reads back
every row of the new tables for the timebank, so a test can compare "before" and "after" or check
what a property says about them. The Library can also offer things to spend credits on
(``spend_option``), and its members spend on them (``spend``).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select

from tests.conftest import STORY_BACKDATE_DAYS
from tests.involvement_calls import (
    create_activity,
    create_spend_option,
    invite_members,
    record_attendance,
    spend_credits,
)
from tests.people_calls import add_member, add_organisation, add_staff, create_timebank, get_account
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.money import PaymentKind
from timebank.benefits.spending import SpendClass
from timebank.db import run
from timebank.db.benefit_tables import (
    activities,
    activity_invitations,
    attendance,
    audit_log,
    benefit_declarations,
    declined_payments,
    expenses,
    payment_advice,
    payments,
)
from timebank.db.repositories import AuditRecord
from timebank.db.spend_tables import spend_options, spends
from timebank.db.tables import transaction_texts, transactions, transfers
from timebank.involvement.requests import AttendeeChoice, OfferTerms
from timebank.involvement.views import ActivityView, AttendanceView
from timebank.people.callers import Caller
from timebank.spending.views import SpendOptionView, SpendView

__all__ = ["FORUM_DAY", "Forum", "make_forum", "offer"]

FORUM_DAY = date(2025, 5, 14)  # a Wednesday, with the 2025/26 limits in force
_names = itertools.count(1)

BENEFIT_TABLES = (
    activities,
    attendance,
    expenses,
    payments,
    declined_payments,
    benefit_declarations,
    audit_log,
    spend_options,
    spends,
    activity_invitations,
    payment_advice,
)


def offer(pence: int = 2000, kind: PaymentKind = PaymentKind.VOUCHER, on: date = FORUM_DAY) -> OfferTerms:
    """What the Library offers each attendee: a voucher for the week of the forum, by default."""
    return OfferTerms.for_week(pence, kind, on, "Thank-you for the user forum")


@dataclass
class Forum:
    engine: Engine
    timebank_id: int
    coordinator: Caller
    staff: Caller
    organisation_id: int
    organisation_account: int
    members: list[int]  # account ids
    member_ids: dict[int, int] = field(default_factory=dict)  # account → member id

    def member(self, account_id: int) -> Caller:
        """The member who holds ``account_id``, as a logged-in caller."""
        return Caller(
            f"login:m{account_id}",
            False,
            self.timebank_id,
            self.member_ids[account_id],
            account_id,
            False,
            frozenset(),
        )

    def activity(
        self, title: str = "User forum", minutes: int = 120, on: date = FORUM_DAY, *, invite: bool = True
    ) -> ActivityView:
        """A forum of the Library's; its members are invited to it unless ``invite`` is False."""
        created = create_activity(
            self.engine,
            self.timebank_id,
            self.staff,
            self.organisation_id,
            title,
            on,
            minutes,
            ActivityClassification.USES_SERVICES,
            "Shaping the library's services with the people who use them",
        )
        if invite and self.members:
            self.invite(created.activity_id, self.members)
        return created

    def invite(self, activity_id: int, account_ids: Sequence[int], *, by: Caller | None = None) -> None:
        invite_members(self.engine, self.timebank_id, by or self.staff, activity_id, account_ids)

    def attend(
        self,
        activity_id: int,
        attendees: Sequence[AttendeeChoice],
        *,
        by: Caller | None = None,
        **options: Any,
    ) -> AttendanceView:
        return record_attendance(
            self.engine, self.timebank_id, by or self.staff, activity_id, attendees, **options
        )

    def spend_option(
        self,
        title: str = "Swim session",
        minutes: int = 60,
        spend_class: SpendClass | str = SpendClass.COMMUNITY_ACTIVITY,
        *,
        by: Caller | None = None,
    ) -> SpendOptionView:
        """Something the Library offers for credits, created by its staff unless ``by`` says who."""
        return create_spend_option(
            self.engine, self.timebank_id, by or self.staff, self.organisation_id, title, minutes, spend_class
        )

    def spend(
        self, spend_option_id: int, account_id: int, *, by: Caller | None = None, **options: Any
    ) -> SpendView:
        """The member who holds ``account_id`` spends on the option, unless ``by`` says who asks."""
        return spend_credits(
            self.engine,
            self.timebank_id,
            by or self.member(account_id),
            spend_option_id,
            account_id,
            **options,
        )

    def rows(self) -> dict[str, list[dict[str, Any]]]:
        """Every row of the involvement tables and the ledger's, for this timebank."""

        def read(uow: Any) -> dict[str, list[dict[str, Any]]]:
            found = {}
            for table in (*BENEFIT_TABLES, transactions, transaction_texts, transfers):
                query = select(table).where(table.c.timebank_id == self.timebank_id)
                key = list(table.primary_key.columns)
                found[table.name] = [dict(r) for r in uow.connection.execute(query.order_by(*key)).mappings()]
            return found

        result: dict[str, list[dict[str, Any]]] = run(self.engine, read, write=False)
        return result

    def counts(self) -> dict[str, int]:
        def read(uow: Any) -> dict[str, int]:
            return {
                table.name: int(
                    uow.connection.execute(
                        select(func.count()).select_from(table).where(table.c.timebank_id == self.timebank_id)
                    ).scalar_one()
                )
                for table in (*BENEFIT_TABLES, transactions, transfers)
            }

        result: dict[str, int] = run(self.engine, read, write=False)
        return result

    def audit(self, account_id: int | None = None) -> list[AuditRecord]:
        result: list[AuditRecord] = run(
            self.engine, lambda uow: uow.audit.entries(self.timebank_id, account_id), write=False
        )
        return result

    def balance(self, account_id: int) -> int:
        return get_account(self.engine, self.timebank_id, account_id).balance_minutes


def make_forum(
    engine: Engine,
    members: int = 4,
    organisation_floor_minutes: int = -6000,
    *,
    timebank_id: int | None = None,
) -> Forum:
    """A new timebank with the forum in it, or the forum added to ``timebank_id``."""
    tb = (
        timebank_id
        or create_timebank(
            engine, f"Forum bank {next(_names)}", backdate_days_max=STORY_BACKDATE_DAYS
        ).timebank_id
    )
    coordinator = Caller(f"login:coordinator{tb}", False, tb, None, None, True, frozenset())
    people = [add_member(engine, tb, coordinator, f"Member {i + 1}") for i in range(members)]
    clerk = add_member(engine, tb, coordinator, "Library clerk")
    library = add_organisation(engine, tb, coordinator, "Library", floor_minutes=organisation_floor_minutes)
    add_staff(engine, tb, coordinator, library.organisation_id, clerk.member_id)
    staff = Caller(
        f"login:staff{tb}",
        False,
        tb,
        clerk.member_id,
        clerk.account_id,
        False,
        frozenset({library.account_id}),
    )
    forum = Forum(
        engine,
        tb,
        coordinator,
        staff,
        library.organisation_id,
        library.account_id,
        [p.account_id for p in people],
    )
    forum.member_ids = {p.account_id: p.member_id for p in people} | {clerk.account_id: clerk.member_id}
    return forum
