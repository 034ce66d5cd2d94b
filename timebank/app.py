"""The composition root: one app that serves the JSON API under ``/v1`` and the pages at ``/``.

The two edges never import each other (DESIGN §7); this module is the one place that knows both.
``timebank serve`` names ``create_app`` here by string. An HTTP error (an unknown address, a method
not allowed, a crash) is answered in the language of the part that was asked: a problem document
under ``/v1`` and for the API's documents, a plain page everywhere else.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from sqlalchemy import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from timebank.api.app import create_app as create_api
from timebank.web.pages import install_pages, status_page

__all__ = ["create_app"]

_Handler = Callable[[Request, Exception], Awaitable[Response]]

_API_PATHS = ("/v1/", "/docs", "/openapi.json")


def _is_api(request: Request) -> bool:
    path = request.url.path
    return path == "/v1" or path.startswith(_API_PATHS)


def create_app(engine: Engine | None = None) -> FastAPI:
    app = create_api(engine)
    install_pages(app)
    # The API's own handlers (problem documents), kept to answer for its paths.
    api_http_error = cast(_Handler, app.exception_handlers[StarletteHTTPException])
    api_crash = cast(_Handler, app.exception_handlers[Exception])
    api_invalid = cast(_Handler, app.exception_handlers[RequestValidationError])

    async def http_error(request: Request, exc: Exception) -> Response:
        if _is_api(request):
            return await api_http_error(request, exc)
        assert isinstance(exc, StarletteHTTPException)
        return status_page(request, exc.status_code)

    async def crash(request: Request, exc: Exception) -> Response:
        answer = await api_crash(request, exc)  # logs it, whichever part was asked
        return answer if _is_api(request) else status_page(request, 500)

    async def invalid(request: Request, exc: Exception) -> Response:
        # A page's address with a part that cannot be one (``/exchanges/abc``) names no page.
        return await api_invalid(request, exc) if _is_api(request) else status_page(request, 404)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(Exception, crash)
    return app
