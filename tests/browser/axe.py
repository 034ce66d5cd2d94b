"""axe-core's WCAG 2.2 AA rules, run on a page in the browser; and the page's other checks.

``check_page`` asserts what DESIGN §8 asks of every page in every state: no axe-core violation of
the WCAG 2.0, 2.1 and 2.2 A and AA rules, at a phone's width and a desktop's; no sideways scrolling
at 320 CSS pixels (reflow at 400% zoom); one ``main`` landmark and one ``h1``; and text in plain
English, with a Flesch reading ease of at least 60 for the page's main text.
"""

from __future__ import annotations

import textstat
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from tests.browser.conftest import WIDTHS

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
READING_EASE_MIN = 60
# Words for credits that DESIGN §2 forbids, as whole words (a page may say "pay" for money only).
_axe = Axe()


def violations(page: Page) -> list[str]:
    result = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS}})
    found = result.response["violations"]
    return [f"{v['id']}: {v['help']} at {[node['target'] for node in v['nodes']][:3]}" for v in found]


def reading_ease(page: Page) -> float:
    """Flesch reading ease of the main text, each line (a heading, a label, a cell) a sentence.

    A label or a heading has no full stop; counted as it stands, a form's labels would run into one
    long "sentence" that nobody reads as one.
    """
    lines = [line.strip() for line in page.locator("main").inner_text().splitlines() if line.strip()]
    text = " ".join(line if line[-1] in ".?!:" else line + "." for line in lines)
    return float(textstat.flesch_reading_ease(text))


def check_page(page: Page, state: str) -> None:
    """Every check of DESIGN §8 on the page as it stands, at each width."""
    assert page.locator("main").count() == 1, f"{state}: one main landmark"
    assert page.locator("h1").count() == 1, f"{state}: one h1"
    ease = reading_ease(page)
    assert ease >= READING_EASE_MIN, f"{state}: reading ease {ease:.0f} < {READING_EASE_MIN}"
    size = page.viewport_size or {"width": 1280, "height": 900}
    try:
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": size["height"]})
            found = violations(page)
            assert found == [], f"{state} at {width}px: {found}"
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width, f"{state} at {width}px scrolls sideways ({scroll_width}px wide)"
    finally:
        page.set_viewport_size(size)
