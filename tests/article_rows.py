"""Article rows made directly in the database, for tests of the parts that read them
(search, feeds, the API) while ingest is built elsewhere."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.sections import Section
from models.sources import Source
from models.tags import Tag

_counter = itertools.count(1)


class ArticleRows:
    """Makes sources, sections, tags and articles; returns them detached, with ids."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def section(self, slug: str, name: str | None = None, *,
                parent: Section | None = None, position: int = 0) -> Section:
        return self._add(Section(slug=slug, name=name or slug.title(), position=position,
                                 parent_id=parent.id if parent else None))

    def source(self, name: str = "Example News", *, url: str | None = None,
               section: Section | None = None, rights: str = "full",
               **fields: Any) -> Source:
        """A source whose articles show whole (rights `full`) unless a test says less."""
        number = next(_counter)
        fields.setdefault("site_url", "https://news.example/")
        return self._add(Source(name=name, url=url or f"https://feeds.example/{number}.xml",
                                rights=rights,
                                section_id=section.id if section else None, **fields))

    def tag(self, slug: str, name: str | None = None) -> Tag:
        return self._add(Tag(slug=slug, name=name or slug))

    def article(self, title: str = "An article", *, source: Source | None = None,
                section: Section | None = None, tags: list[Tag] | None = None,
                summary: str = "", content_html: str = "",
                published_at: datetime | None = None, age: timedelta | None = None,
                **fields: Any) -> Article:
        source = source or self.source()
        number = next(_counter)
        key = f"https://news.example/{number}"
        if published_at is None:
            published_at = utcnow() - (age if age is not None else timedelta(hours=number % 7))
        with session_scope(self.database) as session:
            article = Article(
                source_id=source.id, entry_key=key,
                entry_hash=hashlib.sha256(key.encode()).hexdigest(),
                url=fields.pop("url", key), title=title, summary=summary,
                content_html=content_html,
                content_hash=hashlib.sha256((title + summary + content_html).encode())
                .hexdigest(),
                section_id=section.id if section else None, published_at=published_at,
                **fields)
            if tags:
                article.tags = [session.merge(tag) for tag in tags]
            session.add(article)
            session.flush()
            session.refresh(article, ["tags", "source", "section"])
            session.expunge_all()
        return article

    def _add(self, row: Any) -> Any:
        with session_scope(self.database) as session:
            session.add(row)
            session.flush()
            session.expunge(row)
        return row

