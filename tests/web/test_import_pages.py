"""The coordinators' import pages, on SQLite and PostgreSQL: upload, check, import.

A coordinator finds the page from the settings, downloads the templates, and uploads files: with no
file or no source chosen the page says so beside each question; files with problems come back with
every problem in a table (at most 100, then how many more) and nothing kept; good files lead to a
page saying what the import will add, in hours and minutes, with "Import now". Importing moves the
balances; pressing the button again adds nothing and says so. Members are refused the pages, and an
upload of another timebank is not found. Files too large are refused on the form, unread; a check
the timebank no longer allows (the pot was spent since) shows its problems now and stays waiting.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select

from tests.web.site import Site, Visitor, build_site
from tests.web.test_offer_pages import main_text
from timebank.db.import_tables import import_uploads
from timebank.imports import ImportSource, SourceFile, check_upload, confirm_upload
from timebank.people.callers import Caller

MEMBERS = "name,username,opening_balance\r\nAnn Page,ann.page,0:30\r\nBo Page,bo.page,-0:30\r\n"
EXCHANGES = "date,giver,receiver,time,description\r\n2024-05-01,ann.page,bo.page,2:15,Gardening\r\n"


def post_files(visitor: Visitor, page: Any, source: str | None, files: list[tuple[str, str | bytes]]) -> Any:
    fields = dict(visitor.form(page, "/imports").fields)
    if source is not None:
        fields["source"] = source
    parts = [
        ("files", (name, body.encode() if isinstance(body, str) else body, "text/csv"))
        for name, body in files
    ]
    if not parts:
        # What a browser sends when no file is chosen: one empty part with no name.
        parts = [("files", ("", b"", "application/octet-stream"))]
    return visitor.client.post("/imports", data=fields, files=parts, follow_redirects=False)


def uploads(engine: Engine, timebank_id: int) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(import_uploads.c.timebank_id == timebank_id)
        return int(connection.execute(query).scalar_one())


def checked_upload(site: Site, members: bytes, *, confirm: bool) -> int:
    """A members file checked through the use case (and imported, if ``confirm``); its upload's id."""
    engine, tb = site.engine, site.timebank_id
    coordinator = Caller.coordinator_of(tb)
    files = [SourceFile("members.csv", members)]
    upload_id = check_upload(engine, tb, coordinator, ImportSource.SPREADSHEET, files).upload_id
    if confirm:
        confirm_upload(engine, tb, coordinator, upload_id)
    return upload_id


def balances(site: Site) -> dict[str, int]:
    from tests.integration.test_history_import import balances as all_balances

    return {k: v for k, v in all_balances(site.engine, site.timebank_id).items() if k.endswith(" Page")}


