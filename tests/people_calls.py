"""The account and people use cases called as their tests speak: plain values in, views out.

The use cases take a ``Caller`` and one typed request each (``timebank.accounts.requests``,
``timebank.people.requests``). Their tests were written against plain arguments, some of them as
an ``Actor`` of the ledger, and probe the use cases' own checks with values no request type would
let through (a positive floor, an unknown role, a tag in capitals). These functions build the
request without the request type's checks (``model_construct``), so that what each test reaches
is the use case's own refusal, as before the requests were typed. Reading without a caller reads
as a coordinator of the timebank does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Engine

from timebank.accounts import accounts, statements
from timebank.accounts.requests import ChangeLimits
from timebank.accounts.views import AccountView, StatementPage
from timebank.ledger.contacts import Contact
from timebank.ledger.types import Actor
from timebank.people import access, members, membership, organisations, timebanks
from timebank.people.callers import Caller
from timebank.people.requests import (
    AddMember,
    AddOrganisation,
    AddStaff,
    ChangePassword,
    CreateApiKey,
    CreateTimebank,
    EndMembership,
    UpdateMember,
    UpdateTimebank,
)
from timebank.people.views import MembershipEndView, MemberView, NewApiKey, OrganisationView, TimebankView

__all__ = [
    "ADMIN",
    "add_member",
    "add_organisation",
    "add_staff",
    "change_password",
    "change_settings",
    "create_api_key",
    "create_timebank",
    "end_membership",
    "get_account",
    "get_timebank",
    "set_limits",
    "statement",
    "update_member",
]

# A platform admin who is not a login: the tests' own, as the demo has one.
ADMIN = Caller("test:admin", True, None, None, None, False, frozenset())


def get_account(engine: Engine, timebank_id: int, account_id: int) -> AccountView:
    """The account as a coordinator reads it."""
    return accounts.read_account(engine, timebank_id, Caller.coordinator_of(timebank_id), account_id)


def set_limits(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    account_id: int,
    *,
    floor_minutes: Any,
    cap_minutes: Any,
    reason: Any = None,
) -> AccountView:
    request = ChangeLimits.model_construct(
        floor_minutes=floor_minutes, cap_minutes=cap_minutes, reason=reason
    )
    return accounts.set_limits(engine, timebank_id, actor, account_id, request)


def statement(
    engine: Engine, timebank_id: int, account_id: int, cursor: str | None = None, limit: Any = 50
) -> StatementPage:
    """The account's statement as a coordinator reads it."""
    return statements.read_statement(
        engine, timebank_id, Caller.coordinator_of(timebank_id), account_id, cursor, limit
    )


def add_member(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    display_name: Any,
    *,
    username: Any = None,
    password: Any = None,
    roles: Sequence[Any] = ("member",),
    tags: Sequence[Any] = (),
    floor_minutes: Any = None,
    cap_minutes: Any = None,
) -> MemberView:
    request = AddMember.model_construct(
        display_name=display_name,
        username=username,
        password=password,
        roles=list(roles),
        tags=list(tags),
        floor_minutes=floor_minutes,
        cap_minutes=cap_minutes,
    )
    return members.add_member(engine, timebank_id, caller, request)


def update_member(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    member_id: int,
    *,
    display_name: Any = None,
    roles: Sequence[Any] | None = None,
    tags: Sequence[Any] | None = None,
) -> MemberView:
    request = UpdateMember.model_construct(
        display_name=display_name,
        roles=None if roles is None else list(roles),
        tags=None if tags is None else list(tags),
    )
    return members.update_member(engine, timebank_id, caller, member_id, request)


def create_timebank(engine: Engine, name: Any, **settings: Any) -> TimebankView:
    """A timebank made by a platform admin, with any settings the test gives."""
    return timebanks.create_timebank(engine, ADMIN, CreateTimebank.model_construct(name=name, **settings))


def get_timebank(engine: Engine, timebank_id: int) -> TimebankView:
    """The timebank as a coordinator of it reads it."""
    return timebanks.read_timebank(engine, timebank_id, Caller.coordinator_of(timebank_id))


def change_settings(
    engine: Engine, timebank_id: int, caller: Caller, changes: Mapping[str, Any]
) -> TimebankView:
    """Change only the settings named in ``changes``."""
    request = UpdateTimebank.model_construct(**changes)
    return timebanks.change_settings(engine, timebank_id, caller, request)


def add_organisation(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    name: Any,
    *,
    floor_minutes: Any = None,
    contact: Contact = Contact(),
) -> OrganisationView:
    request = AddOrganisation.model_construct(
        name=name,
        floor_minutes=floor_minutes,
        contact_address=contact.address,
        contact_email=contact.email,
        contact_phone=contact.phone,
    )
    return organisations.add_organisation(engine, timebank_id, caller, request)


def add_staff(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, member_id: Any
) -> OrganisationView:
    request = AddStaff.model_construct(member_id=member_id)
    return organisations.add_staff(engine, timebank_id, caller, organisation_id, request)


def create_api_key(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, label: Any
) -> NewApiKey:
    request = CreateApiKey.model_construct(label=label)
    return organisations.create_api_key(engine, timebank_id, caller, organisation_id, request)


def change_password(
    engine: Engine, caller: Caller, token: str, current_password: Any, new_password: Any
) -> None:
    request = ChangePassword.model_construct(current_password=current_password, new_password=new_password)
    access.change_password(engine, caller, token, request)


def end_membership(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    member_id: int,
    ended_on: Any,
    reason: Any = "Moved away",
    *,
    idempotency_key: str | None = None,
) -> MembershipEndView:
    """End a membership on ``ended_on`` (its last day), as ``caller`` asks."""
    request = EndMembership.model_construct(ended_on=ended_on, reason=reason)
    return membership.end_membership(
        engine, timebank_id, caller, member_id, request, idempotency_key=idempotency_key
    )
