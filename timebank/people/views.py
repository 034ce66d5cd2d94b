"""What the people use cases return: a timebank, a member, the directory, an organisation, an API
key, a login's token, and who is asking.

Each is the API's answer as it is (``timebank.views.View``). Ids are named for what they are in the
code (``member_id``, ``organisation_id``), so that one is never mistaken for another, and ``id`` in
the contract. A contact is three optional details, kept flat as the contract has them; ``contact``
gives them as the ledger's ``Contact``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from timebank.db.repositories import ApiKeyRecord, MemberRecord, OrganisationRecord, TimebankSettings
from timebank.ledger.contacts import Contact
from timebank.ledger.types import BalanceOnLeaving
from timebank.people.callers import Caller
from timebank.views import View

__all__ = [
    "ApiKeyView",
    "CallerView",
    "DirectoryEntry",
    "DirectoryPage",
    "ErasureView",
    "IssuedToken",
    "LoginStateView",
    "MemberPage",
    "MemberView",
    "MembershipEndView",
    "NewApiKey",
    "OrganisationPage",
    "OrganisationView",
    "PasswordCodeView",
    "PasswordSetView",
    "TimebankView",
]


class TimebankView(View):
    """A timebank and its settings."""

    timebank_id: int = Field(serialization_alias="id")
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
    balance_on_leaving: BalanceOnLeaving = Field(
        description="What happens to a member's balance when their membership ends: 'kept' on their "
        "closed account, or 'to_pot', moved to the pot (which covers a balance below zero)."
    )

    @classmethod
    def of(cls, settings: TimebankSettings) -> TimebankView:
        assert settings.pot_account_id is not None, "every timebank is created with its pot"
        return cls(
            timebank_id=settings.timebank_id,
            name=settings.name,
            pot_account_id=settings.pot_account_id,
            default_member_floor_minutes=settings.default_member_floor_minutes,
            default_member_cap_minutes=settings.default_member_cap_minutes,
            default_organisation_floor_minutes=settings.default_organisation_floor_minutes,
            minutes_per_transfer_max=settings.minutes_per_transfer_max,
            pending_expiry_days=settings.pending_expiry_days,
            auto_confirm_pending=settings.auto_confirm_pending,
            require_both_sides=settings.require_both_sides,
            contact_address=settings.contact_address,
            contact_email=settings.contact_email,
            contact_phone=settings.contact_phone,
            backdate_days_max=settings.backdate_days_max,
            balance_on_leaving=settings.balance_on_leaving,
        )

    @property
    def contact(self) -> Contact:
        return Contact(self.contact_address, self.contact_email, self.contact_phone)


class MemberView(View):
    member_id: int = Field(serialization_alias="id")
    timebank_id: int
    account_id: int
    display_name: str
    username: str | None
    roles: tuple[str, ...]
    tags: tuple[str, ...]
    organisation_ids: tuple[int, ...]
    membership_ended_on: date | None = Field(
        default=None,
        description="The last day of the membership, once it has ended; null while they are a member. "
        "From then on their account neither gives nor receives.",
    )
    erased_at: datetime | None = Field(
        default=None,
        description='When the member\'s personal data was erased (their name is then "Former member N").',
    )

    @classmethod
    def of(cls, record: MemberRecord) -> MemberView:
        return cls(
            member_id=record.member_id,
            timebank_id=record.timebank_id,
            account_id=record.account_id,
            display_name=record.display_name,
            username=record.username,
            roles=("member", "coordinator") if record.is_coordinator else ("member",),
            tags=record.tags,
            organisation_ids=record.organisation_ids,
            membership_ended_on=record.membership_ended_on,
            erased_at=record.erased_at,
        )


class MembershipEndView(View):
    """A membership just ended: its last day, what the timebank's setting did with the balance, and
    what was closed with it. The reason is not repeated here: it stays on the member's record."""

    member_id: int
    account_id: int
    membership_ended_on: date
    balance_on_leaving: BalanceOnLeaving
    balance_minutes: int = Field(description="The balance when the membership ended, before any move.")
    transaction_id: int | None = Field(
        description="The membership_end transaction that moved the balance to or from the pot; null "
        "when the balance was kept, or was zero."
    )
    cancelled_exchange_ids: tuple[int, ...] = Field(
        description="The exchanges that were waiting for confirmation with this member, now cancelled."
    )
    coordinator_role_removed: bool
    organisation_ids_left: tuple[int, ...] = Field(
        description="The organisations the member was staff of, and is no longer."
    )


