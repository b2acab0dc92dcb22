"""Fixtures for the community area: articles made directly in the database (ingest is
another area's business) and a switch for CSRF in test-client tests."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest

from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.sources import Source


@pytest.fixture
def no_csrf(app):  # type: ignore[no-untyped-def]
    """Test-client tests post forms without fetching tokens; CSRF has its own tests."""
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.fixture
def make_article(database: Database):  # type: ignore[no-untyped-def]
    counter = iter(range(1, 10_000))

    def make(title: str = "An article", *, published_at: datetime | None = None,
             is_video: bool = False, source_name: str = "Example News") -> Article:
        number = next(counter)
        with session_scope(database) as session:
            source = session.query(Source).filter_by(name=source_name).one_or_none()
            if source is None:
                source = Source(url=f"http://127.0.0.1/{source_name}.xml", name=source_name)
                session.add(source)
                session.flush()
            key = f"entry-{number}"
            article = Article(source_id=source.id, entry_key=key,
                              entry_hash=hashlib.sha256(key.encode()).hexdigest(),
                              url=f"http://127.0.0.1/articles/{number}", title=title,
                              content_hash="x", is_video=is_video,
                              published_at=published_at or utcnow() - timedelta(hours=number))
            session.add(article)
            session.flush()
            session.expunge(article)
        return article

    return make
