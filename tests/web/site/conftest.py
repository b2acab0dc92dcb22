"""A small factory for the reader's pages: sections (with parents), sources and articles
(with tags) written straight to the database, as ingest would store them."""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from sqlalchemy import event

from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.sections import Section
from models.sources import Source
from models.tags import Tag
from tests.pictures import host_down, picture_server


@dataclass
class Factory:
    database: Database
    counter: itertools.count  # type: ignore[type-arg]

    def section(self, name: str, *, parent: Section | None = None, position: int = 0,
                slug: str | None = None) -> Section:
        with session_scope(self.database) as session:
            section = Section(name=name, slug=slug or name.lower().replace(" ", "-"),
                              parent_id=parent.id if parent else None, position=position)
            session.add(section)
            session.flush()
            session.expunge(section)
        return section

    def source(self, name: str = "Daily Planet", *, section: Section | None = None,
               rights: str = "full") -> Source:
        """A source whose articles show whole (rights `full`) unless a test says less."""
        number = next(self.counter)
        with session_scope(self.database) as session:
            source = Source(name=name, url=f"http://127.0.0.1/feed/{number}.xml",
                            site_url="http://127.0.0.1/", rights=rights,
                            section_id=section.id if section else None)
            session.add(source)
            session.flush()
            session.expunge(source)
        return source

    def article(self, source: Source, *, title: str | None = None,
                section: Section | None = None, published_at: datetime | None = None,
                tags: Iterable[str] = (), **fields: Any) -> Article:
        number = next(self.counter)
        key = f"http://127.0.0.1/story/{number}"
        with session_scope(self.database) as session:
            article = Article(
                source_id=source.id, entry_key=key,
                entry_hash=hashlib.sha256(key.encode()).hexdigest(),
                content_hash=hashlib.sha256(f"content {number}".encode()).hexdigest(),
                url=fields.pop("url", key), title=title or f"Story number {number}",
                summary=fields.pop("summary", f"What happened in story {number}."),
                section_id=section.id if section else None,
                published_at=published_at or utcnow() - timedelta(minutes=number), **fields)
            article.tags = [self._tag(session, name) for name in dict.fromkeys(tags)]
            session.add(article)
            session.flush()
            article_id = article.id
        return self.load(article_id)

    def articles(self, count: int, source: Source, **fields: Any) -> list[Article]:
        start = utcnow()
        return [self.article(source, published_at=start - timedelta(hours=index), **fields)
                for index in range(count)]

    def load(self, article_id: int) -> Article:
        with session_scope(self.database, write=False) as session:
            article = session.get(Article, article_id)
            assert article is not None
            _ = article.tags, article.source, article.section
            session.expunge_all()
        return article

    def _tag(self, session: Any, name: str) -> Tag:
        slug = name.lower().replace(" ", "-")
        tag = session.query(Tag).filter_by(slug=slug).one_or_none()
        if tag is None:
            tag = Tag(slug=slug, name=name)
            session.add(tag)
            session.flush()
        return tag


@pytest.fixture
def make(database: Database) -> Factory:
    return Factory(database, itertools.count(1))


@pytest.fixture
def statements(database: Database):  # type: ignore[no-untyped-def]
    """Every SQL statement the app's engines run while the test counts them."""
    executed: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        executed.append(statement)

    engines = []

    def watch(app) -> list[str]:  # type: ignore[no-untyped-def]
        engine = app.extensions["hopper_database"].engine
        if engine not in engines:
            event.listen(engine, "before_cursor_execute", record)
            engines.append(engine)
        return executed

    yield watch
    for engine in engines:
        event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def image_server():  # type: ignore[no-untyped-def]
    """Publisher images on 127.0.0.1: coloured PNG pictures, one per path (raster, as the
    media proxy serves no SVG)."""
    with picture_server("127.0.0.1", 1200, 800) as (base_url, _agents):
        yield base_url


@pytest.fixture
def down_image_server():  # type: ignore[no-untyped-def]
    """A publisher's image host on 127.0.0.1 that is down: every picture gets a 500."""
    with host_down("127.0.0.1") as base_url:
        yield base_url


READER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                "Chrome/130.0 Safari/537.36")


@pytest.fixture
def browser_page(chromium):  # type: ignore[no-untyped-def]
    """A fresh context (no cookies) that reads like a person's browser, not a bot."""
    context = chromium.new_context(user_agent=READER_AGENT, viewport={"width": 1280,
                                                                      "height": 900})
    page = context.new_page()
    yield page
    context.close()


def consent_cookie(client, settings, *, media: bool) -> None:  # type: ignore[no-untyped-def]
    """The accounts area's cookie: current policy version, a 16+ character id."""
    version = str(getattr(settings, "policy_version", "1"))
    value = quote(json.dumps({"v": version, "id": "reader-consent-0001",
                              "c": {"preferences": False, "analytics": False, "media": media}},
                             separators=(",", ":")))
    client.set_cookie("hopper_consent", value)