class MemberPage(View):
    members: tuple[MemberView, ...]
    next_cursor: str | None


class DirectoryEntry(View):
    """What every member of a timebank may see of another: a name and an account to name in an exchange."""

    member_id: int
    account_id: int
    display_name: str


class DirectoryPage(View):
    members: tuple[DirectoryEntry, ...]
    next_cursor: str | None


class OrganisationView(View):
    organisation_id: int = Field(serialization_alias="id")
    timebank_id: int
    account_id: int
    name: str
    staff_member_ids: tuple[int, ...]
    contact_address: str | None
    contact_email: str | None
    contact_phone: str | None

    @classmethod
    def of(cls, record: OrganisationRecord) -> OrganisationView:
        return cls(
            organisation_id=record.organisation_id,
            timebank_id=record.timebank_id,
            account_id=record.account_id,
            name=record.name,
            staff_member_ids=record.staff_member_ids,
            contact_address=record.contact.address,
            contact_email=record.contact.email,
            contact_phone=record.contact.phone,
        )

    @property
    def contact(self) -> Contact:
        return Contact(self.contact_address, self.contact_email, self.contact_phone)


class OrganisationPage(View):
    organisations: tuple[OrganisationView, ...]
    next_cursor: str | None


class ApiKeyView(View):
    api_key_id: int = Field(serialization_alias="id")
    organisation_id: int
    label: str
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKeyView:
        return cls(
            api_key_id=record.api_key_id,
            organisation_id=record.organisation_id,
            label=record.label,
            created_at=record.created_at,
            revoked_at=record.revoked_at,
        )


class NewApiKey(ApiKeyView):
    """An API key just made, with its secret: the only time the secret is shown."""

    secret: str = Field(
        serialization_alias="key",
        description="The secret, shown this once. Send it as 'Authorization: Bearer <key>'.",
    )


class IssuedToken(View):
    """A bearer token for a login, and how many seconds it lasts."""

    access_token: str
    token_type: Literal["bearer"]
    expires_in: int


class CallerView(View):
    """Who is asking: their login or key, their timebank, member and account, and their roles."""

    caller: str
    is_admin: bool
    timebank_id: int | None
    member_id: int | None
    account_id: int | None
    roles: tuple[str, ...]
    organisation_account_ids: tuple[int, ...]

    @classmethod
    def of(cls, caller: Caller) -> CallerView:
        roles = []
        if caller.member_id is not None:
            roles.append("member")
        if caller.is_coordinator:
            roles.append("coordinator")
        if caller.organisation_account_ids:
            roles.append("organisation_staff" if caller.member_id is not None else "organisation_api_key")
        if caller.is_admin:
            roles.append("admin")
        return cls(
            caller=caller.caller,
            is_admin=caller.is_admin,
            timebank_id=caller.timebank_id,
            member_id=caller.member_id,
            account_id=caller.account_id,
            roles=tuple(roles),
            organisation_account_ids=tuple(sorted(caller.organisation_account_ids)),
        )


class PasswordCodeView(View):
    """A set-password code, shown once to the coordinator who issued it, to print or read out.

    ``username`` is the member's login if they have one (the code sets a new password for it);
    ``None`` means the code gives them a login, and they choose a username when they use it.
    """

    member_id: int
    display_name: str
    username: str | None
    code: str
    expires_at: datetime
    sent_by_email: bool


class PasswordSetView(View):
    """A password set with a code or a reset link: the username to log in with."""

    username: str


class LoginStateView(View):
    """Whether a member's login is on. A member with no login has ``username`` ``None``."""

    member_id: int
    username: str | None
    login_disabled: bool


class ErasureView(View):
    """What erasing a member changed, counted: nothing here is what was erased."""

    member_id: int
    account_id: int
    display_name: str = Field(description='The name the member goes by from now on: "Former member N".')
    erased_at: datetime
    texts_replaced: int = Field(
        description="Pieces of free text they wrote or that were about them, replaced by a neutral text."
    )
    records_deleted: int = Field(
        description=(
            "Records that only identified or reached them (email, tags, tokens, codes, messages,"
            " a benefits declaration, stored replies), deleted."
        )
    )
