"""The refusals of people and access: usernames, passwords, tags, roles, logins and who may manage.

Leaves of the one error tree (``timebank.errors``): a username or password of the wrong shape, a
tag or role that does not exist, a username taken, a timebank left without a coordinator, wrong
credentials or an unknown token, too many failed logins, callers who are not an admin or not the
person concerned, and a membership's end: its day out of range, a second end, a balance below zero
the pot cannot cover.
"""

from __future__ import annotations

from timebank.errors import (
    InvalidRequest,
    LimitBreached,
    NotAllowed,
    NotAuthenticated,
    StateConflict,
    TooManyAttempts,
)

__all__ = [
    "AdminRequired",
    "CredentialsInvalid",
    "LastCoordinatorRequired",
    "LoginAttemptsExceeded",
    "MembershipAlreadyEnded",
    "MembershipEndDateInFuture",
    "MembershipEndDateTooEarly",
    "MembershipEndDateTooFarBack",
    "PasswordInvalid",
    "PotCannotCoverBalance",
    "RoleUnknown",
    "SelfOrCoordinatorRequired",
    "TagInvalid",
    "TokenInvalid",
    "UsernameInvalid",
    "UsernameTaken",
]


class TagInvalid(InvalidRequest):
    code = "tag_invalid"
    title = "A tag is lower-case letters, digits and underscores"


class RoleUnknown(InvalidRequest):
    code = "role_unknown"
    title = "Roles are member and coordinator"


class UsernameInvalid(InvalidRequest):
    code = "username_invalid"
    title = "A username is 3 to 100 lower-case letters, digits, dots, dashes or underscores"


class PasswordInvalid(InvalidRequest):
    code = "password_invalid"
    title = "A password is 8 to 200 characters"


class MembershipEndDateInFuture(InvalidRequest):
    """A membership ended on a day after today: it ends on the day it is recorded, or before."""

    code = "membership_end_date_in_future"
    title = "A membership's end cannot be in the future"


class MembershipEndDateTooFarBack(InvalidRequest):
    """A membership ended further back than the timebank lets exchanges be dated (``backdate_days_max``)."""

    code = "membership_end_date_too_far_back"
    title = "A membership's end is further back than this timebank allows"


class MembershipEndDateTooEarly(InvalidRequest):
    """A membership ended before the member joined, or before an exchange they took part in: the
    membership must cover everything recorded for them, as the reports count it."""

    code = "membership_end_date_too_early"
    title = "A membership cannot end before the member joined or before their last exchange"


class AdminRequired(NotAllowed):
    code = "admin_required"
    title = "Only a platform admin may do this"


class SelfOrCoordinatorRequired(NotAllowed):
    code = "self_or_coordinator_required"
    title = "Only the holder or a coordinator may see this"


class UsernameTaken(StateConflict):
    code = "username_taken"
    title = "This username is already taken"


class MembershipAlreadyEnded(StateConflict):
    code = "membership_already_ended"
    title = "This membership has already ended"


class LastCoordinatorRequired(StateConflict):
    """Taking the coordinator role from a timebank's last coordinator, which would leave nobody to run it."""

    code = "last_coordinator_required"
    title = "A timebank needs at least one coordinator"


class PotCannotCoverBalance(LimitBreached):
    """A leaving member's balance is below zero, the timebank moves balances to the pot, and the pot
    holds too little to cover it (the pot never goes below zero)."""

    code = "pot_cannot_cover_balance"
    title = "The pot holds too few credits to cover this member's balance"


class CredentialsInvalid(NotAuthenticated):
    code = "credentials_invalid"
    title = "The username or password is wrong"


class TokenInvalid(NotAuthenticated):
    code = "token_invalid"
    title = "This token is unknown, expired or logged out"


class LoginAttemptsExceeded(TooManyAttempts):
    code = "login_attempts_exceeded"
    title = "Too many failed logins; wait before trying again"
