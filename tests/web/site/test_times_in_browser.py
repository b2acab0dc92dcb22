"""Times are rendered in UTC (pages are cached for everyone) and read "19 h ago" in the
browser. On a slow phone network the first paint must already show the relative form:
a swap after it reflowed headers and bylines (CLS 0.10 on a 320 px full-coverage page)."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest

from models.base import utcnow
from models.db import Database, session_scope
from models.stories import Story
from tests.article_rows import ArticleRows

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# templates/layout.html loads these in the head without `defer`.
BLOCKING_SCRIPTS = ("/js/times.js", "/js/images.js")

# Chrome DevTools' "Slow 3G".
SLOW_3G = {"offline": False, "latency": 2000, "downloadThroughput": 500 * 1000 / 8 * 0.8,
           "uploadThroughput": 500 * 1000 / 8 * 0.8}
RECORD_SHIFTS = """
window.layoutShifts = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) window.layoutShifts.push(entry.value);
  }
}).observe({type: "layout-shift", buffered: true});
"""
FIRST_PAINT_TIMES = """() => window.firstPaintTimes"""
# What the times read when the page was first painted (a rAF callback runs just before).
NOTE_FIRST_PAINT = """
requestAnimationFrame(function note() {
  const times = document.querySelectorAll("time[data-relative]");
  if (!times.length) { requestAnimationFrame(note); return; }
  window.firstPaintTimes = Array.from(times, (time) => time.textContent);
});
"""


def story_over_a_day(database: Database) -> int:
    rows = ArticleRows(database)
    now = utcnow()
    articles = [rows.article(f"Harbour bridge reopens, report {number}",
                             source=rows.source(f"Outlet {number}"),
                             published_at=now - timedelta(hours=hours))
                for number, hours in enumerate((19, 5, 0.5))]
    with session_scope(database) as session:
        story = Story(title=articles[-1].title, first_published_at=now - timedelta(hours=19),
                      last_published_at=now - timedelta(minutes=30),
                      article_count=3, source_count=3)
        session.add(story)
        session.flush()
        for article in articles:
            session.merge(article).story_id = story.id
        return story.id


@pytest.mark.parametrize("width", [320, 390])
def test_a_slow_phone_paints_relative_times_first_and_nothing_moves_when_scripts_arrive(
        database: Database, live_server: str, chromium: Any, width: int) -> None:
    story_id = story_over_a_day(database)
    context = chromium.new_context(viewport={"width": width, "height": 844}, is_mobile=True,
                                   has_touch=True)
    try:
        page = context.new_page()
        page.add_init_script(RECORD_SHIFTS + NOTE_FIRST_PAINT)
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        # The deferred scripts arrive after the first paint, as they may on a slow network
        # (the head's blocking ones cannot: nothing is painted before they run).
        held: list[Any] = []
        page.route("**/static/js/*.js*", lambda route: route.continue_()
                   if any(name in route.request.url for name in BLOCKING_SCRIPTS)
                   else held.append(route))
        page.goto(f"{live_server}/story/{story_id}", wait_until="commit")
        deadline = time.monotonic() + 60
        while not page.evaluate("performance.getEntriesByType('paint').length"):
            assert time.monotonic() < deadline, "the page was never painted"
            page.wait_for_timeout(50)
        page.wait_for_timeout(500)
        for route in held:
            route.continue_()
        page.wait_for_load_state("load")
        page.wait_for_timeout(1000)

        painted = page.evaluate(FIRST_PAINT_TIMES)
        now_read = page.locator("time[data-relative]").all_text_contents()
        shifts = page.evaluate("window.layoutShifts")
    finally:
        context.close()
    assert sum(shifts) < 0.01, shifts
    assert painted and not any("UTC" in text for text in painted), painted
    assert "19 h ago" in now_read and "30 min ago" in now_read
    assert sum(shifts) < 0.01, shifts
