"""Browser fixtures every web area shares: the app on a real HTTP server, and one
Debian chromium for the whole run (Playwright's sync API allows one driver at a time,
so areas must not each start their own)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.servers import serving

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def live_server(app: Any) -> Iterator[str]:
    """The app on a real HTTP server at 127.0.0.1:<free port>, in a thread; its base URL."""
    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as base_url:
        yield base_url


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's chromium driven by Playwright (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=CHROMIUM_ARGS)
        yield browser
        browser.close()
