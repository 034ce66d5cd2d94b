"""The coordinators' Reports page: the reciprocity report for a board, its print, its CSV and PNGs.

A small history is recorded through the use cases; the page's figures are checked against the
report use case's own for the same window (and a few against the history itself), the downloads
against the renderers', and every refusal of the form (a period that ends before it starts, is too
long, is in the future, is not a real date; a tag that cannot be one) is an error summary with the
form and nothing else. Members and staff get 403 pages; another timebank's organisation is not found.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import Engine

from tests.ledger_calls import record_exchange
from tests.people_calls import add_member
from tests.web.site import Site, build_site
from timebank.clock import utc_now
from timebank.ledger.types import Actor, ReceiverShare
from timebank.people.callers import Caller
from timebank.rendering.report_csv import report_csv
from timebank.reporting.reports import REPORT_WINDOW_DAYS_MAX, reciprocity_report
from timebank.reports import Report, TagGroup
from timebank.web.report_charts import CHARTS, inline_svg
from timebank.web.report_page import month_words, report_page

COORDINATOR = Actor("system", None, True)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _exchange(site: Site, giver: str, receiver: str, minutes: int, days_ago: int) -> None:
    record_exchange(
        site.engine,
        site.timebank_id,
        COORDINATOR,
        site.account_ids[giver],
        [ReceiverShare(site.account_ids[receiver], minutes)],
        utc_now().date() - timedelta(days=days_ago),
        "Help",
    )


def _story(engine: Engine) -> Site:
    """Alice helps Bob, Bob helps Alice back, Carol helps the coordinator; elsewhere, Olive is helped."""
    site = build_site(engine)
    _exchange(site, "alice", "bob", 90, days_ago=10)
    _exchange(site, "bob", "alice", 60, days_ago=5)
    _exchange(site, "carol", "coordinator", 30, days_ago=3)
    other = Caller.coordinator_of(site.other_timebank_id)
    helper = add_member(engine, site.other_timebank_id, other, "Harry Helper")
    record_exchange(
        engine,
        site.other_timebank_id,
        COORDINATOR,
        helper.account_id,
        [ReceiverShare(site.account_ids["olive"], 45)],
        utc_now().date() - timedelta(days=2),
        "Help elsewhere",
    )
    return site


def _use_case(site: Site, from_on: date, last_on: date, group: TagGroup | None = None) -> Report:
    caller = Caller.coordinator_of(site.timebank_id)
    return reciprocity_report(
        site.engine, site.timebank_id, caller, from_on, last_on + timedelta(days=1), group
    )


def _figure(html: str, key: str) -> tuple[str, str]:
    """A headline figure's value as the page shows it, and the words of its row."""
    row = re.search(rf'id="figure-{key}".*?</dd>', html, re.DOTALL)
    assert row, key
    value = re.search(r'class="tb-report-figure">(.*?)</strong>', row.group(0))
    assert value, key
    return unescape(value.group(1)), unescape(re.sub(r"<[^>]+>", " ", row.group(0)))


def _main(html: str) -> str:
    """The page's own content, without the header's links (a coordinator's own Benefits page)."""
    return html[html.index("<main") : html.index("</main>")]


def _errors(html: str) -> list[str]:
    summary = re.search(r'govuk-error-summary__list">(.*?)</ul>', html, re.DOTALL)
    assert summary, "no error summary"
    return [unescape(text).strip() for text in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(1), re.DOTALL)]


def test_the_page_shows_the_use_cases_figures_for_the_last_90_days(engine: Engine) -> None:
    site = _story(engine)
    page = site.logged_in("coordinator").get("/reports")

    assert page.status_code == 200, page.text
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert html.count("<h1") == 1
    today = utc_now().date()
    report = _use_case(site, today - timedelta(days=89), today)
    shown = report_page(report)
    assert shown is not None
    for headline in shown.headlines:
        value, words = _figure(html, headline.key)
        assert value == headline.value, headline.key
        assert headline.meaning.split(".")[0] in words
        if headline.rating is not None:
            assert headline.rating_words in words  # the colour in words, not by colour alone
            assert headline.thresholds in words
    # Against the history itself: five members here, three exchanges here (not Olive's), 3 hours.
    assert _figure(html, "members")[0] == "5"
    assert _figure(html, "exchanges")[0] == "3"
    assert _figure(html, "hours")[0] == "3 hours"
    assert _figure(html, "active_members")[0] == "4"
    assert _figure(html, "active_rate")[0] == "80%"
    assert "Green: going well" in _figure(html, "active_rate")[1]
    assert _figure(html, "two_way_rate")[0] == "50%"
    assert "Green from 50%. Amber from 25%. Red below 25%." in _figure(html, "two_way_rate")[1]
    assert "all members" in html
    assert "benefit" not in _main(html).lower()


