"""Downloading your data in Chromium: the page's states checked by axe-core (on SQLite), and the
download done by role and label, then checked through the JSON API (on SQLite and PostgreSQL).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.axe import check_page
from tests.browser.conftest import LiveSite, log_in
from tests.browser.test_member_jobs import through_the_api


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_data_page_and_a_coordinators_download_refused_to_a_member(page: Page, live: LiveSite) -> None:
    site = live.site
    log_in(page, live, "alice")
    page.get_by_role("link", name="Your data").click()
    expect(page.get_by_role("heading", level=1, name="Download your data")).to_be_visible()
    check_page(page, "your data")
    page.goto(live.url(f"/members/{site.member_ids['bob']}/data.zip"))
    expect(page.get_by_role("heading", level=1, name="This page is for coordinators")).to_be_visible()
    check_page(page, "your data, another member's refused")


def test_a_member_downloads_their_data_and_the_download_is_audited(
    page: Page, live: LiveSite, tmp_path: Path
) -> None:
    site = live.site
    site.record("bob", "alice", 90, "Gardening", by="alice")
    log_in(page, live, "alice")
    page.get_by_role("link", name="Your data").click()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download your data").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)

    with zipfile.ZipFile(io.BytesIO(saved.read_bytes())) as archive:
        profile = json.loads(archive.read("profile.json"))
        exchanges = archive.read("exchanges.csv").decode()
        assert "README.txt" in archive.namelist()
    account = through_the_api(live, "alice", f"/accounts/{site.account_ids['alice']}")
    assert profile["display_name"] == site.names["alice"]
    assert profile["balance_minutes"] == account["balance_minutes"] == -90
    assert "Gardening" in exchanges
    audit = through_the_api(live, "coordinator", f"/audit-log?account_id={site.account_ids['alice']}")
    assert [e["action"] for e in audit["entries"]][-1] == "member_data_downloaded"
