"""The member's benefits pages (issue 16, DESIGN B4, B7, B8), on SQLite and PostgreSQL.

The hub, the benefit-safe statement and the letter as pages and PDFs, and the benefits declaration:
declared, changed and deleted through the pages and read back through the use case; refusals shown
in the error summary with nothing recorded; only ever the member's own; never credits called pay.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser

import pytest
from httpx import Response
from pypdf import PdfReader
from sqlalchemy import Engine

from tests.api.db_snapshot import snapshot
from tests.busy_slots import every_slot_taken
from tests.involvement_calls import (
    attendee,
    create_activity,
    record_attendance,
    record_expense,
    set_declaration,
)
from tests.ledger_calls import record_exchange
from tests.people_calls import add_organisation
from timebank.benefits.activities import ActivityClassification
from timebank.benefits.categories import BenefitCategory
from timebank.benefits.choices import Reward
from timebank.benefits.money import Receipt
from timebank.benefits.wording import NO_CASH_VALUE, find_credit_wording_problems
from timebank.busy import pdf_rendering
from timebank.clock import utc_now
from timebank.db import run
from timebank.involvement.declarations import read_declaration
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.settings import get_settings

from .site import Site, Visitor, build_site

# Words never used of credits on a member's page (B8), whatever the sentence.
NEVER_SAID = re.compile(r"\b(?:pay|wages?|earning)\b", re.IGNORECASE)
LIBRARY = "Riverside Library"


class _Text(HTMLParser):
    """The text a person reads on a page: no tags, no scripts, spaces collapsed."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def text_of(page: Response) -> str:
    """Each element's text on a line of its own (a label is not part of the sentence before it)."""
    parser = _Text()
    parser.feed(page.text)
    lines = (re.sub(r"\s+", " ", part).strip() for part in parser.parts)
    return "\n".join(line for line in lines if line)


def h1_of(page: Response) -> str:
    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page.text, re.DOTALL)
    assert len(headings) == 1, headings
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", headings[0])).strip()


def assert_says_nothing_forbidden(page: Response) -> None:
    text = text_of(page)
    assert NEVER_SAID.findall(text) == []
    assert find_credit_wording_problems(text) == ()


def assert_error_summary(page: Response, field_id: str) -> None:
    assert page.status_code == 422, page.text
    assert "There is a problem" in page.text
    assert f'href="#{field_id}"' in page.text
    assert f'id="{field_id}"' in page.text


@dataclass
class Member:
    site: Site
    who: str

    @property
    def caller(self) -> Caller:
        site = self.site
        return Caller.holder_of(
            site.timebank_id, site.account_ids[self.who], f"login:{self.who}", site.member_ids[self.who]
        )

    def declaration(self) -> tuple[bool, tuple[BenefitCategory, ...]]:
        site = self.site
        view = read_declaration(site.engine, site.timebank_id, self.caller, site.account_ids[self.who])
        return view.declared, view.categories


@pytest.fixture
def site(engine: Engine) -> Site:
    return build_site(engine)


@pytest.fixture
def alice(site: Site) -> Visitor:
    return site.logged_in("alice")


def today() -> date:
    return utc_now().date()


def give_alice_figures(site: Site) -> None:
    """This month: 1 hour 30 minutes of credits for a Library forum, a £4.50 bus fare repaid, and
    30 minutes of credits spent on Bob's help with the garden."""
    engine, tb = site.engine, site.timebank_id
    system = Caller.coordinator_of(tb)
    library = add_organisation(engine, tb, system, LIBRARY, floor_minutes=-6000)
    forum = create_activity(
        engine,
        tb,
        system,
        library.organisation_id,
        "User forum",
        today(),
        90,
        ActivityClassification.USES_SERVICES,
    )
    record_attendance(
        engine, tb, system, forum.activity_id, [attendee(site.account_ids["alice"], 90, Reward.CREDITS)]
    )
    record_expense(
        engine,
        tb,
        system,
        library.organisation_id,
        site.account_ids["alice"],
        450,
        Receipt("R-17", 450),
        "Bus fare",
        today(),
    )
    record_exchange(
        engine,
        tb,
        Actor("system", None, True),
        site.account_ids["bob"],
        [ReceiverShare(site.account_ids["alice"], 30)],
        today(),
        "help with the garden",
    )