def test_the_charts_are_inline_svg_named_for_screen_readers_with_their_tables_beside(engine: Engine) -> None:
    site = _story(engine)
    html = site.logged_in("coordinator").get("/reports").text

    assert html.count('role="img"') == 4
    for slug in ("monthly", "role-mix", "give-share", "hours-matrix"):
        assert f'aria-labelledby="chart-{slug}-title chart-{slug}-desc"' in html
        assert f'<title id="chart-{slug}-title">' in html and f'<desc id="chart-{slug}-desc">' in html
        assert f'id="table-{slug}"' in html
        assert f'href="/reports/{slug}.png?period=dates&amp;' in html
    # The page's CSP allows no inline style and no data: picture.
    assert "style=" not in html and "<style" not in html and "data:" not in html
    assert html.count("Show the figures as a table") == 4
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert "Members who both gave and received" in html  # the role mix's table


def test_a_window_cut_months_shows_part_months_and_its_figures_equal_the_use_cases(engine: Engine) -> None:
    site = _story(engine)
    today = utc_now().date()
    from_on, last_on = date(today.year - 1, 3, 5), date(today.year - 1, 4, 30)
    year = from_on.year
    query = f"period=dates&from-day=5&from-month=3&from-year={year}&to-day=30&to-month=4&to-year={year}"
    html = site.logged_in("coordinator").get(f"/reports?{query}").text

    assert f"5 to 31 March {from_on.year} (part of the month)" in html
    assert f"April {from_on.year}</th>" in html
    shown = report_page(_use_case(site, from_on, last_on))
    assert shown is not None
    for headline in shown.headlines:
        assert _figure(html, headline.key)[0] == headline.value
    assert _figure(html, "exchanges")[0] == "0"
    assert f"5 March {from_on.year} to 30 April {from_on.year}" in html


def test_month_words_name_a_whole_month_or_the_days_of_a_part() -> None:
    assert month_words(date(2026, 3, 1), date(2026, 3, 1), date(2026, 4, 1)) == "March 2026"
    assert (
        month_words(date(2026, 3, 1), date(2026, 3, 1), date(2026, 3, 16))
        == "1 to 15 March 2026 (part of the month)"
    )
    assert (
        month_words(date(2026, 3, 1), date(2026, 3, 31), date(2026, 5, 1))
        == "31 March 2026 (part of the month)"
    )


def test_refused_periods_are_an_error_summary_and_the_form_nothing_else(engine: Engine) -> None:
    site = _story(engine)
    visitor = site.logged_in("coordinator")
    today = utc_now().date()
    later = today + timedelta(days=10)
    long_ago = today - timedelta(days=REPORT_WINDOW_DAYS_MAX + 1)
    cases = {
        f"period=dates&from={today.isoformat()}&to={(today - timedelta(days=3)).isoformat()}": (
            "The end date must be the same as or after the start date",
            "#to-day",
        ),
        f"period=dates&from={long_ago.isoformat()}&to={today.isoformat()}": (
            "A report can cover 5 years at most. Choose a later start date",
            "#from-day",
        ),
        f"period=dates&from={today.isoformat()}&to={later.isoformat()}": (
            "The end date must be today or earlier",
            "#to-day",
        ),
        "period=dates&from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026": (
            "The start date must be a real date, like 27 3 2026",
            "#from-day",
        ),
        "period=dates": ("Enter the start date", "#from-day"),
        "group=tag&tag=Not+a+tag": (
            "A tag has only small letters, numbers and underscores, like uses_services",
            "#tag",
        ),
        "group=tag": ("Enter a tag, like uses_services", "#tag"),
        "group=organisation&organisation=x": ("Choose an organisation from the list", "#organisation"),
        "period=forever": ("Choose a period from the list", "#period"),
    }
    for query, (message, href) in cases.items():
        page = visitor.get(f"/reports?{query}")
        assert page.status_code == 422, query
        assert message + "." in _errors(page.text), (query, _errors(page.text))
        assert f'href="{href}"' in page.text
        assert "Headline figures" not in page.text and 'role="img"' not in page.text
        assert page.text.count("<h1") == 1 and "Log out" in page.text
        for download in ("/reports.csv", "/reports/monthly.png", "/reports/print"):
            assert visitor.get(f"{download}?{query}").status_code == 422, (download, query)
    typed = visitor.get(
        "/reports?period=dates&from-day=31&from-month=2&from-year=2026&to-day=1&to-month=3&to-year=2026"
    )
    assert 'name="from-day" type="text" value="31"' in typed.text or 'value="31"' in typed.text


