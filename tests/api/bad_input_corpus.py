"""The bad-input corpus: for every write, sent everything a careless or hostile client might.

Every write of the OpenAPI document is here (a test fails when one is missing), each with a corpus of
bad requests built from what it takes and what it answers when given the right thing.

A write that takes a JSON body (record an exchange, give credits, reverse, add and update a member,
add an organisation or change its contact details, add staff, make an API key, set limits, create
or update a timebank, set the report's rating thresholds, change a password, erase a member's
personal data (also sent ``confirm`` false, refused as ``erasure_not_confirmed``); create an activity,
record its attendance, check a payment, record an expense, set a benefits declaration, offer a
spend option, spend credits on one; end a membership; add and change a category, post and change
an offer or request, hide one, write to a post's member)
is sent JSON that is malformed, truncated, not UTF-8, nested too deep, with a name given twice, or
not an object at all; every minutes field as a string, a float (1.5 and 60.0), a bool, null, 0,
negative, 2**63 and 2**64; every pence field (and miles, and pence per mile) likewise, each refused
by its own rule's code (``Count``); every rating threshold (a whole percentage) likewise, and below
0 or above 100, refused as ``rating_threshold_out_of_range``, and each figure's pair the wrong way
round for its direction as ``rating_thresholds_out_of_order``; every id field likewise, and as
another timebank's id; every text field with NUL, ESC, a bidi override, a lone surrogate escape, too
long and 1 MB long; every day as a day that is not, a date-time, a Unix time, empty and null, and
an exchange's day as tomorrow, far ahead, in 1901 and in year 1 (``activity_date_in_future``,
``activity_date_too_far_back``), and a membership's last day likewise
(``membership_end_date_in_future``, ``membership_end_date_too_far_back``) and its reason as spaces
(``reason_required``); a timebank's ``backdate_days_max`` below 0, above ten years or not a
whole number, and its ``balance_on_leaving`` as anything but ``kept`` or ``to_pot``; an attendee
down for more minutes than the activity lasted, and attendance at an activity a week ahead; every
name from a short list (a classification, a choice, a discriminator's ``kind``, a spend option's
class) unknown or misspelt, refused by its own rule's code where it has one
(``Operation.enum_codes``); fields the schema does not have (``balance_minutes``, ``timebank_id``,
``roles`` on an exchange, pence beside an attendee's minutes ...); text/plain, form and multipart
bodies; bodies past the size limit, declared or streamed. A field that may be null is not sent null
as a fault (``Operation.optional``).

A write that takes no body (confirm, decline and cancel an exchange, log out, remove staff, revoke
an API key, delete a benefits declaration, withdraw a spend option, close, reopen and show a post)
is sent one: JSON, malformed
JSON, 1 MB, streamed, text, a form; deleting a declaration for a member is also sent without the
member's say-so, or with one that is not true. Logging in takes a form: it is sent JSON instead,
empty and malformed forms, each field missing, empty, too long, 1 MB long or given twice, the
credentials in the query string, and usernames with control characters. A failed login is recorded
by design (the limiter counts guesses), so the login corpus holds only requests refused before the
credentials are looked at, and the login_failures table stays in the comparison to prove it; a wrong
password or a username that is merely unknown is left out.

Every write is also sent with two ``Authorization`` headers (the caller's, then another member's),
refused at the edge as ``authorization_header_repeated`` whoever either names.

Every write with an id in its path gets ids that are not ids (0, -1, 2**64, "abc" ...), one that
does not exist, and another timebank's. Every keyed write is sent without an Idempotency-Key, with
malformed keys, and with the key of a request it accepted before the corpus began: with another
request, which is refused with ``idempotency_key_reused``; and with that same request, which is a
replay, answered with the first status and the very same bytes.

Each request but the replay must be answered with a 4xx ``application/problem+json`` carrying
``type``, ``title``, ``status``, ``detail`` and ``code`` (the specific code where one rule is plainly
broken), and the database must be exactly as before: every row of both timebanks and the row count
of every table. Rows are allowed, by design, to the cases that name them (``Case.records``), and
only there: a payment refused for want of the acknowledgement the benefit guard asks for leaves the
guard's check, warning and refusal in the audit log (and must), as spending credits on goods or a
voucher without the member's acknowledgement leaves the check and the refusal; and spending on a
withdrawn option, a refusal for the state the request met, is recorded under its Idempotency-Key
as the key's first answer (timebank/exchanges/idempotency.py), and is answered the same when the key
is sent again. A 5xx is a bug. One test per operation and backend runs its whole corpus and
reports every case that went wrong, so one run shows them all; it then sends the valid requests the
corpus was built from (the body, and any ``alternatives``), which must be accepted, so the refusals
are the corpus' doing.

``arrange`` and ``run_corpus`` work through any httpx client, a TestClient or one of a real
server's: tests/reliability/test_bad_input_live.py sends the same corpus to ``timebank serve``.
"""

from __future__ import annotations

import copy
import json
import re
import secrets
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlencode

import httpx
from httpx import Response
from sqlalchemy import Engine

from tests.involvement_calls import create_activity, create_spend_option, invite_members, set_declaration
from tests.notification_calls import verification_token
from tests.offer_calls import category_id_named, post_for
from tests.people_calls import add_member, add_organisation, create_api_key
from timebank.api.problems import PROBLEM_TYPE_BASE
from timebank.benefits.activities import ATTENDEES_MAX, ActivityClassification
from timebank.benefits.checks import PENCE_MAX
from timebank.benefits.money import MILES_MAX, PENCE_PER_MILE_MAX
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db import run
from timebank.imports import ImportSource, SourceFile, check_upload
from timebank.imports.uploads import UPLOAD_BYTES_MAX, UPLOAD_REQUEST_BYTES_MAX
from timebank.notifications import set_email, verify_email
from timebank.notifications.keys import preferences_of, unsubscribe_token
from timebank.notifications.requests import SetEmail, VerifyEmail
from timebank.offers import AddCategory, HidePost, add_category, close_post, hide_post
from timebank.people.callers import Caller
from timebank.people.recovery import (
    ask_for_reset,
    issue_password_code,
    turn_login_off,
    use_password_code,
)
from timebank.people.requests import AskForReset, IssuePasswordCode, TurnLoginOff, UsePasswordCode
from timebank.settings import get_settings
from timebank.spending.spends import withdraw_spend_option

from .conftest import PASSWORD, World
from .db_snapshot import row_counts, snapshot

__all__ = [
    "CASES_MIN",
    "FORM",
    "KEY_REUSED_CASES",
    "OPERATIONS",
    "OPERATION_BY_NAME",
    "Arranged",
    "Case",
    "Count",
    "Operation",
    "Outcome",
    "Prior",
    "arrange",
    "corpus",
    "judge",
    "own_address",
    "run_corpus",
    "send",
    "timebank_rows",
    "unchanged_problems",
    "valid_alternatives",
    "valid_request",
]

Path = tuple[str | int, ...]  # where a field sits in a body: ("receivers", 0, "minutes")
Arranged = dict[str, Any]

BODY_BYTES_MAX = get_settings().request_body_bytes_max
ID_MAX = 2**63 - 1
ONE_MB = "x" * (1 << 20)
RAW = "@@raw@@"  # stands for a JSON token that json.dumps cannot write (NaN, a lone surrogate ...)
FORM = "application/x-www-form-urlencoded"
MULTIPART_BOUNDARY = "corpus-boundary-7d1f"
MULTIPART = f"multipart/form-data; boundary={MULTIPART_BOUNDARY}"
IMPORT_MEMBERS = b"name\r\nDora Import\r\nEli Import\r\n"
IMPORT_REFUSED = {"import_refused"}
CONTROL_CHARACTERS = (("NUL", "\x00"), ("ESC", "\x1b"), ("DEL", "\x7f"), ("U+202E", "\u202e"))

JSON_INVALID = {"json_invalid"}
REQUEST_INVALID = {"request_invalid"}
REQUIRED = {"field_required"}
WHOLE = {"minutes_must_be_whole"}
POSITIVE = {"minutes_must_be_positive"}
ABOVE_LIMIT = {"minutes_above_transfer_limit"}
CONTROL = {"text_has_control_characters"}
TOO_LARGE = {"request_body_too_large"}
NOT_JSON = {"content_type_unsupported"}
NO_BODY = {"request_body_unexpected"}
UNKNOWN_FIELD = {"unknown_field"}
TEXT_REQUIRED = {"text_required"}
MEMBER_REQUIRED = {"member_account_required"}
PERCENT = {"rating_threshold_out_of_range"}
OUT_OF_ORDER = {"rating_thresholds_out_of_order"}
ANY: set[str] | None = None  # any code will do; the status is still checked

# What a refused request may leave behind by design, named on its case (``Case.records``): a payment
# refused for want of an acknowledgement leaves the audit rows of the guard's check, its warning and
# the refusal, written after the rollback (timebank/involvement/attendance.py), and nothing else; a
# spend on goods or a voucher refused for want of the member's acknowledgement leaves the check and
# the refusal (timebank/spending/guard.py).
AUDITED = frozenset({"audit_log"})
REFUSAL_AUDIT_ACTIONS = frozenset(
    {"payment_checked", "payment_warned", "payment_refused", "spend_checked", "spend_refused"}
)
# A keyed write refused for the state it met (spending on a withdrawn option) records the refusal
# under its key, as the key's first answer, and nothing else (timebank/exchanges/idempotency.py).
KEYED_REFUSAL = frozenset({"idempotency_keys"})

# The fewest cases an operation's corpus may hold, by what it takes (a body-less write has only its
# path, its key and the bodies it must refuse; logging out has no path id and no key).
CASES_MIN = {"json": 60, "form": 20, "multipart": 20, "nothing": 10}


# --- the operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Count:
    """A whole number with rules of its own: its codes for not whole, not above zero, above its limit."""

    whole: str
    positive: str
    above: str
    limit: int


PENCE = Count("pence_must_be_whole", "pence_must_be_positive", "pence_above_limit", PENCE_MAX)
MILES = Count("miles_must_be_whole", "miles_must_be_positive", "miles_above_limit", MILES_MAX)
RATE = Count(
    "mileage_rate_must_be_whole",
    "mileage_rate_must_be_positive",
    "mileage_rate_above_limit",
    PENCE_PER_MILE_MAX,
)


@dataclass(frozen=True)
class Operation:
    """A write, with what the corpus needs to know about what it takes.

    A field is named by its path in the valid body, or in one of ``alternatives`` (valid bodies of
    another shape, such as an expense's mileage evidence where the body has a receipt): each field's
    cases are built from the first body that has it.
    """

    name: str
    method: str
    path: str  # a template over the arranged ids: "/v1/timebanks/{tb}/exchanges/{exchange}/reverse"
    # The valid body the corpus is built from (form fields, for a form); None: the write takes none.
    body: Callable[[World, Arranged], dict[str, Any]] | None
    role: str = "coordinator"
    keyed: bool = False
    form: bool = False
    # Files sent as multipart/form-data (an upload of files to import): the body gives its fields.
    multipart: bool = False
    # Placeholders of the path, each with the code for an id that does not exist (or is elsewhere).
    path_ids: dict[str, str] = field(default_factory=dict)
    minutes: tuple[Path, ...] = ()
    # Id fields, each with the code for an id that does not exist or is another timebank's.
    ids: dict[Path, str] = field(default_factory=dict)
    # Text fields, each with the code named for control characters and for too much text.
    texts: dict[Path, tuple[set[str], set[str]]] = field(default_factory=dict)
    floors: tuple[Path, ...] = ()
    caps: tuple[Path, ...] = ()
    other_numbers: tuple[Path, ...] = ()  # whole-number settings with no rule code of their own
    bools: tuple[Path, ...] = ()
    unknown_fields: tuple[str, ...] = ()
    counts: dict[Path, Count] = field(default_factory=dict)  # pence, miles, pence per mile
    percents: tuple[Path, ...] = ()  # rating thresholds: whole percentages from 0 to 100
    dates: tuple[Path, ...] = ()  # days, as YYYY-MM-DD
    # A body of one token has fewer ways to be wrong than CASES_MIN counts on: it says its own.
    cases_min: int | None = None
    enums: tuple[Path, ...] = ()  # one of a few names (a discriminator's included)
    # The code for a name not on an enum's list, where the rule has one of its own (else request_invalid).
    enum_codes: dict[Path, str] = field(default_factory=dict)
    optional: tuple[Path, ...] = ()  # fields that may be null: no null among their cases
    alternatives: tuple[Callable[[World, Arranged], dict[str, Any]], ...] = ()
    query: str = ""  # the query string of every request (without its "?"), unless a case names its own
    # The prior request's path (keyed writes): placeholders, each with the arranged id it names there.
    prior_path: dict[str, str] = field(default_factory=dict)

    @property
    def takes(self) -> str:
        """What the body is: "json", "form", "multipart" or "nothing"."""
        if self.body is None:
            return "nothing"
        return "form" if self.form else "multipart" if self.multipart else "json"


PLAIN_TEXT = (CONTROL, {"text_too_long"})
# The password set with a code or a reset link: long enough for the password rule.
NEW_PASSWORD = "a brand new password"
# An organisation's or a timebank's contact details: text, each with its own shape checked after.
CONTACT = {
    "contact_address": "1 Hospital Road\nRiverside RV1 2AB",
    "contact_email": "involvement@riverside.example",
    "contact_phone": "01632 960000",
}
CONTACT_TEXTS: dict[Path, tuple[set[str], set[str]]] = {(name,): PLAIN_TEXT for name in CONTACT}


def _exchange_body(w: World, a: Arranged) -> dict[str, Any]:
    return {
        "giver_account_id": w.account_ids["member"],
        "receivers": [{"account_id": w.account_ids["other_member"], "minutes": 60}],
        "activity_date": "2024-05-01",
        "description": "dug the vegetable patch",
        "category": "gardening",
    }


# Recognising involvement: an activity of the organisation, who came and what each chose, money.
ACKNOWLEDGEMENT = "Advised to tell the benefit office; form B signed"


FORUM: dict[str, Any] = {
    "title": "Mental health user forum",
    "held_on": "2024-03-12",
    "duration_minutes": 120,
    "classification": ActivityClassification.USES_SERVICES.value,
    "purpose": "Shaping the crisis line with the people who use it",
}


def _activity_body(w: World, a: Arranged) -> dict[str, Any]:
    return dict(FORUM)


