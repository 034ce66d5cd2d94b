"""``timebank report``: the reciprocity report in the terminal, as CSV or JSON, and one account's.

The report is rated against the timebank's own thresholds where it has set them, in every format.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.reporting_calls import set_rating_thresholds
from timebank.cli import app
from timebank.db import make_engine, upgrade
from timebank.people.callers import Caller
from timebank.reports import Boundaries, RatedFigureName
from timebank.settings import get_settings

from .helpers import World, make_world

WINDOW = ["--from", "2024-05-01", "--to", "2024-06-01"]  # the helpers record on 2024-05-01


@pytest.fixture
def small_timebank(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[World]:
    url = f"sqlite:///{tmp_path / 'report.sqlite3'}"
    monkeypatch.setenv("TIMEBANK_DATABASE_URL", url)
    get_settings.cache_clear()
    upgrade(url)
    engine = make_engine(url)
    w = make_world(engine)
    # Ann helps Bo for an hour, Bo helps Ann for half an hour, Ann helps Cy: Ann gives and gets.
    for giver, receiver, minutes in ((w.ann, w.bo, 60), (w.bo, w.ann, 30), (w.ann, w.cy, 90)):
        w.record(w.coordinator, giver, {receiver: minutes})
    yield w
    engine.dispose()
    get_settings.cache_clear()


def test_the_report_reads_as_text_with_ratings(small_timebank: World) -> None:
    result = CliRunner().invoke(app, ["report", str(small_timebank.timebank_id), *WINDOW])
    assert result.exit_code == 0, result.output
    assert "Reciprocity report, 2024-05-01 to 2024-06-01" in result.output
    lines = {
        line.split()[0]: line.split()[1:] for line in result.output.splitlines() if line.startswith("  ")
    }
    assert lines["exchanges"] == ["3"]
    assert lines["hours"] == ["3"]  # 180 minutes
    assert lines["role_mix.both"] == ["2"]  # Ann and Bo
    assert lines["two_way_rate"] == ["0.667", "GREEN"]  # 2 of 3 active


def test_the_report_as_csv_and_as_json(small_timebank: World) -> None:
    runner = CliRunner()
    tb = str(small_timebank.timebank_id)
    as_csv = runner.invoke(app, ["report", tb, *WINDOW, "--format", "csv"])
    assert as_csv.exit_code == 0, as_csv.output
    assert as_csv.output.startswith("period,figure,value,rating")
    assert "2024-05-01/2024-06-01,exchanges,3," in as_csv.output
    as_json = runner.invoke(app, ["report", tb, *WINDOW, "--format", "json"])
    assert json.loads(as_json.output)["role_mix"] == {
        "both": 2,
        "give_only": 0,
        "receive_only": 1,
        "inactive": 0,
    }


def test_the_report_is_rated_against_the_timebanks_own_thresholds_in_every_format(
    small_timebank: World,
) -> None:
    w = small_timebank
    coordinator = Caller("login:coordinator", False, w.timebank_id, None, None, True, frozenset())
    two_way = {RatedFigureName.TWO_WAY_RATE: Boundaries(50, 70)}  # amber from 50%, green from 70%
    set_rating_thresholds(w.engine, w.timebank_id, coordinator, two_way)
    runner = CliRunner()
    tb = str(w.timebank_id)

    text = runner.invoke(app, ["report", tb, *WINDOW])
    as_csv = runner.invoke(app, ["report", tb, *WINDOW, "--format", "csv"])
    as_json = runner.invoke(app, ["report", tb, *WINDOW, "--format", "json"])

    assert text.exit_code == as_csv.exit_code == as_json.exit_code == 0, text.output + as_csv.output
    lines = [line.split() for line in text.output.splitlines()]
    assert ["two_way_rate", "0.667", "AMBER"] in lines  # 2 of 3 active, below 70%
    assert ["Two-way", "rate", "<", "50%", "/", "50-70%", "/", ">=", "70%"] in lines
    assert "2024-05-01/2024-06-01,two_way_rate,0.6666666666666666,amber" in as_csv.output
    assert "2024-05-01/2024-06-01,rating_thresholds.two_way_rate.green_from_percent,70," in as_csv.output
    document = json.loads(as_json.output)
    assert document["two_way_rate"]["rating"] == "amber"
    assert document["rating_thresholds"]["two_way_rate"] == {
        "amber_from_percent": 50,
        "green_from_percent": 70,
    }


def test_one_accounts_report(small_timebank: World) -> None:
    w = small_timebank
    result = CliRunner().invoke(app, ["report", str(w.timebank_id), *WINDOW, "--account", str(w.ann)])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"Account {w.ann}, 2024-05-01 to 2024-06-01 (to exclusive)",
        "  Given          2 hours 30 minutes",
        "  Received       30 minutes",
        "  Exchanges      3",
        "  Partners       2",
        "  Last exchange  1 May 2024",
    ]


def test_one_accounts_report_honours_the_format(small_timebank: World) -> None:
    # Bug fix: --account printed JSON whatever --format asked for.
    w = small_timebank
    runner = CliRunner()
    command = ["report", str(w.timebank_id), *WINDOW, "--account", str(w.ann), "--format"]

    as_json = runner.invoke(app, [*command, "json"])
    as_csv = runner.invoke(app, [*command, "csv"])

    assert as_json.exit_code == as_csv.exit_code == 0, as_json.output + as_csv.output
    figures = json.loads(as_json.output)
    assert (figures["given_minutes"], figures["received_minutes"], figures["partner_count"]) == (150, 30, 2)
    assert figures["last_exchange_on"] == "2024-05-01"
    assert as_csv.output.splitlines() == [
        "period,figure,value,rating",
        f"2024-05-01/2024-06-01,account_id,{w.ann},",
        "2024-05-01/2024-06-01,given_minutes,150,",
        "2024-05-01/2024-06-01,received_minutes,30,",
        "2024-05-01/2024-06-01,exchange_count,3,",
        "2024-05-01/2024-06-01,partner_count,2,",
        "2024-05-01/2024-06-01,last_exchange_on,2024-05-01,",
    ]


def test_a_refusal_is_one_plain_line_naming_its_rule_and_exits_2(small_timebank: World) -> None:
    window = ["--from", "2024-06-01", "--to", "2024-05-01"]
    result = CliRunner().invoke(app, ["report", str(small_timebank.timebank_id), *window])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Refused: The window from 2024-06-01 to 2024-05-01 holds no day: 'to' must be later."
        " (report_window_empty)"
    ]


def test_a_window_at_the_ends_of_the_calendar_is_one_plain_line_too(small_timebank: World) -> None:
    # Bug fix: '--to 0001-01-01' printed a traceback (the default window reached before the year 1).
    tb = str(small_timebank.timebank_id)
    empty = CliRunner().invoke(app, ["report", tb, "--to", "0001-01-01"])
    early = CliRunner().invoke(app, ["report", tb, "--to", "0001-02-01"])
    late = CliRunner().invoke(app, ["report", tb, "--to", "9999-12-31"])

    assert (empty.exit_code, early.exit_code, late.exit_code) == (2, 2, 2)
    assert empty.output.endswith("(report_window_empty)\n")
    for result in (early, late):
        assert len(result.output.splitlines()) == 1, result.output
        assert result.output.startswith("Refused: ")
        assert result.output.endswith("(report_window_out_of_range)\n")


def test_an_unknown_format_is_refused(small_timebank: World) -> None:
    result = CliRunner().invoke(app, ["report", str(small_timebank.timebank_id), "--format", "pdf"])
    assert result.exit_code == 2
    assert result.output == "Choose text, csv or json for --format, not 'pdf'.\n"
