"""Who may do what, operation by operation: the authorization matrix of the HTTP API (DESIGN §6).

Each row is one operation of ``openapi/openapi.json`` (a few have more than one row: an
organisation's account, a grant from the pot, a coordinator writing a benefits declaration on the
member's say-so) and names the outcome for every kind of caller: anonymous, a logged-out token,
the member, another member, a coordinator, the organisation's staff, its API key, a platform admin,
and three callers of another timebank: its coordinator, a member and an organisation's API key. A
meta-test fails when an operation of the committed spec has no row, so a new route must say who
may call it. Outcomes are exact: an unexpected 2xx fails, and so does a refusal with another status
or code. Every refusal must be an ``application/problem+json`` document whose ``code`` names the
broken rule. Writes meet a fresh object per caller (a pending exchange to confirm, a key to revoke,
an activity whose attendance is not yet recorded), arranged through the services in one world per
backend.

The rules the rows encode:

- **Deny by default.** Within a timebank, a caller a row does not name as allowed is refused with
  403 and the code of the rule (``coordinator_required``, ``self_or_coordinator_required``,
  ``not_a_party_to_exchange``, ``account_holder_required``, ``not_allowed``,
  ``organisation_staff_required``, ``member_say_so_required``).
- **Nobody unknown.** Without a token the answer is 401 ``not_authenticated``, and with a token that
  was logged out 401 ``token_invalid``, everywhere except ``GET /v1/health`` and ``POST /v1/auth/token``.
- **Another timebank is not there.** Under ``/v1/timebanks/{tb}``, a caller who does not belong to
  ``tb`` gets 404 ``timebank_not_found`` whatever their role: the coordinator, a member and an API
  key of another timebank here, and every caller of this timebank under the other timebank's path.
  Another timebank's ids under this timebank's path are not found either, whoever names them, even
  a caller who may not do the operation at all: what the request names is looked for before who
  asks is judged (the last tests, for every operation that names an object).
- **A member** reads and acts on their own account (balance, statement, limit log), their own
  exchanges and their own member record, and gives from their own account. Every member sees the
  timebank and its organisations (to know where credits can be spent).
- **An organisation's staff** act for the organisation's account as for their own, and manage its
  API keys. **The organisation's API key** acts for the organisation's account only; it may not
  manage keys, nor log out (a key is revoked, not logged out).
- **Recognising involvement.** Whoever acts for an organisation (its staff, its API key) or a
  coordinator creates, lists and reads its activities, records and reads their attendance, checks a
  payment against the benefit guard and records an expense; anyone else in the timebank, the
  attendees included, gets 403 ``organisation_staff_required``.
- **A benefits declaration** is read by the member and coordinators only (every read audited), never
  by the organisation's staff or its key: the others get 403 ``self_or_coordinator_required``. The
  member sets and deletes their own; a coordinator does it only on the member's say-so
  (``members_say_so``), and without it gets 403 ``member_say_so_required``.
- **Spend options.** Whoever acts for an organisation (its staff, its API key) or a coordinator
  offers and withdraws its options; everyone else in the timebank gets 403
  ``organisation_staff_required``. Every member sees the active options; the withdrawn ones too
  only a coordinator, or whoever acts for the organisation named in the query (else 403
  ``coordinator_required`` or ``organisation_staff_required``). Credits are spent by the member
  from their own account, or by a coordinator for them: never by another member, nor by the
  organisation's staff or key for a member (403 ``account_holder_required``); a staff member spends
  their own credits as any member does.
- **Everything held about a member** (their data as a ZIP, which holds their declaration) is
  downloaded by the member and coordinators only, every download audited; the others get 403
  ``self_or_coordinator_required``, and an admin 404 like any outsider.
- **Offers and requests.** Everyone in the timebank (an organisation's API key too) lists the
  categories and searches the open posts, and reads a post; a hidden one only its member and
  coordinators, and to anyone else it is not there (404 ``post_not_found``). A member posts their
  own (an API key, being no member, is refused ``self_or_coordinator_required``), and for another
  member only a coordinator posts. A post's member and coordinators change, close and reopen it,
  and read a member's list of posts; only coordinators manage categories, hide and show posts, and
  read the offers report (else 403 ``coordinator_required``). Any member but the post's own writes
  to its member (the post's member is refused ``post_is_your_own``; an API key, being no member,
  ``self_or_coordinator_required``).
- **The audit log** of benefit checks, warnings, choices and reads is for coordinators only (403
  ``coordinator_required``).
- **Erasing a member's personal data** is for coordinators only (403 ``coordinator_required``), and
  an admin answers 404 like any outsider.
- **Reports.** The reciprocity report, its charts and the thresholds that rate it red, amber or
  green are read by coordinators and platform admins, who also set those thresholds; the rest of
  the timebank gets 403 ``coordinator_required``. An account's own report is for its holder too.
- **A coordinator** acts for anyone in their timebank: every operation under it, including
  reversals and limits, but no new timebanks (403 ``admin_required``) and no benefits declaration
  without the member's say-so.
- **A platform admin** belongs to no timebank. They create, list and read timebanks and manage
  their people (add, list, read and update members), so that a new timebank gets its first
  coordinator, and read its reports and set their rating thresholds; everything else in a timebank
  (accounts, exchanges, gifts, organisations) answers them 404 ``timebank_not_found`` as it does
  any outsider: an admin moves no credits and reads no one's balance, activities, declaration or
  audit log.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, update

from tests.api.conftest import PASSWORD, World, build_world
from tests.conftest import BACKENDS
from tests.involvement_calls import (
    attendee,
    create_activity,
    create_spend_option,
    invite_members,
    record_attendance,
)
from tests.ledger_calls import give_credits, record_exchange
from tests.notification_calls import verification_token
from tests.offer_calls import category_id_named, post_for
from tests.people_calls import add_member, add_organisation, add_staff, create_api_key, set_limits
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.choices import Reward
from timebank.benefits.money import PaymentKind
from timebank.benefits.periods import PeriodKind, week_of
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db import make_engine, run
from timebank.db.import_tables import import_uploads
from timebank.db.people_tables import login_failures
from timebank.imports import ImportSource, SourceFile, check_upload
from timebank.involvement.requests import OfferTerms
from timebank.ledger.types import Actor, ReceiverShare
from timebank.notifications import set_email
from timebank.notifications.keys import preferences_of, unsubscribe_token
from timebank.notifications.requests import SetEmail
from timebank.offers import AddCategory, HidePost, add_category, close_post, hide_post
from timebank.people.access import create_admin, log_in, log_out
from timebank.people.callers import Caller
from timebank.people.recovery import issue_password_code
from timebank.people.requests import IssuePasswordCode

SPEC = Path(__file__).resolve().parents[2] / "openapi" / "openapi.json"

# The caller kinds, each with its own credentials in the arena.
CALLERS = (
    "anonymous",
    "revoked_token",
    "member",
    "other_member",
    "coordinator",
    "staff",
    "organisation_key",
    "admin",
    "other_coordinator",
    "far_member",
    "far_key",
)
# Callers of another timebank: its coordinator, a plain member and an organisation's API key.
OUTSIDERS = ("other_coordinator", "far_member", "far_key")
# Callers that belong to the timebank under test.
TIMEBANK_CALLERS = ("member", "other_member", "coordinator", "staff", "organisation_key")
PUBLIC_OPERATIONS = {
    "health",
    "log_in",
    "unsubscribe",
    "verify_email",
    "use_password_code",
    "ask_for_password_reset",
    "reset_password",
}

ANONYMOUS = "401 not_authenticated"
LOGGED_OUT = "401 token_invalid"
NOT_HERE = "404 timebank_not_found"

MINUTES = 15
ACTIVITY_DATE = date(2026, 11, 20)
# The rows share one world per backend and the member pays for many exchanges: a deep floor keeps
# every balance well inside its limits, so limits never answer for the rule under test.
FLOOR_MINUTES = -100 * 60
# A coordinator as the services see one, for arranging what the requests meet.
COORDINATOR_ACTOR = Actor("test:coordinator", None, is_coordinator=True)
# What an activity pays an attendee who takes a payment: above the lowest weekly benefit limit, so
# that a member who has declared benefits draws every kind of warning the guard gives staff.
PAYMENT_PENCE = 20_000
ACKNOWLEDGEMENT = "Advised to tell the benefit office; form B signed"
OFFER_FROM, OFFER_TO = week_of(ACTIVITY_DATE)


def coordinator_of(timebank_id: int) -> Caller:
    return Caller("system:test", False, timebank_id, None, None, True, frozenset())


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(CALLERS, outcome)


def signed_in(outcome: str, **overrides: str) -> dict[str, str]:
    """``outcome`` for anyone with valid credentials; 401 for the others.

    The other timebank's API key is an API key like this timebank's: it meets the same refusals.
    """
    expected = everyone(outcome) | overrides
    if "organisation_key" in overrides:
        expected["far_key"] = overrides["organisation_key"]
    expected.update(anonymous=ANONYMOUS, revoked_token=LOGGED_OUT)
    return expected


def in_timebank(refused: str, *, admin: str = NOT_HERE, **allowed: int) -> dict[str, str]:
    """Under /v1/timebanks/{tb}: those in ``allowed`` succeed, the rest of the timebank is refused."""
    assert set(allowed) <= set(TIMEBANK_CALLERS), allowed
    expected = signed_in(NOT_HERE, admin=admin)
    for caller in TIMEBANK_CALLERS:
        expected[caller] = str(allowed[caller]) if caller in allowed else f"403 {refused}"
    return expected


def all_of_timebank(status: int, *, admin: str = NOT_HERE) -> dict[str, str]:
    return in_timebank("", admin=admin, **dict.fromkeys(TIMEBANK_CALLERS, status))


@dataclass
class Arena:
    """The conftest world, plus a neighbour who holds no credentials, a logged-out token, and a
    member and an organisation (with an API key) of the other timebank."""

    world: World
    neighbour_account_id: int
    neighbour_member_id: int
    headers: dict[str, dict[str, str]]
    far_organisation_id: int

    @property
    def coordinator(self) -> Caller:
        return coordinator_of(self.world.timebank_id)

    def account(self, role: str) -> int:
        return self.world.account_ids[role]

    def record(self, actor: Actor, giver_account_id: int, receiver_account_id: int) -> int:
        view = record_exchange(
            self.world.engine,
            self.world.timebank_id,
            actor,
            giver_account_id,
            [ReceiverShare(receiver_account_id, MINUTES)],
            ACTIVITY_DATE,
            "Help in the garden",
        )
        return view.exchange_id

    def awaiting_member(self) -> int:
        """A pending exchange the neighbour gave and recorded: it waits for the member to confirm."""
        neighbour = self.neighbour_account_id
        return self.record(Actor("test:neighbour", neighbour), neighbour, self.account("member"))

    def recorded_by_member(self) -> int:
        """A pending exchange the member gave and recorded: it waits for the neighbour."""
        member = self.account("member")
        return self.record(Actor("test:member", member), member, self.neighbour_account_id)

    def confirmed(self) -> int:
        """An exchange a coordinator recorded: the neighbour helped the member; it posted at once."""
        return self.record(COORDINATOR_ACTOR, self.neighbour_account_id, self.account("member"))

    def new_api_key(self) -> tuple[int, str]:
        made = create_api_key(
            self.world.engine, self.world.timebank_id, self.coordinator, self.world.organisation_id, "till"
        )
        return made.api_key_id, made.secret

    def new_far_api_key(self) -> str:
        """A new API key of the other timebank's organisation."""
        other = self.world.other_timebank_id
        made = create_api_key(
            self.world.engine, other, coordinator_of(other), self.far_organisation_id, "far till"
        )
        return made.secret

    def activity(self) -> int:
        """A new activity of the organisation, with no attendance recorded yet."""
        view = create_activity(
            self.world.engine,
            self.world.timebank_id,
            self.coordinator,
            self.world.organisation_id,
            "User forum",
            ACTIVITY_DATE,
            120,
            ActivityClassification.USES_SERVICES,
            "Shaping the crisis line",
        )
        invited = [self.neighbour_account_id, self.account("member")]
        invite_members(self.world.engine, self.world.timebank_id, self.coordinator, view.activity_id, invited)
        return view.activity_id

    def attended(self) -> int:
        """An activity whose attendance is recorded: the neighbour took credits, the member a payment."""
        activity_id = self.activity()
        attendees = [
            attendee(self.neighbour_account_id, MINUTES, Reward.CREDITS),
            attendee(self.account("member"), MINUTES, Reward.PAYMENT, acknowledgement=ACKNOWLEDGEMENT),
        ]
        offer = OfferTerms(
            amount_pence=PAYMENT_PENCE,
            kind=PaymentKind.CASH,
            period_kind=PeriodKind.WEEK,
            from_on=OFFER_FROM,
            to_on=OFFER_TO,
            description="Thank-you payment for the forum",
        )
        record_attendance(
            self.world.engine, self.world.timebank_id, self.coordinator, activity_id, attendees, offer=offer
        )
        return activity_id

    def post(self, *, closed: bool = False, hidden: bool = False) -> int:
        """A new offer of the member's (closed or hidden, if asked)."""
        engine, tb = self.world.engine, self.world.timebank_id
        post_id = post_for(engine, tb, self.world.member_ids["member"]).post_id
        if closed:
            close_post(engine, tb, self.coordinator, post_id)
        if hidden:
            hide_post(engine, tb, self.coordinator, post_id, HidePost(reason="Asks for money"))
        return post_id

    def upload(self, timebank_id: int | None = None) -> int:
        """A new upload of files to import, checked and waiting (in the other timebank, if named).

        The uploads waiting before it are made to have expired, so the bound on waiting uploads
        never answers for the rule under test.
        """
        tb = timebank_id or self.world.timebank_id
        with self.world.engine.begin() as connection:
            connection.execute(
                update(import_uploads)
                .where(import_uploads.c.timebank_id == tb, import_uploads.c.state == "checked")
                .values(created_at=utc_now() - timedelta(days=2), expires_at=utc_now() - timedelta(days=1))
            )
        files = [SourceFile("members.csv", f"name\r\nNew {uuid.uuid4().hex[:8]}\r\n".encode())]
        return check_upload(
            self.world.engine, tb, coordinator_of(tb), ImportSource.SPREADSHEET, files
        ).upload_id

    def category(self) -> int:
        """A new category of the timebank."""
        name = f"Category {uuid.uuid4().hex[:8]}"
        return add_category(
            self.world.engine, self.world.timebank_id, self.coordinator, AddCategory(name=name)
        ).category_id

    def spend_option(self, spend_class: SpendClass = SpendClass.COMMUNITY_ACTIVITY) -> int:
        """A new active option of the organisation, worth ``MINUTES``."""
        view = create_spend_option(
            self.world.engine,
            self.world.timebank_id,
            self.coordinator,
            self.world.organisation_id,
            "Swim session",
            MINUTES,
            spend_class,
        )
        return view.spend_option_id


