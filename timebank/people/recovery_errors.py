"""The refusals of the ways back in: set-password codes, reset links, and logins turned off.

Leaves of the one error tree (``timebank.errors``). A code or link that is not one we issued, was
used (or voided by a newer one), or is past its time is refused by the rule it broke, and nothing
changes. A reset is asked for without a login, so its answer never says whether anyone matched:
only asking too often is refused.
"""

from __future__ import annotations

from timebank.errors import InvalidRequest, NotAllowed, NotFound, StateConflict, TooManyAttempts

__all__ = [
    "LoginDisabled",
    "MemberHasNoLogin",
    "OwnLoginStaysOn",
    "PasswordCodeExpired",
    "PasswordCodeUnknown",
    "PasswordCodeUsed",
    "ResetLinkExpired",
    "ResetLinkUnknown",
    "ResetLinkUsed",
    "ResetRequestsExceeded",
    "UsernameRequired",
    "VerifiedEmailRequired",
]


class PasswordCodeUnknown(NotFound):
    code = "password_code_unknown"
    title = "This code is not one we gave out. Check it against the letter or email"


class PasswordCodeExpired(StateConflict):
    code = "password_code_expired"
    title = "This code has expired. Ask your coordinator for a new one"


class PasswordCodeUsed(StateConflict):
    code = "password_code_used"
    title = "This code was used already, or a newer one replaced it. Ask your coordinator for a new one"


class ResetLinkUnknown(NotFound):
    code = "reset_link_unknown"
    title = "This link is not one we sent"


class ResetLinkExpired(StateConflict):
    code = "reset_link_expired"
    title = "This link has expired. Ask for a new one"


class ResetLinkUsed(StateConflict):
    code = "reset_link_used"
    title = "This link was used already, or a newer one replaced it. Ask for a new one"


class UsernameRequired(InvalidRequest):
    code = "username_required"
    title = "Choose a username: this member has no login yet"


class ResetRequestsExceeded(TooManyAttempts):
    code = "reset_requests_exceeded"
    title = "Too many requests for a new password from here; wait before trying again"


class LoginDisabled(NotAllowed):
    code = "login_disabled"
    title = "This login is turned off. Ask your coordinator to turn it back on"


class MemberHasNoLogin(StateConflict):
    code = "member_has_no_login"
    title = "This member has no login. Give them one with a set-password code"


class OwnLoginStaysOn(NotAllowed):
    code = "own_login_stays_on"
    title = "You cannot turn off your own login. Ask another coordinator"


class VerifiedEmailRequired(StateConflict):
    code = "verified_email_required"
    title = "This member has no checked email address. Print the code as a letter instead"
