"""Offers and requests through the services, on SQLite and PostgreSQL (DESIGN §10).

A new timebank has the default categories; coordinators add, rename and retire them, and names are
one whatever their case or accents. Members post their own offers and requests and coordinators
post for them; either changes, closes and reopens them. Search finds exactly the open, unexpired,
visible posts of the timebank that hold every word (case and accents aside, the last word as the
start of one), best match first, page by page, and names the member and when they last took part;
words that look like the search engine's own syntax are only words. A coordinator hides a post with
a reason: it is audited without the reason, other members no longer see it, its member does, with
the reason. An exchange may be recorded from a post whose member takes part in it, and keeps the
link. Coordinators see hours by category, members with no offer and requests waiting long. Every
refusal changes nothing. (The property test of search is in ``test_offer_search_properties``.)
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from tests.ledger_calls import record_exchange
from tests.offer_calls import OfferWorld, expire, make_offer_world, post_for
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.offer_tables import DEFAULT_CATEGORIES, categories, posts
from timebank.db.tables import exchanges
from timebank.errors import CategoryNotFound, PostNotFound, TimebankError, TimebankNotFound
from timebank.exchanges.lifecycle import record_exchange as record_exchange_request
from timebank.exchanges.requests import RecordExchange
from timebank.involvement.audit import read_audit_log
from timebank.ledger.errors import CoordinatorRequired
from timebank.ledger.types import Actor, ReceiverShare
from timebank.offers import (
    AddCategory,
    ChangeCategory,
    ChangePost,
    HidePost,
    PostKind,
    add_category,
    change_category,
    change_post,
    close_post,
    create_post,
    hide_post,
    list_categories,
    list_member_posts,
    offers_report,
    read_post,
    reopen_post,
    show_post,
)
from timebank.offers.errors import (
    CategoryNameTaken,
    CategoryRetired,
    PostAlreadyHidden,
    PostExpired,
    PostExpiryOutOfRange,
    PostHidden,
    PostMemberNotInExchange,
    PostNotHidden,
    PostTextRequired,
    SearchTextTooLong,
    SearchWordsTooMany,
)
from timebank.offers.words import name_key, search_words
from timebank.paging import CursorInvalid
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired

TODAY = utc_now().date()


def _rows(engine: Engine, timebank_id: int) -> dict[str, Any]:
    """Every category and post row of the timebank, and the exchanges' count: what a refusal keeps."""
    with engine.connect() as connection:
        found: dict[str, Any] = {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(table).where(table.c.timebank_id == timebank_id).order_by(table.c.id)
                )
            ]
            for name, table in (("categories", categories), ("posts", posts))
        }
        found["exchanges"] = connection.execute(
            select(func.count()).select_from(exchanges).where(exchanges.c.timebank_id == timebank_id)
        ).scalar_one()
    return found


def refused(world: OfferWorld, error: type[TimebankError], attempt: Any) -> TimebankError:
    """Run ``attempt``; it must raise ``error`` and leave every row of the timebank as it was."""
    before = _rows(world.engine, world.timebank_id)
    with pytest.raises(error) as raised:
        attempt()
    assert _rows(world.engine, world.timebank_id) == before
    return raised.value


# --- categories ------------------------------------------------------------------------------------


def test_a_new_timebank_has_the_default_categories(engine: Engine) -> None:
    world = make_offer_world(engine, names=())

    listed = list_categories(engine, world.timebank_id, world.coordinator)

    assert sorted(c.name for c in listed.categories) == sorted(name for name, _ in DEFAULT_CATEGORIES)
    assert not any(c.retired for c in listed.categories)
    # Storage keeps each default name's key as the use cases fold names.
    assert all(key == name_key(name) for name, key in DEFAULT_CATEGORIES)


def test_coordinators_add_rename_retire_and_restore_categories(engine: Engine) -> None:
    world = make_offer_world(engine, names=("Ann",))
    tb, coordinator = world.timebank_id, world.coordinator

    dogs = add_category(engine, tb, coordinator, AddCategory(name="  Dog   walking "))
    renamed = change_category(engine, tb, coordinator, dogs.category_id, ChangeCategory(name="Pets"))
    retired = change_category(engine, tb, coordinator, dogs.category_id, ChangeCategory(retired=True))
    restored = change_category(engine, tb, coordinator, dogs.category_id, ChangeCategory(retired=False))

    assert dogs.name == "Dog walking"
    assert (renamed.name, renamed.retired) == ("Pets", False)
    assert retired.retired
    assert not restored.retired
    assert "Pets" in [c.name for c in list_categories(engine, tb, world.member("Ann")).categories]


