"""The organisations a visitor acts for on the staff pages, and the one a page is about.

Staff act for the organisations whose accounts they hold (``Caller.organisation_account_ids``);
a coordinator may act for any organisation of the timebank. A staff page names its organisation in
its address (``?organisation=3``); without one it is the visitor's first. Whether the visitor may
act for the one named is the use case's to decide, as for the JSON API: another organisation of
the timebank answers 403, another timebank's 404 (``refused_as_page``).
"""

from __future__ import annotations

from dataclasses import dataclass

from timebank.people.organisations import list_organisations
from timebank.people.views import OrganisationView
from timebank.web.visits import PageRefused, Visit, refused_as_page

__all__ = ["ActingFor", "acting_for"]


@dataclass(frozen=True)
class ActingFor:
    """The organisations to choose from (a page of them) and the one the page is about."""

    choices: tuple[OrganisationView, ...]
    chosen_id: int
    more_cursor: str | None = None

    @property
    def chosen(self) -> OrganisationView | None:
        return next((o for o in self.choices if o.organisation_id == self.chosen_id), None)


def acting_for(visit: Visit, organisation_id: int | None, cursor: str | None = None) -> ActingFor:
    """The visitor's organisations, and the one asked for (or their first)."""
    caller = visit.caller
    with refused_as_page():
        page = list_organisations(visit.engine, visit.timebank_id, caller, cursor=cursor)
    if caller.is_coordinator:
        choices, more = page.organisations, page.next_cursor
    else:
        # Staff hold few organisations' accounts; the first page of a timebank's may not hold them
        # all, so the rest are read on until every one is found (bounded by the timebank's count).
        found = [o for o in page.organisations if o.account_id in caller.organisation_account_ids]
        while page.next_cursor is not None and len(found) < len(caller.organisation_account_ids):
            with refused_as_page():
                page = list_organisations(visit.engine, visit.timebank_id, caller, cursor=page.next_cursor)
            found += [o for o in page.organisations if o.account_id in caller.organisation_account_ids]
        choices, more = tuple(found), None
    if organisation_id is None:
        if not choices:
            raise PageRefused(404, "There are no organisations yet", "A coordinator can add one.")
        organisation_id = choices[0].organisation_id
    return ActingFor(choices=choices, chosen_id=organisation_id, more_cursor=more)
