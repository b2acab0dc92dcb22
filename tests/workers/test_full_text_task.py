"""Full text in real Celery workers: a poll (or a body a WebSub hub pushed) of a
summary-only feed stores its articles, then `workers.fetch_full_text` (queue "fulltext")
replaces the summary with the page's text where the source's rights are full; a failure
stays on the source's health row."""

from __future__ import annotations

import base64

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models import sources as source_rows
from models.articles import Article
from models.db import Database, session_scope
from models.permalinks import article_path
from models.sources import Source
from tests.workers.ingest.articles import saved_pages
from tests.workers.test_poll_tasks import wait_for
from workers.celery_app import create_celery

PAGE = saved_pages()[0]


def _feed(base: str, path: str) -> bytes:
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Space desk</title>'
            f"<link>{base}/</link><item><guid>{base}{path}</guid><title>Titan mapped</title>"
            f"<link>{base}{path}</link><description>Scientists mapped Titan.</description>"
            f"<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>"
            ).encode()


def _add(database: Database, url: str, rights: str) -> int:
    with session_scope(database) as session:
        return source_rows.add(session, url, rights=rights, full_text="auto").id


def _articles(database: Database, source_id: int) -> list[Article]:
    with database.reader() as session:
        return list(session.scalars(select(Article).where(Article.source_id == source_id)))


def _source(database: Database, source_id: int) -> Source:
    with database.reader() as session:
        source = session.get(Source, source_id)
        assert source is not None
        return source


def test_a_full_source_gets_the_page_text_and_shows_it(
        settings, celery_worker, database: Database, httpserver: HTTPServer, client) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(_feed(base, "/titan"),
                                                         content_type="application/rss+xml")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/titan").respond_with_data(
        PAGE.html, content_type="text/html; charset=utf-8")
    source_id = _add(database, httpserver.url_for("/feed"), "full")
    create_celery(settings).send_task("workers.poll_source", args=[source_id])
    assert wait_for(lambda: any(a.full_text_html for a in _articles(database, source_id))), \
        celery_worker.output()[-3000:]
    [article] = _articles(database, source_id)
    assert article.summary == "Scientists mapped Titan."          # the feed's, kept
    assert "first global geological map of Saturn" in (article.full_text_html or "")
    assert "first global geological map of Saturn" in client.get(
        article_path(article)).get_data(as_text=True)
    # Its words find it: the feed only said "Scientists mapped Titan."
    found = client.get("/search?q=geological").get_data(as_text=True)
    assert f'href="{article_path(article)}"' in found and "<mark>geological</mark>" in found
    assert _source(database, source_id).full_text_error is None


def test_an_article_a_hub_pushed_gets_the_page_text_like_a_polled_one(
        settings, celery_worker, database: Database, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/titan").respond_with_data(
        PAGE.html, content_type="text/html; charset=utf-8")
    source_id = _add(database, httpserver.url_for("/feed"), "full")
    body = base64.b64encode(_feed(base, "/titan")).decode()
    # What the web queues once a delivery's signature is checked (web/websub).
    create_celery(settings).send_task("workers.websub.store_delivery",
                                      args=[source_id, body, "application/rss+xml"])
    assert wait_for(lambda: any(a.full_text_html for a in _articles(database, source_id))), \
        celery_worker.output()[-3000:]
    [article] = _articles(database, source_id)
    assert "first global geological map of Saturn" in (article.full_text_html or "")


def test_a_failed_page_keeps_the_summary_and_shows_on_the_health_row(
        settings, celery_worker, database: Database, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(_feed(base, "/gone"),
                                                         content_type="application/rss+xml")
    httpserver.expect_request("/robots.txt").respond_with_data("User-agent: *\nAllow: /\n")
    httpserver.expect_request("/gone").respond_with_data("no", status=404)
    source_id = _add(database, httpserver.url_for("/feed"), "full")
    create_celery(settings).send_task("workers.poll_source", args=[source_id])
    assert wait_for(lambda: _source(database, source_id).full_text_error is not None), \
        celery_worker.output()[-3000:]
    assert "HTTP 404" in (_source(database, source_id).full_text_error or "")
    [article] = _articles(database, source_id)
    assert article.full_text_html is None and article.summary == "Scientists mapped Titan."
    assert _source(database, source_id).status == "ok"           # the feed itself is fine


def test_an_excerpt_source_never_fetches_its_pages(
        settings, celery_worker, database: Database, httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(_feed(base, "/page"),
                                                         content_type="application/rss+xml")
    source_id = _add(database, httpserver.url_for("/feed"), "excerpt")
    create_celery(settings).send_task("workers.poll_source", args=[source_id])
    assert wait_for(lambda: bool(_articles(database, source_id)))
    wait_for(lambda: False, timeout_s=2.0)          # give a stray task time to show up
    assert [entry[0].path for entry in httpserver.log] == ["/feed"]
