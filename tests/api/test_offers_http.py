"""Offers and requests over HTTP: search's answer, an exchange from a post, and every refusal.

Search answers each post with the member's display name and the day they last took part, and with
no field that could reach them (email, phone, address, username), even for a member who has given
an email address; it pages with the cursor it gives. An exchange recorded with ``post_id`` answers
it and keeps it. The coordinators' report answers over HTTP.

Then one row per refusal of offers and requests (``OFFER_CODES``): each arranges what it needs,
takes a snapshot of both timebanks' rows and every table's row count, sends one request, and checks
the status, the problem document's ``code`` and that the snapshot is unchanged. A meta-test checks
that the rows name every code (``post_kind_unknown`` and ``categories_too_many`` cannot be met over
HTTP cheaply, so they are met through the services, below).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from httpx import Response

from tests.integration.test_refusals import OFFER_CODES
from tests.offer_calls import category_id_named, expire, post_for
from tests.people_calls import end_membership
from timebank.clock import utc_now
from timebank.errors import TimebankError
from timebank.notifications import set_email
from timebank.notifications.requests import SetEmail
from timebank.offers import (
    AddCategory,
    ChangeCategory,
    CreatePost,
    HidePost,
    add_category,
    change_category,
    close_post,
    create_post,
    hide_post,
)
from timebank.offers.categories import CATEGORIES_MAX
from timebank.offers.errors import CategoriesTooMany, PostKindUnknown
from timebank.people.callers import Caller

from .conftest import World
from .db_snapshot import snapshot

FOUND_KEYS = {
    "id",
    "kind",
    "member_id",
    "member_name",
    "last_took_part_on",
    "category_id",
    "category_name",
    "title",
    "description",
    "area",
    "availability",
    "expires_on",
    "created_at",
}
IN_30_DAYS = (utc_now().date() + timedelta(days=30)).isoformat()


def coordinator(world: World) -> Caller:
    return Caller.coordinator_of(world.timebank_id)


def gardening(world: World) -> int:
    return category_id_named(world.engine, world.timebank_id, "Gardening")


def member_post(world: World, **fields: Any) -> int:
    return post_for(world.engine, world.timebank_id, world.member_ids["member"], **fields).post_id


def test_search_names_the_member_and_never_how_to_reach_them(world: World) -> None:
    set_email(
        world.engine,
        world.timebank_id,
        coordinator(world),
        world.member_ids["member"],
        SetEmail(email="member@riverside.example"),
    )
    made = member_post(world, title="Café visits", description="A chat over coffee")

    answer = world.client.get(
        world.url("/posts"), params={"q": "CAFE"}, headers=world.headers["other_member"]
    )

    assert answer.status_code == 200, answer.text
    (found,) = answer.json()["posts"]
    assert set(found) == FOUND_KEYS
    assert (found["id"], found["member_name"], found["last_took_part_on"]) == (made, "Member", None)
    assert "riverside.example" not in answer.text
    assert world.usernames["member"] not in answer.text


def test_search_pages_with_its_own_cursor_and_filters_by_kind_and_category(world: World) -> None:
    made = [member_post(world, title=f"Garden job {n}") for n in range(3)]
    request = member_post(world, title="Garden tools wanted", kind="request", category="Other")  # type: ignore[arg-type]
    seen: list[int] = []
    params: dict[str, Any] = {"q": "garden", "limit": 2, "kind": "offer", "category": gardening(world)}
    while True:
        page = world.client.get(world.url("/posts"), params=params, headers=world.headers["member"]).json()
        seen += [post["id"] for post in page["posts"]]
        if page["next_cursor"] is None:
            break
        params["cursor"] = page["next_cursor"]

    assert sorted(seen) == sorted(made)
    assert request not in seen


def test_an_exchange_recorded_from_a_post_answers_and_keeps_the_link(world: World) -> None:
    post_id = member_post(world)
    body = {
        "giver_account_id": world.account_ids["member"],
        "receivers": [{"account_id": world.account_ids["other_member"], "minutes": 60}],
        "activity_date": utc_now().date().isoformat(),
        "description": "Weeding",
        "post_id": post_id,
    }
    headers = {**world.headers["coordinator"], "Idempotency-Key": uuid.uuid4().hex}

    recorded = world.client.post(world.url("/exchanges"), json=body, headers=headers)

    assert recorded.status_code == 201, recorded.text
    assert recorded.json()["post_id"] == post_id
    read = world.client.get(world.url(f"/exchanges/{recorded.json()['id']}"), headers=world.headers["member"])
    assert read.json()["post_id"] == post_id
    report = world.client.get(world.url("/reports/offers"), headers=world.headers["coordinator"]).json()
    assert report["hours_by_category"] == [{"category": "Gardening", "minutes": 60, "exchanges": 1}]


def test_a_member_records_from_a_post_only_as_its_page_allows_and_a_coordinator_links_any(
    world: World,
) -> None:
    """Over the API as on the page: someone else's post, not hidden, open and not ended. A hidden
    post of another is not there at all; a coordinator links an exchange to any post after the fact."""

    def record(who: str, post_id: int) -> Response:
        body = {
            "giver_account_id": world.account_ids["member"],
            "receivers": [{"account_id": world.account_ids["other_member"], "minutes": 30}],
            "activity_date": utc_now().date().isoformat(),
            "description": "Weeding",
            "post_id": post_id,
        }
        headers = {**world.headers[who], "Idempotency-Key": uuid.uuid4().hex}
        return world.client.post(world.url("/exchanges"), json=body, headers=headers)

    own, hidden, closed = member_post(world), _hidden(world), _closed_and_expired(world)

    def recorded() -> dict[str, Any]:
        # A refusal for the state a keyed write met (the post closed) is kept under its key, for
        # its replay (timebank.exchanges.idempotency): everything else is as it was.
        taken = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])
        return {table: rows for table, rows in taken.items() if not table.startswith("idempotency_keys")}

    before = recorded()

    refused = {
        "own": record("member", own),
        "hidden": record("other_member", hidden),
        "closed": record("other_member", closed),
    }

    assert {what: (r.status_code, r.json()["code"]) for what, r in refused.items()} == {
        "own": (422, "post_is_your_own"),
        "hidden": (404, "post_not_found"),
        "closed": (409, "post_not_open"),
    }
    assert recorded() == before
    answered = record("other_member", own)
    linked = record("coordinator", closed)
    assert (answered.status_code, linked.status_code) == (201, 201), (answered.text, linked.text)
    assert linked.json()["post_id"] == closed


# --- every refusal, nothing changed --------------------------------------------------------------

Act = Callable[[World, Any], Response]


@dataclass(frozen=True)
class Row:
    code: str
    status: int
    act: Act
    arrange: Callable[[World], Any] = lambda world: None


def _send(world: World, method: str, path: str, role: str = "coordinator", **kwargs: Any) -> Response:
    return world.client.request(method, world.url(path), headers=world.headers[role], **kwargs)


def _new_post(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "offer",
        "category_id": gardening(world),
        "title": "Help in the garden",
        "description": "Weeding",
        "expires_on": IN_30_DAYS,
    } | fields


def _retired(world: World) -> int:
    category = add_category(world.engine, world.timebank_id, coordinator(world), AddCategory(name="Old"))
    change_category(
        world.engine,
        world.timebank_id,
        coordinator(world),
        category.category_id,
        ChangeCategory(retired=True),
    )
    return category.category_id


def _hidden(world: World) -> int:
    post_id = member_post(world)
    hide_post(world.engine, world.timebank_id, coordinator(world), post_id, HidePost(reason="Asks for money"))
    return post_id


def _closed_and_expired(world: World) -> int:
    post_id = member_post(world)
    close_post(world.engine, world.timebank_id, coordinator(world), post_id)
    expire(world.engine, post_id)
    return post_id


def _exchange_with(world: World, post_id: int) -> Response:
    body = {
        "giver_account_id": world.account_ids["other_member"],
        "receivers": [{"account_id": world.account_ids["coordinator"], "minutes": 30}],
        "activity_date": utc_now().date().isoformat(),
        "description": "Not the poster's",
        "post_id": post_id,
    }
    headers = {**world.headers["coordinator"], "Idempotency-Key": uuid.uuid4().hex}
    return world.client.post(world.url("/exchanges"), json=body, headers=headers)


ROWS = [
    Row(
        "category_not_found",
        404,
        lambda w, a: _send(w, "PATCH", "/categories/999999999", json={"retired": True}),
    ),
    Row(
        "category_name_taken",
        409,
        lambda w, a: _send(w, "POST", "/categories", json={"name": "GARDENING"}),
    ),
    Row(
        "category_retired",
        409,
        lambda w, retired: _send(w, "POST", "/posts", "member", json=_new_post(w, category_id=retired)),
        _retired,
    ),
    Row("post_not_found", 404, lambda w, a: _send(w, "GET", "/posts/999999999", "member")),
    Row(
        "post_expiry_out_of_range",
        422,
        lambda w, a: _send(w, "POST", "/posts", "member", json=_new_post(w, expires_on="2024-01-01")),
    ),
    Row(
        "post_text_required",
        422,
        lambda w, a: _send(w, "POST", "/posts", "member", json=_new_post(w, title="  ")),
    ),
    Row(
        "search_text_too_long", 422, lambda w, a: _send(w, "GET", "/posts", "member", params={"q": "x" * 201})
    ),
    Row(
        "search_words_too_many",
        422,
        lambda w, a: _send(w, "GET", "/posts", "member", params={"q": "a b c d e f g h i"}),
    ),
    Row("post_member_not_in_exchange", 422, lambda w, post: _exchange_with(w, post), member_post),
    Row(
        "post_hidden",
        409,
        lambda w, post: _send(w, "PATCH", f"/posts/{post}", "member", json={"title": "Mine"}),
        _hidden,
    ),
    Row(
        "post_already_hidden",
        409,
        lambda w, post: _send(w, "POST", f"/posts/{post}/hide", json={"reason": "x"}),
        _hidden,
    ),
    Row("post_not_hidden", 409, lambda w, post: _send(w, "POST", f"/posts/{post}/show"), member_post),
    Row(
        "post_expired",
        409,
        lambda w, post: _send(w, "POST", f"/posts/{post}/reopen", "member"),
        _closed_and_expired,
    ),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.code)
def test_each_offer_refusal_over_http_changes_nothing(world: World, row: Row) -> None:
    arranged = row.arrange(world)
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])

    response = row.act(world, arranged)

    assert response.status_code == row.status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["code"] == row.code
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before


def _services_only(world: World, error: type[TimebankError], attempt: Callable[[], Any]) -> None:
    before = snapshot(world.engine, [world.timebank_id])
    with pytest.raises(error):
        attempt()
    assert snapshot(world.engine, [world.timebank_id]) == before


def test_a_kind_that_is_neither_offer_nor_request_is_refused_by_the_service(world: World) -> None:
    # Over HTTP the schema refuses it first (request_invalid); a page or the command line reach the rule.
    request = CreatePost.model_construct(
        **(_new_post(world, kind="gift") | {"expires_on": utc_now().date(), "member_id": None})
    )
    member = Caller.holder_of(
        world.timebank_id, world.account_ids["member"], "test:member", world.member_ids["member"]
    )
    _services_only(
        world, PostKindUnknown, lambda: create_post(world.engine, world.timebank_id, member, request)
    )


def test_a_timebank_holds_a_bounded_number_of_categories(world: World) -> None:
    caller = coordinator(world)
    existing = len(
        world.client.get(world.url("/categories"), headers=world.headers["member"]).json()["categories"]
    )
    for n in range(CATEGORIES_MAX - existing):
        add_category(world.engine, world.timebank_id, caller, AddCategory(name=f"Kind {n}"))

    _services_only(
        world,
        CategoriesTooMany,
        lambda: add_category(world.engine, world.timebank_id, caller, AddCategory(name="One more")),
    )
    refused = _send(world, "POST", "/categories", json={"name": "One more"})
    assert (refused.status_code, refused.json()["code"]) == (409, "categories_too_many")


def test_the_rows_name_every_offer_code() -> None:
    met_by_services = {"post_kind_unknown", "categories_too_many"}
    assert {row.code for row in ROWS} | met_by_services == OFFER_CODES


def test_nothing_new_is_posted_for_a_member_whose_membership_has_ended(world: World) -> None:
    member_id = world.member_ids["other_member"]
    end_membership(world.engine, world.timebank_id, coordinator(world), member_id, utc_now().date())
    before = snapshot(world.engine, [world.timebank_id, world.other_timebank_id])

    response = _send(world, "POST", "/posts", json=_new_post(world, member_id=member_id))

    assert response.status_code == 409, response.text
    assert response.json()["code"] == "membership_ended"
    assert snapshot(world.engine, [world.timebank_id, world.other_timebank_id]) == before
