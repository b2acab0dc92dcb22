"""Credits: an aggregator's item credits its outlet in the byline, not twice in the title."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workers.ingest.cleaning.credits import credited, without_outlet
from workers.ingest.parsing.fastxml import read_xml
from workers.ingest.parsing.lenient import read_leniently
from workers.ingest.steps.clean import clean_entries

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("title", "outlet", "headline"), [
    ("Harbour bridge reopens - The Guardian", "The Guardian", "Harbour bridge reopens"),
    ("Harbour bridge reopens – the guardian", "The Guardian", "Harbour bridge reopens"),
    ("Harbour bridge reopens | Le Monde.fr", "Le Monde.fr", "Harbour bridge reopens"),
    ("Rates - a primer - Reuters", "Reuters", "Rates - a primer"),
    # Only the outlet the item credits, only at the end, never the whole headline.
    ("Markets steady - Analysis", "Reuters", "Markets steady - Analysis"),
    ("Reuters - Markets steady", "Reuters", "Reuters - Markets steady"),
    ("Straße - Süddeutsche", "SÜDDEUTSCHE", "Straße"),
    (" - The Guardian", "The Guardian", " - The Guardian"),
    ("Harbour bridge reopens - The Guardian", None, "Harbour bridge reopens - The Guardian"),
])
def test_a_headline_loses_the_outlet_it_repeats_at_its_end(title: str, outlet: str | None,
                                                          headline: str) -> None:
    assert without_outlet(title, outlet) == headline


@pytest.mark.parametrize(("author", "outlet", "byline"), [
    (None, "The Guardian", "The Guardian"),
    ("Jane Doe", "The Guardian", "Jane Doe (The Guardian)"),
    ("Jane Doe, The Guardian", "The Guardian", "Jane Doe, The Guardian"),
    ("Jane Doe", None, "Jane Doe"),
    (None, None, None),
])
def test_the_byline_credits_the_outlet(author: str | None, outlet: str | None,
                                       byline: str | None) -> None:
    assert credited(author, outlet) == byline


@pytest.mark.parametrize("breakage", ["", "<br>"])
def test_an_rss_source_is_credited_on_both_paths(breakage: str) -> None:
    document = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
                f"<title>Aggregated</title>{breakage}<item><guid>1</guid>"
                "<title>Tide tables - Harbour &amp;amp; Coast</title>"
                "<link>https://agg.example/r/1</link><dc:creator>Sam Reed</dc:creator>"
                "<source url='https://coast.example/feed'> Harbour &amp;amp; Coast "
                "</source></item></channel></rss>")
    paths = [read_leniently(document, "https://agg.example/feed")[0]]
    if not breakage:
        paths.append(read_xml(document, "https://agg.example/feed"))
    for feed in paths:
        [article] = clean_entries(feed, base_url="https://agg.example/feed", now=NOW)
        assert (article.title, article.author, article.url) == (
            "Tide tables", "Sam Reed (Harbour & Coast)", "https://agg.example/r/1")


def test_an_atom_entrys_source_is_the_feed_it_was_copied_from_and_credits_it() -> None:
    document = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Planet</title><br>"
                "<entry><id>1</id><title>Tide tables - Coast blog</title>"
                "<link href='https://coast.example/1'/><source><title>Coast blog</title>"
                "</source></entry></feed>")
    feed, _ = read_leniently(document, "https://planet.example/atom")
    [article] = clean_entries(feed, base_url="https://planet.example/atom", now=NOW)
    assert (article.title, article.author) == ("Tide tables", "Coast blog")


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize("document", [
    # A CMS that writes its own channel into every item's <source>.
    "<rss version='2.0'><channel><title>Tidewater  News</title>{breakage}<item><guid>1</guid>"
    "<title>Tide tables - Tidewater News</title><link>https://tide.example/1</link>"
    "<author>Jane Doe</author><source url='https://tide.example/feed'>tidewater news"
    "</source></item></channel></rss>",
    # A planet's own post names the planet.
    "<feed xmlns='http://www.w3.org/2005/Atom'><title>Tidewater News</title>{breakage}"
    "<entry><id>1</id><title>Tide tables - Tidewater News</title>"
    "<link href='https://tide.example/1'/><author><name>Jane Doe</name></author>"
    "<source><title>Tidewater News</title></source></entry></feed>",
])
def test_an_entry_naming_its_own_feed_as_its_outlet_credits_nobody_else(
        breakage: str, document: str) -> None:
    document = document.format(breakage=breakage)
    feeds = [read_leniently(document, "https://tide.example/feed")[0]]
    if not breakage:
        feeds.append(read_xml(document, "https://tide.example/feed"))
    for feed in feeds:
        [article] = clean_entries(feed, base_url="https://tide.example/feed", now=NOW)
        assert (article.title, article.author) == ("Tide tables - Tidewater News", "Jane Doe")