def _attendance_body(w: World, a: Arranged) -> dict[str, Any]:
    """Three attendees: credits; a smaller payment, acknowledged (other_member has declared benefits,
    see ``arrange``); and a payment to a charity. Every choice's detail is there to be broken."""
    return {
        "attendees": [
            {"account_id": w.account_ids["member"], "minutes": 120, "choice": "credits"},
            {
                "account_id": w.account_ids["other_member"],
                "minutes": 120,
                "choice": "reduced_payment",
                "reduced_pence": 1500,
                "acknowledgement": ACKNOWLEDGEMENT,
            },
            {
                "account_id": w.account_ids["coordinator"],
                "minutes": 90,
                "choice": "charity",
                "charity_name": "Riverside Food Bank",
            },
        ],
        "offer": {
            "amount_pence": 2500,
            "kind": "cash",
            "period_kind": "week",
            "from_on": "2024-03-11",
            "to_on": "2024-03-18",
            "description": "Thank-you payment for the forum",
        },
        "paid_on": "2024-03-12",
    }


def _expense_body(w: World, a: Arranged) -> dict[str, Any]:
    return {
        "account_id": w.account_ids["member"],
        "amount_pence": 450,
        "evidence": {"kind": "receipt", "reference": "Bus ticket 0412", "evidenced_pence": 450},
        "description": "Bus fare to the forum",
        "incurred_on": "2024-03-12",
        "activity_id": a["activity"],
    }


def _mileage_body(w: World, a: Arranged) -> dict[str, Any]:
    """The expense against a mileage calculation: 10 miles at 45p."""
    journey = {"kind": "mileage", "journey": "Home to the trust and back", "miles": 10, "pence_per_mile": 45}
    return {**_expense_body(w, a), "evidence": journey}


# Spending credits on what an organisation offers: a voucher, the class that needs the acknowledgement
# of a member who declared benefits (other_member has, see ``arrange``).
VOUCHER: dict[str, Any] = {"title": "Cafe voucher", "minutes": 30, "spend_class": SpendClass.VOUCHER.value}
SPEND_ACKNOWLEDGEMENT = "I understand this voucher may affect my benefits"


def _spend_body(w: World, a: Arranged) -> dict[str, Any]:
    return {"account_id": w.account_ids["other_member"], "acknowledgement": SPEND_ACKNOWLEDGEMENT}


# Offers and requests: a request for a lift, made by a coordinator for the member.
def _post_body(w: World, a: Arranged) -> dict[str, Any]:
    return {
        "kind": "request",
        "category_id": category_id_named(w.engine, w.timebank_id, "Lifts"),
        "title": "Lift to the clinic",
        "description": "On Tuesday mornings, back by noon",
        "area": "Riverside",
        "availability": "Tuesday mornings",
        "expires_on": (utc_now().date() + timedelta(days=30)).isoformat(),
        "member_id": w.member_ids["member"],
    }


def _post_change(w: World, a: Arranged) -> dict[str, Any]:
    body = _post_body(w, a)
    del body["kind"], body["member_id"]
    return body | {"title": "Lift to the surgery"}


# The report's rating thresholds: every figure its own, none of them the default.
RATINGS: dict[str, dict[str, int]] = {
    "active_rate": {"amber_from_percent": 30, "green_from_percent": 60},
    "two_way_rate": {"amber_from_percent": 20, "green_from_percent": 45},
    "uses_services_giving_rate": {"amber_from_percent": 30, "green_from_percent": 65},
    "top20_share": {"green_below_percent": 55, "red_above_percent": 75},
    "largest_scc_share": {"amber_from_percent": 25, "green_from_percent": 55},
}


