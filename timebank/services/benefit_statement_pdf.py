"""A member's benefit-safe statement as a PDF: the statement's lines, then the letter (DESIGN B7).

The PDF holds exactly the lines ``timebank.benefits.statement_text`` writes, so the page, the PDF
and the tests read the same words: the no-cash-value notice among them. It is drawn with fpdf2,
pure Python, in a core font (Helvetica), so it needs no system packages. The core fonts speak
Latin-1, which has "£"; a character outside it (a dash or a curly quote someone typed into a
description) is written as its plain-text likeness, or as "?" if it has none, rather than refused.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from fpdf import FPDF

from timebank.benefits.statement import Statement
from timebank.benefits.statement_text import LineTopic, StatementLine, letter_lines, statement_lines

__all__ = ["latin_1_text", "letter_pdf", "statement_pdf"]

_FONT = "Helvetica"
_BODY_POINTS = 11
_HEADING_POINTS = 14
_LINE_MILLIMETRES = 6
_PLAIN = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2026": "...",
    }
)


def latin_1_text(text: str) -> str:
    """``text`` in the characters a core PDF font has: Latin-1, with plain likenesses for the rest."""
    plain = text.translate(_PLAIN)
    out = []
    for character in plain:
        if ord(character) < 256:
            out.append(character)
            continue
        decomposed = unicodedata.normalize("NFKD", character).encode("latin-1", "ignore").decode("latin-1")
        out.append(decomposed or "?")
    return "".join(out)


def _write(pdf: FPDF, lines: Iterable[StatementLine]) -> None:
    for index, line in enumerate(lines):
        if line.topic is LineTopic.HEADING:
            size = _HEADING_POINTS if index == 0 else _BODY_POINTS + 1
            pdf.set_font(_FONT, style="B", size=size)
            if index:
                pdf.ln(2)
        elif line.topic is LineTopic.NOTICE:
            pdf.set_font(_FONT, style="B", size=_BODY_POINTS)
        else:
            pdf.set_font(_FONT, size=_BODY_POINTS)
        pdf.multi_cell(0, _LINE_MILLIMETRES, latin_1_text(line.text), new_x="LMARGIN", new_y="NEXT")


def _document(title: str, statement: Statement) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.set_title(latin_1_text(title))
    pdf.set_author(latin_1_text(statement.organisation_name))
    pdf.set_lang("en-GB")
    pdf.set_auto_page_break(auto=True, margin=15)
    return pdf


def statement_pdf(statement: Statement) -> bytes:
    """The statement on its first page or pages, and the letter for the benefit office after it."""
    pdf = _document(f"Benefit-safe statement for {statement.member_name}", statement)
    pdf.add_page()
    _write(pdf, statement_lines(statement))
    pdf.add_page()
    _write(pdf, letter_lines(statement))
    return bytes(pdf.output())


def letter_pdf(statement: Statement) -> bytes:
    """The letter for the benefit office alone."""
    pdf = _document(f"Letter about {statement.member_name}", statement)
    pdf.add_page()
    _write(pdf, letter_lines(statement))
    return bytes(pdf.output())
