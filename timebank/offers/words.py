"""Words for search: a post's text and a searcher's words folded the same way, and bounded.

Search must find "café" for "CAFE" and "Straße" for "strasse", and give the same answer on SQLite
and PostgreSQL. Each database's full-text search has its own idea of a word and of case and
accents, so neither is trusted with them: ``fold`` does it here, once, for the post (its
``search_text``) and for the words searched for. Folding takes the text apart (NFKD), drops the
accents (combining marks), folds case (``str.casefold``: "ß" is "ss"), writes every decimal digit
as an ASCII one, and makes everything that is not a letter or a digit a space. What is left is
words of letters and digits between single spaces, which both databases split where we split it.

The searcher's words are bounded (``SEARCH_TEXT_LENGTH_MAX`` characters, ``SEARCH_WORDS_MAX``
words) and go to the database as data, never as its query language: on SQLite each word is quoted
as an FTS5 string (``"word"``), on PostgreSQL as a tsquery lexeme (``'word'``); being letters and
digits only, no word can be an operator, a column filter or a syntax error. Every word must be
found; the last one may be the start of a word (``gard`` finds "gardening"), so results come as
the searcher types.

This module is pure: no database, no framework.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from timebank.offers.errors import SearchTextTooLong, SearchWordsTooMany

__all__ = [
    "SEARCH_TEXT_LENGTH_MAX",
    "SEARCH_WORDS_MAX",
    "SearchWords",
    "fold",
    "name_key",
    "search_text",
    "search_words",
]

SEARCH_TEXT_LENGTH_MAX = 200
SEARCH_WORDS_MAX = 8


def _folded_character(character: str) -> str:
    if character.isdecimal():
        # Arabic-Indic or full-width digits: every database counts ASCII digits as digits.
        return str(unicodedata.decimal(character))
    if character.isalpha():
        return character
    return " "


def fold(text: str) -> str:
    """``text`` as search sees it: lower case, unaccented words of letters and digits, single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    # Case folding can bring marks of its own ("İ" folds to "i" and a dot): decompose again after.
    folded = unicodedata.normalize("NFKD", decomposed.casefold())
    kept = "".join(_folded_character(c) for c in folded if not unicodedata.combining(c))
    return " ".join(kept.split())


def name_key(name: str) -> str:
    """What makes two category names the same name: "DIY" and "diy", "Café" and "cafe"."""
    return fold(name)


def search_text(*parts: str | None) -> str:
    """The folded words of a post's searchable parts (title, description, area), as stored."""
    return " ".join(folded for part in parts if part and (folded := fold(part)))


@dataclass(frozen=True)
class SearchWords:
    """The searcher's words, folded; the last may be the start of a longer word."""

    words: tuple[str, ...]

    def fts5(self) -> str:
        """An FTS5 query: every word, quoted; the last a prefix."""
        quoted = ['"' + word.replace('"', '""') + '"' for word in self.words]
        return " ".join(quoted) + "*"

    def tsquery(self) -> str:
        """A PostgreSQL tsquery: every word, quoted, joined by AND; the last a prefix."""
        quoted = ["'" + word.replace("'", "''") + "'" for word in self.words]
        quoted[-1] += ":*"
        return " & ".join(quoted)


def search_words(text: str | None) -> SearchWords | None:
    """The words to search for in ``text``; None when it has none (then nothing is filtered by words).

    Too long a text, or too many words, is refused rather than cut: a searcher should know that
    what they typed was not all searched for.
    """
    if text is None:
        return None
    if len(text) > SEARCH_TEXT_LENGTH_MAX:
        raise SearchTextTooLong(f"Search for at most {SEARCH_TEXT_LENGTH_MAX} characters")
    words = fold(text).split()
    if len(words) > SEARCH_WORDS_MAX:
        raise SearchWordsTooMany(f"Search for at most {SEARCH_WORDS_MAX} words at once")
    if not words:
        return None
    return SearchWords(tuple(words))
