"""Offers and requests: a member posts their own, a coordinator posts for a member who is not online.

A post is open until its member (or a coordinator) closes it, and findable until its expiry day has
passed; it can be reopened while unexpired. A member whose membership has ended gets no new post
(``membership_ended``): their open posts closed when it ended. Its member and the coordinators change it. A
coordinator may **hide** a post that breaks the timebank's rules, with a reason: search no longer
finds it, other members are told it is not there, and its member sees it hidden, with the reason,
and may close it but not change or reopen it until a coordinator shows it again. Hiding and showing
are audited (``post_hidden``, ``post_shown``) with the post's id only: the reason is the
coordinator's free text, kept on the post where a later erasure can reach it, never in the audit
log, whose rows are never changed.

What a request names is looked for before who asks is judged (``timebank.people.tenancy``): a post,
member or category of another timebank is not found, whoever asks. Every post's words are folded
for search (``timebank.offers.words``) and written with it, in the same transaction.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.offer_tables import (
    AREA_LENGTH_MAX,
    AVAILABILITY_LENGTH_MAX,
    HIDDEN_REASON_LENGTH_MAX,
    POST_DESCRIPTION_LENGTH_MAX,
    POST_TITLE_LENGTH_MAX,
)
from timebank.db.repositories import NewPost, PostRecord
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.errors import PostNotFound
from timebank.involvement.audit import AuditAction, AuditTrail
from timebank.ledger import rules
from timebank.ledger.errors import MembershipEnded
from timebank.offers.errors import (
    CategoryRetired,
    PostAlreadyHidden,
    PostExpired,
    PostExpiryOutOfRange,
    PostHidden,
    PostKindUnknown,
    PostNotHidden,
    PostTextRequired,
)
from timebank.offers.requests import ChangePost, CreatePost, HidePost, PostKind
from timebank.offers.views import PostPage, PostView
from timebank.offers.words import search_text
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired

__all__ = [
    "POST_DAYS_MAX",
    "change_post",
    "close_post",
    "create_post",
    "hide_post",
    "list_member_posts",
    "read_post",
    "reopen_post",
    "show_post",
]

# How far ahead a post may expire: a year and a day, so "this time next year" fits.
POST_DAYS_MAX = 366


def _kind(value: PostKind | str) -> PostKind:
    try:
        return PostKind(value)
    except ValueError:
        raise PostKindUnknown("A post is an 'offer' or a 'request'") from None


def _required(name: str, value: str, length_max: int) -> str:
    rules.check_text(name, value, length_max)
    if not value.strip():
        raise PostTextRequired(f"Give the {name}")
    return value.strip()


def _optional(name: str, value: str | None, length_max: int) -> str | None:
    rules.check_text(name, value, length_max)
    if value is None:
        return None
    return value.strip() or None


def _check_expiry(expires_on: date, today: date) -> None:
    if not today <= expires_on <= today + timedelta(days=POST_DAYS_MAX):
        raise PostExpiryOutOfRange(
            f"An offer or request expires between today and {POST_DAYS_MAX} days from now"
        )


def _check_own_or_coordinator(caller: Caller, member_id: int) -> None:
    if not (caller.is_coordinator or caller.member_id == member_id):
        raise SelfOrCoordinatorRequired("Only the member who posted it, or a coordinator, may do this")


def _open_category(uow: UnitOfWork, timebank_id: int, category_id: int) -> None:
    if uow.offers.category(timebank_id, category_id).retired:
        raise CategoryRetired("That category has been retired; choose another")


def create_post(engine: Engine, timebank_id: int, caller: Caller, request: CreatePost) -> PostView:
    """Post an offer or request: the member's own, or a coordinator's for ``member_id``."""
    caller.check_timebank(timebank_id)
    kind = _kind(request.kind)
    title = _required("title", request.title, POST_TITLE_LENGTH_MAX)
    description = _required("description", request.description, POST_DESCRIPTION_LENGTH_MAX)
    area = _optional("area", request.area, AREA_LENGTH_MAX)
    availability = _optional("availability", request.availability, AVAILABILITY_LENGTH_MAX)
    now = utc_now()
    _check_expiry(request.expires_on, now.date())

    def use_case(uow: UnitOfWork) -> PostView:
        uow.timebanks.get(timebank_id)
        member_id = caller.member_id if request.member_id is None else request.member_id
        member = None if member_id is None else uow.members.get(timebank_id, member_id)
        uow.offers.category(timebank_id, request.category_id)
        if member is None:
            raise SelfOrCoordinatorRequired("Members post their own offers and requests; name the member")
        _check_own_or_coordinator(caller, member.member_id)
        if member.membership_ended_on is not None:
            raise MembershipEnded(
                f"{member.display_name}'s membership has ended, so nothing new can be posted for them"
            )
        _open_category(uow, timebank_id, request.category_id)
        post = NewPost(
            member_id=member.member_id,
            kind=kind.value,
            category_id=request.category_id,
            title=title,
            description=description,
            area=area,
            availability=availability,
            expires_on=request.expires_on,
            search_text=search_text(title, description, area),
            created_by=caller.caller,
            created_at=now,
        )
        post_id = uow.offers.insert_post(timebank_id, post)
        view = PostView.of(uow.offers.post(timebank_id, post_id), now.date())
        uow.commit()
        return view

    return run(engine, use_case)


def read_post(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostView:
    """One post, for anyone in the timebank; a hidden one only for its member and coordinators."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostView:
        post = uow.offers.post(timebank_id, post_id)
        _check_visible(caller, post)
        return PostView.of(post, utc_now().date())

    return run(engine, use_case, write=False)


