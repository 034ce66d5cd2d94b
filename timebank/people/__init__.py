"""People and access: timebanks, members, organisations and their staff, logins and API keys.

A **timebank** is one community (the tenant); its **members** are people, some of them
**coordinators** who run it; an **organisation** is a service or partner with its own account, whose
**staff** are members linked to it. A **login** is a username and an argon2id password hash; a
session is an opaque bearer token stored as its SHA-256; an organisation's **API key** acts for its
account only. ``Caller`` is who is asking, resolved once from a credential at the edge, and every
use case here and elsewhere judges it: deny by default, and another timebank's objects are "not
found" whoever asks (``tenancy``).

    requests        what these use cases are asked (the API's request bodies)
    views           what they return (the API's response bodies)
    callers         who is asking, and the checks every use case makes of them
    access          logging in and out, tokens, API keys as credentials, changing a password
    passwords       argon2id hashing and the shape of usernames and passwords
    timebanks       creating a timebank and changing its settings
    members         adding, reading, changing members; the directory members see
    organisations   organisations, their staff, contact details and API keys
    tenancy         another timebank's objects answer "not found", whatever the role
    housekeeping    forgetting expired tokens, old failed logins and old idempotency keys
    member_data     everything held about a member, read for them to download (UK GDPR); imported
                    from its module, as it reads the other concepts' records too
    membership      ending a membership: the account closes, the balance is kept or moved to the
                    pot, waiting exchanges are cancelled; imported from its module, as it posts
                    through the exchanges' posting and audits through involvement's trail
    erasure         erasing a member's personal data on request (UK GDPR): "Former member N", the
                    ledger's rows untouched; imported from its module, as it changes the other
                    concepts' records too
"""

from timebank.people.access import authenticate, change_password, create_admin, log_in, log_out
from timebank.people.callers import Caller
from timebank.people.members import add_member, directory, get_member, list_members, update_member
from timebank.people.organisations import (
    add_organisation,
    add_staff,
    create_api_key,
    get_organisation,
    list_organisations,
    remove_staff,
)
from timebank.people.timebanks import change_settings, create_timebank, list_timebanks, read_timebank
from timebank.people.views import (
    ApiKeyView,
    CallerView,
    DirectoryPage,
    IssuedToken,
    MemberPage,
    MemberView,
    NewApiKey,
    OrganisationPage,
    OrganisationView,
    TimebankView,
)

__all__ = [
    "ApiKeyView",
    "Caller",
    "CallerView",
    "DirectoryPage",
    "IssuedToken",
    "MemberPage",
    "MemberView",
    "NewApiKey",
    "OrganisationPage",
    "OrganisationView",
    "TimebankView",
    "add_member",
    "add_organisation",
    "add_staff",
    "authenticate",
    "change_password",
    "change_settings",
    "create_admin",
    "create_api_key",
    "create_timebank",
    "directory",
    "get_member",
    "get_organisation",
    "list_members",
    "list_organisations",
    "list_timebanks",
    "log_in",
    "log_out",
    "read_timebank",
    "remove_staff",
    "update_member",
]