OPERATIONS = [
    Operation(
        "record_exchange",
        "POST",
        "/v1/timebanks/{tb}/exchanges",
        _exchange_body,
        keyed=True,
        path_ids={"tb": "timebank_not_found"},
        minutes=(("receivers", 0, "minutes"),),
        ids={
            ("giver_account_id",): "account_not_found",
            ("receivers", 0, "account_id"): "account_not_found",
            ("post_id",): "post_not_found",
        },
        texts={("description",): PLAIN_TEXT, ("category",): PLAIN_TEXT},
        optional=(("post_id",),),
        # The same help recorded from the member's offer.
        alternatives=(lambda w, a: {**_exchange_body(w, a), "post_id": a["post"]},),
        unknown_fields=("roles", "status", "transaction_id", "awaiting_consent_from"),
    ),
    Operation(
        "give_credits",
        "POST",
        "/v1/timebanks/{tb}/gifts",
        lambda w, a: {
            "from_account_id": w.account_ids["coordinator"],
            "to_account_id": w.account_ids["member"],
            "minutes": 30,
            "note": "for the lifts to the clinic",
        },
        keyed=True,
        path_ids={"tb": "timebank_not_found"},
        minutes=(("minutes",),),
        ids={("from_account_id",): "account_not_found", ("to_account_id",): "account_not_found"},
        texts={("note",): PLAIN_TEXT},
        unknown_fields=("kind", "reverses_transaction_id"),
    ),
    Operation(
        "reverse_exchange",
        "POST",
        "/v1/timebanks/{tb}/exchanges/{exchange}/reverse",
        lambda w, a: {"reason": "recorded twice"},
        keyed=True,
        path_ids={"tb": "timebank_not_found", "exchange": "exchange_not_found"},
        prior_path={"exchange": "reversible"},  # its own exchange: the control reverses the arranged one
        texts={("reason",): PLAIN_TEXT},
        unknown_fields=("exchange_id", "minutes"),
    ),
    Operation(
        "add_member",
        "POST",
        "/v1/timebanks/{tb}/members",
        lambda w, a: {
            "display_name": "Dee",
            "username": f"dee_{uuid.uuid4().hex[:10]}",
            "password": "a long enough password",
            "roles": ["member"],
            "tags": ["neighbour"],
            "floor_minutes": -120,
            "cap_minutes": 600,
        },
        path_ids={"tb": "timebank_not_found"},
        texts={
            ("display_name",): PLAIN_TEXT,
            ("username",): ({"username_invalid"}, {"username_invalid"}),
            ("tags", 0): ({"tag_invalid"}, {"tag_invalid"}),
        },
        floors=(("floor_minutes",),),
        caps=(("cap_minutes",),),
        unknown_fields=("is_admin", "account_id", "password_hash", "login_id"),
    ),
    Operation(
        "update_member",
        "PATCH",
        "/v1/timebanks/{tb}/members/{member}",
        lambda w, a: {"display_name": "Member Renamed", "roles": ["member"], "tags": ["renamed"]},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        texts={("display_name",): PLAIN_TEXT, ("tags", 0): ({"tag_invalid"}, {"tag_invalid"})},
        unknown_fields=("username", "password", "account_id", "is_admin"),
    ),
    # Ending a membership: its own member for the control, another for the prior request.
    Operation(
        "end_membership",
        "POST",
        "/v1/timebanks/{tb}/members/{leaving}/membership-end",
        lambda w, a: {"ended_on": utc_now().date().isoformat(), "reason": "Moved away"},
        keyed=True,
        path_ids={"tb": "timebank_not_found", "leaving": "member_not_found"},
        prior_path={"leaving": "left"},
        texts={("reason",): PLAIN_TEXT},
        unknown_fields=("balance_on_leaving", "transaction_id", "membership_ended_on", "member_id"),
    ),
    # Erasing a member's personal data: the one field says it is meant, and only true will do.
    Operation(
        "erase_member",
        "POST",
        "/v1/timebanks/{tb}/members/{member}/erasure",
        lambda w, a: {"confirm": True},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        bools=(("confirm",),),
        unknown_fields=("display_name", "reason", "member_id", "keep_name"),
        cases_min=40,
    ),
    # Being told: a member's address and preferences, and the tokens of the two links.
    Operation(
        "set_member_email",
        "PUT",
        "/v1/timebanks/{tb}/members/{member}/email",
        lambda w, a: {"email": "member@riverside.example"},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        texts={("email",): ({"text_has_control_characters"}, {"text_too_long"})},
        unknown_fields=("email_verified_at", "verified", "member_id"),
    ),
    Operation(
        "set_notification_preferences",
        "PUT",
        "/v1/timebanks/{tb}/members/{member}/notification-preferences",
        lambda w, a: {"exchange_confirmed": False},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        bools=(("exchange_confirmed",),),
        unknown_fields=("email_verification", "member_id", "always_sent", "exchange_reversed"),
    ),
    Operation(
        "verify_email",
        "POST",
        "/v1/email/verify",
        lambda w, a: {"token": a["verification_token"]},
        texts={("token",): ({"text_has_control_characters"}, {"text_too_long"})},
        unknown_fields=("email", "member_id"),
        cases_min=40,
    ),
    Operation(
        "unsubscribe",
        "POST",
        "/v1/notifications/unsubscribe",
        lambda w, a: {"token": a["unsubscribe_token"]},
        texts={("token",): ({"text_has_control_characters"}, {"text_too_long"})},
        unknown_fields=("kind", "member_id"),
        cases_min=40,
    ),
    Operation(
        "add_organisation",
        "POST",
        "/v1/timebanks/{tb}/organisations",
        lambda w, a: {"name": "Riverside Library", "floor_minutes": -600, **CONTACT},
        path_ids={"tb": "timebank_not_found"},
        texts={("name",): PLAIN_TEXT, **CONTACT_TEXTS},
        floors=(("floor_minutes",),),
        unknown_fields=("account_id", "staff_member_ids", "contact_name"),
    ),
    Operation(
        "update_organisation",
        "PATCH",
        "/v1/timebanks/{tb}/organisations/{organisation}",
        lambda w, a: dict(CONTACT),
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        texts=CONTACT_TEXTS,
        unknown_fields=("name", "floor_minutes", "account_id", "staff_member_ids", "contact_name"),
    ),
    Operation(
        "add_staff",
        "POST",
        "/v1/timebanks/{tb}/organisations/{organisation}/staff",
        lambda w, a: {"member_id": w.member_ids["other_member"]},
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        ids={("member_id",): "member_not_found"},
        unknown_fields=("organisation_id", "is_coordinator"),
    ),
    Operation(
        "create_api_key",
        "POST",
        "/v1/timebanks/{tb}/organisations/{organisation}/api-keys",
        lambda w, a: {"label": "volunteer rota"},
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        texts={("label",): PLAIN_TEXT},
        unknown_fields=("key", "secret", "organisation_id", "revoked_at"),
    ),
    Operation(
        "set_limits",
        "PUT",
        "/v1/timebanks/{tb}/accounts/{account}/limits",
        lambda w, a: {"floor_minutes": -300, "cap_minutes": 3000, "reason": "annual review"},
        path_ids={"tb": "timebank_not_found", "account": "account_not_found"},
        texts={("reason",): PLAIN_TEXT},
        floors=(("floor_minutes",),),
        caps=(("cap_minutes",),),
        unknown_fields=("balance_minutes", "version", "earned_minutes"),
    ),
    Operation(
        "create_timebank",
        "POST",
        "/v1/timebanks",
        lambda w, a: {
            "name": f"Meadow {uuid.uuid4().hex[:10]}",
            "default_member_floor_minutes": -600,
            "default_member_cap_minutes": 6000,
            "default_organisation_floor_minutes": -30000,
            "minutes_per_transfer_max": 600,
            "pending_expiry_days": 14,
            "auto_confirm_pending": False,
            "require_both_sides": True,
            **CONTACT,
            "backdate_days_max": 90,
            "balance_on_leaving": "to_pot",
        },
        role="admin",
        texts={("name",): PLAIN_TEXT, **CONTACT_TEXTS},
        floors=(("default_member_floor_minutes",), ("default_organisation_floor_minutes",)),
        caps=(("default_member_cap_minutes",),),
        other_numbers=(("minutes_per_transfer_max",), ("pending_expiry_days",)),
        bools=(("auto_confirm_pending",), ("require_both_sides",)),
        enums=(("balance_on_leaving",),),
        unknown_fields=("pot_account_id", "id"),
    ),
    Operation(
        "set_report_ratings",
        "PUT",
        "/v1/timebanks/{tb}/report-ratings",
        lambda w, a: copy.deepcopy(RATINGS),
        path_ids={"tb": "timebank_not_found"},
        percents=tuple((figure, name) for figure, pair in RATINGS.items() for name in pair),
        unknown_fields=("gini_given", "own_figures", "figure", "red_amber_percent"),
    ),
    Operation(
        "change_password",
        "POST",
        "/v1/auth/password",
        # Passwords are any text; the corpus' text cases would be good passwords, so none are named.
        lambda w, a: {"current_password": PASSWORD, "new_password": "a brand new password"},
        unknown_fields=("username", "login_id", "is_admin"),
    ),
    Operation(
        "update_timebank",
        "PATCH",
        "/v1/timebanks/{tb}",
        lambda w, a: {
            "name": "Riverside renamed",
            "default_member_floor_minutes": -600,
            "default_member_cap_minutes": 6000,
            "default_organisation_floor_minutes": -30000,
            "minutes_per_transfer_max": 600,
            "pending_expiry_days": 14,
            "auto_confirm_pending": False,
            "require_both_sides": False,
            **CONTACT,
            "backdate_days_max": 3660,
            "balance_on_leaving": "kept",
        },
        path_ids={"tb": "timebank_not_found"},
        texts={("name",): PLAIN_TEXT, **CONTACT_TEXTS},
        floors=(("default_member_floor_minutes",), ("default_organisation_floor_minutes",)),
        caps=(("default_member_cap_minutes",),),
        other_numbers=(("minutes_per_transfer_max",), ("pending_expiry_days",)),
        bools=(("auto_confirm_pending",), ("require_both_sides",)),
        enums=(("balance_on_leaving",),),
        unknown_fields=("pot_account_id", "id", "created_at"),
    ),
    # Moving in: files uploaded and checked as a dry run, then the upload confirmed (coordinators).
    Operation(
        "check_import",
        "POST",
        "/v1/timebanks/{tb}/imports",
        lambda w, a: {"source": "spreadsheet", "files": [("members.csv", IMPORT_MEMBERS)]},
        multipart=True,
        path_ids={"tb": "timebank_not_found"},
    ),
    Operation(
        "confirm_import_upload",
        "POST",
        "/v1/timebanks/{tb}/imports/{upload}/confirm",
        None,
        path_ids={"tb": "timebank_not_found", "upload": "import_upload_not_found"},
    ),
    # Logging in is anyone's; the corpus never logs in (see the module's docstring).
    Operation(
        "log_in",
        "POST",
        "/v1/auth/token",
        lambda w, a: {"username": w.usernames["member"], "password": PASSWORD},
        role="anonymous",
        form=True,
    ),
    # The writes that take no body. Confirming and declining are the receiver's, cancelling the
    # recorder's; "pending" is an exchange recorded by its giver, so it awaits the receiver.
    Operation("log_out", "POST", "/v1/auth/logout", None, role="member"),
    Operation(
        "confirm_exchange",
        "POST",
        "/v1/timebanks/{tb}/exchanges/{pending}/confirm",
        None,
        role="other_member",
        keyed=True,
        path_ids={"tb": "timebank_not_found", "pending": "exchange_not_found"},
    ),
    Operation(
        "decline_exchange",
        "POST",
        "/v1/timebanks/{tb}/exchanges/{pending}/decline",
        None,
        role="other_member",
        path_ids={"tb": "timebank_not_found", "pending": "exchange_not_found"},
    ),
    Operation(
        "cancel_exchange",
        "POST",
        "/v1/timebanks/{tb}/exchanges/{pending}/cancel",
        None,
        role="member",
        path_ids={"tb": "timebank_not_found", "pending": "exchange_not_found"},
    ),
    Operation(
        "remove_staff",
        "DELETE",
        "/v1/timebanks/{tb}/organisations/{organisation}/staff/{staff}",
        None,
        path_ids={
            "tb": "timebank_not_found",
            "organisation": "organisation_not_found",
            "staff": "member_not_found",
        },
    ),
    Operation(
        "revoke_api_key",
        "DELETE",
        "/v1/timebanks/{tb}/organisations/{organisation}/api-keys/{api_key}",
        None,
        path_ids={
            "tb": "timebank_not_found",
            "organisation": "organisation_not_found",
            "api_key": "api_key_not_found",
        },
    ),
    # Ways back in. A coordinator issues a code and turns logins off and on (each with a reason); the
    # code, the reset link and their passwords are anyone's. Each of the three anonymous writes has a
    # member of its own (``_ways_back_in``), so that setting a password (which ends the member's
    # sessions) takes nobody's session that another operation's corpus sends. A wrong or late code or
    # token is counted as a guess by design (as a wrong password is), so those are left to
    # tests/api/test_recovery_http.py; every case here is refused before the secret is looked at.
    Operation(
        "issue_password_code",
        "POST",
        "/v1/timebanks/{tb}/members/{member}/password-code",
        lambda w, a: {"send_by_email": False},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        bools=(("send_by_email",),),
        unknown_fields=("code", "expires_at", "member_id", "username"),
        cases_min=40,
    ),
    Operation(
        "use_password_code",
        "POST",
        "/v1/auth/password-code",
        lambda w, a: {
            "code": a["password_code"],
            "username": a["code_username"],
            "new_password": NEW_PASSWORD,
        },
        role="anonymous",
        texts={
            ("code",): (CONTROL, {"text_too_long"}),
            ("username",): ({"username_invalid"}, {"username_invalid"}),
        },
        optional=(("username",),),
        unknown_fields=("member_id", "login_id", "password_hash", "timebank_id"),
    ),
    Operation(
        "ask_for_password_reset",
        "POST",
        "/v1/auth/password-reset-request",
        lambda w, a: {"username_or_email": a["reset_username"]},
        role="anonymous",
        texts={("username_or_email",): PLAIN_TEXT},
        unknown_fields=("username", "email", "member_id"),
        cases_min=40,
    ),
    Operation(
        "reset_password",
        "POST",
        "/v1/auth/password-reset",
        lambda w, a: {"token": a["reset_token"], "new_password": NEW_PASSWORD},
        role="anonymous",
        texts={("token",): PLAIN_TEXT},
        unknown_fields=("username", "member_id", "current_password"),
        cases_min=40,
    ),
    Operation(
        "turn_login_off",
        "POST",
        "/v1/timebanks/{tb}/members/{member}/login/off",
        lambda w, a: {"reason": "Asked us to pause their login while they are in hospital"},
        path_ids={"tb": "timebank_not_found", "member": "member_not_found"},
        texts={("reason",): PLAIN_TEXT},
        unknown_fields=("disabled_at", "login_id", "username"),
        cases_min=40,
    ),
    Operation(
        "turn_login_on",
        "POST",
        "/v1/timebanks/{tb}/members/{login_off}/login/on",
        lambda w, a: {"reason": "Back home and wants to log in again"},
        path_ids={"tb": "timebank_not_found", "login_off": "member_not_found"},
        texts={("reason",): PLAIN_TEXT},
        unknown_fields=("disabled_at", "login_id", "username"),
        cases_min=40,
    ),
    # Recognising involvement. The organisation's staff act for it; a coordinator enters a member's
    # declaration for them, with their say-so (so that the say-so can be left out).
    Operation(
        "create_activity",
        "POST",
        "/v1/timebanks/{tb}/organisations/{organisation}/activities",
        _activity_body,
        role="staff",
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        minutes=(("duration_minutes",),),
        texts={("title",): PLAIN_TEXT, ("purpose",): PLAIN_TEXT},
        dates=(("held_on",),),
        enums=(("classification",),),
        unknown_fields=("organisation_id", "classification_label", "attendees", "pence"),
    ),
    Operation(
        "record_attendance",
        "POST",
        "/v1/timebanks/{tb}/activities/{activity}/attendance",
        _attendance_body,
        role="staff",
        keyed=True,
        path_ids={"tb": "timebank_not_found", "activity": "activity_not_found"},
        prior_path={"activity": "attended"},  # its own activity: the control attends the arranged one
        minutes=(("attendees", 0, "minutes"), ("attendees", 1, "minutes")),
        counts={("attendees", 1, "reduced_pence"): PENCE, ("offer", "amount_pence"): PENCE},
        ids={
            ("attendees", 0, "account_id"): "account_not_found",
            ("attendees", 1, "account_id"): "account_not_found",
        },
        texts={
            ("offer", "description"): PLAIN_TEXT,
            ("attendees", 1, "acknowledgement"): PLAIN_TEXT,
            ("attendees", 2, "charity_name"): PLAIN_TEXT,
        },
        dates=(("offer", "from_on"), ("offer", "to_on"), ("paid_on",)),
        enums=(("attendees", 0, "choice"), ("offer", "kind"), ("offer", "period_kind")),
        # Left out or null, an attendee's choice is the default reward (B5), so null is no fault.
        optional=(("paid_on",), ("attendees", 1, "reduced_pence"), ("attendees", 0, "choice")),
        unknown_fields=("recognition_transaction_id", "recognised_minutes", "organisation_id", "pence"),
    ),
    Operation(
        "check_payment",
        "POST",
        "/v1/timebanks/{tb}/activities/{activity}/payment-checks",
        lambda w, a: {
            "account_id": w.account_ids["other_member"],
            "amount_pence": 2500,
            "worked_minutes": 120,
            "paid_on": "2024-03-12",
        },
        role="staff",
        path_ids={"tb": "timebank_not_found", "activity": "activity_not_found"},
        counts={("amount_pence",): PENCE},
        ids={("account_id",): "account_not_found"},
        dates=(("paid_on",),),
        optional=(("paid_on",),),
        unknown_fields=("acknowledgement_needed", "warnings", "categories", "choice"),
    ),
    Operation(
        "invite_members",
        "POST",
        "/v1/timebanks/{tb}/activities/{activity}/invitations",
        lambda w, a: {"account_ids": [w.account_ids["member"], w.account_ids["other_member"]]},
        role="staff",
        path_ids={"tb": "timebank_not_found", "activity": "activity_not_found"},
        ids={("account_ids", 0): "account_not_found", ("account_ids", 1): "account_not_found"},
        unknown_fields=("account_id", "activity_id", "invitations"),
    ),
    Operation(
        "withdraw_invitation",
        "DELETE",
        "/v1/timebanks/{tb}/activities/{activity}/invitations/{account}",
        None,
        role="staff",
        path_ids={
            "tb": "timebank_not_found",
            "activity": "activity_not_found",
            "account": "account_not_found",
        },
    ),
    Operation(
        "record_expense",
        "POST",
        "/v1/timebanks/{tb}/organisations/{organisation}/expenses",
        _expense_body,
        role="staff",
        keyed=True,
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        counts={
            ("amount_pence",): PENCE,
            ("evidence", "evidenced_pence"): PENCE,
            ("evidence", "miles"): MILES,
            ("evidence", "pence_per_mile"): RATE,
        },
        ids={("account_id",): "account_not_found", ("activity_id",): "activity_not_found"},
        texts={
            ("description",): PLAIN_TEXT,
            ("evidence", "reference"): PLAIN_TEXT,
            ("evidence", "journey"): PLAIN_TEXT,
        },
        dates=(("incurred_on",),),
        enums=(("evidence", "kind"),),
        optional=(("activity_id",),),
        alternatives=(_mileage_body,),
        unknown_fields=("amount_minutes", "minutes", "evidence_kind", "organisation_id"),
    ),
    Operation(
        "set_benefits_declaration",
        "PUT",
        "/v1/timebanks/{tb}/accounts/{account}/benefits-declaration",
        lambda w, a: {"categories": ["carers_allowance"], "members_say_so": True},
        path_ids={"tb": "timebank_not_found", "account": "account_not_found"},
        # A category is a code, not free text: any text that is not one is an unknown category.
        texts={("categories", 0): ({"benefit_category_unknown"}, {"text_too_long"})},
        bools=(("members_say_so",),),
        unknown_fields=("declared_by", "declared_at", "set_for_member", "account_id", "category_labels"),
    ),
    Operation(
        "delete_benefits_declaration",
        "DELETE",
        "/v1/timebanks/{tb}/accounts/{account}/benefits-declaration",
        None,
        query="members_say_so=true",
        path_ids={"tb": "timebank_not_found", "account": "account_not_found"},
    ),
    # Spend options: the organisation's staff offer and withdraw them; a coordinator spends a member's
    # credits for them (so that the pot and the organisation can be named as the member).
    Operation(
        "create_spend_option",
        "POST",
        "/v1/timebanks/{tb}/organisations/{organisation}/spend-options",
        lambda w, a: dict(VOUCHER),
        role="staff",
        path_ids={"tb": "timebank_not_found", "organisation": "organisation_not_found"},
        minutes=(("minutes",),),
        texts={("title",): PLAIN_TEXT},
        enums=(("spend_class",),),
        enum_codes={("spend_class",): "spend_class_unknown"},
        unknown_fields=("organisation_id", "active", "spend_class_label", "acknowledgement", "pence"),
    ),
    Operation(
        "withdraw_spend_option",
        "POST",
        "/v1/timebanks/{tb}/spend-options/{spend_option}/withdraw",
        None,
        role="staff",
        path_ids={"tb": "timebank_not_found", "spend_option": "spend_option_not_found"},
    ),
    # Offers and requests: a coordinator manages categories, posts for a member, changes, closes,
    # reopens, hides and shows posts.
    Operation(
        "add_category",
        "POST",
        "/v1/timebanks/{tb}/categories",
        lambda w, a: {"name": f"Pets {uuid.uuid4().hex[:8]}"},
        path_ids={"tb": "timebank_not_found"},
        texts={("name",): PLAIN_TEXT},
        cases_min=55,  # a body of one text field
        unknown_fields=("retired", "name_key", "timebank_id"),
    ),
    Operation(
        "change_category",
        "PATCH",
        "/v1/timebanks/{tb}/categories/{category}",
        lambda w, a: {"name": f"Pets {uuid.uuid4().hex[:8]}", "retired": False},
        path_ids={"tb": "timebank_not_found", "category": "category_not_found"},
        texts={("name",): PLAIN_TEXT},
        bools=(("retired",),),
        cases_min=55,  # two fields, one of them a bool
        unknown_fields=("name_key", "timebank_id", "retired_at"),
    ),
    Operation(
        "create_post",
        "POST",
        "/v1/timebanks/{tb}/posts",
        _post_body,
        path_ids={"tb": "timebank_not_found"},
        ids={("category_id",): "category_not_found", ("member_id",): "member_not_found"},
        texts={(name,): PLAIN_TEXT for name in ("title", "description", "area", "availability")},
        dates=(("expires_on",),),
        enums=(("kind",),),
        optional=(("area",), ("availability",), ("member_id",)),
        unknown_fields=("status", "hidden", "hidden_reason", "search_text", "timebank_id"),
    ),
    Operation(
        "change_post",
        "PATCH",
        "/v1/timebanks/{tb}/posts/{post}",
        _post_change,
        path_ids={"tb": "timebank_not_found", "post": "post_not_found"},
        ids={("category_id",): "category_not_found"},
        texts={(name,): PLAIN_TEXT for name in ("title", "description", "area", "availability")},
        dates=(("expires_on",),),
        optional=(("area",), ("availability",)),
        unknown_fields=("kind", "member_id", "status", "hidden_reason", "search_text"),
    ),
    Operation(
        "close_post",
        "POST",
        "/v1/timebanks/{tb}/posts/{post}/close",
        None,
        path_ids={"tb": "timebank_not_found", "post": "post_not_found"},
    ),
    Operation(
        "reopen_post",
        "POST",
        "/v1/timebanks/{tb}/posts/{closed_post}/reopen",
        None,
        path_ids={"tb": "timebank_not_found", "closed_post": "post_not_found"},
    ),
    Operation(
        "hide_post",
        "POST",
        "/v1/timebanks/{tb}/posts/{post}/hide",
        lambda w, a: {"reason": "Asks for money in return"},
        path_ids={"tb": "timebank_not_found", "post": "post_not_found"},
        texts={("reason",): PLAIN_TEXT},
        unknown_fields=("hidden_by", "hidden_at", "post_id"),
    ),
    Operation(
        "show_post",
        "POST",
        "/v1/timebanks/{tb}/posts/{hidden_post}/show",
        None,
        path_ids={"tb": "timebank_not_found", "hidden_post": "post_not_found"},
    ),
    # A coordinator writes to the member about their offer (keyed: a replay sends nothing twice).
    Operation(
        "contact_member",
        "POST",
        "/v1/timebanks/{tb}/posts/{post}/messages",
        lambda w, a: {"message": "Could you help on Saturday morning?"},
        keyed=True,
        path_ids={"tb": "timebank_not_found", "post": "post_not_found"},
        texts={("message",): PLAIN_TEXT},
        cases_min=55,  # a body of one text field
        unknown_fields=("to_address", "kind", "sender_member_id", "subject"),
    ),
    Operation(
        "spend_credits",
        "POST",
        "/v1/timebanks/{tb}/spend-options/{spend_option}/spends",
        _spend_body,
        keyed=True,
        path_ids={"tb": "timebank_not_found", "spend_option": "spend_option_not_found"},
        ids={("account_id",): "account_not_found"},
        texts={("acknowledgement",): PLAIN_TEXT},
        optional=(("acknowledgement",),),
        unknown_fields=("minutes", "spend_class", "exchange_id", "organisation_id", "acknowledged"),
    ),
]
OPERATION_BY_NAME = {op.name: op for op in OPERATIONS}