def build_arena(world: World) -> Arena:
    engine, timebank_id = world.engine, world.timebank_id
    coordinator = coordinator_of(timebank_id)
    neighbour = add_member(engine, timebank_id, coordinator, "Neighbour", floor_minutes=FLOOR_MINUTES)
    account_id = world.account_ids["member"]
    set_limits(
        engine, timebank_id, COORDINATOR_ACTOR, account_id, floor_minutes=FLOOR_MINUTES, cap_minutes=None
    )
    revoked = log_in(engine, world.usernames["member"], PASSWORD).access_token
    log_out(engine, revoked)
    headers = {**world.headers, "revoked_token": {"Authorization": f"Bearer {revoked}"}}
    other = world.other_timebank_id
    far_username = f"far_{uuid.uuid4().hex[:12]}"
    add_member(engine, other, coordinator_of(other), "Far", username=far_username, password=PASSWORD)
    headers["far_member"] = {"Authorization": f"Bearer {log_in(engine, far_username, PASSWORD).access_token}"}
    far_organisation = add_organisation(engine, other, coordinator_of(other), "Hillside Library")
    arena = Arena(world, neighbour.account_id, neighbour.member_id, headers, far_organisation.organisation_id)
    headers["far_key"] = {"Authorization": f"Bearer {arena.new_far_api_key()}"}
    assert set(headers) == set(CALLERS), sorted(headers)
    return arena


@pytest.fixture(scope="module", params=BACKENDS)
def arena(request: pytest.FixtureRequest) -> Iterator[Arena]:
    """One world per backend for the whole matrix; each row arranges fresh objects of its own.

    So a row must not change what another row relies on: roles, staff links, shared credentials.
    """
    engine = make_engine(str(request.getfixturevalue(f"{request.param}_url")))
    world = build_world(engine)
    yield build_arena(world)
    world.client.close()
    engine.dispose()


@dataclass(frozen=True)
class Call:
    """What one caller sends: path ids, body, query, and maybe credentials of its own."""

    ids: Mapping[str, int] = field(default_factory=dict)
    json: Any = None
    form: Mapping[str, str] | None = None
    files: list[tuple[str, tuple[str, bytes, str]]] | None = None
    query: Mapping[str, Any] | None = None
    authorization: str | None = None  # replaces the caller's credentials


Arrange = Callable[[Arena, str], Call]


@dataclass(frozen=True)
class Row:
    operation_id: str
    method: str
    path: str  # as in the spec
    arrange: Arrange  # called once per caller, so a write meets a fresh object each time
    expected: Mapping[str, str]
    variant: str = ""

    @property
    def name(self) -> str:
        return f"{self.operation_id}[{self.variant}]" if self.variant else self.operation_id


def nothing(arena: Arena, caller: str) -> Call:
    return Call()


def fresh_credentials(arena: Arena, caller: str) -> Call:
    """Log out with a credential of the caller's kind made for this request, not the shared one."""
    if caller in arena.world.usernames:
        token = log_in(arena.world.engine, arena.world.usernames[caller], PASSWORD).access_token
    elif caller == "organisation_key":
        _, token = arena.new_api_key()
    elif caller == "far_key":
        token = arena.new_far_api_key()
    elif caller == "far_member":
        token = far_member_token(arena)
    else:
        return Call()
    return Call(authorization=f"Bearer {token}")


def far_member_token(arena: Arena) -> str:
    """A token of a new member of the other timebank, made for this request."""
    username = f"fresh_{uuid.uuid4().hex[:12]}"
    other = arena.world.other_timebank_id
    add_member(
        arena.world.engine, other, coordinator_of(other), "Fresh", username=username, password=PASSWORD
    )
    return log_in(arena.world.engine, username, PASSWORD).access_token


