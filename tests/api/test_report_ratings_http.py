"""The report's rating thresholds over HTTP: read, replaced, used by the report, refused by name.

``GET /v1/timebanks/{tb}/report-ratings`` names every figure's thresholds and whether they are the
default; ``PUT`` replaces the set (a figure left out or null goes back to its default). The
reciprocity report, as JSON and as CSV, is rated against what was put and says so. Bad thresholds
are refused with a problem document naming the rule (``rating_threshold_out_of_range`` from the
request's schema, with the field in ``errors``; ``rating_thresholds_out_of_order`` from the ledger's
rule, without), and leave the stored thresholds as they were. Who may call them is in the
authorization matrix (tests/api/test_authorization_matrix.py).
"""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

import pytest

from .conftest import World

RATINGS = "/report-ratings"
REPORT = "/reports/reciprocity"

DEFAULTS: dict[str, dict[str, Any]] = {
    "active_rate": {"amber_from_percent": 20, "green_from_percent": 50, "is_default": True},
    "two_way_rate": {"amber_from_percent": 25, "green_from_percent": 50, "is_default": True},
    "uses_services_giving_rate": {"amber_from_percent": 25, "green_from_percent": 60, "is_default": True},
    "top20_share": {"green_below_percent": 60, "red_above_percent": 80, "is_default": True},
    "largest_scc_share": {"amber_from_percent": 20, "green_from_percent": 50, "is_default": True},
}
OWN = {
    "active_rate": {"amber_from_percent": 100, "green_from_percent": 100},  # red unless everyone trades
    "top20_share": {"green_below_percent": 0, "red_above_percent": 100},  # never green, never red
}


def _get(world: World, role: str = "coordinator") -> dict[str, Any]:
    answer = world.client.get(world.url(RATINGS), headers=world.headers[role])
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _put(world: World, body: object, role: str = "coordinator") -> Any:
    return world.client.put(world.url(RATINGS), json=body, headers=world.headers[role])


def _record(w: World, giver: str, receiver: str, minutes: int, on: date) -> None:
    body = {
        "giver_account_id": w.account_ids[giver],
        "receivers": [{"account_id": w.account_ids[receiver], "minutes": minutes}],
        "activity_date": on.isoformat(),
        "description": "Help with the shopping",
    }
    headers = {**w.headers["coordinator"], "Idempotency-Key": uuid.uuid4().hex}
    answer = w.client.post(w.url("/exchanges"), json=body, headers=headers)
    assert answer.status_code == 201, answer.text


def test_a_timebank_that_set_nothing_reads_the_issues_defaults(world: World) -> None:
    assert _get(world) == DEFAULTS
    assert _get(world, "admin") == DEFAULTS


def test_put_replaces_the_set_and_a_figure_left_out_or_null_goes_back_to_its_default(world: World) -> None:
    answer = _put(world, OWN)

    assert answer.status_code == 200, answer.text
    expected = {
        **DEFAULTS,
        "active_rate": {**OWN["active_rate"], "is_default": False},
        "top20_share": {**OWN["top20_share"], "is_default": False},
    }
    assert answer.json() == expected
    assert _get(world) == expected

    again = _put(world, {"active_rate": OWN["active_rate"], "top20_share": None})
    assert again.status_code == 200, again.text
    assert again.json() == {**DEFAULTS, "active_rate": {**OWN["active_rate"], "is_default": False}}

    cleared = _put(world, {})
    assert cleared.status_code == 200, cleared.text
    assert cleared.json() == DEFAULTS


