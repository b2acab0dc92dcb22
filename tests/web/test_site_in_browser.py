"""The whole site in a real browser (Debian's chromium) with real rows: every page a
visitor, a reader and an admin can reach loads without a console error, without a
Content-Security-Policy violation, without a request to any host but 127.0.0.1, and
without a serious or critical axe-core accessibility violation, in light and dark.
On a 390 × 844 phone every listing shows its first headline on the first screen; the
home page never shows an article twice. Screenshots of every page at 390 and 1280 px
wide land in test-artifacts/screens/ for a person to look at."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from pathlib import Path
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

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screens"
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
FIRST_HEADLINE = ("main :is(.lead-title, .card-title, .headline-list li, .search-result h2)"
                  " a")

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
    # A busier front page, as with dozens of feeds: text-only stories, long headlines
    # and summaries, several publishers, older news.
    wire = rows.source("Evening Wire", url="http://127.0.0.1/wire.xml", section=world)
    for number in range(14):
        rows.article(
            f"Ministers agree a {number + 2}-point plan for the coast after a long night of"
            f" talks in the capital", source=wire if number % 2 else source,
            section=science if number % 3 == 0 else world, tags=[climate],
            summary="Coastal towns asked for help after the storms; the plan pays for "
                    "walls, pumps and new homes further inland, and starts next spring. " * 2,
            content_html="<p>" + "The plan was agreed after a long night. " * 60 + "</p>",
            age=timedelta(hours=8 + number))
    reader = make_user("reader@example.test")
    admin = make_user("admin@example.test", is_admin=True)
    with session_scope(database) as session:
        comments.add(session, article_id=lead.id, user_id=reader.id,
                     body="Worrying numbers", body_html="<p>Worrying numbers</p>",
                     now=utcnow())
        link = "https://example.org/" + "a-very-long-unbroken-path-" * 12   # must wrap
        comments.add(session, article_id=lead.id, user_id=admin.id, body=link,
                     body_html=f"<p><code>{link}</code> {link}</p>", now=utcnow())
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
    context = chromium.new_context(viewport=PHONE)
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


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("who", ["visitor", "reader", "admin"])
def test_every_page_has_no_serious_accessibility_violation(
        chromium, app, live_server, site, who: str, scheme: str) -> None:
    # axe injects its own script; contrast is checked in the reader's colour scheme.
    context = chromium.new_context(bypass_csp=True, color_scheme=scheme)
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


def _listings(site: dict[str, Any]) -> list[str]:
    return ["/", "/section/world", "/section/science", "/tag/climate",
            f"/source/{site['source'].id}", "/video", "/search?q=glaciers"]


def test_every_listing_shows_its_first_headline_on_a_phones_first_screen(
        chromium, live_server, site) -> None:
    context = chromium.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    found = {}
    for path in _listings(site):
        page.goto(live_server + path)
        # Measured once the pictures have arrived or failed (images.js swaps a dead one
        # for its "no picture" box): a box still moving is not what a reader sees.
        page.wait_for_load_state("networkidle")
        header = page.locator(".site-header").bounding_box()
        headline = page.locator(FIRST_HEADLINE).first
        box = headline.bounding_box()
        # Nothing (the consent banner, say) lies over it either.
        on_top = headline.evaluate(
            "(link) => { const r = link.getBoundingClientRect();"
            " const hit = document.elementFromPoint(r.left + 4, r.top + r.height / 2);"
            " return link.contains(hit); }")
        if header["height"] > 120 or box is None or box["y"] + box["height"] > PHONE["height"] \
                or not on_top:
            found[path] = {"header": header["height"], "headline": box, "uncovered": on_top}
        if page.evaluate("document.documentElement.scrollWidth") > PHONE["width"]:
            found[path + " (wider than the phone)"] = page.evaluate(
                "document.documentElement.scrollWidth")
    context.close()
    assert found == {}


def test_the_home_page_shows_no_article_twice(chromium, live_server, site) -> None:
    context = chromium.new_context(viewport=LAPTOP)
    page = context.new_page()
    page.goto(live_server + "/")
    ids = page.eval_on_selector_all(
        "main a[href^='/article/']",
        "(links) => links.map("
        "(link) => link.getAttribute('href').match(/^\\/article\\/(\\d+)/)[1])")
    context.close()
    assert len(ids) > 20
    assert sorted(ids) == sorted(set(ids))


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_screenshots_of_every_page_at_phone_and_laptop_width(
        chromium, app, live_server, site, scheme: str) -> None:
    """For a person to look at (test-artifacts/ is not committed); the test itself only
    asserts that every page rendered and that no layout is wider than its screen."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    lead = site["lead"]
    pages = [*_listings(site), f"/article/{lead.id}-{lead.slug}", "/about", "/contact",
             "/login", "/discussion"]
    too_wide = {}
    for viewport, who in itertools.product((PHONE, LAPTOP), ("visitor", "admin")):
        context = chromium.new_context(viewport=viewport, color_scheme=scheme)
        if who == "admin":      # an operator on a phone reads the admin's tables too
            _signed_in(context, app, live_server, site["admin"])
        page = context.new_page()
        for path in pages if who == "visitor" else _pages(site)["admin"]:
            page.goto(live_server + path, wait_until="networkidle")
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
            page.screenshot(path=ARTIFACTS / f"{name}-{viewport['width']}-{scheme}.png",
                            full_page=True)
            if (width := page.evaluate("document.documentElement.scrollWidth")) > \
                    viewport["width"]:
                too_wide[f"{path} at {viewport['width']}"] = width
        context.close()
    assert too_wide == {}


@pytest.mark.parametrize("width", [390, 320])
def test_feeds_long_words_never_widen_a_phone_page_nor_the_banner_hide_its_end(
        chromium, database, live_server, site, width: int) -> None:
    """Real feeds carry 40-letter compounds, hashtags and bare URLs in headlines and
    summaries: they wrap. On a phone a wider page would make the browser zoom out and put
    the fixed cookie banner off screen. And while the banner is up, the page's last
    links can still be scrolled clear of it."""
    rows = ArticleRows(database)
    word = "Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichen"
    url = "https://example.org/" + "path-without-any-break-" * 6
    long = rows.article(f"{word} #{word}", source=site["source"], summary=f"See {url} {word}",
                        content_html=f"<p>{url}</p>")
    rows.article("الأخبار اليوم: أمطار غزيرة في المدينة", source=site["source"],
                 summary="تقرير مفصل عن الطقس.")
    phone = {"width": width, "height": 700}
    context = chromium.new_context(viewport=phone, is_mobile=True, has_touch=True)
    page = context.new_page()
    too_wide, covered = {}, {}
    for path in ("/", f"/article/{long.id}-{long.slug}", "/section/world",
                 f"/source/{site['source'].id}", "/about"):
        page.goto(live_server + path)
        assert page.locator("[data-consent-banner]").is_visible(), path
        if (scroll_width := page.evaluate("document.documentElement.scrollWidth")) > width:
            too_wide[path] = scroll_width
        page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
        last = page.locator(".site-footer a").last
        if not last.evaluate(
                "(link) => { const r = link.getBoundingClientRect();"
                " const hit = document.elementFromPoint(r.left + 2, r.top + r.height / 2);"
                " return link.contains(hit); }"):
            covered[path] = last.inner_text()
    context.close()
    assert too_wide == {} and covered == {}
