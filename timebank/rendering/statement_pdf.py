"""A member's benefit-safe statement as a PDF: the statement's lines, then the letter (DESIGN B7).

The PDF holds exactly the lines ``timebank.benefits.statement_text`` writes, so the page, the PDF
and the tests read the same words: the no-cash-value notice among them. Every page is headed with
who issued it (the timebank) and numbered "Page 1 of 3" at its foot, so that a page handed over on
its own still says where it came from and that others go with it. It is drawn with fpdf2,
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
_SMALL_POINTS = 9
_FOOTER_MILLIMETRES = 15
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


class _NumberedPages(FPDF):
    """An A4 document whose every page is headed with its issuer and numbered "Page N of M"."""

    def __init__(self, issued_by: str) -> None:
        super().__init__(format="A4")
        self.issued_by = latin_1_text(issued_by)

    def header(self) -> None:
        self.set_font(_FONT, style="I", size=_SMALL_POINTS)
        self.cell(0, _LINE_MILLIMETRES, f"Issued by {self.issued_by}", new_x="LMARGIN", new_y="NEXT")
        self.ln(2)

    def footer(self) -> None:
        self.set_y(-_FOOTER_MILLIMETRES)
        self.set_font(_FONT, size=_SMALL_POINTS)
        # fpdf2 puts the number of pages in place of its alias ("{nb}") when the document is written.
        self.cell(0, _LINE_MILLIMETRES, f"Page {self.page_no()} of {self.str_alias_nb_pages}", align="C")


def _document(title: str, statement: Statement) -> FPDF:
    pdf = _NumberedPages(statement.issued_by.name)
    pdf.set_title(latin_1_text(title))
    pdf.set_author(latin_1_text(statement.issued_by.name))
    pdf.set_lang("en-GB")
    pdf.set_auto_page_break(auto=True, margin=_FOOTER_MILLIMETRES + 5)
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
