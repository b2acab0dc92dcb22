"""What a reader on a small phone sees (320 × 568, the iPhone SE class, and a Pixel 7 at
412 × 915): article tables and code keep their words whole and scroll in their own box,
the cookie banner leaves the first headline in view, the section menu shows that it
scrolls, and metadata, bylines and tap targets hold together."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from flask import Response
from PIL import Image
from playwright.sync_api import expect

from models.base import utcnow
from models.db import Database, session_scope
from models.stories import Story
from tests.article_rows import ArticleRows
from tests.pictures import png

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SMALL = {"width": 320, "height": 568}
PIXEL = {"width": 412, "height": 915}
PHONES = pytest.mark.parametrize("viewport", [SMALL, PIXEL], ids=["320", "pixel"])

FIGURES = ("<p>Table of figures</p><table><thead><tr><th>Year</th><th>Passengers</th>"
           "<th>Change</th><th>Revenue in euros</th><th>Comment</th></tr></thead><tbody>"
           "<tr><td>2024</td><td>1,234,567</td><td>+12%</td><td>98,765,432.10</td>"
           "<td>Busiest year since the bridge opened</td></tr></tbody></table>"
           "<pre><code>this_is_a_very_long_line_of_code = compute(the_first_argument,"
           " the_second_argument)</code></pre>")


@contextmanager
def phone_page(chromium: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """A touch phone's page at `viewport`, before any consent choice; its browser context
    is closed after the block, whatever the block raised."""
    context = chromium.new_context(viewport=viewport, is_mobile=True, has_touch=True)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture
def phone(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A touch phone's page at `request.param` (a viewport)."""
    with phone_page(chromium, request.param) as page:
        yield page


def broken_words(page: Any, selector: str) -> dict[str, int]:
    """Text → number of lines, for each element matching `selector` that holds one word
    (or number) and yet takes more than one line."""
    return page.eval_on_selector_all(selector, """(elements) => {
        const wrapped = {};
        for (const element of elements) {
            if (/\\s/.test(element.textContent.trim())) continue;
            const range = document.createRange();
            range.selectNodeContents(element);
            const tops = new Set([...range.getClientRects()]
                .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
            if (tops.size > 1) wrapped[element.textContent.trim()] = tops.size;
        }
        return wrapped;
    }""")


@pytest.mark.parametrize("phone", [SMALL, PIXEL], ids=["320", "pixel"], indirect=True)
def test_article_tables_and_code_keep_words_whole_and_scroll_in_their_own_box(
        database: Database, live_server: str, phone: Any) -> None:
    rows = ArticleRows(database)
    article = rows.article("Harbour bridge figures", content_html=FIGURES)
    phone.goto(f"{live_server}/article/{article.id}-{article.slug}")
    assert broken_words(phone, ".article-body :is(td, th)") == {}
    assert phone.evaluate("document.documentElement.scrollWidth") <= \
        phone.viewport_size["width"]
    for kind, label in (("table", "Table"), ("pre", "Code")):
        box = phone.locator(f".article-body .scroll-box:has(> {kind})")
        expect(box).to_have_attribute("role", "region")
        expect(box).to_have_attribute("aria-label", f"{label} (scrolls sideways)")
        assert box.evaluate("(box) => box.scrollWidth > box.clientWidth"), kind
        box.focus()          # by keyboard: Tab reaches it (tabindex=0), arrows scroll it
        expect(box).to_be_focused()
        box.press("ArrowRight")
        box.page.wait_for_function("(box) => box.scrollLeft > 0", arg=box.element_handle(),
                                   timeout=2000)


