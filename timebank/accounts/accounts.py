"""Opening an account in a timebank, reading it, and changing its limits (every change logged).

An account's holder or a coordinator reads it; only a coordinator changes its limits, and every
change is logged with who made it, when and why.

Members and organisations start with the timebank's default floor: a member may receive help before
giving any (going below zero within the floor), and an organisation recognising involvement goes
below zero within its budget floor. Credits are never created from nothing. The pot, opened with
its timebank, never goes below zero, so grants are always backed by donations.
"""

from __future__ import annotations

from sqlalchemy import Engine

from timebank.accounts.requests import ChangeLimits
from timebank.accounts.views import AccountView, LimitChange
from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.ledger.errors import CoordinatorRequired, PotFloorMustBeZero
from timebank.ledger.limits import NAME_LENGTH_MAX, REASON_LENGTH_MAX
from timebank.ledger.types import AccountKind, AccountState, Actor
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused

__all__ = [
    "LIMIT_CHANGES_MAX",
    "account_view",
    "change_limits",
    "check_may_read_account",
    "limit_changes",
    "open_account",
    "read_account",
    "set_limits",
]

# A limit log longer than this is read from the newest end; it changes a few times a year at most.
LIMIT_CHANGES_MAX = 200


def account_view(uow: UnitOfWork, state: AccountState, name: str | None = None) -> AccountView:
    if name is None:
        name = uow.accounts.name_of(state.account_id)
    return AccountView(
        account_id=state.account_id,
        timebank_id=state.timebank_id,
        kind=state.kind,
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


def read_account(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> AccountView:
    """An account's balance, counters and limits, for its holder or a coordinator."""
    check_may_read_account(engine, timebank_id, caller, account_id)

    def use_case(uow: UnitOfWork) -> AccountView:
        uow.timebanks.get(timebank_id)
        return account_view(uow, uow.accounts.get(timebank_id, account_id))

    return run(engine, use_case, write=False)


def change_limits(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, request: ChangeLimits
) -> AccountView:
    """Change an account's floor and cap (coordinator); refused if the balance would fall outside. Logged.

    Another timebank's account is not found, whoever asks (``not_found_before_refused``); then the
    ledger's own checks run, as ``set_limits`` makes them.
    """
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        caller.check_coordinator(timebank_id)
    return set_limits(engine, timebank_id, caller.actor(timebank_id), account_id, request)


def set_limits(
    engine: Engine, timebank_id: int, actor: Actor, account_id: int, request: ChangeLimits
) -> AccountView:
    """The ledger's view of changing limits, for an actor: who may first, then what the balance allows.

    Kept apart from ``change_limits`` because its refusals come in the ledger's order (a
    non-coordinator is refused before the account is looked for), which the ledger's state machine
    test models; callers from outside go through ``change_limits``.
    """
    if not actor.is_coordinator:
        raise CoordinatorRequired("Only a coordinator can change limits")
    floor_minutes, cap_minutes, reason = request.floor_minutes, request.cap_minutes, request.reason
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


def limit_changes(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> list[LimitChange]:
    """The log of an account's limit changes, oldest first, for its holder or a coordinator."""
    check_may_read_account(engine, timebank_id, caller, account_id)

    def use_case(uow: UnitOfWork) -> list[LimitChange]:
        uow.accounts.get(timebank_id, account_id)
        rows = uow.limit_changes.for_account(timebank_id, account_id)[-LIMIT_CHANGES_MAX:]
        # The log's rows carry these columns and a few more, such as ids, which are left out.
        names = LimitChange.model_fields.keys()
        return [LimitChange.model_validate({name: row[name] for name in names}) for row in rows]

    return run(engine, use_case, write=False)


def check_may_read_account(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> None:
    """Refuse a caller who may not read the account: as not found if it is not in this timebank."""
    with not_found_before_refused(engine, timebank_id, account_ids=[account_id]):
        caller.check_may_read_account(timebank_id, account_id)
