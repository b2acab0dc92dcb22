"""The magazine in a real browser (Debian's chromium through Playwright): clicking
through pages, counting, consent-gated embeds, the keyboard menu, an axe audit and
screenshots (saved to test-artifacts/)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from models.articles import Article
from models.base import utcnow
from models.db import session_scope
from web.site import counting

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"
SERIOUS = {"serious", "critical"}


def magazine(make, images: str) -> dict[str, Article]:  # type: ignore[no-untyped-def]
    """A small but realistic front page."""
    news = make.section("News", position=1)
    politics = make.section("Politics", parent=news)
    world = make.section("World", parent=news, position=1)
    geopolitics = make.section("Geopolitics", position=2)
    intel = make.section("Intel & Security", slug="intel-security", position=3)
    affairs = make.section("Foreign Affairs", slug="foreign-affairs", position=4)
    sources = [make.source(name) for name in ("The Daily Planet", "Global Wire", "Evening Post")]
    now = utcnow()
    titles = [
        ("Parliament passes the budget after an all-night session", politics),
        ("Talks resume as both sides signal room for compromise", world),
        ("How shipping lanes became the new front line", geopolitics),
        ("Agencies warn of a surge in coordinated phishing", intel),
        ("Envoys meet in Geneva to draft a ceasefire framework", affairs),
        ("Opposition leader calls for early elections", politics),
        ("Floods displace thousands along the river delta", world),
        ("Energy prices ease as new pipeline opens", geopolitics),
        ("Satellite images reveal expanded naval base", intel),
        ("Foreign ministers agree on a humanitarian corridor", affairs),
        ("Coalition partners clash over pension reform", politics),
        ("Election monitors report a calm polling day", world),
    ]
    made = {}
    for index, (title, section) in enumerate(titles * 2):
        made[title if index < len(titles) else f"{title} ({index})"] = make.article(
            sources[index % 3], section=section,
            title=title if index < len(titles) else f"{title}, day {index}",
            summary=("Lawmakers worked through the night before a narrow vote that sets "
                     "spending for the coming year and ends weeks of uncertainty."),
            content_html=("<p>Lawmakers worked through the night before a narrow vote.</p>"
                          "<p>The measure now goes to the upper house, where it is expected "
                          "to pass with amendments.</p>"),
            image_url=f"{images}/{index}.png" if index % 3 != 2 else None,
            image_alt=f"Illustration for story {index}",
            tags=["Budget", "Europe"] if index % 2 else ["Security"],
            published_at=now - timedelta(minutes=37 * index),
            updated_at=now - timedelta(minutes=37 * index - 20) if index == 0 else None,
            view_count=50 - index)
    return made


def external_requests(page) -> list[str]:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url)
            if urlsplit(request.url).hostname not in ("127.0.0.1", None) else None)
    return seen


def test_reader_clicks_through_section_pages_with_next_and_previous(
        browser_page, live_server, make) -> None:
    news = make.section("News")
    make.articles(45, make.source(), section=news)
    page = browser_page
    page.goto(f"{live_server}/section/news")
    page.get_by_role("link", name="Older articles").click()
    page.wait_for_url(f"{live_server}/section/news?page=2")
    assert page.locator(".card-title").count() == 20
    page.get_by_role("link", name="Older articles").click()
    page.wait_for_url(f"{live_server}/section/news?page=3")
    assert page.locator(".card-title").count() == 5
    assert page.get_by_role("link", name="Older articles").count() == 0
    page.get_by_role("link", name="Newer articles").click()
    page.wait_for_url(f"{live_server}/section/news?page=2")


def test_share_click_is_counted_and_leads_to_the_network(
        browser_page, live_server, make, database) -> None:
    article = make.article(make.source(), title="Share this story")
    page = browser_page
    # The network's page is answered inside the browser: the test never reaches the internet.
    page.route(re.compile(r"^https://t\.me/.*"),
               lambda route: route.fulfill(body="<title>Telegram</title>",
                                           content_type="text/html"))
    page.goto(f"{live_server}/article/{article.id}-share-this-story")
    page.get_by_role("link", name="Telegram (share this article)").click()
    page.wait_for_url(re.compile(r"^https://t\.me/share/url\?url="))
    with session_scope(database, write=False) as session:
        assert session.get(Article, article.id).share_count == 1


def test_a_reader_is_counted_once_however_often_they_reload(
        browser_page, live_server, make, database, redis_client) -> None:
    article = make.article(make.source(), title="Read twice")
    for _ in range(3):
        browser_page.goto(f"{live_server}/article/{article.id}-read-twice")
    counting.flush_views(redis_client, database, force=True)
    with session_scope(database, write=False) as session:
        assert session.get(Article, article.id).view_count == 1


def test_embeds_make_no_request_to_the_host_until_the_reader_asks(
        browser_page, live_server, make) -> None:
    make.article(make.source(), title="Embedded briefing", is_video=True,
                 video_embed_url="https://www.youtube-nocookie.com/embed/abc123")
    page = browser_page
    page.route(re.compile(r"^https://www\.youtube-nocookie\.com/.*"),
               lambda route: route.fulfill(body="<title>player</title>",
                                           content_type="text/html"))
    outside = external_requests(page)

    page.goto(f"{live_server}/video")
    page.wait_for_load_state("networkidle")
    assert outside == [], outside
    assert page.locator("iframe").count() == 0

    page.get_by_role("link", name=re.compile("Play video: Embedded briefing")).click()
    assert outside == [], outside                # Play shows the notice, not the player
    button = page.get_by_role("button", name=re.compile("Load video"))
    expect(button).to_be_focused()
    page.keyboard.press("Enter")                 # works by keyboard
    page.wait_for_selector("iframe[src^='https://www.youtube-nocookie.com/embed/abc123']")
    assert outside and all(url.startswith("https://www.youtube-nocookie.com/") for url in outside)


def test_video_list_shows_only_videos_and_a_broken_file_says_so_instead_of_spinning(
        browser_page, live_server, make) -> None:
    source = make.source()
    video_section = make.section("Video")       # an operator's section of text stories
    make.article(source, title="Text story filed under Video", section=video_section)
    make.article(source, title="Missing clip", is_video=True,
                 video_url=f"{live_server}/no-such-clip.mp4", url="http://127.0.0.1/original")
    page = browser_page

    page.goto(f"{live_server}/")
    page.locator(".sections-nav").get_by_role("link", name="Video").click()
    page.wait_for_url(f"{live_server}/video")
    assert "Text story filed under Video" not in page.inner_text("main")
    expect(page.locator(".video-poster-text")).to_have_text("Missing clip")

    page.get_by_role("link", name=re.compile("Play video: Missing clip")).click()
    notice = page.locator(".player-notice")
    expect(notice).to_contain_text("cannot be played here", timeout=10_000)
    assert notice.get_by_role("link").get_attribute("href") == "http://127.0.0.1/original"
    expect(page.locator("video.player")).to_be_hidden()      # no dead controls left


def test_a_plain_http_video_in_the_list_offers_its_source_on_play(
        browser_page, live_server, make) -> None:
    """The CSP plays media from this site or over https only: Play shows the way to the
    source, focused, not a player that cannot play."""
    make.article(make.source(), title="Harbour flyover", is_video=True,
                 video_url="http://127.0.0.2/flyover.mp4", url="http://127.0.0.2/flyover")
    page = browser_page
    page.goto(f"{live_server}/video")
    page.get_by_role("link", name=re.compile("Play video: Harbour flyover")).click()
    link = page.locator(".player-notice").get_by_role("link", name="Watch it at the source")
    expect(link).to_be_focused()
    assert link.get_attribute("href") == "http://127.0.0.2/flyover"
    assert page.locator("video").count() == 0


def test_a_recording_in_a_body_that_cannot_play_says_so_and_links_its_file(
        browser_page, live_server, make) -> None:
    """A podcast episode's plain-http file is refused by the CSP's media-src: pressing
    play leaves a notice and a link to the file, not dead controls."""
    source = make.source(rights="full")
    article = make.article(source, title="Harbour podcast, episode 4",
                           content_html="<p>This week: the harbour.</p><p><audio controls "
                                        'src="http://127.0.0.2/ep4.mp3"></audio></p>')
    page = browser_page
    page.goto(f"{live_server}/article/{article.id}")
    page.evaluate("document.querySelector('.article-body audio').play().catch(() => {})")
    notice = page.locator(".article-body .player-notice")
    expect(notice).to_contain_text("This recording cannot be played here", timeout=10_000)
    assert notice.get_by_role("link", name="Listen to it at the source").get_attribute(
        "href") == "http://127.0.0.2/ep4.mp3"
    expect(page.locator(".article-body audio")).to_be_hidden()


def test_news_menu_opens_and_closes_by_keyboard(browser_page, live_server, make) -> None:
    news = make.section("News", position=1)
    make.section("Politics", parent=news)
    make.section("World", parent=news, position=1)
    page = browser_page
    page.goto(f"{live_server}/about")
    summary = page.locator("summary", has_text="News")
    politics = page.get_by_role("link", name="Politics")
    assert not politics.is_visible()

    summary.focus()
    page.keyboard.press("Enter")
    assert politics.is_visible()
    page.keyboard.press("Tab")                   # "All News"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Politics"
    page.keyboard.press("Escape")
    assert not politics.is_visible()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Space")
    assert politics.is_visible()
    page.keyboard.press("Enter")                 # on the summary: closes again
    assert not politics.is_visible()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_home_section_and_article_have_no_serious_accessibility_violations(
        chromium, live_server, make, image_server, scheme) -> None:
    from axe_playwright_python.sync_playwright import Axe

    stories = magazine(make, image_server)
    lead = next(iter(stories.values()))
    context = chromium.new_context(color_scheme=scheme, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    axe = Axe()
    problems = {}
    for path in ("/", "/section/news", f"/article/{lead.id}-{lead.slug}", "/contact"):
        page.goto(live_server + path)
        violations = axe.run(page).response["violations"]
        problems[path] = [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
                          for v in violations if v["impact"] in SERIOUS]
    context.close()
    assert problems == {path: [] for path in problems}


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshots_of_home_and_article(chromium, live_server, make, image_server,
                                         width) -> None:
    """What the screenshots show is checked too: the page asked for, its headline, its
    images decoded, the colour scheme applied, nothing scrolling sideways, the menu open."""
    stories = magazine(make, image_server)
    lead = next(iter(stories.values()))
    ARTIFACTS.mkdir(exist_ok=True)
    backgrounds = {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 20, 20)"}   # site.css --bg
    for scheme in ("light", "dark"):
        context = chromium.new_context(viewport={"width": width, "height": 900},
                                       color_scheme=scheme, device_scale_factor=1)
        page = context.new_page()
        for name, path in (("home", "/"), ("article", f"/article/{lead.id}-{lead.slug}")):
            response = page.goto(live_server + path)
            assert response is not None and response.status == 200, (name, scheme)
            page.wait_for_load_state("networkidle")
            assert page.get_by_text(lead.title).first.is_visible(), (name, scheme)
            assert page.evaluate("getComputedStyle(document.body).backgroundColor") \
                == backgrounds[scheme], (name, scheme)
            assert page.evaluate("[...document.images].some("
                                 "i => i.complete && i.naturalWidth > 0)"), (name, scheme)
            no_sideways_scroll = page.evaluate(
                "document.documentElement.scrollWidth <= window.innerWidth")
            assert no_sideways_scroll, f"{name} scrolls sideways at {width}px"
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}.png"),
                            full_page=True)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}-{scheme}-top.png"))
        page.locator("summary", has_text="News").click()
        assert page.get_by_role("link", name="All News").is_visible(), scheme
        page.screenshot(path=str(ARTIFACTS / f"menu-{width}-{scheme}-top.png"))
        context.close()


def test_times_read_relative_with_the_exact_local_time_on_hover(
        chromium, live_server, make) -> None:
    from datetime import UTC

    published = (utcnow() - timedelta(hours=2, minutes=5)).replace(second=0, microsecond=0)
    article = make.article(make.source(), title="Two hours old", published_at=published)
    context = chromium.new_context(timezone_id="Asia/Tokyo", locale="en-GB")
    page = context.new_page()
    page.goto(f"{live_server}/article/{article.id}-two-hours-old")
    stamp = page.locator(".article-meta time").first
    expect(stamp).to_have_text("2 h ago")
    tokyo = published.astimezone(UTC) + timedelta(hours=9)   # Japan keeps no summer time
    assert tokyo.strftime("%H:%M") in stamp.get_attribute("title")
    context.close()
