"""Search timing: seed 100,000 articles, then time `search_articles` for common and rare
terms (full and prefix searches) on the configured backend; prints p50/p95 in ms.

    .venv/bin/python bench/search.py                       # SQLite (a scratch file)
    .venv/bin/python bench/search.py --per-transaction 300 # stored as ingest stores
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/x .venv/bin/python bench/search.py

On PostgreSQL a scratch database is created next to the one named and dropped after.
Goal: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from models import migrate  # noqa: E402
from models.articles import Article  # noqa: E402
from models.db import make_database, session_scope  # noqa: E402
from models.search import (  # noqa: E402
    RANK_WINDOW,
    ArticleFilters,
    SearchQuery,
    search_articles,
)
from models.sections import Section  # noqa: E402
from models.sources import Source  # noqa: E402

# Planted words and the share of articles holding them (in the title or body).
PLANTED = {"government": 0.20, "election": 0.05, "volcano": 0.005, "zanzibar": 0.0005}
QUERIES = [  # (label, text, is_prefix)
    ("common 'government'", "government", False),
    ("medium 'election'", "election", False),
    ("rare 'volcano'", "volcano", False),
    ("very rare 'zanzibar'", "zanzibar", False),
    ("two terms 'government election'", "government election", False),
    ("absent 'qwxzzy'", "qwxzzy", False),
    ("one typo 'govenment' (corrected)", "govenment", False),
    ("prefix 'gov' (live)", "gov", True),
    ("prefix 'electi' (live)", "electi", True),
    ("prefix 'zanz' (live)", "zanz", True),
]
FILTERED = [  # (label, text, filters); sections hold 10% of articles, sources 2%
    ("medium + section", "election", ArticleFilters(section_slug="s3")),
    ("common + source", "government", ArticleFilters(source_id=3)),
    ("rare + source", "volcano", ArticleFilters(source_id=3)),
]


def vocabulary(rng: random.Random, size: int = 5000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(3, 10)))
            for _ in range(size)]


def words(rng: random.Random, vocab: list[str], count: int) -> list[str]:
    # A Zipf-like draw: a few words are frequent, most are rare, as in prose.
    return [vocab[min(int(rng.paretovariate(1.1)) - 1, len(vocab) - 1)] for _ in range(count)]


def seed(url: str, count: int, rng: random.Random, per_transaction: int = 5000) -> None:
    database = make_database(url)
    vocab = vocabulary(rng)
    now = datetime.now(UTC)
    with session_scope(database) as session:
        section_ids = [session.execute(insert(Section).values(
            slug=f"s{n}", name=f"Section {n}", position=n, keywords="")
            .returning(Section.id)).scalar_one() for n in range(10)]
        source_ids = [session.execute(insert(Source).values(
            url=f"https://feeds.example/{n}.xml", name=f"Source {n}",
            # Every republishing right, as on a real site: a match of a headline-only or
            # excerpt source is checked again on what readers see (models/search.py).
            rights=("full", "excerpt", "headline")[n % 3],
            section_id=section_ids[n % 10], status="ok", error_count=0, unfinished_polls=0,
            interval_minutes=30, next_poll_at=now, created_at=now)
            .returning(Source.id)).scalar_one() for n in range(50)]
    batch: list[dict[str, object]] = []
    started = time.perf_counter()
    for number in range(count):
        title = words(rng, vocab, 8)
        summary = words(rng, vocab, 30)
        body = words(rng, vocab, 150)
        for word, share in PLANTED.items():
            if rng.random() < share:
                (title if rng.random() < 0.3 else body).insert(rng.randrange(5), word)
        key = f"https://news.example/{number}"
        published_at = now - timedelta(minutes=number * 5)
        batch.append({
            "source_id": source_ids[number % 50], "entry_key": key,
            "entry_hash": hashlib.sha256(key.encode()).hexdigest(), "url": key,
            "title": " ".join(title).capitalize(), "summary": " ".join(summary),
            "content_html": "<p>" + " ".join(body) + "</p>",
            "content_hash": hashlib.sha256(key.encode()).hexdigest(),
            "section_id": section_ids[number % 10], "published_at": published_at,
            "created_at": published_at, "modified_at": published_at, "is_video": False,
            "view_count": 0, "share_count": 0, "comment_count": 0})
        if len(batch) == per_transaction:
            _insert(database, batch)
            batch = []
    if batch:
        _insert(database, batch)
    if database.engine.dialect.name == "postgresql":
        with database.engine.connect() as connection:
            connection.execute(text("ANALYZE articles"))
            connection.commit()
    else:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("PRAGMA optimize")
    print(f"seeded {count:,} articles in {time.perf_counter() - started:.1f} s")
    database.dispose()


def _insert(database, batch: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    with session_scope(database) as session:
        session.execute(insert(Article), batch)


def measure(url: str, runs: int) -> None:
    database = make_database(url)
    print(f"{'query':34} {'matches':>8} {'p50 ms':>8} {'p95 ms':>8}   "
          f"(matches are counted up to the rank window, {RANK_WINDOW})")
    for label, query_text, is_prefix in QUERIES:
        timings = []
        total = 0
        for run in range(runs + 3):
            query = SearchQuery(text=query_text, is_prefix=is_prefix,
                                per_page=5 if is_prefix else 10)
            with session_scope(database, write=False) as session:
                started = time.perf_counter()
                page = search_articles(session, query)
                elapsed = (time.perf_counter() - started) * 1000
            total = page.total
            if run >= 3:   # the first runs warm caches
                timings.append(elapsed)
        print(f"{label:34} {total:>8,} {statistics.median(timings):>8.1f} "
              f"{_p95(timings):>8.1f}")
    for label, query_text, filters in FILTERED:
        timings = []
        for run in range(runs + 3):
            with session_scope(database, write=False) as session:
                started = time.perf_counter()
                page = search_articles(session, SearchQuery(text=query_text, filters=filters,
                                                            per_page=10))
                elapsed = (time.perf_counter() - started) * 1000
            if run >= 3:
                timings.append(elapsed)
        print(f"{label:34} {page.total:>8,} {statistics.median(timings):>8.1f} "
              f"{_p95(timings):>8.1f}")
    database.dispose()


def _p95(timings: list[float]) -> float:
    return statistics.quantiles(timings, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--per-transaction", type=int, default=5000,
                        help="articles inserted per transaction (hopper ingest stores a "
                             "group of polls, a few hundred articles, per transaction: "
                             "SQLite's full-text index then has as many segments to merge)")
    args = parser.parse_args()
    rng = random.Random(20261124)
    server_url = os.environ.get("DATABASE_URL")
    if server_url and server_url.startswith("postgres"):
        base = make_url(server_url).set(drivername="postgresql+psycopg")
        name = f"hopper_bench_search_{secrets.token_hex(4)}"
        admin = create_engine(base, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = base.set(database=name).render_as_string(hide_password=False)
        try:
            run(url, args, rng)
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        with tempfile.TemporaryDirectory() as folder:
            run(f"sqlite:///{folder}/bench.db", args, rng)


def run(url: str, args: argparse.Namespace, rng: random.Random) -> None:
    print(f"backend: {url.split(':', 1)[0]}")
    migrate.upgrade(url)
    seed(url, args.articles, rng, args.per_transaction)
    measure(url, args.runs)


if __name__ == "__main__":
    main()
