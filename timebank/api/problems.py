"""Every refusal as RFC 9457 ``application/problem+json``, mapped to HTTP in this one place.

An error of the tree keeps its code; its group decides the status (the tree's root is
``timebank.errors``). Refusals that happen before a use case runs have codes of their own:

    json_invalid               400  the body is not JSON
    form_invalid               400  a form body (the login's) that cannot be read
    authorization_header_repeated  400  more than one Authorization header (``timebank.api.edge``)
    request_invalid            422  the body or query does not fit the schema (``errors`` lists
                                    each field; a field's rule code is used where one exists,
                                    such as ``minutes_must_be_positive`` or ``unknown_field``)
    route_not_found            404  no such path
    method_not_allowed         405
    request_body_too_large     413
    content_type_unsupported   415  a JSON body sent as something else
    request_body_unexpected    422  a body sent to a write that takes none
    request_header_timeout     408  the request's headers took too long (``timebank serve`` only,
                                    written by ``timebank.api.http_protocol`` before the app runs)
    internal_error             500  a bug; the body says nothing more, the log says everything
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from timebank.api.operation_problems import codes_of
from timebank.benefits.errors import (
    AttendeesRequired,
    ExpenseEvidenceMissing,
    MileageRateAboveLimit,
    MileageRateMustBePositive,
    MileageRateMustBeWhole,
    MilesAboveLimit,
    MilesMustBePositive,
    MilesMustBeWhole,
    PenceAboveLimit,
    PenceMustBePositive,
    PenceMustBeWhole,
    TextRequired,
    TooManyAttendees,
)
from timebank.busy import ServerBusy
from timebank.errors import (
    IdempotencyConflict,
    InvalidRequest,
    LimitBreached,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    StateConflict,
    TimebankError,
    TooManyAttempts,
    error_class,
)
from timebank.exchanges.errors import IdempotencyKeyInFlight, IdempotencyKeyRequired, ImportRejected
from timebank.imports.errors import ImportFilesRequired, ImportFilesTooMany, ImportRefused
from timebank.involvement.errors import BenefitCategoryUnknown, TooManyInvitations
from timebank.ledger.errors import (
    CapMustNotBeNegative,
    FloorMustNotBePositive,
    MinutesAboveTransferLimit,
    MinutesMustBePositive,
    MinutesMustBeWhole,
    ReasonRequired,
    ReceiversRequired,
    TextTooLong,
    TooManyReceivers,
)
from timebank.paging import CursorInvalid, PageLimitOutOfRange
from timebank.people.errors import PasswordInvalid, RoleUnknown, TagInvalid, UsernameInvalid
from timebank.reports.errors import RatingThresholdOutOfRange
from timebank.spending.errors import SpendClassUnknown

__all__ = [
    "IMPORT_PROBLEMS_LISTED_MAX",
    "PROBLEM_TYPE_BASE",
    "install_problem_handlers",
    "problem_response",
    "status_for",
]

PROBLEM_TYPE_BASE = "https://timebank.example/problems/"
# An import's problems listed in one answer (``problems``: not ``errors``, which lists the fields of
# a request that does not fit its schema); ``detail`` says how many there were in all. A file of
# 16 MiB can hold a million bad rows, and the answer need not be larger than the question.
IMPORT_PROBLEMS_LISTED_MAX = 1000
_log = logging.getLogger("timebank.api")

# The status of each group of the error tree; a subclass may be named to override its group.
_STATUS_BY_CLASS: list[tuple[type[TimebankError], int]] = [
    (IdempotencyKeyRequired, 400),
    (CursorInvalid, 400),
    (PageLimitOutOfRange, 400),
    (InvalidRequest, 422),
    (NotFound, 404),
    (NotAllowed, 403),
    (StateConflict, 409),
    (LimitBreached, 409),
    (IdempotencyKeyInFlight, 409),
    (IdempotencyConflict, 422),
    (NotAuthenticated, 401),
    (TooManyAttempts, 429),
    (ServerBusy, 503),
]

_HTTP_CODES = {
    400: "form_invalid",
    404: "route_not_found",
    405: "method_not_allowed",
    413: "request_body_too_large",
}

# Pydantic's error types that break one of the ledger's named rules, by the field they concern.
_FIELD_RULES: dict[tuple[str, str], str] = {
    ("minutes", "greater_than_equal"): MinutesMustBePositive.code,
    ("minutes_per_transfer_max", "greater_than_equal"): MinutesMustBePositive.code,
    ("minutes_per_transfer_max", "less_than_equal"): MinutesAboveTransferLimit.code,
    ("minutes", "less_than_equal"): MinutesAboveTransferLimit.code,
    ("minutes", "int_type"): MinutesMustBeWhole.code,
    ("minutes", "int_from_float"): MinutesMustBeWhole.code,
    ("floor_minutes", "less_than_equal"): FloorMustNotBePositive.code,
    ("cap_minutes", "greater_than_equal"): CapMustNotBeNegative.code,
    ("receivers", "too_long"): TooManyReceivers.code,
    ("receivers", "too_short"): ReceiversRequired.code,
    ("reason", "string_too_short"): ReasonRequired.code,
    # People: the schema checks these shapes before the service can, so it names the same rules.
    ("roles", "literal_error"): RoleUnknown.code,
    ("tags", "string_pattern_mismatch"): TagInvalid.code,
    ("tags", "string_too_short"): TagInvalid.code,
    ("tags", "string_too_long"): TagInvalid.code,
    ("tags", "too_long"): TagInvalid.code,
    ("tag", "string_pattern_mismatch"): TagInvalid.code,
    ("tag", "string_too_long"): TagInvalid.code,
    ("username", "string_too_short"): UsernameInvalid.code,
    ("username", "string_too_long"): UsernameInvalid.code,
    ("password", "string_too_short"): PasswordInvalid.code,
    ("password", "string_too_long"): PasswordInvalid.code,
    ("new_password", "string_too_short"): PasswordInvalid.code,
    ("new_password", "string_too_long"): PasswordInvalid.code,
    # Recognising involvement: money in whole pence, mileage, attendance lists (the benefits core's rules).
    ("pence", "greater_than_equal"): PenceMustBePositive.code,
    ("pence", "less_than_equal"): PenceAboveLimit.code,
    ("pence", "int_type"): PenceMustBeWhole.code,
    ("pence", "int_from_float"): PenceMustBeWhole.code,
    ("miles", "greater_than_equal"): MilesMustBePositive.code,
    ("miles", "less_than_equal"): MilesAboveLimit.code,
    ("miles", "int_type"): MilesMustBeWhole.code,
    ("miles", "int_from_float"): MilesMustBeWhole.code,
    ("pence_per_mile", "greater_than_equal"): MileageRateMustBePositive.code,
    ("pence_per_mile", "less_than_equal"): MileageRateAboveLimit.code,
    ("pence_per_mile", "int_type"): MileageRateMustBeWhole.code,
    ("pence_per_mile", "int_from_float"): MileageRateMustBeWhole.code,
    ("attendees", "too_short"): AttendeesRequired.code,
    ("attendees", "too_long"): TooManyAttendees.code,
    ("account_ids", "too_short"): AttendeesRequired.code,
    ("account_ids", "too_long"): TooManyInvitations.code,
    ("categories", "too_long"): BenefitCategoryUnknown.code,
    ("title", "string_too_short"): TextRequired.code,
    ("spend_class", "enum"): SpendClassUnknown.code,
    # A report's rating threshold: a whole percentage from 0 to 100, whatever else was sent.
    ("percent", "greater_than_equal"): RatingThresholdOutOfRange.code,
    ("percent", "less_than_equal"): RatingThresholdOutOfRange.code,
    ("percent", "int_type"): RatingThresholdOutOfRange.code,
    ("percent", "int_from_float"): RatingThresholdOutOfRange.code,
    # An expense without its receipt or mileage sum: left out, or sent as null.
    ("evidence", "missing"): ExpenseEvidenceMissing.code,
    ("evidence", "model_attributes_type"): ExpenseEvidenceMissing.code,
    # An upload of files to import: the use case's own rules, checked first by the schema.
    ("files", "too_short"): ImportFilesRequired.code,
    ("files", "too_long"): ImportFilesTooMany.code,
}
_TYPE_RULES = {
    "extra_forbidden": "unknown_field",
    "missing": "field_required",
    "string_too_long": TextTooLong.code,
    "too_long": TextTooLong.code,
}


def status_for(error: TimebankError) -> int:
    return status_of_class(type(error))


def status_of_class(error: type[TimebankError]) -> int:
    for cls, status in _STATUS_BY_CLASS:
        if issubclass(error, cls):
            return status
    return 400


# The edge's own refusals (above), by code.
EDGE_STATUSES = {
    "json_invalid": 400,
    "form_invalid": 400,
    "authorization_header_repeated": 400,
    "request_invalid": 422,
    "field_required": 422,
    "unknown_field": 422,
    "request_body_unexpected": 422,
    "route_not_found": 404,
    "method_not_allowed": 405,
    "request_header_timeout": 408,
    "request_body_too_large": 413,
    "content_type_unsupported": 415,
    "internal_error": 500,
}


def status_of_code(code: str) -> int:
    """The status a refusal with ``code`` answers with."""
    if code in EDGE_STATUSES:
        return EDGE_STATUSES[code]
    return status_of_class(error_class(code))


def _observe_problem(request: Request, status: int, code: str) -> None:
    """Check, and note where asked, each refusal an operation answers against the contract's list.

    ``TIMEBANK_RECORD_PROBLEMS`` names a file to note each one in (a tool for keeping the list in
    ``timebank.api.operation_problems`` true: run the tests with it set, and compare).
    ``TIMEBANK_STRICT_PROBLEMS`` makes a code the operation does not list a bug: the answer becomes
    a 500, and the test that met it fails. Neither is set in production.
    """
    route = request.scope.get("route")
    operation = getattr(route, "operation_id", None)
    # Older URLs kept for callers who knew them, but outside the contract, list nothing.
    if operation is None or not getattr(route, "include_in_schema", True):
        return
    path = os.environ.get("TIMEBANK_RECORD_PROBLEMS")
    if path:
        with open(path, "a", encoding="utf-8") as record:
            record.write(json.dumps({"operation": operation, "status": status, "code": code}) + "\n")
    if os.environ.get("TIMEBANK_STRICT_PROBLEMS") and code not in codes_of(operation):
        raise UndeclaredProblem(f"{operation} answered {status} {code}, which the contract does not list")


class UndeclaredProblem(RuntimeError):
    """An operation answered a refusal its entry in the contract does not list (a bug: list it)."""


def problem_response(
    status: int,
    code: str,
    title: str,
    detail: str,
    *,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, headers=headers, media_type="application/problem+json")


def _field_code(error: dict[str, Any]) -> str:
    location = [part for part in error.get("loc", ()) if isinstance(part, str)]
    field = location[-1] if location else ""
    # A timebank's default floors and caps follow the same rules as an account's own.
    for suffix in ("floor_minutes", "cap_minutes"):
        if field.endswith(suffix):
            field = suffix
    # Every amount of money (amount_pence, reduced_pence, evidenced_pence) follows the same rules;
    # so does every length of time but the limits' and the guard's worked minutes, which may be 0.
    if field.endswith("_pence"):
        field = "pence"
    # Every rating threshold (amber_from_percent, red_above_percent ...) follows the same rule.
    if field.endswith("_percent"):
        field = "percent"
    if field == "duration_minutes":
        field = "minutes"
    kind = str(error.get("type", ""))
    return _FIELD_RULES.get((field, kind)) or _TYPE_RULES.get(kind) or "request_invalid"


def _is_missing_idempotency_key(error: dict[str, Any]) -> bool:
    location = [str(part).lower() for part in error.get("loc", ())]
    return location[:2] == ["header", "idempotency-key"] and error.get("type") == "missing"


def _validation_problem(exc: RequestValidationError) -> JSONResponse:
    found = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in found):
        return problem_response(400, "json_invalid", "The body is not valid JSON", "Send a JSON object.")
    if any(_is_missing_idempotency_key(e) for e in found):
        refusal = IdempotencyKeyRequired(
            "Send an 'Idempotency-Key' header (a new UUID per intended write) with every write "
            "that moves credits"
        )
        return problem_response(400, refusal.code, refusal.title, refusal.detail)
    fields = [
        {
            "location": ".".join(str(part) for part in e.get("loc", ())),
            "code": _field_code(e),
            "detail": str(e.get("msg", "")),
        }
        for e in found[:20]
    ]
    code = fields[0]["code"] if fields else "request_invalid"
    detail = "; ".join(f"{f['location']}: {f['detail']}" for f in fields[:5]) or "The request does not fit."
    return problem_response(
        422, str(code), "The request does not fit the schema", detail, extra={"errors": fields}
    )


_METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _allowed_methods(request: Request) -> str:
    """Every method the request's path answers to, for the ``Allow`` header of a 405 (RFC 9110 15.5.6).

    Bug fix (found by schemathesis): Starlette names only the methods of the first route whose path
    matches, and a path served by two routes (``GET`` and ``POST /members``) answered ``OPTIONS``
    with ``Allow: POST``, hiding ``GET``. Each method is tried against the routes instead (FastAPI's
    included routers hide their routes, but answer ``matches`` like any route).
    """
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] == Match.FULL for route in routes)
    ]
    return ", ".join(allowed)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(TimebankError)
    async def ledger_error(request: Request, exc: TimebankError) -> JSONResponse:
        status = status_for(exc)
        headers: dict[str, str] = {}
        if isinstance(exc, NotAuthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, TooManyAttempts | ServerBusy):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, IdempotencyKeyInFlight):
            headers["Retry-After"] = "1"
        extra = None
        if isinstance(exc, ImportRejected):
            extra = {"errors": [{"row": e.row, "code": e.code, "detail": e.detail} for e in exc.errors]}
        if isinstance(exc, ImportRefused):
            listed = exc.problems[:IMPORT_PROBLEMS_LISTED_MAX]
            extra = {"problems": [{"file": p.file, "row": p.row, "reason": p.reason} for p in listed]}
        _observe_problem(request, status, exc.code)
        return problem_response(status, exc.code, exc.title, exc.detail, headers=headers, extra=extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        answer = _validation_problem(exc)
        _observe_problem(request, answer.status_code, json.loads(bytes(answer.body))["code"])
        return answer

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        _observe_problem(request, exc.status_code, code)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            headers["Allow"] = _allowed_methods(request) or headers.get("Allow", "")
        return problem_response(exc.status_code, code, str(exc.detail), str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        # The log keeps the details; the caller gets none of them (no stack, no SQL, no paths).
        _log.exception("internal error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "internal_error",
            "Something went wrong on our side",
            "Nothing was recorded. Try again later.",
        )
