"""Creating a timebank and changing its settings.

A new timebank comes with its pot: the community fund that members can donate to and coordinators
can grant from. The pot cannot go below zero, so grants are always backed by donations. Members and
organisations start with the timebank's default floor: a member may receive help before giving any
(going below zero within the floor), and an organisation recognising involvement goes below zero
within its budget floor. Credits are never created from nothing.

A timebank says what happens to a member's balance when their membership ends: ``kept`` on the
closed account (the default), or ``to_pot``, moved to the pot by a recorded transaction
(``timebank.people.membership``). Changing it applies to memberships that end from then on.

A timebank also has contact details (an address, an email, a phone; each optional), set by an admin
when it is made and by its coordinators later: the benefit-safe statements it issues name them, as
the way to reach the coordinator who answers for a statement (B7).
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.repositories import TimebankSettings
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import InvalidRequest
from timebank.ledger import rules
from timebank.ledger.contacts import check_contact
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind, BalanceOnLeaving
from timebank.people.callers import Caller
from timebank.people.requests import (
    BACKDATE_DAYS_MAX_LIMIT,
    DEFAULT_BACKDATE_DAYS_MAX,
    DEFAULT_MEMBER_FLOOR_MINUTES,
    DEFAULT_MINUTES_PER_TRANSFER_MAX,
    DEFAULT_ORGANISATION_FLOOR_MINUTES,
    DEFAULT_PENDING_EXPIRY_DAYS,
    PENDING_EXPIRY_DAYS_MAX,
    CreateTimebank,
    UpdateTimebank,
)
from timebank.people.views import TimebankView

__all__ = [
    "BACKDATE_DAYS_MAX_LIMIT",
    "DEFAULT_BACKDATE_DAYS_MAX",
    "DEFAULT_MEMBER_FLOOR_MINUTES",
    "DEFAULT_MINUTES_PER_TRANSFER_MAX",
    "DEFAULT_ORGANISATION_FLOOR_MINUTES",
    "DEFAULT_PENDING_EXPIRY_DAYS",
    "SETTINGS_CHANGEABLE",
    "change_settings",
    "create_timebank",
    "list_timebanks",
    "read_timebank",
]

# What a coordinator may change after a timebank is made. The pot is not among them.
SETTINGS_CHANGEABLE = (
    "name",
    "default_member_floor_minutes",
    "default_member_cap_minutes",
    "default_organisation_floor_minutes",
    "minutes_per_transfer_max",
    "pending_expiry_days",
    "auto_confirm_pending",
    "require_both_sides",
    # How to reach the timebank: named on the benefit-safe statements it issues (B7).
    "contact_address",
    "contact_email",
    "contact_phone",
    "backdate_days_max",
    # What happens to a member's balance when their membership ends (issue 18).
    "balance_on_leaving",
)


def create_timebank(engine: Engine, caller: Caller, request: CreateTimebank) -> TimebankView:
    """Create a timebank with its pot (platform admin)."""
    caller.check_admin()
    name = request.name
    rules.check_text("name", name, NAME_LENGTH_MAX)
    rules.check_new_limits(0, request.default_member_floor_minutes, request.default_member_cap_minutes)
    rules.check_new_limits(0, request.default_organisation_floor_minutes, None)
    rules.check_minutes(request.minutes_per_transfer_max)
    contact = check_contact(request.contact_address, request.contact_email, request.contact_phone)
    _check_backdate_days(request.backdate_days_max)
    balance_on_leaving = _balance_on_leaving(request.balance_on_leaving)

    def use_case(uow: UnitOfWork) -> TimebankView:
        now = utc_now()
        timebank_id = uow.timebanks.insert(
            TimebankSettings(
                timebank_id=0,
                name=name,
                pot_account_id=None,
                default_member_floor_minutes=request.default_member_floor_minutes,
                default_member_cap_minutes=request.default_member_cap_minutes,
                default_organisation_floor_minutes=request.default_organisation_floor_minutes,
                minutes_per_transfer_max=request.minutes_per_transfer_max,
                pending_expiry_days=request.pending_expiry_days,
                auto_confirm_pending=request.auto_confirm_pending,
                require_both_sides=request.require_both_sides,
                created_at=now,
                contact_address=contact.address,
                contact_email=contact.email,
                contact_phone=contact.phone,
                backdate_days_max=request.backdate_days_max,
                balance_on_leaving=balance_on_leaving,
            )
        )
        pot_name = f"{name[: NAME_LENGTH_MAX - len(' pot')]} pot"
        pot_id = uow.accounts.insert(timebank_id, AccountKind.POT, pot_name, 0, None, now)
        uow.timebanks.set_pot_account(timebank_id, pot_id)
        # Every timebank starts with the default categories of offers and requests (DESIGN §10).
        uow.offers.insert_default_categories(timebank_id, now)
        view = TimebankView.of(uow.timebanks.get(timebank_id))
        uow.commit()
        return view

    return run(engine, use_case)


def _check_backdate_days(days: int) -> None:
    if not 0 <= days <= BACKDATE_DAYS_MAX_LIMIT:
        raise InvalidRequest(
            f"Exchanges may be dated from 0 to {BACKDATE_DAYS_MAX_LIMIT} days back, not {days}"
        )


def _balance_on_leaving(value: object) -> BalanceOnLeaving:
    try:
        return BalanceOnLeaving(str(value))
    except ValueError:
        raise InvalidRequest(
            "A balance on leaving is 'kept' (on the member's closed account) or 'to_pot'"
        ) from None


def read_timebank(engine: Engine, timebank_id: int, caller: Caller) -> TimebankView:
    """A timebank's settings, for its own members and for admins."""
    caller.check_timebank(timebank_id, admin_allowed=True)
    return run(engine, lambda uow: TimebankView.of(uow.timebanks.get(timebank_id)), write=False)