@pytest.fixture
def front_page(app: Any, database: Database, live_server: str) -> ArticleRows:
    """A front page whose lead story has a picture, as most do."""
    app.add_url_rule("/test-publisher/lead.png", "test_publisher_lead",
                     lambda: Response(png(640, 360, (70, 100, 140)), content_type="image/png"))
    rows = ArticleRows(database)
    world = rows.section("world", "World")
    rows.section("business", "Business & Economy News", position=1)
    rows.section("science", "Science & Technology", position=2)
    rows.section("culture", "Culture", position=3)
    source = rows.source("Metro Wire Service", section=world)
    for number in range(6):
        rows.article(f"Harbour bridge reopens after repairs, day {number}", source=source,
                     section=world, summary="Traffic flows again across the harbour.",
                     image_url=f"{live_server}/test-publisher/lead.png" if number == 0 else None,
                     image_alt="")
    return rows


FIRST_HEADLINE = "main :is(.lead-title, .card-title, .headline-list li) a"
# Whether the element's first line is what the reader sees there (nothing lies on it).
FIRST_LINE_UNCOVERED = """(element) => {
    const r = element.getClientRects()[0];
    const hit = document.elementFromPoint(r.left + Math.min(20, r.width / 2), r.top + r.height / 2);
    return element.contains(hit);
}"""


@PHONES
def test_the_cookie_banner_leaves_the_first_headline_in_view_on_a_phone(
        chromium: Any, front_page: ArticleRows, live_server: str, viewport: dict) -> None:
    with phone_page(chromium, viewport) as page:
        page.goto(live_server + "/")
        banner = page.locator("[data-consent-banner]")
        expect(banner).to_be_visible()
        height = banner.evaluate("(banner) => banner.getBoundingClientRect().height")
        assert height <= 0.35 * viewport["height"]
        headline = page.locator(FIRST_HEADLINE).first
        assert headline.evaluate(FIRST_LINE_UNCOVERED), "the banner hides the first headline"
        # Three equal choices (docs/cookies.md): each on one line, all the same height.
        buttons = banner.locator(".consent-button")
        boxes = [buttons.nth(index).bounding_box() for index in range(3)]
        assert {round(box["height"]) for box in boxes} == {round(boxes[0]["height"])}
        assert boxes[0]["height"] >= 44
        assert buttons.evaluate_all("(buttons) => buttons.map((b) => b.scrollWidth <= b.clientWidth"
                                    " && b.getClientRects().length === 1)") == [True] * 3


# Whether the whole first line of the element is in view, the banner off it.
WHOLE_FIRST_LINE_UNCOVERED = """(element) => {
    const r = element.getClientRects()[0];
    const right = Math.min(r.right, document.documentElement.clientWidth) - 2;
    return [r.left + 2, (r.left + right) / 2, right].every((x) => {
        const hit = document.elementFromPoint(x, r.top + r.height / 2);
        return element.contains(hit);
    });
}"""


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800},
                                      {"width": 1024, "height": 768}], ids=["1280", "1024"])
def test_the_cookie_banner_leaves_the_lead_headline_in_view_on_a_laptop(
        chromium: Any, front_page: ArticleRows, live_server: str, viewport: dict) -> None:
    """On a wide screen the lead picture pushes the lead headline low: the banner is one
    compact row there (text, then the three choices), not a card over the headline."""
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(live_server + "/")
        banner = page.locator("[data-consent-banner]")
        expect(banner).to_be_visible()
        assert banner.evaluate("(banner) => banner.getBoundingClientRect().height") \
            <= 0.2 * viewport["height"]
        headline = page.locator("main .lead-title a").first
        assert headline.evaluate(WHOLE_FIRST_LINE_UNCOVERED), "the banner hides the lead"
        line_bottom = headline.evaluate("(element) => element.getClientRects()[0].bottom")
        assert line_bottom <= banner.evaluate("(banner) => banner.getBoundingClientRect().top")
        buttons = banner.locator(".consent-button")
        boxes = [buttons.nth(index).bounding_box() for index in range(3)]
        assert {round(box["height"]) for box in boxes} == {round(boxes[0]["height"])}
        assert {round(box["width"]) for box in boxes} == {round(boxes[0]["width"])}
    finally:
        context.close()


