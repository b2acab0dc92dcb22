"""The front page's geometry in a real browser (Debian's chromium): a lead story without
a picture is a few lines of text, and beside the top headlines it left most of the wide
column empty at desktop widths; a borrowed picture's credit sits under it on a phone."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from models.base import utcnow
from models.db import session_scope
from tests.pictures import HeldPictures, wait_for_paint

pytestmark = [pytest.mark.browser, pytest.mark.slow]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

BOXES = """() => {
    const box = (selector) => {
        const found = document.querySelector(selector);
        return found ? found.getBoundingClientRect().toJSON() : null;
    };
    const main = document.querySelector("main");
    const padding = parseFloat(getComputedStyle(main).paddingLeft);
    return {content_left: main.getBoundingClientRect().left + padding,
            content_right: main.getBoundingClientRect().right - padding,
            lead: box(".front-lead"), title: box(".lead-title"), headlines: box(".front-headlines"),
            picture: box(".front-lead img"), credit: box(".front-lead .picture-credit"),
            scroll_width: document.documentElement.scrollWidth, inner_width: innerWidth};
}"""


def front_page(make, *, lead_image: str | None) -> None:  # type: ignore[no-untyped-def]
    """Ten stories; the newest, the lead, covered by two outlets, with a picture only on
    the later outlet's article when `lead_image` is given (a borrowed, credited one)."""
    from models import stories as story_rows

    wire, gazette = make.source("Coast Wire"), make.source("The Harbour Gazette and Evening Post")
    now = utcnow()
    lead = make.article(wire, title="Parliament passes the harbour bridge budget after a "
                        "night of votes", summary="The vote came after midnight.",
                        published_at=now - timedelta(minutes=5))
    make.article(gazette, title="Bridge budget passes", story_id=lead.story_id,
                 image_url=lead_image, image_alt="Members of parliament vote",
                 published_at=now - timedelta(minutes=1))
    for number in range(9):
        make.article(wire, title=f"Headline {number} about a matter of public importance",
                     published_at=now - timedelta(minutes=10 + number))
    with session_scope(make.database) as session:
        story_rows.refresh_counts(session, [lead.story_id])


def covered_stories(make, count: int, *,  # type: ignore[no-untyped-def]
                    second_outlet: str = "Harbour Gazette",
                    picture_of: Callable[[int], str | None] = lambda number: None) -> None:
    """`count` stories, newest first, each told by Coast Wire and then by `second_outlet`,
    whose article has the picture `picture_of(its number)`."""
    from models import stories as story_rows

    wire, second = make.source("Coast Wire"), make.source(second_outlet)
    now = utcnow()
    stories = []
    for number in range(count):
        first = make.article(wire, title=f"Story {number}",
                             published_at=now - timedelta(minutes=number))
        make.article(second, title=f"Story {number}, the Gazette's account",
                     story_id=first.story_id, published_at=now - timedelta(minutes=number),
                     image_url=picture_of(number))
        stories.append(first.story_id)
    with session_scope(make.database) as session:
        story_rows.refresh_counts(session, stories)


def boxes(chromium: Any, live_server: str, viewport: dict[str, int]) -> dict[str, Any]:
    context = chromium.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(live_server + "/", wait_until="load")
        found: dict[str, Any] = page.evaluate(BOXES)
        return found
    finally:
        context.close()


def test_a_lead_without_a_picture_spans_the_front_and_the_headlines_follow_under_it(
        make, live_server: str, chromium: Any) -> None:
    front_page(make, lead_image=None)

    wide = boxes(chromium, live_server, DESKTOP)

    assert wide["picture"] is None
    assert abs(wide["title"]["left"] - wide["content_left"]) < 1
    # Under the lead, at once, across the page: no empty column beside or below it.
    assert 0 <= wide["headlines"]["top"] - wide["lead"]["bottom"] < 60
    assert abs(wide["headlines"]["left"] - wide["content_left"]) < 1
    assert abs(wide["headlines"]["right"] - wide["content_right"]) < 1
    phone = boxes(chromium, live_server, PHONE)
    assert phone["scroll_width"] <= phone["inner_width"]
    assert abs(phone["title"]["left"] - phone["content_left"]) < 1


def test_a_lead_with_a_borrowed_picture_stays_beside_the_headlines_credited_under_it(
        make, live_server: str, chromium: Any, image_server: str) -> None:
    front_page(make, lead_image=f"{image_server}/vote.png")

    wide = boxes(chromium, live_server, DESKTOP)

    assert wide["picture"]["width"] > 400
    assert wide["headlines"]["left"] > wide["lead"]["right"]        # beside, as before
    phone = boxes(chromium, live_server, PHONE)
    assert phone["scroll_width"] <= phone["inner_width"]
    for layout in (wide, phone):
        picture, credit = layout["picture"], layout["credit"]
        assert 0 <= credit["top"] - picture["bottom"] < 20
        assert credit["left"] == picture["left"] and credit["right"] <= picture["right"]


