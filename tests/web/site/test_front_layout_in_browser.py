"""The front page's geometry in a real browser (Debian's chromium): a lead story without
a picture is a few lines of text, and beside the top headlines it left most of the wide
column empty at desktop widths; a borrowed picture's credit sits under it on a phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from models.base import utcnow
from models.db import session_scope

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
