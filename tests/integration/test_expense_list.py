"""The organisation's list of expenses: newest first, paged, with names, titles and evidence.

Only those who act for the organisation read it (its staff, a coordinator); staff of another
organisation are refused, another timebank's organisation is not found, and a member is refused.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Engine

from tests.involvement_calls import create_activity, record_expense
from tests.people_calls import add_organisation
from tests.web.site import build_site
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.money import Mileage, Receipt
from timebank.clock import utc_now
from timebank.errors import NotAllowed, NotFound
from timebank.involvement.expense_list import list_expenses
from timebank.people.callers import Caller


def test_expenses_are_listed_newest_first_with_their_evidence_a_page_at_a_time(engine: Engine) -> None:
    site = build_site(engine)
    tb, system = site.timebank_id, Caller.coordinator_of(site.timebank_id)
    day = utc_now().date() - timedelta(days=1)
    activity = create_activity(
        engine, tb, system, site.organisation_id, "Forum", day, 60, ActivityClassification.USES_SERVICES
    )
    alice, bob = site.account_ids["alice"], site.account_ids["bob"]
    record_expense(engine, tb, system, site.organisation_id, alice, 250, Receipt("Bus 14", 250), "Bus", day)
    record_expense(
        engine,
        tb,
        system,
        site.organisation_id,
        bob,
        900,
        Mileage("Home to the forum", 20, 45),
        "Driving",
        day,
        activity_id=activity.activity_id,
    )
    first = list_expenses(engine, tb, system, site.organisation_id, limit=1)
    (newest,) = first.expenses
    assert (newest.member_name, newest.activity_title, newest.amount_pence) == (
        site.names["bob"],
        "Forum",
        900,
    )
    assert (newest.evidence_kind, newest.journey, newest.miles, newest.pence_per_mile) == (
        "mileage",
        "Home to the forum",
        20,
        45,
    )
    assert first.next_cursor is not None
    second = list_expenses(engine, tb, system, site.organisation_id, cursor=first.next_cursor, limit=1)
    (oldest,) = second.expenses
    assert (oldest.member_name, oldest.activity_title, oldest.receipt_reference) == (
        site.names["alice"],
        None,
        "Bus 14",
    )
    assert second.next_cursor is None


def test_only_those_who_act_for_the_organisation_read_its_expenses(engine: Engine) -> None:
    site = build_site(engine)
    tb, system = site.timebank_id, Caller.coordinator_of(site.timebank_id)
    other = add_organisation(engine, tb, system, "Another Trust 9")
    assert list_expenses(engine, tb, system, other.organisation_id).expenses == ()
    alice = Caller.holder_of(tb, site.account_ids["alice"], "test:alice")
    staff_elsewhere = replace(alice, organisation_account_ids=frozenset({other.account_id}))
    assert list_expenses(engine, tb, staff_elsewhere, other.organisation_id).expenses == ()
    for refused in (alice, staff_elsewhere):
        with pytest.raises(NotAllowed):
            list_expenses(engine, tb, refused, site.organisation_id)
    with pytest.raises(NotFound):
        list_expenses(engine, tb, system, site.other_organisation_id)
