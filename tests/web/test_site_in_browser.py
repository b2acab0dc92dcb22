"""The whole site in a real browser (Debian's chromium) with real rows: every page a
visitor, a reader and an admin can reach loads without a console error, without a
Content-Security-Policy violation, without a request to any host but 127.0.0.1, and
without a serious or critical axe-core accessibility violation."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Response

from models import comments, playlists
from models.base import utcnow
from models.db import Database, session_scope
from tests.article_rows import ArticleRows
from tests.pictures import png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# Chromium reports CSP violations as console errors; the event catches any it does not.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


@pytest.fixture
def images(app: Any) -> str:
    """Publisher pictures, plain http; the site shows them through its media proxy."""
    def picture(name: str) -> Response:
        return Response(png(120, 68, (70, 100, 140)), content_type="image/png")

    app.add_url_rule("/test-publisher/<name>.png", "test_publisher_picture", picture)
    return "/test-publisher"


@pytest.fixture
def site(database: Database, make_user: Any, images: str, live_server: str) -> dict[str, Any]:
    """A small newsroom: sections, sources, tagged articles with images, a video, a
    comment, a reader with a playlist and an admin."""
    rows = ArticleRows(database)
    world = rows.section("world", "World")
    rows.section("europe", "Europe", parent=world)
    science = rows.section("science", "Science", position=1)
    climate = rows.tag("climate", "Climate")
    source = rows.source("Daily Planet", url="http://127.0.0.1/feed.xml", section=world)
    lead = rows.article(
        "Glaciers retreat faster than forecast", source=source, section=science,
        tags=[climate], summary="Measurements from 200 glaciers.",
        content_html="<p>Scientists measured <strong>200 glaciers</strong>.</p>",
        image_url=f"{live_server}{images}/glacier.png", image_alt="A glacier")
    for number in range(6):
        rows.article(f"World story {number}", source=source, section=world, tags=[climate],
                     summary=f"What happened in story {number}.",
                     image_url=f"{live_server}{images}/world-{number}.png", image_alt="")
    rows.article("Launch of the week", source=source, section=science, is_video=True,
                 video_url="http://127.0.0.1/launch.mp4",
                 video_embed_url="https://www.youtube-nocookie.com/embed/abcdefghijk")
    reader = make_user("reader@example.test")
    admin = make_user("admin@example.test", is_admin=True)
    with session_scope(database) as session:
        comments.add(session, article_id=lead.id, user_id=reader.id,
                     body="Worrying numbers", body_html="<p>Worrying numbers</p>",
                     now=utcnow())
        saved = playlists.create(session, reader.id, "Saved")
        playlists.add_article(session, saved, lead.id)
    return {"lead": lead, "source": source, "reader": reader, "admin": admin}


def _signed_in(context: Any, app: Any, base_url: str, user: Any) -> None:
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True})
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                          "url": base_url}])


def _pages(site: dict[str, Any]) -> dict[str, list[str]]:
    lead = site["lead"]
    return {
        "visitor": ["/", "/section/world", "/section/science", "/tag/climate",
                    f"/source/{site['source'].id}", f"/article/{lead.id}-{lead.slug}",
                    "/video", "/search?q=glaciers", "/discussion", f"/discussion/{lead.id}",
                    "/login", "/register", "/password/forgot", "/consent", "/about",
                    "/contact"],
        "reader": [f"/article/{lead.id}-{lead.slug}", "/account", "/playlists"],
        "admin": ["/admin/", "/admin/sources", "/admin/sections", "/admin/users",
                  "/admin/comments", "/admin/consent"],
    }


def _visit(context: Any, url: str) -> list[str]:
    """Load `url`; what went wrong on the way, one line each."""
    problems: list[str] = []
    page = context.new_page()
    page.add_init_script(WATCH_CSP)
    page.on("console", lambda message: problems.append(f"console: {message.text}")
            if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    page.on("request", lambda request: problems.append(f"request to {request.url}")
            if urlsplit(request.url).hostname not in ("127.0.0.1", None)
            and not request.url.startswith(("data:", "blob:")) else None)
    response = page.goto(url, wait_until="networkidle")
    if response is None or response.status != 200:
        problems.append(f"status {response.status if response else 'none'}")
    problems += [f"CSP: {line}" for line in page.evaluate("window.__cspViolations")]
    page.close()
    return problems


@pytest.mark.parametrize("who", ["visitor", "reader", "admin"])
def test_every_page_loads_cleanly_under_the_content_security_policy(
        chromium, app, live_server, site, who: str) -> None:
    context = chromium.new_context()
    if who != "visitor":
        _signed_in(context, app, live_server, site[who])
    found = {path: problems for path in _pages(site)[who]
             if (problems := _visit(context, live_server + path))}
    context.close()
    assert found == {}


def _serious(page: Any) -> list[str]:
    results = Axe().run(page)
    assert results.response["passes"], "axe did not run"
    return [f"{violation['id']}: {[node['target'] for node in violation['nodes']]}"
            for violation in results.response["violations"]
            if violation["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("who", ["visitor", "reader", "admin"])
def test_every_page_has_no_serious_accessibility_violation(
        chromium, app, live_server, site, who: str) -> None:
    context = chromium.new_context(bypass_csp=True)   # axe injects its own script
    if who != "visitor":
        _signed_in(context, app, live_server, site[who])
    page = context.new_page()
    found = {}
    for path in _pages(site)[who]:
        page.goto(live_server + path)
        if violations := _serious(page):
            found[path] = violations
    context.close()
    assert found == {}
