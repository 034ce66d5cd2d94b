"""Who may open each page, for every page the app serves, and what no page shows.

Every route of every page module (``timebank.web.pages.PAGE_MODULES``) must be named in ``AUDIENCE``,
so a new page cannot be added without saying who it is for; the matrix then checks each GET page:

- a visitor with no session is sent to log in (only the public pages answer them);
- a member gets 403 on every coordinator's and staff's page, and staff on every coordinator's page,
  and a post there by them records nothing;
- ids from another timebank (a member, an exchange, an organisation, an activity) answer 404;
- the benefit sweep: with Alice's declaration on record, no page read by a coordinator, staff or
  another member names a benefit she declared. Her own ``/benefits`` pages are for her (tested in
  tests/web/test_benefit_pages.py), and a coordinator's view of a declaration, where one exists, is
  listed in ``SHOWS_A_DECLARATION``.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.involvement_calls import (
    create_activity,
    create_spend_option,
    record_expense,
    set_declaration,
    spend_credits,
)
from tests.ledger_calls import confirm_exchange, give_credits, record_exchange, reverse_exchange
from tests.offer_calls import category_id_named, post_for
from tests.people_calls import add_member, create_api_key
from tests.web.site import Site, Visitor, build_site
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.money import Receipt
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.imports import ImportSource, SourceFile, check_upload
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.people.erasure import erase_member
from timebank.people.requests import EraseMember
from timebank.web.pages import PAGE_MODULES

PUBLIC = "public"  # anyone, logged in or not
MEMBER = "member"  # anyone logged in (each use case limits what they see to their own)
COORDINATOR = "coordinator"
STAFF = "staff"  # staff of an organisation, and coordinators

AUDIENCE: dict[str, str] = {
    "/login": PUBLIC,
    "/logout": MEMBER,
    "/email/verify": PUBLIC,
    "/notifications/unsubscribe": PUBLIC,
    "/": MEMBER,
    "/record": MEMBER,
    "/exchanges/{exchange_id}": MEMBER,
    "/exchanges/{exchange_id}/{action}": MEMBER,
    "/statement": MEMBER,
    "/statement/print": MEMBER,
    "/statement.csv": MEMBER,
    "/spend": MEMBER,
    "/spend/{option_id}": MEMBER,
    "/spend/done/{transaction_id}": MEMBER,
    "/offers": MEMBER,
    "/offers/new": MEMBER,
    "/offers/mine": MEMBER,
    "/offers/{post_id}/close": MEMBER,
    "/offers/{post_id}": MEMBER,
    "/offers/{post_id}/message": MEMBER,
    "/offers/{post_id}/hide": COORDINATOR,
    "/offers/{post_id}/show": COORDINATOR,
    "/give": MEMBER,
    "/give/done/{transaction_id}": MEMBER,
    "/benefits": MEMBER,
    "/benefits/statement": MEMBER,
    "/benefits/statement.pdf": MEMBER,
    "/benefits/letter": MEMBER,
    "/benefits/letter.pdf": MEMBER,
    "/benefits/declaration": MEMBER,
    "/benefits/declaration/delete": MEMBER,
    "/password": MEMBER,
    "/password/changed": MEMBER,
    "/email": MEMBER,
    "/email/remove": MEMBER,
    "/email/messages": MEMBER,
    "/members": COORDINATOR,
    "/members/new": COORDINATOR,
    "/members/{member_id}": COORDINATOR,
    "/members/{member_id}/statement": COORDINATOR,
    "/members/{member_id}/edit": COORDINATOR,
    "/members/{member_id}/limits": COORDINATOR,
    "/members/{member_id}/record": COORDINATOR,
    "/members/{member_id}/recorded/{exchange_id}": COORDINATOR,
    "/members/{member_id}/password-code": COORDINATOR,
    "/members/{member_id}/login": COORDINATOR,
    "/members/{member_id}/end": COORDINATOR,
    "/members/{member_id}/erase": COORDINATOR,
    "/members/{member_id}/erased": COORDINATOR,
    "/members/{member_id}/offers": COORDINATOR,
    "/members/{member_id}/offers/new": COORDINATOR,
    "/members/{member_id}/offers/{post_id}/close": COORDINATOR,
    "/categories": COORDINATOR,
    "/categories/new": COORDINATOR,
    "/categories/{category_id}/rename": COORDINATOR,
    "/categories/{category_id}/retire": COORDINATOR,
    "/categories/{category_id}/restore": COORDINATOR,
    "/organisations": COORDINATOR,
    "/organisations/new": COORDINATOR,
    "/organisations/{organisation_id}": COORDINATOR,
    "/organisations/{organisation_id}/contact": COORDINATOR,
    "/organisations/{organisation_id}/staff": COORDINATOR,
    "/organisations/{organisation_id}/staff/{member_id}/remove": COORDINATOR,
    "/organisations/{organisation_id}/api-keys": COORDINATOR,
    "/organisations/{organisation_id}/api-keys/{api_key_id}/revoke": COORDINATOR,
    "/activities": STAFF,
    "/activities/new": STAFF,
    "/activities/{activity_id}": STAFF,
    "/activities/{activity_id}/invitations": STAFF,
    "/activities/{activity_id}/invitations/{account_id}/withdraw": STAFF,
    "/activities/{activity_id}/attendance": STAFF,
    "/expenses": STAFF,
    "/expenses/new": STAFF,
    "/spend-options": STAFF,
    "/spend-options/new": STAFF,
    "/spend-options/{spend_option_id}/withdraw": STAFF,
    "/exchanges/{exchange_id}/reverse": COORDINATOR,
    "/exchanges/{exchange_id}/reversed": COORDINATOR,
    "/waiting": COORDINATOR,
    "/audit": COORDINATOR,
    "/settings": COORDINATOR,
    "/settings/ratings": COORDINATOR,
    "/imports": COORDINATOR,
    "/imports/templates/{name}": COORDINATOR,
    "/imports/{upload_id}": COORDINATOR,
    "/imports/{upload_id}/confirm": COORDINATOR,
    "/settings/export.zip": COORDINATOR,
    "/reports": COORDINATOR,
    "/reports/print": COORDINATOR,
    "/reports.csv": COORDINATOR,
    "/reports/{slug}.png": COORDINATOR,
    "/reports/offers": COORDINATOR,
    "/reports/offers.csv": COORDINATOR,
    "/data": MEMBER,
    "/data.zip": MEMBER,
    "/members/{member_id}/data.zip": COORDINATOR,
    "/password/code": PUBLIC,
    "/password/forgot": PUBLIC,
    "/password/reset": PUBLIC,
}

# Pages whose job is to show a declaration to a coordinator (left out of the sweep, tested on their own).
# A coordinator's download of Alice's data holds her declaration, as her own download does.
SHOWS_A_DECLARATION: set[str] = {"/members/{member_id}/data.zip"}
# The report's downloads refuse a group too small to report on without naming people (409): the
# test timebank has a handful of members. tests/web/test_report_pages.py downloads them for a large one.
SMALL_GROUP_REFUSED = {"/reports.csv", "/reports/{slug}.png"}
# The form where a member declares their own benefits lists every benefit as a choice.
DECLARATION_FORMS = {"/benefits/declaration"}

DECLARED = (BenefitCategory.UNIVERSAL_CREDIT, BenefitCategory.CARERS_ALLOWANCE)
_PARAMETER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class PageRoute:
    path: str
    method: str


def page_routes() -> list[PageRoute]:
    found = []
    for module in PAGE_MODULES:
        for route in module.router.routes:
            assert isinstance(route, APIRoute)
            for method in sorted(route.methods):
                found.append(PageRoute(route.path, method))
    return found


GETS = [route.path for route in page_routes() if route.method == "GET"]
POSTS = [route.path for route in page_routes() if route.method == "POST"]


# Path parameters that name no object of a timebank (a chart's name, a button's action, a template's
# file name).
NOT_IDS = {"slug", "action", "name"}


def _names_an_id(path: str) -> bool:
    return bool(set(_PARAMETER.findall(path)) - NOT_IDS)


@dataclass
class Ids:
    """Real ids for each path parameter: this timebank's (Alice's, where a page is about a member)
    and another timebank's."""

    here: dict[str, int | str]
    elsewhere: dict[str, int | str]
    # Where one page's parameter needs an id of its own kind (a spend is a transaction, but not a gift).
    by_page: dict[str, dict[str, int | str]]

    def path(self, template: str, *, elsewhere: bool = False) -> str:
        ids = dict(self.elsewhere if elsewhere else self.here)
        ids.update(self.by_page.get(template, {}) if not elsewhere else {})

        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in ids, f"tests/web/test_page_access.py has no id for {{{name}}} in {template}"
            return str(ids[name])

        return _PARAMETER.sub(fill, template)


