"""Who may do what, decided on the caller alone (no database): tenancy first, then role."""

from __future__ import annotations

import pytest

from timebank.errors import TimebankNotFound
from timebank.ledger.errors import CoordinatorRequired
from timebank.people.callers import Caller
from timebank.people.errors import AdminRequired, SelfOrCoordinatorRequired

TB, OTHER_TB = 1, 2
OWN, ORG, ELSEWHERE = 10, 20, 30


def member(**changes: object) -> Caller:
    fields: dict[str, object] = {
        "caller": "login:1",
        "is_admin": False,
        "timebank_id": TB,
        "member_id": 5,
        "account_id": OWN,
        "is_coordinator": False,
        "organisation_account_ids": frozenset(),
    }
    fields.update(changes)
    return Caller(**fields)  # type: ignore[arg-type]


def test_another_timebank_is_not_found_whatever_the_role() -> None:
    for caller in (member(), member(is_coordinator=True), member(organisation_account_ids=frozenset({ORG}))):
        with pytest.raises(TimebankNotFound):
            caller.check_timebank(OTHER_TB)
        with pytest.raises(TimebankNotFound):
            caller.check_may_read_account(OTHER_TB, OWN)
        with pytest.raises(TimebankNotFound):
            caller.actor(OTHER_TB)


def test_an_admin_without_a_membership_reaches_a_timebank_only_where_admins_are_allowed() -> None:
    admin = member(is_admin=True, timebank_id=None, member_id=None, account_id=None)

    admin.check_timebank(TB, admin_allowed=True)
    admin.check_coordinator(TB, admin_allowed=True)
    with pytest.raises(TimebankNotFound):
        admin.check_timebank(TB)
    with pytest.raises(TimebankNotFound):
        admin.actor(TB)


def test_a_member_reads_their_own_account_and_their_organisations_but_no_one_elses() -> None:
    staff = member(organisation_account_ids=frozenset({ORG}))

    staff.check_may_read_account(TB, OWN)
    staff.check_may_read_account(TB, ORG)
    with pytest.raises(SelfOrCoordinatorRequired):
        staff.check_may_read_account(TB, ELSEWHERE)


def test_a_coordinator_reads_any_account_in_their_timebank() -> None:
    member(is_coordinator=True, account_id=None).check_may_read_account(TB, ELSEWHERE)


def test_only_coordinators_pass_the_coordinator_check_and_only_admins_the_admin_check() -> None:
    with pytest.raises(CoordinatorRequired):
        member().check_coordinator(TB)
    with pytest.raises(AdminRequired):
        member(is_coordinator=True).check_admin()
    member(is_coordinator=True).check_coordinator(TB)
    member(is_admin=True).check_admin()


def test_the_actor_holds_the_first_party_the_caller_may_act_for() -> None:
    staff = member(organisation_account_ids=frozenset({ORG}))

    assert staff.actor(TB, [ORG, OWN]).account_id == ORG
    assert staff.actor(TB, [ELSEWHERE, OWN]).account_id == OWN
    assert staff.actor(TB, [ELSEWHERE]).account_id == OWN
    assert staff.actor(TB).caller == "login:1"
    assert not staff.actor(TB).is_coordinator


def test_an_organisation_key_acts_for_its_organisation_only() -> None:
    key = member(
        caller="api_key:3", member_id=None, account_id=None, organisation_account_ids=frozenset({ORG})
    )

    assert key.account_ids == frozenset({ORG})
    assert key.actor(TB, [ELSEWHERE]).account_id == ORG
    with pytest.raises(SelfOrCoordinatorRequired):
        key.check_may_read_member(TB, 5)
