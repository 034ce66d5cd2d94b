"""Ending a membership through the services, on SQLite and PostgreSQL (issue 18, DESIGN §9).

Each test builds a forum of its own (``make_forum``: three members, the Library and its clerk, the
pot). What an ending does: the account closes and keeps its balance, or the timebank's setting moves
it to the pot in one ``membership_end`` transaction (the pot covering a balance below zero, in as
many transfers as the ledger's ceiling on one transfer needs); waiting exchanges are cancelled and
say why; the coordinator role and staff links go; the audit log records it without the reason, which
stays on the member's record; a keyed request replays. What it refuses, each refusal changing
nothing (L5): every write that names the closed account afterwards (``membership_ended``: exchanges
recorded or waiting, gifts, grants, spends, attendance, invitations, reversals, imports, staff links,
the coordinator role), a second end, a day out of range, no reason, a pot too poor to cover, the last
coordinator. And the database's own last word: a closed account's counters never move.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, text, update
from sqlalchemy.exc import IntegrityError

from tests.api.db_snapshot import snapshot
from tests.conftest import STORY_BACKDATE_DAYS
from tests.involvement_calls import attendee, invite_members, record_attendance
from tests.ledger_calls import (
    give_credits,
    import_exchanges,
    record_exchange,
    reverse_exchange,
    reverse_transaction,
)
from tests.people_calls import (
    add_staff,
    change_settings,
    create_timebank,
    end_membership,
    get_account,
    get_timebank,
    statement,
    update_member,
)
from timebank.clock import utc_now
from timebank.db import run
from timebank.db.tables import accounts
from timebank.db.unit_of_work import ledger_error_for
from timebank.errors import TimebankError
from timebank.exchanges.errors import IdempotencyKeyReused, ImportRejected
from timebank.exchanges.imports import ImportRow
from timebank.involvement.audit import AuditAction
from timebank.ledger.errors import MembershipEnded, ReasonRequired
from timebank.ledger.rules import MINUTES_PER_TRANSFER_MAX
from timebank.ledger.types import Actor, BalanceOnLeaving, ClosedBecause, ExchangeStatus, ReceiverShare
from timebank.offers.categories import list_categories
from timebank.offers.posts import create_post, read_post
from timebank.offers.requests import CreatePost
from timebank.offers.search import search_posts
from timebank.people.callers import Caller
from timebank.people.errors import (
    LastCoordinatorRequired,
    MembershipAlreadyEnded,
    MembershipEndDateInFuture,
    MembershipEndDateTooEarly,
    MembershipEndDateTooFarBack,
    PotCannotCoverBalance,
)
from timebank.people.members import directory, get_member, list_members

from .helpers import check_invariants
from .involvement import Forum, make_forum

COORDINATOR = Actor("coordinator", None, True)


@dataclass
class Leaving:
    """A forum, its pot, and the three members by name: Ann, Bo and Cy."""

    forum: Forum
    pot: int

    @property
    def engine(self) -> Engine:
        return self.forum.engine

    @property
    def tb(self) -> int:
        return self.forum.timebank_id

    @property
    def ann(self) -> int:
        return self.forum.members[0]

    @property
    def bo(self) -> int:
        return self.forum.members[1]

    @property
    def cy(self) -> int:
        return self.forum.members[2]

    def member_id(self, account_id: int) -> int:
        return self.forum.member_ids[account_id]

    def exchange(
        self, giver: int, receivers: dict[int, int], *, days_ago: int = 1, by: Actor = COORDINATOR
    ) -> Any:
        shares = [ReceiverShare(account, minutes) for account, minutes in receivers.items()]
        on = utc_now().date() - timedelta(days=days_ago)
        return record_exchange(self.engine, self.tb, by, giver, shares, on, "help in the garden")

    def end(self, account_id: int, *, days_ago: int = 0, reason: str = "Moved away", **keyed: Any) -> Any:
        on = utc_now().date() - timedelta(days=days_ago)
        return end_membership(
            self.engine, self.tb, self.forum.coordinator, self.member_id(account_id), on, reason, **keyed
        )

    def balance(self, account_id: int) -> int:
        return get_account(self.engine, self.tb, account_id).balance_minutes

    def closed(self, account_id: int) -> bool:
        return bool(run(self.engine, lambda uow: uow.accounts.get(self.tb, account_id).closed, write=False))

    def holder(self, account_id: int) -> Actor:
        return Actor(f"member:{account_id}", account_id)


def leaving(
    engine: Engine, balance_on_leaving: BalanceOnLeaving = BalanceOnLeaving.KEPT, **settings: Any
) -> Leaving:
    settings.setdefault("backdate_days_max", STORY_BACKDATE_DAYS)
    timebank = create_timebank(
        engine, f"Leaving {utc_now().timestamp()}", balance_on_leaving=balance_on_leaving, **settings
    )
    return Leaving(make_forum(engine, members=3, timebank_id=timebank.timebank_id), timebank.pot_account_id)


# --- what an ending does -------------------------------------------------------------------------


def test_where_balances_are_kept_the_account_closes_with_its_balance_and_the_reason_stays_on_the_record(
    engine: Engine,
) -> None:
    w = leaving(engine)
    w.exchange(w.ann, {w.bo: 90})

    ended = w.end(w.ann, reason="Moved to Leeds")

    assert (ended.balance_minutes, ended.transaction_id, ended.balance_on_leaving) == (90, None, "kept")
    assert w.balance(w.ann) == 90 and w.closed(w.ann) and not w.closed(w.bo)
    member = get_member(engine, w.tb, w.forum.coordinator, w.member_id(w.ann))
    assert member.membership_ended_on == utc_now().date()
    (entry,) = [e for e in w.forum.audit(w.ann) if e.action == AuditAction.MEMBERSHIP_ENDED]
    assert entry.details["ended_on"] == utc_now().date().isoformat()
    assert entry.details["balance_on_leaving"] == "kept" and entry.details["transaction_id"] is None
    assert "Leeds" not in str(entry.details)  # the reason is about a person: never in the audit log
    reason = run(
        engine, lambda uow: uow.members.get(w.tb, w.member_id(w.ann)).membership_end_reason, write=False
    )
    assert reason == "Moved to Leeds"
    assert check_invariants(engine, w.tb) == []


def test_where_balances_go_to_the_pot_credits_move_there_and_a_debt_is_covered_by_it(engine: Engine) -> None:
    w = leaving(engine, BalanceOnLeaving.TO_POT)
    w.exchange(w.ann, {w.bo: 90})  # Ann +90, Bo -90

    gave = w.end(w.ann)
    covered = w.end(w.bo)

    assert gave.balance_minutes == 90 and covered.balance_minutes == -90
    assert gave.transaction_id is not None and covered.transaction_id is not None
    assert (w.balance(w.ann), w.balance(w.bo), w.balance(w.pot)) == (0, 0, 0)
    lines = statement(engine, w.tb, w.ann).lines
    assert lines[0].description == "Balance moved to the community pot as the membership ended"
    assert statement(engine, w.tb, w.bo).lines[0].description.startswith("Balance below zero covered by")
    kinds = run(
        engine,
        lambda uow: (
            uow.connection.execute(
                text("SELECT kind FROM transactions WHERE timebank_id = :tb ORDER BY id"), {"tb": w.tb}
            )
            .scalars()
            .all()
        ),
        write=False,
    )
    assert list(kinds[-2:]) == ["membership_end", "membership_end"]
    assert check_invariants(engine, w.tb) == []


def test_a_balance_larger_than_one_transfer_moves_in_several(engine: Engine) -> None:
    w = leaving(
        engine,
        BalanceOnLeaving.TO_POT,
        minutes_per_transfer_max=MINUTES_PER_TRANSFER_MAX,
        default_member_floor_minutes=-2 * MINUTES_PER_TRANSFER_MAX,
    )
    w.exchange(w.ann, {w.bo: MINUTES_PER_TRANSFER_MAX, w.cy: 2000})

    ended = w.end(w.ann)

    assert ended.balance_minutes == MINUTES_PER_TRANSFER_MAX + 2000
    transfers = run(
        engine,
        lambda uow: (
            uow.connection.execute(
                text("SELECT minutes FROM transfers WHERE transaction_id = :t ORDER BY id"),
                {"t": ended.transaction_id},
            )
            .scalars()
            .all()
        ),
        write=False,
    )
    assert list(transfers) == [MINUTES_PER_TRANSFER_MAX, 2000]
    assert (w.balance(w.ann), w.balance(w.pot)) == (0, MINUTES_PER_TRANSFER_MAX + 2000)
    assert check_invariants(engine, w.tb) == []


def test_exchanges_waiting_for_or_recorded_by_the_member_are_cancelled_and_say_why(engine: Engine) -> None:
    w = leaving(engine)
    hers = w.exchange(w.ann, {w.bo: 30}, by=w.holder(w.ann))  # waits for Bo
    for_her = w.exchange(w.cy, {w.ann: 30}, by=w.holder(w.cy))  # waits for Ann
    others = w.exchange(w.bo, {w.cy: 30}, by=w.holder(w.bo))  # nothing to do with her

    ended = w.end(w.ann)

    assert set(ended.cancelled_exchange_ids) == {hers.exchange_id, for_her.exchange_id}
    for exchange_id in (hers.exchange_id, for_her.exchange_id):
        view = run(engine, lambda uow, i=exchange_id: uow.exchanges.get(w.tb, i), write=False)
        assert (view.status, view.closed_because) == (
            ExchangeStatus.CANCELLED,
            ClosedBecause.MEMBERSHIP_ENDED,
        )
    untouched = run(engine, lambda uow: uow.exchanges.get(w.tb, others.exchange_id), write=False)
    assert (untouched.status, untouched.closed_because) == (ExchangeStatus.PENDING, None)


def test_the_members_open_offers_and_requests_close_with_the_membership(engine: Engine) -> None:
    w = leaving(engine)
    coordinator = Caller.coordinator_of(w.tb)
    category = list_categories(engine, w.tb, coordinator).categories[0].category_id
    expires_on = utc_now().date() + timedelta(days=30)

    def post(account_id: int, title: str) -> int:
        request = CreatePost(
            kind="offer",
            category_id=category,
            title=title,
            description="Hems, buttons and zips",
            expires_on=expires_on,
            member_id=w.member_id(account_id),
        )
        return create_post(engine, w.tb, coordinator, request).post_id

    hers, theirs = post(w.ann, "Sewing and mending"), post(w.bo, "Sewing lessons")

    w.end(w.ann)

    found = search_posts(engine, w.tb, coordinator, words="sewing").posts
    assert [p.post_id for p in found] == [theirs]
    assert read_post(engine, w.tb, coordinator, hers).status == "closed"


def test_a_coordinator_who_leaves_loses_the_role_and_their_staff_links_but_the_last_one_cannot(
    engine: Engine,
) -> None:
    w = leaving(engine)
    clerk = w.forum.staff.member_id
    assert clerk is not None
    update_member(engine, w.tb, w.forum.coordinator, clerk, roles=["member", "coordinator"])
    clerk_account = w.forum.staff.account_id
    assert clerk_account is not None
    before = snapshot(engine, [w.tb])

    with pytest.raises(LastCoordinatorRequired):
        end_membership(engine, w.tb, w.forum.coordinator, clerk, utc_now().date())
    assert snapshot(engine, [w.tb]) == before

    update_member(engine, w.tb, w.forum.coordinator, w.member_id(w.cy), roles=["member", "coordinator"])
    ended = end_membership(engine, w.tb, w.forum.coordinator, clerk, utc_now().date())

    assert ended.coordinator_role_removed and ended.organisation_ids_left == (w.forum.organisation_id,)
    member = get_member(engine, w.tb, w.forum.coordinator, clerk)
    assert member.roles == ("member",) and member.organisation_ids == ()


def test_a_keyed_ending_replays_its_first_answer_and_another_body_under_its_key_is_refused(
    engine: Engine,
) -> None:
    w = leaving(engine, BalanceOnLeaving.TO_POT)
    w.exchange(w.ann, {w.bo: 60})
    first = w.end(w.ann, idempotency_key="leaving-1")
    before = snapshot(engine, [w.tb])

    again = w.end(w.ann, idempotency_key="leaving-1")

    assert again == first and snapshot(engine, [w.tb]) == before
    with pytest.raises(IdempotencyKeyReused):
        w.end(w.ann, reason="Another reason", idempotency_key="leaving-1")


def test_the_directory_leaves_former_members_out_and_the_list_says_when_they_left(engine: Engine) -> None:
    w = leaving(engine)
    w.end(w.ann)
    coordinator = w.forum.coordinator

    found = {m.account_id for m in directory(engine, w.tb, coordinator).members}
    found_too = {m.account_id for m in directory(engine, w.tb, coordinator, include_ended=True).members}
    listed = {m.account_id: m.membership_ended_on for m in list_members(engine, w.tb, coordinator).members}

    assert w.ann not in found and {w.bo, w.cy} <= found
    assert w.ann in found_too
    assert listed[w.ann] == utc_now().date() and listed[w.bo] is None


def test_the_database_refuses_to_move_a_closed_accounts_counters(engine: Engine) -> None:
    w = leaving(engine)
    w.exchange(w.ann, {w.bo: 60})
    w.end(w.ann)

    with pytest.raises(IntegrityError) as refused, engine.begin() as connection:
        connection.execute(
            update(accounts)
            .where(accounts.c.id == w.ann)
            .values(
                balance_minutes=accounts.c.balance_minutes - 60,
                spent_minutes=accounts.c.spent_minutes + 60,
                version=accounts.c.version + 1,
            )
        )

    assert "closed_account_unmoved" in str(refused.value.orig)
    assert isinstance(ledger_error_for(refused.value), MembershipEnded)
    assert w.balance(w.ann) == 60


# --- what it refuses, each refusal changing nothing ------------------------------------------------


@dataclass(frozen=True)
class Refused:
    name: str
    error: type[TimebankError]
    act: Callable[[Leaving, Any], object]
    # Arranged before the snapshot, and handed to ``act``: by default Ann (+60, Bo -60, yesterday)
    # has left today.
    arrange: Callable[[Leaving], Any] = lambda w: _ann_left(w)
    balance_on_leaving: BalanceOnLeaving = BalanceOnLeaving.KEPT
    settings: dict[str, Any] | None = None


def _ann_left(w: Leaving) -> None:
    w.exchange(w.ann, {w.bo: 60})
    w.end(w.ann)


def _ann_left_after_an_activity(w: Leaving) -> int:
    """Ann has left; yesterday's forum, nobody invited, is the activity named."""
    activity = w.forum.activity(on=utc_now().date() - timedelta(days=1), invite=False)
    _ann_left(w)
    return activity.activity_id