def test_the_report_is_rated_against_the_thresholds_put_and_says_which(world: World) -> None:
    # Today, so the rolling 90 days (the report's default window) count everyone opened today as a
    # member: the member and other_member trade, the rest of the world's members do not.
    _record(world, "member", "other_member", 90, date.today())
    _record(world, "other_member", "member", 30, date.today())
    coordinator = world.headers["coordinator"]
    by_default = world.client.get(world.url(REPORT), headers=coordinator).json()
    assert _put(world, OWN).status_code == 200

    report = world.client.get(world.url(REPORT), headers=coordinator).json()
    exported = world.client.get(world.url(REPORT), headers={**coordinator, "Accept": "text/csv"}).text

    # Some members never traded, so the active rate is below 100%: red against amber from 100%.
    assert 0 < report["active_rate"]["value"] < 1
    assert by_default["rating_thresholds"] == {
        figure: {k: v for k, v in thresholds.items() if k != "is_default"}
        for figure, thresholds in DEFAULTS.items()
    }
    assert report["active_rate"]["rating"] == "red"
    assert report["top20_share"]["rating"] == "amber"
    assert report["rating_thresholds"]["active_rate"] == OWN["active_rate"]
    assert report["rating_thresholds"]["top20_share"] == OWN["top20_share"]
    assert report["rating_thresholds"]["two_way_rate"] == {"amber_from_percent": 25, "green_from_percent": 50}
    window = [r for r in csv.DictReader(io.StringIO(exported)) if "/" in r["period"]]
    rows = {r["figure"]: r for r in window}
    assert rows["active_rate"]["rating"] == "red"
    assert rows["rating_thresholds.active_rate.amber_from_percent"]["value"] == "100"
    assert rows["rating_thresholds.top20_share.green_below_percent"]["value"] == "0"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"active_rate": {"amber_from_percent": 20, "green_from_percent": 101}}, "green_from_percent"),
        ({"two_way_rate": {"amber_from_percent": -1, "green_from_percent": 50}}, "amber_from_percent"),
        ({"top20_share": {"green_below_percent": 60.5, "red_above_percent": 80}}, "green_below_percent"),
        ({"top20_share": {"green_below_percent": 60, "red_above_percent": "80"}}, "red_above_percent"),
        ({"largest_scc_share": {"amber_from_percent": True, "green_from_percent": 50}}, "amber_from_percent"),
        ({"active_rate": {"amber_from_percent": 20, "green_from_percent": 50.0}}, "green_from_percent"),
    ],
)
def test_a_threshold_that_is_not_a_whole_percentage_from_0_to_100_is_refused_by_name(
    world: World, body: dict[str, Any], location: str
) -> None:
    assert _put(world, OWN).status_code == 200
    before = _get(world)

    answer = _put(world, body)

    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "rating_threshold_out_of_range"
    assert problem["errors"][0]["location"].endswith(location)
    assert _get(world) == before


@pytest.mark.parametrize(
    "body",
    [
        {"active_rate": {"amber_from_percent": 51, "green_from_percent": 50}},
        {"uses_services_giving_rate": {"amber_from_percent": 61, "green_from_percent": 60}},
        # The higher-is-better order, which is the wrong way round for the top-20% share.
        {"top20_share": {"green_below_percent": 80, "red_above_percent": 60}},
        # One good figure and one bad: nothing is kept.
        {
            "two_way_rate": {"amber_from_percent": 30, "green_from_percent": 60},
            "largest_scc_share": {"amber_from_percent": 60, "green_from_percent": 30},
        },
    ],
)
def test_thresholds_the_wrong_way_round_for_their_figure_are_refused_by_name(
    world: World, body: dict[str, Any]
) -> None:
    assert _put(world, OWN).status_code == 200
    before = _get(world)

    answer = _put(world, body)

    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "rating_thresholds_out_of_order"
    assert "errors" not in problem  # the ledger's rule, not the request's shape
    for figure in body:
        if figure != "two_way_rate":
            assert figure in problem["detail"]
    assert _get(world) == before


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"active_rate": {"amber_from_percent": 20}}, "field_required"),
        ({"active_rate": {**OWN["active_rate"], "red_above_percent": 50}}, "unknown_field"),
        ({"top20_share": {**OWN["top20_share"], "amber_from_percent": 60}}, "unknown_field"),
        ({"gini_given": {"amber_from_percent": 20, "green_from_percent": 50}}, "unknown_field"),
        ({"active_rate": {**OWN["active_rate"], "is_default": False}}, "unknown_field"),
        ({"active_rate": [20, 50]}, "request_invalid"),
    ],
)
def test_a_body_of_another_shape_is_refused(world: World, body: dict[str, Any], code: str) -> None:
    answer = _put(world, body)

    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    assert _get(world) == DEFAULTS


def test_only_coordinators_and_admins_read_or_set_them(world: World) -> None:
    for role in ("member", "staff", "organisation_key"):
        assert world.client.get(world.url(RATINGS), headers=world.headers[role]).json()["code"] == (
            "coordinator_required"
        )
        assert _put(world, OWN, role).json()["code"] == "coordinator_required"
    elsewhere = _put(world, OWN, "other_coordinator")
    assert elsewhere.status_code == 404
    assert elsewhere.json()["code"] == "timebank_not_found"
    assert _get(world) == DEFAULTS
    assert _put(world, OWN, "admin").status_code == 200
