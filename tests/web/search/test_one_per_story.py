"""The search page lists events, as live search does: one result per story (its best
ranked copy) with "+N more outlets" linking to the full coverage, pages and the count
made of stories. The JSON API still lists every matching article. Fed through `hopper
ingest` from feeds on loopback."""

from __future__ import annotations

import re
from datetime import timedelta
from email.utils import format_datetime
from html import escape

from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.base import utcnow
from models.db import Database
from tests.sources import add_source

BRIDGE = {
    "Pacific Chronicle": ("Harbour bridge reopens after two years of repairs",
                          "The harbour bridge reopened to traffic on Tuesday after two "
                          "years of repairs, the city's transport department said."),
    "Coast Wire": ("Harbour bridge reopens to traffic after two years of repairs",
                   "Traffic returned to the harbour bridge on Tuesday after two years of "
                   "repairs, the transport department said."),
    "Bay Gazette": ("Harbour bridge reopens after two-year repair works",
                    "The city's harbour bridge reopened on Tuesday after two years of "
                    "repair works, the transport department said."),
}
# Twelve other events, each told once, all about the harbour.
OTHERS = ["Harbour festival draws record crowds", "Harbour pilots strike over pay",
          "Rare whale spotted in the harbour", "Harbour ferry timetable cut in winter",
          "Harbour museum buys a Viking ship", "Oil spill closes harbour beaches",
          "Harbour swim race cancelled by storm", "New harbour lighthouse lit tonight",
          "Harbour fish market wins award", "Cruise ships banned from the old harbour",
          "Harbour tunnel tolls to rise in May", "Harbour seals return after decades"]


def rss(items: list[tuple[str, str, str]], minutes: int) -> str:
    date = format_datetime(utcnow() - timedelta(minutes=minutes), usegmt=True)
    body = "".join(f"<item><guid>{guid}</guid><title>{escape(title)}</title>"
                   f"<link>http://127.0.0.1/{guid}</link><description>{escape(text)}"
                   f"</description><pubDate>{date}</pubDate></item>"
                   for guid, title, text in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>'
            f"<link>http://127.0.0.1/</link>{body}</channel></rss>")


def ingest(runner, database: Database, httpserver: HTTPServer) -> None:
    feeds = {name: [(f"b{number}", title, text)]
             for number, (name, (title, text)) in enumerate(BRIDGE.items())}
    feeds["Harbour Times"] = [(f"o{number}", title, title)
                              for number, title in enumerate(OTHERS)]
    for number, (name, items) in enumerate(feeds.items()):
        httpserver.expect_request(f"/{number}.xml").respond_with_data(rss(items, 30 + number))
        add_source(database, httpserver.url_for(f"/{number}.xml"), name=name)
    result = runner.invoke(args=["ingest", "--all"])
    assert result.exit_code == 0, result.output


def results(client, page: int) -> tuple[str, list[str]]:
    html = client.get(f"/search?q=harbour&page={page}").get_data(as_text=True)
    titles = re.findall(r'<li class="search-result">\s*<h2 dir="auto"><a href="[^"]*">(.*?)</a>',
                        html, flags=re.DOTALL)
    return html, [re.sub(r"<[^>]+>", "", title) for title in titles]


def test_the_search_page_shows_one_result_per_story_with_its_other_outlets(
        runner, client, database: Database, httpserver: HTTPServer) -> None:
    ingest(runner, database, httpserver)
    with database.reader() as session:
        stories = dict(session.execute(select(Article.title, Article.story_id)).all())
    bridge_story = {stories[title] for title, _ in BRIDGE.values()}
    assert len(bridge_story) == 1                      # the three copies are one story
    events = len(set(stories.values()))
    assert events == 1 + len(OTHERS)

    first, first_titles = results(client, 1)
    second, second_titles = results(client, 2)

    listed = first_titles + second_titles
    assert len(first_titles) == 10 and len(listed) == events
    assert len({stories[title] for title in listed}) == events      # each event once
    assert f"{events} results, page 1 of 2" in first
    bridge_title = next(title for title in listed if "bridge" in title)
    page_of_bridge = first if bridge_title in first_titles else second
    assert (f'href="/story/{bridge_story.pop()}">+2 more outlets</a>') in page_of_bridge
    assert (first + second).count("more outlet") == 1   # events told once say nothing

    # The JSON API's search is unchanged: every matching article.
    api = client.get("/api/v1/articles?q=harbour&per_page=50").get_json()
    assert api["total"] == len(stories) and len(api["items"]) == len(stories)
    assert set(api) == {"items", "page", "per_page", "total"}