def test_a_category_name_is_taken_whatever_its_case_or_accents(engine: Engine) -> None:
    world = make_offer_world(engine, names=())
    tb, coordinator = world.timebank_id, world.coordinator
    add_category(engine, tb, coordinator, AddCategory(name="Café"))

    for name in ("gardening", "GARDENING", "cafe", "CAFÉ"):
        refused(
            world,
            CategoryNameTaken,
            lambda n=name: add_category(engine, tb, coordinator, AddCategory(name=n)),
        )
    lifts = world.categories["Lifts"]
    refused(
        world,
        CategoryNameTaken,
        lambda: change_category(engine, tb, coordinator, lifts, ChangeCategory(name="gardening")),
    )
    # Renaming a category to its own name in other letters is no clash.
    assert change_category(engine, tb, coordinator, lifts, ChangeCategory(name="LIFTS")).name == "LIFTS"


def test_only_coordinators_manage_categories_and_no_one_elsewhere_sees_them(engine: Engine) -> None:
    world = make_offer_world(engine, names=("Ann",))
    other = make_offer_world(engine, names=())
    tb, ann = world.timebank_id, world.member("Ann")

    refused(world, CoordinatorRequired, lambda: add_category(engine, tb, ann, AddCategory(name="Pets")))
    lifts = world.categories["Lifts"]
    refused(
        world,
        CoordinatorRequired,
        lambda: change_category(engine, tb, ann, lifts, ChangeCategory(retired=True)),
    )
    far = other.categories["Lifts"]
    refused(
        world, CategoryNotFound, lambda: change_category(engine, tb, ann, far, ChangeCategory(retired=True))
    )
    refused(world, TimebankNotFound, lambda: list_categories(engine, other.timebank_id, ann))
    refused(
        world, PostTextRequired, lambda: add_category(engine, tb, world.coordinator, AddCategory(name="?!"))
    )


# --- posts -----------------------------------------------------------------------------------------


def test_a_member_posts_their_own_and_a_coordinator_posts_for_a_member(engine: Engine) -> None:
    world = make_offer_world(engine)
    ann, bo = world.member("Ann"), world.member("Bo")

    own = create_post(engine, world.timebank_id, ann, world.request(ann, area=" Riverside ", availability=""))
    assert bo.member_id is not None
    for_bo = create_post(
        engine,
        world.timebank_id,
        world.coordinator,
        world.request(world.coordinator, kind=PostKind.REQUEST, category="Lifts", member_id=bo.member_id),
    )

    assert (own.member_id, own.member_name, own.kind, own.status) == (
        ann.member_id,
        "Ann",
        PostKind.OFFER,
        "open",
    )
    assert (own.area, own.availability, own.category_name) == ("Riverside", None, "Gardening")
    assert (for_bo.member_id, for_bo.kind, for_bo.category_name) == (bo.member_id, PostKind.REQUEST, "Lifts")
    assert not own.hidden and not own.expired
    mine = list_member_posts(engine, world.timebank_id, ann, ann.member_id or 0)
    assert [p.post_id for p in mine.posts] == [own.post_id]


def test_a_member_cannot_post_for_someone_else_nor_into_a_retired_category(engine: Engine) -> None:
    world = make_offer_world(engine)
    ann, bo = world.member("Ann"), world.member("Bo")
    tb = world.timebank_id
    assert bo.member_id is not None

    refused(
        world,
        SelfOrCoordinatorRequired,
        lambda: create_post(engine, tb, ann, world.request(ann, member_id=bo.member_id)),
    )
    change_category(engine, tb, world.coordinator, world.categories["Lifts"], ChangeCategory(retired=True))
    refused(
        world, CategoryRetired, lambda: create_post(engine, tb, ann, world.request(ann, category="Lifts"))
    )
    for days in (-1, 367):
        expires_on = TODAY + timedelta(days=days)
        refused(
            world,
            PostExpiryOutOfRange,
            lambda e=expires_on: create_post(engine, tb, ann, world.request(ann, expires_on=e)),
        )
    refused(world, PostTextRequired, lambda: create_post(engine, tb, ann, world.request(ann, title="   ")))
    # An organisation's API key is nobody's member: it names one, as a coordinator would, or is refused.
    key = Caller("api_key:1", False, tb, None, None, False, frozenset({1}))
    refused(world, SelfOrCoordinatorRequired, lambda: create_post(engine, tb, key, world.request(key)))