def page_world(site: Site) -> Ids:
    engine, here, there = site.engine, site.timebank_id, site.other_timebank_id
    system = Caller.coordinator_of(here)
    alice = Actor("test:alice", site.account_ids["alice"])
    exchange = site.record("alice", "bob", 90, "Gardening", by="alice")
    bob = Actor("test:bob", site.account_ids["bob"])
    posted = site.record("alice", "bob", 30, "Shopping", by="alice")
    confirm_exchange(engine, here, bob, posted.exchange_id)
    undone = site.record("alice", "bob", 20, "Ironing", by="alice")
    confirm_exchange(engine, here, bob, undone.exchange_id)
    reverse_exchange(
        engine, here, Actor("test:cora", None, is_coordinator=True), undone.exchange_id, "By mistake"
    )
    gift = give_credits(engine, here, alice, site.account_ids["alice"], site.pot_account_id, 15)
    held_on = utc_now().date() - timedelta(days=1)
    activity = create_activity(
        engine,
        here,
        system,
        site.organisation_id,
        "User forum",
        held_on,
        120,
        ActivityClassification.USES_SERVICES,
    )
    option = create_spend_option(
        engine, here, system, site.organisation_id, "Swim", 60, SpendClass.COMMUNITY_ACTIVITY
    )
    spent = spend_credits(engine, here, system, option.spend_option_id, site.account_ids["alice"])
    set_declaration(engine, here, system, site.account_ids["alice"], DECLARED, members_say_so=True)
    record_expense(
        engine,
        here,
        system,
        site.organisation_id,
        site.account_ids["alice"],
        250,
        Receipt("Bus 14", 250),
        "Bus fare",
        held_on,
        activity_id=activity.activity_id,
    )
    key = create_api_key(engine, here, system, site.organisation_id, "Booking system")
    erased = add_member(engine, here, system, "Eve Leaving")
    erase_member(engine, here, system, erased.member_id, EraseMember(confirm=True))

    elsewhere_system = Caller.coordinator_of(there)
    neighbour = add_member(engine, there, elsewhere_system, "Nora Neighbour")
    olive = Actor("test:olive", site.account_ids["olive"])
    far_exchange = record_exchange(
        engine,
        there,
        olive,
        site.account_ids["olive"],
        [ReceiverShare(neighbour.account_id, 30)],
        held_on,
        "Ironing",
    )
    far_gift = give_credits(engine, there, olive, site.account_ids["olive"], neighbour.account_id, 5)
    far_activity = create_activity(
        engine,
        there,
        elsewhere_system,
        site.other_organisation_id,
        "Board",
        held_on,
        60,
        ActivityClassification.USES_SERVICES,
    )
    far_key = create_api_key(engine, there, elsewhere_system, site.other_organisation_id, "Till")
    far_option = create_spend_option(
        engine, there, elsewhere_system, site.other_organisation_id, "Gym", 60, SpendClass.COMMUNITY_ACTIVITY
    )
    olive_member_id = neighbour.member_id  # any member of the other timebank
    post = post_for(engine, here, site.member_ids["alice"])
    far_post = post_for(engine, there, neighbour.member_id)
    bobs_post = post_for(engine, here, site.member_ids["bob"])  # Alice writes about someone else's
    upload = check_upload(
        engine,
        here,
        system,
        ImportSource.SPREADSHEET,
        [SourceFile("members.csv", b"name\r\nDora Import\r\n")],
    )
    far_upload = check_upload(
        engine,
        there,
        elsewhere_system,
        ImportSource.SPREADSHEET,
        [SourceFile("members.csv", b"name\r\nDora Import\r\n")],
    )
    return Ids(
        here={
            "exchange_id": exchange.exchange_id,
            "action": "confirm",
            "transaction_id": gift.transaction_id,
            "option_id": option.spend_option_id,
            "spend_option_id": option.spend_option_id,
            "member_id": site.member_ids["alice"],
            "account_id": site.account_ids["alice"],
            "organisation_id": site.organisation_id,
            "activity_id": activity.activity_id,
            "api_key_id": key.api_key_id,
            "post_id": post.post_id,
            "category_id": category_id_named(engine, here, "Gardening"),
            "upload_id": upload.upload_id,
            "slug": "monthly",
            "name": "members.csv",
        },
        elsewhere={
            "exchange_id": far_exchange.exchange_id,
            "action": "confirm",
            "transaction_id": far_gift.transaction_id,
            "option_id": far_option.spend_option_id,
            "spend_option_id": far_option.spend_option_id,
            "member_id": olive_member_id,
            "account_id": neighbour.account_id,
            "organisation_id": site.other_organisation_id,
            "activity_id": far_activity.activity_id,
            "api_key_id": far_key.api_key_id,
            "post_id": far_post.post_id,
            "category_id": category_id_named(engine, there, "Gardening"),
            "upload_id": far_upload.upload_id,
            "slug": "monthly",
            "name": "members.csv",
        },
        by_page={
            "/spend/done/{transaction_id}": {"transaction_id": spent.transaction_id},
            "/exchanges/{exchange_id}/reverse": {"exchange_id": posted.exchange_id},
            "/exchanges/{exchange_id}/reversed": {"exchange_id": undone.exchange_id},
            "/members/{member_id}/erased": {"member_id": erased.member_id},
            "/offers/{post_id}/message": {"post_id": bobs_post.post_id},
        },
    )


