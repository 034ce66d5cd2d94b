"""Another timebank's objects are not there: not found, whatever the caller's role.

Each timebank is a tenant of one deployment. A request names its timebank in the path and may name
accounts, members, organisations and activities in the path, the query or the body. When one of
those is not in the path's timebank, the answer is "not found", exactly as for an id that exists
nowhere, whoever asks: telling a member "you may not see this account" would tell them it exists.

The error tree orders the checks this way (what the request names, then who asks), but many
permission checks need no read and run before one. ``not_found_before_refused`` keeps them cheap:
only when such a check refuses does it read what the request named, and a name that is not here
turns the refusal into the "not found" it should have been. Callers who are allowed meet the same
"not found" from their own reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import NotAllowed

__all__ = ["check_named_here", "not_found_before_refused"]


def check_named_here(
    uow: UnitOfWork,
    timebank_id: int,
    *,
    organisation_ids: Collection[int] = (),
    member_ids: Collection[int] = (),
    account_ids: Collection[int] = (),
    activity_ids: Collection[int] = (),
) -> None:
    """Refuse, as not found, the first named object that is not in this timebank.

    The order is the order the use cases read them in, so a request naming two strangers is told
    about the same one whoever asks.
    """
    for organisation_id in organisation_ids:
        uow.organisations.get(timebank_id, organisation_id)
    for member_id in member_ids:
        uow.members.get(timebank_id, member_id)
    for account_id in account_ids:
        uow.accounts.get(timebank_id, account_id)
    for activity_id in activity_ids:
        uow.activities.get(timebank_id, activity_id)


@contextmanager
def not_found_before_refused(
    source: Engine | UnitOfWork,
    timebank_id: int,
    *,
    organisation_ids: Collection[int] = (),
    member_ids: Collection[int] = (),
    account_ids: Collection[int] = (),
    activity_ids: Collection[int] = (),
) -> Iterator[None]:
    """Run a permission check; if it refuses, first refuse as not found anything named that is not here.

    ``source`` is the unit of work already open, or the engine to open a read-only one with.
    """
    try:
        yield
    except NotAllowed:

        def check(uow: UnitOfWork) -> None:
            check_named_here(
                uow,
                timebank_id,
                organisation_ids=organisation_ids,
                member_ids=member_ids,
                account_ids=account_ids,
                activity_ids=activity_ids,
            )

        if isinstance(source, UnitOfWork):
            check(source)
        else:
            run(source, check, write=False)
        raise
