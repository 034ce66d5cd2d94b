"""The header's links: what every member has, then what a coordinator and an organisation's staff have.

DESIGN §8's contract: every page after login has a navigation landmark with "Home" and "Log out";
coordinators also have "Members" and "Reports", and the staff of an organisation "Activities". A
link is shown only to those its page lets in, so nobody is offered a page that refuses them.
"""

from __future__ import annotations

from timebank.people.callers import Caller

__all__ = ["links_for"]

_MEMBER = (
    ("/", "Home"),
    ("/record", "Record an exchange"),
    ("/statement", "My statement"),
    ("/offers", "Offers and requests"),
    ("/spend", "Spend credits"),
    ("/give", "Give credits"),
    ("/benefits", "Benefits"),
    ("/email", "Email and messages"),
    ("/data", "Your data"),
    ("/password", "Change password"),
)
_COORDINATOR = (
    ("/members", "Members"),
    ("/waiting", "Waiting"),
    ("/reports", "Reports"),
    ("/organisations", "Organisations"),
    ("/settings", "Settings"),
    ("/audit", "Audit log"),
)
_STAFF = (("/activities", "Activities"),)


def links_for(caller: Caller) -> tuple[tuple[str, str], ...]:
    links: tuple[tuple[str, str], ...] = _MEMBER if caller.account_id is not None else (("/", "Home"),)
    if caller.is_coordinator:
        links += _COORDINATOR
    if caller.is_coordinator or caller.organisation_account_ids:
        links += _STAFF
    return links
