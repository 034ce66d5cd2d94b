"""The audit log through the pages, on SQLite and PostgreSQL (no browser needed).

A coordinator reads every entry in plain words, oldest first, with about whom and who did it; narrows
the log by kind, by a member's name or number, or both; picks among several members whose names
match; pages forward. Refusals (an unknown kind, nobody by that name or number, a cursor we did not
give out) show no entries. Members and staff get 403. No page ever shows a benefit category.
"""

from __future__ import annotations

import html
import re

import pytest
from httpx import Response
from sqlalchemy import Engine, select

from tests.api.db_snapshot import snapshot
from tests.involvement_calls import set_declaration
from tests.people_calls import add_member
from tests.web.site import Site, build_site
from timebank.benefits.categories import BenefitCategory
from timebank.db.people_tables import members
from timebank.involvement.declarations import read_declaration
from timebank.people.callers import Caller


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def _text(page: Response) -> str:
    main = page.text[page.text.index("<main") : page.text.index("</main>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", main)))


def _login_caller(site: Site, who: str, *, coordinator: bool = False) -> Caller:
    """The caller ``who``'s login is, as the session would make it (so the log names them)."""
    with site.engine.connect() as connection:
        login_id = connection.execute(
            select(members.c.login_id).where(members.c.id == site.member_ids[who])
        ).scalar_one()
    if coordinator:
        return Caller.coordinator_of(site.timebank_id, f"login:{login_id}")
    return Caller.holder_of(
        site.timebank_id, site.account_ids[who], f"login:{login_id}", site.member_ids[who]
    )


def _history(site: Site) -> None:
    """Alice and Bob each declare their benefits; the coordinator reads Alice's declaration."""
    for who in ("alice", "bob"):
        set_declaration(
            site.engine,
            site.timebank_id,
            _login_caller(site, who),
            site.account_ids[who],
            [BenefitCategory.CARERS_ALLOWANCE],
        )
    read_declaration(
        site.engine,
        site.timebank_id,
        _login_caller(site, "coordinator", coordinator=True),
        site.account_ids["alice"],
    )


def _no_benefit_named(page: Response) -> None:
    for category in BenefitCategory:
        assert category.value not in page.text
        assert category.label.lower() not in page.text.lower()


def test_an_empty_log_says_so(site: Site) -> None:
    page = site.logged_in("coordinator").get("/audit")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "There are no entries yet" in _text(page)
    assert 'aria-current="page"' in page.text


def test_every_entry_reads_as_a_sentence_with_who_did_it(site: Site) -> None:
    _history(site)
    page = site.logged_in("coordinator").get("/audit")
    text = _text(page)
    assert page.status_code == 200
    assert f"{site.names['alice']}'s benefits details were saved." in text
    assert f"{site.names['alice']}'s benefits details were read by a coordinator." in text
    assert f"Done by {site.names['alice']}." in text
    assert f"Done by {site.names['coordinator']}." in text
    assert text.index("were saved") < text.index("were read")
    _no_benefit_named(page)


def test_the_log_narrows_by_kind_and_by_member(site: Site) -> None:
    _history(site)
    coordinator = site.logged_in("coordinator")
    by_kind = _text(coordinator.get("/audit?kind=declaration_read"))
    assert "were read" in by_kind and "were saved" not in by_kind
    by_name = _text(coordinator.get("/audit?member=Bob"))
    assert site.names["bob"] in by_name and f"{site.names['alice']}'s" not in by_name
    by_number = _text(coordinator.get(f"/audit?member={site.member_ids['alice']}&kind=declaration_set"))
    assert f"{site.names['alice']}'s benefits details were saved" in by_number
    assert "were read" not in by_number and site.names["bob"] not in by_number


def test_several_matching_names_are_offered_as_links(site: Site) -> None:
    add_member(site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), "Bobby Stone")
    page = site.logged_in("coordinator").get("/audit?member=Stone")
    assert page.status_code == 422
    assert 'href="#member"' in page.text
    assert f'href="/audit?member={site.member_ids["bob"]}"' in page.text


@pytest.mark.parametrize(
    ("query", "field_id"),
    [("kind=benefit_guessed", "kind"), ("member=Nobody+Here", "member"), ("member=999999999", "member")],
)
def test_a_filter_that_cannot_be_read_shows_no_entries(site: Site, query: str, field_id: str) -> None:
    _history(site)
    page = site.logged_in("coordinator").get(f"/audit?{query}")
    assert page.status_code == 422
    assert f'href="#{field_id}"' in page.text and f'id="{field_id}-error"' in page.text
    assert "were saved" not in page.text


def test_another_timebanks_member_number_is_not_found(site: Site) -> None:
    with site.engine.connect() as connection:
        olive_member = connection.execute(
            select(members.c.id).where(members.c.timebank_id == site.other_timebank_id)
        ).scalar()
    page = site.logged_in("coordinator").get(f"/audit?member={olive_member}")
    assert page.status_code == 422 and "No member has the number" in page.text


def test_the_log_pages_forward(site: Site) -> None:
    for _ in range(26):
        read_declaration(
            site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.account_ids["alice"]
        )
        read_declaration(
            site.engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), site.account_ids["bob"]
        )
    coordinator = site.logged_in("coordinator")
    first = coordinator.get("/audit?kind=declaration_read")
    assert _text(first).count("were read") == 50
    newer = re.search(r'href="(/audit\?[^"]*cursor=[^"]+)"', first.text)
    assert newer is not None
    second = coordinator.get(newer.group(1).replace("&amp;", "&"))
    assert second.status_code == 200 and _text(second).count("were read") == 2
    assert "kind=declaration_read" in newer.group(1)
    assert coordinator.get("/audit?cursor=not-ours").status_code == 400


@pytest.mark.parametrize("who", ["alice", "staff", "olive"])
def test_only_a_coordinator_reads_the_log(site: Site, who: str) -> None:
    _history(site)
    visitor = site.logged_in(who)
    before = snapshot(site.engine, [site.timebank_id, site.other_timebank_id])
    answer = visitor.get(f"/audit?member={site.member_ids['alice']}")
    assert answer.status_code == 403 and "were saved" not in answer.text
    assert snapshot(site.engine, [site.timebank_id, site.other_timebank_id]) == before