def _attend(w: Leaving, activity_id: int, choice: str) -> object:
    attendees = [attendee(w.ann, 60, choice), attendee(w.bo, 60, choice)]
    return record_attendance(w.engine, w.tb, w.forum.staff, activity_id, attendees)


def _ann_left_with_her_credits_in_the_pot(w: Leaving) -> int:
    found = run(
        w.engine,
        lambda uow: uow.connection.execute(
            text("SELECT id FROM transactions WHERE timebank_id = :tb AND kind = 'membership_end'"),
            {"tb": w.tb},
        ).scalar_one(),
        write=False,
    )
    return int(found)


def _reverse_her_exchange(w: Leaving, _: object) -> object:
    exchange_id = run(
        w.engine,
        lambda uow: uow.connection.execute(
            text("SELECT min(id) FROM exchanges WHERE timebank_id = :tb"), {"tb": w.tb}
        ).scalar_one(),
        write=False,
    )
    return reverse_exchange(w.engine, w.tb, COORDINATOR, int(exchange_id), "recorded twice")


def _import_with_her(w: Leaving, _: object) -> object:
    row = ImportRow(w.bo, w.ann, 30, date(2024, 5, 1), "imported help")
    return import_exchanges(w.engine, w.tb, COORDINATOR, [row])


def _pot_of_30(w: Leaving) -> None:
    w.exchange(w.ann, {w.bo: 60})
    give_credits(w.engine, w.tb, w.holder(w.ann), w.ann, w.pot, 30)


