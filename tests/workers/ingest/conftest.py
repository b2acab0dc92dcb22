"""Fixtures for the ingest tests: short limits, guarded and unguarded clients, a local
HTTP server on loopback, and small feeds to serve."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from hopper.settings import Limits, Settings
from workers.ingest.steps.fetch import FeedClient, FetchOptions, user_agent

# Short enough that a hanging server fails a test in about a second.
# A century of retention: test feeds carry fixed dates (see tests/conftest.py).
TEST_LIMITS = Limits(connect_timeout_s=1.0, read_timeout_s=1.0, total_timeout_s=3.0,
                     max_body_bytes=1024 * 1024, max_redirects=5, retention_days=36500)


@pytest.fixture
def limits() -> Limits:
    return TEST_LIMITS


@pytest.fixture
def fast_settings(settings: Settings) -> Settings:
    """The run's settings (private networks allowed) with the short test limits."""
    return replace(settings, limits=TEST_LIMITS)


@pytest.fixture
def guarded_settings(fast_settings: Settings) -> Settings:
    """As production runs: the SSRF guard on."""
    return replace(fast_settings, allow_private_networks=False)


@pytest.fixture
def http() -> Iterator[FeedClient]:
    """A client that may reach the loopback test server."""
    client = FeedClient(FetchOptions(limits=TEST_LIMITS, allow_private_networks=True,
                                     user_agent=user_agent("http://hopper.test")))
    yield client
    client.close()


@pytest.fixture
def guarded_http() -> Iterator[FeedClient]:
    """A client with the SSRF guard on, as in production."""
    client = FeedClient(FetchOptions(limits=TEST_LIMITS, allow_private_networks=False,
                                     user_agent=user_agent("http://hopper.test")))
    yield client
    client.close()


def rss(*items: tuple[str, str], title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document; each item is (guid, title)."""
    body = "".join(
        f"<item><guid>{guid}</guid><title>{name}</title>"
        f"<link>http://example.test/{guid}</link>"
        f"<description>About {name}</description>"
        f"<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>"
        for guid, name in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://example.test/</link>{body}"
            f"</channel></rss>").encode()


@pytest.fixture(autouse=True)
def _fresh_section_rules() -> Iterator[None]:
    """Section rules are cached per process for a minute; each test starts without."""
    from workers.ingest.steps.store import forget_section_rules

    forget_section_rules()
    yield
    forget_section_rules()
