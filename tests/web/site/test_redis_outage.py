"""Readers keep reading when Redis is down: pages are served uncached and uncounted."""

from __future__ import annotations

import dataclasses
import logging

from web import create_app


def test_pages_render_without_redis(settings, database, make, tmp_path) -> None:
    news = make.section("News")
    article = make.articles(40, make.source(section=news))[0]   # a second home page too
    unreachable = dataclasses.replace(settings, redis_url=f"unix://{tmp_path / 'gone.sock'}")
    app = create_app({"TESTING": True}, settings=unreachable)
    client = app.test_client()
    for path in ("/", "/?page=2", f"/section/{news.slug}", f"/article/{article.id}",
                 "/search?q=x"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.headers.get("X-Cache") != "hit"
    assert client.get("/healthz").status_code == 503
    app.extensions["hopper_database"].dispose()


def test_view_counts_left_unflushed_are_one_warning_a_minute_not_a_traceback_per_view(
        settings, database, make, tmp_path, caplog) -> None:
    from web.site import views

    article = make.articles(1, make.source())[0]
    unreachable = dataclasses.replace(settings, redis_url=f"unix://{tmp_path / 'gone.sock'}")
    app = create_app({"TESTING": True}, settings=unreachable)
    client = app.test_client()
    views.REDIS_DOWN_WARNINGS.last_at = None
    with caplog.at_level(logging.WARNING, logger="web.site.views"):
        for path in ("/", f"/article/{article.id}", "/", f"/article/{article.id}"):
            assert client.get(path, follow_redirects=True).status_code == 200

    flush = [record for record in caplog.records if "view counts" in record.getMessage()]
    assert len(flush) == 1, [record.getMessage() for record in flush]
    assert flush[0].levelno == logging.WARNING and flush[0].exc_info is None
    assert "Redis unavailable" in flush[0].getMessage()
    app.extensions["hopper_database"].dispose()
