"""HTTP/1.1 connections as ``timebank serve`` runs them: a client has a time limit for its headers.

uvicorn closes a keep-alive connection left idle after an answer (``timeout_keep_alive``, 5 s), but
that clock starts only once an answer has been sent, and any byte from the client stops it. So a
connection that opens and sends nothing, or sends its headers a byte every few seconds (the
"slowloris" attack), is held for ever, and a few hundred of them hold every connection a worker
will serve. uvicorn has no setting that bounds the time to read headers.

``HeaderTimeoutProtocol`` is uvicorn's own httptools protocol with that bound: from the moment a
connection opens, and again after each answer, the client has ``header_timeout_seconds``
(``TIMEBANK_HEADER_TIMEOUT_SECONDS``, or ``timebank serve --timeout-headers``; 10 s by default) to
send a request's whole head. A client that started a request and did not finish its headers in
time is answered 408 (a problem document, ``request_header_timeout``) and the connection is closed;
one that sent nothing is just closed. Once the headers are in, the clock stops: the body is read by
the route under the edge's size limit, and the app's work takes as long as it takes.

A reverse proxy in front (nginx's ``client_header_timeout`` and ``client_body_timeout``) remains the
place to bound a slow body too; see the README.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from timebank.api.problems import PROBLEM_TYPE_BASE
from timebank.settings import get_settings

__all__ = ["TIMEOUT_ANSWER", "HeaderTimeoutProtocol"]

_CODE = "request_header_timeout"
_BODY = json.dumps(
    {
        "type": PROBLEM_TYPE_BASE + _CODE,
        "title": "The request's headers took too long",
        "status": 408,
        "detail": "Send the whole request head at once, then try again.",
        "code": _CODE,
    }
).encode()
TIMEOUT_ANSWER = (
    b"HTTP/1.1 408 Request Timeout\r\n"
    b"content-type: application/problem+json\r\n"
    b"content-length: " + str(len(_BODY)).encode() + b"\r\n"
    b"x-content-type-options: nosniff\r\n"
    b"cache-control: no-store\r\n"
    b"connection: close\r\n\r\n" + _BODY
)


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, with a time limit on reading each request's headers."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout_seconds = get_settings().header_timeout_seconds
        self.header_timer: asyncio.TimerHandle | None = None
        # Between the first byte of a request and the end of its headers.
        self.reading_headers = False

    def _start_header_clock(self) -> None:
        self._stop_header_clock()
        self.header_timer = self.loop.call_later(self.header_timeout_seconds, self._headers_too_slow)

    def _stop_header_clock(self) -> None:
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None

    def _headers_too_slow(self) -> None:
        self.header_timer = None
        if self.transport.is_closing():
            return
        # A request whose headers were all read is the app's, however long it takes (a pipelined
        # one waits its turn): only a connection still owing a request head is closed.
        if (self.cycle is not None and not self.cycle.response_complete) or self.pipeline:
            return
        if self.reading_headers:
            self.transport.write(TIMEOUT_ANSWER)
        self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_header_clock()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_header_clock()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.reading_headers = True

    def on_headers_complete(self) -> None:
        self.reading_headers = False
        self._stop_header_clock()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._start_header_clock()