def test_a_borrowed_picture_that_dies_on_screen_is_not_credited_twice(
        make, live_server: str, chromium: Any, down_image_server: str) -> None:
    """A borrowed picture that dies after its box was painted stays as a tile naming its
    outlet (images.js); the "Picture: <outlet>" line under it named the outlet a second
    time, for a picture no longer there. The line is hidden and keeps its room, so the
    lead's text under it does not move."""
    front_page(make, lead_image=f"{down_image_server}/vote.jpg")
    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        held = HeldPictures(page)
        page.goto(live_server + "/", wait_until="domcontentloaded")
        credit = page.locator(".front-lead .picture-credit")
        expect(credit).to_be_visible()
        wait_for_paint(page)
        before = page.evaluate(BOXES)
        held.let_go()
        expect(page.locator(".front-lead .picture-tile")).to_be_visible()
        expect(credit).to_be_hidden()
        after = page.evaluate(BOXES)
        said = page.locator(".front-lead .picture-tile-name").inner_text()
    finally:
        context.close()

    assert said == "The Harbour Gazette and Evening Post"
    assert after["credit"] == before["credit"] and after["title"] == before["title"]


SECTION_BLOCK = """() => {
    const block = document.querySelector("#block-world").closest("section");
    const box = (element) => element.getBoundingClientRect().toJSON();
    const cards = [...block.querySelectorAll(".card")];
    return {first: box(cards[0]), picture: box(cards[0].querySelector("img")),
            headlines: cards.slice(1).map(box)};
}"""


def test_a_section_blocks_headlines_sit_together_beside_its_picture(
        make, live_server: str, chromium: Any, image_server: str) -> None:
    """Beside a large picture card the other headlines of a section block were rows of
    the same grid, spread over the picture's height with large gaps between them."""
    world = make.section("World")
    wire = make.source("Coast Wire")
    now = utcnow()
    for number in range(9):             # the lead and top headlines
        make.article(wire, title=f"Front page story {number}",
                     published_at=now - timedelta(minutes=number))
    make.article(wire, section=world, title="Talks resume on the harbour treaty",
                 summary="Delegations met again on Monday.", image_url=f"{image_server}/talks.png",
                 published_at=now - timedelta(hours=1))
    for number in range(3):
        make.article(wire, section=world, title=f"World headline {number}",
                     published_at=now - timedelta(hours=2, minutes=number))

    context = chromium.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.goto(live_server + "/", wait_until="load")
        block = page.evaluate(SECTION_BLOCK)
    finally:
        context.close()

    first, headlines = block["first"], block["headlines"]
    assert len(headlines) == 3 and block["picture"]["height"] > 250
    assert all(headline["left"] > first["right"] for headline in headlines)     # beside it
    assert abs(headlines[0]["top"] - first["top"]) < 2                        # from the top
    gaps = [below["top"] - above["bottom"]
            for above, below in itertools.pairwise(headlines)]
    assert all(0 <= gap < 2 for gap in gaps), gaps      # one list: no room between items
    assert headlines[-1]["bottom"] < first["bottom"]


def test_a_borrowed_pictures_credit_keeps_to_one_line_under_a_phone_thumbnail(
        make, live_server: str, chromium: Any, image_server: str) -> None:
    """Under a 7rem thumbnail "Picture: <a long outlet's name>" took three lines; it is cut
    with an ellipsis now, the whole name in its text and its title."""
    outlet = "The Harbour Gazette and Evening Post of the Northern Coast"
    # The lead and top headlines, then the river's first, the one with a picture.
    covered_stories(make, 10, second_outlet=outlet, picture_of=lambda number:
                    f"{image_server}/{number}.png" if number == 9 else None)

    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(live_server + "/", wait_until="load")
        credit = page.locator(".latest .picture-credit")
        lines = credit.evaluate("""(credit) => {
            const range = document.createRange();
            range.selectNodeContents(credit);
            return new Set([...range.getClientRects()].map((rect) => Math.round(rect.top))).size;
        }""")
        is_cut = credit.evaluate("(credit) => credit.scrollWidth > credit.clientWidth")
        text, title = credit.text_content(), credit.get_attribute("title")
        thumbnail = page.locator(".latest .card-figure img").bounding_box()
        credit_box = credit.bounding_box()
    finally:
        context.close()

    assert thumbnail["width"] < 150                   # a thumbnail, beside the headline
    assert lines == 1 and is_cut
    assert credit_box["width"] <= thumbnail["width"] + 1
    assert text == title == f"Picture: {outlet}"


def test_coverage_links_in_the_top_headlines_look_like_those_under_the_lead(
        make, live_server: str, chromium: Any) -> None:
    """"2 sources", "Full coverage" and the other outlets' headlines on a top headline's
    card were drawn in the headline's serif without an underline: links that read as
    plain text."""
    covered_stories(make, 4)

    context = chromium.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(live_server + "/", wait_until="load")
        looks = page.evaluate("""() => Object.fromEntries(["front-lead", "front-headlines"].map(
            (part) => [part, [...document.querySelectorAll(`.${part} .story-coverage a`)].map(
                (link) => { const style = getComputedStyle(link);
                            return [style.fontFamily, style.textDecorationLine]; })]))""")
    finally:
        context.close()

    lead_looks = looks["front-lead"]
    assert lead_looks and all(look[1] == "underline" for look in lead_looks)
    assert len(looks["front-headlines"]) == 3 * len(lead_looks)
    assert {tuple(look) for look in looks["front-headlines"]} == {tuple(lead_looks[0])}
