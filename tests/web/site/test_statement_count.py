"""Pages run a fixed number of SQL statements, whatever the number of articles."""

from __future__ import annotations

from datetime import timedelta

from models.base import utcnow

BOT = {"User-Agent": "statement-counter-bot"}   # no view counting in the way


def build(make, count: int, sections, sources, offset: int) -> None:  # type: ignore[no-untyped-def]
    start = utcnow() - timedelta(days=1)
    for index in range(count):
        make.article(sources[index % len(sources)], section=sections[index % len(sections)],
                     title=f"Story {offset + index}",
                     published_at=start - timedelta(minutes=offset + index),
                     tags=[f"tag{index % 3}", f"tag{index % 5}"],
                     image_url="http://127.0.0.1/i.jpg" if index % 2 else None,
                     view_count=index)


def measure(app, statements, client, urls) -> dict[str, int]:  # type: ignore[no-untyped-def]
    executed = statements(app)
    counts = {}
    for url in urls:
        executed.clear()
        assert client.get(url, headers=BOT).status_code == 200, url
        counts[url] = len(executed)
    return counts


def test_home_section_and_article_run_the_same_statements_for_5_and_50_articles(
        make, settings, database, statements) -> None:
    from web import create_app

    app = create_app({"TESTING": True, "PAGE_CACHE_ENABLED": False}, settings=settings)
    client = app.test_client()
    news = make.section("News", position=1)
    sections = [news, make.section("Politics", parent=news), make.section("World", parent=news),
                make.section("Geopolitics", position=2), make.section("Video", position=3)]
    sources = [make.source("One"), make.source("Two"), make.source("Three")]
    build(make, 5, sections, sources, offset=0)
    article = make.article(sources[0], section=sections[1], title="Measured",
                           published_at=utcnow() - timedelta(days=1, minutes=2),
                           tags=["tag0", "tag1"])
    urls = ["/", "/section/news", "/section/politics", f"/article/{article.id}-measured",
            "/tag/tag0", f"/source/{sources[0].id}", "/video"]

    with_5 = measure(app, statements, client, urls)
    build(make, 45, sections, sources, offset=5)
    with_50 = measure(app, statements, client, urls)

    assert with_50 == with_5
    assert max(with_5.values()) <= 11   # the article page: 10, plus "Also covered by"
    app.extensions["hopper_database"].dispose()