def test_the_member_changes_closes_and_reopens_their_post_and_others_may_not(engine: Engine) -> None:
    world = make_offer_world(engine)
    ann, bo = world.member("Ann"), world.member("Bo")
    tb = world.timebank_id
    post = world.post("Ann", area="Riverside")

    changed = change_post(
        engine,
        tb,
        ann,
        post.post_id,
        ChangePost(title="Hedge trimming", area=None, category_id=world.categories["DIY and repairs"]),
    )
    assert (changed.title, changed.area, changed.category_name) == ("Hedge trimming", None, "DIY and repairs")
    assert changed.description == post.description  # not sent, so kept
    assert world.found_ids(words="hedge") == [post.post_id]
    assert world.found_ids(words="riverside") == []  # the area went with the change

    refused(
        world,
        SelfOrCoordinatorRequired,
        lambda: change_post(engine, tb, bo, post.post_id, ChangePost(title="Mine")),
    )
    refused(world, SelfOrCoordinatorRequired, lambda: close_post(engine, tb, bo, post.post_id))

    closed = close_post(engine, tb, ann, post.post_id)
    assert closed.status == "closed"
    assert close_post(engine, tb, ann, post.post_id).status == "closed"  # twice is no error
    assert world.found_ids(words="hedge") == []
    assert reopen_post(engine, tb, ann, post.post_id).status == "open"
    assert world.found_ids(words="hedge") == [post.post_id]


def test_an_expired_post_is_not_found_and_reopens_only_with_a_new_expiry(engine: Engine) -> None:
    world = make_offer_world(engine)
    ann, tb = world.member("Ann"), world.timebank_id
    post = world.post("Ann")
    world.close(post.post_id)
    expire(engine, post.post_id)

    assert read_post(engine, tb, ann, post.post_id).expired
    refused(world, PostExpired, lambda: reopen_post(engine, tb, ann, post.post_id))
    change_post(engine, tb, ann, post.post_id, ChangePost(expires_on=TODAY))
    assert reopen_post(engine, tb, ann, post.post_id).status == "open"
    assert world.found_ids(words="garden") == [post.post_id]  # findable through its expiry day
    expire(engine, post.post_id)
    assert world.found_ids(words="garden") == []
    assert world.found_ids() == []


# --- moderation ------------------------------------------------------------------------------------


def test_a_hidden_post_is_audited_without_its_reason_and_seen_only_by_its_member_and_coordinators(
    engine: Engine,
) -> None:
    world = make_offer_world(engine)
    ann, bo = world.member("Ann"), world.member("Bo")
    tb = world.timebank_id
    post = world.post("Ann", title="Cheap lifts for cash")

    hidden = hide_post(
        engine, tb, world.coordinator, post.post_id, HidePost(reason="Asks for money in return")
    )

    assert (hidden.hidden, hidden.hidden_reason) == (True, "Asks for money in return")
    assert world.found_ids(words="lifts") == []
    assert world.found_ids() == []
    assert read_post(engine, tb, ann, post.post_id).hidden_reason == "Asks for money in return"
    refused(world, PostNotFound, lambda: read_post(engine, tb, bo, post.post_id))
    refused(world, PostHidden, lambda: change_post(engine, tb, ann, post.post_id, ChangePost(title="Lifts")))
    refused(world, PostAlreadyHidden, lambda: world.hide(post.post_id))
    refused(world, CoordinatorRequired, lambda: show_post(engine, tb, ann, post.post_id))
    assert close_post(engine, tb, ann, post.post_id).status == "closed"  # the member may still close it
    refused(world, PostHidden, lambda: reopen_post(engine, tb, ann, post.post_id))

    shown = show_post(engine, tb, world.coordinator, post.post_id)
    assert (shown.hidden, shown.hidden_reason) == (False, None)
    refused(world, PostNotHidden, lambda: show_post(engine, tb, world.coordinator, post.post_id))
    entries = read_audit_log(engine, tb, world.coordinator, account_id=ann.account_id).entries
    assert [(e.action, e.details) for e in entries] == [
        ("post_hidden", {"post_id": post.post_id}),
        ("post_shown", {"post_id": post.post_id}),
    ]


def test_only_a_coordinator_hides_a_post(engine: Engine) -> None:
    world = make_offer_world(engine)
    post = world.post("Ann")
    bo = world.member("Bo")

    refused(
        world,
        CoordinatorRequired,
        lambda: hide_post(engine, world.timebank_id, bo, post.post_id, HidePost(reason="I do not like it")),
    )
    assert read_audit_log(engine, world.timebank_id, world.coordinator).entries == ()


# --- search ----------------------------------------------------------------------------------------


