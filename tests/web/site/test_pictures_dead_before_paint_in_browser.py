"""A publisher's picture that dies before the page is first painted (its host refuses the
connection or answers 500, and the media proxy's placeholder arrives before the first
frame), in a real browser (Debian's chromium): images.js hides it, and the page must then
look like the one the server renders when it already knows the picture is dead — the
same layout, no room kept for the picture."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import redis
from sqlalchemy import update

from hopper import content_version
from models.article_images import IMAGE_DEAD
from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from models.sections import Section

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

# Before anything else on the page: whether a frame has been painted yet.
WATCH_FIRST_FRAME = "requestAnimationFrame(() => { window.hasPainted = true; });"
# A lazy picture is fetched only once the page is laid out for a frame; made eager as it
# is parsed (as a browser that ignores `loading` would), it too dies before the first one.
FETCH_LAZY_AT_ONCE = """new MutationObserver((changes) => {
    for (const change of changes) {
        for (const node of change.addedNodes) {
            if (node.tagName === "IMG" && node.loading === "lazy") { node.loading = "eager"; }
        }
    }
}).observe(document, {childList: true, subtree: true});"""
# Every box of a page's text, in document order: what a reader sees move.
TEXT_BOXES = """() => [...document.querySelectorAll(
    "main :is(article, section, .front, .block-grid, .block-headlines, .card-body, .lead-body, "
    + ".card-title, .lead-title, .byline, .article-body, .river > li)")].map((element) => {
        const box = element.getBoundingClientRect();
        return [element.className, Math.round(box.x), Math.round(box.y + scrollY),
                Math.round(box.width), Math.round(box.height)];
    }).concat([["page height", document.documentElement.scrollHeight]])"""

BOXES = """() => {
    const box = (selector) => {
        const found = document.querySelector(selector);
        return found ? found.getBoundingClientRect().toJSON() : null;
    };
    return {front: box(".front"), lead: box(".front-lead"), body: box(".lead-body"),
            title: box(".lead-title"), headlines: box(".front-headlines"),
            page_height: document.documentElement.scrollHeight};
}"""


class ServerError(BaseHTTPRequestHandler):
    """A publisher's image host that is down: every request gets a 500."""

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture(params=["refused", "500"])
def dead_host(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of an image host that refuses connections, or answers 500."""
    if request.param == "refused":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        yield f"http://127.0.0.1:{port}"
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0), ServerError)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


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


def measure_after_deaths_before_paint(chromium: Any, url: str, viewport: dict[str, int],
                                      dying: str, measure: str = BOXES, *,
                                      lazy_too: bool = False) -> Any:
    """`measure` evaluated once every picture `dying` (a selector) died before the first
    frame, and no picture tile was drawn.

    The first frame is held back by holding stories.css and community.css, the
    render-blocking stylesheets the pages link after images.js: the pictures are fetched
    and fail meanwhile."""
    held: list[Any] = []
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.add_init_script(WATCH_FIRST_FRAME)
        if lazy_too:
            page.add_init_script(FETCH_LAZY_AT_ONCE)
        page.route("**/css/stories.css*", lambda route: held.append(route))
        page.route("**/css/community.css*", lambda route: held.append(route))
        page.goto(url, wait_until="commit")
        # Polled on a timer: Playwright's default, every frame, waits for the held frame.
        page.wait_for_function(f"""() => {{
            const dying = document.querySelectorAll('{dying}');
            return dying.length && [...dying].every((image) => image.hasAttribute('data-broken'));
        }}""", polling=50)
        assert page.evaluate("() => window.hasPainted !== true"), "painted too early"
        assert held
        for route in held:
            route.continue_()
        page.wait_for_load_state("load")
        assert page.locator(".picture-tile").count() == 0
        return page.evaluate(measure)
    finally:
        context.close()


def measure_as_rendered(chromium: Any, url: str, viewport: dict[str, int],
                        measure: str = BOXES) -> Any:
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(url, wait_until="load")
        assert page.locator("main img").count() == 0      # the server left them all out
        return page.evaluate(measure)
    finally:
        context.close()


def mark_dead(make, redis_client: redis.Redis) -> None:  # type: ignore[no-untyped-def]
    """What the background check does when it finds the pictures dead."""
    with session_scope(make.database) as session:
        session.execute(update(Article).where(Article.image_url.is_not(None))
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

    died = measure_after_deaths_before_paint(chromium, live_server + "/", viewport,
                                             ".front-lead img")
    mark_dead(make, redis_client)
    known = measure_as_rendered(chromium, live_server + "/", viewport)

    assert lead.image_url
    assert rounded(died) == rounded(known)
    # No gap: what follows the lead starts right under its text.
    assert died["headlines"]["top"] - died["body"]["bottom"] < 60


def every_kind_of_card(make, dead_host: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Pages with every card whose layout depends on its picture, all pictures on
    `dead_host`: the front (its lead, section blocks), a section page (its river's
    first story, with another outlet's picture) and an article page (its lead picture,
    related cards in a grid). Returns their paths."""
    from models import stories as story_rows

    world: Section = make.section("World")
    business: Section = make.section("Business")
    wire, gazette = make.source("Coast Wire"), make.source("Harbour Gazette")
    now = utcnow()

    def picture(name: str) -> dict[str, Any]:
        return {"image_url": f"{dead_host}/{name}.jpg", "image_width": 1200,
                "image_height": 800}

    lead = make.article(wire, section=world, title="Parliament passes the harbour bridge "
                        "budget after a night of votes", summary="The vote came after "
                        "midnight.", published_at=now - timedelta(minutes=1),
                        tags=["bridge"], content_html="<p>The vote came after midnight.</p>",
                        **picture("lead"))
    for number in range(8):
        make.article(wire, title=f"Headline {number} about a matter of public importance",
                     published_at=now - timedelta(minutes=10 + number))
    for section in (world, business):
        for number in range(4):
            make.article(wire, section=section, title=f"{section.name} story {number}: talks "
                         "resume on the treaty", summary="Delegations met again on Monday.",
                         published_at=now - timedelta(hours=1, minutes=number),
                         tags=["bridge"], **picture(f"{section.slug}-{number}"))
    first = make.article(wire, section=world, title="River story told by two outlets",
                         published_at=now - timedelta(hours=2))
    make.article(gazette, section=world, title="River story, the Gazette's account",
                 story_id=first.story_id, published_at=now - timedelta(hours=2),
                 **picture("river"))
    with session_scope(make.database) as session:
        story_rows.refresh_counts(session, [first.story_id])
    return {"front": "/", "section": "/section/world",
            "article": f"/article/{lead.id}-{lead.slug}"}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_card_whose_picture_dies_before_paint_falls_back_to_the_servers_text_layout(
        make, live_server: str, chromium: Any, redis_client: redis.Redis,
        viewport: dict[str, int]) -> None:
    """The front's lead and section blocks, a section page's first story (with another
    outlet's credited picture), an article's lead picture and its related cards: each
    one whose picture died unseen is laid out as the server lays it out without one."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead_host = f"http://127.0.0.1:{probe.getsockname()[1]}"       # refuses
    paths = every_kind_of_card(make, dead_host)

    died = {name: measure_after_deaths_before_paint(
                chromium, live_server + path, viewport, "main img[data-hide-broken]",
                TEXT_BOXES, lazy_too=True)
            for name, path in paths.items()}
    mark_dead(make, redis_client)
    known = {name: measure_as_rendered(chromium, live_server + path, viewport, TEXT_BOXES)
             for name, path in paths.items()}

    for name in paths:
        assert died[name] == known[name], name
