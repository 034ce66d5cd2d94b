"""The FastAPI application: thin routes over the use cases, problem+json errors, limits at the edge.

``create_app`` builds the app around an engine (made from the settings unless one is handed in, as
the tests do). Nothing imports this package: the CLI names the factory by string for uvicorn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from sqlalchemy import Engine, text
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from timebank.api.docs import install_docs
from timebank.api.edge import EdgeHeaders, EdgeLimits
from timebank.api.operation_problems import OPERATION_CODES
from timebank.api.problems import install_problem_handlers, status_of_code
from timebank.api.routes import (
    accounts,
    activities,
    audit_log,
    auth,
    benefit_statements,
    declarations,
    directory,
    exchanges,
    expenses,
    gifts,
    imports,
    invitations,
    members,
    notifications,
    offers,
    organisations,
    recovery,
    report_ratings,
    reports,
    spending,
    timebanks,
)
from timebank.api.schemas import Health, Problem
from timebank.db import make_engine
from timebank.fields import ID_MAX
from timebank.imports.uploads import UPLOAD_REQUEST_BYTES_MAX
from timebank.settings import get_settings

__all__ = ["API_VERSION", "create_app", "openapi_document"]

API_VERSION = "1.0.0"

# Every operation may answer with these; each is a problem document.
# What each status means, before the codes that name the rule.
_STATUS_WORDS = {
    400: "Malformed",
    401: "Not logged in, or the token is unknown, expired or logged out",
    403: "You may not do this",
    404: "No such thing in this timebank (also for another timebank's ids)",
    405: "Method not allowed",
    409: "The state does not allow it",
    413: "The request body is too large",
    415: "The body must be JSON",
    422: "The request breaks a rule",
    429: "Too many attempts; see Retry-After",
    503: "The server is busy with this kind of work; nothing was done; see Retry-After",
}
# Operations anyone may call, with no token.
_ANONYMOUS_OPERATIONS = {
    "health",
    "log_in",
    "unsubscribe",
    "verify_email",
    "use_password_code",
    "ask_for_password_reset",
    "reset_password",
}
# Operations that do slow work (check or hash a password, draw a chart, write a PDF): each may find
# every slot for it taken (timebank.busy) and answer 503 server_busy.
_BUSY_OPERATIONS = {
    "log_in",
    "change_password",
    "add_member",
    "get_reciprocity_chart_svg",
    "get_reciprocity_chart_png",
    "get_benefit_statement",  # ?format=pdf
    "get_benefit_statement_pdf",
    "get_benefit_letter",  # ?format=pdf
    "get_benefit_letter_pdf",
}


def _health_route(app: FastAPI) -> None:
    @app.get("/v1/health", operation_id="health", response_model=Health, tags=["health"])
    def health() -> Health:
        """Report whether the service and its database answer."""
        engine: Engine = app.state.engine
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return Health(status="ok", database=engine.dialect.name)


def _outermost(app: FastAPI, middleware: Callable[[ASGIApp], ASGIApp]) -> None:
    """Wrap ``middleware`` around the whole stack, Starlette's error middleware included.

    ``add_middleware`` puts a middleware inside ``ServerErrorMiddleware``, so the 500 it answers for
    an unhandled error would leave without what the middleware adds; the edge's headers go on every
    answer, so they wrap it.
    """
    build = app.build_middleware_stack

    def build_wrapped() -> ASGIApp:
        return middleware(build())

    app.build_middleware_stack = build_wrapped  # type: ignore[method-assign]


# FastAPI's own model of an OpenAPI document holds a schema's bounds as floats, so an id's maximum
# came out as 9.223372036854776e18, which is not the bound and which integer types reject. The
# bounds the models declare are whole numbers; these are written back as such, exactly.
_BOUND_KEYS = ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
_EXACT_BOUNDS = {float(ID_MAX): ID_MAX}


def _integers_as_integers(node: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _integers_as_integers(item)
        return
    if not isinstance(node, dict):
        return
    if node.get("type") == "integer":
        for key in _BOUND_KEYS:
            value = node.get(key)
            if isinstance(value, float):
                exact = _EXACT_BOUNDS.get(value, int(value))
                assert float(exact) == value, f"{key} {value} is not a whole number"
                node[key] = exact
    for child in node.values():
        _integers_as_integers(child)


def _summaries_from_docstrings(routes: Sequence[BaseRoute]) -> None:
    """Each operation's summary is the first line of its route's docstring, which says what it does.

    FastAPI would otherwise title-case the function's name: a summary of "Get" or "Add".
    """
    for route in routes:
        if isinstance(route, APIRoute) and route.include_in_schema and route.summary is None:
            first_line = (route.description or "").strip().split("\n")[0].strip()
            assert first_line, f"{route.path}: a route says what it does in its docstring's first line"
            route.summary = first_line


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, with every error response declared as ``application/problem+json``."""
    document = get_openapi(
        title=app.title,
        version=app.version,
        description=app.description,
        routes=app.routes,
    )
    _integers_as_integers(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schemas["Problem"] = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)  # FastAPI's own validation answer, which we never give
            for status, codes in _refusals_of(method, operation).items():
                responses[str(status)] = {
                    "description": _STATUS_WORDS[status] + ": " + ", ".join(f"`{c}`" for c in codes),
                    "content": problem,
                    "x-codes": codes,
                }
    return document


