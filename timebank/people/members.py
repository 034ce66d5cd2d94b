"""Members: adding people to a timebank, their roles and tags, and who may see them.

A member is a person with a member account. Some log in (a username and password); many do not,
and a coordinator records exchanges for them. Roles are ``member`` (everyone) and ``coordinator``.
Tags group members for reports (``uses_services``, ``staff``, a neighbourhood); they are short,
lower-case words, at most ``TAGS_MAX`` per member.

A timebank always keeps at least one coordinator: the role can be taken from anyone but the last
(``last_coordinator_required``), whoever asks, so the timebank is never left with nobody to run it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.ledger import rules
from timebank.ledger.errors import MembershipEnded
from timebank.ledger.limits import NAME_LENGTH_MAX
from timebank.ledger.types import AccountKind
from timebank.paging import decode_id_cursor, page_limit, split_page
from timebank.people.callers import Caller
from timebank.people.errors import (
    LastCoordinatorRequired,
    PasswordInvalid,
    RoleUnknown,
    TagInvalid,
    UsernameTaken,
)
from timebank.people.passwords import check_username, hash_password
from timebank.people.requests import ROLES, TAGS_MAX, AddMember, UpdateMember
from timebank.people.tenancy import not_found_before_refused
from timebank.people.views import DirectoryEntry, DirectoryPage, MemberPage, MemberView

__all__ = [
    "ROLES",
    "TAGS_MAX",
    "add_member",
    "directory",
    "get_member",
    "list_members",
    "update_member",
]

_TAG = re.compile(r"[a-z0-9_]{1,50}")


def check_tags(tags: Sequence[str]) -> list[str]:
    if len(tags) > TAGS_MAX:
        raise TagInvalid(f"At most {TAGS_MAX} tags per member")
    for tag in tags:
        if not _TAG.fullmatch(tag):
            raise TagInvalid(f"The tag {tag[:60]!r} is not lower-case letters, digits and underscores")
    return sorted(set(tags))


def _is_coordinator(roles: Sequence[str]) -> bool:
    for role in roles:
        if role not in ROLES:
            raise RoleUnknown(f"Unknown role {role[:60]!r}: roles are {', '.join(ROLES)}")
    return "coordinator" in roles


def add_member(engine: Engine, timebank_id: int, caller: Caller, request: AddMember) -> MemberView:
    """Add a person, with a member account and, if given a username, a login."""
    display_name, username, password = request.display_name, request.username, request.password
    roles, tags = request.roles, request.tags
    floor_minutes, cap_minutes = request.floor_minutes, request.cap_minutes
    caller.check_coordinator(timebank_id, admin_allowed=True)
    rules.check_text("display_name", display_name, NAME_LENGTH_MAX)
    is_coordinator = _is_coordinator(roles)
    clean_tags = check_tags(tags)
    if (username is None) != (password is None):
        raise PasswordInvalid("Give both a username and a password, or neither")
    # Hashing is slow by design: done before the transaction so no lock is held meanwhile.
    password_hash = None
    if username is not None and password is not None:
        check_username(username)
        password_hash = hash_password(password)

    def use_case(uow: UnitOfWork) -> MemberView:
        timebank = uow.timebanks.get(timebank_id)
        floor = timebank.default_member_floor_minutes if floor_minutes is None else floor_minutes
        cap = timebank.default_member_cap_minutes if cap_minutes is None else cap_minutes
        rules.check_new_limits(0, floor, cap)
        now = utc_now()
        login_id = None
        if username is not None and password_hash is not None:
            if uow.access.username_exists(username):
                raise UsernameTaken(f"The username {username!r} is taken; choose another")
            login_id = uow.access.insert_login(username, password_hash, False, now)
        account_id = uow.accounts.insert(timebank_id, AccountKind.MEMBER, display_name, floor, cap, now)
        member_id = uow.members.insert(timebank_id, account_id, display_name, is_coordinator, login_id, now)
        uow.members.set_tags(timebank_id, member_id, clean_tags)
        view = MemberView.of(uow.members.get(timebank_id, member_id))
        uow.commit()
        return view

    return run(engine, use_case)


def get_member(engine: Engine, timebank_id: int, caller: Caller, member_id: int) -> MemberView:
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_may_read_member(timebank_id, member_id)
    return run(engine, lambda uow: MemberView.of(uow.members.get(timebank_id, member_id)), write=False)


def list_members(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    tag: str | None = None,
    name: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> MemberPage:
    """Members with everything a coordinator manages (roles, tags, login), a page at a time.

    ``tag`` keeps those with that tag; ``name`` those whose name holds it, ignoring case and the
    spaces around it, as the directory finds them. Both together keep those with both.
    """
    caller.check_coordinator(timebank_id, admin_allowed=True)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)
    if tag is not None:
        check_tags([tag])
    name_contains = None
    if name is not None:
        name_contains = name.strip()
        rules.check_text("name", name_contains, length_max=NAME_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> MemberPage:
        uow.timebanks.get(timebank_id)
        records = uow.members.page(
            timebank_id, tag=tag, name_contains=name_contains or None, after_id=after_id, limit=size + 1
        )
        kept, next_cursor = split_page(records, size, lambda r: r.member_id)
        return MemberPage(members=tuple(MemberView.of(r) for r in kept), next_cursor=next_cursor)

    return run(engine, use_case, write=False)


def update_member(
    engine: Engine, timebank_id: int, caller: Caller, member_id: int, request: UpdateMember
) -> MemberView:
    """Change a member's name, roles or tags (coordinator). Fields left out stay as they are."""
    display_name, roles, tags = request.display_name, request.roles, request.tags
    with not_found_before_refused(engine, timebank_id, member_ids=[member_id]):
        caller.check_coordinator(timebank_id, admin_allowed=True)
    rules.check_text("display_name", display_name, NAME_LENGTH_MAX)
    is_coordinator = None if roles is None else _is_coordinator(roles)
    clean_tags = None if tags is None else check_tags(tags)

    def use_case(uow: UnitOfWork) -> MemberView:
        uow.timebanks.get(timebank_id)
        if is_coordinator is False:
            # Two coordinators taking the role from each other at once must not both succeed: role
            # changes that may leave the timebank without one take turns on its row.
            uow.timebanks.lock(timebank_id)
        member = uow.members.get(timebank_id, member_id)
        if is_coordinator and member.membership_ended_on is not None:
            raise MembershipEnded(
                f"{member.display_name}'s membership has ended, so they cannot be a coordinator"
            )
        stepping_down = member.is_coordinator and is_coordinator is False
        if stepping_down and uow.members.coordinator_count(timebank_id) <= 1:
            raise LastCoordinatorRequired(
                "This is the timebank's last coordinator. Make another member a coordinator first."
            )
        if display_name is not None:
            uow.members.set_display_name(member_id, display_name)
        if is_coordinator is not None:
            uow.members.set_coordinator(member_id, is_coordinator)
        if clean_tags is not None:
            uow.members.set_tags(timebank_id, member_id, clean_tags)
        view = MemberView.of(uow.members.get(timebank_id, member_id))
        uow.commit()
        return view

    return run(engine, use_case)


