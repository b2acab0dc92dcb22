"""A story card whose lead article has no picture shows another member's, credited to
its outlet: real feeds often lead with a wire or a text-only outlet while the rest of the
coverage carries pictures, and a front page of bare headlines is what readers saw."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import lxml.html

from models.articles import Article
from models.base import utcnow
from models.db import session_scope


def story_with_borrowed_pictures(make, database) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A story led by a text-only wire article; three other outlets' members carry an old
    picture, a newer one (from a headline-only publisher) and a dead one (the newest)."""
    from models import stories as story_rows

    world = make.section("World", position=1)
    now = utcnow()
    wire = make.article(make.source("Coast Wire"), title="Harbour bridge reopens",
                        section=world, published_at=now - timedelta(minutes=30))
    make.article(make.source("Old Picture Post"), title="Bridge open again", section=world,
                 story_id=wire.story_id, image_url="http://127.0.0.1/old.jpg",
                 image_alt="The bridge last year", published_at=now - timedelta(minutes=20))
    gazette = make.source("Harbour Gazette", rights="headline")
    make.article(gazette, title="Cars cross the harbour bridge", section=world,
                 story_id=wire.story_id, image_url="http://127.0.0.1/cranes.jpg",
                 image_width=1600, image_alt="Cars on the bridge at dawn",
                 published_at=now - timedelta(minutes=10))
    make.article(make.source("Dead Link Daily"), title="Harbour bridge traffic returns",
                 section=world, story_id=wire.story_id, image_url="http://127.0.0.1/gone.jpg",
                 image_status="dead", published_at=now - timedelta(minutes=5))
    with session_scope(database) as session:
        story_rows.refresh_counts(session, [wire.story_id])
    return {"wire": wire, "section": world}


def pictures_in(html: str, xpath: str) -> list[dict[str, str]]:
    """Each <img> under `xpath`: its src, srcset and alt, and the credit of its figure."""
    found = []
    for image in lxml.html.fromstring(html).xpath(f"{xpath}//img"):
        figure = image.getparent()
        credit = figure.xpath("./figcaption") if figure.tag == "figure" else []
        found.append({"src": image.get("src"), "srcset": image.get("srcset") or "",
                      "alt": image.get("alt"),
                      "credit": re.sub(r"\s+", " ", credit[0].text_content()).strip()
                      if credit else ""})
    return found


def test_a_lead_without_a_picture_shows_the_newest_live_picture_of_its_story_credited(
        app, client, make, database) -> None:
    rows = story_with_borrowed_pictures(make, database)
    links = app.extensions["hopper_media_links"]
    borrowed = {"src": links.url("http://127.0.0.1/cranes.jpg", 640),
                "srcset": links.srcset_widths("http://127.0.0.1/cranes.jpg", 1600),
                "alt": "Cars on the bridge at dawn", "credit": "Picture: Harbour Gazette"}
    assert borrowed["src"].startswith("/media/") and borrowed["srcset"]

    home = client.get("/").get_data(as_text=True)
    section = client.get(f"/section/{rows['section'].slug}").get_data(as_text=True)

    lead = "//section[@aria-label='Lead story']"
    assert pictures_in(home, lead) == [borrowed]
    assert "Harbour bridge reopens" in lxml.html.fromstring(home).xpath(lead)[0].text_content()
    assert pictures_in(section, "//ul[@class='river']/li[1]") == [borrowed]
    for page in (home, section):
        assert "old.jpg" not in page and "Picture: Old Picture Post" not in page
        assert links.url("http://127.0.0.1/gone.jpg", 640) not in page


def test_a_lead_with_its_own_picture_keeps_it_uncredited(app, client, make, database) -> None:
    rows = story_with_borrowed_pictures(make, database)
    with session_scope(database) as session:
        session.get(Article, rows["wire"].id).image_url = "http://127.0.0.1/wire.jpg"

    home = client.get("/").get_data(as_text=True)

    own = app.extensions["hopper_media_links"].url("http://127.0.0.1/wire.jpg", 640)
    lead = pictures_in(home, "//section[@aria-label='Lead story']")
    assert [picture["src"] for picture in lead] == [own]
    assert "Picture:" not in home


def test_borrowed_pictures_cost_no_statement_per_story(make, settings, database,
                                                       statements) -> None:
    """The pictures come from the members the cards read anyway (their outlets joined):
    the home page and a section page run as many statements for six such stories as
    for one."""
    from web import create_app

    app = create_app({"TESTING": True, "PAGE_CACHE_ENABLED": False}, settings=settings)
    client = app.test_client()
    world = story_with_borrowed_pictures(make, database)["section"]
    bot = {"User-Agent": "statement-counter-bot"}    # no view counting in the way

    def counted() -> list[int]:
        executed = statements(app)
        counts = []
        for path in ("/", f"/section/{world.slug}"):
            executed.clear()
            page = client.get(path, headers=bot).get_data(as_text=True)
            assert 'Picture: <span class="source">Harbour Gazette</span>' in page
            counts.append(len(executed))
        return counts

    one = counted()
    now = utcnow()
    for number in range(5):
        lead = make.article(make.source(f"Text Wire {number}"), title=f"Event {number}",
                            section=world, published_at=now - timedelta(hours=2, minutes=number))
        make.article(make.source(f"Photo Desk {number}"), title=f"Event {number} pictured",
                     section=world, story_id=lead.story_id,
                     image_url=f"http://127.0.0.1/event{number}.jpg",
                     published_at=now - timedelta(hours=1, minutes=number))
    assert counted() == one
    app.extensions["hopper_database"].dispose()
