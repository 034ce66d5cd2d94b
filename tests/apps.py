"""One app per factory, database and settings, shared by the tests of a pytest worker.

FastAPI builds the state of the routes an app includes (their dependencies, their models) on the
app's first request that walks past them, once per app: a first request to a page costs a new app
about a fifth of a second, a 404 (which walks every route) more, several times a request's own
time. Most tests made an app of their own and so paid it in every test, thousands of times a run.

``shared_app`` hands out one app per factory (``timebank.app`` or ``timebank.api.app``), database
URL and settings, and points it at the engine of the test that asks for it, so what a test sees
through the app still runs on its own engine (a test may listen to that engine's statements). Tests
run one after another in a worker, so an app is never asked for two engines at once.

What an app holds beyond its routes is safe to share: the engine (pointed at on each hand-out), the
body limit taken from the settings when it was made (the settings are part of the key, so a test
that changes them gets an app made with its own), the OpenAPI document (the same for every app of a
factory) and the exception handlers. The limits counted per address or username are kept in the
database, not in the app. An app a test has changed (a route added, a dependency overridden) is not
handed out again: a fresh one replaces it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

from fastapi import FastAPI
from sqlalchemy import Engine

from timebank.settings import get_settings

__all__ = ["shared_app"]

AppFactory = Callable[[Engine], FastAPI]

# A handful of databases are used in a worker (the session's SQLite and PostgreSQL, a few per-test
# ones); the oldest app is dropped beyond this, so tests with a database each do not pile them up.
_APPS_MAX = 8

_Key = tuple[str, str, str]
_apps: OrderedDict[_Key, tuple[FastAPI, int]] = OrderedDict()


def _key(factory: AppFactory, engine: Engine) -> _Key:
    name = f"{factory.__module__}.{factory.__qualname__}"
    return name, engine.url.render_as_string(hide_password=False), get_settings().model_dump_json()


def shared_app(factory: AppFactory, engine: Engine) -> FastAPI:
    """The worker's app made by ``factory`` for ``engine``'s database and today's settings, on ``engine``."""
    key = _key(factory, engine)
    kept = _apps.get(key)
    if kept is not None and _unchanged(*kept):
        app = kept[0]
        _apps.move_to_end(key)
    else:
        app = factory(engine)
        _apps[key] = (app, len(app.routes))
        if len(_apps) > _APPS_MAX:
            _apps.popitem(last=False)
    app.state.engine = engine
    return app


def _unchanged(app: FastAPI, routes: int) -> bool:
    return len(app.routes) == routes and not app.dependency_overrides