def fresh_login(arena: Arena, caller: str) -> Call:
    """Change the password of a login made for this request, so no shared session ends.

    Whose password changes is always the caller's own, so a new login of the same kind (an admin
    for the admin, a member of the caller's timebank for everyone else) stands in for the caller.
    """
    body = {"current_password": PASSWORD, "new_password": "a brand new password"}
    if caller in arena.world.usernames:
        username = f"fresh_{uuid.uuid4().hex[:12]}"
        engine = arena.world.engine
        if caller == "admin":
            create_admin(engine, username, PASSWORD)
        else:
            timebank_id = (
                arena.world.other_timebank_id if caller == "other_coordinator" else arena.world.timebank_id
            )
            admin = Caller("system:test", True, None, None, None, False, frozenset())
            add_member(engine, timebank_id, admin, "Fresh", username=username, password=PASSWORD)
        token = log_in(engine, username, PASSWORD).access_token
        return Call(json=body, authorization=f"Bearer {token}")
    if caller == "far_member":
        return Call(json=body, authorization=f"Bearer {far_member_token(arena)}")
    if caller in ("organisation_key", "far_key"):
        key = arena.new_api_key()[1] if caller == "organisation_key" else arena.new_far_api_key()
        return Call(json=body, authorization=f"Bearer {key}")
    return Call(json=body)


def of(role: str) -> Arrange:
    """The account of ``role``."""
    return lambda arena, caller: Call({"account_id": arena.account(role)})


def exchange(make: Callable[[Arena], int], body: Any = None) -> Arrange:
    return lambda arena, caller: Call({"exchange_id": make(arena)}, json=body)


def record_body(giver: str, receiver: str) -> Arrange:
    def arrange(arena: Arena, caller: str) -> Call:
        giver_id = arena.neighbour_account_id if giver == "neighbour" else arena.account(giver)
        body = {
            "giver_account_id": giver_id,
            "receivers": [{"account_id": arena.account(receiver), "minutes": MINUTES}],
            "activity_date": ACTIVITY_DATE.isoformat(),
            "description": "Help in the garden",
        }
        return Call(json=body)

    return arrange


def gift(source: str, target: str) -> Arrange:
    def arrange(arena: Arena, caller: str) -> Call:
        ids = {**arena.world.account_ids, "neighbour": arena.neighbour_account_id}
        ids["pot"] = arena.world.pot_account_id
        if source == "pot":  # a grant is backed by a donation
            give_credits(
                arena.world.engine,
                arena.world.timebank_id,
                COORDINATOR_ACTOR,
                ids["organisation"],
                ids["pot"],
                MINUTES,
            )
        return Call(json={"from_account_id": ids[source], "to_account_id": ids[target], "minutes": MINUTES})

    return arrange


def member(role: str, body: Any = None) -> Arrange:
    return lambda arena, caller: Call({"member_id": arena.world.member_ids[role]}, json=body)


def verification_link(arena: Arena, caller: str) -> Call:
    """A fresh verification token for the member's address, as the link in the message holds it."""
    world = arena.world
    member_id = world.member_ids["member"]
    set_email(
        world.engine, world.timebank_id, arena.coordinator, member_id, SetEmail(email=f"{caller}@x.example")
    )
    messages = run(
        world.engine, lambda uow: uow.notifications.messages_for(world.timebank_id, member_id), write=False
    )
    # The newest message with a link: changing the address also tells the old one (a security notice).
    linked = [message.body for message in messages if "token=tbv_" in message.body]
    return Call(json={"token": verification_token(linked[-1])})


def unsubscribe_link(arena: Arena, caller: str) -> Call:
    """The token of the member's unsubscribe link for one kind of message."""
    world = arena.world
    member_id = world.member_ids["member"]

    def key(uow):  # type: ignore[no-untyped-def]
        record = preferences_of(uow, world.timebank_id, member_id, utc_now())
        uow.commit()
        return record.unsubscribe_key

    token = unsubscribe_token(run(world.engine, key), member_id, "exchange_confirmed")
    return Call(json={"token": token})


def _fresh_member(arena: Arena, *, with_login: bool) -> int:
    # A member of its own for each call: turning a login off or resetting its password ends the
    # sessions of the login, and the matrix's own members must keep theirs.
    name = f"fresh_{uuid.uuid4().hex[:10]}"
    view = add_member(
        arena.world.engine,
        arena.world.timebank_id,
        arena.coordinator,
        "Fresh Member",
        username=name if with_login else None,
        password=PASSWORD if with_login else None,
    )
    return view.member_id


def fresh_member(body: Any, *, with_login: bool) -> Arrange:
    return lambda arena, caller: Call({"member_id": _fresh_member(arena, with_login=with_login)}, json=body)


def leaving_member(arena: Arena, caller: str) -> Call:
    """A member of their own whose membership ends today, and why."""
    member_id = _fresh_member(arena, with_login=False)
    return Call(
        {"member_id": member_id}, json={"ended_on": utc_now().date().isoformat(), "reason": "Moved away"}
    )


def password_code(arena: Arena, caller: str) -> Call:
    """A code a coordinator issued to a member with no login, and a username for them to choose."""
    member_id = _fresh_member(arena, with_login=False)
    world = arena.world
    code = issue_password_code(
        world.engine, world.timebank_id, arena.coordinator, member_id, IssuePasswordCode()
    )
    username = f"chosen_{uuid.uuid4().hex[:10]}"
    return Call(json={"code": code.code, "username": username, "new_password": PASSWORD})


def reset_request(arena: Arena, caller: str) -> Call:
    # Each address may ask a few times an hour; the matrix asks from one address for every caller.
    with arena.world.engine.begin() as connection:
        connection.execute(delete(login_failures).where(login_failures.c.subject.like("reset:%")))
    return Call(json={"username_or_email": "nobody_here"})


def reset_link(arena: Arena, caller: str) -> Call:
    """A live reset link's token for a member with a login, as the link in the message holds it."""
    world = arena.world
    member_id = _fresh_member(arena, with_login=True)
    secret = f"tbr_{uuid.uuid4().hex}"
    now = utc_now()

    def insert(uow):  # type: ignore[no-untyped-def]
        digest = hashlib.sha256(f"password-link:{secret}".encode()).hexdigest()
        uow.recovery.insert_code(
            world.timebank_id, member_id, "link", digest, "test", now, now + timedelta(hours=1)
        )
        uow.commit()

    run(world.engine, insert)
    return Call(json={"token": secret, "new_password": PASSWORD})


def organisation(body: Any = None) -> Arrange:
    return lambda arena, caller: Call({"organisation_id": arena.world.organisation_id}, json=body)


def neighbour_as_staff(arena: Arena, caller: str) -> Call:
    add_staff(
        arena.world.engine,
        arena.world.timebank_id,
        arena.coordinator,
        arena.world.organisation_id,
        arena.neighbour_member_id,
    )
    return Call({"organisation_id": arena.world.organisation_id, "member_id": arena.neighbour_member_id})


def new_key(arena: Arena, caller: str) -> Call:
    api_key_id, _ = arena.new_api_key()
    return Call({"organisation_id": arena.world.organisation_id, "api_key_id": api_key_id})


def files_to_import(arena: Arena, caller: str) -> Call:
    """A members file of one new member, after the waiting uploads were made to expire."""
    arena.upload()  # leaves one waiting, at most: the coordinator's check adds the second
    content = f"name\r\nNew {uuid.uuid4().hex[:8]}\r\n".encode()
    return Call(form={"source": "spreadsheet"}, files=[("files", ("members.csv", content, "text/csv"))])


def an_upload(arena: Arena, caller: str) -> Call:
    return Call({"upload_id": arena.upload()})


def member_login(arena: Arena, caller: str) -> Call:
    return Call(form={"username": arena.world.usernames["member"], "password": PASSWORD})


def new_timebank(arena: Arena, caller: str) -> Call:
    return Call(json={"name": f"Lakeside {uuid.uuid4().hex[:8]}"})


def add_neighbour_as_staff(arena: Arena, caller: str) -> Call:
    return Call(
        {"organisation_id": arena.world.organisation_id}, json={"member_id": arena.neighbour_member_id}
    )


def activity(make: Callable[[Arena], int], body: Callable[[Arena], Any] | None = None) -> Arrange:
    """An activity ``make`` arranges for this caller, and maybe a body naming the arena's people."""
    return lambda arena, caller: Call(
        {"activity_id": make(arena)}, json=None if body is None else body(arena)
    )


def attendance_body(arena: Arena) -> dict[str, Any]:
    """The neighbour takes credits and the member a payment, acknowledged in case the guard asks."""
    return {
        "attendees": [
            {"account_id": arena.neighbour_account_id, "minutes": MINUTES, "choice": "credits"},
            {
                "account_id": arena.account("member"),
                "minutes": MINUTES,
                "choice": "payment",
                "acknowledgement": ACKNOWLEDGEMENT,
            },
        ],
        "offer": {
            "amount_pence": PAYMENT_PENCE,
            "kind": "cash",
            "period_kind": "week",
            "from_on": OFFER_FROM.isoformat(),
            "to_on": OFFER_TO.isoformat(),
            "description": "Thank-you payment for the forum",
        },
    }


