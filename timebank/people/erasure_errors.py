"""The refusals of erasing a member's personal data (``timebank.people.erasure``).

Leaves of the one error tree (``timebank.errors``), in the order the checks run: the request did
not confirm the erasure, a coordinator asked to erase their own data, the member was erased already.
Who may erase at all (coordinators of the timebank) is ``coordinator_required``, and a member of
another timebank is not found, as everywhere.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotAllowed, StateConflict

__all__ = ["ErasureNotConfirmed", "MemberAlreadyErased", "OwnDataErasedByAnother"]


class ErasureNotConfirmed(InvalidRequest):
    """The request did not say, in so many words, that the erasure is meant: it cannot be undone."""

    code = "erasure_not_confirmed"
    title = "Confirm that this member's personal data is to be erased: it cannot be undone"


class OwnDataErasedByAnother(NotAllowed):
    """A coordinator asked to erase their own data: another coordinator must, so that a timebank's
    last coordinator cannot erase themselves, and nobody erases a coordinator by mistake in one step."""

    code = "own_data_erased_by_another"
    title = "You cannot erase your own personal data. Ask another coordinator"


class MemberAlreadyErased(StateConflict):
    code = "member_already_erased"
    title = "This member's personal data was erased already"
