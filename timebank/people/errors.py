"""The refusals of people and access: usernames, passwords, tags, roles, logins and who may manage.

Leaves of the one error tree (``timebank.errors``): a username or password of the wrong shape, a
tag or role that does not exist, a username taken, a timebank left without a coordinator, wrong
credentials or an unknown token, too many failed logins, and callers who are not an admin or not
the person concerned.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotAllowed, NotAuthenticated, StateConflict, TooManyAttempts

__all__ = [
    "AdminRequired",
    "CredentialsInvalid",
    "LastCoordinatorRequired",
    "LoginAttemptsExceeded",
    "PasswordInvalid",
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


class AdminRequired(NotAllowed):
    code = "admin_required"
    title = "Only a platform admin may do this"


class SelfOrCoordinatorRequired(NotAllowed):
    code = "self_or_coordinator_required"
    title = "Only the holder or a coordinator may see this"


class UsernameTaken(StateConflict):
    code = "username_taken"
    title = "This username is already taken"


class LastCoordinatorRequired(StateConflict):
    """Taking the coordinator role from a timebank's last coordinator, which would leave nobody to run it."""

    code = "last_coordinator_required"
    title = "A timebank needs at least one coordinator"


class CredentialsInvalid(NotAuthenticated):
    code = "credentials_invalid"
    title = "The username or password is wrong"


class TokenInvalid(NotAuthenticated):
    code = "token_invalid"
    title = "This token is unknown, expired or logged out"


class LoginAttemptsExceeded(TooManyAttempts):
    code = "login_attempts_exceeded"
    title = "Too many failed logins; wait before trying again"
