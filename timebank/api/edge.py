"""The edge of the HTTP API: limits applied before any route runs, and headers on every answer.

``EdgeHeaders`` wraps everything else, Starlette's own 500 handler included, so that no answer leaves
without them:

- ``X-Content-Type-Options: nosniff`` on every answer, so a browser never guesses a type (a JSON
  error taken for HTML, say) other than the one declared;
- ``Cache-Control: no-store`` on every answer under ``/v1``, errors included. The simplest honest
  rule: almost every answer there is someone's balance, statement, benefit declaration, letter,
  audit entry or token, and the rest are too cheap to be worth a rule that might miss one. The
  token answer also carries ``Pragma: no-cache`` (RFC 6749 5.1). Only the docs page and the
  OpenAPI document, which say nothing about anyone, may be kept by a cache;
- a ``Content-Security-Policy`` on every answer that has none of its own: nothing may load, run or
  frame it (``default-src 'none'; frame-ancestors 'none'``). It matters most for what a browser
  renders as a document (an HTML page, an SVG chart) and costs nothing on JSON. The pages that need
  more say so themselves, and still forbid framing: the benefit statement's page allows its one
  inline style by hash, the docs page the Swagger UI files it loads (``timebank.api.docs``). A PDF
  gets none: browsers' built-in PDF viewers draw their own page around it and break under one.

It also refuses a request that carries ``Authorization`` more than once, with 400
``authorization_header_repeated``: a proxy that reads the last one and an app that reads the first
would disagree about who is asking.

A body larger than the setting is refused with 413 as soon as its declared length, or the bytes
actually received, pass the limit, so a huge upload is never read whole. The one exception is an
upload of files to import (``POST /v1/timebanks/{tb}/imports`` and the page ``/imports``), whose
limit is the upload's own (16 MiB of files and a little framing, ``timebank.imports.uploads``),
counted the same way; its API body is ``multipart/form-data``. The upload page refuses a body too
large in its own words (its form again, with the reason), on its first read of the body. A write
whose body should be JSON but is declared as something else is refused with 415 rather than
guessed at.

``JsonRoute`` (the route class of every router) reads JSON bodies strictly: a name given twice in one
object is refused rather than letting the last one win (RFC 8259 leaves its meaning open, and two
parsers that disagree about it let a request mean one thing to a proxy and another here). Bodies
that are not UTF-8, nest deeper than the parser goes, or hold a number too long to convert are
refused the same way, as ``json_invalid``, instead of as an unnamed parse error. A write that
takes no body (confirm, decline, cancel, log out, remove staff, revoke a key) refuses one with 422
``request_body_unexpected`` rather than ignoring it: whatever the client meant by it, it was not
what the operation does.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from timebank.api.problems import PROBLEM_TYPE_BASE, problem_response

__all__ = [
    "DEFAULT_CONTENT_SECURITY_POLICY",
    "EdgeHeaders",
    "EdgeLimits",
    "JsonRoute",
    "inline_hash_source",
    "page_policy",
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_FORM_PATHS = ("/v1/auth/token",)
# Uploads of files to import: the API's (multipart) and the page's. Only these take a larger body.
# Any segment for the timebank: one that is not an id is refused by the route (422), as on any path.
_UPLOAD_PATHS = re.compile(r"^(/v1/timebanks/[^/]+/imports|/imports)$")
_TOKEN_PATH = "/v1/auth/token"
_API_PREFIX = "/v1/"

DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def inline_hash_source(text: str) -> str:
    """The CSP source that allows one inline ``<script>`` or ``<style>`` whose content is ``text``."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def page_policy(**sources: str) -> str:
    """A page's Content-Security-Policy: the default, plus the sources it needs, by directive.

    ``page_policy(style_src="'sha256-…'")`` allows one inline style and nothing else; framing stays
    forbidden whatever is allowed.
    """
    allowed = "; ".join(f"{name.replace('_', '-')} {value}" for name, value in sources.items())
    return f"{DEFAULT_CONTENT_SECURITY_POLICY}; {allowed}" if allowed else DEFAULT_CONTENT_SECURITY_POLICY


def _too_large(body_bytes_max: int) -> StarletteHTTPException:
    # Raised while a route reads its body, so the app's own handler turns it into a 413 problem.
    return StarletteHTTPException(413, f"The request body is too large; send at most {body_bytes_max} bytes.")


