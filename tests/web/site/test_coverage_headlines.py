"""Lists that name each outlet beside its headline (a story card's other outlets, the
full-coverage page, an article's "Also covered by") do not repeat the outlet's name that
the headline already carries: "Pacific Chronicle: Pacific Chronicle: Harbour bridge…"
reads as a bug. Fed through `hopper ingest` from feeds on loopback."""

from __future__ import annotations

import re

import lxml.html
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.db import Database
from tests.sources import add_source
from tests.workers.ingest.stories.test_stories import feed

CHRONICLE = ("Pacific Chronicle: Harbour bridge reopens after two years of repairs",
             "The harbour bridge reopened to traffic on Tuesday after two years of "
             "repairs, the city's transport department said.")
WIRE = ("Harbour bridge reopens to traffic after two years of repairs - Coast Wire",
        "Traffic returned to the harbour bridge on Tuesday after two years of repairs, "
        "the transport department said.")
GAZETTE = ("Harbour bridge reopens after two-year repair works",
           "The city's harbour bridge reopened on Tuesday after two years of repair "
           "works, the transport department said.")


def ingest_three_outlets(runner, database: Database, httpserver: HTTPServer,
                         outlets: dict[str, tuple[str, str]] | None = None) -> dict[str, int]:
    outlets = outlets or {"Pacific Chronicle": CHRONICLE, "Coast Wire": WIRE,
                          "Bay Gazette": GAZETTE}
    for number, (name, (title, text)) in enumerate(outlets.items()):
        path = f"/{number}.xml"
        httpserver.expect_request(path).respond_with_data(
            feed((f"{number}-bridge", title, text), minutes_ago=30 + number))
        add_source(database, httpserver.url_for(path), name=name)
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output
    with database.reader() as session:
        rows = session.execute(select(Article.title, Article.id, Article.story_id)).all()
    assert len({story_id for _, _, story_id in rows}) == 1, rows
    return {title: article_id for title, article_id, _ in rows} | {"story": rows[0][2]}


def coverage_lines(client, path: str, xpath: str) -> list[str]:
    response = client.get(path, follow_redirects=True)
    assert response.status_code == 200
    page = lxml.html.fromstring(response.get_data(as_text=True))
    return [re.sub(r"\s+", " ", item.text_content()).strip() for item in page.xpath(xpath)]


def having(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def test_outlets_that_sign_their_headlines_are_named_once_in_coverage_lists(
        runner, client, database: Database, httpserver: HTTPServer) -> None:
    ids = ingest_three_outlets(runner, database, httpserver)

    story = coverage_lines(client, f"/story/{ids['story']}",
                           f"//li[{having('coverage-line')}]/*[{having('byline')} or self::h2]")
    also = coverage_lines(client, f"/article/{ids[GAZETTE[0]]}",
                          f"//*[{having('also-covered')}]//li")
    cards = coverage_lines(client, "/", f"//*[{having('story-outlets')}]/li")

    for lines in ([" ".join(story)], also, cards):
        assert lines and not any(line.lower().count("pacific chronicle") > 1 or
                                 line.lower().count("coast wire") > 1 for line in lines), lines
    assert "Pacific Chronicle: Harbour bridge reopens after two years of repairs" in also
    assert "Coast Wire: Harbour bridge reopens to traffic after two years of repairs" in also
    headlines = coverage_lines(client, f"/story/{ids['story']}",
                               f"//li[{having('coverage-line')}]//h2")
    assert "Harbour bridge reopens after two years of repairs" in headlines
    # The article's own page keeps the headline as its outlet wrote it.
    own = coverage_lines(client, f"/article/{ids[CHRONICLE[0]]}", "//h1")
    assert own == [CHRONICLE[0]]



def test_a_credit_that_is_part_of_the_outlets_name_is_not_read_twice(
        runner, client, database: Database, httpserver: HTTPServer) -> None:
    """A source named "Coast Wire - World" whose headlines close with "- Coast Wire":
    clustering knew the credit for the outlet's, pages did not and listed "Coast Wire -
    World: … - Coast Wire" (one rule for both now: hopper.text `without_outlet`)."""
    ids = ingest_three_outlets(runner, database, httpserver, {
        "Pacific Chronicle": CHRONICLE, "Coast Wire - World": WIRE, "Bay Gazette": GAZETTE})

    also = coverage_lines(client, f"/article/{ids[GAZETTE[0]]}",
                          f"//*[{having('also-covered')}]//li")

    assert "Coast Wire - World: Harbour bridge reopens to traffic after two years of " \
           "repairs" in also, also
