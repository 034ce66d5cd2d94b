"""Finding who can help: search the timebank's open offers and requests by words, category and kind.

Search finds only posts that are open, unexpired (their expiry day is today or later, UTC) and not
hidden, of this timebank. With words, every word must be in the post's title, description or
area, whatever its case or accents (the last word may be the start of one), and the best match
comes first (SQLite's bm25, PostgreSQL's ts_rank), newest first among equals; without words, the
newest first. Each result names the member and the day they last took part, and nothing else
about them.

**Bounds.** With words, search ranks the newest ``SEARCH_RESULTS_MAX`` matching posts and pages
through them: a word in most posts (say "help") would otherwise have every one of them scored to
show the first page, and past a few hundred results a searcher should narrow the search. Measured
(``bench/search_bench.py``): ranking costs about 6 microseconds a candidate on SQLite, so 500 keep
a search within a few milliseconds whatever the words. A cursor is then the number of results
already shown; without words, it is the last post's id, and pages go on to the end. The words are
bounded (``timebank.offers.words``), and so is a page.
"""

from __future__ import annotations

import base64
import binascii

from sqlalchemy import Engine

from timebank.clock import utc_now
from timebank.db.unit_of_work import UnitOfWork, run
from timebank.offers.requests import PostKind
from timebank.offers.views import FoundPostView, SearchPage
from timebank.offers.words import search_words
from timebank.paging import CursorInvalid, decode_id_cursor, encode_id_cursor, page_limit
from timebank.people.callers import Caller

__all__ = ["SEARCH_RESULTS_MAX", "search_posts"]

SEARCH_RESULTS_MAX = 500
_SHOWN_PREFIX = "shown:"


def _encode_shown(shown: int) -> str:
    return base64.urlsafe_b64encode(f"{_SHOWN_PREFIX}{shown}".encode()).decode()


def _decode_shown(cursor: str | None) -> int:
    if cursor is None:
        return 0
    refusal = CursorInvalid("This page cursor is not one we gave out; start from the first page")
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError) as error:
        raise refusal from error
    number = text.removeprefix(_SHOWN_PREFIX)
    if not text.startswith(_SHOWN_PREFIX) or not number.isdigit() or len(number) > 6:
        raise refusal
    shown = int(number)
    if not 0 < shown < SEARCH_RESULTS_MAX:
        raise refusal
    return shown


def search_posts(
    engine: Engine,
    timebank_id: int,
    caller: Caller,
    *,
    words: str | None = None,
    category_id: int | None = None,
    kind: PostKind | None = None,
    cursor: str | None = None,
    limit: int | None = None,
) -> SearchPage:
    """Open, unexpired, visible posts of the timebank that match, for anyone in it."""
    caller.check_timebank(timebank_id)
    size = page_limit(limit)
    wanted = search_words(words)
    # Each kind of search hands out its own kind of cursor, and takes only its own back.
    shown = _decode_shown(cursor) if wanted is not None else 0
    before_id = decode_id_cursor(cursor) if wanted is None else None
    kind_code = None if kind is None else PostKind(kind).value

    def use_case(uow: UnitOfWork) -> SearchPage:
        uow.timebanks.get(timebank_id)
        if category_id is not None:
            uow.offers.category(timebank_id, category_id)
        today = utc_now().date()
        if wanted is None:
            records = uow.offers.browse(
                timebank_id,
                today,
                kind=kind_code,
                category_id=category_id,
                before_id=before_id,
                limit=size + 1,
            )
        else:
            # The last page stops at SEARCH_RESULTS_MAX results.
            take = min(size + 1, SEARCH_RESULTS_MAX - shown)
            records = uow.offers.search(
                timebank_id,
                today,
                fts5_query=wanted.fts5(),
                tsquery=wanted.tsquery(),
                kind=kind_code,
                category_id=category_id,
                candidates_max=SEARCH_RESULTS_MAX,
                offset=shown,
                limit=take,
            )
        kept = records[:size]
        next_cursor = None
        if len(records) > size:
            after = shown + size
            next_cursor = encode_id_cursor(kept[-1].post_id) if wanted is None else _encode_shown(after)
        last = uow.offers.last_took_part(timebank_id, [r.account_id for r in kept])
        posts = tuple(FoundPostView.of(r, last.get(r.account_id)) for r in kept)
        return SearchPage(posts=posts, next_cursor=next_cursor)

    return run(engine, use_case, write=False)
