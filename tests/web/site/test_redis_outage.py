"""Readers keep reading when Redis is down: pages are served uncached and uncounted."""

from __future__ import annotations

import dataclasses

from web import create_app


def test_pages_render_without_redis(settings, database, make, tmp_path) -> None:
    news = make.section("News")
    article = make.articles(3, make.source(section=news))[0]
    unreachable = dataclasses.replace(settings, redis_url=f"unix://{tmp_path / 'gone.sock'}")
    app = create_app({"TESTING": True}, settings=unreachable)
    client = app.test_client()
    for path in ("/", f"/section/{news.slug}", f"/article/{article.id}", "/search?q=x"):
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert response.headers.get("X-Cache") != "hit"
    assert client.get("/healthz").status_code == 503
    app.extensions["hopper_database"].dispose()