# --- the hub ------------------------------------------------------------------------------------


def test_the_hub_says_what_each_page_is_and_links_to_all_three(alice: Visitor) -> None:
    page = alice.get("/benefits")
    assert page.status_code == 200
    assert h1_of(page) == "Benefits and time credits"
    for href, words in (
        ("/benefits/statement", "My benefit-safe statement"),
        ("/benefits/letter", "My letter for the benefit office"),
        ("/benefits/declaration", "My benefits declaration"),
    ):
        assert f'<a class="govuk-link" href="{href}">{words}</a>' in page.text
    assert 'aria-current="page"' in page.text and 'href="/benefits" aria-current="page"' in page.text
    assert page.headers["cache-control"] == "no-store"
    assert_says_nothing_forbidden(page)


# --- the statement and the letter ----------------------------------------------------------------


def test_the_statement_page_shows_the_members_own_figures_inside_the_layout(
    site: Site, alice: Visitor
) -> None:
    give_alice_figures(site)
    page = alice.get("/benefits/statement")
    assert page.status_code == 200, page.text
    assert h1_of(page) == "Your benefit-safe statement"
    text = text_of(page)
    assert f"Statement for {site.names['alice']}" in text
    assert "Time credits received: 1 hour 30 minutes." in text
    assert "Time credits spent: 30 minutes." in text
    assert "Bus fare, £4.50, paid back by Riverside Library. Evidence: receipt R-17." in text
    assert "User forum, run by Riverside Library" in text
    assert NO_CASH_VALUE in text
    assert 'id="main-content"' in page.text and "Log out" in page.text  # our layout, not a bare document
    first = today().replace(day=1)
    pdf = (
        f"/benefits/statement.pdf?from={first.isoformat()}&amp;to={(today() + timedelta(days=1)).isoformat()}"
    )
    assert f'href="{pdf}">Download as PDF</a>' in page.text
    assert f'id="from-day" name="from-day" type="text" value="{first.day}"' in page.text
    assert f'id="until-day" name="until-day" type="text" value="{today().day}"' in page.text
    assert site.names["bob"] not in text
    assert_says_nothing_forbidden(page)


def test_the_letter_page_shows_the_letter_for_the_benefit_office(site: Site, alice: Visitor) -> None:
    give_alice_figures(site)
    page = alice.get("/benefits/letter")
    assert page.status_code == 200, page.text
    assert h1_of(page) == "Your letter for the benefit office"
    text = text_of(page)
    name = site.names["alice"]
    assert "To the benefit office" in text
    assert f"In this period {name} received 1 hour 30 minutes of time credits and spent 30 minutes." in text
    assert "Riverside Library paid back £4.50 of expenses at cost." in text
    assert "Download as PDF</a>" in page.text and "/benefits/letter.pdf?from=" in page.text
    assert_says_nothing_forbidden(page)


def test_a_period_asked_for_in_the_date_inputs_is_the_period_shown(site: Site, alice: Visitor) -> None:
    give_alice_figures(site)
    before = today() - timedelta(days=400)
    query = f"from-day={before.day}&from-month={before.month}&from-year={before.year}"
    last = before + timedelta(days=9)
    query += f"&until-day={last.day}&until-month={last.month}&until-year={last.year}"
    page = alice.get(f"/benefits/statement?{query}")
    assert page.status_code == 200, page.text
    text = text_of(page)
    assert "Time credits received: 0 minutes." in text
    assert "Bus fare" not in text
    end = last + timedelta(days=1)
    assert f"/benefits/statement.pdf?from={before.isoformat()}&amp;to={end.isoformat()}" in page.text


