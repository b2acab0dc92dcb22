"""The article-page metadata macros (templates/partials/meta.html): canonical link,
OpenGraph and Twitter cards, and JSON-LD NewsArticle that no value can break out of."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html.parser import HTMLParser

from flask import render_template_string

from models.db import session_scope
from models.search import article_with_relations
from web.media.signing import derive_key, media_path

URL = "http://127.0.0.1:5000/article/1-x"


def proxied(app, image_url: str) -> str:
    """The absolute first-party address the media proxy serves `image_url` from."""
    key = derive_key(app.config["SECRET_KEY"])
    return app.config["BASE_URL"] + media_path(key, image_url)


def render(app, database, article_id: int, call: str) -> str:
    with app.test_request_context(), session_scope(database, write=False) as session:
        article = article_with_relations(session, article_id)
        return render_template_string(
            '{% import "partials/meta.html" as meta %}' + call, article=article, url=URL)


class MetaTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.properties: dict[str, str] = {}
        self.links: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta":
            key = values.get("property") or values.get("name")
            self.properties[key or ""] = values.get("content") or ""
        elif tag == "link":
            self.links[values.get("rel") or ""] = values.get("href") or ""


def parse(markup: str) -> MetaTags:
    tags = MetaTags()
    tags.feed(markup)
    return tags


def test_canonical_link(app, database) -> None:
    with app.test_request_context():
        markup = render_template_string(
            '{% import "partials/meta.html" as meta %}{{ meta.canonical(url) }}',
            url=URL + '"><script>')
    assert parse(markup).links["canonical"] == URL + '"><script>'
    assert "<script>" not in markup


def test_opengraph_and_twitter_cards_describe_the_article(app, database, rows) -> None:
    section = rows.section("science", "Science")
    article = rows.article(
        'Quotes " and <tags>', summary="A long summary " + "word " * 100,
        section=section, tags=[rows.tag("space", "Space")],
        image_url="https://img.example/a.jpg", image_alt="A rocket",
        published_at=datetime(2026, 11, 24, 21, 10, 33, tzinfo=UTC))
    tags = parse(render(app, database, article.id, "{{ meta.opengraph(article, url) }}"))
    properties = tags.properties
    assert properties["og:type"] == "article"
    assert properties["og:title"] == 'Quotes " and <tags>'
    assert properties["og:url"] == URL
    assert properties["og:image"] == proxied(app, "https://img.example/a.jpg")
    assert properties["og:image:alt"] == "A rocket"
    assert properties["og:site_name"] == "Hopper"
    assert properties["og:description"].startswith("A long summary word")
    assert len(properties["og:description"]) <= 300
    assert properties["article:published_time"] == "2026-11-24T21:10:33+00:00"
    assert properties["article:section"] == "Science"
    assert properties["article:tag"] == "Space"
    assert properties["twitter:card"] == "summary_large_image"
    assert properties["twitter:image"] == proxied(app, "https://img.example/a.jpg")


def test_twitter_card_is_a_summary_without_an_image(app, database, rows) -> None:
    article = rows.article("No picture")
    properties = parse(render(app, database, article.id,
                              "{{ meta.opengraph(article, url) }}")).properties
    assert properties["twitter:card"] == "summary"
    assert "og:image" not in properties


def test_json_ld_is_a_news_article_that_cannot_close_its_script(app, database, rows) -> None:
    article = rows.article(
        "</script><script>alert(1)</script>", summary="Summary & more",
        author="Ada <Lovelace>", image_url="https://img.example/b.jpg",
        url="https://publisher.example/story",
        published_at=datetime(2026, 11, 24, 21, 10, 33, tzinfo=UTC))
    markup = render(app, database, article.id, "{{ meta.json_ld_article(article, url) }}")
    body = re.fullmatch(r'<script type="application/ld\+json">(.*)</script>', markup.strip(),
                        re.DOTALL)
    assert body is not None
    assert "<" not in body.group(1)
    data = json.loads(body.group(1))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "</script><script>alert(1)</script>"
    assert data["url"] == URL
    assert data["mainEntityOfPage"]["@id"] == URL
    assert data["datePublished"] == "2026-11-24T21:10:33+00:00"
    assert data["image"] == [proxied(app, "https://img.example/b.jpg")]
    assert data["author"] == [{"@type": "Person", "name": "Ada <Lovelace>"}]
    assert data["publisher"] == {"@type": "Organization", "name": "Hopper"}
    assert data["isBasedOn"] == "https://publisher.example/story"
    assert data["description"] == "Summary & more"
