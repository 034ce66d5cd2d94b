"""A whole timebank exported as a ZIP of CSVs and imported into an empty one, on SQLite and PostgreSQL.

The round trip is a property: for hypothesis-made histories (members, an organisation with an
activity, payments and an expense, opening balances from a spreadsheet, exchanges posted, confirmed,
declined, cancelled and reversed, gifts and their reversal, pot grants, spends, posts, limit
changes, a membership ended), the copy shows every account the same balance and every statement
line by line, the same report figures, and its own export is the original's file for file once
ids are put aside (export ∘ import ∘ export = export). The refusals write nothing and list every
problem; the README describes every column of every file.
"""

from __future__ import annotations

import csv
import io
import threading
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.people_calls import add_member, create_timebank
from timebank.db import run
from timebank.errors import TimebankNotFound
from timebank.exports import FILES, README_NAME, export_timebank, import_export
from timebank.imports import ImportRefused, SourceFile
from timebank.ledger.errors import CoordinatorRequired
from timebank.offers.categories import list_categories
from timebank.people.callers import Caller

from .export_story import (
    Step,
    build_history,
    comparable,
    export_files,
    export_zip,
    figures,
    import_zip,
    record,
)
from .helpers import check_invariants, snapshot

KINDS = (
    "posted",
    "confirmed",
    "declined",
    "cancelled",
    "waiting",
    "reversed",
    "gift",
    "grant",
    "gift_reversed",
    "spend",
    "post",
    "limits",
    "ended",
    "to_pot",
    "tagged",
    "group",
    "expired",
    "hidden",
    "closed",
    "erased",
    "ratings",
    "category",
)
steps = st.lists(
    st.builds(
        Step,
        st.sampled_from(KINDS),
        st.integers(0, 20),
        st.integers(0, 20),
        st.integers(1, 300),
        st.integers(0, 400),
    ),
    max_size=30,
)


@settings(max_examples=15)
@given(steps=steps)
def test_an_export_imported_into_an_empty_timebank_shows_the_same_figures_and_exports_the_same(
    engine: Engine, steps: list[Step]
) -> None:
    forum = build_history(engine, steps)
    original = export_zip(engine, forum.timebank_id)
    copy = import_zip(engine, original)
    again = export_zip(engine, copy)
    second_copy = import_zip(engine, again)
    original_files, copy_files = export_files(original), export_files(again)

    assert check_invariants(engine, copy) == []
    assert comparable(copy_files) == comparable(original_files)
    assert comparable(export_files(export_zip(engine, second_copy))) == comparable(copy_files)
    assert figures(engine, copy, copy_files) == figures(engine, forum.timebank_id, original_files)


# --- refusals: every problem listed, nothing written ------------------------------------------------


def _small_export(engine: Engine) -> tuple[bytes, int]:
    """An export of a small history: the forum, opening balances and a few exchanges."""
    steps_done = [Step("posted", 1, 2, 60, 3), Step("gift", 2, 3, 30, 0), Step("reversed", 0, 0, 1, 0)]
    forum = build_history(engine, steps_done)
    return export_zip(engine, forum.timebank_id), forum.timebank_id


def _rewrite(data: bytes, name: str, change: Callable[[list[list[str]]], list[list[str]]]) -> bytes:
    """The ZIP with one CSV's rows (header first) changed."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == name:
                rows = change(list(csv.reader(io.StringIO(content.decode(), newline=""))))
                text = io.StringIO()
                csv.writer(text).writerows(rows)
                content = text.getvalue().encode()
            archive.writestr(entry.filename, content)
    return out.getvalue()


def _refused(engine: Engine, data: bytes, target: int | None = None) -> list[str]:
    """The problems an import of ``data`` meets; the target's rows are checked unchanged."""
    target = target or create_timebank(engine, "Target").timebank_id
    before = snapshot(engine, target), _categories(engine, target)
    with pytest.raises(ImportRefused) as refused:
        import_export(
            engine, target, Caller.coordinator_of(target), SourceFile("export.zip", data), dry_run=False
        )
    assert (snapshot(engine, target), _categories(engine, target)) == before
    return [problem.line() for problem in refused.value.problems]


def _categories(engine: Engine, timebank_id: int) -> list[str]:
    return [
        c.name for c in list_categories(engine, timebank_id, Caller.coordinator_of(timebank_id)).categories
    ]


def _column(name: str, rows: list[list[str]]) -> int:
    return rows[0].index(name)