# --- the arrangement -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Prior:
    """A keyed request accepted before the corpus, and its answer; the corpus sends its key again."""

    key: str
    path: dict[str, Any]  # overrides of the arranged path ids
    content: bytes
    content_type: str | None
    status: int
    answer: bytes
    # Another request under the same key: another body, or (for a body-less write) another path.
    other_path: dict[str, Any]
    other_content: bytes


def _record(client: httpx.Client, w: World, role: str, timebank_id: int | None = None, **body: Any) -> int:
    """Record an exchange (by default the member's help to other_member); its id."""
    recorded = client.post(
        w.url("/exchanges", timebank_id),
        json={**_exchange_body(w, {}), **body},
        headers={**w.headers[role], "Idempotency-Key": uuid.uuid4().hex},
    )
    assert recorded.status_code == 201, recorded.text
    return int(recorded.json()["id"])


def arrange(
    client: httpx.Client, w: World, ops: Iterable[Operation] = OPERATIONS
) -> tuple[Arranged, Arranged]:
    """Ids for the paths and bodies, one set here and one of the same kinds in the other timebank.

    ``here`` also holds, under "prior", the accepted request of each keyed operation in ``ops``.
    Nothing here is touched by a refused request, so one arrangement serves every corpus.
    """
    coordinator = Caller("system:test", False, w.timebank_id, None, None, True, frozenset())
    spare_key = create_api_key(w.engine, w.timebank_id, coordinator, w.organisation_id, "spare")
    # other_member has declared benefits, so a payment to them needs the organisation's acknowledgement.
    set_declaration(
        w.engine,
        w.timebank_id,
        coordinator,
        w.account_ids["other_member"],
        ["universal_credit"],
        members_say_so=True,
    )
    # Only invited members may be offered a payment: the attendance's payers are invited.
    invited = [w.account_ids[role] for role in ("member", "other_member", "coordinator")]
    here: Arranged = {
        "tb": w.timebank_id,
        "exchange": _record(client, w, "coordinator"),  # posted at once: the one to reverse
        "reversible": _record(client, w, "coordinator"),  # reversed by the prior reversal
        "pending": _record(client, w, "member"),  # recorded by its giver: awaits other_member
        "member": w.member_ids["member"],
        "organisation": w.organisation_id,
        "account": w.account_ids["member"],
        "staff": w.member_ids["staff"],
        "api_key": spare_key.api_key_id,
        # The control's attendance, and the prior's.
        "activity": _activity(w.engine, w.timebank_id, w.organisation_id, invited),
        # Next week's meeting: nobody's attendance can be recorded before its day.
        "future_activity": _activity(
            w.engine, w.timebank_id, w.organisation_id, held_on=utc_now().date() + timedelta(days=7)
        ),
        "attended": _activity(w.engine, w.timebank_id, w.organisation_id, invited),
        "spend_option": _spend_option(w.engine, w.timebank_id, w.organisation_id),
        "withdrawn_option": _spend_option(w.engine, w.timebank_id, w.organisation_id, withdrawn=True),
        # Members whose memberships end: the control's, and the prior request's.
        "leaving": add_member(w.engine, w.timebank_id, coordinator, "Lee Leaving").member_id,
        "left": add_member(w.engine, w.timebank_id, coordinator, "Lou Leaving").member_id,
        **_posts(w.engine, w.timebank_id, w.member_ids["member"]),
        "upload": _upload(w.engine, w.timebank_id),
    }

    # The other timebank: a second member, an exchange between them, an organisation and its key.
    system = Caller("system:test", True, None, None, None, False, frozenset())
    stranger = add_member(w.engine, w.other_timebank_id, system, "Stranger")
    elsewhere = _record(
        client,
        w,
        "other_coordinator",
        w.other_timebank_id,
        giver_account_id=w.other_account_id,
        receivers=[{"account_id": stranger.account_id, "minutes": 60}],
    )
    other_coordinator = Caller("system:test", False, w.other_timebank_id, None, None, True, frozenset())
    other_organisation = add_organisation(w.engine, w.other_timebank_id, other_coordinator, "Hill Trust")
    other_key = create_api_key(
        w.engine, w.other_timebank_id, other_coordinator, other_organisation.organisation_id, "hill rota"
    )
    there = {
        "tb": w.other_timebank_id,
        "exchange": elsewhere,
        "pending": elsewhere,
        "member": stranger.member_id,
        "leaving": stranger.member_id,
        "organisation": other_organisation.organisation_id,
        "account": stranger.account_id,
        "account_id": stranger.account_id,
        "member_id": stranger.member_id,
        "staff": stranger.member_id,
        "api_key": other_key.api_key_id,
        "activity": _activity(w.engine, w.other_timebank_id, other_organisation.organisation_id),
        "spend_option": _spend_option(w.engine, w.other_timebank_id, other_organisation.organisation_id),
        **_posts(w.engine, w.other_timebank_id, stranger.member_id),
        "upload": _upload(w.engine, w.other_timebank_id),
    }
    here["prior"] = {op.name: _prior(client, w, op, here) for op in ops if op.keyed}
    here["verification_token"], here["unsubscribe_token"] = _link_tokens(w)
    here |= _ways_back_in(w, {op.name for op in ops})
    there["login_off"] = stranger.member_id
    return here, there


def _upload(engine: Engine, timebank_id: int) -> int:
    """An upload checked and waiting to be confirmed."""
    coordinator = Caller("system:test", False, timebank_id, None, None, True, frozenset())
    files = [SourceFile("members.csv", IMPORT_MEMBERS)]
    return check_upload(engine, timebank_id, coordinator, ImportSource.SPREADSHEET, files).upload_id


def _activity(
    engine: Engine,
    timebank_id: int,
    organisation_id: int,
    invited: Sequence[int] = (),
    held_on: date | None = None,
) -> int:
    """An activity of the organisation (on the forum's day unless ``held_on``), made by a coordinator,
    with ``invited`` invited; its id."""
    coordinator = Caller("system:test", False, timebank_id, None, None, True, frozenset())
    view = create_activity(
        engine,
        timebank_id,
        coordinator,
        organisation_id,
        FORUM["title"],
        held_on or date.fromisoformat(FORUM["held_on"]),
        FORUM["duration_minutes"],
        ActivityClassification(FORUM["classification"]),
        FORUM["purpose"],
    )
    if invited:
        invite_members(engine, timebank_id, coordinator, view.activity_id, invited)
    return view.activity_id


def _spend_option(engine: Engine, timebank_id: int, organisation_id: int, *, withdrawn: bool = False) -> int:
    """The organisation's voucher, offered by a coordinator (and withdrawn, if asked); its id."""
    coordinator = Caller("system:test", False, timebank_id, None, None, True, frozenset())
    view = create_spend_option(
        engine,
        timebank_id,
        coordinator,
        organisation_id,
        VOUCHER["title"],
        VOUCHER["minutes"],
        SpendClass(VOUCHER["spend_class"]),
    )
    if withdrawn:
        withdraw_spend_option(engine, timebank_id, coordinator, view.spend_option_id)
    return view.spend_option_id


def _posts(engine: Engine, timebank_id: int, member_id: int) -> Arranged:
    """A member's offers, open, closed and hidden, and a category of the timebank's own."""
    coordinator = Caller("system:test", False, timebank_id, None, None, True, frozenset())
    made = {
        name: post_for(engine, timebank_id, member_id).post_id
        for name in ("post", "closed_post", "hidden_post")
    }
    close_post(engine, timebank_id, coordinator, made["closed_post"])
    hide_post(engine, timebank_id, coordinator, made["hidden_post"], HidePost(reason="Asks for money"))
    name = f"Errands {uuid.uuid4().hex[:8]}"
    made["category"] = add_category(engine, timebank_id, coordinator, AddCategory(name=name)).category_id
    return made


def _link_tokens(w: World) -> tuple[str, str]:
    """A live verification token for the member's new address, and their unsubscribe token."""
    member_id = w.member_ids["member"]
    coordinator = Caller("system:test", False, w.timebank_id, None, None, True, frozenset())
    set_email(w.engine, w.timebank_id, coordinator, member_id, SetEmail(email="member@riverside.example"))
    messages = run(
        w.engine, lambda uow: uow.notifications.messages_for(w.timebank_id, member_id), write=False
    )

    def key(uow):  # type: ignore[no-untyped-def]
        record = preferences_of(uow, w.timebank_id, member_id, utc_now())
        uow.commit()
        return record.unsubscribe_key

    token = unsubscribe_token(run(w.engine, key), member_id, "exchange_confirmed")
    return verification_token(messages[-1].body), token


def _ways_back_in(w: World, names: set[str]) -> Arranged:
    """What the ways back in need, each on a member of its own: a live code for a member with no
    login yet (and the username they will choose), a member whose login is off, and a member with
    a login and a checked address, with a live reset link. Only what ``names`` will send is made."""
    coordinator = Caller("system:test", False, w.timebank_id, None, None, True, frozenset())
    arranged: Arranged = {"password_code": "", "code_username": "", "reset_username": "", "reset_token": ""}
    arranged["login_off"] = w.member_ids["member"]
    if "use_password_code" in names:
        newcomer = add_member(w.engine, w.timebank_id, coordinator, "Nell Newcomer")
        code = issue_password_code(
            w.engine, w.timebank_id, coordinator, newcomer.member_id, IssuePasswordCode()
        )
        arranged["password_code"] = code.code
        arranged["code_username"] = f"nell.{uuid.uuid4().hex[:8]}"
    if "turn_login_on" in names:
        paused = _member_with_login(w, coordinator, "Pat Paused")
        turn_login_off(w.engine, w.timebank_id, coordinator, paused, TurnLoginOff(reason="In hospital"))
        arranged["login_off"] = paused
    if names & {"ask_for_password_reset", "reset_password"}:
        forgetful = _member_with_login(w, coordinator, "Fay Forgetful")
        email = f"fay.{uuid.uuid4().hex[:8]}@riverside.example"
        set_email(w.engine, w.timebank_id, coordinator, forgetful, SetEmail(email=email))
        verify_email(w.engine, VerifyEmail(token=verification_token(_bodies(w, forgetful)[-1])))
        arranged["reset_username"] = email
        ask_for_reset(w.engine, AskForReset(username_or_email=email), None)
        found = re.search(r"token=(tbr_[A-Za-z0-9_-]+)", _bodies(w, forgetful)[-1])
        assert found is not None, "the reset link was written to the outbox"
        arranged["reset_token"] = found.group(1)
    return arranged


def _member_with_login(w: World, coordinator: Caller, name: str) -> int:
    """A new member who has set their password with a code (no address counted): their member id."""
    member = add_member(w.engine, w.timebank_id, coordinator, name)
    code = issue_password_code(w.engine, w.timebank_id, coordinator, member.member_id, IssuePasswordCode())
    username = f"{name.split()[0].lower()}.{uuid.uuid4().hex[:8]}"
    use_password_code(w.engine, UsePasswordCode(code=code.code, username=username, new_password=NEW_PASSWORD))
    return member.member_id


def _bodies(w: World, member_id: int) -> list[str]:
    messages = run(
        w.engine, lambda uow: uow.notifications.messages_for(w.timebank_id, member_id), write=False
    )
    return [message.body for message in messages]


def _prior(client: httpx.Client, w: World, op: Operation, here: Arranged) -> Prior:
    if op.body is None:
        # Confirming: the same key then confirms another pending exchange.
        path = {"pending": _record(client, w, "member")}
        other_path = {"pending": _record(client, w, "member")}
        content = other_content = b""
        content_type = None
    else:
        body = op.body(w, here)
        # Its own exchange or activity where it needs one, so that the control can still be accepted.
        path = other_path = {name: here[arranged] for name, arranged in op.prior_path.items()}
        content = _dump(body)
        other_content = _with(body, next(iter(op.texts)), "another request under the same key")
        content_type = "application/json"
    key = uuid.uuid4().hex
    first = send(client, w, op, here, Case("prior", content, None, None, content_type, key=key, path=path))
    assert first.status_code in (200, 201, 202), first.text
    return Prior(
        key, path, content, content_type, first.status_code, first.content, other_path, other_content
    )


# --- the corpus ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes | Iterator[bytes]
    status: int | None  # None: any 4xx
    codes: set[str] | None  # None: any code
    content_type: str | None = "application/json"
    key: str | None = "fresh"  # "fresh": a new Idempotency-Key; None: no header
    path: dict[str, Any] = field(default_factory=dict)  # overrides of the arranged path ids
    query: str | None = None  # the query string (without its "?"); None: the operation's own
    replay: bytes | None = None  # a replay: the bytes of the first answer, expected again
    records: frozenset[str] = frozenset()  # tables it must add rows to, by design (see AUDITED)
    # Two Authorization headers: the caller's, then another member's (which one is asking?).
    authorization_twice: bool = False


