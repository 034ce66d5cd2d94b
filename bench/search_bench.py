"""Search benchmark: finding offers and requests among 100,000 posts of 10,000 members, through the API.

Not a test: it prints figures. Issue 19's target, on SQLite and on PostgreSQL: search's p95 under
50 ms through the API, with 100,000 posts across 10,000 members.

The timebank is ``report_data``'s (10,000 members with a seeded history of exchanges, so "last took
part" reads a real ledger: ``--exchanges``, 200,000 by default), given the default categories and
``--posts`` posts written in bulk: offers and requests (60/40) in every category, titles and
descriptions drawn from a vocabulary of about 1,600 words with a heavy tail (a few words are in
many posts, most in few), some with accents; 80% open, 10% closed, 5% expired, 5% hidden. Each
post's words are folded as the use case folds them, so each database's index holds what it would.

Then a member with a login asks ``GET /v1/timebanks/{tb}/posts`` through the whole app in-process
(``TestClient``: the token is checked on every request, the answer is serialised; no network), a
warm-up first, then ``--requests`` requests of each kind, in turn:

- a common word ("garden", in about 5% of posts), two words, a word being typed ("gard"), a rare
  word, a word with its accent left off ("cafe");
- a word within a category and a kind; a category alone (browsing, newest first); no filter;
- the second page of a common word (its cursor).

Each kind's p50 and p95 is printed, and all of them together: the time each request took (wall
clock) and the benchmark process's CPU time for it (``time.process_time``: the app and, on SQLite,
the database, which runs in the process; PostgreSQL's own work is in its server). On a machine
shared with other work the wall clock waits for a core; the CPU time does not, and the load
average at the time is printed beside them. Compare figures from one run.

    python bench/search_bench.py                                   # SQLite and PostgreSQL, made and dropped
    python bench/search_bench.py --backend sqlite --posts 10000 --members 1000 --exchanges 10000
    python bench/search_bench.py --postgres-admin-url postgresql+psycopg://postgres@127.0.0.1/postgres
    python bench/search_bench.py --sqlite-url sqlite:////tmp/search.sqlite3 \
                                 --postgres-url postgresql+psycopg://postgres@127.0.0.1/search
                                     # seeded once and kept; a later run with the same URLs reuses them
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
# Logging in once is all the benchmark does with a password: no need for the deployed hash cost.
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_MEMORY_KIB", "1024")
os.environ.setdefault("TIMEBANK_PASSWORD_HASH_TIME_COST", "1")

from fastapi.testclient import TestClient  # noqa: E402
from report_data import seed_report_dataset  # type: ignore[import-not-found]  # noqa: E402

from timebank.api.app import create_app  # noqa: E402
from timebank.db import make_engine, run, upgrade  # noqa: E402
from timebank.db.offer_tables import categories, posts  # noqa: E402
from timebank.db.people_tables import members  # noqa: E402
from timebank.offers.words import search_text  # noqa: E402
from timebank.people.access import log_in  # noqa: E402
from timebank.people.callers import Caller  # noqa: E402
from timebank.people.members import add_member  # noqa: E402
from timebank.people.requests import AddMember  # noqa: E402

TARGET_P95_MS = 50.0
PASSWORD = "search benchmark password"
CHUNK = 5_000

# Words of each category: the first few of each are common, so some searches find thousands.
TOPICS = {
    "Gardening": "garden gardening weeding mowing hedge lawn planting allotment compost pruning",
    "Lifts": "lift lifts hospital clinic surgery appointment station airport car driving",
    "Shopping": "shopping groceries supermarket prescription pharmacy errands market bags",
    "Befriending": "befriending chat company visits walk tea coffee café phone companionship",
    "DIY and repairs": "repairs shelves painting plumbing fixing flatpack furniture tiling drill",
    "IT help": "computer laptop tablet email internet printer smartphone video calls passwords",
    "Cooking": "cooking meals baking recipes soup batch cakes bread kitchen dinner",
    "Childcare": "childcare babysitting school homework reading nursery pickup toddlers",
    "Admin and forms": "forms letters benefits paperwork applications council bills filing",
    "Languages": "languages french spanish polish urdu conversation english translation lessons",
    "Arts and crafts": "knitting sewing crochet painting drawing pottery crafts quilting",
    "Other": "dog walking pets cats feeding ironing cleaning moving boxes",
}
# The long tail: made-up but pronounceable words, some with accents, each in few posts.
_SYLLABLES = ("ba", "ce", "di", "fo", "gu", "ha", "ji", "ko", "lu", "me", "né", "po", "ré", "sa", "tö", "vi")


def _tail_words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(count)]


def _zipf_choice(rng: random.Random, words: list[str]) -> str:
    # Rank r is chosen with weight about 1/r: a few words are common, most are rare.
    index = int(len(words) ** rng.random()) - 1
    return words[min(index, len(words) - 1)]


def seed_posts(engine: Any, timebank_id: int, post_count: int, seed: int = 0) -> dict[str, Any]:
    """Give the timebank the default categories and ``post_count`` posts of its members."""
    rng = random.Random(seed)
    now = datetime.now(UTC)
    today = now.date()

    def add_categories(uow: Any) -> None:
        uow.offers.insert_default_categories(timebank_id, now)
        uow.commit()

    run(engine, add_categories)
    with engine.connect() as connection:
        query = select(categories.c.name, categories.c.id).where(categories.c.timebank_id == timebank_id)
        category_ids = {name: category_id for name, category_id in connection.execute(query)}
        member_ids = list(
            connection.execute(select(members.c.id).where(members.c.timebank_id == timebank_id)).scalars()
        )
    tail = _tail_words(rng, 1_500)
    topic_words = {name: words.split() for name, words in TOPICS.items()}
    everyday = [
        "help",
        "can",
        "offer",
        "need",
        "someone",
        "weekly",
        "mornings",
        "evenings",
        "weekends",
        "nearby",
    ]
    states = ["open"] * 16 + ["closed"] * 2 + ["expired", "hidden"]
    rows: list[dict[str, Any]] = []
    written = 0
    for n in range(post_count):
        category = rng.choice(list(TOPICS))
        words = topic_words[category]
        title = " ".join(
            rng.choice(words[:5]).capitalize() if i == 0 else rng.choice(words) for i in range(3)
        )
        description = " ".join(
            rng.choice(words)
            if rng.random() < 0.3
            else rng.choice(everyday)
            if rng.random() < 0.4
            else _zipf_choice(rng, tail)
            for _ in range(rng.randint(8, 30))
        )
        area = rng.choice(("Riverside", "Hillside", "Old Town", "Northfield", "Canal Side", None))
        state = rng.choice(states)
        created = now - timedelta(days=rng.randint(0, 300), seconds=rng.randint(0, 86_399))
        expires_on = (
            today - timedelta(days=1) if state == "expired" else today + timedelta(days=rng.randint(1, 365))
        )
        rows.append(
            {
                "timebank_id": timebank_id,
                "member_id": rng.choice(member_ids),
                "kind": "offer" if rng.random() < 0.6 else "request",
                "category_id": category_ids[category],
                "title": title,
                "description": description,
                "area": area,
                "availability": rng.choice(("Weekday mornings", "Evenings", "Weekends", None)),
                "expires_on": expires_on,
                "status": "closed" if state == "closed" else "open",
                "search_text": search_text(title, description, area),
                "created_by": "bench",
                "created_at": created,
                "updated_at": created,
                "closed_at": created if state == "closed" else None,
                "hidden_at": created if state == "hidden" else None,
                "hidden_by": "bench" if state == "hidden" else None,
                "hidden_reason": "Breaks the rules" if state == "hidden" else None,
            }
        )
        if len(rows) == CHUNK or n == post_count - 1:
            with engine.begin() as connection:
                connection.execute(insert(posts), rows)
            written += len(rows)
            rows = []
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return {"posts": written, "categories": category_ids}


def _member_token(engine: Any, timebank_id: int) -> str:
    username = f"searcher.{uuid.uuid4().hex[:8]}"
    request = AddMember(display_name="Searcher", username=username, password=PASSWORD)
    add_member(engine, timebank_id, Caller.coordinator_of(timebank_id), request)
    return log_in(engine, username, PASSWORD).access_token


def _queries(category_ids: dict[str, int]) -> dict[str, dict[str, Any]]:
    return {
        "common word": {"q": "garden"},
        "two words": {"q": "lift hospital"},
        "typing a word": {"q": "gard"},
        "rare word": {"q": "bacedi"},
        "accent left off": {"q": "cafe"},
        "word, category, kind": {"q": "laptop", "category": category_ids["IT help"], "kind": "request"},
        "category alone": {"category": category_ids["Cooking"]},
        "no filter": {},
        "second page": {"q": "help", "page": 2},
    }


def measure(
    url: str, timebank_id: int, category_ids: dict[str, int], requests: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Each kind of query's times through the API: wall clock, and this process's CPU time."""
    engine = make_engine(url)
    app = create_app(engine)
    token = _member_token(engine, timebank_id)
    headers = {"Authorization": f"Bearer {token}"}
    path = f"/v1/timebanks/{timebank_id}/posts"
    queries = _queries(category_ids)
    timings: dict[str, list[float]] = {name: [] for name in queries}
    cpu: dict[str, list[float]] = {name: [] for name in queries}
    found: dict[str, int] = {}
    with TestClient(app) as client:

        def ask(params: dict[str, Any]) -> tuple[float, float]:
            params = dict(params)
            page = params.pop("page", 1)
            params["limit"] = 20
            if page == 2:
                params["cursor"] = client.get(path, params=params, headers=headers).json()["next_cursor"]
            began, began_cpu = time.perf_counter(), time.process_time()
            answer = client.get(path, params=params, headers=headers)
            elapsed = (time.perf_counter() - began) * 1000
            assert answer.status_code == 200, answer.text
            return elapsed, (time.process_time() - began_cpu) * 1000

        for params in queries.values():  # warm-up: each query once
            ask(params)
        for _ in range(requests):
            for name, params in queries.items():
                wall, spent = ask(params)
                timings[name].append(wall)
                cpu[name].append(spent)
        for name, params in queries.items():
            found[name] = len(
                client.get(path, params={**params, "limit": 200}, headers=headers).json()["posts"]
            )
    engine.dispose()
    print(f"  results on the first page of 200: {found}")
    return timings, cpu


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def print_table(backend: str, measured: tuple[dict[str, list[float]], dict[str, list[float]]]) -> None:
    timings, cpu = measured
    load = os.getloadavg()[0]
    print(
        f"\n{backend}: GET /v1/timebanks/{{tb}}/posts, ms (target p95 < {TARGET_P95_MS:.0f}); load {load:.1f}"
    )
    print(f"  {'query':24} {'p50':>7} {'p95':>7} {'max':>7} {'cpu p50':>8} {'cpu p95':>8}")
    everything: list[float] = []
    all_cpu: list[float] = []
    for name, values in timings.items():
        everything += values
        all_cpu += cpu[name]
        p50, p95 = statistics.median(values), _percentile(values, 0.95)
        cpu50, cpu95 = statistics.median(cpu[name]), _percentile(cpu[name], 0.95)
        print(f"  {name:24} {p50:7.1f} {p95:7.1f} {max(values):7.1f} {cpu50:8.1f} {cpu95:8.1f}")
    p50, p95 = statistics.median(everything), _percentile(everything, 0.95)
    cpu50, cpu95 = statistics.median(all_cpu), _percentile(all_cpu, 0.95)
    verdict = "meets" if p95 < TARGET_P95_MS else "misses"
    top = max(everything)
    print(f"  {'all':24} {p50:7.1f} {p95:7.1f} {top:7.1f} {cpu50:8.1f} {cpu95:8.1f}  ({verdict} the target)")


