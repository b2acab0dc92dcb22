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
from web.site.reading import headline_beside_outlet

CHRONICLE = ("Pacific Chronicle: Harbour bridge reopens after two years of repairs",
             "The harbour bridge reopened to traffic on Tuesday after two years of "
             "repairs, the city's transport department said.")
WIRE = ("Harbour bridge reopens to traffic after two years of repairs - Coast Wire",
        "Traffic returned to the harbour bridge on Tuesday after two years of repairs, "
        "the transport department said.")
GAZETTE = ("Harbour bridge reopens after two-year repair works",
           "The city's harbour bridge reopened on Tuesday after two years of repair "
           "works, the transport department said.")


def ingest_three_outlets(runner, database: Database, httpserver: HTTPServer) -> dict[str, int]:
    outlets = {"Pacific Chronicle": CHRONICLE, "Coast Wire": WIRE, "Bay Gazette": GAZETTE}
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


def test_a_name_that_is_part_of_the_sentence_or_the_whole_headline_stays() -> None:
    assert headline_beside_outlet("Pacific Chronicle wins press award",
                                  "Pacific Chronicle") == "Pacific Chronicle wins press award"
    assert headline_beside_outlet("Reuters-backed study: coffee is fine",
                                  "Reuters") == "Reuters-backed study: coffee is fine"
    assert headline_beside_outlet("Pacific Chronicle:", "Pacific Chronicle") == "Pacific Chronicle:"
    assert headline_beside_outlet("PACIFIC-CHRONICLE | Bridge reopens",
                                  "Pacific Chronicle") == "Bridge reopens"
    assert headline_beside_outlet("Bridge reopens — The Pacific Chronicle",
                                  "the pacific chronicle") == "Bridge reopens"
    assert headline_beside_outlet("人民网：大桥重新通车", "人民网") == "大桥重新通车"
    assert headline_beside_outlet("Bridge reopens", None) == "Bridge reopens"
