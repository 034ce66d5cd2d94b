"""The edge of the HTTP API: limits applied before any route runs.

A body larger than the setting is refused with 413 as soon as its declared length, or the bytes
actually received, pass the limit, so a huge upload is never read whole. A write whose body should
be JSON but is declared as something else is refused with 415 rather than guessed at.

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

import json
from collections.abc import Awaitable, Callable, Coroutine, MutableMapping
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from timebank.api.problems import PROBLEM_TYPE_BASE, problem_response

__all__ = ["EdgeLimits", "JsonRoute"]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

_FORM_PATHS = ("/v1/auth/token",)


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


class EdgeLimits:
    def __init__(self, app: ASGIApp, *, body_bytes_max: int) -> None:
        self.app = app
        self.body_bytes_max = body_bytes_max

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.body_bytes_max:
            await _problem(
                send,
                413,
                "request_body_too_large",
                "The request body is too large",
                f"Send at most {self.body_bytes_max} bytes.",
            )
            return
        content_type = headers.get("content-type")
        has_body = declared not in ("", "0") or "transfer-encoding" in headers
        if has_body and scope["path"] not in _FORM_PATHS and not _is_json(content_type or ""):
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
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.body_bytes_max:
                    raise _too_large(self.body_bytes_max)
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
