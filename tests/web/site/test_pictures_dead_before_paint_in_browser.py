"""A publisher's picture that dies before the page is first painted (its host refuses the
connection or answers 500, and the media proxy's placeholder arrives before the first
frame), in a real browser (Debian's chromium): images.js hides it, and the page must then
look like the one the server renders when it already knows the picture is dead — the
same layout, no room kept for the picture."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import redis
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from sqlalchemy import update

from hopper import content_version
from models.article_images import IMAGE_DEAD
from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from tests.pictures import host_down

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Before anything else on the page: whether a frame has been painted yet.
WATCH_FIRST_FRAME = "requestAnimationFrame(() => { window.hasPainted = true; });"

BOXES = """() => {
    const box = (selector) => {
        const found = document.querySelector(selector);
        return found ? found.getBoundingClientRect().toJSON() : null;
    };
    return {front: box(".front"), lead: box(".front-lead"), body: box(".lead-body"),
            title: box(".lead-title"), headlines: box(".front-headlines"),
            page_height: document.documentElement.scrollHeight};
}"""


@pytest.fixture(params=["refused", "500"])
def dead_host(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of an image host that refuses connections, or answers 500."""
    if request.param == "refused":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        return
    with host_down("127.0.0.1") as base_url:
        yield base_url


def front_page(make, picture_url: str) -> Article:  # type: ignore[no-untyped-def]
    """A lead story with a picture and a summary, and eight top headlines."""
    wire = make.source("Coast Wire")
    now = utcnow()
    lead = make.article(wire, title="Parliament passes the harbour bridge budget after a "
                        "night of votes", summary="The vote came after midnight, when the "
                        "last amendments had been withdrawn.", image_url=picture_url,
                        image_width=1200, image_height=800, image_alt="The vote",
                        published_at=now - timedelta(minutes=1))
    for number in range(8):
        make.article(wire, title=f"Headline {number} about a matter of public importance",
                     published_at=now - timedelta(minutes=10 + number))
    return lead


# Tries at the scene below. In about one page load in twenty (3 of 15 runs of this file
# failed, each on one of its 4 cases), the placeholder is fetched while stories.css is
# held, yet images.js does not mark the picture within 30 s: chromium's scheduling while
# the first frame is held back (why exactly is not known). The next load of the same page
# behaves (10 runs: one try missed, its second passed), so the scene is set again.
SCENE_TRIES = 3
SCENE_WAIT_MS = 5000


def boxes_after_a_death_before_paint(chromium: Any, url: str, viewport: dict[str, int],
                                     dying: str) -> dict[str, Any]:
    """The page's boxes once the picture `dying` (a selector) died before the first frame
    (the scene set again when the browser missed it, see SCENE_TRIES)."""
    for _ in range(SCENE_TRIES):
        found = _death_before_paint(chromium, url, viewport, dying, timeout_ms=SCENE_WAIT_MS)
        if found is not None:
            return found
    raise AssertionError(f"{dying} was not marked broken before the first frame, "
                         f"{SCENE_TRIES} times")


def _death_before_paint(chromium: Any, url: str, viewport: dict[str, int], dying: str, *,
                        timeout_ms: int) -> dict[str, Any] | None:
    """One try: the first frame is held back by holding stories.css, a render-blocking
    stylesheet linked after images.js, and the picture is fetched and fails meanwhile.
    None when images.js did not mark it broken within `timeout_ms`."""
    held: list[Any] = []
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.add_init_script(WATCH_FIRST_FRAME)
        page.route("**/css/stories.css*", lambda route: held.append(route))
        page.goto(url, wait_until="commit")
        # Polled on a timer: Playwright's default, every frame, waits for the held frame.
        try:
            page.wait_for_function(f"() => document.querySelector('{dying}[data-broken]')",
                                   polling=50, timeout=timeout_ms)
        except PlaywrightTimeout:
            return None
        assert page.evaluate("() => window.hasPainted !== true"), "painted too early"
        assert held
        for route in held:
            route.continue_()
        page.wait_for_load_state("load")
        found: dict[str, Any] = page.evaluate(BOXES)
        found["tiles"] = page.locator(".picture-tile").count()
        return found
    finally:
        context.close()


def boxes_as_rendered(chromium: Any, url: str, viewport: dict[str, int]) -> dict[str, Any]:
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        found: dict[str, Any] = page.evaluate(BOXES)
        return found
    finally:
        context.close()


def mark_dead(make, article: Article, redis_client: redis.Redis) -> None:  # type: ignore[no-untyped-def]
    """What the background check does when it finds the picture dead."""
    with session_scope(make.database) as session:
        session.execute(update(Article).where(Article.id == article.id)
                        .values(image_status=IMAGE_DEAD))
    content_version.bump(redis_client)


def rounded(boxes: dict[str, Any]) -> dict[str, Any]:
    return {name: ({side: round(value) for side, value in box.items()}
                   if isinstance(box, dict) else box)
            for name, box in boxes.items()}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_a_lead_picture_dead_before_paint_leaves_the_front_the_server_gives_no_picture(
        make, live_server: str, chromium: Any, dead_host: str, redis_client: redis.Redis,
        viewport: dict[str, int]) -> None:
    """At 1280 px the lead lost its picture but kept the layout of a lead with one: a
    column of a few lines of text beside the top headlines, a large empty gap under it.
    The front now takes the layout of a lead without a picture, as the server renders it:
    the lead across the page, the headlines under it."""
    lead = front_page(make, f"{dead_host}/bridge.jpg")

    died = boxes_after_a_death_before_paint(chromium, live_server + "/", viewport,
                                            ".front-lead img")
    mark_dead(make, lead, redis_client)
    known = boxes_as_rendered(chromium, live_server + "/", viewport)

    assert died.pop("tiles") == 0
    assert rounded(died) == rounded(known)
    # No gap: what follows the lead starts right under its text.
    assert died["headlines"]["top"] - died["body"]["bottom"] < 60