def test_an_import_into_a_timebank_that_is_not_empty_is_refused_and_writes_nothing(engine: Engine) -> None:
    data, _ = _small_export(engine)
    target = create_timebank(engine, "Busy").timebank_id
    add_member(engine, target, Caller.coordinator_of(target), "Already here")

    (problem,) = _refused(engine, data, target)

    assert "This timebank is not empty: it has 1 account besides its pot, 1 member." in problem


def test_a_missing_column_and_a_file_left_out_are_each_named(engine: Engine) -> None:
    data, _ = _small_export(engine)
    without_minutes = _rewrite(
        data,
        "transfers.csv",
        lambda rows: [r[: _column("minutes", rows)] + r[_column("minutes", rows) + 1 :] for r in rows],
    )
    source = zipfile.ZipFile(io.BytesIO(without_minutes))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            if entry.filename != "spends.csv":
                archive.writestr(entry.filename, source.read(entry.filename))

    problems = _refused(engine, out.getvalue())

    assert problems == ["spends.csv: This file of the export is missing from the ZIP."]
    assert _refused(engine, without_minutes) == [
        "transfers.csv, row 1: The header is not this file's: these columns are missing: minutes."
    ]


def test_unknown_accounts_bad_cells_and_unbalanced_transfers_are_all_listed_with_their_rows(
    engine: Engine,
) -> None:
    data, _ = _small_export(engine)

    transactions = export_files(data)["transactions.csv"]
    exchange_transactions = {row[0] for row in transactions[1:] if row[1] == "exchange"}

    def break_transfers(rows: list[list[str]]) -> list[list[str]]:
        source, minutes = _column("source_account_id", rows), _column("minutes", rows)
        rows[1][source] = "99999"  # an account that is not in accounts.csv
        rows[3][_column("posted_at", rows)] = "yesterday"
        # An exchange's transfer moves more than its receivers received: the balances no longer add up.
        (row,) = [r for r in rows[4:] if r[_column("transaction_id", rows)] in exchange_transactions][:1]
        row[minutes] = str(int(row[minutes]) + 7)
        return rows

    problems = _refused(engine, _rewrite(data, "transfers.csv", break_transfers))

    assert "transfers.csv, row 2: source_account_id 99999 is not a row of accounts.csv before it." in problems
    assert any(
        p.startswith("transfers.csv, row 4: posted_at is 'yesterday'; it needs a time in UTC")
        for p in problems
    )
    assert any(p.startswith("transfers.csv: Transfer ") and "balance-after is wrong" in p for p in problems)
    assert any(p.startswith("accounts.csv, row ") and "Its transfers bring in" in p for p in problems)
    assert any(p.startswith("exchanges.csv, row ") and "Its receivers add up to" in p for p in problems)


def test_a_balance_outside_its_floor_and_a_transaction_without_transfers_are_refused(engine: Engine) -> None:
    data, _ = _small_export(engine)

    def raise_floor(rows: list[list[str]]) -> list[list[str]]:
        for row in rows[1:]:
            if int(row[_column("balance_minutes", rows)]) < 0:
                row[_column("floor_minutes", rows)] = "0"
        return rows

    def add_transaction(rows: list[list[str]]) -> list[list[str]]:
        extra = list(rows[1])
        extra[_column("transaction_id", rows)] = str(int(extra[_column("transaction_id", rows)]) + 1000)
        return [*rows, extra]

    floors = _refused(engine, _rewrite(data, "accounts.csv", raise_floor))
    empty = _refused(engine, _rewrite(data, "transactions.csv", add_transaction))

    assert floors and all("is outside its floor (0)" in p for p in floors)
    assert len(empty) == 1
    assert empty[0].endswith("This transaction has no transfers in transfers.csv.")


def test_a_file_that_is_not_a_zip_is_too_large_or_unpacks_too_large_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    data, _ = _small_export(engine)
    monkeypatch.setattr("timebank.exports.reading.EXPORT_ENTRY_BYTES_MAX", 200)

    assert _refused(engine, b"name,minutes\r\n") == ["export.zip: This file is not a ZIP that can be opened."]
    monkeypatch.setattr("timebank.exports.reading.IMPORT_FILE_BYTES_MAX", len(data) - 1)
    assert _refused(engine, data) == ["export.zip: This file is larger than 0 MB."]
    monkeypatch.undo()
    monkeypatch.setattr("timebank.exports.reading.EXPORT_ENTRY_BYTES_MAX", 200)
    assert "export.zip/transfers.csv: This file is larger than 0 MB unpacked." in _refused(engine, data)


def test_a_dry_run_checks_everything_and_writes_nothing(engine: Engine) -> None:
    data, _ = _small_export(engine)
    target = create_timebank(engine, "Trying").timebank_id
    before = snapshot(engine, target)

    report = import_export(
        engine, target, Caller.coordinator_of(target), SourceFile("e.zip", data), dry_run=True
    )

    assert report.dry_run
    assert report.rows["transfers.csv"] > 0
    assert snapshot(engine, target) == before