def _set(body: dict[str, Any], path: Path, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    here: Any = changed
    for step in path[:-1]:
        here = here[step]
    here[path[-1]] = value
    return changed


def _dump(body: Any, raw: str | None = None) -> bytes:
    text = json.dumps(body)
    if raw is not None:
        text = text.replace(json.dumps(RAW), raw)
    return text.encode()


def _with(body: dict[str, Any], path: Path, value: Any) -> bytes:
    return _dump(_set(body, path, value))


def _with_raw(body: dict[str, Any], path: Path, raw: str) -> bytes:
    return _dump(_set(body, path, RAW), raw)


def _label(path: Path) -> str:
    return ".".join(str(step) for step in path)


def _at(body: Any, path: Path) -> Any:
    for step in path:
        body = body[step]
    return body


def _holding(bodies: Iterable[dict[str, Any]], path: Path) -> dict[str, Any]:
    """The first of the valid bodies that has a field at ``path``."""
    for body in bodies:
        try:
            _at(body, path)
        except (KeyError, IndexError, TypeError):
            continue
        return body
    raise KeyError(f"no valid body has {_label(path)}")


def _without(body: dict[str, Any], path: Path) -> bytes:
    """The body with the field at ``path`` left out."""
    changed = copy.deepcopy(body)
    del _at(changed, path[:-1])[path[-1]]
    return _dump(changed)


def _streamed(size: int, head: bytes = b'{"description": "', tail: bytes = b'"}') -> Iterator[bytes]:
    """A body sent in chunks with no Content-Length, so only counting the bytes can stop it."""
    yield head
    for _ in range(size // 4096):
        yield b"x" * 4096
    yield tail


def corpus(op: Operation, w: World, here: Arranged, there: Arranged) -> Iterator[Case]:
    """Every bad request for ``op``: its body's, then its path's, then its key's."""
    content: bytes
    if op.body is None:
        yield from _bodiless_cases(op)
        content, content_type = b"", None
    elif op.form:
        fields = op.body(w, here)
        yield from _form_cases(fields)
        content, content_type = urlencode(fields).encode(), FORM
    elif op.multipart:
        fields = op.body(w, here)
        yield from _multipart_cases(fields)
        content, content_type = _multipart(fields), MULTIPART
    else:
        body = op.body(w, here)
        alternatives = [alternative(w, here) for alternative in op.alternatives]
        yield from _json_cases(op, w, body, alternatives, there)
        content, content_type = _dump(body), "application/json"
    yield from _path_cases(op, content, content_type, there)
    yield from _member_only_cases(op, w, content, content_type)
    if op.name == "delete_benefits_declaration":
        yield from _say_so_cases(content, content_type)
    if op.name == "spend_credits":
        yield from _withdrawn_option_cases(content, content_type, here)
    if op.name == "record_attendance":
        future = {"activity": here["future_activity"]}
        yield Case(
            "an activity a week ahead", content, 422, {"activity_not_yet_held"}, content_type, path=future
        )
    yield Case(
        "Authorization sent twice",
        content,
        400,
        {"authorization_header_repeated"},
        content_type,
        authorization_twice=True,
    )
    if op.keyed:
        yield from _key_cases(content, content_type, here["prior"][op.name])


def _path_cases(op: Operation, content: bytes, content_type: str | None, there: Arranged) -> Iterator[Case]:
    for name, not_found in op.path_ids.items():
        for value in (0, -1, 2**63, 2**64, "abc", "1.5", "1e3", "%00"):
            yield Case(f"path {name}={value}", content, 422, ANY, content_type, path={name: value})
        yield Case(f"path {name}=2**63-1", content, 404, {not_found}, content_type, path={name: ID_MAX})
        yield Case(
            f"path {name} of another timebank",
            content,
            404,
            {not_found},
            content_type,
            path={name: there[name]},
        )


def _member_only_cases(op: Operation, w: World, content: bytes, content_type: str | None) -> Iterator[Case]:
    """A benefits declaration is a member's: not the organisation's account, nor the pot's."""
    if op.name not in ("set_benefits_declaration", "delete_benefits_declaration"):
        return
    for name, account in (
        ("the organisation's", w.account_ids["organisation"]),
        ("the pot's", w.pot_account_id),
    ):
        yield Case(
            f"path account is {name}", content, 422, MEMBER_REQUIRED, content_type, path={"account": account}
        )


def _say_so_cases(content: bytes, content_type: str | None) -> Iterator[Case]:
    """A coordinator deletes a member's declaration only with the member's say-so, given as true."""
    say_so_required = (403, {"member_say_so_required"})
    yield Case("members_say_so not given", content, *say_so_required, content_type, query="")
    for value in ("false", "0", "off", "no"):
        yield Case(
            f"members_say_so={value}",
            content,
            *say_so_required,
            content_type,
            query=f"members_say_so={value}",
        )
    # The name is read as written: another spelling is no say-so at all.
    yield Case("MEMBERS_SAY_SO=true", content, *say_so_required, content_type, query="MEMBERS_SAY_SO=true")
    for value in ("maybe", "2", "truee", "%00", "tru%00e", "1.0", "%E2%80%AEtrue"):
        yield Case(
            f"members_say_so={value}", content, 422, ANY, content_type, query=f"members_say_so={value}"
        )
    yield Case("members_say_so=", content, 422, ANY, content_type, query="members_say_so=")


def _withdrawn_option_cases(content: bytes, content_type: str | None, here: Arranged) -> Iterator[Case]:
    """Spending on a withdrawn option: refused for the state it met, so recorded under its key as the
    key's first answer (``KEYED_REFUSAL``); the same request under that key is refused the same again."""
    key = uuid.uuid4().hex
    withdrawn = {"spend_option": here["withdrawn_option"]}
    refused = (409, {"spend_option_withdrawn"}, content_type)
    yield Case("a withdrawn option", content, *refused, key=key, path=withdrawn, records=KEYED_REFUSAL)
    yield Case("a withdrawn option, its key sent again", content, *refused, key=key, path=withdrawn)


KEY_REUSED_CASES = (
    "the key of an accepted request, with another request",
    "the key of an accepted request, with that request again",
)


def _key_cases(content: bytes, content_type: str | None, prior: Prior) -> Iterator[Case]:
    yield Case("no Idempotency-Key", content, 400, {"idempotency_key_required"}, content_type, key=None)
    yield Case("empty Idempotency-Key", content, 422, ANY, content_type, key="")
    yield Case("Idempotency-Key with a space", content, 422, ANY, content_type, key="a b")
    yield Case("Idempotency-Key too long", content, 422, ANY, content_type, key="k" * 201)
    yield Case(
        KEY_REUSED_CASES[0],
        prior.other_content,
        422,
        {"idempotency_key_reused"},
        prior.content_type,
        key=prior.key,
        path=prior.other_path,
    )
    # Not a refusal: the first answer again, judged by replay_problems.
    yield Case(
        KEY_REUSED_CASES[1],
        prior.content,
        prior.status,
        None,
        prior.content_type,
        key=prior.key,
        path=prior.path,
        replay=prior.answer,
    )


def _bodiless_cases(op: Operation) -> Iterator[Case]:
    """Bodies sent to a write that takes none: each is refused, whatever it holds.

    A POST's body meets the edge's limits before any route runs (its declared size, then its type);
    the edge lets a DELETE's body through untouched, and the route refuses it unread, as it does a
    chunked body of any size (the edge cannot know that size before reading it).
    """
    at_the_edge = op.method != "DELETE"
    too_large = (413, TOO_LARGE) if at_the_edge else (422, NO_BODY)
    not_json = (415, NOT_JSON) if at_the_edge else (422, NO_BODY)
    for name, content in (
        ("malformed JSON", b'{"reason": }'),
        ("an empty object", b"{}"),
        ("null", b"null"),
        ("an empty array", b"[]"),
        ("fields it might seem to take", b'{"status": "confirmed", "minutes": 60}'),
        ("a name given twice", b'{"status": "x", "status": "y"}'),
        ("not UTF-8", b'{"note": "\xff\xfe"}'),
    ):
        yield Case(f"a body: {name}", content, 422, NO_BODY)
    yield Case("a 1 MB body", _dump({"note": ONE_MB}), *too_large)
    yield Case("a body just past the limit", _dump({"note": "x" * BODY_BYTES_MAX}), *too_large)
    yield Case("a body streamed past the limit", _streamed(BODY_BYTES_MAX + 8192), 422, NO_BODY)
    yield Case("a text/plain body", b"confirm", *not_json, content_type="text/plain")
    yield Case("a form body", b"status=confirmed", *not_json, content_type=FORM)
    yield Case("a body with no content type", b"{}", *not_json, content_type=None)


def _form(fields: dict[str, Any], **changes: str | None) -> bytes:
    """The login form with fields changed, or left out where the change is None."""
    changed = {**fields, **changes}
    return urlencode({k: v for k, v in changed.items() if v is not None}).encode()


def _form_cases(fields: dict[str, Any]) -> Iterator[Case]:
    """The login form, broken. Each is refused before the credentials are looked at."""
    good = _form(fields)
    username = str(fields["username"])
    yield Case("JSON instead of a form", _dump(fields), 422, REQUIRED)
    yield Case("JSON declared as a form", _dump(fields), 422, REQUIRED, FORM)
    yield Case("the form as text/plain", good, 422, REQUIRED, "text/plain")
    yield Case("the form declared as XML", good, 422, REQUIRED, "application/xml")
    yield Case("the form with no content type", good, 422, REQUIRED, None)
    yield Case("an empty form", b"", 422, REQUIRED, FORM)
    yield Case("only separators", b"&&&", 422, REQUIRED, FORM)
    yield Case("names without values", b"username&password", 422, REQUIRED, FORM)
    yield Case("the credentials in the query string", b"", 422, REQUIRED, FORM, query=good.decode())
    # Refused by Starlette's form parser, with its own message and no code of ours ("http_error").
    yield Case("multipart without a boundary", good, 400, ANY, "multipart/form-data")
    yield Case(
        "multipart cut off",
        b'--b\r\nContent-Disposition: form-data; name="username"\r\n\r\n' + username.encode(),
        422,
        REQUIRED,
        "multipart/form-data; boundary=b",
    )
    for name in ("username", "password"):
        yield Case(f"{name} missing", _form(fields, **{name: None}), 422, REQUIRED, FORM)
        # An empty value is no value: FastAPI reads it as a missing field.
        yield Case(f"{name} empty", _form(fields, **{name: ""}), 422, REQUIRED, FORM)
        yield Case(f"{name} of 1 MB", _form(fields, **{name: ONE_MB}), 413, TOO_LARGE, FORM)
        # The right value last: a parser that let the last one win would log in.
        twice = _form({name: "someone else"}) + b"&" + good
        yield Case(f"{name} given twice", twice, 422, REQUEST_INVALID, FORM)
    same_twice = good + b"&" + _form({"username": username})
    yield Case("username given twice, the same", same_twice, 422, REQUEST_INVALID, FORM)
    yield Case(
        "username of 101 characters", _form(fields, username="u" * 101), 422, {"username_invalid"}, FORM
    )
    yield Case(
        "password of 201 characters", _form(fields, password="p" * 201), 422, {"password_invalid"}, FORM
    )
    yield Case(
        "streamed past the limit",
        _streamed(BODY_BYTES_MAX + 8192, head=good + b"&note=", tail=b""),
        413,
        TOO_LARGE,
        FORM,
    )
    # The right password, and the username but for one character that no username may hold.
    for name, character in CONTROL_CHARACTERS:
        changed = username[:3] + character + username[3:]
        yield Case(f"username with {name}", _form(fields, username=changed), 422, CONTROL, FORM)


def _multipart(fields: dict[str, Any], *, head_only: bool = False) -> bytes:
    """Fields as multipart/form-data: text fields, then ``files`` as (name, bytes) file parts."""
    parts: list[bytes] = []
    dash = f"--{MULTIPART_BOUNDARY}".encode()
    for name, value in fields.items():
        if name == "files":
            for file_name, content in value:
                disposition = f'Content-Disposition: form-data; name="files"; filename="{file_name}"'
                parts.append(
                    dash + b"\r\n" + disposition.encode() + b"\r\nContent-Type: text/csv\r\n\r\n" + content
                )
        else:
            disposition = f'Content-Disposition: form-data; name="{name}"'
            parts.append(dash + b"\r\n" + disposition.encode() + b"\r\n\r\n" + str(value).encode())
    if head_only:
        return b"\r\n".join(parts)
    return b"\r\n".join(parts) + b"\r\n" + dash + b"--\r\n"


def _multipart_cases(fields: dict[str, Any]) -> Iterator[Case]:
    """An upload of files to import, broken. Each is refused, and nothing is kept or imported."""
    good = _multipart(fields)
    files = fields["files"]
    bytes_max = UPLOAD_BYTES_MAX
    yield Case("JSON instead of files", _dump({"source": "spreadsheet"}), 422, REQUIRED)
    yield Case("the files as text/plain", good, 415, NOT_JSON, "text/plain")
    yield Case("a urlencoded form", b"source=spreadsheet&files=members.csv", 415, NOT_JSON, FORM)
    yield Case("the files with no content type", good, 415, NOT_JSON, None)
    # Refused by Starlette's form parser, with its own message ("form_invalid").
    yield Case("multipart without a boundary", good, 400, {"form_invalid"}, "multipart/form-data")
    yield Case("multipart cut off", good[: len(good) // 2], None, ANY, MULTIPART)
    yield Case("an empty body", b"", 422, REQUIRED, MULTIPART)
    yield Case("source missing", _multipart({"files": files}), 422, REQUIRED, MULTIPART)
    yield Case("source empty", _multipart({"source": "", "files": files}), 422, ANY, MULTIPART)
    yield Case(
        "source unknown", _multipart({"source": "komunitin", "files": files}), 422, REQUEST_INVALID, MULTIPART
    )
    yield Case("files missing", _multipart({"source": "spreadsheet"}), 422, REQUIRED, MULTIPART)
    yield Case(
        "files as a text field",
        _multipart({"source": "spreadsheet", "files_text": "x"}).replace(
            b'name="files_text"', b'name="files"'
        ),
        422,
        ANY,
        MULTIPART,
    )
    many = [(f"m{n}.csv", IMPORT_MEMBERS) for n in range(11)]
    yield Case(
        "eleven files", _multipart({**fields, "files": many}), 422, {"import_files_too_many"}, MULTIPART
    )
    just_past = [("members.csv", b"name\r\n" + b"x" * (bytes_max - 5))]
    yield Case(
        "files just past 16 MiB",
        _multipart({**fields, "files": just_past}),
        422,
        {"import_files_too_large"},
        MULTIPART,
    )
    past_edge = [("members.csv", b"x" * UPLOAD_REQUEST_BYTES_MAX)]
    yield Case(
        "a body past the upload's limit",
        _multipart({**fields, "files": past_edge}),
        413,
        TOO_LARGE,
        MULTIPART,
    )
    head = _multipart({**fields, "files": [("members.csv", b"name\r\n")]}, head_only=True)
    yield Case(
        "streamed past the upload's limit",
        _streamed(UPLOAD_REQUEST_BYTES_MAX + 8192, head=head, tail=b""),
        413,
        TOO_LARGE,
        MULTIPART,
    )
    broken = b"date,giver,receiver,time,description\r\n2024-13-01,nobody,noone,0,Help\r\n"
    for name, named in (
        ("a file with problems", [("exchanges.csv", broken)]),
        ("a file not UTF-8", [("members.csv", b"name\r\nMu\xf1oz\r\n")]),
        ("an empty file", [("members.csv", b"")]),
        ("a header of no layout", [("members.csv", b"who,what\r\nAnn,Help\r\n")]),
        ("a file with no name, and problems", [("", broken)]),
        ("a file name with a NUL, and problems", [("exch\x00anges.csv", broken)]),
        ("a file name with folders, and problems", [("../../etc/exchanges.csv", broken)]),
        ("a file name of 1000 characters, and problems", [("e" * 1000 + ".csv", broken)]),
        ("good files and one with problems", [*files, ("exchanges.csv", broken)]),
    ):
        yield Case(name, _multipart({**fields, "files": named}), 422, IMPORT_REFUSED, MULTIPART)
    # A part's headers past the parser's own limit.
    long_name = _multipart({**fields, "files": [("e" * 10_000 + ".csv", broken)]})
    yield Case("a file name of 10 000 characters", long_name, 400, {"form_invalid"}, MULTIPART)
    for name, named in (
        ("not a ZIP", [("timebank.zip", b"PK\x03\x04 not really")]),
        ("a spreadsheet's file", [("members.csv", IMPORT_MEMBERS)]),
    ):
        changed = {"source": "timeoverflow", "files": named}
        yield Case(f"from TimeOverflow: {name}", _multipart(changed), 422, IMPORT_REFUSED, MULTIPART)


def _json_cases(
    op: Operation, w: World, body: dict[str, Any], alternatives: list[dict[str, Any]], other: Arranged
) -> Iterator[Case]:
    text = _dump(body)
    bodies = (body, *alternatives)
    first = next(iter(body))
    value: Any

    # The body as a whole.
    yield Case("malformed JSON", b'{"' + first.encode() + b'": }', 400, JSON_INVALID)
    yield Case("truncated JSON", text[: len(text) // 2], 400, JSON_INVALID)
    yield Case("truncated by one byte", text[:-1], 400, JSON_INVALID)
    yield Case("trailing garbage", text + b"}", 400, JSON_INVALID)
    yield Case("single quotes", text.replace(b'"', b"'"), 400, JSON_INVALID)
    yield Case("not UTF-8", text[:-1] + b', "x": "\xff\xfe"}', 400, JSON_INVALID)
    yield Case("nested too deep for the parser", b"[" * 100_000 + b"]" * 100_000, 400, JSON_INVALID)
    yield Case(
        "duplicate name, different values",
        b"{" + _dump(first) + b": " + _dump(body[first]) + b", " + text[1:],
        400,
        JSON_INVALID,
    )
    yield Case("duplicate name, same value", text[:-1] + b", " + text[1:], 400, JSON_INVALID)
    yield Case("empty body", b"", 422, ANY)
    yield Case("null", b"null", 422, ANY)
    yield Case("an array of the body", b"[" + text + b"]", 422, REQUEST_INVALID)
    yield Case("an empty array", b"[]", 422, REQUEST_INVALID)
    yield Case("a bare number", b"42", 422, REQUEST_INVALID)
    yield Case("a bare string", b'"hello"', 422, REQUEST_INVALID)
    # An empty update changes nothing; empty rating thresholds put every figure back to its default.
    if op.name == "set_notification_preferences":
        # Each kind may be left out, but not every one: a choice names at least one.
        yield Case("an empty object", b"{}", 422, {"notification_kind_required"})
    elif op.name not in (
        "update_member",
        "update_organisation",
        "update_timebank",
        "set_report_ratings",
        "change_category",
        "change_post",
        "issue_password_code",  # nothing said: a code to print, not to email
    ):
        yield Case("an empty object", b"{}", 422, {"field_required"})
    yield Case("deep nesting inside a field", _with(body, (first,), _nested(500)), 422, ANY)
    for name in ("balance_minutes", "timebank_id", "id", "created_at", *op.unknown_fields):
        yield Case(f"unknown field {name}", _dump({**body, name: 1}), 422, {"unknown_field"})

    # How it is sent.
    yield Case("text/plain", text, 415, {"content_type_unsupported"}, content_type="text/plain")
    yield Case(
        "form",
        f"{first}=1".encode(),
        415,
        {"content_type_unsupported"},
        content_type="application/x-www-form-urlencoded",
    )
    yield Case(
        "multipart",
        b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
        415,
        {"content_type_unsupported"},
        content_type="multipart/form-data; boundary=b",
    )
    yield Case("no content type", text, 415, {"content_type_unsupported"}, content_type=None)
    yield Case(
        "JSON declared as XML", text, 415, {"content_type_unsupported"}, content_type="application/xml"
    )
    yield Case("1 MB body", _dump({**body, first: ONE_MB}), 413, {"request_body_too_large"})
    yield Case(
        "just past the limit",
        _dump({**body, "x": "x" * BODY_BYTES_MAX}),
        413,
        {"request_body_too_large"},
    )
    yield Case("streamed past the limit", _streamed(BODY_BYTES_MAX + 8192), 413, {"request_body_too_large"})

    # Minutes.
    for path in op.minutes:
        label = _label(path)
        base = _holding(bodies, path)
        for value in ("60", 1.5, 60.0, True, False, None, [60], {"minutes": 60}):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, WHOLE)
        for value in (0, -1, -60, -(2**63), -(2**64)):
            yield Case(f"{label}={value}", _with(base, path, value), 422, POSITIVE)
        for value in (10_081, 2**31, 2**63 - 1, 2**63, 2**64, 10**30):
            yield Case(f"{label}={value}", _with(base, path, value), 422, ABOVE_LIMIT)
        for raw in ("NaN", "Infinity", "-Infinity", "6e1", "1e400", "60.000000000000001", "-0.0"):
            yield Case(f"{label}={raw}", _with_raw(base, path, raw), 422, WHOLE)
        yield Case(f"{label}=5000 digits", _with_raw(base, path, "1" * 5000), 400, JSON_INVALID)

    # Pence, miles and pence per mile: whole, above zero, within their limit (an optional one may be null).
    for path, rule in op.counts.items():
        label = _label(path)
        base = _holding(bodies, path)
        null = () if path in op.optional else (None,)
        for value in ("60", 1.5, 60.0, True, False, *null, [60], {"pence": 60}):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, {rule.whole})
        for value in (0, -1, -(2**63), -(2**64)):
            yield Case(f"{label}={value}", _with(base, path, value), 422, {rule.positive})
        for value in (rule.limit + 1, 2**31, 2**63, 2**64, 10**30):
            yield Case(f"{label}={value}", _with(base, path, value), 422, {rule.above})
        for raw in ("NaN", "Infinity", "6e1", "1e400", "-0.0"):
            yield Case(f"{label}={raw}", _with_raw(base, path, raw), 422, {rule.whole})
        yield Case(f"{label}=5000 digits", _with_raw(base, path, "1" * 5000), 400, JSON_INVALID)

    # Rating thresholds: whole percentages from 0 to 100, null included (a figure, not a threshold,
    # may be left at its default).
    for path in op.percents:
        label = _label(path)
        for value in ("20", 2.5, 20.0, True, False, None, [20], {"percent": 20}):
            yield Case(f"{label}={value!r}", _with(body, path, value), 422, PERCENT)
        for value in (-1, 101, 2**31, 2**63, 2**64, -(2**64), 10**30):
            yield Case(f"{label}={value}", _with(body, path, value), 422, PERCENT)
        for raw in ("NaN", "Infinity", "2e1", "1e400", "-0.0"):
            yield Case(f"{label}={raw}", _with_raw(body, path, raw), 422, PERCENT)
        yield Case(f"{label}=5000 digits", _with_raw(body, path, "1" * 5000), 400, JSON_INVALID)

    # Ids in the body.
    for path, not_found in op.ids.items():
        label = _label(path)
        base = _holding(bodies, path)
        null = () if path in op.optional else (None,)
        for value in ("4", 4.0, 1.5, True, *null, [4], {"id": 4}, 0, -1, 2**63, 2**64, -(2**64)):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, REQUEST_INVALID)
        for raw in ("NaN", "4e0"):
            yield Case(f"{label}={raw}", _with_raw(base, path, raw), 422, REQUEST_INVALID)
        yield Case(f"{label}=2**63-1", _with(base, path, ID_MAX), 404, {not_found})
        kind = _ARRANGED_BY_NOT_FOUND.get(not_found, "account")
        yield Case(f"{label} of another timebank", _with(base, path, other[kind]), 404, {not_found})

    # Text.
    for path, (control_codes, long_codes) in op.texts.items():
        label = _label(path)
        base = _holding(bodies, path)
        for name, character in (("NUL", "\x00"), ("ESC", "\x1b"), ("DEL", "\x7f"), ("U+202E", "\u202e")):
            yield Case(f"{label} with {name}", _with(base, path, f"ab{character}cd"), 422, control_codes)
        yield Case(f"{label} is a lone surrogate", _with_raw(base, path, '"ab\\ud800cd"'), 422, ANY)
        yield Case(f"{label} is 10 000 characters", _with(base, path, "y" * 10_000), 422, long_codes)
        yield Case(f"{label} is 1 MB", _with(base, path, ONE_MB), 413, {"request_body_too_large"})
        for value in (5, 1.5, True, ["text"], {"text": "x"}):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, ANY)

    # Days, as YYYY-MM-DD: not a Unix time, not a date-time, no day that is not (optional ones may be null).
    for path in op.dates:
        label = _label(path)
        base = _holding(bodies, path)
        null = () if path in op.optional else (None,)
        days = ("2024-13-01", "2024-02-30", "2024-03-12T00:00:00", "12/03/2024", 1714521600, 20240312, "")
        # The last days of the calendar: a week or month counted from them would end past year 9999.
        days += ("9999-12-31", "9999-12-01", "0001-01-01")
        for value in (*days, *null, ["2024-03-12"]):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, REQUEST_INVALID)

    # Names from a short list (a discriminator's included): none other, in no other spelling or type.
    for path in op.enums:
        label = _label(path)
        base = _holding(bodies, path)
        good = _at(base, path)
        unknown = {op.enum_codes[path]} if path in op.enum_codes else REQUEST_INVALID
        null = () if path in op.optional else (None,)
        for value in ("unknown", good.upper(), f" {good}", "", *null, 5, True, [good]):
            yield Case(f"{label}={value!r}", _with(base, path, value), 422, unknown)

    # Floors, caps and other whole-number settings.
    for path in (*op.floors, *op.caps, *op.other_numbers):
        label = _label(path)
        for value in ("60", -1.5, -60.0, True, [1], 2**63, 2**64, -(2**63) - 1, -(2**64), 10**30):
            yield Case(f"{label}={value!r}", _with(body, path, value), 422, ANY)
        yield Case(f"{label}=NaN", _with_raw(body, path, "NaN"), 422, ANY)
    for path in op.floors:
        code = {"floor_must_not_be_positive"} if path[-1] == "floor_minutes" else ANY
        yield Case(f"{_label(path)}=60 (above zero)", _with(body, path, 60), 422, code)
    for path in op.caps:
        code = {"cap_must_not_be_negative"} if path[-1] == "cap_minutes" else ANY
        yield Case(f"{_label(path)}=-60 (below zero)", _with(body, path, -60), 422, code)
    for path in op.other_numbers:
        yield Case(f"{_label(path)}=0", _with(body, path, 0), 422, ANY)
    for path in op.bools:
        for value in ("yes", "true", 1, 0, None, []):
            yield Case(f"{_label(path)}={value!r}", _with(body, path, value), 422, ANY)

    # Operation-specific shapes.
    if op.name == "erase_member":
        yield Case("confirm=false", _with(body, ("confirm",), False), 422, {"erasure_not_confirmed"})
    if op.name == "record_exchange":
        tomorrow = (utc_now().date() + timedelta(days=1)).isoformat()
        for day in (tomorrow, "2999-01-01", "9999-12-31"):
            yield Case(
                f"activity_date={day}", _with(body, ("activity_date",), day), 422, {"activity_date_in_future"}
            )
        for day in ("1901-01-01", "0001-01-01"):
            yield Case(
                f"activity_date={day}",
                _with(body, ("activity_date",), day),
                422,
                {"activity_date_too_far_back"},
            )
    if op.name == "end_membership":
        # The last day of a membership: a day, today or before, within the timebank's reach back.
        for day in ("2024-13-01", "2024-02-30", "2024-03-12T00:00:00", "12/03/2024", 1714521600, "", None):
            yield Case(f"ended_on={day!r}", _with(body, ("ended_on",), day), 422, REQUEST_INVALID)
        tomorrow = (utc_now().date() + timedelta(days=1)).isoformat()
        for day in (tomorrow, "2999-01-01", "9999-12-31"):
            yield Case(
                f"ended_on={day}", _with(body, ("ended_on",), day), 422, {"membership_end_date_in_future"}
            )
        for day in ("1901-01-01", "0001-01-01"):
            yield Case(
                f"ended_on={day}", _with(body, ("ended_on",), day), 422, {"membership_end_date_too_far_back"}
            )
        yield Case("reason of spaces", _with(body, ("reason",), "   "), 422, {"reason_required"})
    if op.name in ("create_timebank", "update_timebank"):
        for value in (-1, 3661, 10**6, "30", 1.5, 30.0, True, None, [30]):
            yield Case(f"backdate_days_max={value!r}", _with(body, ("backdate_days_max",), value), 422, ANY)
    if op.name == "record_exchange":
        receiver = body["receivers"][0]
        yield Case("no receivers", _with(body, ("receivers",), []), 422, {"receivers_required"})
        yield Case("receivers is an object", _with(body, ("receivers",), receiver), 422, ANY)
        yield Case(
            "receiver named twice", _with(body, ("receivers",), [receiver] * 2), 422, {"receiver_repeated"}
        )
        yield Case(
            "too many receivers", _with(body, ("receivers",), [receiver] * 1000), 422, {"too_many_receivers"}
        )
        yield Case(
            "giver is the receiver",
            _with(body, ("giver_account_id",), receiver["account_id"]),
            422,
            {"accounts_must_differ"},
        )
        yield Case(
            "duplicate name inside a receiver",
            text.replace(b'"minutes": 60', b'"minutes": 1, "minutes": 60'),
            400,
            JSON_INVALID,
        )
        # A day, as YYYY-MM-DD: not a Unix time, not a date-time, not a float.
        dates = ("2024-02-30", "2024-13-01", "01/05/2024", "", "tomorrow", None, 20240501, 1714521600)
        for value in (*dates, 0, 1714521600.0, "2024-05-01T00:00:00", "2024-05-01Z", " 2024-05-01"):
            yield Case(f"activity_date={value!r}", _with(body, ("activity_date",), value), 422, ANY)
        yield Case("description empty", _with(body, ("description",), ""), 422, ANY)
    if "new_password" in body:
        wrong_types: tuple[Any, ...] = (
            None,
            0,
            1.5,
            -1,
            2**63,
            2**64,
            True,
            False,
            [],
            {},
            ["a brand new password"],
            {"x": "y"},
        )
        for name in [name for name in ("current_password", "new_password") if name in body]:
            for value in wrong_types:
                yield Case(f"{name}={value!r}", _with(body, (name,), value), 422, ANY)
            yield Case(f"{name} missing", _dump({k: v for k, v in body.items() if k != name}), 422, ANY)
            yield Case(f"{name} too long", _with(body, (name,), "p" * 201), 422, ANY)
        for short in ("", "short", "7 chars"):
            yield Case(
                f"new_password={short!r}", _with(body, ("new_password",), short), 422, {"password_invalid"}
            )
    if op.name == "give_credits":
        yield Case(
            "to oneself",
            _with(body, ("to_account_id",), body["from_account_id"]),
            422,
            {"accounts_must_differ"},
        )
    if op.name == "reverse_exchange":
        yield Case("reason empty", _with(body, ("reason",), ""), 422, {"reason_required"})
    if op.name in ("add_member", "update_member"):
        for roles in (["admin"], ["Coordinator"], [""], [None], "coordinator"):
            codes = {"role_unknown"} if isinstance(roles, list) and isinstance(roles[0], str) else ANY
            yield Case(f"roles={roles!r}", _with(body, ("roles",), roles), 422, codes)
        yield Case("21 tags", _with(body, ("tags",), [f"t{i}" for i in range(21)]), 422, {"tag_invalid"})
        yield Case("tag with a space", _with(body, ("tags",), ["two words"]), 422, {"tag_invalid"})
        yield Case("tag in capitals", _with(body, ("tags",), ["Staff"]), 422, {"tag_invalid"})
        yield Case("display_name empty", _with(body, ("display_name",), ""), 422, ANY)
    if op.name == "add_member":
        yield Case("username with capitals", _with(body, ("username",), "Dee Dee"), 422, {"username_invalid"})
        yield Case("username too short", _with(body, ("username",), "de"), 422, {"username_invalid"})
        yield Case("password too short", _with(body, ("password",), "short"), 422, {"password_invalid"})
        yield Case("password too long", _with(body, ("password",), "p" * 201), 422, {"password_invalid"})
        yield Case("username but no password", _dump({**body, "password": None}), 422, {"password_invalid"})
        yield Case(
            "password is a lone surrogate", _with_raw(body, ("password",), '"abcdefgh\\ud800"'), 422, ANY
        )
    if op.name == "set_limits":
        yield Case("floor missing", _dump({k: v for k, v in body.items() if k != "floor_minutes"}), 422, ANY)
    if op.name == "create_activity":
        yield from _activity_cases(body)
    if op.name == "record_attendance":
        yield from _attendance_cases(w, body)
    if op.name == "check_payment":
        yield from _payment_check_cases(w, body)
    if op.name == "record_expense":
        yield from _expense_cases(w, body, *alternatives)
    if op.name == "set_benefits_declaration":
        yield from _declaration_cases(body)
    if op.name == "create_spend_option":
        yield from _spend_option_cases(body)
    if op.name == "spend_credits":
        yield from _spend_cases(w, body)
    if op.name == "set_report_ratings":
        yield from _rating_cases(body)


def _activity_cases(body: dict[str, Any]) -> Iterator[Case]:
    # The purpose may be left empty (or blank, which is empty); the title may not. The schema refuses
    # an empty title by its length (request_invalid), the service a blank one as text_required.
    yield Case("title=''", _with(body, ("title",), ""), 422, ANY)
    yield Case("title='   '", _with(body, ("title",), "   "), 422, TEXT_REQUIRED)
    for name in ("title", "held_on", "duration_minutes", "classification"):
        yield Case(f"{name} missing", _without(body, (name,)), 422, REQUIRED)


def _attendance_cases(w: World, body: dict[str, Any]) -> Iterator[Case]:
    """Who came and what each chose: the list, each choice's detail, the offer's period, the guard."""
    credits, reduced, charity = body["attendees"]
    text = _dump(body)

    def attendees(*people: dict[str, Any]) -> bytes:
        return _with(body, ("attendees",), list(people))

    # The list.
    yield Case("no attendees", attendees(), 422, {"attendees_required"})
    yield Case(
        "an attendee down for 600 minutes at a 120-minute forum",
        attendees({**credits, "minutes": 600}, reduced, charity),
        422,
        {"attendance_above_activity_length"},
    )
    yield Case("attendees=None", _with(body, ("attendees",), None), 422, ANY)
    yield Case("attendees is an object", _with(body, ("attendees",), credits), 422, ANY)
    yield Case("attendees missing", _without(body, ("attendees",)), 422, REQUIRED)
    too_many = [{**credits, "account_id": i + 1} for i in range(ATTENDEES_MAX + 1)]
    yield Case(f"{ATTENDEES_MAX + 1} attendees", attendees(*too_many), 422, {"too_many_attendees"})
    yield Case(
        "an attendee named twice", attendees(credits, reduced, charity, credits), 422, {"attendee_repeated"}
    )
    yield Case(
        "an attendee named twice, choosing differently",
        attendees(credits, reduced, {**charity, "account_id": credits["account_id"]}),
        422,
        {"attendee_repeated"},
    )
    yield Case(
        "duplicate name inside an attendee",
        text.replace(b'"minutes": 120', b'"minutes": 1, "minutes": 120', 1),
        400,
        JSON_INVALID,
    )
    # An attendee's choice may be left out: they get the default reward (B5).
    for name in ("account_id", "minutes"):
        yield Case(f"an attendee's {name} missing", _without(body, ("attendees", 0, name)), 422, REQUIRED)
    # Who may attend: members, and not the organisation that recognises them.
    yield Case(
        "the organisation's own account attends",
        _with(body, ("attendees", 0, "account_id"), w.account_ids["organisation"]),
        422,
        {"accounts_must_differ"},
    )
    yield Case(
        "the pot's account attends",
        _with(body, ("attendees", 0, "account_id"), w.pot_account_id),
        422,
        MEMBER_REQUIRED,
    )
    # Credits and money never mix (B1): no pence beside an attendee's minutes, no minutes in an offer.
    for path in (("attendees", 0, "pence"), ("attendees", 0, "amount_pence"), ("offer", "minutes")):
        yield Case(f"unknown field {_label(path)}", _with(body, path, 60), 422, UNKNOWN_FIELD)

    # What each choice needs, and what it does not take.
    yield Case("payment choices with no offer", _without(body, ("offer",)), 422, {"payment_not_offered"})
    yield Case("offer=None", _with(body, ("offer",), None), 422, {"payment_not_offered"})
    yield Case(
        "a payment chosen with no offer",
        _dump({"attendees": [{**credits, "choice": "payment"}]}),
        422,
        {"payment_not_offered"},
    )
    yield Case(
        "reduced_payment without reduced_pence",
        _without(body, ("attendees", 1, "reduced_pence")),
        422,
        {"reduced_payment_missing"},
    )
    yield Case(
        "attendees.1.reduced_pence=None",
        _with(body, ("attendees", 1, "reduced_pence"), None),
        422,
        {"reduced_payment_missing"},
    )
    for pence in (2500, 2501):
        yield Case(
            f"reduced_pence={pence}, not below the 2500 offered",
            _with(body, ("attendees", 1, "reduced_pence"), pence),
            422,
            {"reduced_payment_not_below_offer"},
        )
    yield Case(
        "charity without charity_name",
        _without(body, ("attendees", 2, "charity_name")),
        422,
        {"charity_name_missing"},
    )
    for name in ("", "   "):
        yield Case(
            f"charity_name={name!r}",
            _with(body, ("attendees", 2, "charity_name"), name),
            422,
            {"charity_name_missing"},
        )
    for detail, value in (
        ("reduced_pence", 1500),
        ("charity_name", "Food Bank"),
        ("acknowledgement", "told"),
    ):
        yield Case(
            f"credits with {detail}",
            _with(body, ("attendees", 0, detail), value),
            422,
            {"choice_detail_not_wanted"},
        )
    yield Case(
        "a payment with a charity_name",
        _with(body, ("attendees", 1, "charity_name"), "Food Bank"),
        422,
        {"choice_detail_not_wanted"},
    )

    # The offer and the period it covers.
    for name in ("amount_pence", "kind", "period_kind", "from_on", "to_on", "description"):
        yield Case(f"the offer's {name} missing", _without(body, ("offer", name)), 422, REQUIRED)
    for value in ("", "   "):
        path = ("offer", "description")
        yield Case(f"offer.description={value!r}", _with(body, path, value), 422, TEXT_REQUIRED)
    yield Case("offer is a list", _with(body, ("offer",), [body["offer"]]), 422, ANY)
    for to_on in ("2024-03-17", "2024-03-19", "2024-04-11"):
        yield Case(
            f"a week from 2024-03-11 to {to_on}",
            _with(body, ("offer", "to_on"), to_on),
            422,
            {"week_must_be_seven_days"},
        )
    for to_on in ("2024-03-11", "2024-03-04", "2023-03-18"):
        yield Case(
            f"a period from 2024-03-11 to {to_on}",
            _with(body, ("offer", "to_on"), to_on),
            422,
            {"period_must_end_after_start"},
        )
    yield Case(
        "a month from 2024-03-11 to 2024-03-18",
        _with(body, ("offer", "period_kind"), "month"),
        422,
        {"month_must_be_one_month"},
    )

    # The guard: other_member has declared benefits, so their payment needs an acknowledgement. The
    # refusal is recorded in the audit log (the check, the warning, the refusal), and nothing else.
    yield Case(
        "a payment to a member with benefits declared, without the acknowledgement",
        _without(body, ("attendees", 1, "acknowledgement")),
        422,
        {"payment_acknowledgement_required"},
        records=AUDITED,
    )
    yield Case(
        "a payment to a member with benefits declared, acknowledged with blanks",
        _with(body, ("attendees", 1, "acknowledgement"), "   "),
        422,
        {"payment_acknowledgement_required"},
        records=AUDITED,
    )


def _payment_check_cases(w: World, body: dict[str, Any]) -> Iterator[Case]:
    # Worked minutes may be 0 (a payment for nothing worked), so they have no rule code of their own.
    for value in (-1, -60, 7 * 24 * 60 + 1, 2**63, "60", 1.5, 60.0, True, None, [60]):
        yield Case(f"worked_minutes={value!r}", _with(body, ("worked_minutes",), value), 422, REQUEST_INVALID)
    for name in ("account_id", "amount_pence"):
        yield Case(f"{name} missing", _without(body, (name,)), 422, REQUIRED)
    for name, account in (
        ("the organisation's", w.account_ids["organisation"]),
        ("the pot's", w.pot_account_id),
    ):
        yield Case(f"account_id is {name}", _with(body, ("account_id",), account), 422, MEMBER_REQUIRED)


def _expense_cases(w: World, receipt: dict[str, Any], mileage: dict[str, Any]) -> Iterator[Case]:
    """Money at cost against its evidence: never more, never without it, to members only."""
    evidence = receipt["evidence"]
    value: Any
    yield Case(
        "an expense above its receipt",
        _with(receipt, ("amount_pence",), 451),
        422,
        {"expense_above_evidence"},
    )
    yield Case(
        "an expense above its mileage (10 miles at 45p)",
        _with(mileage, ("amount_pence",), 451),
        422,
        {"expense_above_evidence"},
    )
    yield Case(
        "an expense above its mileage at the default rate",
        _without(_set(mileage, ("amount_pence",), 451), ("evidence", "pence_per_mile")),
        422,
        {"expense_above_evidence"},
    )
    # The evidence: there, an object, of a known kind, with its kind's fields and no other's.
    # No evidence at all is a round sum, which is a payment in disguise: the rule has its own code.
    no_evidence = {"expense_evidence_missing"}
    yield Case("no evidence", _without(receipt, ("evidence",)), 422, no_evidence)
    yield Case("evidence=None", _with(receipt, ("evidence",), None), 422, no_evidence)
    for value in ({}, [evidence], "receipt", 450, True):
        yield Case(f"evidence={value!r}", _with(receipt, ("evidence",), value), 422, ANY)
    yield Case("evidence without its kind", _without(receipt, ("evidence", "kind")), 422, ANY)
    yield Case("a receipt declared as mileage", _with(receipt, ("evidence", "kind"), "mileage"), 422, ANY)
    yield Case("mileage declared as a receipt", _with(mileage, ("evidence", "kind"), "receipt"), 422, ANY)
    yield Case("a receipt with miles", _with(receipt, ("evidence", "miles"), 10), 422, UNKNOWN_FIELD)
    yield Case(
        "mileage with evidenced_pence",
        _with(mileage, ("evidence", "evidenced_pence"), 450),
        422,
        UNKNOWN_FIELD,
    )
    for name in ("reference", "evidenced_pence"):
        yield Case(f"the receipt's {name} missing", _without(receipt, ("evidence", name)), 422, REQUIRED)
    for name in ("journey", "miles"):
        yield Case(f"the mileage's {name} missing", _without(mileage, ("evidence", name)), 422, REQUIRED)
    yield Case(
        "duplicate name inside the evidence",
        _dump(receipt).replace(b'"kind": "receipt"', b'"kind": "mileage", "kind": "receipt"'),
        400,
        JSON_INVALID,
    )
    for base, path in (
        (receipt, ("description",)),
        (receipt, ("evidence", "reference")),
        (mileage, ("evidence", "journey")),
    ):
        for value in ("", "   "):
            yield Case(f"{_label(path)}={value!r}", _with(base, path, value), 422, TEXT_REQUIRED)
    for name in ("account_id", "amount_pence", "description", "incurred_on"):
        yield Case(f"{name} missing", _without(receipt, (name,)), 422, REQUIRED)
    # Repaid to members only.
    for name, account in (
        ("the organisation's", w.account_ids["organisation"]),
        ("the pot's", w.pot_account_id),
    ):
        yield Case(f"account_id is {name}", _with(receipt, ("account_id",), account), 422, MEMBER_REQUIRED)


def _declaration_cases(body: dict[str, Any]) -> Iterator[Case]:
    """Categories from the benefits core's short list, at least one, and a coordinator's say-so."""
    unknown = {"benefit_category_unknown"}
    for categories in (
        ["pip"],
        ["universal credit"],
        ["Universal_Credit"],
        [" carers_allowance"],
        ["carers_allowance", "pip"],
    ):
        yield Case(f"categories={categories!r}", _with(body, ("categories",), categories), 422, unknown)
    yield Case("no categories", _with(body, ("categories",), []), 422, {"benefit_categories_required"})
    yield Case("11 categories", _with(body, ("categories",), ["carers_allowance"] * 11), 422, unknown)
    yield Case(
        "categories is 61 characters", _with(body, ("categories",), ["c" * 61]), 422, {"text_too_long"}
    )
    for value in (None, "carers_allowance", {"carers_allowance": True}, [None], [["carers_allowance"]], 5):
        yield Case(f"categories={value!r}", _with(body, ("categories",), value), 422, ANY)
    # A coordinator enters a member's declaration only with their say-so.
    say_so_required = (403, {"member_say_so_required"})
    yield Case("members_say_so missing", _without(body, ("members_say_so",)), *say_so_required)
    yield Case("members_say_so=False", _with(body, ("members_say_so",), False), *say_so_required)


def _spend_option_cases(body: dict[str, Any]) -> Iterator[Case]:
    """A title, whole minutes within the timebank's own per-transfer limit, a class from the short list."""
    unknown = {"spend_class_unknown"}
    for value in ("cash", "gift_card", "Goods", "member time", "goods,voucher", "goods\u0000"):
        yield Case(f"spend_class={value!r}", _with(body, ("spend_class",), value), 422, unknown)
    for value in ("", "   "):
        yield Case(f"title={value!r}", _with(body, ("title",), value), 422, TEXT_REQUIRED)
    # Within the schema's week, beyond the timebank's per-transfer limit (a day, by default).
    yield Case("minutes=1441", _with(body, ("minutes",), 1441), 422, ABOVE_LIMIT)
    for name in ("title", "minutes", "spend_class"):
        yield Case(f"{name} missing", _without(body, (name,)), 422, REQUIRED)


def _spend_cases(w: World, body: dict[str, Any]) -> Iterator[Case]:
    """A member's credits, spent with their acknowledgement where the guard asks for it."""
    # The guard: other_member has declared benefits, so a voucher needs their acknowledgement. The
    # refusal is recorded in the audit log (the check and the refusal), and nothing else.
    for name, changed in (
        ("without the acknowledgement", _without(body, ("acknowledgement",))),
        ("with acknowledgement=None", _with(body, ("acknowledgement",), None)),
    ):
        yield Case(
            f"a voucher for a member with benefits declared, {name}",
            changed,
            422,
            {"spend_acknowledgement_required"},
            records=AUDITED,
        )
    for value in ("", "   ", "\n\t"):
        yield Case(f"acknowledgement={value!r}", _with(body, ("acknowledgement",), value), 422, TEXT_REQUIRED)
    yield Case("account_id missing", _without(body, ("account_id",)), 422, REQUIRED)
    # Credits are spent by members only.
    for name, account in (
        ("the organisation's", w.account_ids["organisation"]),
        ("the pot's", w.pot_account_id),
    ):
        yield Case(f"account_id is {name}", _with(body, ("account_id",), account), 422, MEMBER_REQUIRED)


def _rating_cases(body: dict[str, Any]) -> Iterator[Case]:
    """Each figure's pair the right way round for its direction, of its own shape, and no other figure."""
    for figure, (low, high) in (
        ("active_rate", ("amber_from_percent", "green_from_percent")),
        ("two_way_rate", ("amber_from_percent", "green_from_percent")),
        ("uses_services_giving_rate", ("amber_from_percent", "green_from_percent")),
        ("largest_scc_share", ("amber_from_percent", "green_from_percent")),
        ("top20_share", ("green_below_percent", "red_above_percent")),
    ):
        above = body[figure][high] + 1
        yield Case(f"{figure}.{low} above {high}", _with(body, (figure, low), above), 422, OUT_OF_ORDER)
        yield Case(f"{figure}.{low} is 100, {high} 0", _set_pair(body, figure, 100, 0), 422, OUT_OF_ORDER)
        for name in (low, high):
            yield Case(f"{figure}.{name} missing", _without(body, (figure, name)), 422, REQUIRED)
        for value in ("default", 50, True, [], [20, 50]):
            yield Case(f"{figure}={value!r}", _with(body, (figure,), value), 422, ANY)
        yield Case(
            f"{figure} with is_default", _with(body, (figure, "is_default"), False), 422, UNKNOWN_FIELD
        )
    # Each direction's names belong to its own figures: a top-20% share has no "amber from".
    for path in (("active_rate", "red_above_percent"), ("top20_share", "amber_from_percent")):
        yield Case(f"unknown field {_label(path)}", _with(body, path, 50), 422, UNKNOWN_FIELD)
    # The higher-is-better order, 55 then 75, is the wrong way round for the top-20% share.
    swapped = {"green_below_percent": 75, "red_above_percent": 55}
    yield Case("top20_share the other way round", _with(body, ("top20_share",), swapped), 422, OUT_OF_ORDER)
    for figure in ("Active_Rate", "active rate", "gini_given"):
        yield Case(f"figure {figure!r}", _dump({**body, figure: body["active_rate"]}), 422, UNKNOWN_FIELD)
    yield Case(
        "duplicate name inside a figure",
        _dump(body).replace(
            b'"amber_from_percent": 30', b'"amber_from_percent": 1, "amber_from_percent": 30'
        ),
        400,
        JSON_INVALID,
    )


def _set_pair(body: dict[str, Any], figure: str, low: int, high: int) -> bytes:
    """The body with ``figure``'s first threshold at ``low`` and its second at ``high``."""
    first, second = body[figure]
    return _dump(_set(body, (figure,), {first: low, second: high}))


# The arranged id, in the other timebank, that an id field's "another timebank's" case sends.
_ARRANGED_BY_NOT_FOUND = {
    "member_not_found": "member",
    "activity_not_found": "activity",
    "post_not_found": "post",
    "category_not_found": "category",
}


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


# --- sending and checking ------------------------------------------------------------------------


def send(client: httpx.Client, w: World, op: Operation, here: Arranged, case: Case) -> Response:
    sent = dict(w.headers[op.role])
    if case.content_type is not None:
        sent["Content-Type"] = case.content_type
    if op.keyed and case.key is not None:
        sent["Idempotency-Key"] = uuid.uuid4().hex if case.key == "fresh" else case.key
    path = op.path.format(**{**here, **case.path})
    query = op.query if case.query is None else case.query
    headers: list[tuple[str, str]] = list(sent.items())
    if case.authorization_twice:
        own = sent.get("Authorization", "Bearer tbt_not_a_token")
        headers = [(name, value) for name, value in headers if name != "Authorization"]
        headers += [("Authorization", own), ("Authorization", w.headers["other_member"]["Authorization"])]
    return client.request(
        op.method, f"{path}?{query}" if query else path, content=case.content, headers=headers
    )


def problems_with(response: Response, case: Case) -> list[str]:
    """What is wrong with ``response`` as the refusal of ``case``; empty when all is well."""
    found: list[str] = []
    status = response.status_code
    if not 400 <= status < 500:
        return [f"answered {status}: {response.text[:300]}"]
    if case.status is not None and status != case.status:
        found.append(f"status {status}, expected {case.status}")
    if response.headers.get("content-type", "").split(";")[0] != "application/problem+json":
        found.append(f"content type {response.headers.get('content-type')!r}")
    try:
        problem = response.json()
    except ValueError:
        return [*found, f"body is not JSON: {response.text[:200]!r}"]
    missing = {"type", "title", "status", "detail", "code"} - set(problem)
    if missing:
        found.append(f"problem lacks {sorted(missing)}")
        return found
    if problem["status"] != status:
        found.append(f"problem status {problem['status']} in a {status} response")
    if problem["type"] != PROBLEM_TYPE_BASE + problem["code"]:
        found.append(f"type {problem['type']!r} does not name code {problem['code']!r}")
    if not all(isinstance(problem[k], str) and problem[k] for k in ("title", "detail", "code")):
        found.append("empty title, detail or code")
    if case.codes is not None and problem["code"] not in case.codes:
        found.append(f"code {problem['code']!r}, expected one of {sorted(case.codes)}")
    return found


def replay_problems(response: Response, case: Case) -> list[str]:
    """What is wrong with ``response`` as the replay of an accepted request: the first answer, exactly."""
    assert case.replay is not None, "only a replay has a first answer to repeat"
    found: list[str] = []
    if response.status_code != case.status:
        found.append(f"replay answered {response.status_code}, first {case.status}: {response.text[:300]}")
    if response.content != case.replay:
        found.append(f"replay answered {response.content[:200]!r}, first {case.replay[:200]!r}")
    return found


def judge(response: Response, case: Case) -> list[str]:
    return problems_with(response, case) if case.replay is None else replay_problems(response, case)


@dataclass
class Outcome:
    """What running one operation's corpus found."""

    cases: int
    failures: list[str]


def run_corpus(client: httpx.Client, w: World, op: Operation, here: Arranged, there: Arranged) -> Outcome:
    """Send every case of ``op``'s corpus; judge each answer, and the row counts after each.

    Row counts are one query, so they are read after every case; the full snapshot is the caller's,
    before and after (``unchanged_problems``). A request that changed a row without adding one would
    have to succeed to do so, and every success but a replay is reported as a failure of its own case.

    Bad input records nothing, not even under its Idempotency-Key: only a refusal for the state a
    request met (a conflict, a limit) is recorded as the key's answer (timebank/exchanges/idempotency.py),
    and none of these requests gets that far. The exceptions are named on their cases
    (``Case.records``): a payment, or a spend on goods or a voucher, refused for want of an
    acknowledgement must add audit rows, and may add rows to no other table; a spend on a withdrawn
    option must record its refusal under its key, and nothing else. ``unchanged_problems`` then
    allows those rows, and only those.
    """
    outcome = Outcome(0, [])
    counts = row_counts(w.engine)
    for case in corpus(op, w, here, there):
        outcome.cases += 1
        if op.keyed and case.key == "fresh":
            case = replace(case, key=uuid.uuid4().hex)  # known, so that its row can be told apart
        try:
            response = send(client, w, op, here, case)
        except httpx.TransportError as error:
            outcome.failures.append(f"{case.name}: no answer: {error!r}")
            continue
        wrong = judge(response, case)
        now = row_counts(w.engine)
        changed = [t for t in _changed(counts, now) if not (t in case.records and now[t] > counts[t])]
        if changed:
            wrong.append(f"rows added or removed: {changed}")
        left_none = sorted(t for t in case.records if now[t] <= counts[t])
        if left_none:
            wrong.append(f"added no rows to {left_none}, which it must")
        counts = now  # so that the next case is judged on its own
        if wrong:
            outcome.failures.append(f"{case.name}: {'; '.join(wrong)}")
    return outcome


def timebank_rows(w: World) -> dict[str, Any]:
    """Every row of both timebanks, and every table's row count."""
    return snapshot(w.engine, (w.timebank_id, w.other_timebank_id))


def unchanged_problems(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The tables that changed between two snapshots (none, when all is well).

    The audit rows of a payment or a spend refused for want of an acknowledgement are no change, nor
    is a refusal recorded under its key: they are recorded by design, and ``run_corpus`` has checked
    that only the cases that name them (``Case.records``) added rows to those tables at all. Any
    other audit row or key, or any change to an old one, is.
    """
    after = _without_added(before, after, "audit_log", lambda row: row["action"] in REFUSAL_AUDIT_ACTIONS)
    after = _without_added(before, after, "idempotency_keys", _is_recorded_refusal)
    return [] if after == before else [f"rows changed in: {_changed(before, after)}"]


def _is_recorded_refusal(row: dict[str, Any]) -> bool:
    return "refused" in json.loads(row["response_json"])


def _without_added(
    before: dict[str, Any], after: dict[str, Any], table: str, allowed: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """``after`` without the rows of ``table`` added since ``before``, if each is allowed; all or none."""
    old = {row["id"] for row in before.get(table, [])}
    added = [row for row in after.get(table, []) if row["id"] not in old]
    if not added or not all(allowed(row) for row in added):
        return after
    return {
        **after,
        table: [row for row in after[table] if row["id"] in old],
        f"{table} (count)": after[f"{table} (count)"] - len(added),
    }


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def valid_request(op: Operation, w: World, here: Arranged) -> Case:
    """The request the corpus was built from, which must be accepted (status None: not judged)."""
    if op.body is None:
        return Case("the valid request", b"", None, None, None)
    if op.form:
        return Case("the valid request", _form(op.body(w, here)), None, None, FORM)
    if op.multipart:
        return Case("the valid request", _multipart(op.body(w, here)), None, None, MULTIPART)
    return Case("the valid request", _dump(op.body(w, here)), None, None)


def valid_alternatives(op: Operation, w: World, here: Arranged) -> list[Case]:
    """The other valid bodies the corpus was built from (``Operation.alternatives``), each accepted too."""
    return [
        Case(f"the valid request, alternative {n}", _dump(alternative(w, here)), None, None)
        for n, alternative in enumerate(op.alternatives, 1)
    ]


def own_address() -> tuple[str, int]:
    """A client address no other test uses: should a case ever be counted as a failed login (none
    is meant to be), it would not count against the address other tests log in from."""
    a, b, c = secrets.token_bytes(3)
    return f"10.{a}.{b}.{c}", 50000
