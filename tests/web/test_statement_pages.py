"""A member's statement through the pages: a page at a time, a period to print, a period as CSV.

Exchanges are set up through the use cases; the pages are read as the member reads them, and what
they show is checked against the ledger (the running balance, the sum of what came in and went out).
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import Engine

from tests.ledger_calls import give_credits, import_exchanges, record_exchange, reverse_exchange
from tests.people_calls import get_account
from tests.web.site import Site, build_site
from timebank.accounts.statements import statement_between
from timebank.clock import utc_now
from timebank.exchanges.imports import ImportRow
from timebank.ledger.limits import STATEMENT_LIMIT_DEFAULT
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.rendering.statement_lines import spreadsheet_text

COORDINATOR = Actor("system", None, True)


def _exchange(site: Site, giver: str, receiver: str, minutes: int, description: str) -> int:
    exchange = record_exchange(
        site.engine,
        site.timebank_id,
        COORDINATOR,
        site.account_ids[giver],
        [ReceiverShare(site.account_ids[receiver], minutes)],
        utc_now().date() - timedelta(days=2),
        description,
    )
    return exchange.exchange_id


def _story(engine: Engine) -> Site:
    """Alice helps Bob for 90 minutes, Bob helps Alice for 2 hours, Alice gives the pot 15 minutes,
    and a coordinator reverses a gardening exchange recorded by mistake."""
    site = build_site(engine)
    _exchange(site, "alice", "bob", 90, "Fixed a bike")
    _exchange(site, "bob", "alice", 120, "Ironing")
    give_credits(
        engine, site.timebank_id, COORDINATOR, site.account_ids["alice"], site.pot_account_id, 15, "A gift"
    )
    mistake = _exchange(site, "alice", "bob", 30, "Gardening")
    reverse_exchange(engine, site.timebank_id, COORDINATOR, mistake, "Recorded twice")
    return site


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_statement_shows_each_line_with_names_and_the_running_balance(engine: Engine) -> None:
    site = _story(engine)
    page = site.logged_in("alice").get("/statement")

    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert html.count("<h1") == 1 and "My statement" in html
    balance = get_account(engine, site.timebank_id, site.account_ids["alice"]).balance_minutes
    assert balance == 90 - 120 - 15
    assert "minus 45 minutes" in html
    assert site.names["bob"] in html
    assert "Community pot" in html
    assert "In: 1 hour 30 minutes" in html
    assert "Out: 2 hours" in html
    assert "Correction of “Gardening”. Reason: Recorded twice" in html
    assert '<th scope="col"' in html and "<caption" in html
    # Newest first: the reversal, then the gardening it undid, the gift, the ironing, the bike.
    order = [
        html.index(text) for text in ("Correction of", "Gardening</td>", "A gift", "Ironing", "Fixed a bike")
    ]
    assert order == sorted(order)
    assert "govuk-pagination" not in html


def test_a_member_with_no_lines_is_told_so_plainly(engine: Engine) -> None:
    site = build_site(engine)
    html = site.logged_in("bob").get("/statement").text

    assert "You have no exchanges yet." in html


def test_the_statement_pages_back_in_time_and_returns_to_the_newest(engine: Engine) -> None:
    site = build_site(engine)
    day = utc_now().date() - timedelta(days=3)
    rows = [
        ImportRow(site.account_ids["alice"], site.account_ids["bob"], 10, day, f"Help number {n}")
        for n in range(STATEMENT_LIMIT_DEFAULT + 5)
    ]
    import_exchanges(engine, site.timebank_id, COORDINATOR, rows)
    alice = site.logged_in("alice")

    first = alice.get("/statement").text
    assert first.count("Help number") == STATEMENT_LIMIT_DEFAULT
    assert "Newest lines" not in first
    older_href = first.split('href="/statement?cursor=', 1)[1].split('"', 1)[0]
    second = alice.get(f"/statement?cursor={older_href}")
    assert second.status_code == 200
    assert second.text.count("Help number") == 5
    assert "Help number 0<" in second.text
    assert "Older lines" not in second.text
    assert 'href="/statement"' in second.text and "Newest lines" in second.text


def test_a_tampered_cursor_gets_a_plain_page_not_a_traceback(engine: Engine) -> None:
    site = build_site(engine)
    alice = site.logged_in("alice")

    for cursor in ("nonsense", "bm90IGEgY3Vyc29y", "%00", "A" * 500):
        page = alice.get(f"/statement?cursor={cursor}")
        assert page.status_code == 400
        assert page.headers["content-type"].startswith("text/html")
        assert "This page of your statement cannot be found" in page.text
        assert "Traceback" not in page.text


def test_the_printable_statement_covers_a_period_with_the_timebank_and_the_day_printed(
    engine: Engine,
) -> None:
    site = _story(engine)
    today = utc_now().date()
    alice = site.logged_in("alice")

    page = alice.get("/statement/print")
    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1
    assert f"Statement for {site.names['alice']}" in html
    assert "Riverside" in html
    assert html.count("Printed on") == 1
    assert "Fixed a bike" in html and "Correction of" in html
    assert 'class="tb-no-print"' in html and 'method="get"' in html
    # By default, the last twelve months up to today.
    link = html.split('href="/statement.csv?from=', 1)[1].split('"', 1)[0]
    from_text, to_text = link.split("&amp;to=")
    assert to_text == today.isoformat()
    assert 365 <= (today - date.fromisoformat(from_text)).days + 1 <= 366

    typed = {
        "from-day": "1",
        "from-month": "1",
        "from-year": "2020",
        "to-day": "31",
        "to-month": "12",
        "to-year": "2020",
    }
    old = alice.get("/statement/print?" + "&".join(f"{k}={v}" for k, v in typed.items()))
    assert old.status_code == 200
    assert "1 January 2020 to 31 December 2020" in old.text
    assert "You have no exchanges in this period." in old.text
    assert "Fixed a bike" not in old.text

    iso = alice.get(f"/statement/print?from={today.isoformat()}&to={today.isoformat()}")
    assert iso.status_code == 200 and "Fixed a bike" in iso.text


def test_a_period_that_ends_before_it_starts_or_is_not_a_date_is_refused(engine: Engine) -> None:
    site = _story(engine)
    alice = site.logged_in("alice")

    backwards = alice.get(
        "/statement/print?from-day=5&from-month=3&from-year=2026&to-day=1&to-month=3&to-year=2026"
    )
    assert backwards.status_code == 422
    assert "There is a problem" in backwards.text
    assert 'href="#to-day"' in backwards.text
    assert "The end date must be the same as or after the start date" in backwards.text
    assert 'value="5"' in backwards.text  # what was typed is kept
    assert "Fixed a bike" not in backwards.text

    not_a_date = alice.get("/statement/print?from-day=31&from-month=2&from-year=2026")
    assert not_a_date.status_code == 422
    assert 'href="#from-day"' in not_a_date.text
    assert "The start date must be a real date" in not_a_date.text

    for query in ("from=yesterday", "to=9999-12-31", "from=2026-13-01"):
        page = alice.get(f"/statement/print?{query}")
        assert page.status_code == 422, query
        assert "There is a problem" in page.text

    refused_csv = alice.get("/statement.csv?from=2026-03-05&to=2026-03-01")
    assert refused_csv.status_code == 422
    assert "text/html" in refused_csv.headers["content-type"]


def test_the_csv_matches_the_ledger(engine: Engine) -> None:
    site = _story(engine)
    today = utc_now().date()
    answer = site.logged_in("alice").get(f"/statement.csv?from={today.isoformat()}&to={today.isoformat()}")

    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    assert (
        answer.headers["content-disposition"] == f'attachment; filename="statement-{today.isoformat()}.csv"'
    )
    assert answer.headers["cache-control"] == "no-store"
    rows = _csv_rows(answer.text)
    assert list(rows[0]) == [
        "date",
        "with",
        "description",
        "minutes_in",
        "minutes_out",
        "balance_after_minutes",
    ]
    assert len(rows) == 5
    # Oldest first: the running balance reads down the sheet, and in minus out is the balance's change.
    balance = 0
    for row in rows:
        balance += int(row["minutes_in"]) - int(row["minutes_out"])
        assert int(row["balance_after_minutes"]) == balance
    assert balance == get_account(engine, site.timebank_id, site.account_ids["alice"]).balance_minutes
    assert rows[0] == {
        "date": (today - timedelta(days=2)).isoformat(),
        "with": site.names["bob"],
        "description": "Fixed a bike",
        "minutes_in": "90",
        "minutes_out": "0",
        "balance_after_minutes": "90",
    }
    assert rows[2]["with"] == "Community pot"
    assert rows[-1]["description"] == "Correction of “Gardening”. Reason: Recorded twice"


def test_the_csv_keeps_spreadsheet_formulas_from_running(engine: Engine) -> None:
    site = build_site(engine)
    for description in ('=HYPERLINK("http://x")', "+1", "-1+2", "@SUM(A1)", "Plain"):
        _exchange(site, "alice", "bob", 10, description)
    rows = _csv_rows(site.logged_in("alice").get("/statement.csv").text)

    assert [r["description"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "Plain",
    ]
    assert [r["balance_after_minutes"] for r in rows] == ["10", "20", "30", "40", "50"]
    assert spreadsheet_text("\tx") == "'\tx"
    assert spreadsheet_text("\rx") == "'\rx"
    assert spreadsheet_text("1 hour") == "1 hour"


def test_a_member_sees_only_their_own_statement_whatever_the_query_says(engine: Engine) -> None:
    site = _story(engine)
    bob_account = site.account_ids["bob"]
    alice = site.logged_in("alice")
    olive = site.logged_in("olive")

    page = alice.get(f"/statement?account_id={bob_account}").text
    assert "minus 45 minutes" in page  # Alice's balance, not Bob's
    assert "Fixed a bike" in page
    printed = alice.get(f"/statement/print?account_id={bob_account}").text
    assert f"Statement for {site.names['alice']}" in printed
    rows = _csv_rows(alice.get(f"/statement.csv?account_id={bob_account}").text)
    assert rows[-1]["balance_after_minutes"] == "-45"

    outsider = olive.get(f"/statement?account_id={bob_account}").text
    assert "You have no exchanges yet." in outsider
    assert "Fixed a bike" not in outsider
    assert _csv_rows(olive.get(f"/statement.csv?account_id={bob_account}").text) == []


def test_a_visitor_with_no_session_is_sent_to_log_in(engine: Engine) -> None:
    site = build_site(engine)
    visitor = site.visitor()

    for path in ("/statement", "/statement/print", "/statement.csv", "/statement?cursor=x"):
        answer = visitor.get(path)
        assert answer.status_code == 303, path
        assert answer.headers["location"] == "/login"


def test_the_period_read_is_bounded_and_says_when_there_is_more(engine: Engine) -> None:
    site = _story(engine)
    alice = Caller.holder_of(site.timebank_id, site.account_ids["alice"], "test", site.member_ids["alice"])
    today = utc_now().date()

    period = statement_between(
        engine, site.timebank_id, alice, site.account_ids["alice"], today, today, limit=2
    )
    assert len(period.lines) == 2 and period.more
    assert period.lines[0].reverses_transaction_id is not None
    whole = statement_between(engine, site.timebank_id, alice, site.account_ids["alice"], today, today)
    assert len(whole.lines) == 5 and not whole.more
    before = statement_between(
        engine,
        site.timebank_id,
        alice,
        site.account_ids["alice"],
        date(2020, 1, 1),
        today - timedelta(days=1),
    )
    assert before.lines == ()
