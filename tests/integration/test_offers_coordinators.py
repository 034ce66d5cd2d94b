"""What coordinators are given for offers and requests, on SQLite and PostgreSQL.

The categories as coordinators manage them count, for each, the posts members can find today (open,
unexpired, unhidden, of this timebank): a closed, hidden or expired post, or another timebank's, is
not counted. Only coordinators read them. A member whose membership has ended gets no new post, from
a coordinator or anyone, and the refusal is named for that rule and changes nothing; nor is
counted by the offers report among the members with no open offer.
"""

from __future__ import annotations

from sqlalchemy import Engine

from tests.integration.test_offers import refused
from tests.offer_calls import expire, make_offer_world
from tests.people_calls import end_membership
from timebank.clock import utc_now
from timebank.ledger.errors import CoordinatorRequired, MembershipEnded
from timebank.offers import PostKind, create_post, list_category_uses, offers_report


def test_each_category_counts_only_the_posts_members_can_find_today(engine: Engine) -> None:
    world = make_offer_world(engine)
    elsewhere = make_offer_world(engine)
    found = world.post("Ann")
    world.post("Bo", kind=PostKind.REQUEST, category="Lifts", title="A lift to the clinic")
    world.close(world.post("Ann", title="Mowing").post_id)
    world.hide(world.post("Bo", title="Pruning").post_id)
    expire(engine, world.post("Cy", title="Hedges").post_id)
    elsewhere.post("Ann")

    uses = list_category_uses(engine, world.timebank_id, world.coordinator).categories

    counts = {category.name: category.open_posts for category in uses}
    assert counts["Gardening"] == 1
    assert counts["Lifts"] == 1
    assert sum(counts.values()) == 2
    assert [c.category_id for c in uses] == list(world.categories.values())
    assert found.category_id == world.categories["Gardening"]
    ann = world.member("Ann")
    refused(world, CoordinatorRequired, lambda: list_category_uses(engine, world.timebank_id, ann))


def test_no_new_post_for_a_member_whose_membership_has_ended(engine: Engine) -> None:
    world = make_offer_world(engine)
    tb, coordinator = world.timebank_id, world.coordinator
    bo = world.member("Bo")
    assert bo.member_id is not None
    end_membership(engine, tb, coordinator, bo.member_id, utc_now().date())

    by_coordinator = refused(
        world,
        MembershipEnded,
        lambda: create_post(engine, tb, coordinator, world.request(coordinator, member_id=bo.member_id)),
    )
    refused(world, MembershipEnded, lambda: create_post(engine, tb, bo, world.request(bo)))

    assert by_coordinator.code == "membership_ended"
    assert "Bo's membership has ended" in by_coordinator.detail


def test_the_report_counts_only_current_members_among_those_with_no_open_offer(engine: Engine) -> None:
    world = make_offer_world(engine)
    world.post("Ann")
    bo = world.member("Bo")
    assert bo.member_id is not None
    before = offers_report(engine, world.timebank_id, world.coordinator)

    end_membership(engine, world.timebank_id, world.coordinator, bo.member_id, utc_now().date())
    after = offers_report(engine, world.timebank_id, world.coordinator)

    assert (before.members, before.members_with_no_offer) == (3, 2)
    assert (after.members, after.members_with_no_offer) == (2, 1)