def test_search_ignores_case_and_accents_and_takes_the_last_word_as_a_start(engine: Engine) -> None:
    world = make_offer_world(engine)
    cafe = world.post("Ann", title="Café visits", description="A chat over coffee, Zoë or Straße")
    world.post("Bo", title="Lift to the hospital", kind=PostKind.REQUEST, category="Lifts")

    assert world.found_ids(words="CAFE") == [cafe.post_id]
    assert world.found_ids(words="zoe strasse") == [cafe.post_id]
    assert world.found_ids(words="chat cof") == [cafe.post_id]  # "cof" starts "coffee"
    assert world.found_ids(words="cof chat") == []  # only the last word is a start
    assert world.found_ids(words="riverside") != []  # the area is searched too


def test_words_that_look_like_search_syntax_are_only_words(engine: Engine) -> None:
    world = make_offer_world(engine)
    post = world.post("Ann", title="Knitting OR crochet", description="NEAR the park, NOT on Sundays")

    for words in (
        '"',
        "*",
        "knitting OR",
        "knit*",
        "NEAR(",
        "title:knitting",
        "-crochet",
        "^knit",
        "'; drop",
    ):
        world.found_ids(words=words)  # never a syntax error
    assert world.found_ids(words="knitting or crochet") == [post.post_id]
    assert world.found_ids(words="near not") == [post.post_id]
    assert world.found_ids(words="knitting AND sewing") == []


def test_search_bounds_its_words_and_refuses_cursors_it_did_not_give(engine: Engine) -> None:
    world = make_offer_world(engine)

    with pytest.raises(SearchTextTooLong):
        world.search(words="a" * 201)
    with pytest.raises(SearchWordsTooMany):
        world.search(words="one two three four five six seven eight nine")
    assert world.search(words="!!! ???").posts == ()  # no words: every open post, and there are none
    with pytest.raises(CursorInvalid):
        world.search(words="garden", cursor="bm90IGEgY3Vyc29y")


def test_results_page_in_a_stable_order_best_match_first(engine: Engine) -> None:
    world = make_offer_world(engine)
    made = [world.post("Ann", title=f"Garden job {n}", description="garden " * (n % 3 + 1)) for n in range(7)]
    world.post("Bo", title="Ironing", description="Shirts")

    paged = world.found_ids(words="garden", limit=2)
    whole = world.found_ids(words="garden", limit=200)

    assert paged == whole
    assert sorted(paged) == sorted(p.post_id for p in made)
    assert world.found_ids(limit=3)[0] > world.found_ids(limit=3)[-1]  # browsing: newest first


def test_results_name_the_member_and_when_they_last_took_part(engine: Engine) -> None:
    world = make_offer_world(engine)
    ann, bo = world.member("Ann"), world.member("Bo")
    world.post("Ann")
    coordinator = Actor("test:coordinator", None, is_coordinator=True)
    for day, minutes in ((date(2024, 5, 1), 60), (date(2024, 6, 2), 30)):
        assert ann.account_id is not None and bo.account_id is not None
        record_exchange(
            engine,
            world.timebank_id,
            coordinator,
            bo.account_id,
            [ReceiverShare(ann.account_id, minutes)],
            day,
            "help",
        )

    (found,) = world.search(words="garden").posts

    assert (found.member_name, found.last_took_part_on) == ("Ann", date(2024, 6, 2))
    assert "email" not in found.model_dump()


def test_another_timebanks_posts_never_appear(engine: Engine) -> None:
    world = make_offer_world(engine)
    other = make_offer_world(engine)
    other.post("Ann", title="Garden help elsewhere")
    here = world.post("Ann")

    assert world.found_ids(words="garden") == [here.post_id]
    assert world.found_ids() == [here.post_id]
    far = other.categories["Gardening"]
    with pytest.raises(CategoryNotFound):
        world.search(category_id=far)
    with pytest.raises(TimebankNotFound):
        world.search(world.member("Ann") and other.member("Ann"), words="garden")


# --- exchanges from posts, and the coordinators' report -------------------------------------------


def exchange_from(world: OfferWorld, post_id: int, giver: str, receiver: str, minutes: int = 60) -> Any:
    giver_id, receiver_id = world.member(giver).account_id, world.member(receiver).account_id
    assert giver_id is not None and receiver_id is not None
    request = RecordExchange(
        giver_account_id=giver_id,
        receivers=[{"account_id": receiver_id, "minutes": minutes}],  # type: ignore[list-item]
        activity_date=TODAY,
        description="From the post",
        post_id=post_id,
    )
    return record_exchange_request(world.engine, world.timebank_id, world.coordinator, request)