@pytest.mark.parametrize(
    ("path", "title"),
    [("/benefits/statement.pdf", "Benefit-safe statement"), ("/benefits/letter.pdf", "Letter about")],
)
def test_the_pdfs_are_pdfs_with_the_members_name(site: Site, alice: Visitor, path: str, title: str) -> None:
    give_alice_figures(site)
    answer = alice.get(path)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"].startswith('attachment; filename="benefit-')
    assert answer.headers["cache-control"] == "no-store"
    assert answer.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(answer.content))
    words = " ".join(page.extract_text() for page in reader.pages)
    assert site.names["alice"] in words
    assert reader.metadata is not None and (reader.metadata.title or "").startswith(title)


def test_the_pdf_follows_the_period_in_its_link(site: Site, alice: Visitor) -> None:
    give_alice_figures(site)
    long_ago = today() - timedelta(days=400)
    answer = alice.get(
        f"/benefits/statement.pdf?from={long_ago.isoformat()}&to={(long_ago + timedelta(days=7)).isoformat()}"
    )
    assert answer.status_code == 200, answer.text
    assert long_ago.isoformat() in answer.headers["content-disposition"]
    words = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages)
    assert "Bus fare" not in words


@pytest.mark.parametrize(
    ("query", "field_id", "words"),
    [
        ("from-day=31&from-month=2&from-year=2026", "from-day", "The first day must be a real date"),
        ("from-day=x&from-month=1&from-year=2026", "from-day", "The first day must be a real date"),
        ("until-day=40&until-month=1&until-year=2026", "until-day", "The last day must be a real date"),
        ("from=not-a-day", "from-day", "The first day must be a real date"),
    ],
)
@pytest.mark.parametrize("path", ["/benefits/statement", "/benefits/letter", "/benefits/statement.pdf"])
def test_a_period_that_is_not_real_days_is_refused_with_the_error_summary(
    site: Site, alice: Visitor, path: str, query: str, field_id: str, words: str
) -> None:
    before = snapshot(site.engine, [site.timebank_id])
    page = alice.get(f"{path}?{query}")
    assert_error_summary(page, field_id)
    assert words in text_of(page)
    assert "Download as PDF" not in page.text
    assert snapshot(site.engine, [site.timebank_id]) == before


def test_a_period_starting_after_today_or_ending_before_it_starts_is_refused(
    site: Site, alice: Visitor
) -> None:
    tomorrow = today() + timedelta(days=1)
    before = snapshot(site.engine, [site.timebank_id])
    later = alice.get(
        f"/benefits/statement?from-day={tomorrow.day}&from-month={tomorrow.month}&from-year={tomorrow.year}"
    )
    assert_error_summary(later, "from-day")
    assert "The first day must be today or in the past" in text_of(later)
    assert f'value="{tomorrow.year}"' in later.text  # what was typed is kept
    week_ago = today() - timedelta(days=7)
    backwards = alice.get(
        "/benefits/letter?"
        f"from-day={today().day}&from-month={today().month}&from-year={today().year}"
        f"&until-day={week_ago.day}&until-month={week_ago.month}&until-year={week_ago.year}"
    )
    assert_error_summary(backwards, "until-day")
    assert "The last day must be the same as the first day or after it" in text_of(backwards)
    by_link = alice.get(f"/benefits/statement.pdf?from={tomorrow.isoformat()}")
    assert_error_summary(by_link, "from-day")
    empty = alice.get(f"/benefits/statement.pdf?from={today().isoformat()}&to={today().isoformat()}")
    assert_error_summary(empty, "until-day")
    assert snapshot(site.engine, [site.timebank_id]) == before


def test_a_pdf_on_a_busy_server_gets_a_plain_503_page_while_the_pages_are_answered(
    site: Site, alice: Visitor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "busy_wait_milliseconds_max", 50)
    with every_slot_taken(pdf_rendering()):
        busy = alice.get("/benefits/letter.pdf")
        page = alice.get("/benefits/letter")
    assert busy.status_code == 503
    assert busy.headers["content-type"].startswith("text/html")
    assert h1_of(busy) == "Sorry, we are busy"
    assert page.status_code == 200
    assert alice.get("/benefits/letter.pdf").status_code == 200