def test_live_search_suggestions_open_above_the_cookie_banner(
        chromium: Any, front_page: ArticleRows, live_server: str) -> None:
    with phone_page(chromium, SMALL) as page:
        page.goto(live_server + "/")
        expect(page.locator("[data-consent-banner]")).to_be_visible()
        page.get_by_role("combobox", name="Search articles").fill("harb")
        options = page.locator("#search-box-listbox [role=option]")
        expect(options).to_have_count(6)
        covered = [options.nth(index).inner_text() for index in range(6)
                   if not options.nth(index).evaluate(FIRST_LINE_UNCOVERED)]
    assert covered == []


def test_the_cookie_banner_keeps_clear_of_the_iphone_home_bar(
        chromium: Any, live_server: str) -> None:
    """Chromium has no home bar (the inset is 0), so the rules themselves are read."""
    for viewport in (SMALL, {"width": 1280, "height": 800}):
        context = chromium.new_context(viewport=viewport)
        page = context.new_page()
        page.goto(live_server + "/")
        rules = page.evaluate("""() => [...document.styleSheets]
            .filter((sheet) => sheet.href && sheet.href.includes('consent'))
            .flatMap((sheet) => [...sheet.cssRules])
            .flatMap((rule) => !(rule instanceof CSSMediaRule) ? [rule]
                               : window.matchMedia(rule.conditionText).matches
                               ? [...rule.cssRules] : [])
            .filter((rule) => rule.selectorText === '.consent-banner')
            .map((rule) => rule.cssText)""")
        context.close()
        assert "safe-area-inset-bottom" in rules[-1], (viewport, rules)



def _edge_colours(page: Any, locator: Any, x: float) -> set[Any]:
    """The colours of a 2 px column at page x, over the element's height."""
    box = locator.bounding_box()
    shot = page.screenshot(clip={"x": x, "y": box["y"] + 2, "width": 2,
                                 "height": box["height"] - 6})
    picture = Image.open(io.BytesIO(shot)).convert("RGB")
    return {picture.getpixel((x, y)) for x in range(picture.width)
            for y in range(picture.height)}


@PHONES
def test_the_section_row_fades_at_its_edge_and_scrolls_its_last_label_clear(
        chromium: Any, front_page: ArticleRows, live_server: str, viewport: dict) -> None:
    for section in range(4):
        front_page.section(f"extra-{section}", f"Regional Affairs {section}", position=5)
    with phone_page(chromium, viewport) as page:
        page.goto(live_server + "/about")
        nav = page.locator(".sections-nav .nav")
        assert nav.evaluate("(nav) => nav.scrollWidth > nav.clientWidth")
        right = nav.evaluate("(nav) => nav.getBoundingClientRect().right")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        # At the row's edge no letter is drawn: whatever runs past it has faded out.
        assert len(_edge_colours(page, nav, right - 3)) == 1, background
        nav.evaluate("(nav) => { nav.scrollLeft = nav.scrollWidth; }")
        last = page.locator(".sections-nav .nav > li").last
        assert last.evaluate("(item) => item.getBoundingClientRect().right") <= right - 32


# Items of metadata lines that begin a line: each is whole, and none starts with the "·"
# (an item's box would then begin before its text).
METADATA_LINES = """() => {
    const problems = [];
    for (const line of document.querySelectorAll('.byline, .meta, .article-meta')) {
        const items = [...line.children];
        const start = Math.min(...items.map((item) => item.getBoundingClientRect().left));
        items.forEach((item, index) => {
            const range = document.createRange();
            range.selectNodeContents(item);
            const rects = [...range.getClientRects()].filter((rect) => rect.width > 0);
            const tops = new Set(rects.map((rect) => Math.round(rect.top)));
            if (!item.classList.contains('source') && tops.size > 1)
                problems.push('split: ' + item.textContent.trim());
            const box = item.getBoundingClientRect();
            if (index > 0 && Math.abs(box.left - start) < 1 && rects.length
                    && rects[0].left - box.left > 2)
                problems.push('starts with a separator: ' + item.textContent.trim());
        });
    }
    return problems;
}"""