def list_timebanks(engine: Engine, caller: Caller) -> list[TimebankView]:
    """Every timebank for an admin; a member's own timebank for anyone else."""

    def use_case(uow: UnitOfWork) -> list[TimebankView]:
        if caller.is_admin:
            # Bounded: the platform's own list, one row per community, not per member.
            ids = uow.timebanks.all_ids()[:1000]
        else:
            ids = [] if caller.timebank_id is None else [caller.timebank_id]
        return [TimebankView.of(uow.timebanks.get(timebank_id)) for timebank_id in ids]

    return run(engine, use_case, write=False)


def change_settings(
    engine: Engine, timebank_id: int, caller: Caller, request: UpdateTimebank
) -> TimebankView:
    """Change a timebank's settings (coordinator or admin). Only the named settings change.

    New defaults apply to accounts opened from now on; existing accounts keep their limits (a
    coordinator changes those one by one, logged). A lower limit per transfer, and a shorter reach
    back in time for exchanges, apply at once.
    """
    caller.check_coordinator(timebank_id, admin_allowed=True)
    # Only the settings sent: one left out of the request stays as it is.
    changes = request.model_dump(exclude_unset=True)
    unknown = set(changes) - set(SETTINGS_CHANGEABLE)
    assert not unknown, f"not a changeable setting: {sorted(unknown)}"

    def use_case(uow: UnitOfWork) -> TimebankView:
        after = replace(uow.timebanks.get(timebank_id), **changes)
        rules.check_text("name", after.name, NAME_LENGTH_MAX)
        rules.check_new_limits(0, after.default_member_floor_minutes, after.default_member_cap_minutes)
        rules.check_new_limits(0, after.default_organisation_floor_minutes, None)
        rules.check_minutes(after.minutes_per_transfer_max)
        if not 1 <= after.pending_expiry_days <= PENDING_EXPIRY_DAYS_MAX:
            raise InvalidRequest(f"Pending exchanges expire after 1 to {PENDING_EXPIRY_DAYS_MAX} days")
        contact = check_contact(after.contact_address, after.contact_email, after.contact_phone)
        _check_backdate_days(after.backdate_days_max)
        if "balance_on_leaving" in changes:
            changes["balance_on_leaving"] = _balance_on_leaving(after.balance_on_leaving).value
        if changes:
            # The contact as checked (trimmed, blank parts cleared), whichever of its parts were sent.
            checked = {
                "contact_address": contact.address,
                "contact_email": contact.email,
                "contact_phone": contact.phone,
            }
            uow.timebanks.update_settings(
                timebank_id, {name: checked.get(name, value) for name, value in changes.items()}
            )
        view = TimebankView.of(uow.timebanks.get(timebank_id))
        uow.commit()
        return view

    return run(engine, use_case)