@pytest.fixture
def world(engine: Engine) -> tuple[Site, Ids]:
    site = build_site(engine)
    return site, page_world(site)


def _csrf_of(visitor: Visitor) -> str:
    home = visitor.get("/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', home.text)
    assert match, "the home page carries the log out form's CSRF token"
    return match.group(1)


def _text(answer: Response) -> str:
    if answer.headers.get("content-type", "").startswith("application/pdf"):
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(answer.content)).pages)
    if answer.headers.get("content-type", "").startswith("application/zip"):
        # Every file in it: a download of everything must name no declared benefit either.
        archive = zipfile.ZipFile(io.BytesIO(answer.content))
        return "\n".join(archive.read(name).decode("utf-8", errors="replace") for name in archive.namelist())
    return answer.content.decode("utf-8", errors="replace")


def test_every_page_says_who_it_is_for() -> None:
    served = {route.path for route in page_routes()}
    assert served == set(AUDIENCE), "add each new page to AUDIENCE (and each page gone from it)"
    assert set(AUDIENCE.values()) <= {PUBLIC, MEMBER, COORDINATOR, STAFF}


def test_a_visitor_with_no_session_is_sent_to_log_in(world: tuple[Site, Ids]) -> None:
    site, ids = world
    visitor = site.visitor()
    for path in GETS:
        answer = visitor.get(ids.path(path))
        if AUDIENCE[path] == PUBLIC:
            assert answer.status_code < 500, path
        else:
            assert answer.status_code == 303, path
            assert answer.headers["location"] == "/login", path


