"""Downloading everything held about you (UK GDPR right of access; DESIGN §9), on both databases.

Alice has a full history: exchanges with Bob and Carol (one confirmed each way, one waiting, one
reversed), a gift to the pot, an activity she was invited to and attended, an expense, a spend,
a benefits declaration, an email address and a message she stopped. Bob has an email address, a
declaration and an exchange with Carol of his own. Alice's ZIP must hold all of hers, every file
parsing, its figures agreeing with her statement and her report, and nothing of Bob's but his name
on the exchanges they share. A coordinator downloads it for her; nobody else may; every download is
audited.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine

from tests.api.db_snapshot import row_counts
from tests.involvement_calls import (
    attendee,
    create_activity,
    create_spend_option,
    invite_members,
    record_attendance,
    record_expense,
    set_declaration,
    spend_credits,
)
from tests.ledger_calls import give_credits, reverse_exchange
from tests.web.site import Site, build_site
from timebank.accounts.statements import read_statement
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.benefits.money import PaymentKind, Receipt
from timebank.benefits.spending import SpendClass
from timebank.clock import utc_now
from timebank.db import run
from timebank.errors import MemberNotFound, TimebankNotFound
from timebank.involvement.requests import OfferTerms
from timebank.ledger.types import Actor
from timebank.notifications.addresses import set_email
from timebank.notifications.preferences import set_preferences
from timebank.notifications.requests import ChoosePreferences, SetEmail
from timebank.offers.categories import list_categories
from timebank.offers.posts import create_post
from timebank.offers.requests import CreatePost
from timebank.people import member_data as member_data_module
from timebank.people.callers import Caller
from timebank.people.errors import SelfOrCoordinatorRequired
from timebank.people.member_data import member_data
from timebank.rendering.member_data_zip import CSV_FILES, JSON_FILES, README_NAME, member_data_zip
from timebank.reporting.reports import member_report

ALICES = BenefitCategory.UNIVERSAL_CREDIT
BOBS = BenefitCategory.CARERS_ALLOWANCE
BOBS_SECRET = "Bob's private errand"


def _member(site: Site, who: str) -> Caller:
    return Caller.holder_of(site.timebank_id, site.account_ids[who], f"test:{who}", site.member_ids[who])


def _story(site: Site) -> None:
    engine, here = site.engine, site.timebank_id
    system = Caller.coordinator_of(here, "test:coordinator")
    yesterday = utc_now().date() - timedelta(days=1)
    site.record("alice", "bob", 90, "Gardening", by="bob")  # Bob pays: posted at once
    site.record("bob", "alice", 45, "Shopping", by="alice")
    site.record("alice", "bob", 30, "Ironing", by="alice")  # waits for Bob
    lift = site.record("carol", "alice", 60, "A lift", by="alice")
    reverse_exchange(engine, here, Actor("test:coordinator", None, True), lift.exchange_id, "Recorded twice")
    site.record("bob", "carol", 120, BOBS_SECRET, by="carol")
    give_credits(
        engine,
        here,
        Actor("test:alice", site.account_ids["alice"]),
        site.account_ids["alice"],
        site.pot_account_id,
        15,
    )
    activity = create_activity(
        engine,
        here,
        system,
        site.organisation_id,
        "User forum",
        yesterday,
        120,
        ActivityClassification.USES_SERVICES,
    ).activity_id
    invite_members(engine, here, system, activity, [site.account_ids["alice"]])
    record_attendance(
        engine, here, system, activity, [attendee(site.account_ids["alice"], 120, Reward.CREDITS)]
    )
    for title, reward in (("Interview panel", Reward.PAYMENT), ("Board", Reward.DECLINE)):
        paid = create_activity(
            engine,
            here,
            system,
            site.organisation_id,
            title,
            yesterday,
            60,
            ActivityClassification.USES_SERVICES,
        ).activity_id
        offer = OfferTerms.for_week(
            1_000, PaymentKind.VOUCHER, yesterday, f"Thank you for the {title.lower()}"
        )
        invite_members(engine, here, system, paid, [site.account_ids["alice"]])
        chosen = [attendee(site.account_ids["alice"], 60, reward)]
        record_attendance(engine, here, system, paid, chosen, offer=offer, paid_on=yesterday)
    record_expense(
        engine,
        here,
        system,
        site.organisation_id,
        site.account_ids["alice"],
        450,
        Receipt("R-17", 450),
        "Bus fare",
        yesterday,
    )
    option = create_spend_option(
        engine, here, system, site.organisation_id, "Swim", 30, SpendClass.COMMUNITY_ACTIVITY
    )
    spend_credits(engine, here, system, option.spend_option_id, site.account_ids["alice"])
    for who, category in (("alice", ALICES), ("bob", BOBS)):
        set_declaration(engine, here, system, site.account_ids[who], [category], members_say_so=True)
        set_email(
            engine,
            here,
            _member(site, who),
            site.member_ids[who],
            SetEmail(email=f"{who}-private@example.org"),
        )
    set_preferences(
        engine,
        here,
        _member(site, "alice"),
        site.member_ids["alice"],
        ChoosePreferences(exchange_expiry_reminder=False),
    )
    # An offer of hers.
    category_id = list_categories(engine, here, system).categories[0].category_id
    offer = CreatePost(
        kind="offer",
        category_id=category_id,
        title="Sewing and mending",
        description="Hems, buttons and zips",
        expires_on=utc_now().date() + timedelta(days=30),
    )
    create_post(engine, here, _member(site, "alice"), offer)


@pytest.fixture
def site(engine: Engine) -> Site:
    built = build_site(engine)
    _story(built)
    return built


def _files(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _audit(site: Site, action: str) -> list[Any]:
    entries = run(site.engine, lambda uow: uow.audit.entries(site.timebank_id, limit=1000), write=False)
    return [entry for entry in entries if entry.action == action]


def test_the_page_says_what_is_in_the_download_and_links_to_it(site: Site) -> None:
    page = site.logged_in("alice").get("/data")

    assert page.status_code == 200
    assert page.text.count("<h1") == 1
    assert "Download your data" in page.text
    assert 'href="/data.zip"' in page.text
    assert 'href="/data"' in page.text  # the header's link, "Your data"
    assert "Your data" in page.text


def test_the_zip_holds_every_file_each_parses_and_the_readme_names_every_column(site: Site) -> None:
    answer = site.logged_in("alice").get("/data.zip")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["content-disposition"].startswith("attachment; filename=")
    files = _files(answer.content)
    assert set(files) == {README_NAME, *JSON_FILES, *(file.name for file in CSV_FILES)}
    readme = files[README_NAME]
    for name in JSON_FILES:
        json.loads(files[name])
        assert name in readme
    for file in CSV_FILES:
        header = next(csv.reader(io.StringIO(files[file.name])))
        assert header == [column.name for column in file.columns], file.name
        assert file.name in readme
        for column in file.columns:
            assert f"- {column.name}: " in readme, (file.name, column.name)
    # Every list of Alice's has something in it.
    assert all(_rows(files[file.name]) for file in CSV_FILES), [
        f.name for f in CSV_FILES if not _rows(files[f.name])
    ]


def test_the_profile_and_declaration_are_alices(site: Site) -> None:
    files = _files(site.logged_in("alice").get("/data.zip").content)
    profile = json.loads(files["profile.json"])
    declaration = json.loads(files["benefits_declaration.json"])

    assert profile["display_name"] == site.names["alice"]
    assert profile["username"] == site.usernames["alice"]
    assert profile["roles"] == ["member"]
    assert profile["email"] == "alice-private@example.org"
    assert profile["email_checked"] is False
    assert "exchange_expiry_reminder" in profile["messages_stopped"]
    assert "exchange_expiry_reminder" not in profile["messages_wanted"]
    assert profile["joined_at"]
    assert declaration["declared"] is True
    assert declaration["categories"] == [ALICES.value]
    assert declaration["category_labels"] == [ALICES.label]


def test_the_figures_agree_with_the_statement_and_the_member_report(site: Site) -> None:
    files = _files(site.logged_in("alice").get("/data.zip").content)
    profile = json.loads(files["profile.json"])
    lines = _rows(files["statement.csv"])
    exchanges = _rows(files["exchanges.csv"])
    alice, account = _member(site, "alice"), site.account_ids["alice"]

    statement = read_statement(site.engine, site.timebank_id, alice, account, limit=200)
    assert statement.next_cursor is None
    assert [int(line["balance_after_minutes"]) for line in lines] == [
        line.balance_after_minutes for line in reversed(statement.lines)
    ]
    assert [int(line["minutes_in"]) - int(line["minutes_out"]) for line in lines] == [
        line.minutes for line in reversed(statement.lines)
    ]
    assert int(lines[-1]["balance_after_minutes"]) == profile["balance_minutes"] == site.balance("alice")
    assert (
        sum(int(line["minutes_in"]) - int(line["minutes_out"]) for line in lines)
        == profile["balance_minutes"]
    )

    today = utc_now().date()
    report = member_report(
        site.engine, site.timebank_id, alice, account, today - timedelta(days=365), today + timedelta(days=1)
    )
    confirmed = [row for row in exchanges if row["status"] == "confirmed"]
    assert report.given_minutes == sum(int(row["minutes"]) for row in confirmed if row["role"] == "giver")
    assert report.received_minutes == sum(
        int(row["minutes"]) for row in confirmed if row["role"] == "receiver"
    )
    assert report.exchange_count == len(confirmed)
    statuses = {row["description"]: row["status"] for row in exchanges}
    assert statuses["Ironing"] == "pending"
    assert statuses["A lift"] == "reversed"
    reversed_row = next(row for row in exchanges if row["status"] == "reversed")
    assert reversed_row["reversal_reason"] == "Recorded twice"


def test_a_members_zip_names_other_members_only_as_the_other_party(site: Site) -> None:
    files = _files(site.logged_in("alice").get("/data.zip").content)
    everything = "\n".join(files.values()).lower()

    for leaked in ("bob-private@example.org", site.usernames["bob"], BOBS.value, BOBS.label, BOBS_SECRET):
        assert leaked.lower() not in everything, leaked
    # Bob's and Carol's names appear where they were the other party, and nowhere else.
    files_naming_bob = {name for name, text in files.items() if site.names["bob"] in text}
    assert files_naming_bob == {"exchanges.csv", "statement.csv"}
    parties = {row["other_party"] for row in _rows(files["exchanges.csv"])}
    assert parties == {site.names["bob"], site.names["carol"], site.organisation_name}


def test_a_coordinator_downloads_a_members_data_for_them_and_both_downloads_are_audited(site: Site) -> None:
    alice = site.account_ids["alice"]
    answer = site.logged_in("coordinator").get(f"/members/{site.member_ids['alice']}/data.zip")
    assert answer.status_code == 200
    files = _files(answer.content)
    assert json.loads(files["profile.json"])["display_name"] == site.names["alice"]
    site.logged_in("alice").get("/data.zip")

    downloads = _audit(site, "member_data_downloaded")
    assert [(e.subject_account_id, e.details["by_coordinator"]) for e in downloads] == [
        (alice, True),
        (alice, False),
    ]
    assert downloads[0].actor.startswith("login:")
    reads = [e for e in _audit(site, "declaration_read") if e.subject_account_id == alice]
    assert [e.details["by_coordinator"] for e in reads] == [True, False]


@pytest.mark.parametrize("who", ["bob", "staff", "alice"])
def test_nobody_but_coordinators_downloads_another_members_data_and_nothing_is_recorded(
    site: Site, who: str
) -> None:
    visitor = site.logged_in(who)
    before = row_counts(site.engine)
    target = "carol" if who == "alice" else "alice"

    answer = visitor.get(f"/members/{site.member_ids[target]}/data.zip")

    assert answer.status_code == 403
    assert "application/zip" not in answer.headers["content-type"]
    assert row_counts(site.engine) == before


def test_another_timebanks_member_is_not_found_and_nothing_is_recorded(site: Site) -> None:
    olive = run(
        site.engine,
        lambda uow: uow.members.id_for_account(site.other_timebank_id, site.account_ids["olive"]),
        write=False,
    )
    visitor = site.logged_in("coordinator")
    before = row_counts(site.engine)

    answer = visitor.get(f"/members/{olive}/data.zip")

    assert answer.status_code == 404
    assert row_counts(site.engine) == before


def test_the_use_case_refuses_staff_keys_other_members_and_admins(site: Site) -> None:
    here, alice = site.timebank_id, site.member_ids["alice"]
    staff = Caller(
        "login:staff", False, here, site.member_ids["staff"], site.account_ids["staff"], False, frozenset({1})
    )
    key = Caller("api_key:1", False, here, None, None, False, frozenset({site.account_ids["staff"]}))
    admin = Caller("login:admin", True, None, None, None, False, frozenset())
    before = row_counts(site.engine)

    for caller in (_member(site, "bob"), staff, key):
        with pytest.raises(SelfOrCoordinatorRequired):
            member_data(site.engine, here, caller, alice)
    with pytest.raises(TimebankNotFound):
        member_data(site.engine, here, admin, alice)
    with pytest.raises(MemberNotFound):
        member_data(site.engine, here, _member(site, "bob"), 10**9)
    assert row_counts(site.engine) == before


def test_a_list_longer_than_the_bound_is_cut_and_the_readme_and_audit_say_so(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(member_data_module, "MEMBER_DATA_ROWS_MAX", 2)
    data = member_data(site.engine, site.timebank_id, _member(site, "alice"), site.member_ids["alice"])

    assert len(data.statement) == 2
    assert len(data.exchanges) == 2
    assert {"statement", "exchanges"} <= set(data.cut)
    assert {"activities", "invitations"} <= set(data.cut)  # three of each
    assert "expenses" not in data.cut  # one
    # The newest lines are kept, oldest first, ending at today's balance.
    assert data.statement[-1].balance_after_minutes == data.profile.balance_minutes
    readme = _files(member_data_zip(data))[README_NAME]
    assert "too long to give in full" in readme
    assert _audit(site, "member_data_downloaded")[-1].details["cut"] == list(data.cut)


def test_a_member_with_nothing_yet_gets_every_file_with_headers_only(engine: Engine) -> None:
    site = build_site(engine)
    files = _files(site.logged_in("bob").get("/data.zip").content)

    assert json.loads(files["benefits_declaration.json"]) == {
        "declared": False,
        "categories": [],
        "category_labels": [],
    }
    assert all(_rows(files[file.name]) == [] for file in CSV_FILES)
    assert json.loads(files["profile.json"])["email_checked"] is False
    assert date.fromisoformat(json.loads(files["profile.json"])["joined_at"][:10]) == utc_now().date()
