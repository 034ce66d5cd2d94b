"""Request and response bodies: the JSON contract of DESIGN §6, with a limit on everything.

Request models forbid unknown fields, so a caller cannot slip in ``balance_minutes``, ``roles`` on
an exchange or another timebank's id. Quantities are strict integers (``60.0``, ``"60"`` and
``true`` are refused, never rounded or coerced). Every string and list has a maximum length, and
ids are bounded to what the databases can store.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StrictBool, StrictInt

from timebank.ledger.contacts import ADDRESS_LENGTH_MAX, EMAIL_LENGTH_MAX, PHONE_LENGTH_MAX
from timebank.ledger.limits import (
    NAME_LENGTH_MAX,
)
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.people.members import TAGS_MAX
from timebank.people.timebanks import BACKDATE_DAYS_MAX_LIMIT, DEFAULT_BACKDATE_DAYS_MAX

__all__ = [
    "ID_MAX",
    "ApiKeyCreate",
    "ApiKeyCreated",
    "ApiKeyOut",
    "Health",
    "MeOut",
    "MemberCreate",
    "MemberOut",
    "MemberPageOut",
    "MemberUpdate",
    "OrganisationCreate",
    "OrganisationOut",
    "OrganisationPageOut",
    "OrganisationUpdate",
    "PasswordChange",
    "Problem",
    "StaffAdd",
    "TimebankCreate",
    "TimebankOut",
    "TimebankUpdate",
    "TokenOut",
]

ID_MAX = 2**63 - 1
# Floors and caps: a year of hours either way is far beyond any real timebank's limit.
LIMIT_MINUTES_MAX = 366 * 24 * 60

Id = Annotated[StrictInt, Field(ge=1, le=ID_MAX)]
Minutes = Annotated[StrictInt, Field(ge=1, le=MINUTES_PER_TRANSFER_MAX)]
FloorMinutes = Annotated[StrictInt, Field(ge=-LIMIT_MINUTES_MAX, le=0)]
CapMinutes = Annotated[StrictInt, Field(ge=0, le=LIMIT_MINUTES_MAX)]
Name = Annotated[str, Field(min_length=1, max_length=NAME_LENGTH_MAX)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[a-z0-9_]+$")]
# Contact details (timebank.ledger.contacts): the lengths here, the shapes in the service.
ContactAddress = Annotated[
    str, Field(max_length=ADDRESS_LENGTH_MAX, description="A postal address; line breaks allowed.")
]
ContactEmail = Annotated[str, Field(max_length=EMAIL_LENGTH_MAX, description="An email address.")]
ContactPhone = Annotated[
    str,
    Field(max_length=PHONE_LENGTH_MAX, description="A phone number: digits, spaces, brackets, dashes, +."),
]
Role = Literal["member", "coordinator"]
# How many days back an exchange may be dated: 0 (today only) to ten years.
BackdateDays = Annotated[
    StrictInt,
    Field(
        ge=0,
        le=BACKDATE_DAYS_MAX_LIMIT,
        description="How many days back members and coordinators may date an exchange (0: today only).",
    ),
]


def _calendar_date_only(value: object) -> object:
    # Pydantic would also read 1714521600 or "2024-05-01T00:00:00" as a date; a person means a day.
    if not (isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-"):
        raise ValueError("give the date as YYYY-MM-DD")
    return value


CalendarDate = Annotated[date, BeforeValidator(_calendar_date_only)]


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Problem(BaseModel):
    """RFC 9457 problem details; ``code`` names the rule that was broken."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[dict[str, object]] | None = None


class Health(BaseModel):
    status: str
    database: str


