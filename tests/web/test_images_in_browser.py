"""Publishers' images in a real browser (Debian's chromium), through the media proxy, with
a publisher's image host on loopback that answers 404, 500 or an HTML page for some of
them: no page ever shows a broken image (`naturalWidth == 0`), with or without
JavaScript, and a 390 px phone downloads phone-sized images for the front page."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models.db import Database
from tests.article_rows import ArticleRows
from tests.pictures import publisher as publisher_host

# The whole-site check's newsroom (its `site` fixture needs its `images` fixture).
from tests.web.test_site_in_browser import WATCH_CSP, _pages, images, site  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}
PHONE_IMAGE_BUDGET = 400 * 1024
FAILING = ("missing-1.jpg", "broken-1.jpg", "page-1.jpg", "tiny-1.png")


@pytest.fixture
def publisher() -> Iterator[str]:
    with publisher_host() as (base, _paths):
        yield base


@pytest.fixture
def failing_site(database: Database, site: dict[str, Any],  # noqa: F811
                 publisher: str, settings: Any,
                 redis_client: Any, tmp_path: Path) -> dict[str, Any]:
    """The whole-site fixture plus stories whose pictures fail in every way: half of them
    already checked by the background task (marked dead), half not yet (the proxy's
    placeholder and the page's script must cope)."""
    from hopper.image_fetch import ImageClient
    from hopper.image_gate import FetchGate, GateLimits
    from hopper.image_source import ImageSource
    from workers.images import check_lead_images_of

    rows = ArticleRows(database)
    source = site["source"]
    for name in FAILING:
        rows.article(f"Checked story with {name}", source=source,
                     summary="Its picture was checked.", image_url=f"{publisher}/{name}",
                     image_alt="A picture that will not come")
    check_lead_images_of(database, ImageSource(
        client=ImageClient.from_settings(settings),
        gate=FetchGate(redis_client, GateLimits(pool="workers")),
        root=settings.media_cache_path, max_bytes=settings.media_cache_bytes),
        redis_client, limit=100)
    fresh = [rows.article(f"Fresh story with {name}", source=source,
                          summary="Not checked yet.", image_url=f"{publisher}/{name}?fresh=1",
                          image_alt="A picture that will not come either",
                          content_html=(f'<p>Words.</p><p><img src="{publisher}/{name}?body=1"'
                                        ' alt="Inside"></p>'))
             for name in FAILING]
    return {**site, "fresh": fresh}


def scroll_through(page: Any) -> None:
    """Scroll to the end and back, as a reader would, so lazy images load; then wait for
    every image to finish (loaded or failed)."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for y in range(0, int(height) + 800, 600):
        page.evaluate(f"window.scrollTo(0, {y})")
        page.wait_for_timeout(60)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if page.evaluate("[...document.images].every(i => i.complete)"):
            break
        page.wait_for_timeout(100)
    page.wait_for_load_state("networkidle")


BROKEN = """[...document.images]
  .filter(i => i.naturalWidth === 0 && getComputedStyle(i).display !== 'none')
  .map(i => i.currentSrc || i.src)"""


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_no_page_shows_a_broken_image_when_a_publisher_fails(
        chromium, live_server, failing_site, javascript: bool) -> None:
    context = chromium.new_context(java_script_enabled=javascript, viewport=PHONE)
    found: dict[str, list[str]] = {}
    paths = [*_pages(failing_site)["visitor"],
             *(f"/article/{article.id}-{article.slug}" for article in failing_site["fresh"])]
    for path in paths:
        page = context.new_page()
        problems: list[str] = []
        page.add_init_script(WATCH_CSP)
        page.on("console", lambda message, problems=problems: problems.append(
            f"console: {message.text}") if message.type == "error" else None)
        page.goto(live_server + path, wait_until="load")
        scroll_through(page)
        # Hidden by the page's script is fine (never seen); shown with no pixels is not.
        broken = page.evaluate(BROKEN if javascript else
                               "[...document.images].filter(i => i.naturalWidth === 0)"
                               ".map(i => i.currentSrc || i.src)")
        if javascript:
            problems += [f"CSP: {line}" for line in page.evaluate("window.__cspViolations")]
        if broken or problems:
            found[path] = broken + problems
        page.close()
    context.close()
    assert found == {}


def test_dead_images_are_left_out_by_the_server(client, failing_site) -> None:
    home = client.get("/").get_data(as_text=True)
    for name in FAILING:
        assert f"Checked story with {name}" in home
    assert "A picture that will not come\"" not in home        # their <img> is not there


@pytest.fixture
def sixty_sources(database: Database, publisher: str) -> None:
    """60 sources over 6 sections, two stories each, every lead image a 1600 × 900
    photograph-weight JPEG (~300-500 KB) on the publisher's host."""
    rows = ArticleRows(database)
    sections = [rows.section(f"s{n}", f"Section {n}", position=n) for n in range(6)]
    for number in range(60):
        section = sections[number % 6]
        source = rows.source(f"Source {number}", section=section)
        for story in range(2):
            rows.article(f"Story {story} from source {number}", source=source,
                         section=section, summary="What happened, in brief.",
                         image_url=f"{publisher}/{number}-{story}.jpg",
                         image_alt=f"Scene {number}.{story}")


def test_a_390px_phone_downloads_under_400kb_of_images_for_the_front_page(
        chromium, live_server, sixty_sources) -> None:
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    downloaded: dict[str, int] = {}

    def count(response: Any) -> None:
        if response.request.resource_type == "image":
            downloaded[response.url] = len(response.body())

    page.on("response", count)
    page.goto(live_server + "/", wait_until="load")
    scroll_through(page)
    shown = page.evaluate("[...document.images].filter(i => i.naturalWidth > 1).length")
    context.close()
    total = sum(downloaded.values())
    print(f"\n390 px phone, front page: {len(downloaded)} images, {total / 1024:.0f} KB")
    assert shown >= 5 and len(downloaded) >= 5            # the page does show pictures
    assert all("/media/" in url and "?w=" in url for url in downloaded), list(downloaded)
    assert total < PHONE_IMAGE_BUDGET, f"{total / 1024:.0f} KB in {len(downloaded)} images"


def test_a_picture_the_proxy_was_too_busy_to_fetch_is_asked_for_again(
        chromium, live_server, database: Database, redis_client: Any) -> None:
    """Every fetch slot of the web is taken for a moment (a publisher that hangs holds
    its share until the deadline): the reader's picture gets the busy placeholder, which
    the page's script used to hide as dead. It asks again a few seconds later instead,
    and the picture shows."""
    with publisher_host() as (base, requested):
        rows = ArticleRows(database)
        article = rows.article("Harbour bridge reopens", source=rows.source("Metro Wire"),
                               image_url=f"{base}/lead-7.jpg", image_alt="The bridge")
        seconds, micros = redis_client.time()
        lapse_ms = int((seconds + micros / 1e6 + 1.5) * 1000)      # the slots' own clock
        redis_client.zadd("hopper:media:fetching:web", {"hung-1": lapse_ms, "hung-2": lapse_ms})
        context = chromium.new_context(viewport=PHONE)
        page = context.new_page()
        page.goto(f"{live_server}/article/{article.id}-{article.slug}")
        lead = page.locator("main figure img").first
        page.wait_for_function(
            "(image) => image.complete && image.naturalWidth > 40", arg=lead.element_handle(),
            timeout=15_000)
        assert lead.get_attribute("data-retries") == "1"
        assert lead.get_attribute("data-broken") is None
        assert page.locator(".picture-tile").count() == 0
        context.close()
    assert any(path.startswith("/lead-7.jpg") for path in requested)