def test_only_a_coordinator_of_the_timebank_may_export_it_or_import_into_it(engine: Engine) -> None:
    data, timebank_id = _small_export(engine)
    member = add_member(engine, timebank_id, Caller.coordinator_of(timebank_id), "Nosy")
    as_member = Caller(
        "login:nosy", False, timebank_id, member.member_id, member.account_id, False, frozenset()
    )
    elsewhere = create_timebank(engine, "Elsewhere").timebank_id
    out = io.BytesIO()

    with pytest.raises(CoordinatorRequired):
        export_timebank(engine, timebank_id, as_member, out)
    with pytest.raises(TimebankNotFound):
        export_timebank(engine, timebank_id, Caller.coordinator_of(elsewhere), out)
    with pytest.raises(CoordinatorRequired):
        import_export(engine, timebank_id, as_member, SourceFile("e.zip", data), dry_run=False)
    assert out.getvalue() == b""


def test_an_export_is_audited_with_its_counts_and_not_its_contents(engine: Engine) -> None:
    data, timebank_id = _small_export(engine)
    files = export_files(data)

    entries = run(engine, lambda uow: uow.audit.entries(timebank_id, None), write=False)
    exported = [e for e in entries if e.action == "timebank_exported"]

    assert exported
    assert exported[-1].details["transfers"] == len(files["transfers.csv"]) - 1
    assert exported[-1].subject_account_id is None


# --- the README ---------------------------------------------------------------------------------------


def test_the_readme_describes_every_column_of_every_file_and_what_is_left_out(engine: Engine) -> None:
    data, _ = _small_export(engine)
    archive = zipfile.ZipFile(io.BytesIO(data))
    readme = archive.read(README_NAME).decode()

    assert sorted(archive.namelist()) == sorted([README_NAME, *(f.name for f in FILES)])
    for file in FILES:
        header = archive.read(file.name).decode().splitlines()[0].split(",")
        section = readme.split(f"\n{file.name}\n", 1)[1].split("\n\n", 1)[0]
        for column in header:
            assert f"  - {column}: " in section, (file.name, column)
    for secret in ("password", "benefits declarations", "audit log"):
        assert secret in readme.lower()


def test_accounts_without_the_pot_are_refused(engine: Engine) -> None:
    data, _ = _small_export(engine)

    problems = _refused(
        engine, _rewrite(data, "accounts.csv", lambda rows: [r for r in rows if r[1] != "pot"])
    )

    assert "accounts.csv: No row is the pot (kind pot); a timebank has one." in problems
    assert any("is not a row of accounts.csv before it" in p for p in problems)


def test_a_zip_made_again_from_the_unpacked_folder_imports(engine: Engine) -> None:
    data, _ = _small_export(engine)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            archive.writestr(f"timebank-export/{entry.filename}", source.read(entry.filename))

    copy = import_zip(engine, out.getvalue())

    assert comparable(export_files(export_zip(engine, copy))) == comparable(export_files(data))


def test_a_file_that_stops_being_csv_is_named_with_the_row_it_breaks_at(engine: Engine) -> None:
    data, _ = _small_export(engine)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for entry in source.infolist():
            content = source.read(entry.filename)
            if entry.filename == "exchanges.csv":
                content += b'99,"never closed\r\n'
            archive.writestr(entry.filename, content)

    problems = _refused(engine, out.getvalue())

    assert any(p.startswith("exchanges.csv: From row ") and "cannot be read as CSV" in p for p in problems)


def test_an_export_taken_while_exchanges_are_recorded_is_one_moment(engine: Engine) -> None:
    forum = build_history(engine, [])
    a, b = forum.members[0], forum.members[1]
    stop = threading.Event()
    recorded: list[int] = []

    def keep_recording() -> None:
        while not stop.is_set():
            giver, receiver = (a, b) if len(recorded) % 2 == 0 else (b, a)
            step = Step("posted", 0, 0, 10, len(recorded) % 30)
            recorded.append(record(forum, forum.coordinator, giver, receiver, step))

    writer = threading.Thread(target=keep_recording)
    writer.start()
    try:
        exports = [export_zip(engine, forum.timebank_id) for _ in range(3)]
    finally:
        stop.set()
        writer.join()

    assert recorded
    # Each import checks that the transfers make every balance in accounts.csv: a file read at
    # another moment than the others would be refused.
    for data in exports:
        copy = import_zip(engine, data)
        assert check_invariants(engine, copy) == []
