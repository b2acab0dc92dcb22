"""In Chromium, before any consent: every request the page makes goes to the site's own
origin, and the publishers' pictures (on another host, 127.0.0.2) still display."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.pictures import picture_server
from tests.servers import serving
from tests.web.site.conftest import READER_AGENT

pytestmark = pytest.mark.browser

ANOTHER_HOST = "127.0.0.2"   # Linux routes all of 127/8 to loopback


@pytest.fixture
def publisher() -> Iterator[tuple[str, list[str]]]:
    """A publisher's image host on 127.0.0.2; yields its base URL and the User-Agents
    of every request it received."""
    with picture_server(ANOTHER_HOST, 320, 180) as served:
        yield served


@pytest.fixture
def live_site(media_app) -> Iterator[str]:
    from werkzeug.serving import make_server

    with serving(make_server("127.0.0.1", 0, media_app, threaded=True)) as base_url:
        yield base_url


def all_images_shown(page) -> bool:  # type: ignore[no-untyped-def]
    """Scroll every image into view (they load lazily), then wait until each is decoded."""
    for image in page.locator("img").all():
        image.scroll_into_view_if_needed()
    # Polled from here: wait_for_function would evaluate a string, which the CSP forbids.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if page.evaluate("document.images.length > 0 && [...document.images].every("
                         "i => i.complete && i.naturalWidth > 0)"):
            return True
        page.wait_for_timeout(100)
    return False


def test_before_consent_every_request_stays_first_party_and_images_display(
        live_site, publisher, make, chromium) -> None:
    images, agents = publisher
    source = make.source("Daily Planet")
    for index in range(4):
        make.article(source, title=f"Pictured story {index}", image_url=f"{images}/{index}.png",
                     image_alt=f"Picture {index}")
    article = make.article(
        source, title="Story with pictures inside", image_url=f"{images}/lead.png",
        content_html=(f'<p>Words.</p><figure><img src="{images}/inside.png" alt="Inside" '
                      f'srcset="{images}/inside-2x.png 2x" loading="lazy"></figure>'))

    context = chromium.new_context(user_agent=READER_AGENT,
                                   viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    try:
        for path in ("/", f"/article/{article.id}-{article.slug}"):
            page.goto(live_site + path)
            assert all_images_shown(page), path
            page.wait_for_load_state("networkidle")
        cookies = context.cookies()
    finally:
        context.close()

    site = urlsplit(live_site).netloc
    assert requested
    assert [url for url in requested if urlsplit(url).netloc != site] == []
    assert any("/media/" in url for url in requested)
    assert [cookie for cookie in cookies if cookie["domain"] != "127.0.0.1"] == []
    # The publisher saw only Hopper's proxy, never the reader's browser.
    assert agents and all(agent.startswith("Hopper/") for agent in agents)
