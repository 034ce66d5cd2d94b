"""A member's benefits declaration: optional, coarse, private, audited, deletable (DESIGN B4).

Benefit status reveals health and disability: it is special-category data. A member may declare
the benefits they get in coarse categories (``timebank.benefits.categories``) so that the benefit
guards can warn before a payment would harm them; declaring is never needed to take part.

- **Who writes it.** The member, or a coordinator with the member's say-so (``members_say_so``,
  recorded on the declaration: a coordinator often enters it for someone who is not online).
- **Who reads it.** The member and coordinators; nobody else, not the organisation's staff and not
  other members. Every read is audited, the member's own included.
- **Deleting it** removes the row, and the payment advice the guard gave from it
  (``timebank.involvement.payment_advice``); the audit log keeps only that it was deleted, by whom and when.
- **Where it never appears:** reports, exports, other members' and staff's views. The payment
  guard reads it to warn, and shows the organisation warnings that name no benefit.

The audit details of these use cases hold who and whether, never the categories.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import Engine

from timebank.benefits.categories import BenefitCategory
from timebank.clock import utc_now
from timebank.db.repositories import DeclarationRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.involvement.errors import (
    BenefitCategoriesRequired,
    BenefitCategoryUnknown,
    MemberAccountRequired,
    MemberSaySoRequired,
)
from timebank.involvement.requests import DeclareBenefits
from timebank.involvement.views import DeclarationView
from timebank.ledger.types import AccountKind
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.tenancy import not_found_before_refused

__all__ = ["delete_declaration", "read_declaration", "set_declaration"]


def _categories(categories: Collection[BenefitCategory | str]) -> tuple[str, ...]:
    if not categories:
        raise BenefitCategoriesRequired(
            "Choose at least one category; to declare none, delete the declaration"
        )
    known = {category.value for category in BenefitCategory}
    unknown = sorted(str(code)[:60] for code in categories if str(code) not in known)
    if unknown:
        raise BenefitCategoryUnknown(f"Unknown categories {unknown}: the categories are {sorted(known)}")
    return tuple(sorted({str(code) for code in categories}))


def _is_self(caller: Caller, account_id: int) -> bool:
    return caller.account_id is not None and caller.account_id == account_id


def _check_may_write(caller: Caller, timebank_id: int, account_id: int, members_say_so: bool) -> bool:
    """Whether a coordinator writes for the member (True) or the member for themself (False)."""
    caller.check_timebank(timebank_id)
    if _is_self(caller, account_id):
        return False
    if not caller.is_coordinator:
        raise SelfOrCoordinatorRequired(
            "Only the member, or a coordinator with their say-so, may change this"
        )
    if not members_say_so:
        raise MemberSaySoRequired("Record that the member asked for this change, or let them make it")
    return True


def _check_may_read(caller: Caller, timebank_id: int, account_id: int) -> None:
    # Not the organisation's staff, nor its API keys, nor other members; an admin belongs to no timebank.
    caller.check_timebank(timebank_id)
    if not (_is_self(caller, account_id) or caller.is_coordinator):
        raise SelfOrCoordinatorRequired("A benefits declaration is seen only by the member and coordinators")


def _lock_member(uow: UnitOfWork, timebank_id: int, account_id: int) -> None:
    """Lock the member's account row: writers of one member's declaration take turns."""
    account = uow.accounts.lock(timebank_id, [account_id])[account_id]
    if account.kind is not AccountKind.MEMBER:
        raise MemberAccountRequired(
            f"Only a member declares benefits; account {account_id} is not a member's"
        )


def set_declaration(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, request: DeclareBenefits
) -> DeclarationView:
    """Declare (or replace) the member's benefit categories."""

    def use_case(uow: UnitOfWork) -> DeclarationView:
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            for_member = _check_may_write(caller, timebank_id, account_id, request.members_say_so)
        codes = _categories(request.categories)
        _lock_member(uow, timebank_id, account_id)
        record = DeclarationRecord(account_id, codes, utc_now(), caller.caller, for_member)
        uow.declarations.put(timebank_id, record)
        trail = AuditTrail(caller.caller)
        trail.add(AuditAction.DECLARATION_SET, account_id, set_for_member=for_member)
        trail.write(uow, timebank_id)
        uow.commit()
        return DeclarationView.of(record)

    return run(engine, use_case)


def read_declaration(engine: Engine, timebank_id: int, caller: Caller, account_id: int) -> DeclarationView:
    """The member's declaration, or that they declared nothing. The read itself is audited."""

    def use_case(uow: UnitOfWork) -> DeclarationView:
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            _check_may_read(caller, timebank_id, account_id)
        account = uow.accounts.get(timebank_id, account_id)
        if account.kind is not AccountKind.MEMBER:
            raise MemberAccountRequired(
                f"Only a member declares benefits; account {account_id} is not a member's"
            )
        record = uow.declarations.get(timebank_id, account_id)
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.DECLARATION_READ,
            account_id,
            by_coordinator=not _is_self(caller, account_id),
            found=record is not None,
        )
        trail.write(uow, timebank_id)
        uow.commit()
        return DeclarationView.none_declared(account_id) if record is None else DeclarationView.of(record)

    return run(engine, use_case)


def delete_declaration(
    engine: Engine, timebank_id: int, caller: Caller, account_id: int, *, members_say_so: bool = False
) -> bool:
    """Delete the member's declaration; False if there was none. The audit keeps only that it happened."""

    def use_case(uow: UnitOfWork) -> bool:
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            for_member = _check_may_write(caller, timebank_id, account_id, members_say_so)
        _lock_member(uow, timebank_id, account_id)
        deleted = uow.declarations.delete(timebank_id, account_id)
        # The guard's advice names limits, and so the benefits declared: it goes with the declaration.
        advice_deleted = uow.invitations.delete_advice(timebank_id, account_id)
        trail = AuditTrail(caller.caller)
        trail.add(
            AuditAction.DECLARATION_DELETED,
            account_id,
            set_for_member=for_member,
            existed=deleted,
            advice_deleted=advice_deleted,
        )
        trail.write(uow, timebank_id)
        uow.commit()
        return deleted

    return run(engine, use_case)
