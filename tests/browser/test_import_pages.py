"""The import pages in Chromium: every state checked by ``check_page`` (axe-core at WCAG 2.2 AA at
320 and 1280 px, reflow, one main and one h1, reading ease).

A coordinator reaches the page from the settings and sees the empty form; sends it with nothing
chosen; sends files with problems (the table of problems); sends good files (the check page);
imports them (the done page); presses "Import now" again from the check page (imported already);
and opens an upload that ran out before it was imported; and imports a check the timebank no
longer allows (its problems now).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.web.test_import_pages import checked_upload
from timebank.clock import utc_now
from timebank.db.import_tables import import_uploads
from timebank.imports import ImportSource, SourceFile, check_upload
from timebank.people.callers import Caller

_SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

MEMBERS = "name,username,opening_balance\r\nAnn Page,ann.page,0:30\r\nBo Page,bo.page,-0:30\r\n"
EXCHANGES = "date,giver,receiver,time,description\r\n2024-05-01,ann.page,bo.page,2:15,Gardening\r\n"
BROKEN = "date,giver,receiver,time,description\r\n2024-05-01,nobody,ann.page,0,Help\r\n"


def _write(folder: Path, files: dict[str, str]) -> list[str]:
    paths = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        paths.append(str(path))
    return paths


@_SQLITE_ONLY
def test_the_import_pages_in_every_state(page: Page, live: LiveSite, tmp_path: Path) -> None:
    log_in(page, live, "coordinator")
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("link", name="Import your timebank's history").click()
    expect(page.get_by_role("heading", name="Import your timebank's history")).to_be_visible()
    check_page(page, "imports, empty form")

    page.get_by_role("button", name="Check the files").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    check_page(page, "imports, nothing chosen")

    page.get_by_label("Our spreadsheet templates").check()
    page.get_by_label("The files", exact=True).set_input_files(_write(tmp_path, {"exchanges.csv": BROKEN}))
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", name="Problems in the files")).to_be_visible()
    check_page(page, "imports, problems")

    good = tmp_path / "good"
    good.mkdir()
    page.get_by_label("The files", exact=True).set_input_files(
        _write(good, {"members.csv": MEMBERS, "exchanges.csv": EXCHANGES})
    )
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", name="Check what the import will do")).to_be_visible()
    expect(page.get_by_text("2 hours 15 minutes")).to_be_visible()
    check_page(page, "imports, check")
    # The same check open in a second tab, to press "Import now" there once it is done.
    second = page.context.new_page()
    second.goto(page.url)

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", name="The history is imported")).to_be_visible()
    check_page(page, "imports, done")

    second.get_by_role("button", name="Import now").click()
    expect(second.get_by_text("These files were imported already.")).to_be_visible()
    check_page(second, "imports, imported already")
    second.close()

    page.goto(live.url("/imports"))
    expect(page.get_by_role("heading", name="Past imports")).to_be_visible()
    check_page(page, "imports, with a past import")

    site = live.site
    waiting = check_upload(
        site.engine,
        site.timebank_id,
        Caller.coordinator_of(site.timebank_id),
        ImportSource.SPREADSHEET,
        [SourceFile("members.csv", b"name\r\nCy Page\r\n")],
    )
    page.reload()
    expect(page.get_by_role("heading", name="Waiting to be imported")).to_be_visible()
    check_page(page, "imports, one waiting")
    with site.engine.begin() as connection:
        connection.execute(
            update(import_uploads)
            .where(import_uploads.c.id == waiting.upload_id)
            .values(created_at=utc_now() - timedelta(days=2), expires_at=utc_now() - timedelta(days=1))
        )
    page.goto(live.url(f"/imports/{waiting.upload_id}"))
    expect(page.get_by_role("heading", name="This check has run out")).to_be_visible()
    check_page(page, "imports, run out")


@_SQLITE_ONLY
def test_a_check_the_timebank_no_longer_allows_shows_its_problems(page: Page, live: LiveSite) -> None:
    site = live.site
    # Eve's balance below zero gives the pot 20 minutes; Dee's check counts on them, and Fay's
    # import takes them before Dee's is imported.
    checked_upload(site, b"name,opening_balance\r\nEve Page,-0:20\r\n", confirm=True)
    dee = checked_upload(site, b"name,opening_balance\r\nDee Page,0:20\r\n", confirm=False)
    checked_upload(site, b"name,opening_balance\r\nFay Page,0:20\r\n", confirm=True)
    log_in(page, live, "coordinator")
    page.goto(live.url(f"/imports/{dee}"))
    page.get_by_role("button", name="Import now").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.get_by_role("heading", name="Problems now")).to_be_visible()
    check_page(page, "imports, problems now")
