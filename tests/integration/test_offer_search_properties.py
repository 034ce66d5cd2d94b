"""Search finds exactly what a plain filter finds: a property test on SQLite and on PostgreSQL.

Hypothesis writes a timebank's posts (titles, descriptions and areas from a small vocabulary, in
any case, with and without accents, among punctuation and words that look like search syntax), and
puts each in a state: open, closed, expired or hidden; a neighbouring timebank gets posts with the
same words. Then it searches by words, category and kind, a page of a random size at a time. The
results must be exactly the posts a plain Python filter keeps: this timebank's, open, unexpired,
unhidden, of the kind and category asked for, holding every searched word after case and accents
are folded (the last word as the start of a word). No result appears twice across pages, and the
neighbour's posts never appear.

The filter folds text its own way (NFKD, marks dropped, ``casefold``, words of letters and
digits), independently of ``timebank.offers.words``, so that a bug there is caught rather than
copied.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from tests.offer_calls import OfferWorld, expire, make_offer_world, post_for
from timebank.offers import PostKind

VOCABULARY = (
    "garden",
    "Gardening",
    "GARDENER",
    "café",
    "CAFE",
    "cafés",
    "lift",
    "Lifts",
    "hospital",
    "Straße",
    "strasse",
    "naïve",
    "Zoë",
    "zoe",
    "ÉCOLE",
    "école",
    "Ölfen",
    "oelfen",
    "Καφές",
    "日本",
    "IT",
    "it",
    "or",
    "AND",
    "near",
    "NOT",
    "2024",
    "help",
)
PUNCTUATION = (" ", " ", ", ", ". ", " - ", "! ", "'", '"', "*", "(", ")", ":", "^", "/", "\n")
STATES = ("open", "open", "closed", "expired", "hidden")
CATEGORIES = ("Gardening", "Lifts", "Other")


def _folded_words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.findall(r"[^\W_]+", unicodedata.normalize("NFKD", bare))


def _matches(text: str, words: list[str]) -> bool:
    have = set(_folded_words(text))
    *whole, last = words
    return all(word in have for word in whole) and any(word.startswith(last) for word in have)


texts = st.lists(
    st.tuples(st.sampled_from(VOCABULARY), st.sampled_from(PUNCTUATION)), min_size=1, max_size=6
).map(lambda pairs: "".join(word + gap for word, gap in pairs).strip(" ,.-!/\n") or "help")


@dataclass(frozen=True)
class Spec:
    title: str
    description: str
    area: str | None
    kind: PostKind
    category: str
    state: str
    member: str


posts_specs = st.builds(
    Spec,
    title=texts,
    description=texts,
    area=st.none() | texts,
    kind=st.sampled_from(list(PostKind)),
    category=st.sampled_from(CATEGORIES),
    state=st.sampled_from(STATES),
    member=st.sampled_from(("Ann", "Bo")),
)
queries = st.lists(
    st.sampled_from(VOCABULARY) | st.sampled_from(("gard", "caf", "hosp", "zo", "str")), max_size=3
)


def _make(world: OfferWorld, spec: Spec) -> int:
    member_id = world.members[spec.member].member_id
    assert member_id is not None
    post_id = post_for(
        world.engine,
        world.timebank_id,
        member_id,
        title=spec.title,
        description=spec.description,
        area=spec.area,
        kind=spec.kind,
        category=spec.category,
    ).post_id
    if spec.state == "closed":
        world.close(post_id)
    elif spec.state == "expired":
        expire(world.engine, post_id)
    elif spec.state == "hidden":
        world.hide(post_id)
    return post_id


@given(
    here=st.lists(posts_specs, max_size=8),
    there=st.lists(posts_specs, max_size=3),
    words=queries,
    joiner=st.sampled_from((" ", ", ", " -", '" "')),
    kind=st.none() | st.sampled_from(list(PostKind)),
    category=st.none() | st.sampled_from(CATEGORIES),
    page_size=st.integers(min_value=1, max_value=4),
)
def test_search_finds_exactly_the_matching_open_unexpired_unhidden_posts_of_this_timebank(
    engine: Engine,
    here: list[Spec],
    there: list[Spec],
    words: list[str],
    joiner: str,
    kind: PostKind | None,
    category: str | None,
    page_size: int,
) -> None:
    world = make_offer_world(engine, names=("Ann", "Bo"))
    neighbour = make_offer_world(engine, names=("Ann", "Bo"))
    made = {_make(world, spec): spec for spec in here}
    elsewhere = {_make(neighbour, spec) for spec in there}
    query = joiner.join(words)
    folded_query = _folded_words(query)

    expected = {
        post_id
        for post_id, spec in made.items()
        if spec.state == "open"
        and (kind is None or spec.kind is kind)
        and (category is None or spec.category == category)
        and (
            not folded_query
            or _matches(
                " ".join(part for part in (spec.title, spec.description, spec.area) if part), folded_query
            )
        )
    }
    category_id = None if category is None else world.categories[category]
    found = world.found_ids(words=query or None, kind=kind, category_id=category_id, limit=page_size)

    assert len(found) == len(set(found)), "a post appeared on two pages"
    assert set(found) == expected, (query, [made[i] for i in set(found) ^ expected])
    assert not set(found) & elsewhere


def test_the_filter_folds_as_a_person_reads() -> None:
    # The oracle itself, on the cases the vocabulary relies on.
    assert _folded_words("Café, ÉCOLE-Straße!") == ["cafe", "ecole", "strasse"]
    assert _folded_words("Zoë naïve Καφές") == [
        "zoe",
        "naive",
        "καφεσ",
    ]  # casefold writes a final sigma as any other
    assert _matches("Gardening help", ["help", "gard"])
    assert not _matches("Gardening help", ["gard", "help"])
