"""Organisations: services and partners with their own account, their staff, and their API keys.

An organisation earns credits when members spend them there and pays credits when it recognises
involvement, going below zero within its budget floor. Staff are members linked to it; they, and
the organisation's API keys, may act for its account only. Any member of the timebank may see the
organisations in it (to know where credits can be spent); only a coordinator adds one or its staff.
An API key is shown once, when it is made; only its SHA-256 is kept.

An organisation has **contact details** (an address, an email, a phone; each optional, see
``timebank.ledger.contacts``): a member's benefit-safe statement names the organisation that ran
each activity and paid, with them, so that a benefit office can check. A coordinator sets them when
adding the organisation, and changes them later; they are the organisation's, not a person's, so
every member may see them.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import ApiKeyNotFound, NotAllowed
from timebank.ledger import rules
from timebank.ledger.contacts import check_contact
from timebank.ledger.errors import MembershipEnded
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.access import API_KEY_PREFIX, new_secret, secret_sha256
from timebank.people.callers import Caller
from timebank.people.requests import AddOrganisation, AddStaff, CreateApiKey, UpdateOrganisation
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import ApiKeyView, DirectoryEntry, NewApiKey, OrganisationPage, OrganisationView

__all__ = [
    "add_organisation",
    "add_staff",
    "change_contact",
    "create_api_key",
    "get_organisation",
    "list_api_keys",
    "list_organisations",
    "list_staff",
    "remove_staff",
    "revoke_api_key",
]

# The parts of a contact a coordinator may change, as ``Contact`` names them.
CONTACT_PARTS = ("address", "email", "phone")


def add_organisation(
    engine: Engine, timebank_id: int, caller: Caller, request: AddOrganisation
) -> OrganisationView:
    """Add an organisation with its own account and, optionally, its contact details (coordinator)."""
    caller.check_coordinator(timebank_id)
    name, floor_minutes = request.name, request.floor_minutes
    rules.check_text("name", name, NAME_LENGTH_MAX)
    checked = check_contact(request.contact_address, request.contact_email, request.contact_phone)

    def use_case(uow: UnitOfWork) -> OrganisationView:
        timebank = uow.timebanks.get(timebank_id)
        floor = timebank.default_organisation_floor_minutes if floor_minutes is None else floor_minutes
        rules.check_new_limits(0, floor, None)
        now = utc_now()
        account_id = uow.accounts.insert(timebank_id, AccountKind.ORGANISATION, name, floor, None, now)
        organisation_id = uow.organisations.insert(timebank_id, account_id, name, now, checked)
        view = OrganisationView.of(uow.organisations.get(timebank_id, organisation_id))
        uow.commit()
        return view

    return run(engine, use_case)


def change_contact(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, request: UpdateOrganisation
) -> OrganisationView:
    """Change the organisation's contact details (coordinator). Only the details sent change; None clears."""
    with not_found_before_refused(engine, timebank_id, organisation_ids=[organisation_id]):
        caller.check_coordinator(timebank_id)
    # The request names them as columns do (contact_email); a contact names its parts (email).
    changes = {
        name.removeprefix("contact_"): value for name, value in request.model_dump(exclude_unset=True).items()
    }
    unknown = set(changes) - set(CONTACT_PARTS)
    assert not unknown, f"not a part of a contact: {sorted(unknown)}"

    def use_case(uow: UnitOfWork) -> OrganisationView:
        before = uow.organisations.get(timebank_id, organisation_id).contact
        after = replace(before, **changes)
        checked = check_contact(after.address, after.email, after.phone)
        uow.organisations.set_contact(timebank_id, organisation_id, checked)
        view = OrganisationView.of(uow.organisations.get(timebank_id, organisation_id))
        uow.commit()
        return view

    return run(engine, use_case)


def get_organisation(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int
) -> OrganisationView:
    caller.check_timebank(timebank_id)
    return run(
        engine,
        lambda uow: OrganisationView.of(uow.organisations.get(timebank_id, organisation_id)),
        write=False,
    )


