"""The settings page through the pages, on SQLite and PostgreSQL (no browser needed).

A coordinator sees the timebank's settings and the report's colours, each with a hint, changes them
and is told they are saved; the change is read back through the use cases. Each refusal (a name left
empty, minutes of 60 or more, days out of range, a choice not made, an email address that is not
one, a colour that starts after the next) is shown beside its box with what was typed kept, and
changes nothing. Members and staff get 403 and their posts change nothing.
"""

from __future__ import annotations

import re

import pytest
from httpx import Response
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.web.site import Site, Visitor, build_site
from timebank.people.callers import Caller
from timebank.people.timebanks import read_timebank
from timebank.reporting.ratings import read_rating_thresholds


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _text(page: Response) -> str:
    main = page.text[page.text.index("<main") : page.text.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def _before(site: Site) -> dict[str, object]:
    return snapshot(site.engine, [site.timebank_id, site.other_timebank_id])


def _save(coordinator: Visitor, typed: dict[str, str]) -> Response:
    return coordinator.submit(coordinator.get("/settings"), "/settings", typed)


def _save_colours(coordinator: Visitor, typed: dict[str, str]) -> Response:
    return coordinator.submit(coordinator.get("/settings"), "/settings/ratings", typed)


def _coordinator(site: Site) -> Caller:
    return Caller.coordinator_of(site.timebank_id)


def test_the_settings_page_shows_every_setting_with_a_hint(site: Site) -> None:
    page = site.logged_in("coordinator").get("/settings")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    text = _text(page)
    for words in (
        "How far below zero a new member can go",
        "A new member can get this much help before they give any.",
        "Days an exchange waits",
        "It expires and no credits move",
        "Active members",
        "Hours given by the busiest fifth",
    ):
        assert words in text
    form = site.logged_in("coordinator").form(page, "/settings").fields
    assert form["member_floor-hours"] == "10" and form["member_floor-minutes"] == "0"
    assert form["pending_expiry_days"] == "14" and form["auto_confirm"] == "no"
    assert form["member_cap-hours"] == ""


def test_a_coordinator_changes_the_settings_and_is_told(site: Site) -> None:
    coordinator = site.logged_in("coordinator")
    saved = _save(
        coordinator,
        {
            "member_floor-hours": "5",
            "member_floor-minutes": "30",
            "member_cap-hours": "40",
            "pending_expiry_days": "7",
            "auto_confirm": "yes",
            "contact_email": "hello@example.org",
        },
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/settings?saved=settings"
    page = coordinator.get(saved.headers["location"])
    assert "settings are saved" in page.text
    timebank = read_timebank(site.engine, site.timebank_id, _coordinator(site))
    assert timebank.default_member_floor_minutes == -330
    assert timebank.default_member_cap_minutes == 40 * 60
    assert timebank.pending_expiry_days == 7 and timebank.auto_confirm_pending is True
    assert timebank.contact_email == "hello@example.org"
    assert timebank.minutes_per_transfer_max == 24 * 60  # left as it was


def test_a_coordinator_changes_the_reports_colours(site: Site) -> None:
    coordinator = site.logged_in("coordinator")
    saved = _save_colours(
        coordinator,
        {
            "active_rate-amber": "20",
            "active_rate-green": "45",
            "top20_share-green": "30",
            "top20_share-red": "70",
        },
    )
    assert saved.status_code == 303
    assert "ratings are saved" in coordinator.get(saved.headers["location"]).text
    ratings = read_rating_thresholds(site.engine, site.timebank_id, _coordinator(site))
    assert (ratings.active_rate.amber_from_percent, ratings.active_rate.green_from_percent) == (20, 45)
    assert ratings.active_rate.is_default is False
    assert (ratings.top20_share.green_below_percent, ratings.top20_share.red_above_percent) == (30, 70)
    assert ratings.two_way_rate.is_default is True  # typed as it was shown: stays on the default


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"name": " "}, "name"),
        ({"member_floor-minutes": "75"}, "member_floor-minutes"),
        ({"transfer_max-hours": "", "transfer_max-minutes": ""}, "transfer_max-hours"),
        ({"transfer_max-hours": "0", "transfer_max-minutes": "0"}, "transfer_max-hours"),
        ({"pending_expiry_days": "0"}, "pending_expiry_days"),
        ({"pending_expiry_days": "two"}, "pending_expiry_days"),
        ({"backdate_days_max": "99999"}, "backdate_days_max"),
        ({"auto_confirm": "maybe"}, "auto_confirm"),
        ({"contact_email": "not an address"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_a_setting_that_cannot_be_saved_is_refused_beside_its_box(
    site: Site, typed: dict[str, str], field_id: str
) -> None:
    coordinator = site.logged_in("coordinator")
    page = coordinator.get("/settings")
    before = _before(site)
    answer = coordinator.submit(page, "/settings", typed)
    assert answer.status_code == 422, _text(answer)
    assert f'href="#{field_id}"' in answer.text and f'id="{field_id}-error"' in answer.text
    kept = coordinator.form(answer, "/settings").fields
    for name, value in typed.items():
        if name != "auto_confirm":
            assert kept[name] == value
    assert _before(site) == before


@pytest.mark.parametrize(
    ("typed", "field_id"),
    [
        ({"active_rate-amber": "60", "active_rate-green": "40"}, "active_rate-amber"),
        ({"top20_share-green": "80", "top20_share-red": "50"}, "top20_share-green"),
        ({"two_way_rate-green": "101"}, "two_way_rate-green"),
        ({"largest_scc_share-amber": "half"}, "largest_scc_share-amber"),
        ({"largest_scc_share-amber": "", "largest_scc_share-green": "50"}, "largest_scc_share-amber"),
    ],
)
def test_a_colour_that_cannot_be_saved_is_refused_beside_its_box(
    site: Site, typed: dict[str, str], field_id: str
) -> None:
    coordinator = site.logged_in("coordinator")
    before = _before(site)
    answer = _save_colours(coordinator, typed)
    assert answer.status_code == 422, _text(answer)
    assert f'href="#{field_id}"' in answer.text and f'id="{field_id}-error"' in answer.text
    assert _before(site) == before


@pytest.mark.parametrize("who", ["alice", "staff", "olive"])
def test_only_a_coordinator_sees_or_changes_the_settings(site: Site, who: str) -> None:
    visitor = site.logged_in(who)
    before = _before(site)
    assert visitor.get("/settings").status_code == 403
    csrf = visitor.form(visitor.get("/"), "/logout").fields["csrf_token"]
    for action, fields in (
        ("/settings", {"name": "Taken over", "pending_expiry_days": "1"}),
        ("/settings/ratings", {"active_rate-amber": "1", "active_rate-green": "2"}),
    ):
        answer = visitor.client.post(action, data={"csrf_token": csrf, **fields})
        assert answer.status_code == 403
    assert _before(site) == before
