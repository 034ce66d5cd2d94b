"""Inviting members to an activity: the link a payment offer needs (B4).

An organisation invites the people it expects at a forum, a board or a panel. Only an invited
member may be offered a payment for the activity (a payment or reduced payment chosen at
attendance), and only an invited member, or one already recorded as attending, may have a payment
checked against the benefit guard. Without the rule the guard answers about anyone in the
timebank, and its answer (whether an acknowledgement is needed) tells who declared benefits.
That an organisation learns this of the people it invites is accepted by design (B5: they are
offered credits by default and asked to acknowledge before a payment).

An activity has at most ``INVITATIONS_MAX`` invitations, as many as one call may record
attendees: enough for any real forum, and a bound on how many members one activity can ask about.
Its staff (or API key) and coordinators invite and withdraw invitations; inviting someone already
invited changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from timebank.benefits.activities import ATTENDEES_MAX
from timebank.benefits.errors import AttendeesRequired
from timebank.clock import utc_now
from timebank.db.repositories import InvitationRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.involvement.activities import check_acts_for
from timebank.involvement.errors import MemberAccountRequired, TooManyInvitations
from timebank.involvement.requests import InviteMembers
from timebank.involvement.views import InvitationsView, InvitationView
from timebank.ledger import rules
from timebank.ledger.types import AccountKind
from timebank.people.callers import Caller
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import DirectoryEntry

__all__ = [
    "INVITATIONS_MAX",
    "invite_members",
    "invited_members",
    "list_invitations",
    "withdraw_invitation",
]

INVITATIONS_MAX = ATTENDEES_MAX


def _view(activity_id: int, records: Sequence[InvitationRecord]) -> InvitationsView:
    return InvitationsView(activity_id=activity_id, invitations=tuple(InvitationView.of(r) for r in records))


def invite_members(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int, request: InviteMembers
) -> InvitationsView:
    """Invite members to the activity; answer with everyone now invited."""
    caller.check_timebank(timebank_id)
    wanted = list(dict.fromkeys(request.account_ids))
    if not wanted:
        raise AttendeesRequired("Name at least one member to invite")
    if len(wanted) > INVITATIONS_MAX:
        raise TooManyInvitations(f"An activity has at most {INVITATIONS_MAX} invitations")

    def use_case(uow: UnitOfWork) -> InvitationsView:
        # The activity's row is locked, so two calls at once cannot both pass the bound below.
        activity = uow.activities.get(timebank_id, activity_id, lock=True)
        with not_found_before_refused(uow, timebank_id, account_ids=wanted):
            check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        accounts = uow.accounts.get_many(timebank_id, wanted)
        others = [a for a in wanted if accounts[a].kind is not AccountKind.MEMBER]
        if others:
            raise MemberAccountRequired(f"Only members are invited; accounts {others} are not members'")
        # A former member is invited to nothing: they could not attend.
        rules.check_open(accounts[a] for a in wanted)
        uow.invitations.invite(timebank_id, activity_id, wanted, caller.caller, utc_now())
        invited = uow.invitations.of_activity(timebank_id, activity_id)
        if len(invited) > INVITATIONS_MAX:
            raise TooManyInvitations(
                f"An activity has at most {INVITATIONS_MAX} invitations; withdraw some first"
            )
        uow.commit()
        return _view(activity_id, invited)

    return run(engine, use_case)


def list_invitations(engine: Engine, timebank_id: int, caller: Caller, activity_id: int) -> InvitationsView:
    """Everyone invited to the activity, in account order (its staff or a coordinator)."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> InvitationsView:
        activity = uow.activities.get(timebank_id, activity_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        return _view(activity_id, uow.invitations.of_activity(timebank_id, activity_id))

    return run(engine, use_case, write=False)


def invited_members(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int
) -> tuple[DirectoryEntry, ...]:
    """Everyone invited to the activity by name, in account order: the attendance page's list.

    Only names and accounts, as the directory shows every member of the timebank; nothing else
    about them (its staff or a coordinator).
    """
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> tuple[DirectoryEntry, ...]:
        activity = uow.activities.get(timebank_id, activity_id)
        check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        account_ids = [r.account_id for r in uow.invitations.of_activity(timebank_id, activity_id)]
        if not account_ids:
            return ()
        records = uow.members.page(timebank_id, account_ids=account_ids, after_id=None, limit=INVITATIONS_MAX)
        entries = (
            DirectoryEntry(member_id=r.member_id, account_id=r.account_id, display_name=r.display_name)
            for r in records
        )
        return tuple(sorted(entries, key=lambda entry: entry.account_id))

    return run(engine, use_case, write=False)


def withdraw_invitation(
    engine: Engine, timebank_id: int, caller: Caller, activity_id: int, account_id: int
) -> bool:
    """Withdraw one invitation; False if the member was not invited. Attendance already recorded stays."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> bool:
        activity = uow.activities.get(timebank_id, activity_id, lock=True)
        with not_found_before_refused(uow, timebank_id, account_ids=[account_id]):
            check_acts_for(caller, uow.organisations.get(timebank_id, activity.organisation_id))
        uow.accounts.get(timebank_id, account_id)  # account_not_found for one not of this timebank
        withdrawn = uow.invitations.withdraw(timebank_id, activity_id, account_id)
        uow.commit()
        return withdrawn

    return run(engine, use_case)