def _refusals_of(method: str, operation: dict[str, Any]) -> dict[int, list[str]]:
    """The codes an operation may answer, by status: its own (``operation_problems``) and the
    edge's that apply to it (a body's, a token's, a method's)."""
    operation_id = operation["operationId"]
    codes = set(OPERATION_CODES.get(operation_id, ()))
    codes |= {"authorization_header_repeated", "method_not_allowed"}
    if operation_id not in _ANONYMOUS_OPERATIONS:
        codes |= {"not_authenticated", "token_invalid"}
    body = operation.get("requestBody", {}).get("content", {})
    if operation.get("parameters") or body:
        codes |= {"request_invalid", "field_required", "unknown_field"}
    if "application/json" in body:
        codes |= {"json_invalid", "request_body_too_large", "content_type_unsupported"}
    elif body:
        codes |= {"form_invalid", "request_body_too_large"}
    elif method in ("post", "put", "patch"):
        codes.add("request_body_unexpected")
    if operation_id in _BUSY_OPERATIONS:
        codes.add("server_busy")
    by_status: dict[int, list[str]] = {}
    for code in sorted(codes):
        by_status.setdefault(status_of_code(code), []).append(code)
    return dict(sorted(by_status.items()))


def create_app(engine: Engine | None = None) -> FastAPI:
    settings = get_settings()
    owned = engine is None
    app_engine = make_engine() if engine is None else engine

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owned:
            app_engine.dispose()

    app = FastAPI(
        title="timebank",
        version=API_VERSION,
        description=(
            "A timebank ledger: one hour given is one time credit, whatever the skill. "
            "Errors are RFC 9457 problem documents whose `code` names the broken rule."
        ),
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
    )
    app.state.engine = app_engine
    install_problem_handlers(app)
    app.add_middleware(
        EdgeLimits,
        body_bytes_max=settings.request_body_bytes_max,
        upload_bytes_max=max(settings.request_body_bytes_max, UPLOAD_REQUEST_BYTES_MAX),
    )
    _outermost(app, EdgeHeaders)
    install_docs(app)
    _health_route(app)
    _summaries_from_docstrings(app.routes)
    for module in (
        auth,
        timebanks,
        members,
        recovery,
        notifications,
        directory,
        organisations,
        accounts,
        benefit_statements,
        declarations,
        activities,
        invitations,
        expenses,
        audit_log,
        spending,
        offers,
        exchanges,
        gifts,
        reports,
        report_ratings,
        imports,
    ):
        _summaries_from_docstrings(module.router.routes)
        app.include_router(module.router)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