@pytest.mark.parametrize(
    ("who", "refused"),
    [("alice", (COORDINATOR, STAFF)), ("staff", (COORDINATOR,)), ("coordinator", ())],
)
def test_each_page_answers_only_whom_it_is_for(
    world: tuple[Site, Ids], who: str, refused: tuple[str, ...]
) -> None:
    site, ids = world
    visitor = site.logged_in(who)
    for path in GETS:
        if path == "/logout":
            continue
        answer = visitor.get(ids.path(path))
        if AUDIENCE[path] in refused:
            assert answer.status_code == 403, (who, path, answer.status_code)
        elif path in SMALL_GROUP_REFUSED:
            assert answer.status_code in (200, 409), (who, path, answer.status_code)
        elif AUDIENCE[path] == PUBLIC:
            assert answer.status_code in (200, 303), (who, path, answer.status_code)
        elif AUDIENCE[path] == MEMBER and _PARAMETER.search(path) and who != "alice":
            # The ids are Alice's things: whether another may read one is the use case's to say.
            assert answer.status_code in (200, 403, 404), (who, path, answer.status_code)
        else:
            assert answer.status_code == 200, (who, path, answer.status_code)


@pytest.mark.parametrize(("who", "refused"), [("alice", (COORDINATOR, STAFF)), ("staff", (COORDINATOR,))])
def test_a_post_to_a_page_not_for_them_records_nothing(
    world: tuple[Site, Ids], who: str, refused: tuple[str, ...]
) -> None:
    site, ids = world
    visitor = site.logged_in(who)
    csrf = _csrf_of(visitor)
    before = row_counts(site.engine)
    posts = [path for path in POSTS if AUDIENCE[path] in refused]
    for path in posts:
        answer = visitor.client.post(ids.path(path), data={"csrf_token": csrf}, follow_redirects=False)
        assert answer.status_code == 403, (who, path, answer.status_code)
    assert row_counts(site.engine) == before