def list_organisations(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> OrganisationPage:
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> OrganisationPage:
        records = uow.organisations.page(timebank_id, after_id=after_id, limit=size + 1)
        kept, next_cursor = split_page(records, size, lambda r: r.organisation_id)
        return OrganisationPage(
            organisations=tuple(OrganisationView.of(r) for r in kept), next_cursor=next_cursor
        )

    return run(engine, use_case, write=False)


def list_staff(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int
) -> tuple[DirectoryEntry, ...]:
    """The organisation's staff by name, in member order (coordinator): who may act for its account."""
    with not_found_before_refused(engine, timebank_id, organisation_ids=[organisation_id]):
        caller.check_coordinator(timebank_id)

    def use_case(uow: UnitOfWork) -> tuple[DirectoryEntry, ...]:
        staff_ids = uow.organisations.get(timebank_id, organisation_id).staff_member_ids
        if not staff_ids:
            return ()
        records = uow.members.page(timebank_id, member_ids=staff_ids, after_id=None, limit=len(staff_ids))
        return tuple(
            DirectoryEntry(member_id=r.member_id, account_id=r.account_id, display_name=r.display_name)
            for r in records
        )

    return run(engine, use_case, write=False)


def _change_staff(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, member_id: int, add: bool
) -> OrganisationView:
    with not_found_before_refused(
        engine, timebank_id, organisation_ids=[organisation_id], member_ids=[member_id]
    ):
        caller.check_coordinator(timebank_id)

    def use_case(uow: UnitOfWork) -> OrganisationView:
        uow.organisations.get(timebank_id, organisation_id)
        member = uow.members.get(timebank_id, member_id)
        if add and member.membership_ended_on is not None:
            raise MembershipEnded(
                f"{member.display_name}'s membership has ended, so they cannot act for an organisation"
            )
        if add:
            uow.organisations.add_staff(timebank_id, organisation_id, member_id, utc_now())
        else:
            uow.organisations.remove_staff(organisation_id, member_id)
        view = OrganisationView.of(uow.organisations.get(timebank_id, organisation_id))
        uow.commit()
        return view

    return run(engine, use_case)


def add_staff(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, request: AddStaff
) -> OrganisationView:
    """Link a member as staff of the organisation (adding twice changes nothing)."""
    return _change_staff(engine, timebank_id, caller, organisation_id, request.member_id, True)


def remove_staff(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, member_id: int
) -> OrganisationView:
    return _change_staff(engine, timebank_id, caller, organisation_id, member_id, False)


def _check_may_manage_keys(uow: UnitOfWork, timebank_id: int, caller: Caller, organisation_id: int) -> None:
    caller.check_timebank(timebank_id)
    organisation = uow.organisations.get(timebank_id, organisation_id)
    # Staff manage their organisation's keys; a key itself may not mint more keys.
    is_staff = caller.member_id is not None and organisation.account_id in caller.organisation_account_ids
    if not (caller.is_coordinator or is_staff):
        raise NotAllowed("Only a coordinator or the organisation's staff may manage its API keys")


def create_api_key(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, request: CreateApiKey
) -> NewApiKey:
    """Make an API key that acts for the organisation's account; its secret is shown this once."""
    label = request.label
    rules.check_text("label", label, NAME_LENGTH_MAX)
    secret = new_secret(API_KEY_PREFIX)

    def use_case(uow: UnitOfWork) -> NewApiKey:
        _check_may_manage_keys(uow, timebank_id, caller, organisation_id)
        now = utc_now()
        key_id = uow.access.insert_api_key(
            timebank_id, organisation_id, label, secret_sha256(secret), caller.caller, now
        )
        uow.commit()
        return NewApiKey(
            api_key_id=key_id,
            organisation_id=organisation_id,
            label=label,
            created_at=now,
            revoked_at=None,
            secret=secret,
        )

    return run(engine, use_case)


def list_api_keys(engine: Engine, timebank_id: int, caller: Caller, organisation_id: int) -> list[ApiKeyView]:
    def use_case(uow: UnitOfWork) -> list[ApiKeyView]:
        _check_may_manage_keys(uow, timebank_id, caller, organisation_id)
        return [ApiKeyView.of(r) for r in uow.access.api_keys_for(timebank_id, organisation_id)]

    return run(engine, use_case, write=False)


def revoke_api_key(
    engine: Engine, timebank_id: int, caller: Caller, organisation_id: int, api_key_id: int
) -> None:
    def use_case(uow: UnitOfWork) -> None:
        try:
            _check_may_manage_keys(uow, timebank_id, caller, organisation_id)
        except NotAllowed:
            # Another organisation's key is not found, whoever asks (see services.tenancy).
            keys = uow.access.api_keys_for(timebank_id, organisation_id)
            if api_key_id not in {key.api_key_id for key in keys}:
                raise ApiKeyNotFound(f"There is no API key {api_key_id} for this organisation") from None
            raise
        if not uow.access.revoke_api_key(timebank_id, organisation_id, api_key_id, utc_now()):
            raise ApiKeyNotFound(f"There is no API key {api_key_id} for this organisation")
        uow.commit()

    run(engine, use_case)
