"""The API's documentation page (``/docs``): Swagger UI, served from here, with a policy made for it.

Swagger UI's files come with the ``swagger-ui-bundle`` package from PyPI and are served under
``/docs/assets``, so the page works offline and on a closed network, and asks no CDN for anything.
Every other answer forbids everything (``timebank.api.edge``); this page has to load Swagger UI's
script and stylesheet from here, run the few lines that start it, and fetch the OpenAPI document.
Its policy allows exactly that: this origin's files, the one inline script by its SHA-256
(computed from the page itself, so it cannot drift from what is served), the images Swagger UI
draws with (``data:``), and requests to this origin only; framing stays forbidden. Swagger UI sets
inline styles as it draws, so styles may be inline (they cannot run code).

Swagger UI's validator badge is turned off: it would send the document's address to a third party.
FastAPI's other documentation page (``/redoc``) and the OAuth2 redirect page are not served: the
API authenticates with a bearer token, which needs no redirect, and one documentation page is
enough.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from timebank.api.edge import inline_hash_source, page_policy

__all__ = ["ASSETS_PATH", "DOCS_PATH", "docs_policy", "install_docs"]

DOCS_PATH = "/docs"
ASSETS_PATH = "/docs/assets"

_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def docs_policy(page: str) -> str:
    """The policy for the page ``page``: its inline scripts by hash, and Swagger UI's files."""
    scripts = " ".join(inline_hash_source(script) for script in _INLINE_SCRIPT.findall(page))
    return page_policy(
        script_src=f"'self' {scripts}",
        style_src="'self' 'unsafe-inline'",
        img_src="'self' data:",
        connect_src="'self'",
    )


def install_docs(app: FastAPI) -> None:
    """Serve ``/docs`` (the app must be made with ``docs_url=None, redoc_url=None``)."""
    assert app.docs_url is None and app.redoc_url is None, "FastAPI's own pages would carry no policy"
    assert app.openapi_url is not None
    page = bytes(
        get_swagger_ui_html(
            openapi_url=app.openapi_url,
            title=f"{app.title} API",
            swagger_js_url=f"{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS_PATH}/favicon-32x32.png",
            swagger_ui_parameters={"validatorUrl": None},
        ).body
    ).decode()
    app.mount(ASSETS_PATH, StaticFiles(directory=swagger_ui_path), name="docs-assets")
    headers = {"Content-Security-Policy": docs_policy(page)}

    @app.get(DOCS_PATH, include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page, headers=headers)
