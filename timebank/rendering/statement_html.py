"""A member's benefit-safe statement as a web page, with the letter below it (DESIGN B7).

A plain, accessible page: one heading for the statement and one per section, a paragraph a line,
the notices in bold, the letter in a section of its own, and nothing a screen reader would trip on
(no tables for layout, no colour that carries meaning). Every word comes from
``timebank.benefits.statement_text``, escaped; the page adds only its headings' structure.
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from timebank.benefits.statement import Statement
from timebank.benefits.statement_text import LineTopic, StatementLine, letter_lines, statement_lines

__all__ = ["PAGE_STYLE", "letter_html", "statement_html"]

# The pages' one stylesheet, inline. Its exact text is what the page's Content-Security-Policy allows
# (by its SHA-256), so it stays a constant: nothing from the statement goes into it.
PAGE_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#111;background:#fff}"
    ".notice{font-weight:bold;border-left:4px solid #111;padding-left:.75rem}"
    "@media print{.letter{page-break-before:always}}"
)


def _section(lines: Iterable[StatementLine], title_level: int) -> list[str]:
    out = []
    for index, line in enumerate(lines):
        text = escape(line.text)
        if line.topic is LineTopic.HEADING:
            level = title_level if index == 0 else title_level + 1
            out.append(f"<h{level}>{text}</h{level}>")
        elif line.topic is LineTopic.NOTICE:
            out.append(f'<p class="notice">{text}</p>')
        else:
            out.append(f"<p>{text}</p>")
    return out


def _page(title_text: str, body: list[str]) -> str:
    title = escape(title_text)
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{PAGE_STYLE}</style>\n</head>\n<body>\n"
        + "\n".join(body)
        + "\n</body>\n</html>\n"
    )


def statement_html(statement: Statement) -> str:
    """The statement, then the letter for the benefit office, as one HTML page."""
    body = [
        "<main>",
        *_section(statement_lines(statement), 1),
        '<section class="letter" aria-label="Letter for the benefit office">',
        *_section(letter_lines(statement), 2),
        "</section>",
        "</main>",
    ]
    return _page(f"Benefit-safe statement for {statement.member_name}", body)


def letter_html(statement: Statement) -> str:
    """The letter for the benefit office alone, as a page to print."""
    body = ["<main>", *_section(letter_lines(statement), 1), "</main>"]
    return _page(f"Letter about {statement.member_name}", body)
