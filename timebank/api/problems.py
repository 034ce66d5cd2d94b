"""Every refusal as RFC 9457 ``application/problem+json``, mapped to HTTP in this one place.

A ledger error keeps its code; its group decides the status (the error tree in
``timebank.ledger.errors``). Refusals that happen before a use case runs have codes of their own:

    json_invalid               400  the body is not JSON
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

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from timebank.ledger import errors

__all__ = ["PROBLEM_TYPE_BASE", "install_problem_handlers", "problem_response", "status_for"]

PROBLEM_TYPE_BASE = "https://timebank.example/problems/"
_log = logging.getLogger("timebank.api")

# The status of each group of the error tree; a subclass may be named to override its group.
_STATUS_BY_CLASS: list[tuple[type[errors.LedgerError], int]] = [
    (errors.IdempotencyKeyRequired, 400),
    (errors.CursorInvalid, 400),
    (errors.PageLimitOutOfRange, 400),
    (errors.InvalidRequest, 422),
    (errors.NotFound, 404),
    (errors.NotAllowed, 403),
    (errors.StateConflict, 409),
    (errors.LimitBreached, 409),
    (errors.IdempotencyKeyInFlight, 409),
    (errors.IdempotencyConflict, 422),
    (errors.NotAuthenticated, 401),
    (errors.TooManyAttempts, 429),
    (errors.ServerBusy, 503),
]

_HTTP_CODES = {404: "route_not_found", 405: "method_not_allowed", 413: "request_body_too_large"}

# Pydantic's error types that break one of the ledger's named rules, by the field they concern.
_FIELD_RULES: dict[tuple[str, str], str] = {
    ("minutes", "greater_than_equal"): errors.MinutesMustBePositive.code,
    ("minutes_per_transfer_max", "greater_than_equal"): errors.MinutesMustBePositive.code,
    ("minutes_per_transfer_max", "less_than_equal"): errors.MinutesAboveTransferLimit.code,
    ("minutes", "less_than_equal"): errors.MinutesAboveTransferLimit.code,
    ("minutes", "int_type"): errors.MinutesMustBeWhole.code,
    ("minutes", "int_from_float"): errors.MinutesMustBeWhole.code,
    ("floor_minutes", "less_than_equal"): errors.FloorMustNotBePositive.code,
    ("cap_minutes", "greater_than_equal"): errors.CapMustNotBeNegative.code,
    ("receivers", "too_long"): errors.TooManyReceivers.code,
    ("receivers", "too_short"): errors.ReceiversRequired.code,
    ("reason", "string_too_short"): errors.ReasonRequired.code,
    # People: the schema checks these shapes before the service can, so it names the same rules.
    ("roles", "literal_error"): errors.RoleUnknown.code,
    ("tags", "string_pattern_mismatch"): errors.TagInvalid.code,
    ("tags", "string_too_short"): errors.TagInvalid.code,
    ("tags", "string_too_long"): errors.TagInvalid.code,
    ("tags", "too_long"): errors.TagInvalid.code,
    ("tag", "string_pattern_mismatch"): errors.TagInvalid.code,
    ("tag", "string_too_long"): errors.TagInvalid.code,
    ("username", "string_too_short"): errors.UsernameInvalid.code,
    ("username", "string_too_long"): errors.UsernameInvalid.code,
    ("password", "string_too_short"): errors.PasswordInvalid.code,
    ("password", "string_too_long"): errors.PasswordInvalid.code,
    ("new_password", "string_too_short"): errors.PasswordInvalid.code,
    ("new_password", "string_too_long"): errors.PasswordInvalid.code,
    # Recognising involvement: money in whole pence, mileage, attendance lists (the benefits core's rules).
    ("pence", "greater_than_equal"): errors.PenceMustBePositive.code,
    ("pence", "less_than_equal"): errors.PenceAboveLimit.code,
    ("pence", "int_type"): errors.PenceMustBeWhole.code,
    ("pence", "int_from_float"): errors.PenceMustBeWhole.code,
    ("miles", "greater_than_equal"): errors.MilesMustBePositive.code,
    ("miles", "less_than_equal"): errors.MilesAboveLimit.code,
    ("miles", "int_type"): errors.MilesMustBeWhole.code,
    ("miles", "int_from_float"): errors.MilesMustBeWhole.code,
    ("pence_per_mile", "greater_than_equal"): errors.MileageRateMustBePositive.code,
    ("pence_per_mile", "less_than_equal"): errors.MileageRateAboveLimit.code,
    ("pence_per_mile", "int_type"): errors.MileageRateMustBeWhole.code,
    ("pence_per_mile", "int_from_float"): errors.MileageRateMustBeWhole.code,
    ("attendees", "too_short"): errors.AttendeesRequired.code,
    ("attendees", "too_long"): errors.TooManyAttendees.code,
    ("account_ids", "too_short"): errors.AttendeesRequired.code,
    ("account_ids", "too_long"): errors.TooManyInvitations.code,
    ("categories", "too_long"): errors.BenefitCategoryUnknown.code,
    ("title", "string_too_short"): errors.TextRequired.code,
    ("spend_class", "enum"): errors.SpendClassUnknown.code,
    # A report's rating threshold: a whole percentage from 0 to 100, whatever else was sent.
    ("percent", "greater_than_equal"): errors.RatingThresholdOutOfRange.code,
    ("percent", "less_than_equal"): errors.RatingThresholdOutOfRange.code,
    ("percent", "int_type"): errors.RatingThresholdOutOfRange.code,
    ("percent", "int_from_float"): errors.RatingThresholdOutOfRange.code,
    # An expense without its receipt or mileage sum: left out, or sent as null.
    ("evidence", "missing"): errors.ExpenseEvidenceMissing.code,
    ("evidence", "model_attributes_type"): errors.ExpenseEvidenceMissing.code,
}
_TYPE_RULES = {
    "extra_forbidden": "unknown_field",
    "missing": "field_required",
    "string_too_long": errors.TextTooLong.code,
    "too_long": errors.TextTooLong.code,
}


def status_for(error: errors.LedgerError) -> int:
    for cls, status in _STATUS_BY_CLASS:
        if isinstance(error, cls):
            return status
    return 400


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
        refusal = errors.IdempotencyKeyRequired(
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
    @app.exception_handler(errors.LedgerError)
    async def ledger_error(_: Request, exc: errors.LedgerError) -> JSONResponse:
        status = status_for(exc)
        headers: dict[str, str] = {}
        if isinstance(exc, errors.NotAuthenticated):
            headers["WWW-Authenticate"] = "Bearer"
        if isinstance(exc, errors.TooManyAttempts | errors.ServerBusy):
            headers["Retry-After"] = str(exc.retry_after_seconds)
        if isinstance(exc, errors.IdempotencyKeyInFlight):
            headers["Retry-After"] = "1"
        extra = None
        if isinstance(exc, errors.ImportRejected):
            extra = {"errors": [{"row": e.row, "code": e.code, "detail": e.detail} for e in exc.errors]}
        return problem_response(status, exc.code, exc.title, exc.detail, headers=headers, extra=extra)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return _validation_problem(exc)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
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
