"""The report's charts (timebank.rendering.charts): four pictures for a board paper, as SVG or PNG.

Each chart is drawn from the mixed timebank of test_report_fixtures and from an empty window, in
both formats. A PNG is checked by its signature and the size in its header; an SVG is parsed as XML
and its words and numbers are read back (the charts keep text as text). The same report gives the
same SVG bytes twice. A report withheld for a small group is refused, never drawn. The give share
the histogram draws is checked on its bin boundaries with whole numbers.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ElementTree
from datetime import date
from functools import cache

import pytest

from timebank.rendering.charts import (
    CHART_FORMATS,
    CHART_NAMES,
    ChartFormat,
    ChartName,
    NotEnoughDataToChart,
    render_chart,
)
from timebank.reports import TagGroup, build_report
from timebank.reports.figures import give_share_bin, give_share_histogram
from timebank.reports.inputs import MonthAccountTotals
from timebank.reports.report import Report

from .test_report_fixtures import MARCH_AND_APRIL, MIXED_APART, MIXED_EXCHANGES, MIXED_PEOPLE
from .test_report_groups import YOUTH, group_of
from .test_report_inputs import MARCH, aggregate, helped

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@cache
def mixed_report() -> Report:
    return build_report(
        aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, reported_apart=MIXED_APART)
    )


@cache
def empty_report() -> Report:
    return build_report(aggregate([], [], *MARCH))


@cache
def rendered(which: str, name: ChartName, fmt: ChartFormat) -> bytes:
    report = mixed_report() if which == "mixed" else empty_report()
    return render_chart(report, name, fmt)


def svg_words(svg: bytes) -> list[str]:
    """Every piece of text in the SVG, in document order."""
    root = ElementTree.fromstring(svg)
    return [text.strip() for text in root.itertext() if text.strip()]


def png_size(png: bytes) -> tuple[int, int]:
    # The IHDR chunk comes first: length, type, then width and height as big-endian integers.
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


ALL_CHARTS = [(which, name) for which in ("mixed", "empty") for name in CHART_NAMES]


@pytest.mark.parametrize(("which", "name"), ALL_CHARTS)
def test_each_chart_is_a_png_about_a4_text_width_at_print_resolution(which: str, name: ChartName) -> None:
    png = rendered(which, name, "png")

    assert png.startswith(PNG_SIGNATURE)
    width, height = png_size(png)
    assert width == 1260  # 6.3 inches at 200 dots per inch
    assert 400 <= height <= 1200


@pytest.mark.parametrize(("which", "name"), ALL_CHARTS)
def test_each_chart_is_an_svg_with_its_title_and_the_window_and_group_under_it(
    which: str, name: ChartName
) -> None:
    words = svg_words(rendered(which, name, "svg"))
    subtitle = (
        "1 March 2024 to 30 April 2024, all members"
        if which == "mixed"
        else "1 March 2024 to 31 March 2024, all members"
    )

    assert subtitle in words
    assert words.count(subtitle) == 1


def test_the_svg_of_one_report_is_the_same_bytes_every_time() -> None:
    for name in CHART_NAMES:
        assert render_chart(mixed_report(), name, "svg") == rendered("mixed", name, "svg")


def test_the_svg_carries_no_date() -> None:
    svg = rendered("mixed", "monthly", "svg")
    assert b"<dc:date>" not in svg


def test_the_role_mix_shows_each_role_with_its_count_and_share_of_members() -> None:
    words = svg_words(rendered("mixed", "role_mix", "svg"))

    assert "How members took part" in words
    assert "Number of members (of 8)" in words
    # Both: A B C D; only gave: S; only received: G; no part: E F (1/8 = 12.5% shows as 13%).
    for label, count in [
        ("Members who both gave and received", "4 (50%)"),
        ("Members who only gave", "1 (13%)"),
        ("Members who only received", "1 (13%)"),
        ("Members who took no part", "2 (25%)"),
    ]:
        assert label in words
        assert count in words


def test_the_monthly_chart_shows_counts_and_rates_for_each_month() -> None:
    words = svg_words(rendered("mixed", "monthly", "svg"))

    assert "Activity month by month" in words
    assert {"Mar 2024", "Apr 2024", "Number", "Percent"} <= set(words)
    assert {"Members who took part", "Exchanges", "Share of members who took part"} <= set(words)
    assert "Share of those taking part who both gave and received" in words
    # March: 4 active, 4 exchanges; April: 6 and 6. The bar labels carry the counts.
    assert words.count("4") >= 2
    assert words.count("6") >= 2


def test_a_withheld_month_is_left_blank_and_labelled() -> None:
    # Fourteen of the group's members in March, fifteen in April (as in test_report_groups).
    inputs = aggregate(
        group_of(15, joined_on={15: date(2024, 4, 10)}),
        [helped(date(2024, 3, 4), 1, 2, 60), helped(date(2024, 4, 20), 15, 1, 30)],
        *MARCH_AND_APRIL,
        group=YOUTH,
    )
    words = svg_words(render_chart(build_report(inputs), "monthly", "svg"))

    assert words.count("Not enough data to show") == 1
    assert "1 March 2024 to 30 April 2024, members tagged youth" in words


def test_the_give_share_histogram_shows_ten_bins_and_the_mixed_counts() -> None:
    words = svg_words(rendered("mixed", "give_share", "svg"))

    assert "Balance of giving and receiving" in words
    assert "Number of members taking part" in words
    assert "Share of a member's hours that they gave (0% = only received, 100% = only gave)" in words
    ticks = [w for w in words if re.fullmatch(r"\d+–\d+%", w)]
    assert ticks == [f"{10 * i}–{10 * i + 10}%" for i in range(10)]
    # Counts (1, 0, 1, 0, 1, 2, 0, 0, 0, 1), each on its bar.
    assert words.count("2") >= 1
    assert words.count("0") >= 5


def test_the_hours_matrix_writes_hours_in_its_cells() -> None:
    words = svg_words(rendered("mixed", "hours_matrix", "svg"))

    assert "Hours given, by who gave and who received" in words
    assert {"Who gave the help", "Who received the help", "Hours"} <= set(words)
    assert {"Members", "Staff", "Organisations"} <= set(words)
    # Member → member 420 minutes, member → organisation 30, staff → member 45, organisation → member 120.
    assert {"7", "0.5", "0.75", "2"} <= set(words)


def test_an_empty_window_draws_zeros_not_an_error() -> None:
    assert "0" in svg_words(rendered("empty", "role_mix", "svg"))
    assert "Number of members (of 0)" in svg_words(rendered("empty", "role_mix", "svg"))
    assert svg_words(rendered("empty", "hours_matrix", "svg")).count("0") >= 9


def test_no_chart_speaks_of_pay_wages_or_earnings() -> None:
    for which, name in ALL_CHARTS:
        text = " ".join(svg_words(rendered(which, name, "svg"))).lower()
        for word in ("pay", "wage", "earning"):
            assert word not in text, (which, name, word)


@pytest.mark.parametrize("fmt", CHART_FORMATS)
def test_a_report_withheld_for_a_small_group_is_never_drawn(fmt: ChartFormat) -> None:
    inputs = aggregate(MIXED_PEOPLE, MIXED_EXCHANGES, *MARCH_AND_APRIL, group=TagGroup("uses_services"))
    report = build_report(inputs)
    assert report.not_enough_data

    for name in CHART_NAMES:
        with pytest.raises(NotEnoughDataToChart) as caught:
            render_chart(report, name, fmt)
        assert caught.value.code == "not_enough_data"


def test_an_unknown_chart_or_format_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown chart"):
        render_chart(mixed_report(), "pie", "svg")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown chart format"):
        render_chart(mixed_report(), "role_mix", "gif")  # type: ignore[arg-type]


# --- the give share, exactly -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "received", "expected_bin"),
    [
        (0, 30, 0),  # only received
        (1, 9, 1),  # exactly 10%: a bin holds its lower end
        (1, 10, 0),  # 9.09%
        (1, 1, 5),  # exactly 50%
        (99, 101, 4),  # 49.5%
        (9, 1, 9),  # exactly 90%
        (999, 1, 9),  # 99.9%
        (45, 0, 9),  # only gave: 100% is in the last bin
    ],
)
def test_a_give_share_on_a_boundary_lands_in_the_bin_it_opens(
    given: int, received: int, expected_bin: int
) -> None:
    assert give_share_bin(given, received) == expected_bin


def test_the_give_share_histogram_counts_active_members_only() -> None:
    members = [
        MonthAccountTotals(1, 0, 0),  # inactive: in no bin
        MonthAccountTotals(2, 60, 60),
        MonthAccountTotals(3, 0, 15),
        MonthAccountTotals(4, 30, 0),
    ]

    histogram = give_share_histogram(members)

    assert histogram.counts == (1, 0, 0, 0, 0, 1, 0, 0, 0, 1)
    assert histogram.active == 3
    assert give_share_histogram([]).counts == (0,) * 10