def _check_visible(caller: Caller, post: PostRecord) -> None:
    # To anyone else a hidden post is not there, as if it had never been posted.
    if post.hidden_at is not None and not (caller.is_coordinator or caller.member_id == post.member_id):
        raise PostNotFound(f"There is no offer or request {post.post_id} in this timebank")


def list_member_posts(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    member_id: int,
    *,
    cursor: str | None = None,
    limit: int | None = None,
) -> PostPage:
    """A member's posts in every state, newest first: for the member and coordinators."""
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    before_id = decode_id_cursor(cursor)

    def use_case(uow: UnitOfWork) -> PostPage:
        uow.members.get(timebank_id, member_id)
        _check_own_or_coordinator(caller, member_id)
        records = uow.offers.member_posts(timebank_id, member_id, before_id=before_id, limit=size + 1)
        kept, next_cursor = split_page(records, size, lambda r: r.post_id)
        today = utc_now().date()
        return PostPage(posts=tuple(PostView.of(r, today) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case, write=False)


def _owned(uow: UnitOfWork, timebank_id: int, caller: Caller, post_id: int) -> PostRecord:
    """The post, held for change, once the caller is known to be its member or a coordinator."""
    post = uow.offers.post(timebank_id, post_id, for_update=True)
    _check_visible(caller, post)
    _check_own_or_coordinator(caller, post.member_id)
    return post


def _answer(uow: UnitOfWork, timebank_id: int, post_id: int, today: date) -> PostView:
    view = PostView.of(uow.offers.post(timebank_id, post_id), today)
    uow.commit()
    return view


def change_post(
    engine: Engine, timebank_id: int, caller: Caller, post_id: int, request: ChangePost
) -> PostView:
    """Change what a post says (its member or a coordinator); only the fields sent change."""
    caller.check_timebank(timebank_id)
    sent = request.model_fields_set
    changes: dict[str, object] = {}
    if request.title is not None:
        changes["title"] = _required("title", request.title, POST_TITLE_LENGTH_MAX)
    if request.description is not None:
        changes["description"] = _required("description", request.description, POST_DESCRIPTION_LENGTH_MAX)
    if "area" in sent:
        changes["area"] = _optional("area", request.area, AREA_LENGTH_MAX)
    if "availability" in sent:
        changes["availability"] = _optional("availability", request.availability, AVAILABILITY_LENGTH_MAX)
    now = utc_now()
    if request.expires_on is not None:
        _check_expiry(request.expires_on, now.date())
        changes["expires_on"] = request.expires_on

    def use_case(uow: UnitOfWork) -> PostView:
        if request.category_id is not None:
            uow.offers.category(timebank_id, request.category_id)
        post = _owned(uow, timebank_id, caller, post_id)
        if post.hidden_at is not None and not caller.is_coordinator:
            raise PostHidden("A coordinator has hidden this; ask them before you change it")
        if not sent:
            return PostView.of(post, now.date())  # nothing sent, nothing changed
        if request.category_id is not None and request.category_id != post.category_id:
            _open_category(uow, timebank_id, request.category_id)
            changes["category_id"] = request.category_id
        title = str(changes.get("title", post.title))
        description = str(changes.get("description", post.description))
        area = changes.get("area", post.area)
        assert area is None or isinstance(area, str)
        changes["search_text"] = search_text(title, description, area)
        changes["updated_at"] = now
        uow.offers.update_post(timebank_id, post_id, changes)
        return _answer(uow, timebank_id, post_id, now.date())

    return run(engine, use_case)


def close_post(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostView:
    """Close a post: it is no longer found. Closing a closed post is no error."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostView:
        post = _owned(uow, timebank_id, caller, post_id)
        now = utc_now()
        if post.status == "open":
            uow.offers.update_post(
                timebank_id, post_id, {"status": "closed", "closed_at": now, "updated_at": now}
            )
        return _answer(uow, timebank_id, post_id, now.date())

    return run(engine, use_case)


def reopen_post(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostView:
    """Open a closed post again, while it has not expired. Reopening an open post is no error."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostView:
        post = _owned(uow, timebank_id, caller, post_id)
        now = utc_now()
        if post.hidden_at is not None and not caller.is_coordinator:
            raise PostHidden("A coordinator has hidden this; ask them before you open it again")
        if post.expires_on < now.date():
            raise PostExpired("This has expired: give it a new expiry date, then open it again")
        if post.status == "closed":
            uow.offers.update_post(
                timebank_id, post_id, {"status": "open", "closed_at": None, "updated_at": now}
            )
        return _answer(uow, timebank_id, post_id, now.date())

    return run(engine, use_case)


def hide_post(engine: Engine, timebank_id: int, caller: Caller, post_id: int, request: HidePost) -> PostView:
    """Hide a post that breaks the timebank's rules (coordinators), with the reason; audited."""
    caller.check_timebank(timebank_id)
    reason = _required("reason", request.reason, HIDDEN_REASON_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> PostView:
        post = uow.offers.post(timebank_id, post_id, for_update=True)
        caller.check_coordinator(timebank_id)
        if post.hidden_at is not None:
            raise PostAlreadyHidden("This is hidden already")
        now = utc_now()
        uow.offers.update_post(
            timebank_id, post_id, {"hidden_at": now, "hidden_by": caller.caller, "hidden_reason": reason}
        )
        trail = AuditTrail(caller.caller)
        # The post's id only: the reason is free text, kept on the post where an erasure reaches it.
        trail.add(AuditAction.POST_HIDDEN, post.account_id, post_id=post_id)
        trail.write(uow, timebank_id)
        return _answer(uow, timebank_id, post_id, now.date())

    return run(engine, use_case)


def show_post(engine: Engine, timebank_id: int, caller: Caller, post_id: int) -> PostView:
    """Show a hidden post again (coordinators); audited."""
    caller.check_timebank(timebank_id)

    def use_case(uow: UnitOfWork) -> PostView:
        post = uow.offers.post(timebank_id, post_id, for_update=True)
        caller.check_coordinator(timebank_id)
        if post.hidden_at is None:
            raise PostNotHidden("This is not hidden")
        uow.offers.update_post(
            timebank_id, post_id, {"hidden_at": None, "hidden_by": None, "hidden_reason": None}
        )
        trail = AuditTrail(caller.caller)
        trail.add(AuditAction.POST_SHOWN, post.account_id, post_id=post_id)
        trail.write(uow, timebank_id)
        return _answer(uow, timebank_id, post_id, utc_now().date())

    return run(engine, use_case)
