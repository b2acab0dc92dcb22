"""Fixtures for search pages: article rows, and the app served on a real local port."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from werkzeug.serving import make_server

from models.db import Database
from tests.article_rows import ArticleRows


@pytest.fixture
def rows(database: Database) -> ArticleRows:
    return ArticleRows(database)


# The strictest policy the site may send: live search must work under it.
STRICT_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; "
              "connect-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'")


@pytest.fixture
def live_server(app) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The app on 127.0.0.1 at a free port, in a thread, under a strict
    Content-Security-Policy (no inline script or style); yields its base URL."""

    @app.after_request
    def strict_csp(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("Content-Security-Policy", STRICT_CSP)
        return response

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
