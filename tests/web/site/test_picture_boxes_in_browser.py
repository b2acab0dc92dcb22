"""The room a publisher's picture takes on a page, in a real browser (Debian's chromium):
reserved before the picture arrives, so the text under it does not jump (CLS)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.pictures import HeldPictures, wait_for_paint

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


RATIO = "(image) => { const box = image.getBoundingClientRect(); return [box.width, box.height]; }"


def test_a_picture_of_unknown_height_keeps_the_box_it_was_given_when_it_arrives(
        make, live_server: str, chromium: Any, image_server: str) -> None:
    """A feed that gives only a picture's width (640) got a guessed height (450): a box of
    the wrong shape that jumped to the picture's own (3:2) when it came. The box is 16:9
    now, from the start, and the picture is drawn whole inside it."""
    source = make.source("Coast Wire")
    article = make.article(source, title="Harbour at dawn", image_url=f"{image_server}/dawn.png",
                           image_width=640, image_height=None, image_alt="The harbour")
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        held = HeldPictures(page)
        page.goto(f"{live_server}/article/{article.id}-{article.slug}",
                  wait_until="domcontentloaded")
        picture = page.locator(".article-figure img")
        waiting = picture.evaluate(RATIO)
        held.let_go()
        page.wait_for_function("() => document.querySelector('.article-figure img').complete")
        arrived = picture.evaluate(RATIO)
        assert picture.evaluate("(image) => image.naturalWidth") > 40     # it did arrive
        fit = picture.evaluate("(image) => getComputedStyle(image).objectFit")
    finally:
        context.close()

    assert waiting[0] > 300 and abs(waiting[0] / waiting[1] - 16 / 9) < 0.02
    assert arrived == waiting
    assert fit == "contain"


def test_a_picture_of_known_size_reserves_its_own_shape(client, make) -> None:
    source = make.source("Coast Wire")
    known = make.article(source, title="Known", image_url="http://127.0.0.1/known.png",
                         image_width=1200, image_height=800)
    half = make.article(source, title="Half known", image_url="http://127.0.0.1/half.png",
                        image_width=640, image_height=None)

    known_page = client.get(f"/article/{known.id}-{known.slug}").get_data(as_text=True)
    half_page = client.get(f"/article/{half.id}-{half.slug}").get_data(as_text=True)

    figure = known_page.split('class="article-figure"')[1].split("</figure>")[0]
    assert 'width="1200" height="800"' in figure and "data-unknown-ratio" not in figure
    figure = half_page.split('class="article-figure"')[1].split("</figure>")[0]
    assert "height=" not in figure and "data-unknown-ratio" in figure


def test_a_dead_picture_in_an_article_body_leaves_no_gap_in_the_text(
        make, live_server: str, chromium: Any, image_server: str,
        down_image_server: str) -> None:
    """The media proxy answers a picture it cannot get with a transparent 32 × 18 GIF. A
    lead picture that small is hidden; one in an article body was kept, as an invisible
    strip with margins: an empty gap between two paragraphs."""
    body = (f'<p>Before the pictures.</p><img src="{down_image_server}/gone.jpg" alt="Gone">'
            f'<p>Between them.</p><img src="{image_server}/here.png" alt="Here">'
            '<p>After them.</p>')
    article = make.article(make.source("Coast Wire"), title="Harbour", content_html=body)
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/article/{article.id}-{article.slug}")
        expect(page.locator(".article-body img[alt=Gone]")).to_have_attribute("data-broken", "")
        expect(page.get_by_role("img", name="Here")).to_be_visible()
        page.wait_for_function("() => [...document.images].every((image) => image.complete)")
        gone = page.locator(".article-body img[alt=Gone]").evaluate(
            "(image) => getComputedStyle(image).display")
        here = page.get_by_role("img", name="Here").bounding_box()
    finally:
        context.close()

    assert gone == "none"
    assert here["height"] > 100                     # a picture that came is shown, whole


BOX = ("(element) => { const box = element.getBoundingClientRect(); "
       "return [box.x, box.y, box.width, box.height]; }")


@pytest.mark.parametrize(("viewport", "scheme"), [(PHONE, "light"),
                                                  ({"width": 1280, "height": 800}, "dark")],
                         ids=["phone-light", "desktop-dark"])
@pytest.mark.parametrize(("page_of", "place"), [
    (lambda article: "/", ".lead-story"),
    (lambda article: f"/article/{article.id}-{article.slug}", ".article-figure"),
], ids=["front-lead", "article-lead"])
def test_a_picture_that_dies_on_screen_keeps_its_box_as_a_tile_naming_the_outlet(
        make, live_server: str, chromium: Any, down_image_server: str, page_of: Any,
        place: str, viewport: dict[str, int], scheme: str) -> None:
    """The media proxy's placeholder for a dead picture can come after the picture's box
    was painted: collapsing it would move what the reader reads. The box stays, as a
    tile with the outlet's name — no empty grey box with a "no picture" icon, no
    broken-image icon — readable in light and dark, and silent to screen readers (the
    byline names the outlet already)."""
    article = make.article(make.source("Coast Wire"), title="Harbour bridge reopens",
                           image_url=f"{down_image_server}/gone.jpg",
                           image_width=1200, image_height=800, image_alt="The bridge")
    context = chromium.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=True)
    try:
        page = context.new_page()
        held = HeldPictures(page)
        page.goto(live_server + page_of(article), wait_until="domcontentloaded")
        picture = page.locator(f"{place} img")
        wait_for_paint(page)
        waiting = picture.evaluate(BOX)
        held.let_go()
        tile = page.locator(f"{place} .picture-tile")
        expect(tile).to_be_visible()
        shown = tile.evaluate(BOX)
        hidden = picture.evaluate("(image) => getComputedStyle(image).display")
        said = page.locator(f"{place} .picture-tile-name").inner_text()
        silent = tile.get_attribute("aria-hidden")
        audit = Axe().run(page, context=place).response
    finally:
        context.close()

    assert waiting[3] > 100
    assert [round(value) for value in shown] == [round(value) for value in waiting]
    assert hidden == "none"                   # neither the placeholder nor a broken icon
    assert said == "Coast Wire"
    assert silent == "true"
    assert audit["violations"] == [], audit["violations"]
    assert "color-contrast" in [rule["id"] for rule in audit["passes"]]    # it did look


def test_a_video_poster_that_dies_on_screen_uncovers_the_title_frame_under_it(
        make, live_server: str, chromium: Any, down_image_server: str) -> None:
    """A poster lies over its video's title frame: it goes without moving anything, so the
    title shows instead of a tile covering it."""
    make.article(make.source("Coast Wire"), title="Launch of the week", is_video=True,
                 video_url="http://127.0.0.1/launch.mp4",
                 image_url=f"{down_image_server}/gone.jpg",
                 image_width=1280, image_height=720)
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        held = HeldPictures(page)
        page.goto(f"{live_server}/video", wait_until="domcontentloaded")
        wait_for_paint(page)
        held.let_go()
        poster = page.locator(".video-poster-picture")
        expect(poster).to_have_attribute("data-broken", "")
        expect(poster).to_be_hidden()
        expect(page.locator(".video-poster-text")).to_be_visible()
        tiles = page.locator(".picture-tile").count()
    finally:
        context.close()

    assert tiles == 0
