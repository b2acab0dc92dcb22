"""A lead image whose host is dead, right after `hopper ingest` (before the background
check marks it dead): on a slow phone the reader never sees a broken-image icon nor the
proxy's empty placeholder box, and the page does not jump — with the media proxy on (the
default) and off (HOPPER_MEDIA_PROXY=0, where the CSP refuses a publisher's http: image)."""

from __future__ import annotations

import dataclasses
import socket
from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.base import utcnow
from models.db import Database
from tests.sources import add_source

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 500 * 1000 / 8 * 0.8,
           "uploadThroughput": 500 * 1000 / 8 * 0.8}
PHONE = {"width": 390, "height": 844}
# Every frame, just before it is painted: the images a reader would see with no picture
# in them (broken, or the proxy's 32 × 18 placeholder, not yet replaced by its tile) for
# a second frame running (the `load` event that settles one may come a frame after the
# image is complete), and the layout shifts.
WATCH_FRAMES = """
window.badFrames = []; window.layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (entry.hadRecentInput) continue;
    const moved = Array.from(entry.sources || [],
                             (s) => s.node ? `${s.node.nodeName}.${s.node.className}` : "?");
    window.layoutShifts.push([entry.value, moved]);
  }
}).observe({type: "layout-shift", buffered: true});
let empty = new Set();
requestAnimationFrame(function watch() {
  const now = new Set();
  for (const image of document.images) {
    const box = image.getBoundingClientRect();
    const seen = box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < innerHeight;
    const style = getComputedStyle(image);
    if (seen && image.complete && image.naturalWidth < 40 && style.display !== "none") {
      const what = `${image.naturalWidth}px ${Math.round(box.height)}px high`;
      if (empty.has(image)) window.badFrames.push(`${what}: ${image.currentSrc || image.src}`);
      now.add(image);
    }
  }
  empty = now;
  requestAnimationFrame(watch);
});
"""


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(params=[True, False], ids=["proxy", "no-proxy"])
def app(request: pytest.FixtureRequest, settings: Any, database: Database):  # type: ignore[no-untyped-def]
    from web import create_app

    app = create_app({"TESTING": True},
                     settings=dataclasses.replace(settings, media_proxy=request.param))
    yield app
    app.extensions["hopper_database"].dispose()


def ingest_dead_pictures(runner, database: Database, httpserver: HTTPServer) -> list[int]:
    dead = f"http://127.0.0.1:{closed_port()}"
    items = "".join(
        f"<item><guid>g{number}</guid><title>{title}</title>"
        f"<link>http://127.0.0.1/a/{number}</link><description>What happened.</description>"
        f"<pubDate>{format_datetime(utcnow() - timedelta(minutes=number), usegmt=True)}"
        f"</pubDate><enclosure url=\"{dead}/{number}.jpg\" type=\"image/jpeg\" length=\"9\"/>"
        "</item>"
        for number, title in enumerate(("Harbour bridge reopens after two years",
                                        "Storm warning for the whole coast tonight",
                                        "Council votes to extend night buses",
                                        "Central bank holds rates for a third month")))
    httpserver.expect_request("/feed.xml").respond_with_data(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Dead pictures</title>'
        f"<link>http://127.0.0.1/</link>{items}</channel></rss>",
        content_type="application/rss+xml")
    add_source(database, httpserver.url_for("/feed.xml"), name="Dead Pictures Daily")
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    with database.reader() as session:
        rows = session.execute(select(Article.id, Article.image_url)).all()
    assert len(rows) == 4 and all(url.startswith(dead) for _, url in rows)
    return sorted(article_id for article_id, _ in rows)


def test_a_dead_lead_image_is_never_seen_broken_or_empty_and_the_page_holds_still(
        runner, database: Database, httpserver: HTTPServer, live_server: str,
        chromium: Any) -> None:
    ids = ingest_dead_pictures(runner, database, httpserver)
    found: dict[str, Any] = {}
    for path in ("/", f"/article/{ids[0]}"):
        context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        try:
            page = context.new_page()
            page.add_init_script(WATCH_FRAMES)
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            cdp.send("Network.emulateNetworkConditions", SLOW_3G)
            page.goto(live_server + path, wait_until="load")
            for y in (0, 400, 800, 1200, 0):          # lazy images come into view
                page.evaluate(f"window.scrollTo(0, {y})")
                page.wait_for_timeout(400)
            page.wait_for_timeout(2500)
            bad, shifts = page.evaluate("[window.badFrames, window.layoutShifts]")
        finally:
            context.close()
        cls = sum(value for value, _ in shifts)
        if bad or cls >= 0.05:
            found[path] = {"seen empty": sorted(set(bad))[:4], "CLS": round(cls, 4),
                           "moved": [sources for value, sources in shifts if value > 0.01]}
    assert found == {}
