"""Answering someone's offer or request: its page, and the rule every answer to it meets.

A post's page shows what it says and who posted it, by name, with the day they last took part
(as search does), and never how to reach them. Anyone in the timebank reads it; a hidden one only
its member and the coordinators, who see why it was hidden; to anyone else it is not there.

A member **answers** a post by recording an exchange from it, or by writing to its member
(``timebank.offers.contact``). Either needs a post by someone else (``post_is_your_own``), that a
coordinator has not hidden (``post_hidden``; to a member who is not its own, a hidden post is not
found), that is still open and has not ended (``post_not_open``). The exchange itself is then
recorded by ``timebank.exchanges``, which keeps the link and checks that the post's member took
part; the pages ask this rule at every step, so an answer never starts from a post it cannot use.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine

from timebank.benefits.formatting import format_date
from timebank.clock import utc_now
from timebank.db.repositories import PostRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import PostNotFound
from timebank.offers.errors import PostHidden, PostIsYourOwn, PostNotOpen
from timebank.offers.views import PostDetailView, PostToAnswerView, PostView
from timebank.people.callers import Caller

__all__ = ["check_answerable", "check_readable", "read_post_page", "read_post_to_answer"]


def check_readable(caller: Caller, post: PostRecord) -> None:
    """A hidden post is there only for its member and the coordinators."""
    if post.hidden_at is not None and not (caller.is_coordinator or caller.member_id == post.member_id):
        raise PostNotFound(f"There is no offer or request {post.post_id} in this timebank")


def check_answerable(caller: Caller, post: PostRecord, today: date) -> None:
    """The post is someone else's, visible, open and unexpired: one may answer it."""
    check_readable(caller, post)
    if caller.member_id == post.member_id:
        raise PostIsYourOwn(f"This is your own {post.kind}. This is for other members to answer it")
    if post.hidden_at is not None:
        raise PostHidden(f"A coordinator has hidden this {post.kind}, so it cannot be answered")
    if post.status != "open":
        raise PostNotOpen(f"{post.member_name} has closed this {post.kind}")
    if post.expires_on < today:
        raise PostNotOpen(f"This {post.kind} ended on {format_date(post.expires_on)}")


def read_post_page(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostDetailView:
    """A post and when its member last took part, for anyone in the timebank (a hidden one: its
    member and coordinators)."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostDetailView:
        post = uow.offers.post(timebank_id, post_id)
        check_readable(caller, post)
        last = uow.offers.last_took_part(timebank_id, [post.account_id])
        return PostDetailView(
            post=PostView.of(post, utc_now().date()), last_took_part_on=last.get(post.account_id)
        )

    return run(engine, use_case, write=False)


def read_post_to_answer(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostToAnswerView:
    """The post an exchange is about to be recorded from, once it is known it may be answered."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostToAnswerView:
        post = uow.offers.post(timebank_id, post_id)
        today = utc_now().date()
        check_answerable(caller, post, today)
        return PostToAnswerView(post=PostView.of(post, today), member_account_id=post.account_id)

    return run(engine, use_case, write=False)