# --- the declaration ----------------------------------------------------------------------------


def declare(visitor: Visitor, *categories: str) -> Response:
    page = visitor.get("/benefits/declaration")
    form = visitor.form(page, "/benefits/declaration")
    fields = {name: value for name, value in form.fields.items() if name != "categories"}
    return visitor.client.post(
        "/benefits/declaration", data={**fields, "categories": list(categories)}, follow_redirects=False
    )


def test_the_declaration_page_says_none_is_declared_and_who_can_see_it(alice: Visitor) -> None:
    page = alice.get("/benefits/declaration")
    assert page.status_code == 200
    assert h1_of(page) == "Your benefits declaration"
    text = text_of(page)
    assert "You have not declared any benefits." in text
    assert "Only you and your timebank's coordinators." in text
    assert "Staff of organisations never see which benefits you declared." in text
    for category in BenefitCategory:
        assert category.label in text
    assert 'id="categories"' in page.text and 'name="categories"' in page.text
    assert "checked" not in page.text
    assert_says_nothing_forbidden(page)


def test_a_declaration_made_on_the_page_is_read_back_through_the_use_case_and_shown(
    site: Site, alice: Visitor
) -> None:
    saved = declare(alice, "universal_credit", "carers_allowance")
    assert saved.status_code == 303
    assert saved.headers["location"] == "/benefits/declaration?done=saved"
    assert Member(site, "alice").declaration() == (
        True,
        (BenefitCategory.CARERS_ALLOWANCE, BenefitCategory.UNIVERSAL_CREDIT),
    )
    page = alice.get(saved.headers["location"])
    text = text_of(page)
    assert "Your benefits declaration is saved." in text
    assert "Universal Credit" in text and "Carer's Allowance" in text
    assert len(re.findall(r"\bchecked\b", page.text)) == 2
    assert_says_nothing_forbidden(page)


def test_the_declaration_can_be_changed(site: Site, alice: Visitor) -> None:
    assert declare(alice, "universal_credit").status_code == 303
    assert declare(alice, "prefer_not_to_say").status_code == 303
    assert Member(site, "alice").declaration() == (True, (BenefitCategory.PREFER_NOT_TO_SAY,))


def test_every_view_of_the_declaration_page_is_audited_by_the_use_case(site: Site, alice: Visitor) -> None:
    def reads() -> int:
        entries = run(
            site.engine,
            lambda uow: uow.audit.entries(site.timebank_id, site.account_ids["alice"]),
            write=False,
        )
        return sum(1 for entry in entries if entry.action == "declaration_read")

    before = reads()
    alice.get("/benefits/declaration")
    alice.get("/benefits/declaration")
    assert reads() == before + 2


def test_deleting_asks_first_and_then_deletes(site: Site, alice: Visitor) -> None:
    assert declare(alice, "employment_and_support_allowance").status_code == 303
    page = alice.get("/benefits/declaration")
    assert 'href="/benefits/declaration/delete"' in page.text
    asked = alice.get("/benefits/declaration/delete")
    assert asked.status_code == 200
    assert h1_of(asked) == "Are you sure you want to delete your benefits declaration?"
    assert Member(site, "alice").declaration()[0] is True  # asking deletes nothing
    deleted = alice.submit(asked, "/benefits/declaration/delete")
    assert deleted.status_code == 303
    assert deleted.headers["location"] == "/benefits/declaration?done=deleted"
    assert Member(site, "alice").declaration() == (False, ())
    after = alice.get(deleted.headers["location"])
    assert "Your benefits declaration is deleted." in text_of(after)
    assert "You have not declared any benefits." in text_of(after)
    again = alice.submit(asked, "/benefits/declaration/delete")
    assert again.headers["location"] == "/benefits/declaration?done=none"