def test_metadata_wraps_between_whole_items_never_before_a_separator(
        chromium: Any, front_page: ArticleRows, live_server: str) -> None:
    source = front_page.source("The Extremely Long Named Metropolitan Evening Wire Service")
    article = front_page.article("Council votes on the harbour budget", source=source,
                                 view_count=1, share_count=0,
                                 content_html="<p>" + "Words. " * 400 + "</p>")
    with phone_page(chromium, SMALL) as page:
        problems = []
        for path in ("/", f"/article/{article.id}-{article.slug}"):
            page.goto(live_server + path)
            problems += [f"{path}: {problem}" for problem in page.evaluate(METADATA_LINES)]
    assert problems == []


@PHONES
def test_bylines_in_top_headlines_use_the_same_face_as_every_other_byline(
        chromium: Any, front_page: ArticleRows, live_server: str, viewport: dict) -> None:
    with phone_page(chromium, viewport) as page:
        page.goto(live_server + "/")
        faces = page.eval_on_selector_all(
            "main .byline, main .meta", "(lines) => [...new Set(lines.map("
            "(line) => getComputedStyle(line).fontFamily))]")
    assert len(faces) == 1 and "system-ui" in faces[0]


def test_small_links_have_24px_tap_targets(chromium: Any, front_page: ArticleRows,
                                           live_server: str) -> None:
    sport = front_page.section("sport")
    article = front_page.article("Breadcrumbed story", section=sport)
    for number in range(4):     # a Sport block on the front page
        front_page.article(f"Late goal settles derby number {number}", section=sport,
                           age=timedelta(hours=30 + number))
    with phone_page(chromium, PIXEL) as page:
        heights = {}
        for path, selector in ((f"/article/{article.id}-{article.slug}", ".breadcrumbs a"),
                               ("/section/world", ".rss-link"),
                               ("/", ".consent-banner p a"),
                               (f"/story/{article.story_id}", ".coverage-line .original a"),
                               (f"/article/{article.id}-{article.slug}", ".comments-sign-in"),
                               ("/", ".section-block .block-title a")):
            page.goto(live_server + path)
            for link in page.locator(selector).all():
                heights[f"{path} {selector} {link.inner_text()}"] = link.bounding_box()["height"]
    assert any(name.endswith("Sign in to join the discussion") for name in heights)
    assert any(".section-block" in name for name in heights), heights
    assert heights and {name: h for name, h in heights.items() if h < 24} == {}


def signed_in(context: Any, app: Any, live_server: str, user: Any) -> None:
    """`context` carries `user`'s session cookie."""
    cookie = app.session_interface.get_signing_serializer(app).dumps(
        {"_user_id": user.get_id(), "_fresh": True})
    context.add_cookies([{"name": app.config["SESSION_COOKIE_NAME"], "value": cookie,
                          "url": live_server}])


def test_each_account_form_keeps_its_distance_from_the_next_heading(
        chromium: Any, live_server: str, app: Any, make_user: Any) -> None:
    reader = make_user("reader@example.test")
    context = chromium.new_context(viewport=SMALL, is_mobile=True, has_touch=True)
    signed_in(context, app, live_server, reader)
    page = context.new_page()
    page.goto(live_server + "/account")
    gaps = page.eval_on_selector_all(".account h2", """(headings) => headings.map((h) => {
        const before = h.previousElementSibling;
        return before ? h.getBoundingClientRect().top - before.getBoundingClientRect().bottom
                      : null; }).filter((gap) => gap !== null)""")
    context.close()
    assert gaps and min(gaps) >= 24, gaps


