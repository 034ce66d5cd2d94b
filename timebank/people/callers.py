"""Who is asking, and what they may do in a timebank (DESIGN §6, "Who may do what").

Deny by default. A member reads and acts on their own account and exchanges; an organisation's staff
(and the organisation's API keys) act for that organisation's account; a coordinator acts for
anyone in their timebank; a platform admin manages timebanks and their people but moves no credits.
Another timebank's objects answer "not found" whatever the caller's role, so that nobody can learn
which ids exist elsewhere: the tenant comes from the path and is checked against the caller here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from timebank.errors import TimebankNotFound
from timebank.ledger.errors import CoordinatorRequired
from timebank.ledger.types import Actor
from timebank.people.errors import AdminRequired, SelfOrCoordinatorRequired

__all__ = ["Caller"]


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a login (maybe a member, maybe an admin) or an organisation API key."""

    caller: str  # "login:7" or "api_key:3": names them for idempotency and audit
    is_admin: bool
    timebank_id: int | None
    member_id: int | None
    account_id: int | None  # the member's own account
    is_coordinator: bool
    organisation_account_ids: frozenset[int]
    login_id: int | None = None  # None for an API key

    @classmethod
    def coordinator_of(cls, timebank_id: int, name: str = "system") -> Caller:
        """Someone running the timebank who is not a login: the demo's seeding, a scheduled job."""
        return cls(name, False, timebank_id, None, None, True, frozenset())

    @classmethod
    def holder_of(cls, timebank_id: int, account_id: int, name: str, member_id: int | None = None) -> Caller:
        """A member acting for their own account, as their login would."""
        return cls(name, False, timebank_id, member_id, account_id, False, frozenset())

    @property
    def account_ids(self) -> frozenset[int]:
        """Every account this caller may spend from."""
        own = frozenset() if self.account_id is None else frozenset({self.account_id})
        return own | self.organisation_account_ids

    def check_timebank(self, timebank_id: int, *, admin_allowed: bool = False) -> None:
        """Refuse, as not found, a timebank the caller does not belong to."""
        if admin_allowed and self.is_admin:
            return
        if self.timebank_id != timebank_id:
            raise TimebankNotFound(f"There is no timebank {timebank_id}")

    def check_coordinator(self, timebank_id: int, *, admin_allowed: bool = False) -> None:
        self.check_timebank(timebank_id, admin_allowed=admin_allowed)
        if admin_allowed and self.is_admin:
            return
        if not self.is_coordinator:
            raise CoordinatorRequired("Only a coordinator of this timebank may do this")

    def check_admin(self) -> None:
        if not self.is_admin:
            raise AdminRequired("Only a platform admin may do this")

    def check_may_read_account(self, timebank_id: int, account_id: int) -> None:
        self.check_timebank(timebank_id)
        if not (self.is_coordinator or account_id in self.account_ids):
            raise SelfOrCoordinatorRequired("You can see your own account only")

    def check_may_read_member(self, timebank_id: int, member_id: int) -> None:
        self.check_timebank(timebank_id, admin_allowed=True)
        if not (self.is_admin or self.is_coordinator or member_id == self.member_id):
            raise SelfOrCoordinatorRequired("You can see your own details only")

    def actor(self, timebank_id: int, parties: Iterable[int] = ()) -> Actor:
        """The ledger's view of this caller, holding the first of ``parties`` they may act for.

        Staff hold their own account and their organisations'. When more than one of them is a
        party, the order of ``parties`` decides: callers list payers first, so that a staff member
        recording help their organisation received gives the organisation's consent.
        """
        self.check_timebank(timebank_id)
        held = self.account_ids
        account_id = next((party for party in parties if party in held), self.account_id)
        if account_id is None and self.organisation_account_ids:
            account_id = min(self.organisation_account_ids)
        return Actor(caller=self.caller, account_id=account_id, is_coordinator=self.is_coordinator)
