"""Deep pages: how long the JSON API's newest-first list takes at page 1, in the middle
and at the last page, on a table of `--articles` articles (PostgreSQL by default, the
backend where an OFFSET walks rows; `--sqlite` for the embedded database).

    .venv/bin/python bench/deep_pages.py [--articles 300000] [--per-page 100] [--sqlite]

Prints milliseconds per page (best of 5) and the last page's time over the first's. The
rows are made with one INSERT … SELECT in a scratch database, dropped at the end.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402

from models import migrate  # noqa: E402
from models.db import make_database, make_engine  # noqa: E402
from models.search import ArticleFilters, list_articles  # noqa: E402

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
SCRATCH = "hopper_bench_deep_pages"
ROWS = ("INSERT INTO articles (source_id, entry_key, entry_hash, title, summary, "
        "content_html, content_hash, is_video, published_at, created_at, modified_at, "
        "view_count, share_count, comment_count) "
        "SELECT 1, 'k' || g, 'h' || g, 'Headline ' || g || ' about the harbour budget', "
        "'A summary of the article.', '<p>' || {body} || '</p>', 'c' || g, {false}, "
        "{published}, {now}, {now}, 0, 0, 0 FROM {series}")


def fill(url: str, articles: int, *, sqlite: bool) -> None:
    migrate.upgrade(url)
    engine = make_engine(url)   # Hopper's: SQLite's search triggers need its function
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO sources (url, name, status, error_count, unfinished_polls, "
            "interval_minutes, next_poll_at, created_at) VALUES ('http://127.0.0.1/feed', "
            "'Bench', 'ok', 0, 0, 30, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        if sqlite:
            connection.execute(text(
                "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < "
                f"{articles}) " + ROWS.format(
                    body="substr(hex(randomblob(600)), 1, 1200)", false="0",
                    published="datetime('now', '-' || g || ' minutes')",
                    now="CURRENT_TIMESTAMP", series="s")))
        else:
            connection.execute(text(ROWS.format(
                body="repeat('Lorem ipsum dolor sit amet. ', 40)", false="false",
                published="now() - make_interval(mins => g)", now="now()",
                series=f"generate_series(1, {articles}) g")))
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE articles" if not sqlite else "ANALYZE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=300_000)
    parser.add_argument("--per-page", type=int, default=100)
    parser.add_argument("--sqlite", action="store_true")
    args = parser.parse_args()
    folder = tempfile.TemporaryDirectory()
    admin = None
    if args.sqlite:
        url = f"sqlite:///{folder.name}/pages.db"
    else:
        admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH}"))
            connection.execute(text(f"CREATE DATABASE {SCRATCH}"))
        url = f"{SERVER}/{SCRATCH}"
    try:
        fill(url, args.articles, sqlite=args.sqlite)
        database = make_database(url)
        last = -(-args.articles // args.per_page)
        timings = {}
        for page in (1, last // 2, last):
            best = float("inf")
            for _ in range(5):
                with database.reader() as session:
                    started = time.perf_counter()
                    found = list_articles(session, ArticleFilters(), page=page,
                                          per_page=args.per_page)
                    best = min(best, time.perf_counter() - started)
            assert found.articles, page
            timings[page] = best
            print(f"page {page:>6,} of {last:,} ({args.per_page} per page, "
                  f"{found.total:,} articles): {1000 * best:6.1f} ms")
        print(f"last page / first page: {timings[last] / timings[1]:.1f}×")
        database.dispose()
    finally:
        if admin is not None:
            with admin.connect() as connection:
                connection.execute(text(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)"))
            admin.dispose()
        folder.cleanup()


if __name__ == "__main__":
    main()
