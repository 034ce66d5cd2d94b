"""Uploads of files to import, through the use cases, on SQLite and PostgreSQL.

An upload with no file is refused by name and stores nothing; a file's name keeps no folder and
nothing unprintable, so problems name it as the coordinator knows it; a checked upload moves no
credit until it is confirmed; two confirms at once import once.
"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import Engine, func, select

from tests.people_calls import create_timebank
from timebank.db.import_tables import import_uploads
from timebank.db.tables import exchanges
from timebank.imports import (
    ImportRefused,
    ImportSource,
    ImportUploadView,
    SourceFile,
    check_upload,
    confirm_upload,
)
from timebank.imports.errors import ImportFilesRequired
from timebank.people.callers import Caller


def _uploads(engine: Engine, timebank_id: int) -> int:
    with engine.connect() as connection:
        query = select(func.count()).where(import_uploads.c.timebank_id == timebank_id)
        return int(connection.execute(query).scalar_one())


def test_an_upload_with_no_file_is_refused_and_stores_nothing(engine: Engine) -> None:
    tb = create_timebank(engine, "No files").timebank_id
    with pytest.raises(ImportFilesRequired):
        check_upload(engine, tb, Caller.coordinator_of(tb), ImportSource.SPREADSHEET, [])
    assert _uploads(engine, tb) == 0


def test_a_files_name_keeps_no_folder_and_nothing_unprintable(engine: Engine) -> None:
    tb = create_timebank(engine, "Names").timebank_id
    broken = b"date,giver,receiver,time,description\r\n2024-05-01,Ann,Bo,90,Help\r\n"
    with pytest.raises(ImportRefused) as refused:
        check_upload(
            engine,
            tb,
            Caller.coordinator_of(tb),
            ImportSource.SPREADSHEET,
            [SourceFile("C:\\Users\\cora\\exch\x00anges.csv", broken)],
        )
    assert {p.file for p in refused.value.problems} == {"exchanges.csv"}
    assert _uploads(engine, tb) == 0


def test_a_checked_upload_moves_nothing_until_it_is_confirmed(engine: Engine) -> None:
    tb = create_timebank(engine, "Checked").timebank_id
    files = [
        SourceFile("members.csv", b"name\r\nAnn\r\nBo\r\n"),
        SourceFile("exchanges.csv", b"date,giver,receiver,time,description\r\n2024-05-01,Ann,Bo,90,Help\r\n"),
    ]
    view = check_upload(engine, tb, Caller.coordinator_of(tb), ImportSource.SPREADSHEET, files)
    assert (view.checked.members_added, view.checked.exchanges_added) == (2, 1)
    with engine.connect() as connection:
        query = select(func.count()).where(exchanges.c.timebank_id == tb)
        assert connection.execute(query).scalar_one() == 0
    assert _uploads(engine, tb) == 1


def test_two_confirms_at_once_import_once(engine: Engine) -> None:
    tb = create_timebank(engine, "Twice at once").timebank_id
    coordinator = Caller.coordinator_of(tb)
    names = [f"Member {n:03d}" for n in range(60)]
    rows = "".join(
        f"2024-05-{1 + n % 28:02d},{names[n % 60]},{names[(n + 1) % 60]},30,Help {n}\r\n" for n in range(600)
    )
    files = [
        SourceFile("members.csv", ("name\r\n" + "\r\n".join(names) + "\r\n").encode()),
        SourceFile("exchanges.csv", ("date,giver,receiver,time,description\r\n" + rows).encode()),
    ]
    upload_id = check_upload(engine, tb, coordinator, ImportSource.SPREADSHEET, files).upload_id
    start = threading.Barrier(2)
    answers: list[object] = []

    def confirm() -> None:
        start.wait()
        try:
            answers.append(confirm_upload(engine, tb, coordinator, upload_id))
        except Exception as error:  # the test reports it below, with the other thread's answer
            answers.append(error)

    threads = [threading.Thread(target=confirm) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert all(isinstance(answer, ImportUploadView) for answer in answers), answers
    with engine.connect() as connection:
        query = select(func.count()).where(exchanges.c.timebank_id == tb)
        assert connection.execute(query).scalar_one() == 600
