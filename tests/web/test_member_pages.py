"""The coordinators' member pages, on SQLite and PostgreSQL: the list, a member's page, their statement,
and who may see them.

A coordinator searches the list by part of a name and by tag and pages through it; a member's page
shows their balance, hours given and received, login, role, tags, limits and newest lines, and never
their benefit declaration. A member gets the 403 page on every one of these pages, another
timebank's member id gives 404, and neither changes anything.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.involvement_calls import set_declaration
from tests.people_calls import add_member, update_member
from tests.web.site import Site, Visitor, build_site
from tests.web.test_give_pages import main_text
from timebank.benefits.wording import find_forbidden_words
from timebank.ledger.limits import STATEMENT_LIMIT_DEFAULT
from timebank.people.callers import Caller
from timebank.web.routes.members import MEMBERS_SHOWN

# Every page of this area, as a path template: {member} is a member's id.
PAGES = (
    "/members",
    "/members/new",
    "/members/{member}",
    "/members/{member}/statement",
    "/members/{member}/edit",
    "/members/{member}/limits",
    "/members/{member}/record",
)
FORMS = (
    "/members/new",
    "/members/{member}/edit",
    "/members/{member}/limits",
    "/members/{member}/record",
)


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


def whole(site: Site) -> dict[str, object]:
    return snapshot(site.engine, [site.timebank_id, site.other_timebank_id], ignore=["idempotency_keys"])


def names_listed(html: str) -> list[str]:
    return re.findall(r'<a class="govuk-link" href="/members/\d+">([^<]+)</a>', html)


def test_the_list_shows_each_member_s_name_login_and_tags(site: Site) -> None:
    update_member(
        site.engine,
        site.timebank_id,
        Caller.coordinator_of(site.timebank_id),
        site.member_ids["carol"],
        tags=["uses_services", "garden"],
    )
    page = site.logged_in("coordinator").get("/members")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert 'aria-current="page">Members</a>' in page.text
    assert names_listed(page.text) == [
        site.names[k] for k in ("alice", "bob", "carol", "coordinator", "staff")
    ]
    assert site.names["olive"] not in page.text
    carol_row = page.text[page.text.index(site.names["carol"]) :].split("</tr>")[0]
    assert ">No</td>" in carol_row and "garden, uses_services" in carol_row
    alice_row = page.text[page.text.index(site.names["alice"]) :].split("</tr>")[0]
    assert ">Yes</td>" in alice_row and ">None</td>" in alice_row
    assert f'href="/members/{site.member_ids["carol"]}"' in page.text
    assert 'href="/members/new"' in page.text
    assert not find_forbidden_words(main_text(page.text))


def test_the_list_is_searched_by_part_of_a_name_and_by_tag(site: Site) -> None:
    coordinator = Caller.coordinator_of(site.timebank_id)
    for who in ("alice", "carol"):
        update_member(site.engine, site.timebank_id, coordinator, site.member_ids[who], tags=["garden"])
    visitor = site.logged_in("coordinator")
    assert names_listed(visitor.get("/members?name=STONE").text) == [site.names["bob"]]
    assert names_listed(visitor.get("/members?tag=garden").text) == [site.names["alice"], site.names["carol"]]
    both = visitor.get("/members?name=white&tag=garden")
    assert names_listed(both.text) == [site.names["carol"]]
    assert 'value="white"' in both.text and 'value="garden"' in both.text
    nobody = visitor.get("/members?name=nobody+here")
    assert nobody.status_code == 200 and "No member matches your search" in main_text(nobody.text)


def test_a_tag_that_is_not_one_word_is_refused_beside_the_box(site: Site) -> None:
    answer = site.logged_in("coordinator").get("/members?tag=two+words")
    assert answer.status_code == 422
    assert 'href="#tag"' in answer.text and 'id="tag-error"' in answer.text
    assert 'value="two words"' in answer.text
    long_name = site.logged_in("coordinator").get("/members?name=" + "x" * 99)
    assert long_name.status_code == 200


def test_the_list_pages_with_cursors_keeping_the_search(site: Site) -> None:
    coordinator = Caller.coordinator_of(site.timebank_id)
    for n in range(MEMBERS_SHOWN + 2):
        add_member(site.engine, site.timebank_id, coordinator, f"Pat Many {n}", tags=["many"])
    visitor = site.logged_in("coordinator")
    first = visitor.get("/members?tag=many")
    assert len(names_listed(first.text)) == MEMBERS_SHOWN
    next_href = re.search(r'href="(/members\?tag=many&amp;cursor=[^"]+)"', first.text)
    assert next_href is not None
    second = visitor.get(next_href.group(1).replace("&amp;", "&"))
    assert names_listed(second.text) == ["Pat Many 25", "Pat Many 26"]
    assert 'href="/members?tag=many"' in second.text and "First page" in second.text
    broken = visitor.get("/members?cursor=not-one-of-ours")
    assert broken.status_code == 400 and "not one we gave out" in broken.text


def test_a_member_s_page_shows_balance_hours_details_limits_and_newest_lines(site: Site) -> None:
    site.record("carol", "alice", 90, "A lift to the shops", by="alice")
    site.record("bob", "carol", 30, "Shopping", by="carol", days_ago=2)
    update_member(
        site.engine,
        site.timebank_id,
        Caller.coordinator_of(site.timebank_id),
        site.member_ids["carol"],
        tags=["uses_services"],
    )
    page = site.logged_in("coordinator").get(f"/members/{site.member_ids['carol']}")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    text = main_text(page.text)
    name = site.names["carol"]
    assert f"{name} </h1>" in page.text.replace("\n", " ") or f">{name}</h1>" in page.text
    for words in (
        "Their balance is 1 hour",
        "Given since they joined 1 hour 30 minutes",
        "Received since they joined 30 minutes",
        f"Member number {site.member_ids['carol']}",
        "Logs in No. A coordinator records for them.",
        "Role Member",
        "Tags uses_services",
        "Lowest balance minus 10 hours",
        "Highest balance No highest",
        "A lift to the shops",
        "Shopping",
    ):
        assert words in text, words
    member_id = site.member_ids["carol"]
    for href in (
        f"/members/{member_id}/edit",
        f"/members/{member_id}/limits",
        f"/members/{member_id}/record",
        f"/members/{member_id}/statement",
    ):
        assert f'href="{href}"' in page.text
    assert not find_forbidden_words(text)


def test_a_member_s_page_never_shows_their_benefit_declaration(site: Site) -> None:
    alice = Caller.holder_of(
        site.timebank_id, site.account_ids["alice"], "test:alice", site.member_ids["alice"]
    )
    set_declaration(site.engine, site.timebank_id, alice, site.account_ids["alice"], ["universal_credit"])
    coordinator = site.logged_in("coordinator")
    before = whole(site)
    page = coordinator.get(f"/members/{site.member_ids['alice']}")
    assert page.status_code == 200
    text = main_text(page.text).lower()
    assert "benefit" not in text and "universal" not in text and "declar" not in text
    assert whole(site) == before  # no declaration read was audited: none was read


def test_a_member_s_statement_pages_with_cursors(site: Site) -> None:
    for day in range(STATEMENT_LIMIT_DEFAULT + 1):
        site.record("bob", "carol", 10, f"Tea {day}", by="carol", days_ago=day % 5)
    visitor = site.logged_in("coordinator")
    first = visitor.get(f"/members/{site.member_ids['carol']}/statement")
    assert first.status_code == 200
    assert "Their balance is minus 8 hours 30 minutes" in main_text(first.text)
    older = re.search(r'href="(/members/\d+/statement\?cursor=[^"]+)"', first.text)
    assert older is not None
    second = visitor.get(older.group(1))
    assert second.status_code == 200 and "Newest lines" in second.text
    empty = visitor.get(f"/members/{site.member_ids['alice']}/statement")
    assert "has no exchanges yet" in main_text(empty.text)
    broken = visitor.get(f"/members/{site.member_ids['carol']}/statement?cursor=nonsense")
    assert broken.status_code == 400


@pytest.mark.parametrize("path", PAGES)
def test_a_member_gets_403_on_every_coordinator_page(site: Site, path: str) -> None:
    alice = site.logged_in("alice")
    before = whole(site)
    answer = alice.get(path.format(member=site.member_ids["bob"]))
    assert answer.status_code == 403
    assert "This page is for coordinators" in answer.text
    assert whole(site) == before


@pytest.mark.parametrize("path", FORMS)
def test_a_member_s_post_is_refused_and_changes_nothing(site: Site, path: str) -> None:
    coordinator, alice = site.logged_in("coordinator"), site.logged_in("alice")
    page = coordinator.get(path.format(member=site.member_ids["bob"]))
    action = path.format(member=site.member_ids["bob"])
    fields = dict(coordinator.form(page, action).fields)
    fields.update(
        display_name="Taken Over", reason="x", role="gave", **{"receiver-1": "alice", "each-hours": "1"}
    )
    before = whole(site)
    # Alice's own CSRF token, so only the role stops her.
    fields["csrf_token"] = alice.form(alice.get("/give"), "/give").fields["csrf_token"]
    answer = alice.client.post(action, data=fields, follow_redirects=False)
    assert answer.status_code == 403
    assert whole(site) == before


def test_another_timebank_s_member_is_not_found_on_every_page(site: Site) -> None:
    olive = add_member(
        site.engine, site.other_timebank_id, Caller.coordinator_of(site.other_timebank_id), "Olive Elsewhere"
    )
    visitor = site.logged_in("coordinator")
    before = whole(site)
    for path in PAGES[2:]:
        answer = visitor.get(path.format(member=olive.member_id))
        assert answer.status_code == 404, path
    for path in FORMS[1:]:
        action = path.format(member=olive.member_id)
        mine = visitor.get(path.format(member=site.member_ids["bob"]))
        fields = dict(visitor.form(mine, path.format(member=site.member_ids["bob"])).fields)
        fields.update(
            display_name="Taken Over", reason="x", role="gave", **{"receiver-1": "alice", "each-hours": "1"}
        )
        answer = visitor.client.post(action, data=fields, follow_redirects=False)
        assert answer.status_code == 404, action
    for path in ("/members/99999999999", "/members/0", "/members/99999999999999999999999", "/members/abc"):
        assert visitor.get(path).status_code == 404, path
    assert whole(site) == before


def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in(site: Site) -> None:
    visitor: Visitor = site.visitor()
    for path in PAGES:
        answer = visitor.get(path.format(member=site.member_ids["bob"]))
        assert answer.status_code == 303 and answer.headers["location"] == "/login"
