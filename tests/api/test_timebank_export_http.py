"""``GET /v1/timebanks/{tb}/export.zip``: everything of a timebank as a ZIP, for its coordinators.

The ZIP holds the README and every file of the export, names only this timebank's rows, imports
into an empty timebank with the same balances, and each download is audited. Who may call it is in
the authorization matrix.
"""

from __future__ import annotations

import csv
import io
import zipfile

from tests.api.conftest import World
from tests.integration.export_story import comparable, export_files, export_zip, import_zip
from timebank.db import run
from timebank.exports import FILES, README_NAME


def test_a_coordinator_downloads_everything_and_it_imports_into_an_empty_timebank(world: World) -> None:
    response = world.client.get(world.url("/export.zip"), headers=world.headers["coordinator"])

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith(
        f'attachment; filename="timebank-{world.timebank_id}-'
    )
    assert response.headers["cache-control"] == "no-store"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert sorted(archive.namelist()) == sorted([README_NAME, *(f.name for f in FILES)])
    accounts = list(csv.DictReader(io.StringIO(archive.read("accounts.csv").decode())))
    assert str(world.other_account_id) not in {row["account_id"] for row in accounts}
    assert str(world.account_ids["member"]) in {row["account_id"] for row in accounts}

    copy = import_zip(world.engine, response.content)
    assert comparable(export_files(export_zip(world.engine, copy))) == comparable(
        export_files(response.content)
    )

    entries = run(world.engine, lambda uow: uow.audit.entries(world.timebank_id, None), write=False)
    (exported,) = [e for e in entries if e.action == "timebank_exported"]
    assert exported.actor.startswith("login:")
    assert exported.details["accounts"] == len(accounts)
