"""``timebank import`` and ``timebank import-template`` through the command line (SQLite).

A dry run prints what would happen and writes nothing; the import prints a plain summary; the same
files again import nothing; a refused import prints every problem with its file and row, exits
non-zero and writes nothing; the templates it writes import as they are.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from tests.people_calls import create_timebank
from timebank.cli import REQUEST_REFUSED, app
from timebank.db.tables import accounts, exchanges


def _rows(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        return (
            connection.execute(select(func.count()).select_from(accounts)).scalar_one(),
            connection.execute(select(func.count()).select_from(exchanges)).scalar_one(),
        )


def test_the_templates_import_after_a_dry_run_and_a_second_run_imports_nothing(
    database: Engine, tmp_path: Path
) -> None:
    tb = create_timebank(database, "By hand").timebank_id
    runner = CliRunner()
    folder = tmp_path / "templates"
    written = runner.invoke(app, ["import-template", str(folder)])
    assert written.exit_code == 0, written.output
    files = [str(folder / name) for name in ("members.csv", "exchanges.csv", "opening_balances.csv")]
    # The template's opening balances give more than they take: the pot must hold it first.
    (folder / "opening_balances.csv").write_text("member,balance\r\nBo Muñoz,-2:30\r\n", encoding="utf-8")
    before = _rows(database)

    dry = runner.invoke(app, ["import", str(tb), *files, "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Would add 2 member(s), 1 exchange(s) (1 hours 30 minutes) and 2 opening balance(s)." in dry.output
    assert "Dry run: nothing was recorded." in dry.output
    assert _rows(database) == before

    done = runner.invoke(app, ["import", str(tb), *files])
    again = runner.invoke(app, ["import", str(tb), *files])

    assert done.exit_code == 0, done.output
    assert "Added 2 member(s), 1 exchange(s)" in done.output
    assert "nothing to do" in again.output
    assert _rows(database) == (before[0] + 2, before[1] + 1)


def test_a_refused_import_prints_every_problem_and_writes_nothing(database: Engine, tmp_path: Path) -> None:
    tb = create_timebank(database, "Refused").timebank_id
    members = tmp_path / "members.csv"
    members.write_bytes("name\r\nJosé\r\n".encode("latin-1"))
    trades = tmp_path / "exchanges.csv"
    trades.write_text(
        "date,giver,receiver,time,description\r\n2024-01-01,A,B,-1:00,Help\r\n", encoding="utf-8"
    )
    before = _rows(database)

    result = CliRunner().invoke(app, ["import", str(tb), str(members), str(trades)])

    assert result.exit_code == REQUEST_REFUSED
    assert "members.csv: This file is not saved as UTF-8" in result.output
    assert "exchanges.csv, row 2: The time '-1:00' is not more than zero" in result.output
    assert "Refused: 2 problem(s); nothing was recorded." in result.output
    assert _rows(database) == before


def test_an_unknown_source_is_refused_before_any_file_is_read(database: Engine, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["import", "1", str(tmp_path / "none.csv"), "--from", "komunitin"])

    assert result.exit_code == REQUEST_REFUSED
    assert "Choose spreadsheet, timeoverflow or export for --from, not 'komunitin'." in result.output


def test_timeoverflows_download_all_zip_imports_from_the_command_line(
    database: Engine, tmp_path: Path
) -> None:
    import zipfile

    tb = create_timebank(database, "From TimeOverflow").timebank_id
    archive = tmp_path / "banco-de-tiempo_2024-04-01.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(
            "Members_2024-04-01.csv",
            "N,Usuario,Email,Teléfono,Teléfono alternativo,Creado,Último login,Idioma,Saldo\n"
            "1,Ana,,,,,,es,3600\n2,José,,,,,,es,-3600\n",
        )
        z.writestr(
            "Transfers_2024-04-01.csv",
            "Fecha,Origen,Destino,Anuncio,Cantidad\n2024-03-01 10:00:00 +0100,José (2),Ana (1),Huerto,1:00\n",
        )
        z.writestr(
            "Inquiries_2024-04-01.csv",
            ",Demanda,Etiquetas,Usuario,Creado\n,-,,,\n4,Leña,,Ana (1),2024-03-02\n",
        )
        z.writestr("readme.txt", "x\n")

    result = CliRunner().invoke(app, ["import", str(tb), str(archive), "--from", "timeoverflow"])

    assert result.exit_code == 0, result.output
    assert "Added 2 member(s), 1 exchange(s) (1 hours 0 minutes) and 0 opening balance(s)." in result.output
    assert "Added 1 offer(s) and request(s); 0 were brought before." in result.output
    assert "Inquiries_2024-04-01.csv has no descriptions" in result.output
    assert "readme.txt was not imported" in result.output
    assert "has no reasons for transfers" in result.output