def payment_check_body(arena: Arena) -> dict[str, Any]:
    return {"account_id": arena.account("member"), "amount_pence": PAYMENT_PENCE, "worked_minutes": 120}


def expense_body(arena: Arena, caller: str) -> Call:
    body = {
        "account_id": arena.account("member"),
        "amount_pence": 450,
        "evidence": {"kind": "receipt", "reference": "Bus ticket 0412", "evidenced_pence": 450},
        "description": "Bus fare to the forum",
        "incurred_on": ACTIVITY_DATE.isoformat(),
    }
    return Call({"organisation_id": arena.world.organisation_id}, json=body)


def spend_option(body: Callable[[Arena], Any] | None = None) -> Arrange:
    """A new option of the organisation for this caller, and maybe a body naming the arena's people."""
    return lambda arena, caller: Call(
        {"spend_option_id": arena.spend_option()}, json=None if body is None else body(arena)
    )


def spend_for(role: str) -> Callable[[Arena], dict[str, Any]]:
    """Spend on the option from the account of ``role``."""
    return lambda arena: {"account_id": arena.account(role)}


def spend_options_query(*, own: bool = False, withdrawn: bool = False) -> Arrange:
    """List the options: only the organisation's (``own``), and the withdrawn ones too (``withdrawn``)."""

    def arrange(arena: Arena, caller: str) -> Call:
        query: dict[str, Any] = {"include_withdrawn": True} if withdrawn else {}
        if own:
            query["organisation_id"] = arena.world.organisation_id
        return Call(query=query)

    return arrange


def a_post(*, closed: bool = False, hidden: bool = False, body: Any = None) -> Arrange:
    """A new post of the member's for this caller, in the state asked for."""
    return lambda arena, caller: Call({"post_id": arena.post(closed=closed, hidden=hidden)}, json=body)


def new_post_body(*, for_member: bool) -> Arrange:
    """An offer in the garden: the caller's own, or (``for_member``) the member's."""

    def arrange(arena: Arena, caller: str) -> Call:
        world = arena.world
        body: dict[str, Any] = {
            "kind": "offer",
            "category_id": category_id_named(world.engine, world.timebank_id, "Gardening"),
            "title": "Help in the garden",
            "description": "Weeding and mowing",
            "expires_on": (utc_now().date() + timedelta(days=30)).isoformat(),
        }
        if for_member:
            body["member_id"] = world.member_ids["member"]
        return Call(json=body)

    return arrange


def declaration(body: Any = None, query: Mapping[str, int] | None = None) -> Arrange:
    """The member's benefits declaration."""
    return lambda arena, caller: Call({"account_id": arena.account("member")}, json=body, query=query)


TB = "/v1/timebanks/{tb}"
ACCOUNT = f"{TB}/accounts/{{account_id}}"
EXCHANGE = f"{TB}/exchanges/{{exchange_id}}"
ORGANISATION = f"{TB}/organisations/{{organisation_id}}"
ACTIVITY = f"{TB}/activities/{{activity_id}}"
SPEND_OPTION = f"{TB}/spend-options/{{spend_option_id}}"
POST = f"{TB}/posts/{{post_id}}"
DECLARATION = f"{ACCOUNT}/benefits-declaration"
SELF_OR_COORDINATOR = "self_or_coordinator_required"
COORDINATOR_REQUIRED = "coordinator_required"
NOT_A_PARTY = "not_a_party_to_exchange"
HOLDER_REQUIRED = "account_holder_required"
STAFF_REQUIRED = "organisation_staff_required"
SAY_SO_REQUIRED = "403 member_say_so_required"
LIMITS = {"floor_minutes": FLOOR_MINUTES, "cap_minutes": None, "reason": "Agreed at the members' meeting"}
ORGANISATION_SIDE = {"staff": 200, "organisation_key": 200, "coordinator": 200}
FORUM = {
    "title": "Mental health user forum",
    "held_on": ACTIVITY_DATE.isoformat(),
    "duration_minutes": 120,
    "classification": "uses_services",
    "purpose": "Shaping the crisis line with the people who use it",
}
DECLARE = {"categories": ["prefer_not_to_say"]}
SWIM = {"title": "Swim session", "minutes": MINUTES, "spend_class": "community_activity"}
# The report's rating thresholds: the defaults but for the active rate, so no other row's report
# reads differently for want of them.
RATINGS = {"active_rate": {"amber_from_percent": 30, "green_from_percent": 60}}