class TokenOut(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class MeOut(BaseModel):
    caller: str
    is_admin: bool
    timebank_id: int | None
    member_id: int | None
    account_id: int | None
    roles: list[str]
    organisation_account_ids: list[int]


class PasswordChange(_Request):
    current_password: Annotated[str, Field(min_length=1, max_length=200)]
    new_password: Annotated[str, Field(min_length=8, max_length=200)]


class TimebankCreate(_Request):
    name: Name
    default_member_floor_minutes: FloorMinutes = -10 * 60
    default_member_cap_minutes: CapMinutes | None = None
    default_organisation_floor_minutes: FloorMinutes = -500 * 60
    minutes_per_transfer_max: Minutes = 24 * 60
    pending_expiry_days: Annotated[StrictInt, Field(ge=1, le=366)] = 14
    auto_confirm_pending: StrictBool = False
    require_both_sides: StrictBool = False
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    backdate_days_max: BackdateDays = DEFAULT_BACKDATE_DAYS_MAX


# The default of a setting that may be left out of an update but never sent as null. Typed Any so
# that the field keeps its real type (and refuses null) while "absent" stays apart from "sent".
_ABSENT: Any = None


class TimebankUpdate(_Request):
    """Only the settings sent change. ``null`` is taken only for the cap, where it removes the cap,
    and for a contact detail, which it clears."""

    name: Name = _ABSENT
    default_member_floor_minutes: FloorMinutes = _ABSENT
    default_member_cap_minutes: CapMinutes | None = None
    default_organisation_floor_minutes: FloorMinutes = _ABSENT
    minutes_per_transfer_max: Minutes = _ABSENT
    pending_expiry_days: Annotated[StrictInt, Field(ge=1, le=366)] = _ABSENT
    auto_confirm_pending: StrictBool = _ABSENT
    require_both_sides: StrictBool = _ABSENT
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None
    backdate_days_max: BackdateDays = _ABSENT


class TimebankOut(BaseModel):
    id: int
    name: str
    pot_account_id: int
    default_member_floor_minutes: int
    default_member_cap_minutes: int | None
    default_organisation_floor_minutes: int
    minutes_per_transfer_max: int
    pending_expiry_days: int
    auto_confirm_pending: bool
    require_both_sides: bool
    contact_address: str | None
    contact_email: str | None
    contact_phone: str | None
    backdate_days_max: int


class MemberCreate(_Request):
    display_name: Name
    username: Annotated[str, Field(min_length=3, max_length=100)] | None = None
    password: Annotated[str, Field(min_length=8, max_length=200)] | None = None
    roles: Annotated[list[Role], Field(max_length=2)] = ["member"]
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX)] = []
    floor_minutes: FloorMinutes | None = None
    cap_minutes: CapMinutes | None = None


class MemberUpdate(_Request):
    display_name: Name | None = None
    roles: Annotated[list[Role], Field(max_length=2)] | None = None
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX)] | None = None


class MemberOut(BaseModel):
    id: int
    timebank_id: int
    account_id: int
    display_name: str
    username: str | None
    roles: list[str]
    tags: list[str]
    organisation_ids: list[int]


class MemberPageOut(BaseModel):
    members: list[MemberOut]
    next_cursor: str | None


class OrganisationCreate(_Request):
    name: Name
    floor_minutes: FloorMinutes | None = None
    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None


class OrganisationUpdate(_Request):
    """Only the contact details sent change; ``null`` (or blank) clears one."""

    contact_address: ContactAddress | None = None
    contact_email: ContactEmail | None = None
    contact_phone: ContactPhone | None = None


class OrganisationOut(BaseModel):
    id: int
    timebank_id: int
    account_id: int
    name: str
    staff_member_ids: list[int]
    contact_address: str | None
    contact_email: str | None
    contact_phone: str | None


class OrganisationPageOut(BaseModel):
    organisations: list[OrganisationOut]
    next_cursor: str | None


class StaffAdd(_Request):
    member_id: Id


class ApiKeyCreate(_Request):
    label: Name


class ApiKeyOut(BaseModel):
    id: int
    organisation_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="The secret, shown this once. Send it as 'Authorization: Bearer <key>'.")
