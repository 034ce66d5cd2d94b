"""The bad-input test: every write that takes a body, sent everything a careless or hostile client might.

For each operation (record an exchange, give credits, reverse, add and update a member, add an
organisation, add staff, make an API key, set limits, create a timebank) a corpus of bad requests is
built from the operation's own valid body: JSON that is malformed, truncated, not UTF-8, nested too
deep, with a name given twice, or not an object at all; every minutes field as a string, a float
(1.5 and 60.0), a bool, null, 0, negative, 2**63 and 2**64; every id field likewise, and as another
timebank's id; every text field with NUL, ESC, a bidi override, a lone surrogate escape, too long
and 1 MB long; fields the schema does not have (``balance_minutes``, ``timebank_id``, ``roles`` on
an exchange ...); no Idempotency-Key; text/plain, form and multipart bodies; bodies past the size
limit, declared or streamed; and bad ids in the path.

Each must be answered with a 4xx ``application/problem+json`` carrying ``type``, ``title``,
``status``, ``detail`` and ``code`` (the specific code where one rule is plainly broken), and the
database must be exactly as before: every row of both timebanks and the row count of every table.
A 5xx is a bug. One test per operation and backend runs its whole corpus and reports every case that
went wrong, so one run shows them all; it then sends the valid body the corpus was built from, which
must be accepted, so the refusals are the corpus' doing.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from timebank.api.problems import PROBLEM_TYPE_BASE
from timebank.services.callers import Caller
from timebank.services.members import add_member
from timebank.services.organisations import add_organisation
from timebank.settings import get_settings

from .conftest import PASSWORD, World
from .db_snapshot import row_counts, snapshot

Path = tuple[str | int, ...]  # where a field sits in a body: ("receivers", 0, "minutes")
Arranged = dict[str, Any]

BODY_BYTES_MAX = get_settings().request_body_bytes_max
ID_MAX = 2**63 - 1
ONE_MB = "x" * (1 << 20)
RAW = "@@raw@@"  # stands for a JSON token that json.dumps cannot write (NaN, a lone surrogate ...)

JSON_INVALID = {"json_invalid"}
REQUEST_INVALID = {"request_invalid"}
WHOLE = {"minutes_must_be_whole"}
POSITIVE = {"minutes_must_be_positive"}
ABOVE_LIMIT = {"minutes_above_transfer_limit"}
CONTROL = {"text_has_control_characters"}
ANY: set[str] | None = None  # any code will do; the status is still checked


# --- the operations ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Operation:
    """A write that takes a JSON body, with what the corpus needs to know about its fields."""

    name: str
    method: str
    path: str  # a template over the arranged ids: "/v1/timebanks/{tb}/exchanges/{exchange}/reverse"
    body: Callable[[World, Arranged], dict[str, Any]]
    role: str = "coordinator"
    keyed: bool = False
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


PLAIN_TEXT = (CONTROL, {"text_too_long"})


def _exchange_body(w: World, a: Arranged) -> dict[str, Any]:
    return {
        "giver_account_id": w.account_ids["member"],
        "receivers": [{"account_id": w.account_ids["other_member"], "minutes": 60}],
        "activity_date": "2024-05-01",
        "description": "dug the vegetable patch",
        "category": "gardening",
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
        ids={("giver_account_id",): "account_not_found", ("receivers", 0, "account_id"): "account_not_found"},
        texts={("description",): PLAIN_TEXT, ("category",): PLAIN_TEXT},
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
    Operation(
        "add_organisation",
        "POST",
        "/v1/timebanks/{tb}/organisations",
        lambda w, a: {"name": "Riverside Library", "floor_minutes": -600},
        path_ids={"tb": "timebank_not_found"},
        texts={("name",): PLAIN_TEXT},
        floors=(("floor_minutes",),),
        unknown_fields=("account_id", "staff_member_ids"),
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
        },
        role="admin",
        texts={("name",): PLAIN_TEXT},
        floors=(("default_member_floor_minutes",), ("default_organisation_floor_minutes",)),
        caps=(("default_member_cap_minutes",),),
        other_numbers=(("minutes_per_transfer_max",), ("pending_expiry_days",)),
        bools=(("auto_confirm_pending",), ("require_both_sides",)),
        unknown_fields=("pot_account_id", "id"),
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
        },
        path_ids={"tb": "timebank_not_found"},
        texts={("name",): PLAIN_TEXT},
        floors=(("default_member_floor_minutes",), ("default_organisation_floor_minutes",)),
        caps=(("default_member_cap_minutes",),),
        other_numbers=(("minutes_per_transfer_max",), ("pending_expiry_days",)),
        bools=(("auto_confirm_pending",), ("require_both_sides",)),
        unknown_fields=("pot_account_id", "id", "created_at"),
    ),
]


def arrange(w: World) -> tuple[Arranged, Arranged]:
    """Ids for the paths and bodies: one set in this timebank, one of the same kinds in the other."""
    coordinator = w.headers["coordinator"]
    recorded = w.client.post(
        w.url("/exchanges"),
        json=_exchange_body(w, {}),
        headers={**coordinator, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert recorded.status_code == 201, recorded.text

    # The other timebank: a second member, an exchange between them, and an organisation.
    system = Caller("system:test", True, None, None, None, False, frozenset())
    stranger = add_member(w.engine, w.other_timebank_id, system, "Stranger")
    elsewhere = w.client.post(
        w.url("/exchanges", w.other_timebank_id),
        json={**_exchange_body(w, {}), "giver_account_id": w.other_account_id}
        | {"receivers": [{"account_id": stranger.account_id, "minutes": 60}]},
        headers={**w.headers["other_coordinator"], "Idempotency-Key": uuid.uuid4().hex},
    )
    assert elsewhere.status_code == 201, elsewhere.text
    other_coordinator = Caller("system:test", False, w.other_timebank_id, None, None, True, frozenset())
    other_organisation = add_organisation(w.engine, w.other_timebank_id, other_coordinator, "Hill Trust")

    here = {
        "tb": w.timebank_id,
        "exchange": recorded.json()["id"],
        "member": w.member_ids["member"],
        "organisation": w.organisation_id,
        "account": w.account_ids["member"],
    }
    there = {
        "tb": w.other_timebank_id,
        "exchange": elsewhere.json()["id"],
        "member": stranger.member_id,
        "organisation": other_organisation.organisation_id,
        "account": stranger.account_id,
        "account_id": stranger.account_id,
        "member_id": stranger.member_id,
    }
    return here, there


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


def _streamed(size: int) -> Iterator[bytes]:
    """A body sent in chunks with no Content-Length, so only counting the bytes can stop it."""
    yield b'{"description": "'
    for _ in range(size // 4096):
        yield b"x" * 4096
    yield b'"}'


def corpus(op: Operation, body: dict[str, Any], other: Arranged) -> Iterator[Case]:
    text = _dump(body)
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
    if op.name not in ("update_member", "update_timebank"):  # an empty update changes nothing
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
    if op.keyed:
        yield Case("no Idempotency-Key", text, 400, {"idempotency_key_required"}, key=None)
        yield Case("empty Idempotency-Key", text, 422, ANY, key="")
        yield Case("Idempotency-Key with a space", text, 422, ANY, key="a b")
        yield Case("Idempotency-Key too long", text, 422, ANY, key="k" * 201)

    # Ids in the path.
    for name, not_found in op.path_ids.items():
        for value in (0, -1, 2**63, 2**64, "abc", "1.5", "1e3", "%00"):
            yield Case(f"path {name}={value}", text, 422, ANY, path={name: value})
        yield Case(f"path {name}=2**63-1", text, 404, {not_found}, path={name: ID_MAX})
        yield Case(f"path {name} of another timebank", text, 404, {not_found}, path={name: other[name]})

    # Minutes.
    for path in op.minutes:
        label = _label(path)
        for value in ("60", 1.5, 60.0, True, False, None, [60], {"minutes": 60}):
            yield Case(f"{label}={value!r}", _with(body, path, value), 422, WHOLE)
        for value in (0, -1, -60, -(2**63), -(2**64)):
            yield Case(f"{label}={value}", _with(body, path, value), 422, POSITIVE)
        for value in (10_081, 2**31, 2**63 - 1, 2**63, 2**64, 10**30):
            yield Case(f"{label}={value}", _with(body, path, value), 422, ABOVE_LIMIT)
        for raw in ("NaN", "Infinity", "-Infinity", "6e1", "1e400", "60.000000000000001", "-0.0"):
            yield Case(f"{label}={raw}", _with_raw(body, path, raw), 422, WHOLE)
        yield Case(f"{label}=5000 digits", _with_raw(body, path, "1" * 5000), 400, JSON_INVALID)

    # Ids in the body.
    for path, not_found in op.ids.items():
        label = _label(path)
        for value in ("4", 4.0, 1.5, True, None, [4], {"id": 4}, 0, -1, 2**63, 2**64, -(2**64)):
            yield Case(f"{label}={value!r}", _with(body, path, value), 422, REQUEST_INVALID)
        for raw in ("NaN", "4e0"):
            yield Case(f"{label}={raw}", _with_raw(body, path, raw), 422, REQUEST_INVALID)
        yield Case(f"{label}=2**63-1", _with(body, path, ID_MAX), 404, {not_found})
        kind = "member" if not_found == "member_not_found" else "account"
        yield Case(f"{label} of another timebank", _with(body, path, other[kind]), 404, {not_found})

    # Text.
    for path, (control_codes, long_codes) in op.texts.items():
        label = _label(path)
        for name, character in (("NUL", "\x00"), ("ESC", "\x1b"), ("DEL", "\x7f"), ("U+202E", "\u202e")):
            yield Case(f"{label} with {name}", _with(body, path, f"ab{character}cd"), 422, control_codes)
        yield Case(f"{label} is a lone surrogate", _with_raw(body, path, '"ab\\ud800cd"'), 422, ANY)
        yield Case(f"{label} is 10 000 characters", _with(body, path, "y" * 10_000), 422, long_codes)
        yield Case(f"{label} is 1 MB", _with(body, path, ONE_MB), 413, {"request_body_too_large"})
        for value in (5, 1.5, True, ["text"], {"text": "x"}):
            yield Case(f"{label}={value!r}", _with(body, path, value), 422, ANY)

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
    if op.name == "change_password":
        wrong_types = (
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
        for name in ("current_password", "new_password"):
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


def _nested(depth: int) -> Any:
    value: Any = "deep"
    for _ in range(depth):
        value = [value]
    return value


# --- sending and checking ------------------------------------------------------------------------


def send(client: TestClient, w: World, op: Operation, here: Arranged, case: Case) -> Response:
    headers = dict(w.headers[op.role])
    if case.content_type is not None:
        headers["Content-Type"] = case.content_type
    if op.keyed and case.key is not None:
        headers["Idempotency-Key"] = uuid.uuid4().hex if case.key == "fresh" else case.key
    path = op.path.format(**{**here, **case.path})
    return client.request(op.method, path, content=case.content, headers=headers)


def problems_with(response: Response, case: Case) -> list[str]:
    """What is wrong with ``response`` as the answer to ``case``; empty when all is well."""
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


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_bad_input_is_refused_with_a_problem_and_changes_nothing(world: World, op: Operation) -> None:
    """Each case: a 4xx problem, and no row added or removed anywhere; after all: no row changed.

    Row counts are compared after every case (one query); every row of both timebanks, and every
    table's count, before and after the whole corpus. A request that changed a row without adding one
    would have to succeed to do so, and every success is reported as a failure of its own case.
    """
    here, there = arrange(world)
    timebanks = (world.timebank_id, world.other_timebank_id)
    before = snapshot(world.engine, timebanks)
    counts = row_counts(world.engine)
    failures: list[str] = []
    cases = list(corpus(op, op.body(world, here), there))
    # One client for the corpus, entered once: a request then costs half as much as through world.client.
    with TestClient(world.client.app) as client:
        for case in cases:
            response = send(client, world, op, here, case)
            wrong = problems_with(response, case)
            now = row_counts(world.engine)
            if now != counts:
                wrong.append(f"rows added or removed: {_changed(counts, now)}")
                counts = now  # so that the next case is judged on its own
            if wrong:
                failures.append(f"{case.name}: {'; '.join(wrong)}")
    after = snapshot(world.engine, timebanks)
    if after != before:
        failures.append(f"rows changed in: {_changed(before, after)}")
    # The control: the corpus was built from a body that is accepted, so its refusals are its own.
    headers = dict(world.headers[op.role])
    if op.keyed:
        headers["Idempotency-Key"] = uuid.uuid4().hex
    valid = world.client.request(
        op.method, op.path.format(**here), json=op.body(world, here), headers=headers
    )
    if valid.status_code not in (200, 201, 204):
        failures.append(f"the valid body itself: answered {valid.status_code}: {valid.text[:300]}")
    assert len(cases) >= 60, f"only {len(cases)} cases for {op.name}"
    assert not failures, f"{len(failures)} of {len(cases)} cases went wrong:\n" + "\n".join(failures)


def _changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))


def test_the_corpus_covers_every_write_that_takes_a_body(world: World) -> None:
    """Every route that reads a JSON body is in OPERATIONS, so a new one cannot escape the corpus."""
    document = world.client.get("/openapi.json").json()
    with_body = {
        operation["operationId"]
        for item in document["paths"].values()
        for operation in item.values()
        if "application/json" in operation.get("requestBody", {}).get("content", {})
    }
    assert with_body == {op.name for op in OPERATIONS}