def test_members_and_staff_are_refused_every_address_and_nobody_logged_out_sees_one(engine: Engine) -> None:
    site = _story(engine)
    addresses = ("/reports", "/reports/print", "/reports.csv", "/reports/monthly.png")
    for who in ("alice", "staff"):
        visitor = site.logged_in(who)
        for address in addresses:
            page = visitor.get(address)
            assert page.status_code == 403, (who, address)
            assert "This page is for coordinators" in page.text
            assert "Members" not in _figures_only(page.text)
    for address in addresses:
        assert site.visitor().get(address).status_code == 303


def _figures_only(html: str) -> str:
    return html if "Headline figures" in html else ""


def test_another_timebanks_organisation_is_not_found_and_an_unknown_chart_neither(engine: Engine) -> None:
    site = _story(engine)
    visitor = site.logged_in("coordinator")

    assert (
        visitor.get(f"/reports?group=organisation&organisation={site.other_organisation_id}").status_code
        == 404
    )
    assert visitor.get("/reports/pie.png").status_code == 404


def test_the_csv_and_the_pngs_are_the_renderers_for_the_same_window(engine: Engine) -> None:
    site = _story(engine)
    visitor = site.logged_in("coordinator")
    today = utc_now().date()
    from_on = today - timedelta(days=30)
    query = f"period=dates&from={from_on.isoformat()}&to={today.isoformat()}"

    page = visitor.get(f"/reports?{query}")
    assert f'href="/reports.csv?{query.replace("&", "&amp;")}"' in page.text
    csv_answer = visitor.get(f"/reports.csv?{query}")
    assert csv_answer.status_code == 200
    assert csv_answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in csv_answer.headers["content-disposition"]
    assert csv_answer.text == report_csv(_use_case(site, from_on, today))
    for slug in ("monthly", "role-mix", "give-share", "hours-matrix"):
        png = visitor.get(f"/reports/{slug}.png?{query}")
        assert png.status_code == 200, slug
        assert png.headers["content-type"] == "image/png"
        assert png.content.startswith(PNG_SIGNATURE)


def test_a_group_too_small_to_show_says_so_and_offers_nothing_to_download(engine: Engine) -> None:
    site = _story(engine)
    add_member(
        engine, site.timebank_id, Caller.coordinator_of(site.timebank_id), "Cleo Choir", tags=["choir"]
    )
    visitor = site.logged_in("coordinator")

    page = visitor.get("/reports?group=tag&tag=choir")
    assert page.status_code == 200
    assert "fewer than 15 members" in page.text
    assert "members with the tag choir" in page.text
    assert "Headline figures" not in page.text and 'role="img"' not in page.text
    assert "/reports.csv" not in page.text
    assert visitor.get("/reports.csv?group=tag&tag=choir").status_code == 409
    assert visitor.get("/reports/monthly.png?group=tag&tag=choir").status_code == 409
    organisation = visitor.get(f"/reports?group=organisation&organisation={site.organisation_id}")
    assert organisation.status_code == 200
    assert f"{site.organisation_name} and its staff" in organisation.text


def test_the_printable_report_has_no_navigation_and_every_table_open(engine: Engine) -> None:
    site = _story(engine)
    page = site.logged_in("coordinator").get("/reports/print")

    assert page.status_code == 200
    html = page.text
    assert html.count("<h1") == 1 and "Reciprocity report" in html
    assert "Log out" not in html and 'aria-label="Main"' not in html
    assert "Show the figures as a table" not in html and "<details" not in html
    assert html.count('role="img"') == 4 and 'id="table-monthly"' in html
    assert "Printed on" in html and "tb-no-print" in html
    assert "benefit" not in _main(html).lower()


def _svg(html: str, slug: str) -> str:
    found = re.search(rf'<svg [^>]*aria-labelledby="chart-{slug}-title.*?</svg>', html, re.DOTALL)
    assert found, slug
    return found.group(0)


def test_a_chart_drawn_once_is_kept_until_the_figures_change(engine: Engine) -> None:
    site = _story(engine)
    visitor = site.logged_in("coordinator")
    first = visitor.get("/reports").text
    kept = inline_svg(site.timebank_id, _use_case(site, *_last_90_days()), CHARTS[1])

    assert str(kept) == _svg(first, "role-mix")
    assert visitor.get("/reports").text == first
    _exchange(site, "staff", "carol", 45, days_ago=1)  # Priya takes part now: the role mix changes
    after = visitor.get("/reports").text
    assert _svg(after, "role-mix") != _svg(first, "role-mix")
    assert _figure(after, "active_members")[0] == "5"


def _last_90_days() -> tuple[date, date]:
    today = utc_now().date()
    return today - timedelta(days=89), today