def test_the_cookie_settings_and_search_filters_fit_a_320px_screen(
        chromium: Any, database: Database, live_server: str) -> None:
    """Their buttons wrap and their selects stop at the screen's edge, however long an
    outlet's name: nothing makes the page scroll sideways."""
    rows = ArticleRows(database)
    source = rows.source("The Evening Standardised Bulletin of the Northern Territories")
    rows.article("Harbour bridge reopens after repairs", source=source)
    widths = {}
    with phone_page(chromium, SMALL) as page:
        for path in ("/consent", "/search?q=harbour"):
            page.goto(live_server + path)
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            widths[path] = page.evaluate("document.documentElement.scrollWidth")
    assert widths == {"/consent": SMALL["width"], "/search?q=harbour": SMALL["width"]}


def story_of(database: Database, articles: list[Any]) -> int:
    """The id of a story made of `articles` (as clustering would group them)."""
    with session_scope(database) as session:
        story = Story(title=articles[0].title, first_published_at=utcnow(),
                      last_published_at=utcnow(), article_count=len(articles),
                      source_count=len({article.source_id for article in articles}))
        session.add(story)
        session.flush()
        for article in articles:
            session.merge(article).story_id = story.id
        return story.id


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_full_coverage_page_has_no_serious_accessibility_violations(
        chromium: Any, database: Database, live_server: str, scheme: str) -> None:
    """Its "and X (same text)" note included: muted, yet readable (WCAG 1.4.3)."""
    from axe_playwright_python.sync_playwright import Axe

    rows = ArticleRows(database)
    title = "Harbour bridge reopens after repairs"
    story_id = story_of(database, [
        rows.article(title, source=rows.source("Metro Wire")),
        rows.article(title, source=rows.source("Coastal Herald")),
        rows.article("Bridge open again", source=rows.source("Daily Ledger"))])
    context = chromium.new_context(viewport=PIXEL, is_mobile=True, has_touch=True,
                                   color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/story/{story_id}")
        expect(page.locator(".copies")).to_contain_text("(same text)")
        violations = Axe().run(page).response["violations"]
    finally:
        context.close()
    assert [(v["id"], [node["target"] for node in v["nodes"]]) for v in violations
            if v["impact"] in {"serious", "critical"}] == []


@contextmanager
def large_text_page(chromium: Any, viewport: dict[str, int]) -> Iterator[Any]:
    """phone_page() with the browser's text size at 200 % (its default font 32 px, as a
    reader sets it in the browser's settings): rem, em and media queries all follow."""
    with phone_page(chromium, viewport) as page:
        devtools = page.context.new_cdp_session(page)
        devtools.send("Page.enable")
        devtools.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
        yield page


# What a reader with 200 % text would trip over: anything past the screen's right edge,
# the header's search field too narrow to show a word, the skip link peeking in.
LARGE_TEXT_PROBLEMS = """() => {
    const problems = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width)
        problems.push('scrolls sideways: ' + document.documentElement.scrollWidth);
    for (const element of document.querySelectorAll('body *')) {
        const box = element.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 1 && !element.closest('.nav')
                && ![...element.children].some((c) => c.getBoundingClientRect().right > width + 1))
            problems.push('past the edge: ' + element.textContent.trim().slice(0, 30));
    }
    const field = document.querySelector('.search-box-input').getBoundingClientRect();
    if (field.width < width / 2) problems.push('search field ' + Math.round(field.width) + ' px');
    if (document.querySelector('.skip-link').getBoundingClientRect().bottom > 0)
        problems.push('skip link shows');
    const letters = document.createRange();
    letters.selectNodeContents(document.querySelector('.site-name'));
    const name = letters.getBoundingClientRect();
    for (const link of document.querySelectorAll('.user-menu a')) {
        const box = link.getBoundingClientRect();
        if (box.left < name.right && box.right > name.left && box.top < name.bottom
                && box.bottom > name.top)
            problems.push('site name under ' + link.textContent.trim());
    }
    return problems;
}"""


def test_with_200_percent_text_a_320px_phone_still_fits_every_page(
        chromium: Any, front_page: ArticleRows, live_server: str) -> None:
    article = front_page.article("Council votes on the harbour budget",
                                 published_at=utcnow() - timedelta(hours=3),
                                 updated_at=utcnow() - timedelta(minutes=9), view_count=1200)
    for number in range(30):      # enough for an "Older →" page link below the front
        front_page.article(f"Council budget hearing, part {number}")
    problems = {}
    with large_text_page(chromium, SMALL) as page:
        for path in ("/", f"/article/{article.id}-{article.slug}", "/consent",
                     "/search?q=harbour"):
            page.goto(live_server + path)
            assert page.evaluate("getComputedStyle(document.body).fontSize") == "32px"
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            problems[path] = page.evaluate(LARGE_TEXT_PROBLEMS)
            top_row = Image.open(io.BytesIO(page.screenshot(
                clip={"x": 0, "y": 0, "width": SMALL["width"], "height": 1}))).convert("RGB")
            if len(top_row.getcolors(maxcolors=SMALL["width"])) > 1:   # the skip link's foot
                problems[path].append("something drawn on the top edge")
        assert problems == {path: [] for path in problems}
        # The cookie banner's three choices are all on the screen, stacked if need be.
        page.goto(live_server + "/")
        expect(page.locator(".pagination a[rel=next]")).to_be_visible()
        for button in page.locator("[data-consent-banner] .consent-button").all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL["width"]
            assert box["y"] >= 0 and box["y"] + box["height"] <= SMALL["height"]


@pytest.mark.parametrize("is_admin", [False, True], ids=["reader", "admin"])
def test_the_signed_in_header_keeps_the_site_name_clear_of_the_account_links(
        chromium: Any, live_server: str, app: Any, make_user: Any, is_admin: bool) -> None:
    """Account, Playlists, (Admin,) Sign out wrap onto two lines beside the name on a
    320 px phone instead of being drawn over it."""
    user = make_user("editor@example.test", is_admin=is_admin)
    with phone_page(chromium, SMALL) as page:
        signed_in(page.context, app, live_server, user)
        page.goto(live_server + "/about")
        expect(page.get_by_role("button", name="Sign out")).to_be_visible()
        overlaps = page.evaluate("""() => {
            const text = document.createRange();     // the letters, not the grid cell
            text.selectNodeContents(document.querySelector('.site-name'));
            const name = text.getBoundingClientRect();
            return [...document.querySelectorAll('.user-menu a, .user-menu button')]
                .filter((link) => { const box = link.getBoundingClientRect();
                    return box.left < name.right && box.right > name.left
                        && box.top < name.bottom && box.bottom > name.top; })
                .map((link) => link.textContent.trim()); }""")
        assert page.evaluate("document.documentElement.scrollWidth") == SMALL["width"]
    assert overlaps == []


@PHONES
def test_a_video_poster_s_title_stays_clear_of_its_play_button(
        chromium: Any, database: Database, live_server: str, viewport: dict) -> None:
    """A video without a picture shows its title on a dark frame; a long title never runs
    under the Play button."""
    rows = ArticleRows(database)
    rows.article("Magnitude 6.8 earthquake strikes off the northern coast as the tsunami "
                 "warning is lifted for every island", is_video=True,
                 video_embed_url="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    with phone_page(chromium, viewport) as page:
        page.goto(live_server + "/video")
        overlap = page.evaluate("""() => {
            const text = document.createRange();
            text.selectNodeContents(document.querySelector('.video-poster-text'));
            const title = [...text.getClientRects()].filter((r) => r.width > 0);
            const frame = document.querySelector('.video-frame').getBoundingClientRect();
            const play = document.querySelector('.video-play').getBoundingClientRect();
            return title.filter((r) => (r.bottom > play.top && r.top < play.bottom
                                        && r.right > play.left && r.left < play.right)
                                       || r.top < frame.top || r.bottom > frame.bottom).length;
        }""")
    assert overlap == 0


def test_a_right_to_left_video_title_keeps_its_direction_on_the_video_page(
        chromium: Any, database: Database, live_server: str) -> None:
    """Every headline on the site says dir="auto" but the video page's: an Arabic video's
    title, on its card and on its poster frame, was laid out left to right."""
    rows = ArticleRows(database)
    for title in ("Harbour bridge reopens: the first cars cross", "إعادة افتتاح جسر الميناء؟"):
        rows.article(title, is_video=True,
                     video_embed_url="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    with phone_page(chromium, SMALL) as page:
        page.goto(live_server + "/video")
        directions = page.eval_on_selector_all(
            ".video-card :is(.card-title, .video-poster-text > span)",
            "(titles) => titles.map((title) => getComputedStyle(title).direction)")
    assert sorted(directions) == ["ltr", "ltr", "rtl", "rtl"]


def test_also_covered_by_on_an_article_looks_like_the_coverage_on_cards(
        chromium: Any, database: Database, live_server: str) -> None:
    """No bullets, outlets in bold, as on the front page; a right-to-left headline keeps
    its own direction."""
    rows = ArticleRows(database)
    article = rows.article("Harbour bridge reopens", source=rows.source("Metro Wire"))
    story_of(database, [article,
                        rows.article("Bridge open again", source=rows.source("Daily Ledger")),
                        rows.article("إعادة افتتاح جسر الميناء", source=rows.source("Al Marsa"))])
    with phone_page(chromium, SMALL) as page:
        page.goto(f"{live_server}/article/{article.id}-{article.slug}")
        block = page.locator(".also-covered")
        expect(block.locator("li")).to_have_count(2)
        styles = block.evaluate("""(block) => [
            getComputedStyle(block.querySelector('ul')).listStyleType,
            getComputedStyle(block.querySelector('.source')).fontWeight]""")
        directions = block.locator("li a").evaluate_all(
            "(links) => links.map((link) => getComputedStyle(link).direction)")
    assert styles == ["none", "600"]
    assert sorted(directions) == ["ltr", "rtl"]


@contextmanager
def laptop_front_page_of_two_stories(chromium: Any, database: Database,
                                     live_server: str) -> Iterator[Any]:
    """The front page at 1280 px, of two stories (three outlets and two, each telling it in
    its own words); its browser context is closed after the block."""
    rows = ArticleRows(database)
    for headline, outlets in (("Harbour bridge reopens after repairs", ("A", "B", "C")),
                              ("Parliament passes emergency budget", ("D", "E"))):
        story_of(database, [rows.article(f"{headline}, as {name} tells it",
                                         source=rows.source(f"Outlet {name}"))
                            for name in outlets])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        yield page
    finally:
        context.close()


def test_a_storys_coverage_line_is_set_in_the_sans_face_in_every_column(
        chromium: Any, database: Database, live_server: str) -> None:
    """"N sources · Full coverage" is metadata: sans, like the bylines, in the lead and in
    Top headlines alike (the headline list's serif must not reach it)."""
    with laptop_front_page_of_two_stories(chromium, database, live_server) as page:
        expect(page.locator(".headline-list .story-meta").first).to_be_visible()
        faces = page.evaluate("""() => [...document.querySelectorAll('.story-meta')]
            .map((meta) => getComputedStyle(meta).fontFamily)""")
        byline = page.evaluate(
            "() => getComputedStyle(document.querySelector('.byline, .meta')).fontFamily")
    assert len(faces) >= 2 and set(faces) == {byline}


def test_other_outlets_under_a_top_headline_draw_no_rule_of_their_own(
        chromium: Any, database: Database, live_server: str) -> None:
    """The headline list's rule and padding between items reached the other outlets' lines
    nested in a story card: each drew a rule right above the item's own (a double line)."""
    with laptop_front_page_of_two_stories(chromium, database, live_server) as page:
        expect(page.locator(".front-headlines .story-outlets li").first).to_be_visible()
        lines = page.eval_on_selector_all(".front-headlines .story-outlets li", """(lines) =>
            lines.map((line) => [getComputedStyle(line).borderBottomWidth,
                                 getComputedStyle(line).paddingTop])""")
    assert lines and set(map(tuple, lines)) == {("0px", "0px")}


def test_form_checkboxes_are_big_enough_to_tap_and_the_terms_stand_apart(
        chromium: Any, live_server: str) -> None:
    """The native 13 px boxes of "Remember me" and "I agree" passed WCAG 2.5.8 only by
    the spacing exception; the terms line sat on the "I agree" row."""
    with phone_page(chromium, SMALL) as page:
        for path, name in (("/login", "remember"), ("/register", "accept_terms")):
            page.goto(live_server + path)
            box = page.locator(f"input[name={name}]").bounding_box()
            assert box["width"] >= 24 and box["height"] >= 24, (path, box)
        terms = page.locator("form > .form-hint").bounding_box()
        agree = page.locator(".form-check").filter(
            has=page.locator("input[name=accept_terms]")).bounding_box()
        assert agree["y"] - (terms["y"] + terms["height"]) >= 6


def test_the_cookie_settings_boxes_are_24px_tap_targets(chromium: Any, database: Database,
                                                        live_server: str) -> None:
    with phone_page(chromium, SMALL) as page:
        page.goto(live_server + "/consent")
        boxes = page.locator(".consent-category input[type=checkbox]").all()
        sizes = [(box.bounding_box()["width"], box.bounding_box()["height"]) for box in boxes]
        labels = [label.bounding_box()["height"]
                  for label in page.locator(".consent-category label").all()]
    assert len(sizes) == 4 and min(min(size) for size in sizes) >= 24, sizes
    assert min(labels) >= 44, labels


LANDSCAPE = pytest.mark.parametrize("viewport", [{"width": 568, "height": 320},
                                                 {"width": 740, "height": 360},
                                                 {"width": 844, "height": 390}],
                                    ids=["se", "740", "844"])


@LANDSCAPE
def test_the_cookie_banner_stays_short_on_a_phone_held_sideways(
        chromium: Any, front_page: ArticleRows, live_server: str, viewport: dict) -> None:
    """The portrait floor (12rem, for large text) covered more than half of a landscape
    screen: there the banner takes at most a third or so, its three choices in view."""
    with phone_page(chromium, viewport) as page:
        page.goto(live_server + "/")
        banner = page.locator("[data-consent-banner]")
        expect(banner).to_be_visible()
        box = banner.bounding_box()
        buttons = [button.bounding_box() for button in banner.locator(".consent-button").all()]
    assert box["height"] <= 0.4 * viewport["height"], box
    assert len(buttons) == 3
    for button in buttons:
        assert button["height"] >= 44 and button["y"] >= box["y"]
        assert button["y"] + button["height"] <= viewport["height"]


def test_a_long_playlist_name_does_not_widen_the_article_page(
        chromium: Any, app: Any, front_page: ArticleRows, live_server: str,
        make_user: Any) -> None:
    """A playlist's name may be 120 characters: the "Save to playlist" list made a 320 px
    phone's article page 1,039 px wide."""
    from models import playlists

    reader = make_user("reader@example.test")
    with session_scope(front_page.database) as session:
        playlists.create(session, reader.id, "Long reads for the weekend train ride home, "
                         "the ferry after it, and the slow bus up the hill to the cottage "
                         "by the sea")
    article = front_page.article("A story worth saving")
    context = chromium.new_context(viewport=SMALL, is_mobile=True, has_touch=True)
    try:
        signed_in(context, app, live_server, reader)
        page = context.new_page()
        page.goto(f"{live_server}/article/{article.id}-{article.slug}")
        expect(page.locator(".save-button select")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        save = page.locator(".save-button button").bounding_box()
    finally:
        context.close()
    assert width == SMALL["width"]
    assert save["x"] + save["width"] <= SMALL["width"]