def test_an_exchange_from_a_post_keeps_the_link_and_its_member_must_take_part(engine: Engine) -> None:
    world = make_offer_world(engine)
    other = make_offer_world(engine)
    post = world.post("Ann")

    recorded = exchange_from(world, post.post_id, "Ann", "Bo")

    assert recorded.post_id == post.post_id
    refused(world, PostMemberNotInExchange, lambda: exchange_from(world, post.post_id, "Bo", "Cy"))
    far = other.post("Ann")
    refused(world, PostNotFound, lambda: exchange_from(world, far.post_id, "Ann", "Bo"))


def test_the_report_counts_hours_by_category_members_with_no_offer_and_waiting_requests(
    engine: Engine,
) -> None:
    world = make_offer_world(engine)
    garden = world.post("Ann")
    lift = world.post("Bo", kind=PostKind.REQUEST, category="Lifts", title="Lift to the clinic")
    exchange_from(world, garden.post_id, "Ann", "Cy", 90)
    exchange_from(world, lift.post_id, "Cy", "Bo", 30)
    coordinator = Actor("test:coordinator", None, is_coordinator=True)
    ann, cy = world.member("Ann").account_id, world.member("Cy").account_id
    assert ann is not None and cy is not None
    record_exchange(
        engine,
        world.timebank_id,
        coordinator,
        cy,
        [ReceiverShare(ann, 45)],
        TODAY,
        "Shopping",
        category="shopping",
    )
    record_exchange(engine, world.timebank_id, coordinator, cy, [ReceiverShare(ann, 15)], TODAY, "Chat")

    report = offers_report(engine, world.timebank_id, world.coordinator, open_days=0)

    assert [(h.category, h.minutes, h.exchanges) for h in report.hours_by_category] == [
        ("Gardening", 90, 1),
        ("shopping", 45, 1),
        ("Lifts", 30, 1),
        ("", 15, 1),
    ]
    assert (report.members, report.members_with_no_offer) == (3, 2)
    assert [r.post_id for r in report.requests_open_longer] == [lift.post_id]
    assert (
        offers_report(engine, world.timebank_id, world.coordinator, open_days=30).requests_open_longer == ()
    )
    with pytest.raises(CoordinatorRequired):
        offers_report(engine, world.timebank_id, world.member("Ann"))


def test_an_exchange_without_a_post_replays_as_before(engine: Engine) -> None:
    # Keys used before posts existed compare their requests without a post: a replay still matches.
    world = make_offer_world(engine)
    ann, bo = world.member("Ann").account_id, world.member("Bo").account_id
    assert ann is not None and bo is not None
    request = RecordExchange(
        giver_account_id=ann,
        receivers=[{"account_id": bo, "minutes": 30}],  # type: ignore[list-item]
        activity_date=TODAY,
        description="Help",
    )
    first = record_exchange_request(
        engine, world.timebank_id, world.coordinator, request, idempotency_key="k1"
    )
    again = record_exchange_request(
        engine, world.timebank_id, world.coordinator, request, idempotency_key="k1"
    )

    assert first == again
    assert first.post_id is None
    assert (
        run(engine, lambda uow: uow.exchanges.get(world.timebank_id, first.exchange_id), write=False).post_id
        is None
    )


def test_post_for_makes_a_post_in_any_timebank(engine: Engine) -> None:
    world = make_offer_world(engine)
    bo = world.member("Bo").member_id
    assert bo is not None

    made = post_for(engine, world.timebank_id, bo, title="Dog walking", category="Other")

    assert (made.member_name, made.category_name) == ("Bo", "Other")


def test_search_ranks_only_the_newest_matching_findable_posts_up_to_its_bound(engine: Engine) -> None:
    # The use case ranks the newest 500 matches; the bound is the repository's, tried here small.
    world = make_offer_world(engine)
    other = make_offer_world(engine)
    made = [world.post("Ann", title="Garden " + "garden " * n).post_id for n in range(5)]
    world.close(made[-1])  # the newest is not findable, so it is not counted
    other.post("Ann", title="Garden elsewhere")  # newer still, in another timebank
    world.post("Bo", title="Ironing")
    words = search_words("garden")
    assert words is not None

    def ranked(candidates_max: int) -> list[int]:
        found = run(
            engine,
            lambda uow: uow.offers.search(
                world.timebank_id,
                TODAY,
                fts5_query=words.fts5(),
                tsquery=words.tsquery(),
                kind=None,
                category_id=None,
                candidates_max=candidates_max,
                offset=0,
                limit=10,
            ),
            write=False,
        )
        return [post.post_id for post in found]

    assert sorted(ranked(3)) == sorted(made[1:4])
    assert sorted(ranked(100)) == sorted(made[:4])
    # Ranked best first: the post that says "garden" most often leads.
    assert ranked(100)[0] == made[3]
