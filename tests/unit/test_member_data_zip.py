"""The ZIP of a member's data, drawn from a made-up view with no database: what it holds, how the
README explains it, and that text people typed never runs as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, date, datetime
from types import SimpleNamespace
from typing import Any

from timebank.rendering.member_data_zip import CSV_FILES, README_NAME, member_data_zip

READ_AT = datetime(2026, 3, 2, 14, 30, tzinfo=UTC)


def _data(**overrides: Any) -> Any:
    profile = SimpleNamespace(
        member_id=7,
        account_id=12,
        timebank_name="Riverside",
        display_name="Alice Green",
        username="alice",
        roles=("member",),
        tags=("uses_services",),
        staff_of=(),
        login_turned_off_at=None,
        floor_minutes=-600,
        cap_minutes=None,
        balance_minutes=90,
        earned_minutes=90,
        spent_minutes=0,
        email="alice@example.org",
        email_checked_at=READ_AT,
        messages_wanted=("exchange_confirmed",),
        messages_stopped=(),
        joined_at=READ_AT,
        membership_ended_on=None,
        membership_end_reason=None,
    )
    exchange = SimpleNamespace(
        exchange_id=3,
        role="giver",
        other_party="=Bob",
        minutes=90,
        status="confirmed",
        activity_date=date(2026, 3, 1),
        description="+Gardening",
        category=None,
        recorded_at=READ_AT,
        reversal_reason=None,
    )
    fields: dict[str, Any] = {
        "read_at": READ_AT,
        "profile": profile,
        "declaration": None,
        "declared_labels": (),
        "exchanges": (exchange,),
        "statement": (),
        "attended": (),
        "invited": (),
        "expenses": (),
        "payments": (),
        "declined": (),
        "spent": (),
        "audit": (),
        "posts": (),
        "organisation_names": {},
        "cut": (),
    }
    return SimpleNamespace(**(fields | overrides))


def _files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_the_readme_comes_first_and_names_every_file_and_column() -> None:
    files = _files(member_data_zip(_data()))

    assert next(iter(files)) == README_NAME
    readme = files[README_NAME]
    assert "Everything Riverside holds about Alice Green" in readme
    for file in CSV_FILES:
        assert file.name in readme
        for column in file.columns:
            assert f"  - {column.name}: {column.meaning}" in readme


def test_typed_text_that_looks_like_a_formula_is_kept_as_text() -> None:
    rows = list(csv.DictReader(io.StringIO(_files(member_data_zip(_data()))["exchanges.csv"])))

    assert rows[0]["other_party"] == "'=Bob"
    assert rows[0]["description"] == "'+Gardening"
    assert rows[0]["minutes"] == "90"


def test_the_same_data_gives_the_same_bytes() -> None:
    assert member_data_zip(_data()) == member_data_zip(_data())


def test_a_cut_list_is_said_to_be_cut_and_the_others_are_not() -> None:
    readme = _files(member_data_zip(_data(cut=("statement",))))[README_NAME]
    statement_part = readme.split("statement.csv", 1)[1].split(".csv", 1)[0]

    assert "too long to give in full" in statement_part
    assert readme.count("too long to give in full") == 1


def test_no_declaration_is_said_plainly() -> None:
    files = _files(member_data_zip(_data()))

    assert json.loads(files["benefits_declaration.json"])["declared"] is False
    assert json.loads(files["profile.json"])["email_checked"] is True


def test_a_membership_that_ended_gives_its_last_day_and_the_reason_recorded_about_them() -> None:
    data = _data()
    current = json.loads(_files(member_data_zip(data))["profile.json"])
    data.profile.membership_ended_on = date(2026, 2, 27)
    data.profile.membership_end_reason = "Moved to Leeds"

    ended = json.loads(_files(member_data_zip(data))["profile.json"])

    assert (current["membership_ended_on"], current["membership_end_reason"]) == (None, None)
    assert ended["membership_ended_on"] == "2026-02-27"
    assert ended["membership_end_reason"] == "Moved to Leeds"