REFUSALS = [
    # Every write that names her account afterwards.
    Refused("an exchange she gives in", MembershipEnded, lambda w, _: w.exchange(w.ann, {w.cy: 30})),
    Refused(
        "an exchange she receives in", MembershipEnded, lambda w, _: w.exchange(w.cy, {w.bo: 30, w.ann: 30})
    ),
    Refused(
        "an exchange that would wait for her",
        MembershipEnded,
        lambda w, _: w.exchange(w.cy, {w.ann: 30}, by=w.holder(w.cy)),
    ),
    Refused(
        "an exchange she records herself",
        MembershipEnded,
        lambda w, _: w.exchange(w.ann, {w.cy: 30}, by=w.holder(w.ann)),
    ),
    Refused(
        "a gift from her",
        MembershipEnded,
        lambda w, _: give_credits(w.engine, w.tb, w.holder(w.ann), w.ann, w.cy, 30),
    ),
    Refused(
        "a gift to her",
        MembershipEnded,
        lambda w, _: give_credits(w.engine, w.tb, w.holder(w.cy), w.cy, w.ann, 30),
    ),
    Refused(
        "a grant to her",
        MembershipEnded,
        lambda w, _: give_credits(w.engine, w.tb, COORDINATOR, w.pot, w.ann, 30),
    ),
    Refused(
        "a spend of hers",
        MembershipEnded,
        lambda w, option: w.forum.spend(option, w.ann, by=w.forum.coordinator),
        arrange=lambda w: (w.forum.spend_option().spend_option_id, _ann_left(w))[0],
    ),
    Refused(
        "her credits for an activity",
        MembershipEnded,
        lambda w, activity_id: _attend(w, activity_id, "credits"),
        arrange=_ann_left_after_an_activity,
    ),
    Refused(
        "her attendance, declining payment",
        MembershipEnded,
        lambda w, activity_id: _attend(w, activity_id, "decline"),
        arrange=_ann_left_after_an_activity,
    ),
    Refused(
        "an invitation for her",
        MembershipEnded,
        lambda w, activity_id: invite_members(w.engine, w.tb, w.forum.staff, activity_id, [w.bo, w.ann]),
        arrange=_ann_left_after_an_activity,
    ),
    Refused("the reversal of her exchange", MembershipEnded, _reverse_her_exchange),
    Refused(
        "the reversal of her balance's move to the pot",
        MembershipEnded,
        lambda w, _: reverse_transaction(
            w.engine, w.tb, COORDINATOR, _ann_left_with_her_credits_in_the_pot(w), "oops"
        ),
        balance_on_leaving=BalanceOnLeaving.TO_POT,
    ),
    Refused("a row of history with her in it", ImportRejected, _import_with_her),
    Refused(
        "her as an organisation's staff",
        MembershipEnded,
        lambda w, _: add_staff(
            w.engine, w.tb, w.forum.coordinator, w.forum.organisation_id, w.member_id(w.ann)
        ),
    ),
    Refused(
        "her as a coordinator",
        MembershipEnded,
        lambda w, _: update_member(
            w.engine, w.tb, w.forum.coordinator, w.member_id(w.ann), roles=["member", "coordinator"]
        ),
    ),
    Refused("a second end", MembershipAlreadyEnded, lambda w, _: w.end(w.ann)),
    # The ending itself, refused before it.
    Refused(
        "a last day after today",
        MembershipEndDateInFuture,
        lambda w, _: w.end(w.ann, days_ago=-1),
        arrange=lambda w: None,
    ),
    Refused(
        "a last day further back than the timebank allows",
        MembershipEndDateTooFarBack,
        lambda w, _: w.end(w.ann, days_ago=31),
        arrange=lambda w: None,
        settings={"backdate_days_max": 30},
    ),
    Refused(
        "a last day before she joined",
        MembershipEndDateTooEarly,
        lambda w, _: w.end(w.ann, days_ago=1),
        arrange=lambda w: None,
    ),
    Refused(
        "a last day before her last exchange",
        MembershipEndDateTooEarly,
        lambda w, _: w.end(w.ann, days_ago=5),
        arrange=lambda w: (
            w.exchange(w.ann, {w.bo: 60}, days_ago=10),
            w.exchange(w.bo, {w.ann: 30}, days_ago=3),
        ),
    ),
    Refused(
        "a reason of spaces", ReasonRequired, lambda w, _: w.end(w.ann, reason="   "), arrange=lambda w: None
    ),
    Refused(
        "a debt the pot cannot cover",
        PotCannotCoverBalance,
        lambda w, _: w.end(w.bo),
        arrange=_pot_of_30,
        balance_on_leaving=BalanceOnLeaving.TO_POT,
    ),
]


