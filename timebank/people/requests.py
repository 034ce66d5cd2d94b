"""What the people use cases are asked: one typed request each (``timebank.fields``).

The JSON API takes these as its bodies and the pages fill them from their forms, so both are
refused by the same rules before a use case runs: a name has a length, a tag is a short lower-case
word, a role is ``member`` or ``coordinator``, a floor is at most zero and a cap at least zero, and
a contact detail has a length (its shape is checked by the use case, ``timebank.ledger.contacts``).
The use cases check again, inside their transaction.

An update changes only what it is sent: a field left out stays as it is. ``null`` is taken where it
means something (no cap, no contact detail), and refused elsewhere.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, StrictBool, StrictInt

from timebank.fields import CalendarDate, CapMinutes, FloorMinutes, Id, Minutes, Name, Request
from timebank.ledger.contacts import ADDRESS_LENGTH_MAX, EMAIL_LENGTH_MAX, PHONE_LENGTH_MAX
from timebank.ledger.types import BalanceOnLeaving
from timebank.people.passwords import PASSWORD_LENGTH_MAX, PASSWORD_LENGTH_MIN

__all__ = [
    "BACKDATE_DAYS_MAX_LIMIT",
    "DEFAULT_BACKDATE_DAYS_MAX",
    "DEFAULT_MEMBER_FLOOR_MINUTES",
    "DEFAULT_MINUTES_PER_TRANSFER_MAX",
    "DEFAULT_ORGANISATION_FLOOR_MINUTES",
    "DEFAULT_PENDING_EXPIRY_DAYS",
    "MEMBERSHIP_END_REASON_LENGTH_MAX",
    "PENDING_EXPIRY_DAYS_MAX",
    "ROLES",
    "TAGS_MAX",
    "AddMember",
    "AddOrganisation",
    "AddStaff",
    "AskForReset",
    "ChangePassword",
    "CreateApiKey",
    "CreateTimebank",
    "EndMembership",
    "EraseMember",
    "IssuePasswordCode",
    "ResetPassword",
    "TurnLoginOff",
    "TurnLoginOn",
    "UpdateMember",
    "UpdateOrganisation",
    "UpdateTimebank",
    "UsePasswordCode",
]

ROLES = ("member", "coordinator")
TAGS_MAX = 20

DEFAULT_MEMBER_FLOOR_MINUTES = -10 * 60
DEFAULT_ORGANISATION_FLOOR_MINUTES = -500 * 60
DEFAULT_MINUTES_PER_TRANSFER_MAX = 24 * 60
DEFAULT_PENDING_EXPIRY_DAYS = 14
PENDING_EXPIRY_DAYS_MAX = 366
# Exchanges recorded one by one may be dated up to a year back: a quarter's paper timesheets, or a
# year's, typed in late, but not a mistyped year. A timebank may allow from 0 (today only) to ten
# years; its history older than that comes in through the bulk import, which this does not bind.
DEFAULT_BACKDATE_DAYS_MAX = 365
BACKDATE_DAYS_MAX_LIMIT = 3660

Role = Literal["member", "coordinator"]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")]
Username = Annotated[str, Field(min_length=3, max_length=100)]
Password = Annotated[str, Field(min_length=PASSWORD_LENGTH_MIN, max_length=PASSWORD_LENGTH_MAX)]
PendingExpiryDays = Annotated[StrictInt, Field(ge=1, le=PENDING_EXPIRY_DAYS_MAX)]
# How many days back an exchange may be dated: 0 (today only) to ten years.
BackdateDays = Annotated[
    StrictInt,
    Field(
        ge=0,
        le=BACKDATE_DAYS_MAX_LIMIT,
        description="How many days back members and coordinators may date an exchange (0: today only).",
    ),
]
# Contact details (timebank.ledger.contacts): the lengths here, the shapes in the use case.
ContactAddress = Annotated[
    str, Field(max_length=ADDRESS_LENGTH_MAX, description="A postal address; line breaks allowed.")
]
ContactEmail = Annotated[str, Field(max_length=EMAIL_LENGTH_MAX, description="An email address.")]
ContactPhone = Annotated[
    str,
    Field(max_length=PHONE_LENGTH_MAX, description="A phone number: digits, spaces, brackets, dashes, +."),
]

BalanceOnLeavingField = Annotated[
    BalanceOnLeaving,
    Field(
        description="What happens to a member's balance when their membership ends: 'kept' on their "
        "closed account, or 'to_pot', moved to the pot (which covers a balance below zero)."
    ),
]

# The default of a setting that may be left out of an update but never sent as null. Typed Any so
# that the field keeps its real type (and refuses null) while "absent" stays apart from "sent".
_ABSENT: Any = None


class CreateTimebank(Request):
    name: Name
    default_member_floor_minutes: FloorMinutes = DEFAULT_MEMBER_FLOOR_MINUTES
    default_member_cap_minutes: CapMinutes | None = None
    default_organisation_floor_minutes: FloorMinutes = DEFAULT_ORGANISATION_FLOOR_MINUTES
    minutes_per_transfer_max: Minutes = DEFAULT_MINUTES_PER_TRANSFER_MAX
    pending_expiry_days: PendingExpiryDays = DEFAULT_PENDING_EXPIRY_DAYS
    auto_confirm_pending: StrictBool = False
    require_both_sides: StrictBool = False
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    backdate_days_max: BackdateDays = DEFAULT_BACKDATE_DAYS_MAX
    balance_on_leaving: BalanceOnLeavingField = BalanceOnLeaving.KEPT


class UpdateTimebank(Request):
    """Only the settings sent change. ``null`` is taken only for the cap, where it removes the cap,
    and for a contact detail, which it clears."""

    name: Name = _ABSENT
    default_member_floor_minutes: FloorMinutes = _ABSENT
    default_member_cap_minutes: CapMinutes | None = None
    default_organisation_floor_minutes: FloorMinutes = _ABSENT
    minutes_per_transfer_max: Minutes = _ABSENT
    pending_expiry_days: PendingExpiryDays = _ABSENT
    auto_confirm_pending: StrictBool = _ABSENT
    require_both_sides: StrictBool = _ABSENT
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    backdate_days_max: BackdateDays = _ABSENT
    balance_on_leaving: BalanceOnLeavingField = _ABSENT


# A coordinator's words on why a membership ended: about a person, so short and erasable.
MEMBERSHIP_END_REASON_LENGTH_MAX = 500


class EndMembership(Request):
    """The last day of a membership (today or a day before it), and why it ended.

    The day is checked by the use case against today, the timebank's reach back in time and the
    member's last exchange; the reason is kept on the member's record, where an erasure can clear it.
    """

    ended_on: CalendarDate
    reason: Annotated[str, Field(min_length=1, max_length=MEMBERSHIP_END_REASON_LENGTH_MAX)]


class AddMember(Request):
    display_name: Name
    username: Username | None = None
    password: Password | None = None
    # The defaults are in Field() so that they are seen as a pydantic field's, copied for each request.
    roles: Annotated[list[Role], Field(max_length=2)] = Field(default=["member"])
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX)] = Field(default=[])
    floor_minutes: FloorMinutes | None = None
    cap_minutes: CapMinutes | None = None


class UpdateMember(Request):
    display_name: Name | None = None
    roles: Annotated[list[Role], Field(max_length=2)] | None = None
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX)] | None = None


class AddOrganisation(Request):
    name: Name
    floor_minutes: FloorMinutes | None = None
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None


class UpdateOrganisation(Request):
    """Only the contact details sent change; ``null`` (or blank) clears one."""

    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None


class AddStaff(Request):
    member_id: Id


class CreateApiKey(Request):
    label: Name


class ChangePassword(Request):
    current_password: Annotated[str, Field(min_length=1, max_length=PASSWORD_LENGTH_MAX)]
    new_password: Password


# --- ways back in (timebank.people.recovery) ------------------------------------------------------
_CODE_LENGTH_MAX = 40
_SECRET_LENGTH_MAX = 200


class IssuePasswordCode(Request):
    """A coordinator gives a member a set-password code: printed as a letter, or also emailed to the
    member's checked address (``send_by_email``)."""

    send_by_email: StrictBool = False


class UsePasswordCode(Request):
    """The code from the letter or email, a username (only for a member with no login yet) and the
    new password. The code may be typed with or without its dashes and spaces, in any case."""

    code: Annotated[str, Field(min_length=1, max_length=_CODE_LENGTH_MAX)]
    username: Username | None = None
    new_password: Password


class AskForReset(Request):
    """A username, or the checked email address of a member with a login."""

    username_or_email: Annotated[str, Field(min_length=1, max_length=EMAIL_LENGTH_MAX)]


class ResetPassword(Request):
    """The token from the reset link, and the new password."""

    token: Annotated[str, Field(min_length=1, max_length=_SECRET_LENGTH_MAX)]
    new_password: Password


class TurnLoginOff(Request):
    """Why the login is turned off (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class TurnLoginOn(Request):
    """Why the login is turned back on (kept in the audit log)."""

    reason: Annotated[str, Field(min_length=1, max_length=500)]


class EraseMember(Request):
    """The coordinator's confirmation that a member's personal data is to be erased, for good."""

    confirm: StrictBool = Field(
        description=(
            "true: erase this member's personal data now. It cannot be undone. Anything else is"
            " refused (erasure_not_confirmed) and changes nothing."
        )
    )