@pytest.mark.parametrize("who", ["alice", "coordinator"])
def test_another_timebanks_ids_answer_not_found(world: tuple[Site, Ids], who: str) -> None:
    site, ids = world
    visitor = site.logged_in(who)
    may_open = (PUBLIC, MEMBER, COORDINATOR, STAFF) if who == "coordinator" else (MEMBER,)
    with_ids = [path for path in GETS if _names_an_id(path) and AUDIENCE[path] in may_open]
    assert with_ids, "some pages take an id"
    before = row_counts(site.engine)
    for path in with_ids:
        answer = visitor.get(ids.path(path, elsewhere=True))
        assert answer.status_code == 404, (who, path, answer.status_code)
    assert row_counts(site.engine) == before


@pytest.mark.parametrize("who", ["coordinator", "staff", "bob"])
def test_no_page_names_a_benefit_another_member_declared(world: tuple[Site, Ids], who: str) -> None:
    site, ids = world
    visitor = site.logged_in(who)
    read: list[str] = []
    for path in GETS:
        if path in SHOWS_A_DECLARATION or path == "/logout":
            continue
        answer = visitor.get(ids.path(path))
        if answer.status_code != 200:
            continue
        text = _text(answer).lower()
        read.append(path)
        if path in DECLARATION_FORMS:
            # The form offers every benefit as a choice; none of Alice's may be ticked for another.
            for category in DECLARED:
                assert not re.search(rf'value="{category.value}"[^>]*checked', text), (path, who)
            continue
        for category in DECLARED:
            where = f"{path} read by {who}"
            assert category.value not in text, f"{where} names {category.value}"
            assert category.label.lower() not in text, f"{where} names {category.label}"
    # The sweep read something: at least the member pages each of them has.
    assert {"/", "/statement", "/benefits"} <= set(read)
    if who == "coordinator":
        coordinators = {path for path in GETS if AUDIENCE[path] == COORDINATOR}
        assert coordinators - SMALL_GROUP_REFUSED <= set(read) | SHOWS_A_DECLARATION


def test_the_sweep_would_see_a_declaration_if_a_page_showed_one(world: tuple[Site, Ids]) -> None:
    # Alice's own benefits page names what she declared: the words the sweep looks for are the
    # words a page would use.
    site, _ = world
    page = site.logged_in("alice").get("/benefits/declaration")
    assert page.status_code == 200
    assert any(category.label.lower() in page.text.lower() for category in DECLARED)