def directory(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    name: str | None = None,
    cursor: str | None = None,
    limit: int | None = None,
    include_ended: bool = False,
) -> DirectoryPage:
    """The members a member can exchange with: names and accounts only.

    Tags (``uses_services`` says something about a person's health), roles and usernames are left
    out: members need to find each other, not to learn about each other. ``name`` keeps the members
    whose name holds it, ignoring case and the spaces around it (how the pages find "the other
    person" of an exchange). Members whose membership has ended are left out, as nobody can exchange
    with them any more, unless a coordinator asks for them too (``include_ended``: finding a former
    member in the audit log).
    """
    caller.check_timebank(timebank_id)
    if include_ended:
        caller.check_coordinator(timebank_id)
    size = page_limit(limit)
    after_id = decode_id_cursor(cursor)
    name_contains = None
    if name is not None:
        name_contains = name.strip()
        rules.check_text("name", name_contains, length_max=NAME_LENGTH_MAX)

    def use_case(uow: UnitOfWork) -> DirectoryPage:
        records = uow.members.page(
            timebank_id,
            name_contains=name_contains or None,
            current_only=not include_ended,
            after_id=after_id,
            limit=size + 1,
        )
        kept, next_cursor = split_page(records, size, lambda r: r.member_id)
        entries = tuple(
            DirectoryEntry(member_id=r.member_id, account_id=r.account_id, display_name=r.display_name)
            for r in kept
        )
        return DirectoryPage(members=entries, next_cursor=next_cursor)

    return run(engine, use_case, write=False)
