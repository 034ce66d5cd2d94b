"""Opening an account in a timebank, reading it, and changing its limits (every change logged).

Members and organisations start with the timebank's default floor: a member may receive help before
giving any (going below zero within the floor), and an organisation recognising involvement goes
below zero within its budget floor. Credits are never created from nothing. The pot, opened with
its timebank, never goes below zero, so grants are always backed by donations.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.accounts.views import AccountView
from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.ledger.errors import CoordinatorRequired, PotFloorMustBeZero
from timebank.ledger.limits import NAME_LENGTH_MAX, REASON_LENGTH_MAX
from timebank.ledger.types import AccountKind, AccountState, Actor

__all__ = ["account_view", "get_account", "open_account", "set_limits"]


def account_view(uow: UnitOfWork, state: AccountState, name: str | None = None) -> AccountView:
    if name is None:
        name = uow.accounts.name_of(state.account_id)
    return AccountView(
        account_id=state.account_id,
        timebank_id=state.timebank_id,
        kind=state.kind.value,
        name=name,
        balance_minutes=state.balance_minutes,
        earned_minutes=state.earned_minutes,
        spent_minutes=state.spent_minutes,
        floor_minutes=state.floor_minutes,
        cap_minutes=state.cap_minutes,
        version=state.version,
    )


def open_account(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    kind: AccountKind,
    name: str,
    *,
    floor_minutes: int | None = None,
    cap_minutes: int | None = None,
) -> AccountView:
    """Open a member or organisation account with the timebank's default limits unless given."""
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can open accounts")
    if kind is AccountKind.POT:
        raise ValueError("a timebank has exactly one pot, opened with it")
    rules.check_text("name", name, NAME_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> AccountView:
        timebank = uow.timebanks.get(timebank_id)
        if kind is AccountKind.MEMBER:
            floor = timebank.default_member_floor_minutes if floor_minutes is None else floor_minutes
            cap = timebank.default_member_cap_minutes if cap_minutes is None else cap_minutes
        else:
            floor = timebank.default_organisation_floor_minutes if floor_minutes is None else floor_minutes
            cap = cap_minutes
        rules.check_new_limits(0, floor, cap)
        account_id = uow.accounts.insert(timebank_id, kind, name, floor, cap, utc_now())
        view = account_view(uow, uow.accounts.get(timebank_id, account_id), name)
        uow.commit()
        return view

    return run(engine, use_case)


def get_account(engine: Engine, timebank_id: int, account_id: int) -> AccountView:
    def use_case(uow: UnitOfWork) -> AccountView:
        uow.timebanks.get(timebank_id)
        return account_view(uow, uow.accounts.get(timebank_id, account_id))

    return run(engine, use_case, write=False)


def set_limits(
    engine: Engine,
    timebank_id: int,
    actor: Actor,
    account_id: int,
    *,
    floor_minutes: int,
    cap_minutes: int | None,
    reason: str | None = None,
) -> AccountView:
    """Change an account's floor and cap; refused if the balance would fall outside. Logged."""
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can change limits")
    rules.check_text("reason", reason, REASON_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> AccountView:
        uow.timebanks.get(timebank_id)
        before = uow.accounts.lock(timebank_id, [account_id])[account_id]
        rules.check_new_limits(before.balance_minutes, floor_minutes, cap_minutes)
        if before.kind is AccountKind.POT and floor_minutes != 0:
            # Grants from the pot must be backed by donations, never by debt.
            raise PotFloorMustBeZero("The pot can only grant what was donated; its floor stays at zero")
        uow.accounts.set_limits(account_id, floor_minutes, cap_minutes)
        uow.limit_changes.insert(
            timebank_id,
            account_id,
            (before.floor_minutes, before.cap_minutes),
            (floor_minutes, cap_minutes),
            reason,
            actor.caller,
            utc_now(),
        )
        view = account_view(uow, uow.accounts.get(timebank_id, account_id))
        uow.commit()
        return view

    return run(engine, use_case)
