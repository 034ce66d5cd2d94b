"""``timebank export`` and ``timebank import --from export`` through the command line (SQLite).

The export writes the ZIP (and never half of one, nor over a file unasked); a dry run of its import
writes nothing; the import brings every balance over; a second import into the now full timebank is
refused with its reason, exits 2 and writes nothing.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from tests.people_calls import create_timebank
from timebank.cli import REQUEST_REFUSED, app
from timebank.exports import README_NAME

from .export_story import Step, build_history, comparable, export_files, export_zip
from .helpers import snapshot


def test_an_export_written_by_the_command_imports_into_an_empty_timebank(
    database: Engine, tmp_path: Path
) -> None:
    forum = build_history(database, [Step("posted", 1, 2, 90, 5), Step("confirmed", 3, 4, 30, 9)])
    output = tmp_path / "everything.zip"
    runner = CliRunner()

    written = runner.invoke(app, ["export", str(forum.timebank_id), str(output)])

    assert written.exit_code == 0, written.output
    assert f"Wrote {output}: 18 member(s), 1 organisation(s)" in written.output
    assert README_NAME in zipfile.ZipFile(output).namelist()
    assert [p.name for p in tmp_path.iterdir() if p.suffix == ".partial"] == []

    target = create_timebank(database, "Moved").timebank_id
    before = snapshot(database, target)
    dry = runner.invoke(app, ["import", str(target), str(output), "--from", "export", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Would import 18 member(s)" in dry.output
    assert "Dry run: nothing was recorded." in dry.output
    assert snapshot(database, target) == before

    done = runner.invoke(app, ["import", str(target), str(output), "--from", "export"])
    assert done.exit_code == 0, done.output
    assert "Imported 18 member(s), 1 organisation(s), 3 exchange(s)" in done.output
    assert comparable(export_files(export_zip(database, target))) == comparable(
        export_files(output.read_bytes())
    )

    full = snapshot(database, target)
    again = runner.invoke(app, ["import", str(target), str(output), "--from", "export"])
    assert again.exit_code == REQUEST_REFUSED
    assert "This timebank is not empty" in again.output
    assert "Refused: 1 problem(s); nothing was recorded." in again.output
    assert snapshot(database, target) == full


def test_the_export_command_refuses_an_existing_file_and_an_unknown_timebank(
    database: Engine, tmp_path: Path
) -> None:
    output = tmp_path / "taken.zip"
    output.write_bytes(b"keep me")
    runner = CliRunner()
    tb = create_timebank(database, "Small").timebank_id

    taken = runner.invoke(app, ["export", str(tb), str(output)])
    unknown = runner.invoke(app, ["export", "999999", str(tmp_path / "new.zip")])
    replaced = runner.invoke(app, ["export", str(tb), str(output), "--force"])

    assert taken.exit_code == REQUEST_REFUSED
    assert "exists already" in taken.output
    assert unknown.exit_code == REQUEST_REFUSED
    assert "(timebank_not_found)" in unknown.output
    assert not (tmp_path / "new.zip").exists()
    assert replaced.exit_code == 0, replaced.output
    assert zipfile.is_zipfile(output)
    assert [p.name for p in tmp_path.iterdir() if p.suffix in (".zip", ".partial")] == ["taken.zip"]