@pytest.mark.parametrize(
    ("categories", "words"),
    [((), "Choose at least one benefit"), (("child_benefit",), "Unknown categories"), (("x" * 61,), "")],
)
def test_a_declaration_with_nothing_or_nonsense_chosen_is_refused_and_nothing_is_recorded(
    site: Site, alice: Visitor, categories: tuple[str, ...], words: str
) -> None:
    declare(alice, "carers_allowance")
    page = alice.get("/benefits/declaration")
    before = snapshot(site.engine, [site.timebank_id])
    refused = alice.client.post(
        "/benefits/declaration",
        data={**alice.form(page, "/benefits/declaration").fields, "categories": list(categories)},
        follow_redirects=False,
    )
    assert_error_summary(refused, "categories")
    assert words in text_of(refused)
    assert h1_of(refused) == "Your benefits declaration"
    assert snapshot(site.engine, [site.timebank_id]) == before
    assert Member(site, "alice").declaration() == (True, (BenefitCategory.CARERS_ALLOWANCE,))


def test_another_members_declaration_is_never_shown(site: Site, alice: Visitor) -> None:
    bob = Member(site, "bob")
    set_declaration(site.engine, site.timebank_id, bob.caller, site.account_ids["bob"], ["carers_allowance"])
    for path in (
        "/benefits/declaration",
        f"/benefits/declaration?account_id={site.account_ids['bob']}",
        f"/benefits/declaration/{site.account_ids['bob']}",
    ):
        page = alice.get(path)
        if page.status_code == 404:
            continue
        assert page.status_code == 200
        assert "You have not declared any benefits." in text_of(page)
        assert "checked" not in page.text
    # Alice declaring leaves Bob's alone.
    declare(alice, "universal_credit")
    assert bob.declaration() == (True, (BenefitCategory.CARERS_ALLOWANCE,))
    assert Member(site, "alice").declaration() == (True, (BenefitCategory.UNIVERSAL_CREDIT,))


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(site: Site, alice: Visitor) -> None:
    declare(alice, "carers_allowance")
    page = alice.get("/benefits/declaration")
    asked = alice.get("/benefits/declaration/delete")
    before = snapshot(site.engine, [site.timebank_id])
    without = {k: v for k, v in alice.form(page, "/benefits/declaration").fields.items() if k != "csrf_token"}
    forged = alice.client.post(
        "/benefits/declaration", data={**without, "categories": ["universal_credit"]}, follow_redirects=False
    )
    assert forged.status_code == 403
    wrong = alice.submit(asked, "/benefits/declaration/delete", {"csrf_token": "not-the-token"})
    assert wrong.status_code == 403
    assert (
        alice.client.post("/benefits/declaration/delete", data={}, follow_redirects=False).status_code == 403
    )
    assert snapshot(site.engine, [site.timebank_id]) == before
    assert Member(site, "alice").declaration() == (True, (BenefitCategory.CARERS_ALLOWANCE,))


@pytest.mark.parametrize(
    "path",
    [
        "/benefits",
        "/benefits/statement",
        "/benefits/statement.pdf",
        "/benefits/letter",
        "/benefits/letter.pdf",
        "/benefits/declaration",
        "/benefits/declaration/delete",
    ],
)
def test_a_visitor_with_no_session_is_sent_to_log_in(site: Site, path: str) -> None:
    visitor = site.visitor()
    answer = visitor.get(path)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"


@pytest.mark.parametrize("path", ["/benefits/declaration", "/benefits/declaration/delete"])
def test_a_post_with_no_session_is_sent_to_log_in_and_changes_nothing(site: Site, path: str) -> None:
    before = snapshot(site.engine, [site.timebank_id])
    answer = site.visitor().client.post(
        path, data={"categories": ["universal_credit"]}, follow_redirects=False
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login"
    assert snapshot(site.engine, [site.timebank_id]) == before