ROWS = [
    # The service and logging in and out.
    Row("health", "GET", "/v1/health", nothing, everyone("200")),
    Row("log_in", "POST", "/v1/auth/token", member_login, everyone("200")),
    Row(
        "log_out",
        "POST",
        "/v1/auth/logout",
        fresh_credentials,
        signed_in("204", organisation_key="403 not_allowed"),
    ),
    Row(
        "change_password",
        "POST",
        "/v1/auth/password",
        fresh_login,
        signed_in("204", organisation_key="403 not_allowed"),
    ),
    Row("who_am_i", "GET", "/v1/me", nothing, signed_in("200")),
    # Timebanks: every signed-in caller lists theirs (an admin, all); only an admin makes one.
    Row("list_timebanks", "GET", "/v1/timebanks", nothing, signed_in("200")),
    Row(
        "create_timebank", "POST", "/v1/timebanks", new_timebank, signed_in("403 admin_required", admin="201")
    ),
    Row("get_timebank", "GET", TB, nothing, all_of_timebank(200, admin="200")),
    # Everything of a timebank, as a ZIP: its coordinators only (audited); not an admin, who reads
    # no one's records.
    Row(
        "export_timebank",
        "GET",
        f"{TB}/export.zip",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "update_timebank",
        "PATCH",
        TB,
        lambda arena, caller: Call(json={"pending_expiry_days": 21}),
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    # Accounts: the holder (an organisation's, its staff and key) or a coordinator.
    Row(
        "get_account",
        "GET",
        ACCOUNT,
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "get_account",
        "GET",
        ACCOUNT,
        of("organisation"),
        in_timebank(SELF_OR_COORDINATOR, **ORGANISATION_SIDE),
        "organisation",
    ),
    Row(
        "get_statement",
        "GET",
        f"{ACCOUNT}/statement",
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "get_statement",
        "GET",
        f"{ACCOUNT}/statement",
        of("organisation"),
        in_timebank(SELF_OR_COORDINATOR, **ORGANISATION_SIDE),
        "organisation",
    ),
    Row(
        "list_limit_changes",
        "GET",
        f"{ACCOUNT}/limit-changes",
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "set_limits",
        "PUT",
        f"{ACCOUNT}/limits",
        lambda arena, caller: Call({"account_id": arena.account("member")}, json=LIMITS),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    # Exchanges: the parties (the payer's side records and confirms) or a coordinator.
    Row("list_exchanges", "GET", f"{TB}/exchanges", nothing, all_of_timebank(200), "own"),
    Row(
        "list_exchanges",
        "GET",
        f"{TB}/exchanges",
        lambda arena, caller: Call(query={"account_id": arena.account("member")}),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
        "of the member",
    ),
    Row(
        "record_exchange",
        "POST",
        f"{TB}/exchanges",
        record_body("neighbour", "member"),
        in_timebank(NOT_A_PARTY, member=201, coordinator=201),
    ),
    Row(
        "record_exchange",
        "POST",
        f"{TB}/exchanges",
        record_body("neighbour", "organisation"),
        in_timebank(NOT_A_PARTY, staff=201, organisation_key=201, coordinator=201),
        "organisation",
    ),
    Row(
        "get_exchange",
        "GET",
        EXCHANGE,
        exchange(Arena.confirmed),
        in_timebank(NOT_A_PARTY, member=200, coordinator=200),
    ),
    Row(
        "confirm_exchange",
        "POST",
        f"{EXCHANGE}/confirm",
        exchange(Arena.awaiting_member),
        in_timebank(NOT_A_PARTY, member=200, coordinator=200),
    ),
    Row(
        "decline_exchange",
        "POST",
        f"{EXCHANGE}/decline",
        exchange(Arena.awaiting_member),
        in_timebank(NOT_A_PARTY, member=200, coordinator=200),
    ),
    Row(
        "cancel_exchange",
        "POST",
        f"{EXCHANGE}/cancel",
        exchange(Arena.recorded_by_member),
        in_timebank(NOT_A_PARTY, member=200, coordinator=200),
    ),
    Row(
        "reverse_exchange",
        "POST",
        f"{EXCHANGE}/reverse",
        exchange(Arena.confirmed, {"reason": "Recorded twice by mistake"}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=201),
    ),
    # Gifts: from an account you hold; from the pot, only a coordinator.
    Row(
        "give_credits",
        "POST",
        f"{TB}/gifts",
        gift("member", "neighbour"),
        in_timebank(HOLDER_REQUIRED, member=201, coordinator=201),
    ),
    Row(
        "give_credits",
        "POST",
        f"{TB}/gifts",
        gift("organisation", "pot"),
        in_timebank(HOLDER_REQUIRED, staff=201, organisation_key=201, coordinator=201),
        "organisation donates",
    ),
    Row(
        "give_credits",
        "POST",
        f"{TB}/gifts",
        gift("pot", "member"),
        in_timebank(HOLDER_REQUIRED, coordinator=201),
        "pot grant",
    ),
    # Members: coordinators and admins manage them; a member reads their own record.
    Row(
        "list_members",
        "GET",
        f"{TB}/members",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row("list_directory", "GET", f"{TB}/directory", nothing, all_of_timebank(200)),
    # Reports: the timebank's for its coordinators (and admins); an account's for its holder too.
    Row(
        "get_reciprocity_report",
        "GET",
        f"{TB}/reports/reciprocity",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row(
        "get_reciprocity_report_csv",
        "GET",
        f"{TB}/reports/reciprocity.csv",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row(
        "get_reciprocity_chart_svg",
        "GET",
        f"{TB}/reports/reciprocity/charts/{{chart}}.svg",
        lambda arena, caller: Call({"chart": "role_mix"}),
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row(
        "get_reciprocity_chart_png",
        "GET",
        f"{TB}/reports/reciprocity/charts/{{chart}}.png",
        lambda arena, caller: Call({"chart": "role_mix"}),
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    # The thresholds the report is rated against: read and set by those who read the report.
    Row(
        "get_report_ratings",
        "GET",
        f"{TB}/report-ratings",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row(
        "set_report_ratings",
        "PUT",
        f"{TB}/report-ratings",
        lambda arena, caller: Call(json=RATINGS),
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    Row(
        "get_member_report",
        "GET",
        f"{ACCOUNT}/report",
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    # The benefit-safe statement and its letter: the member and coordinators only, never the
    # organisation's staff or keys (a coordinator's read is audited).
    Row(
        "get_benefit_statement",
        "GET",
        f"{ACCOUNT}/benefit-statement",
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "get_benefit_letter",
        "GET",
        f"{ACCOUNT}/benefit-statement/letter",
        of("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    # ... each form at a path of its own.
    *(
        Row(
            f"get_benefit_{document}_{form}",
            "GET",
            f"{ACCOUNT}/benefit-statement{tail}.{form}",
            of("member"),
            in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
        )
        for document, tail in (("statement", ""), ("letter", "/letter"))
        for form in ("html", "pdf")
    ),
    Row(
        "add_member",
        "POST",
        f"{TB}/members",
        lambda arena, caller: Call(json={"display_name": "Newcomer"}),
        in_timebank(COORDINATOR_REQUIRED, admin="201", coordinator=201),
    ),
    Row(
        "get_member",
        "GET",
        f"{TB}/members/{{member_id}}",
        member("member"),
        in_timebank(SELF_OR_COORDINATOR, admin="200", member=200, coordinator=200),
    ),
    # Everything held about a member, as a ZIP: the member, or a coordinator for them (audited);
    # never staff, keys or other members, and not an admin, who reads no one's declaration.
    Row(
        "download_member_data",
        "GET",
        f"{TB}/members/{{member_id}}/data.zip",
        member("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "update_member",
        "PATCH",
        f"{TB}/members/{{member_id}}",
        member("member", {"tags": ["uses_services"]}),
        in_timebank(COORDINATOR_REQUIRED, admin="200", coordinator=200),
    ),
    # Being told: a member's address and preferences are the member's and coordinators'; the two
    # links need no login (the token in them is the proof).
    Row(
        "get_member_email",
        "GET",
        f"{TB}/members/{{member_id}}/email",
        member("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "set_member_email",
        "PUT",
        f"{TB}/members/{{member_id}}/email",
        member("member", {"email": "member@riverside.example"}),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row("verify_email", "POST", "/v1/email/verify", verification_link, everyone("200")),
    # Ways back in: coordinators issue codes and turn logins off and on; the code, the reset
    # request and the reset link need no login (the secret is the proof).
    Row(
        "issue_password_code",
        "POST",
        f"{TB}/members/{{member_id}}/password-code",
        fresh_member({}, with_login=False),
        in_timebank(COORDINATOR_REQUIRED, coordinator=201),
    ),
    Row(
        "turn_login_off",
        "POST",
        f"{TB}/members/{{member_id}}/login/off",
        fresh_member({"reason": "Away for a month"}, with_login=True),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "turn_login_on",
        "POST",
        f"{TB}/members/{{member_id}}/login/on",
        fresh_member({"reason": "Back again"}, with_login=True),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    # Ending a membership is a coordinator's, for a member of their own: each call ends a fresh one.
    Row(
        "end_membership",
        "POST",
        f"{TB}/members/{{member_id}}/membership-end",
        leaving_member,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    # Erasing a member's personal data: a coordinator, for another member; never anyone else, and
    # not an admin, who reads no one's records.
    Row(
        "erase_member",
        "POST",
        f"{TB}/members/{{member_id}}/erasure",
        fresh_member({"confirm": True}, with_login=True),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row("use_password_code", "POST", "/v1/auth/password-code", password_code, everyone("200")),
    Row("ask_for_password_reset", "POST", "/v1/auth/password-reset-request", reset_request, everyone("202")),
    Row("reset_password", "POST", "/v1/auth/password-reset", reset_link, everyone("200")),
    Row(
        "get_notification_preferences",
        "GET",
        f"{TB}/members/{{member_id}}/notification-preferences",
        member("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "set_notification_preferences",
        "PUT",
        f"{TB}/members/{{member_id}}/notification-preferences",
        member("member", {"exchange_confirmed": True}),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row("unsubscribe", "POST", "/v1/notifications/unsubscribe", unsubscribe_link, everyone("200")),
    # Organisations: everyone in the timebank sees them; coordinators manage them, their contact
    # details and their staff; coordinators and staff manage the keys.
    Row("list_organisations", "GET", f"{TB}/organisations", nothing, all_of_timebank(200)),
    Row(
        "add_organisation",
        "POST",
        f"{TB}/organisations",
        lambda arena, caller: Call(json={"name": "Library"}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=201),
    ),
    Row("get_organisation", "GET", ORGANISATION, organisation(), all_of_timebank(200)),
    Row(
        "update_organisation",
        "PATCH",
        ORGANISATION,
        organisation({"contact_email": "involvement@trust.example"}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "add_staff",
        "POST",
        f"{ORGANISATION}/staff",
        add_neighbour_as_staff,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "remove_staff",
        "DELETE",
        f"{ORGANISATION}/staff/{{member_id}}",
        neighbour_as_staff,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "create_api_key",
        "POST",
        f"{ORGANISATION}/api-keys",
        organisation({"label": "kiosk"}),
        in_timebank("not_allowed", coordinator=201, staff=201),
    ),
    Row(
        "list_api_keys",
        "GET",
        f"{ORGANISATION}/api-keys",
        organisation(),
        in_timebank("not_allowed", coordinator=200, staff=200),
    ),
    Row(
        "revoke_api_key",
        "DELETE",
        f"{ORGANISATION}/api-keys/{{api_key_id}}",
        new_key,
        in_timebank("not_allowed", coordinator=204, staff=204),
    ),
    # Recognising involvement: whoever acts for the organisation (its staff, its key) or a
    # coordinator runs its activities, records who came and what each chose, checks a payment
    # against the benefit guard and repays expenses. Nobody else, not even the attendees.
    Row(
        "create_activity",
        "POST",
        f"{ORGANISATION}/activities",
        organisation(FORUM),
        in_timebank(STAFF_REQUIRED, staff=201, organisation_key=201, coordinator=201),
    ),
    Row(
        "list_activities",
        "GET",
        f"{ORGANISATION}/activities",
        organisation(),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "get_activity",
        "GET",
        ACTIVITY,
        activity(Arena.activity),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "record_attendance",
        "POST",
        f"{ACTIVITY}/attendance",
        activity(Arena.activity, attendance_body),  # a new activity each time: attendance is recorded once
        in_timebank(STAFF_REQUIRED, staff=201, organisation_key=201, coordinator=201),
    ),
    Row(
        "list_attendance",
        "GET",
        f"{ACTIVITY}/attendance",
        activity(Arena.attended),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "check_payment",
        "POST",
        f"{ACTIVITY}/payment-checks",
        activity(Arena.activity, payment_check_body),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "invite_members",
        "POST",
        f"{ACTIVITY}/invitations",
        activity(Arena.activity, lambda arena: {"account_ids": [arena.account("member")]}),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "list_invitations",
        "GET",
        f"{ACTIVITY}/invitations",
        activity(Arena.activity),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "withdraw_invitation",
        "DELETE",
        f"{ACTIVITY}/invitations/{{account_id}}",
        lambda arena, caller: Call({"activity_id": arena.activity(), "account_id": arena.account("member")}),
        in_timebank(STAFF_REQUIRED, staff=204, organisation_key=204, coordinator=204),
    ),
    Row(
        "get_payment_advice",
        "GET",
        f"{ACCOUNT}/payment-advice",
        declaration(),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "record_expense",
        "POST",
        f"{ORGANISATION}/expenses",
        expense_body,
        in_timebank(STAFF_REQUIRED, staff=201, organisation_key=201, coordinator=201),
    ),
    # Spend options: whoever acts for the organisation (its staff, its key) or a coordinator offers
    # and withdraws them; everyone in the timebank sees the active ones. A member spends their own
    # credits, or a coordinator does it for them: not another member, nor the organisation's side.
    Row(
        "create_spend_option",
        "POST",
        f"{ORGANISATION}/spend-options",
        organisation(SWIM),
        in_timebank(STAFF_REQUIRED, staff=201, organisation_key=201, coordinator=201),
    ),
    Row("list_spend_options", "GET", f"{TB}/spend-options", spend_options_query(), all_of_timebank(200)),
    Row(
        "list_spend_options",
        "GET",
        f"{TB}/spend-options",
        spend_options_query(own=True),
        all_of_timebank(200),
        "of the organisation",
    ),
    Row(
        "list_spend_options",
        "GET",
        f"{TB}/spend-options",
        spend_options_query(withdrawn=True),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
        "withdrawn too",
    ),
    Row(
        "list_spend_options",
        "GET",
        f"{TB}/spend-options",
        spend_options_query(own=True, withdrawn=True),
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
        "the organisation's withdrawn too",
    ),
    Row(
        "withdraw_spend_option",
        "POST",
        f"{SPEND_OPTION}/withdraw",
        spend_option(),  # a new option each time, so each caller meets an active one
        in_timebank(STAFF_REQUIRED, **ORGANISATION_SIDE),
    ),
    Row(
        "spend_credits",
        "POST",
        f"{SPEND_OPTION}/spends",
        spend_option(spend_for("member")),
        in_timebank(HOLDER_REQUIRED, member=201, coordinator=201),
    ),
    Row(
        "spend_credits",
        "POST",
        f"{SPEND_OPTION}/spends",
        spend_option(spend_for("staff")),
        in_timebank(HOLDER_REQUIRED, staff=201, coordinator=201),
        "the staff member's own",
    ),
    # A benefits declaration: the member and coordinators read it (never the organisation's staff or
    # key; every read is audited); the member writes it, a coordinator only on the member's say-so.
    Row(
        "get_benefits_declaration",
        "GET",
        DECLARATION,
        declaration(),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "set_benefits_declaration",
        "PUT",
        DECLARATION,
        declaration(DECLARE),
        in_timebank(SELF_OR_COORDINATOR, member=200) | {"coordinator": SAY_SO_REQUIRED},
    ),
    Row(
        "set_benefits_declaration",
        "PUT",
        DECLARATION,
        declaration(DECLARE | {"members_say_so": True}),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
        "member's say-so",
    ),
    Row(
        "delete_benefits_declaration",
        "DELETE",
        DECLARATION,
        declaration(),
        in_timebank(SELF_OR_COORDINATOR, member=204) | {"coordinator": SAY_SO_REQUIRED},
    ),
    Row(
        "delete_benefits_declaration",
        "DELETE",
        DECLARATION,
        declaration(query={"members_say_so": True}),
        in_timebank(SELF_OR_COORDINATOR, member=204, coordinator=204),
        "member's say-so",
    ),
    # The audit log of benefit checks, warnings, choices and reads: coordinators only.
    Row(
        "read_audit_log",
        "GET",
        f"{TB}/audit-log",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    # Offers and requests: everyone in the timebank finds them; a member posts their own, a
    # coordinator for anyone; a post's member or a coordinator changes it; coordinators moderate.
    Row("list_categories", "GET", f"{TB}/categories", nothing, all_of_timebank(200)),
    Row(
        "add_category",
        "POST",
        f"{TB}/categories",
        lambda arena, caller: Call(json={"name": f"Category {uuid.uuid4().hex[:8]}"}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=201),
    ),
    Row(
        "change_category",
        "PATCH",
        f"{TB}/categories/{{category_id}}",
        lambda arena, caller: Call({"category_id": arena.category()}, json={"retired": True}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "search_posts",
        "GET",
        f"{TB}/posts",
        lambda arena, caller: Call(query={"q": "garden"}),
        all_of_timebank(200),
    ),
    Row(
        "create_post",
        "POST",
        f"{TB}/posts",
        new_post_body(for_member=False),
        in_timebank(SELF_OR_COORDINATOR, member=201, other_member=201, coordinator=201, staff=201),
    ),
    Row(
        "create_post",
        "POST",
        f"{TB}/posts",
        new_post_body(for_member=True),
        in_timebank(SELF_OR_COORDINATOR, member=201, coordinator=201),
        "for the member",
    ),
    Row("get_post", "GET", POST, a_post(), all_of_timebank(200)),
    Row(
        "get_post",
        "GET",
        POST,
        a_post(hidden=True),
        in_timebank("post_not_found", member=200, coordinator=200)
        | dict.fromkeys(("other_member", "staff", "organisation_key"), "404 post_not_found"),
        "hidden",
    ),
    Row(
        "change_post",
        "PATCH",
        POST,
        a_post(body={"title": "Weeding"}),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "close_post",
        "POST",
        f"{POST}/close",
        a_post(),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "reopen_post",
        "POST",
        f"{POST}/reopen",
        a_post(closed=True),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "hide_post",
        "POST",
        f"{POST}/hide",
        a_post(body={"reason": "Asks for money"}),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "show_post",
        "POST",
        f"{POST}/show",
        a_post(hidden=True),
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "contact_member",
        "POST",
        f"{POST}/messages",
        a_post(body={"message": "Could you help on Saturday?"}),
        in_timebank(SELF_OR_COORDINATOR, other_member=202, coordinator=202, staff=202)
        | {"member": "422 post_is_your_own"},
    ),
    Row(
        "list_member_posts",
        "GET",
        f"{TB}/members/{{member_id}}/posts",
        member("member"),
        in_timebank(SELF_OR_COORDINATOR, member=200, coordinator=200),
    ),
    Row(
        "get_offers_report",
        "GET",
        f"{TB}/reports/offers",
        nothing,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    # Moving in: only coordinators upload files, read an upload, confirm it and list imports.
    Row(
        "check_import",
        "POST",
        f"{TB}/imports",
        files_to_import,
        in_timebank(COORDINATOR_REQUIRED, coordinator=201),
    ),
    Row("list_imports", "GET", f"{TB}/imports", nothing, in_timebank(COORDINATOR_REQUIRED, coordinator=200)),
    Row(
        "get_import_upload",
        "GET",
        f"{TB}/imports/{{upload_id}}",
        an_upload,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
    Row(
        "confirm_import_upload",
        "POST",
        f"{TB}/imports/{{upload_id}}/confirm",
        an_upload,
        in_timebank(COORDINATOR_REQUIRED, coordinator=200),
    ),
]


def send(arena: Arena, row: Row, caller: str, timebank_id: int | None = None) -> httpx.Response:
    call = row.arrange(arena, caller)
    path = row.path.format(tb=timebank_id or arena.world.timebank_id, **call.ids)
    headers = dict(arena.headers[caller])
    if call.authorization is not None:
        headers["Authorization"] = call.authorization
    if row.method != "GET":
        headers["Idempotency-Key"] = str(uuid.uuid4())
    return arena.world.client.request(
        row.method,
        path,
        json=call.json,
        data=call.form,
        files=call.files,
        params=call.query,
        headers=headers,
    )


def outcome(response: httpx.Response) -> str:
    """``"200"`` for a success; ``"403 coordinator_required"`` for a refusal that is a problem document."""
    if response.is_success:
        return str(response.status_code)
    media_type = response.headers.get("content-type", "").split(";")[0]
    if media_type != "application/problem+json":
        return f"{response.status_code} as {media_type or 'no content type'}, not a problem document"
    code = response.json().get("code")
    return f"{response.status_code} {code}"


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_every_caller_gets_the_outcome_the_matrix_names(arena: Arena, row: Row) -> None:
    mismatches = []
    for caller in CALLERS:
        got = outcome(send(arena, row, caller))
        if got != row.expected[caller]:
            mismatches.append(f"{row.name} as {caller}: expected {row.expected[caller]}, got {got}")
    if "{tb}" in row.path:
        for caller in TIMEBANK_CALLERS:
            got = outcome(send(arena, row, caller, timebank_id=arena.world.other_timebank_id))
            if got != NOT_HERE:
                mismatches.append(
                    f"{row.name} as {caller} under the other timebank: expected {NOT_HERE}, got {got}"
                )

    assert not mismatches, "\n".join(mismatches)


def _spec_operations() -> dict[str, tuple[str, str, set[str]]]:
    """Each operation id of the committed spec: its method, its path and its success statuses."""
    spec = json.loads(SPEC.read_text())
    return {
        operation["operationId"]: (
            method.upper(),
            path,
            {status for status in operation["responses"] if status.startswith("2")},
        )
        for path, item in spec["paths"].items()
        for method, operation in item.items()
    }


def test_the_matrix_has_a_row_for_every_operation_of_the_committed_spec() -> None:
    operations = _spec_operations()

    assert {row.operation_id for row in ROWS} == set(operations)
    for row in ROWS:
        method, path, successes = operations[row.operation_id]
        assert (row.method, row.path) == (method, path), row.name
        expected_successes = {outcome for outcome in row.expected.values() if outcome.startswith("2")}
        assert expected_successes, f"{row.name}: nobody may call it"
        assert expected_successes <= successes, row.name


def test_every_row_denies_by_default() -> None:
    for row in ROWS:
        assert set(row.expected) == set(CALLERS), row.name
        if row.operation_id in PUBLIC_OPERATIONS:
            continue
        assert row.expected["anonymous"] == ANONYMOUS, row.name
        assert row.expected["revoked_token"] == LOGGED_OUT, row.name
        if "{tb}" in row.path:
            for outsider in OUTSIDERS:
                assert row.expected[outsider] == NOT_HERE, row.name


# Operations under /v1/timebanks/{tb} whose path, query and body name nothing but the timebank:
# another timebank can only be named in their path, which the matrix's rows already check.
NAMES_NOTHING_BUT_THE_TIMEBANK = {
    "get_timebank",
    "export_timebank",
    "update_timebank",
    "list_members",
    "add_member",
    "list_directory",
    "list_organisations",
    "add_organisation",
    "get_report_ratings",
    "set_report_ratings",
    "list_categories",
    "add_category",
    "get_offers_report",
    "check_import",
    "list_imports",
}


def far_requests(arena: Arena) -> list[tuple[str, str, str, Any, str]]:
    """Requests under this timebank's path that name another timebank's objects.

    Each is (operation id, method, path under the timebank, body, the code of the 404).
    """
    world = arena.world
    engine, other = world.engine, world.other_timebank_id
    coordinator = coordinator_of(other)
    stranger = add_member(engine, other, coordinator, "Stranger")
    far = record_exchange(
        engine,
        other,
        COORDINATOR_ACTOR,
        stranger.account_id,
        [ReceiverShare(world.other_account_id, MINUTES)],
        ACTIVITY_DATE,
        "Far away",
    ).exchange_id
    trust = add_organisation(engine, other, coordinator, "Hillside Trust").organisation_id
    far_key = create_api_key(engine, other, coordinator, trust, "far till").api_key_id
    far_activity = create_activity(
        engine,
        other,
        coordinator,
        trust,
        "Far forum",
        ACTIVITY_DATE,
        60,
        ActivityClassification.USES_SERVICES,
    ).activity_id
    far_option = create_spend_option(
        engine, other, coordinator, trust, "Far swim", MINUTES, SpendClass.COMMUNITY_ACTIVITY
    ).spend_option_id
    account, member_id, organisation_id = world.other_account_id, stranger.member_id, world.organisation_id
    here, coordinator_here = world.account_ids["member"], world.member_ids["coordinator"]
    near_activity = arena.activity()
    near_option = arena.spend_option()
    far_attendee = {"attendees": [{"account_id": account, "minutes": MINUTES, "choice": "credits"}]}
    expense = expense_body(arena, "coordinator").json
    exchange_body = {
        "giver_account_id": account,
        "receivers": [{"account_id": here, "minutes": MINUTES}],
        "activity_date": ACTIVITY_DATE.isoformat(),
        "description": "Help from afar",
    }
    give = {"from_account_id": here, "to_account_id": account, "minutes": 1}
    take = {"from_account_id": account, "to_account_id": here, "minutes": 1}
    say_so = {**DECLARE, "members_say_so": True}
    charts = "/reports/reciprocity/charts/role_mix"
    far_poster = add_member(engine, other, coordinator, "Far poster")
    far_post = post_for(engine, other, far_poster.member_id).post_id
    far_category = category_id_named(engine, other, "Gardening")
    far_upload = arena.upload(other)
    near_post = arena.post()
    new_post = new_post_body(for_member=False)(arena, "coordinator").json
    from_far_post = {
        "giver_account_id": here,
        "receivers": [{"account_id": world.account_ids["other_member"], "minutes": MINUTES}],
        "activity_date": ACTIVITY_DATE.isoformat(),
        "description": "From a post elsewhere",
        "post_id": far_post,
    }
    return [
        ("change_category", "PATCH", f"/categories/{far_category}", {"retired": True}, "category_not_found"),
        ("search_posts", "GET", f"/posts?category={far_category}", None, "category_not_found"),
        ("create_post", "POST", "/posts", {**new_post, "category_id": far_category}, "category_not_found"),
        (
            "create_post",
            "POST",
            "/posts",
            {**new_post, "member_id": far_poster.member_id},
            "member_not_found",
        ),
        ("get_post", "GET", f"/posts/{far_post}", None, "post_not_found"),
        ("change_post", "PATCH", f"/posts/{far_post}", {"title": "Mine"}, "post_not_found"),
        ("change_post", "PATCH", f"/posts/{near_post}", {"category_id": far_category}, "category_not_found"),
        ("close_post", "POST", f"/posts/{far_post}/close", None, "post_not_found"),
        ("reopen_post", "POST", f"/posts/{far_post}/reopen", None, "post_not_found"),
        ("hide_post", "POST", f"/posts/{far_post}/hide", {"reason": "x"}, "post_not_found"),
        ("show_post", "POST", f"/posts/{far_post}/show", None, "post_not_found"),
        ("contact_member", "POST", f"/posts/{far_post}/messages", {"message": "Hi"}, "post_not_found"),
        (
            "contact_member",
            "POST",
            f"/posts/{near_post}/messages",
            {"message": "Hi", "to_member_id": far_poster.member_id, "reply_token": "0" * 32},
            "member_not_found",
        ),
        ("list_member_posts", "GET", f"/members/{far_poster.member_id}/posts", None, "member_not_found"),
        ("record_exchange", "POST", "/exchanges", from_far_post, "post_not_found"),
        ("get_account", "GET", f"/accounts/{account}", None, "account_not_found"),
        ("get_statement", "GET", f"/accounts/{account}/statement", None, "account_not_found"),
        ("list_limit_changes", "GET", f"/accounts/{account}/limit-changes", None, "account_not_found"),
        ("set_limits", "PUT", f"/accounts/{account}/limits", LIMITS, "account_not_found"),
        ("get_member_report", "GET", f"/accounts/{account}/report", None, "account_not_found"),
        ("get_benefit_statement", "GET", f"/accounts/{account}/benefit-statement", None, "account_not_found"),
        (
            "get_benefit_letter",
            "GET",
            f"/accounts/{account}/benefit-statement/letter",
            None,
            "account_not_found",
        ),
        *(
            (
                f"get_benefit_{document}_{form}",
                "GET",
                f"/accounts/{account}/{path}.{form}",
                None,
                "account_not_found",
            )
            for document, path in (("statement", "benefit-statement"), ("letter", "benefit-statement/letter"))
            for form in ("html", "pdf")
        ),
        ("list_exchanges", "GET", f"/exchanges?account_id={account}", None, "account_not_found"),
        ("record_exchange", "POST", "/exchanges", exchange_body, "account_not_found"),
        ("get_exchange", "GET", f"/exchanges/{far}", None, "exchange_not_found"),
        ("confirm_exchange", "POST", f"/exchanges/{far}/confirm", None, "exchange_not_found"),
        ("decline_exchange", "POST", f"/exchanges/{far}/decline", None, "exchange_not_found"),
        ("cancel_exchange", "POST", f"/exchanges/{far}/cancel", None, "exchange_not_found"),
        (
            "reverse_exchange",
            "POST",
            f"/exchanges/{far}/reverse",
            {"reason": "Not ours"},
            "exchange_not_found",
        ),
        ("give_credits", "POST", "/gifts", give, "account_not_found"),
        ("give_credits", "POST", "/gifts", take, "account_not_found"),
        ("get_member", "GET", f"/members/{member_id}", None, "member_not_found"),
        ("download_member_data", "GET", f"/members/{member_id}/data.zip", None, "member_not_found"),
        ("issue_password_code", "POST", f"/members/{member_id}/password-code", {}, "member_not_found"),
        ("turn_login_off", "POST", f"/members/{member_id}/login/off", {"reason": "x"}, "member_not_found"),
        ("turn_login_on", "POST", f"/members/{member_id}/login/on", {"reason": "x"}, "member_not_found"),
        (
            "end_membership",
            "POST",
            f"/members/{member_id}/membership-end",
            {"ended_on": utc_now().date().isoformat(), "reason": "x"},
            "member_not_found",
        ),
        ("erase_member", "POST", f"/members/{member_id}/erasure", {"confirm": True}, "member_not_found"),
        ("get_member_email", "GET", f"/members/{member_id}/email", None, "member_not_found"),
        (
            "set_member_email",
            "PUT",
            f"/members/{member_id}/email",
            {"email": "a@b.example"},
            "member_not_found",
        ),
        (
            "get_notification_preferences",
            "GET",
            f"/members/{member_id}/notification-preferences",
            None,
            "member_not_found",
        ),
        (
            "set_notification_preferences",
            "PUT",
            f"/members/{member_id}/notification-preferences",
            {"exchange_confirmed": False},
            "member_not_found",
        ),
        ("update_member", "PATCH", f"/members/{member_id}", {"tags": ["far"]}, "member_not_found"),
        ("get_organisation", "GET", f"/organisations/{trust}", None, "organisation_not_found"),
        (
            "update_organisation",
            "PATCH",
            f"/organisations/{trust}",
            {"contact_phone": "01632 960000"},
            "organisation_not_found",
        ),
        (
            "add_staff",
            "POST",
            f"/organisations/{trust}/staff",
            {"member_id": coordinator_here},
            "organisation_not_found",
        ),
        (
            "add_staff",
            "POST",
            f"/organisations/{organisation_id}/staff",
            {"member_id": member_id},
            "member_not_found",
        ),
        (
            "remove_staff",
            "DELETE",
            f"/organisations/{trust}/staff/{coordinator_here}",
            None,
            "organisation_not_found",
        ),
        (
            "remove_staff",
            "DELETE",
            f"/organisations/{organisation_id}/staff/{member_id}",
            None,
            "member_not_found",
        ),
        ("list_api_keys", "GET", f"/organisations/{trust}/api-keys", None, "organisation_not_found"),
        (
            "create_api_key",
            "POST",
            f"/organisations/{trust}/api-keys",
            {"label": "sneaky"},
            "organisation_not_found",
        ),
        (
            "revoke_api_key",
            "DELETE",
            f"/organisations/{trust}/api-keys/{far_key}",
            None,
            "organisation_not_found",
        ),
        (
            "revoke_api_key",
            "DELETE",
            f"/organisations/{organisation_id}/api-keys/{far_key}",
            None,
            "api_key_not_found",
        ),
        ("create_activity", "POST", f"/organisations/{trust}/activities", FORUM, "organisation_not_found"),
        ("list_activities", "GET", f"/organisations/{trust}/activities", None, "organisation_not_found"),
        ("get_activity", "GET", f"/activities/{far_activity}", None, "activity_not_found"),
        (
            "record_attendance",
            "POST",
            f"/activities/{far_activity}/attendance",
            attendance_body(arena),
            "activity_not_found",
        ),
        (
            "record_attendance",
            "POST",
            f"/activities/{near_activity}/attendance",
            far_attendee,
            "account_not_found",
        ),
        ("list_attendance", "GET", f"/activities/{far_activity}/attendance", None, "activity_not_found"),
        (
            "check_payment",
            "POST",
            f"/activities/{far_activity}/payment-checks",
            payment_check_body(arena),
            "activity_not_found",
        ),
        (
            "check_payment",
            "POST",
            f"/activities/{near_activity}/payment-checks",
            {"account_id": account, "amount_pence": PAYMENT_PENCE},
            "account_not_found",
        ),
        (
            "invite_members",
            "POST",
            f"/activities/{far_activity}/invitations",
            {"account_ids": [here]},
            "activity_not_found",
        ),
        (
            "invite_members",
            "POST",
            f"/activities/{near_activity}/invitations",
            {"account_ids": [account]},
            "account_not_found",
        ),
        ("list_invitations", "GET", f"/activities/{far_activity}/invitations", None, "activity_not_found"),
        (
            "withdraw_invitation",
            "DELETE",
            f"/activities/{far_activity}/invitations/{here}",
            None,
            "activity_not_found",
        ),
        (
            "withdraw_invitation",
            "DELETE",
            f"/activities/{near_activity}/invitations/{account}",
            None,
            "account_not_found",
        ),
        ("get_payment_advice", "GET", f"/accounts/{account}/payment-advice", None, "account_not_found"),
        ("record_expense", "POST", f"/organisations/{trust}/expenses", expense, "organisation_not_found"),
        (
            "record_expense",
            "POST",
            f"/organisations/{organisation_id}/expenses",
            {**expense, "account_id": account},
            "account_not_found",
        ),
        (
            "record_expense",
            "POST",
            f"/organisations/{organisation_id}/expenses",
            {**expense, "activity_id": far_activity},
            "activity_not_found",
        ),
        (
            "get_benefits_declaration",
            "GET",
            f"/accounts/{account}/benefits-declaration",
            None,
            "account_not_found",
        ),
        (
            "set_benefits_declaration",
            "PUT",
            f"/accounts/{account}/benefits-declaration",
            say_so,
            "account_not_found",
        ),
        (
            "delete_benefits_declaration",
            "DELETE",
            f"/accounts/{account}/benefits-declaration?members_say_so=true",
            None,
            "account_not_found",
        ),
        ("read_audit_log", "GET", f"/audit-log?account_id={account}", None, "account_not_found"),
        (
            "get_reciprocity_report",
            "GET",
            f"/reports/reciprocity?organisation_id={trust}",
            None,
            "organisation_not_found",
        ),
        (
            "get_reciprocity_report_csv",
            "GET",
            f"/reports/reciprocity.csv?organisation_id={trust}",
            None,
            "organisation_not_found",
        ),
        *(
            (
                f"get_reciprocity_chart_{form}",
                "GET",
                f"{charts}.{form}?organisation_id={trust}",
                None,
                "organisation_not_found",
            )
            for form in ("svg", "png")
        ),
        (
            "create_spend_option",
            "POST",
            f"/organisations/{trust}/spend-options",
            SWIM,
            "organisation_not_found",
        ),
        (
            "list_spend_options",
            "GET",
            f"/spend-options?organisation_id={trust}",
            None,
            "organisation_not_found",
        ),
        (
            "list_spend_options",
            "GET",
            f"/spend-options?organisation_id={trust}&include_withdrawn=true",
            None,
            "organisation_not_found",
        ),
        (
            "withdraw_spend_option",
            "POST",
            f"/spend-options/{far_option}/withdraw",
            None,
            "spend_option_not_found",
        ),
        (
            "spend_credits",
            "POST",
            f"/spend-options/{far_option}/spends",
            {"account_id": here},
            "spend_option_not_found",
        ),
        (
            "spend_credits",
            "POST",
            f"/spend-options/{near_option}/spends",
            {"account_id": account},
            "account_not_found",
        ),
        ("get_import_upload", "GET", f"/imports/{far_upload}", None, "import_upload_not_found"),
        ("confirm_import_upload", "POST", f"/imports/{far_upload}/confirm", None, "import_upload_not_found"),
    ]


def test_every_operation_that_names_an_object_is_asked_for_another_timebanks(arena: Arena) -> None:
    named = {operation for operation, *_ in far_requests(arena)}
    under_a_timebank = {operation for operation, (_, path, _) in _spec_operations().items() if "{tb}" in path}

    assert named | NAMES_NOTHING_BUT_THE_TIMEBANK == under_a_timebank
    assert not named & NAMES_NOTHING_BUT_THE_TIMEBANK


@pytest.mark.parametrize("caller", [*TIMEBANK_CALLERS, "admin"])
def test_another_timebanks_ids_are_not_found_under_this_timebanks_path_whatever_the_role(
    arena: Arena, caller: str
) -> None:
    """The README's promise: another timebank's objects answer 404 whatever the role.

    Bug fix: a member (or staff, or an API key) naming another timebank's account, member or
    exchange under their own timebank's path was told 403 (it is not theirs) rather than 404; the
    existence check now comes before the permission check, as the error tree orders them. A
    platform admin, who belongs to no timebank, may meet ``timebank_not_found`` first.
    """
    world = arena.world
    mismatches = []
    for operation, method, path, body, code in far_requests(arena):
        headers = {**arena.headers[caller], "Idempotency-Key": str(uuid.uuid4())}
        response = world.client.request(method, world.url(path), json=body, headers=headers)
        got = outcome(response)
        allowed = {f"404 {code}"} | ({NOT_HERE} if caller == "admin" else set())
        if got not in allowed:
            mismatches.append(f"{operation} {method} {path}: expected 404 {code}, got {got}")

    assert not mismatches, "\n".join(mismatches)


# The older URLs of the report's CSV, its charts and the statement's and letter's page and PDF
# (issue 15 gave each form an operation of its own). They still answer, by content negotiation or
# ``?format=``, and the chart's is left out of the contract, so no row above names them: each must
# answer every caller as the operation that replaced it does, and with the same media type.
OLDER_URLS = [
    ("get_reciprocity_report_csv", "/reports/reciprocity", {}, {"Accept": "text/csv"}),
    ("get_reciprocity_chart_svg", "/reports/reciprocity/charts/role_mix", {}, {}),
    ("get_reciprocity_chart_png", "/reports/reciprocity/charts/role_mix", {"format": "png"}, {}),
    ("get_benefit_statement_html", "/accounts/{member}/benefit-statement", {"format": "html"}, {}),
    ("get_benefit_statement_pdf", "/accounts/{member}/benefit-statement", {}, {"Accept": "application/pdf"}),
    ("get_benefit_letter_html", "/accounts/{member}/benefit-statement/letter", {}, {"Accept": "text/html"}),
    ("get_benefit_letter_pdf", "/accounts/{member}/benefit-statement/letter", {"format": "pdf"}, {}),
]


@pytest.mark.parametrize(("operation_id", "path", "query", "extra"), OLDER_URLS, ids=lambda v: str(v))
def test_an_older_url_answers_every_caller_as_the_operation_that_replaced_it(
    arena: Arena, operation_id: str, path: str, query: dict[str, str], extra: dict[str, str]
) -> None:
    (row,) = [row for row in ROWS if row.operation_id == operation_id]
    world = arena.world
    member = arena.account("member")
    mismatches = []
    for caller in CALLERS:
        for timebank_id in (world.timebank_id, world.other_timebank_id):
            url = world.url(path.format(member=member), timebank_id)
            headers = {**arena.headers[caller], **extra}
            older, newer = (
                world.client.get(url, params=query, headers=headers),
                send(arena, row, caller, timebank_id),
            )
            expected = row.expected[caller] if timebank_id == world.timebank_id else outcome(newer)
            if outcome(older) != expected or outcome(newer) != expected:
                mismatches.append(
                    f"{caller} in {timebank_id}: older {outcome(older)}, newer {outcome(newer)}"
                )
            elif older.is_success:
                assert older.headers["content-type"] == newer.headers["content-type"], caller
    assert not mismatches, "\n".join(mismatches)