async def _problem(send: Send, status: int, code: str, title: str, detail: str) -> None:
    body = json.dumps(
        {"type": PROBLEM_TYPE_BASE + code, "title": title, "status": status, "detail": detail, "code": code}
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _is_json(content_type: str) -> bool:
    media_type = content_type.split(";", 1)[0].strip().lower()
    return media_type == "application/json" or media_type.endswith("+json")


class EdgeHeaders:
    """Refuse a repeated ``Authorization``; set the headers every answer carries (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if path.startswith(_API_PREFIX):
                    headers["Cache-Control"] = "no-store"
                if path == _TOKEN_PATH:
                    headers["Pragma"] = "no-cache"
                is_pdf = headers.get("content-type", "").startswith("application/pdf")
                if "content-security-policy" not in headers and not is_pdf:
                    headers["Content-Security-Policy"] = DEFAULT_CONTENT_SECURITY_POLICY
            await send(message)

        authorizations = sum(1 for name, _ in scope["headers"] if name.lower() == b"authorization")
        if authorizations > 1:
            await _problem(
                send_with_headers,
                400,
                "authorization_header_repeated",
                "Send one Authorization header",
                "This request carries more than one Authorization header. Send exactly one.",
            )
            return
        await self.app(scope, receive, send_with_headers)


def _is_multipart(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/form-data"


class EdgeLimits:
    def __init__(self, app: ASGIApp, *, body_bytes_max: int, upload_bytes_max: int) -> None:
        self.app = app
        self.body_bytes_max = body_bytes_max
        self.upload_bytes_max = upload_bytes_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        is_upload = scope["method"] == "POST" and _UPLOAD_PATHS.match(scope["path"]) is not None
        bytes_max = self.upload_bytes_max if is_upload else self.body_bytes_max
        declared = headers.get("content-length", "")
        is_api = scope["path"].startswith(_API_PREFIX)
        declared_too_large = declared.isdigit() and int(declared) > bytes_max
        # The upload page answers a body too large with its own form and the reason, in HTML: the
        # body is refused on the route's first read, as below, and never read.
        if declared_too_large and not (is_upload and not is_api):
            await _problem(
                send,
                413,
                "request_body_too_large",
                "The request body is too large",
                f"Send at most {bytes_max} bytes.",
            )
            return
        content_type = headers.get("content-type") or ""
        has_body = declared not in ("", "0") or "transfer-encoding" in headers
        # The API takes JSON (and its login form, and an upload's files); the pages post forms.
        takes_json = scope["path"] not in _FORM_PATHS and not (is_upload and _is_multipart(content_type))
        if has_body and is_api and takes_json and not _is_json(content_type):
            await _problem(
                send,
                415,
                "content_type_unsupported",
                "Send JSON",
                "This request body must be JSON, sent as 'Content-Type: application/json'.",
            )
            return

        received = 0

        async def counted_receive() -> Message:
            nonlocal received
            if declared_too_large:
                raise _too_large(bytes_max)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > bytes_max:
                    raise _too_large(bytes_max)
            return message

        await self.app(scope, counted_receive, send)


def _unique_names(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        raise ValueError("a name appears more than once in one JSON object")
    return found


class _StrictJsonRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            try:
                self._json = json.loads(body, object_pairs_hook=_unique_names)
            except json.JSONDecodeError:
                raise
            except (ValueError, RecursionError) as error:
                # Bug fix: these (a repeated name, bytes that are not UTF-8, a number of more than
                # 4300 digits, nesting too deep) used to escape FastAPI as an unnamed 400
                # "http_error", and a repeated name was accepted. FastAPI answers a JSONDecodeError
                # with the validation error "json_invalid", which problems.py maps to 400.
                raise json.JSONDecodeError(str(error) or type(error).__name__, "", 0) from error
        return self._json


def _declares_body(request: Request) -> bool:
    # The same test as EdgeLimits': what the headers promise, so the body need not be read to refuse it.
    declared = request.headers.get("content-length", "")
    return declared not in ("", "0") or "transfer-encoding" in request.headers


class JsonRoute(APIRoute):
    """An API route whose JSON body is parsed strictly (see the module's docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        # Bug fix (found by the bad-input corpus): a write without a body ignored one, so a confirm
        # sent with any JSON at all (even a malformed one) confirmed the exchange.
        writes = {"POST", "PUT", "PATCH", "DELETE"} & (self.methods or set())
        refuses_body = self.body_field is None and bool(writes)

        async def strict_json_handler(request: Request) -> Response:
            if refuses_body and _declares_body(request):
                return problem_response(
                    422,
                    "request_body_unexpected",
                    "This operation takes no body",
                    "Send the request without a body; everything it needs is in its path and headers.",
                )
            return await handler(_StrictJsonRequest(request.scope, request.receive))

        return strict_json_handler