def test_a_coordinator_checks_files_then_imports_them_once(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    assert 'href="/imports"' in cora.get("/settings").text
    page = cora.get("/imports")
    assert page.status_code == 200
    assert "No history has been imported yet." in main_text(page.text)
    template = cora.get("/imports/templates/members.csv")
    assert template.headers["content-type"].startswith("text/csv")
    assert template.content.startswith(b"\xef\xbb\xbfname,username")

    checked = post_files(cora, page, "spreadsheet", [("members.csv", MEMBERS), ("exchanges.csv", EXCHANGES)])
    assert checked.status_code == 303, checked.text
    check_page = cora.get(checked.headers["location"])
    text = main_text(check_page.text)
    assert "Check what the import will do" in text
    assert "New members 2" in text
    assert "2 hours 15 minutes" in text
    assert balances(site) == {}

    done = cora.submit(check_page, f"{checked.headers['location']}/confirm")
    assert done.headers["location"] == checked.headers["location"]
    assert "The history is imported" in main_text(cora.get(done.headers["location"]).text)
    assert balances(site) == {"Ann Page": 165, "Bo Page": -165}
    again = cora.submit(check_page, f"{checked.headers['location']}/confirm")
    assert again.headers["location"].endswith("?again=yes")
    assert "imported already" in main_text(cora.get(again.headers["location"]).text)
    assert balances(site) == {"Ann Page": 165, "Bo Page": -165}
    listed = main_text(cora.get("/imports").text)
    assert "Past imports" in listed and "Our spreadsheet templates 2 1 2" in listed


def test_missing_answers_and_problems_are_shown_and_nothing_is_kept(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    page = cora.get("/imports")

    empty = post_files(cora, page, None, [])
    assert empty.status_code == 422
    assert "Choose where the files come from" in empty.text
    assert "Choose at least one file" in empty.text

    rows = "".join(f"2024-05-01,nobody{i},bo,1:00,Help\r\n" for i in range(120))
    refused = post_files(
        cora, page, "spreadsheet", [("exchanges.csv", "date,giver,receiver,time,description\r\n" + rows)]
    )
    assert refused.status_code == 422
    text = main_text(refused.text)
    assert "There are 240 problems in the files." in text
    assert "Problems in the files" in text
    assert refused.text.count('<td class="govuk-table__cell">exchanges.csv</td>') == 100
    assert "And 140 more problems." in text
    assert 'value="spreadsheet" checked' in refused.text
    assert uploads(engine, site.timebank_id) == 0


def test_files_too_large_are_refused_on_the_form_without_being_read(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    page = cora.get("/imports")
    huge = b"name\r\n" + b"x" * (17 * 2**20)

    refused = post_files(cora, page, "spreadsheet", [("members.csv", huge)])

    assert refused.status_code == 413
    assert refused.headers["content-type"].startswith("text/html")
    assert "The files are too large. Choose at most 16 MB in all" in main_text(refused.text)
    assert uploads(engine, site.timebank_id) == 0


def test_a_check_the_timebank_no_longer_allows_shows_its_problems_and_stays_waiting(engine: Engine) -> None:
    site = build_site(engine)
    checked_upload(site, b"name,opening_balance\r\nEve Page,-0:20\r\n", confirm=True)
    dee = checked_upload(site, b"name,opening_balance\r\nDee Page,0:20\r\n", confirm=False)
    checked_upload(site, b"name,opening_balance\r\nFay Page,0:20\r\n", confirm=True)
    cora = site.logged_in("coordinator")
    page = cora.get(f"/imports/{dee}")

    refused = cora.submit(page, f"/imports/{dee}/confirm")

    assert refused.status_code == 422
    text = main_text(refused.text)
    assert "The timebank has changed since the check." in text
    assert "Problems now" in text and "pot" in text
    assert "Check what the import will do" in main_text(cora.get(f"/imports/{dee}").text)
    assert "Dee Page" not in balances(site)


def test_members_are_refused_and_another_timebanks_upload_is_not_found(engine: Engine) -> None:
    site = build_site(engine)
    elsewhere = check_upload(
        engine,
        site.other_timebank_id,
        Caller.coordinator_of(site.other_timebank_id),
        ImportSource.SPREADSHEET,
        [SourceFile("members.csv", MEMBERS.encode())],
    )
    alice = site.logged_in("alice")
    assert alice.get("/imports").status_code == 403
    assert alice.get(f"/imports/{elsewhere.upload_id}").status_code == 403
    cora = site.logged_in("coordinator")
    assert cora.get(f"/imports/{elsewhere.upload_id}").status_code == 404
    page = cora.get("/imports")
    refused = cora.client.post(
        f"/imports/{elsewhere.upload_id}/confirm",
        data={"csrf_token": cora.form(page, "/imports").fields["csrf_token"]},
        follow_redirects=False,
    )
    assert refused.status_code == 404
    assert cora.get("/imports/templates/nothing.csv").status_code == 404


def test_opening_balances_come_from_the_pot_or_an_organisation_chosen_on_the_form(engine: Engine) -> None:
    site = build_site(engine)
    cora = site.logged_in("coordinator")
    page = cora.get("/imports")
    assert "Where do opening balances come from?" in main_text(page.text)
    assert f'<option value="{site.organisation_id}">' in page.text
    assert f'value="{site.other_organisation_id}"' not in page.text

    def check(openings_from: int) -> Any:
        fields = dict(cora.form(page, "/imports").fields)
        fields.update(source="spreadsheet", openings_from=str(openings_from))
        parts = [("files", ("members.csv", MEMBERS.encode(), "text/csv"))]
        return cora.client.post("/imports", data=fields, files=parts, follow_redirects=False)

    # Another timebank's organisation is not among the choices, and is refused beside the question.
    refused = check(site.other_organisation_id)
    assert refused.status_code == 422
    assert "Choose the community pot or one of the organisations listed" in main_text(refused.text)
    assert uploads(engine, site.timebank_id) == 0

    checked = check(site.organisation_id)
    assert checked.status_code == 303, checked.text
    text = main_text(cora.get(checked.headers["location"]).text)
    assert f"Opening balances come from {site.organisation_name}" in text
    pot_check = post_files(cora, page, "spreadsheet", [("members.csv", MEMBERS.replace("Page", "Pot"))])
    # From the pot, as usual, the check page does not say so.
    assert "Opening balances come from" not in main_text(cora.get(pot_check.headers["location"]).text)