@pytest.mark.parametrize("case", [pytest.param(c, id=c.name) for c in REFUSALS])
def test_a_refusal_about_an_ending_names_its_rule_and_changes_nothing(engine: Engine, case: Refused) -> None:
    w = leaving(engine, case.balance_on_leaving, **(case.settings or {}))
    arranged = case.arrange(w)
    before = snapshot(engine, [w.tb])

    with pytest.raises(case.error) as refused:
        case.act(w, arranged)

    assert type(refused.value) is case.error
    if isinstance(refused.value, ImportRejected):
        assert [row.code for row in refused.value.errors] == ["membership_ended"]
    assert snapshot(engine, [w.tb]) == before


MEMBERSHIP_CODES = {
    "membership_ended",
    "membership_already_ended",
    "membership_end_date_in_future",
    "membership_end_date_too_far_back",
    "membership_end_date_too_early",
    "pot_cannot_cover_balance",
}


def test_every_code_of_an_ending_is_refused_here() -> None:
    assert {case.error.code for case in REFUSALS} >= MEMBERSHIP_CODES


def test_changing_the_setting_applies_to_memberships_that_end_from_then_on(engine: Engine) -> None:
    w = leaving(engine)
    w.exchange(w.ann, {w.bo: 60})
    w.exchange(w.cy, {w.bo: 60})
    w.end(w.ann)

    change_settings(engine, w.tb, w.forum.coordinator, {"balance_on_leaving": BalanceOnLeaving.TO_POT})
    w.end(w.cy)

    assert get_timebank(engine, w.tb).balance_on_leaving == BalanceOnLeaving.TO_POT
    assert (w.balance(w.ann), w.balance(w.cy), w.balance(w.pot)) == (60, 0, 60)