def _seeded(url: str) -> tuple[int, dict[str, int]] | None:
    """The timebank with the most posts in the database at ``url``, and its categories; None if none."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(posts.c.timebank_id)
                .group_by(posts.c.timebank_id)
                .order_by(func.count().desc())
                .limit(1)
            ).scalar_one_or_none()
            if found is None:
                return None
            query = select(categories.c.name, categories.c.id).where(categories.c.timebank_id == found)
            return int(found), {name: category_id for name, category_id in connection.execute(query)}
    finally:
        engine.dispose()


def bench_one(backend: str, url: str, arguments: argparse.Namespace) -> None:
    upgrade(url)
    seeded_before = _seeded(url)
    if seeded_before is not None:
        timebank_id, category_ids = seeded_before
        print(f"{backend}: the posts seeded before, in timebank {timebank_id}")
        print_table(backend, measure(url, timebank_id, category_ids, arguments.requests))
        return
    began = time.perf_counter()
    info = seed_report_dataset(
        url, members=arguments.members, exchanges=arguments.exchanges, seed=arguments.seed
    )
    ledger_seconds = time.perf_counter() - began
    engine = make_engine(url)
    began = time.perf_counter()
    seeded = seed_posts(engine, info.timebank_id, arguments.posts, arguments.seed)
    engine.dispose()
    print(
        f"{backend}: {info.members:,} members, {info.exchanges:,} exchanges ({ledger_seconds:.0f} s), "
        f"{seeded['posts']:,} posts ({time.perf_counter() - began:.0f} s)"
    )
    print_table(backend, measure(url, info.timebank_id, seeded["categories"], arguments.requests))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-admin-url", default=os.environ.get("TIMEBANK_TEST_POSTGRES_URL"))
    parser.add_argument("--members", type=int, default=10_000)
    parser.add_argument("--exchanges", type=int, default=200_000)
    parser.add_argument("--posts", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=100, help="requests of each kind of query")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--sqlite-url", help="a database to seed and keep, or seeded before: reused")
    parser.add_argument("--postgres-url", help="a database to seed and keep, or seeded before: reused")
    arguments = parser.parse_args()
    if arguments.sqlite_url or arguments.postgres_url:
        for backend, url in (("SQLite", arguments.sqlite_url), ("PostgreSQL", arguments.postgres_url)):
            if url:
                bench_one(backend, url, arguments)
        return
    if arguments.backend in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as folder:
            bench_one("SQLite", f"sqlite:///{Path(folder) / 'search.sqlite3'}", arguments)
    if arguments.backend in ("postgresql", "both"):
        if not arguments.postgres_admin_url:
            parser.error("PostgreSQL needs --postgres-admin-url (or TIMEBANK_TEST_POSTGRES_URL)")
        admin = create_engine(arguments.postgres_admin_url, isolation_level="AUTOCOMMIT")
        name = f"timebank_search_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        try:
            bench_one("PostgreSQL", url, arguments)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
