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


@pytest.fixture
def browser(chromium):  # type: ignore[no-untyped-def]
    """The run's one chromium (tests/web/conftest.py)."""
    return chromium


@pytest.fixture
def signed_in_page(app, live_server, browser):  # type: ignore[no-untyped-def]
    """`page_for(user)`: a browser page whose session cookie signs `user` in.

    Every dialog (alert, confirm…) is recorded in `page.dialogs` and dismissed, so a
    test can prove that nothing a reader typed ever ran as script."""
    contexts = []

    def page_for(user):  # type: ignore[no-untyped-def]
        cookie = app.session_interface.get_signing_serializer(app).dumps(
            {"_user_id": user.get_id(), "_fresh": True})
        context = browser.new_context()
        contexts.append(context)
        context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                              "url": live_server}])
        page = context.new_page()
        page.dialogs = []

        def record(dialog):  # type: ignore[no-untyped-def]
            page.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", record)
        return page

    yield page_for
    for context in contexts:
        context.close()
