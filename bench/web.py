"""Benchmark the reader's pages at 100,000 articles.

    .venv/bin/python bench/web.py [--articles 100000] [--requests 200] [--no-wrk]

Seeds 100,000 articles over 50 sources and 10 sections (bulk inserts) into SQLite in a
temporary instance folder, or into a fresh database on the PostgreSQL server named by
DATABASE_URL (created and dropped here); Redis is embedded unless REDIS_URL is set.
Then prints:
- p50/p95 of home, section, article, tag in-process (Flask test client, page cache off),
  and of cached home;
- a crawler's full sitemap read (the index, then every child) rebuilt — the content
  version bumped first — and served from the sitemap cache, in-process;
- requests/s under gunicorn (2 workers) with wrk (2 threads, 32 connections, 10 s) for a
  trivial route registered by this script, cached home, and a cached article.
Goals: uncached p95 <= 25 ms; cached home >= 50% of the trivial route's requests/s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from sqlalchemy import create_engine, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from hopper.settings import load_settings  # noqa: E402
from models import migrate  # noqa: E402
from models.articles import Article  # noqa: E402
from models.db import make_database, make_engine  # noqa: E402
from models.sections import Section  # noqa: E402
from models.sources import Source  # noqa: E402
from models.tags import Tag, article_tags  # noqa: E402
from web.feeds.xml import SITEMAP_NS  # noqa: E402

SECTIONS = [  # (slug, name, parent slug)
    ("news", "News", None), ("politics", "Politics", "news"), ("world", "World", "news"),
    ("geopolitics", "Geopolitics", None), ("intel-security", "Intel & Security", None),
    ("foreign-affairs", "Foreign Affairs", None), ("video", "Video", None),
    ("economy", "Economy", None), ("science", "Science", None), ("culture", "Culture", None),
]
TAGS = 300
WORDS = ["talks", "budget", "ceasefire", "election", "summit", "minister", "border", "trade",
         "sanctions", "navy", "report", "agency", "court", "vote", "treaty", "energy"]


def bench_app() -> Flask:
    """The app gunicorn serves here, plus a trivial route to compare against."""
    from web import create_app

    app = create_app()

    @app.get("/bench/trivial")
    def trivial() -> str:
        return "ok"

    return app


def seed(database_url: str, count: int) -> None:
    engine = make_engine(database_url)   # SQLite's search triggers need Hopper's function
    rng = random.Random(7)
    now = datetime.now(UTC)
    with engine.begin() as connection:
        ids: dict[str, int] = {}
        for position, (slug, name, parent) in enumerate(SECTIONS):
            ids[slug] = connection.execute(insert(Section).values(
                slug=slug, name=name, parent_id=ids.get(parent or ""), position=position,
                keywords="", created_at=now).returning(Section.id)).scalar_one()
        section_ids = list(ids.values())
        connection.execute(insert(Source), [
            {"url": f"https://publisher{n}.example/feed.xml", "name": f"Publisher {n}",
             "section_id": section_ids[n % len(section_ids)], "status": "ok",
             "next_poll_at": now, "created_at": now} for n in range(1, 51)])
        source_ids = [row[0] for row in connection.execute(text("SELECT id FROM sources"))]
        connection.execute(insert(Tag), [{"slug": f"tag-{n}", "name": f"Tag {n}"}
                                         for n in range(1, TAGS + 1)])
        tag_ids = [row[0] for row in connection.execute(text("SELECT id FROM tags"))]
    batch = 5000
    for start in range(0, count, batch):
        rows, links = [], []
        for n in range(start, min(start + batch, count)):
            key = f"https://publisher.example/story/{n}"
            published = now - timedelta(minutes=n * 0.9)
            title = " ".join(rng.choice(WORDS) for _ in range(8)).capitalize()
            rows.append({
                "id": n + 1, "source_id": source_ids[n % len(source_ids)], "entry_key": key,
                "entry_hash": hashlib.sha256(key.encode()).hexdigest(),
                "content_hash": hashlib.sha256(f"c{n}".encode()).hexdigest(), "url": key,
                "title": title, "summary": f"{title}. " * 3,
                "content_html": f"<p>{title}.</p>" * 8,
                "image_url": f"https://img.example/{n}.jpg" if n % 3 else None,
                "image_alt": title, "is_video": n % 50 == 0,
                "video_embed_url": (f"https://www.youtube-nocookie.com/embed/v{n}"
                                    if n % 50 == 0 else None),
                "section_id": section_ids[rng.randrange(len(section_ids))],
                "published_at": published, "created_at": published, "modified_at": published,
                "view_count": rng.randrange(500), "share_count": 0, "comment_count": 0})
            for tag_id in rng.sample(tag_ids, 3):
                links.append({"article_id": n + 1, "tag_id": tag_id})
        with engine.begin() as connection:
            connection.execute(insert(Article), rows)
            connection.execute(insert(article_tags), links)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(
                "SELECT setval('articles_id_seq', (SELECT max(id) FROM articles))"))
            connection.execute(text("ANALYZE"))
        else:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def time_sitemap(app: Flask, rounds: int) -> tuple[float, float, int]:
    """Median ms of reading /sitemap.xml and every child it names: rebuilt (the content
    version bumped before each read) and cached (the same read again); and the URL count."""
    from hopper import content_version

    client = app.test_client()
    urls = 0

    def read_all() -> int:
        index = ET.fromstring(client.get("/sitemap.xml").data)  # noqa: S314 - our own
        count = 0
        for loc in index.iter(f"{{{SITEMAP_NS}}}loc"):
            child = client.get(urlsplit(loc.text or "").path).data
            count += child.count(b"<ns0:url>") + child.count(b"<url>")
        return count

    rebuilt, cached = [], []
    for _ in range(rounds):
        content_version.bump(app.extensions["hopper_redis"])
        started = time.perf_counter()
        urls = read_all()
        rebuilt.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        read_all()
        cached.append((time.perf_counter() - started) * 1000)
    return statistics.median(rebuilt), statistics.median(cached), urls


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return (statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1])


def time_pages(app: Flask, urls: list[str], rounds: int) -> tuple[float, float]:
    client = app.test_client()
    headers = {"User-Agent": "Mozilla/5.0 (bench reader)"}
    for url in urls[:5]:                                   # warm up
        client.get(url, headers=headers)
    samples = []
    for index in range(rounds):
        url = urls[index % len(urls)]
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return percentiles(samples)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wrk(url: str) -> float:
    output = subprocess.run(["wrk", "-t2", "-c32", "-d10s", url], capture_output=True,
                            text=True, check=True).stdout
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]


def run_gunicorn(env: dict[str, str], article_url: str) -> dict[str, float]:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "--access-logfile", "/dev/null", "--error-logfile", "-", "bench.web:bench_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                time.sleep(0.2)
        import urllib.request
        for path in ("/", article_url, "/bench/trivial"):   # warm both workers' caches
            for _ in range(4):
                urllib.request.urlopen(base + path).read()  # noqa: S310 - loopback
        # The trivial route is measured before and after the pages, since the machine's
        # load drifts; pages are compared with the mean of the two.
        before = wrk(base + "/bench/trivial")
        home = wrk(base + "/")
        article = wrk(base + article_url)
        after = wrk(base + "/bench/trivial")
        return {"trivial (before)": before, "trivial (after)": after,
                "trivial": (before + after) / 2, "home (cached)": home,
                "article (cached)": article}
    finally:
        server.terminate()
        server.wait(timeout=15)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--no-wrk", action="store_true")
    options = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="hopper-bench-"))
    env = {"HOPPER_INSTANCE": str(instance), "SECRET_KEY": secrets.token_hex(16)}
    server_db = os.environ.get("DATABASE_URL")
    pg_name = None
    if server_db:
        pg_name = f"hopper_bench_{secrets.token_hex(4)}"
        admin = create_engine(make_url(server_db).set(drivername="postgresql+psycopg"),
                              isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{pg_name}"'))
        env["DATABASE_URL"] = make_url(server_db).set(
            drivername="postgresql+psycopg", database=pg_name).render_as_string(
                hide_password=False)
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    settings = load_settings(env)
    embedded = None
    if settings.is_redis_embedded:
        from hopper.embedded_redis import embedded_redis_for
        embedded = embedded_redis_for(settings)
        assert embedded is not None
        embedded.start()
    try:
        print(f"database: {settings.database_backend}, redis: {settings.redis_backend}")
        migrate.upgrade(settings.database_url)
        started = time.perf_counter()
        seed(settings.database_url, options.articles)
        print(f"seeded {options.articles} articles in {time.perf_counter() - started:.1f} s")

        from web import create_app
        uncached = create_app({"PAGE_CACHE_ENABLED": False}, settings=settings)
        rng = random.Random(3)
        ids = [rng.randrange(1, options.articles + 1) for _ in range(options.requests)]
        db = make_database(settings.database_url)
        with db.reader() as session:
            titles = dict(session.execute(
                select(Article.id, Article.title).where(Article.id.in_(ids))).all())
        db.dispose()
        from models.permalinks import slugify
        article_urls = [f"/article/{i}-{slugify(titles[i])}" for i in ids]
        section_urls = [f"/section/{slug}" + (f"?page={n}" if n > 1 else "")
                        for n in (1, 2, 5) for slug, _name, _parent in SECTIONS]
        tag_urls = [f"/tag/tag-{n}" for n in range(1, 40)]
        pages = {
            "home": ["/"] + [f"/?page={n}" for n in (2, 3)],
            "section": section_urls,
            "article": article_urls,
            "tag": tag_urls,
        }
        print(f"\nin-process, page cache off, {options.requests} requests each (ms):")
        for name, urls in pages.items():
            p50, p95 = time_pages(uncached, urls, options.requests)
            print(f"  {name:<10} p50 {p50:6.2f}   p95 {p95:6.2f}")
        uncached.extensions["hopper_database"].dispose()
        cached = create_app({}, settings=settings)
        p50, p95 = time_pages(cached, ["/"], options.requests)
        print(f"  {'home hit':<10} p50 {p50:6.2f}   p95 {p95:6.2f}   (page cache on)")
        rebuilt, from_cache, urls = time_sitemap(cached, rounds=5)
        print(f"\nsitemap, index + every child ({urls} URLs), median of 5 (ms):\n"
              f"  rebuilt {rebuilt:8.1f}   cached {from_cache:6.1f}   "
              f"({rebuilt / from_cache:.0f}x)")
        cached.extensions["hopper_database"].dispose()

        if not options.no_wrk:
            gunicorn_env = dict(os.environ) | env | {"PYTHONPATH": str(ROOT)}
            gunicorn_env["REDIS_URL"] = settings.redis_url
            gunicorn_env["DATABASE_URL"] = settings.database_url
            rates = run_gunicorn(gunicorn_env, article_urls[0])
            print("\ngunicorn, 2 workers, wrk -t2 -c32 -d10s (requests/s):")
            for name, rate in rates.items():
                print(f"  {name:<17} {rate:9.0f}   {rate / rates['trivial']:5.0%} of trivial")
    finally:
        if embedded is not None:
            embedded.stop()
        if pg_name is not None:
            admin = create_engine(make_url(server_db).set(drivername="postgresql+psycopg"),
                                  isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)'))
        shutil.rmtree(instance, ignore_errors=True)


if __name__ == "__main__":
    main()
