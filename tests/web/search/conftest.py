"""Fixtures for search pages: article rows, and the app served on a real local port."""

from __future__ import annotations

import pytest

from models.db import Database
from tests.article_rows import ArticleRows


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


# The strictest policy the site may send: live search must work under it.
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
              "connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'")


@pytest.fixture
def strict_csp(app):  # type: ignore[no-untyped-def]
    """Every response carries STRICT_CSP (unless the app already set a policy)."""
    @app.after_request
    def add_policy(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", STRICT_CSP)
        return response

    return STRICT_CSP


@pytest.fixture
def live_server(strict_csp: str, live_server: str) -> str:
    """tests/web/conftest.py's server, under a strict Content-Security-Policy (no inline
    script or style): the hook is in place before the server answers anything."""
    return live_server
