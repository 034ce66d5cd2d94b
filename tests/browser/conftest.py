"""The pages in a real browser: Debian's Chromium driven by Playwright, checked by axe-core.

Playwright cannot download its own browsers here, so it is given the system's Chromium
(``TIMEBANK_TEST_CHROMIUM``, default ``/usr/bin/chromium``; ``.ci/run`` installs it). Without one the
browser tests are skipped on a developer's machine and fail in CI, where a skip would hide them.

Each test gets the service on a real port (uvicorn in a thread, serving the worker's app
(``tests.apps``) on the test's own engine: SQLite and PostgreSQL, as every test here) and a timebank
to visit (``tests.web.site``).
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from sqlalchemy import Engine

from tests.apps import shared_app
from tests.web.site import PASSWORD, Site, build_site
from timebank.app import create_app

CHROMIUM = os.environ.get("TIMEBANK_TEST_CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium's own calls home are refused by a closed network, many at a time.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Phone and desktop: 320 CSS pixels is also a 1280-pixel screen at 400% zoom (WCAG 1.4.10 reflow).
WIDTHS = (320, 1280)


def _chromium_or_skip() -> str:
    if shutil.which(CHROMIUM) or os.path.exists(CHROMIUM):
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the browser tests: no Chromium at {CHROMIUM} (apt-get install chromium)")
    pytest.skip(f"no Chromium at {CHROMIUM}; set TIMEBANK_TEST_CHROMIUM or apt-get install chromium")


# Per module, not per session: while Playwright's synchronous API is open it holds an asyncio event
# loop running on the thread, so a later test in the same worker that calls ``asyncio.run`` would
# be refused ("cannot be called from a running event loop"). pytest closes a module's fixtures
# before it runs a test of another module, and no test here calls ``asyncio.run``. A driver and a
# browser cost a second or more to start; each test still gets a context of its own (``context``),
# with no cookies, storage or cache another test left.
@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = _chromium_or_skip()
    browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@dataclass
class LiveSite:
    site: Site
    base_url: str

    def url(self, path: str) -> str:
        return self.base_url + path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def live(engine: Engine) -> Iterator[LiveSite]:
    """The service on a real port over the test's database, with a timebank to visit."""
    site = build_site(engine)
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(shared_app(create_app, engine), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.02)
    yield LiveSite(site, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def log_in(page: Page, live: LiveSite, who: str) -> None:
    """Log in as a person would: the form's labelled fields, then the button."""
    page.goto(live.url("/login"))
    page.get_by_label("Username").fill(live.site.usernames[who])
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(live.url("/"))
