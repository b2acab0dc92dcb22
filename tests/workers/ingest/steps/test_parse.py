"""parse_feed: every format, every charset mistake, hostile documents, both XML paths."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.workers.ingest.golden import FEEDS, GoldenFeed, article_facts, golden_feeds
from workers.ingest.errors import IngestError, ParseError
from workers.ingest.parsing.charset import decode_document
from workers.ingest.parsing.fastxml import NotForFastPath, read_xml
from workers.ingest.parsing.lenient import NotAFeed, read_leniently
from workers.ingest.parsing.references import repair_references
from workers.ingest.records import CleanArticle
from workers.ingest.steps.clean import clean_entries
from workers.ingest.steps.parse import _XML_DECLARATION, parse_feed, read_well_formed

GOLDEN = golden_feeds()
REPO = Path(__file__).resolve().parents[4]


NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def _ids(feeds: list[GoldenFeed]) -> list[str]:
    return [feed.name for feed in feeds]


@pytest.mark.parametrize("golden", GOLDEN, ids=_ids(GOLDEN))
def test_golden_feed_gives_the_expected_articles(golden: GoldenFeed) -> None:
    expected = golden.expected
    if "error" in expected:
        with pytest.raises(ParseError, match=f"^{expected['error']}"):
            parse_feed(golden.content, golden.headers, golden.url)
        return
    feed = parse_feed(golden.content, golden.headers, golden.url)
    assert feed.title == expected["feed"]["title"]
    assert feed.site_url == expected["feed"]["site_url"]
    assert feed.format == expected["feed"]["format"]
    assert [w[:30] for w in feed.warnings] == expected["feed"]["warnings"]
    articles = clean_entries(feed, base_url=golden.url, now=golden.now)
    assert len(articles) == len(expected["articles"])
    for article, wanted in zip(articles, expected["articles"], strict=True):
        prefix = wanted.pop("summary_prefix")
        assert article_facts(article) == wanted
        assert article.summary.startswith(prefix)


# -- the fast path and feedparser agree ------------------------------------------------------

WELL_FORMED = [g for g in GOLDEN if g.is_xml and "error" not in g.expected
               and g.name != "malformed"]
# The only documented differences between the paths: none. Every CleanArticle field,
# including the sanitised HTML and the content hash, must be equal.


def _golden_feeds_on_both_paths(golden: GoldenFeed):
    """The feeds the fast path and feedparser read of a golden file, and feedparser's
    warning."""
    text = decode_document(golden.content, golden.headers).text
    body = _XML_DECLARATION.sub("", text, count=1)
    fast, _ = read_well_formed(body, golden.url)
    lenient, warning = read_leniently(body, golden.url)
    return fast, lenient, warning


@pytest.mark.parametrize("golden", WELL_FORMED, ids=_ids(WELL_FORMED))
def test_fast_path_and_feedparser_give_the_same_articles(golden: GoldenFeed) -> None:
    fast, lenient, warning = _golden_feeds_on_both_paths(golden)
    # feedparser calls HTML entities malformed XML; the fast path reads them anyway.
    assert (warning is None) == (golden.name != "html-entities")
    assert (fast.title, fast.site_url) == (lenient.title, lenient.site_url)
    assert fast.format.rstrip("0123456789") == lenient.format.rstrip("0123456789")
    fast_articles = clean_entries(fast, base_url=golden.url, now=golden.now)
    lenient_articles = clean_entries(lenient, base_url=golden.url, now=golden.now)
    assert len(fast_articles) == len(lenient_articles) > 0
    for from_fast, from_feedparser in zip(fast_articles, lenient_articles, strict=True):
        for field in dataclasses.fields(from_fast):
            assert getattr(from_fast, field.name) == getattr(from_feedparser, field.name), (
                f"{golden.name}: {field.name} differs")


def both_paths(document: str, url: str) -> tuple[list[CleanArticle], list[CleanArticle]]:
    """The articles the fast path and feedparser each make of a well-formed `document`
    (the fast path's first), cleaned alike; neither path finds anything to warn about."""
    fast, fast_warning = read_well_formed(document, url)
    lenient, lenient_warning = read_leniently(document, url)
    assert (fast_warning, lenient_warning) == (None, None)
    return (clean_entries(fast, base_url=url, now=NOW),
            clean_entries(lenient, base_url=url, now=NOW))


def every_path(document: str, url: str, *, broken: bool) -> list[CleanArticle]:
    """The one article each path that can read `document` makes of it, cleaned: feedparser
    always, the fast path too when the document is well formed (`broken` is False)."""
    feeds = [read_leniently(document, url)[0]]
    if not broken:
        feeds.append(read_xml(document, url))
    found = []
    for feed in feeds:
        [article] = clean_entries(feed, base_url=url, now=NOW)
        found.append(article)
    return found


YOUTUBE_DESCRIPTION = ("I &lt;3 this. Use x&lt;y and &lt;template&gt; tags, &lt;b&gt;x&lt;/b&gt;."
                       "\nTimestamps:\n0:00 Intro\n\n1:23 Part one")


@pytest.mark.parametrize("document", [
    "<feed xmlns='http://www.w3.org/2005/Atom' xmlns:media='http://search.yahoo.com/mrss/'>"
    "<title>Y</title><entry><id>yt:video:1</id><title>V</title>"
    "<link href='https://www.youtube.com/watch?v=dQw4w9WgXcQ'/>"
    "<updated>2026-11-20T10:00:00Z</updated><media:group><media:title>V</media:title>"
    f"<media:description>{YOUTUBE_DESCRIPTION}</media:description></media:group></entry></feed>",
    "<rss version='2.0' xmlns:m='http://search.yahoo.com/mrss'><channel><title>R</title><item>"
    "<guid>v1</guid><title>V</title><m:content url='https://v.example/v.mp4'>"
    f"<m:description >{YOUTUBE_DESCRIPTION}</m:description></m:content></item></channel></rss>",
])
def test_a_media_description_is_plain_text_on_both_paths(document: str) -> None:
    expected = ("<p>I &lt;3 this. Use x&lt;y and &lt;template&gt; tags, &lt;b&gt;x&lt;/b&gt;."
                "<br>Timestamps:<br>0:00 Intro</p><p>1:23 Part one</p>")
    for [article] in both_paths(document, "https://v.example/feed"):
        assert article.content_html == expected
        assert article.summary.startswith("I <3 this. Use x<y and <template> tags, <b>x</b>.")


def test_a_media_description_of_type_html_is_html_on_both_paths() -> None:
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                "<title>R</title><item><guid>v1</guid><title>V</title><media:description "
                "type='html'>&lt;p&gt;A &lt;b&gt;bold&lt;/b&gt; claim&lt;/p&gt;"
                "</media:description></item></channel></rss>")
    for [article] in both_paths(document, "https://v.example/feed"):
        assert article.content_html == "<p>A <b>bold</b> claim</p>"


def test_an_attachments_alt_text_does_not_replace_the_items_description_on_either_path(
) -> None:
    # Mastodon's RSS: a post has no title, its text is the description, and each
    # attachment is a media:content whose media:description is the picture's alt text.
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                "<title>Alice</title><item><guid>https://m.example/@alice/1</guid>"
                "<description>&lt;p&gt;Hello fediverse, a post without a title&lt;/p&gt;"
                "</description><media:content url='https://m.example/pic.png' "
                "type='image/png' medium='image'><media:description type='plain'>A cat on "
                "a sofa</media:description></media:content></item></channel></rss>")
    for [article] in both_paths(document, "https://m.example/@alice.rss"):
        assert article.content_html == "<p>Hello fediverse, a post without a title</p>"
        assert article.title == "Hello fediverse, a post without a title"


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize(("description", "alt"), [
    ('<media:description type="plain">Boats &amp; a "gull" &lt;3</media:description>',
     'Boats & a "gull" <3'),
    ("<media:description><![CDATA[Boats & a \"gull\" <3]]></media:description>",
     'Boats & a "gull" <3'),
    ('<media:description type="html">&lt;p&gt;Boats &amp;amp; &lt;b&gt;gulls&lt;/b&gt;&lt;/p&gt;'
     "</media:description>", "Boats & gulls"),
    ('<media:rating scheme="urn:simple">nonadult</media:rating>', None),
])
def test_an_attachments_description_is_its_pictures_alt_text_on_both_paths(
        breakage: str, description: str, alt: str | None) -> None:
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                f"<title>Alice</title>{breakage}<item><guid>https://m.example/@alice/1</guid>"
                "<description>&lt;p&gt;At the harbour&lt;/p&gt;</description>"
                "<media:content url='https://m.example/pic.png' type='image/png' "
                f"medium='image'>{description}</media:content></item></channel></rss>")
    for article in every_path(document, "https://m.example/@alice.rss", broken=bool(breakage)):
        assert (article.image_url, article.image_alt) == ("https://m.example/pic.png", alt)


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize(("texts", "alt", "caption"), [
    # A title beside the description: the title is the alt text, the description the
    # caption, the credit after it.
    ("<media:title>Boats &amp; gulls</media:title><media:description>The harbour at "
     "dawn</media:description><media:credit role='photographer'>Ana Lopes</media:credit>",
     "Boats & gulls", "The harbour at dawn. Photo: Ana Lopes"),
    ("<media:title type='html'>&lt;b&gt;Fishing&lt;/b&gt; boats</media:title>"
     "<media:description><![CDATA[Gulls & \"kites\" <3.]]></media:description>",
     "Fishing boats", 'Gulls & "kites" <3.'),
    # A credit that says what it credits is not credited twice.
    ("<media:description>A cat on a sofa</media:description>"
     "<media:credit>Photograph: Ana Lopes/Reuters</media:credit>",
     "A cat on a sofa", "Photograph: Ana Lopes/Reuters"),
    ("<media:credit>© Reuters</media:credit>", None, "© Reuters"),
    # The same words twice are said once: the caption, which the page prints.
    ("<media:title>The harbour at dawn</media:title><media:description>The Harbour at "
     "dawn.</media:description>", None, "The Harbour at dawn."),
])
def test_a_pictures_title_description_and_credit_are_its_alt_text_and_caption_on_both_paths(
        breakage: str, texts: str, alt: str | None, caption: str | None) -> None:
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                f"<title>Harbour</title>{breakage}<item><guid>https://h.example/1</guid>"
                "<title>Morning at the harbour</title><description>&lt;p&gt;Text&lt;/p&gt;"
                "</description><media:content url='https://h.example/pic.jpg' medium='image'>"
                f"{texts}</media:content></item></channel></rss>")
    for article in every_path(document, "https://h.example/feed", broken=bool(breakage)):
        assert (article.image_url, article.image_alt, article.image_caption) == (
            "https://h.example/pic.jpg", alt, caption)
        assert article.title == "Morning at the harbour"


ITEM_PICTURE = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                "<title>Times</title>{breakage}<item><guid>https://t.example/1</guid>"
                "<title>Ferry returns</title>{description}{media}{texts}</item></channel></rss>")
CONTENT = "<media:content url='https://t.example/pic.jpg' medium='image'/>"
THUMBNAIL = "<media:thumbnail url='https://t.example/pic.jpg'/>"
ITEM_TEXTS = ("<media:title>The east pier</media:title><media:description>The first ferry "
              "of the morning.</media:description><media:credit>Lena Park</media:credit>")


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize(("description", "media", "texts", "alt", "caption"), [
    # The New York Times: a bare media:content, its credit and caption beside it.
    ("<description>Back after the storm.</description>", CONTENT,
     "<media:credit>Lena Park/The Times</media:credit><media:description>The first ferry of "
     "the morning.</media:description>", None,
     "The first ferry of the morning. Photo: Lena Park/The Times"),
    ("<description>Back after the storm.</description>", THUMBNAIL, ITEM_TEXTS,
     "The east pier", "The first ferry of the morning. Photo: Lena Park"),
    ("<description>Back after the storm.</description>",
     "<media:group><media:content url='https://t.example/pic.jpg' medium='image' "
     "width='1800'/><media:content url='https://t.example/small.jpg' medium='image' "
     "width='300'/></media:group>", ITEM_TEXTS,
     "The east pier", "The first ferry of the morning. Photo: Lena Park"),
    # What a picture says of itself wins over what its item says of all of them.
    ("<description>Back after the storm.</description>",
     "<media:content url='https://t.example/pic.jpg' medium='image'><media:title>Gulls"
     "</media:title><media:description>Over the pier</media:description><media:credit>"
     "Sam Reed</media:credit></media:content>", ITEM_TEXTS,
     "Gulls", "Over the pier. Photo: Sam Reed"),
    # Mastodon's alt text in the picture, a caption beside it in the item.
    ("<description>Back after the storm.</description>",
     "<media:content url='https://t.example/pic.jpg' medium='image'><media:description>"
     "Gulls over a ferry</media:description></media:content>",
     "<media:description>At the east pier.</media:description>",
     "Gulls over a ferry", "At the east pier."),
    # Without a description of its own, the item's media:description is its text, not
    # the picture's caption; one of type html may be its body.
    ("", CONTENT, ITEM_TEXTS, "The east pier", "Photo: Lena Park"),
    ("<description>Back after the storm.</description>", CONTENT,
     "<media:description type='html'>&lt;p&gt;The first ferry.&lt;/p&gt;</media:description>",
     None, None),
    # An enclosure is no Media RSS object: the item's texts are not its own.
    ("<description>Back after the storm.</description>",
     "<enclosure url='https://t.example/pic.jpg' type='image/jpeg' length='1'/>", ITEM_TEXTS,
     None, None),
])
def test_an_items_own_media_texts_describe_its_picture_on_every_path(
        breakage: str, description: str, media: str, texts: str, alt: str | None,
        caption: str | None) -> None:
    document = ITEM_PICTURE.format(breakage=breakage, description=description, media=media,
                                   texts=texts)
    for article in every_path(document, "https://t.example/feed", broken=bool(breakage)):
        assert (article.title, article.image_url, article.image_alt, article.image_caption) \
            == ("Ferry returns", "https://t.example/pic.jpg", alt, caption)


def test_an_items_media_texts_are_read_in_a_document_of_unclosed_items() -> None:
    # Each item start is paired with the first end after it, once: a hostile document of
    # unclosed items is read in one pass, as a well-formed one is.
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                "<title>T</title>" + "<item><media:credit>x</media:credit>" * 20_000
                + "<item><guid>1</guid><title>Last</title><description>d</description>"
                f"{CONTENT}<media:credit>Lena Park</media:credit></item></channel></rss>")
    assert "Photo: Lena Park" in [a.image_caption for a in every_path(
        document, "https://t.example/feed", broken=True)][-1]


def test_markup_in_an_attachments_description_leaves_feedparser_reading_strictly() -> None:
    document = ("<rss version='2.0' xmlns:media='http://search.yahoo.com/mrss/'><channel>"
                "<title>Alice</title><item><guid>1</guid><title>At the harbour</title>"
                "<media:content url='https://m.example/pic.png' medium='image'>"
                "<media:description>Boats <b>and</b> gulls</media:description>"
                "</media:content></item></channel></rss>")
    feed, warning = read_leniently(document, "https://m.example/@alice.rss")
    assert warning is None
    assert feed.entries[0].media[0].url == "https://m.example/pic.png"


@pytest.mark.parametrize("breakage", ["", "<br>"])
def test_an_atom_entry_without_an_author_has_the_feeds_on_both_paths(breakage: str) -> None:
    # RFC 4287 4.2.1: a one-writer blog names its writer once, at the top of the feed.
    document = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Tidewater</title>"
                f"<author><name>Jane Writer</name></author>{breakage}"
                "<entry><id>1</id><title>Neap tides</title><link href='https://t.example/1'/>"
                "<updated>2026-11-20T10:00:00Z</updated></entry>"
                "<entry><id>2</id><title>A guest post</title><link href='https://t.example/2'/>"
                "<author><name>Sam Guest</name></author>"
                "<updated>2026-11-21T10:00:00Z</updated></entry></feed>")
    feed = parse_feed(document.encode(), {}, "https://t.example/feed")
    assert bool(feed.warnings) == bool(breakage)      # the lenient path read the broken one
    articles = clean_entries(feed, base_url="https://t.example/feed", now=NOW)
    assert {a.title: a.author for a in articles} == {"Neap tides": "Jane Writer",
                                                     "A guest post": "Sam Guest"}


PLANET = ("<feed xmlns='http://www.w3.org/2005/Atom'><title>Planet Tide</title>"
          "<author><name>Planet editors</name></author>{breakage}<entry><id>1</id>"
          "<title>Neap tides</title><link href='https://t.example/1'/>"
          "<updated>2026-11-20T10:00:00Z</updated>{entry}<source><id>tag:t</id>{source}"
          "<link rel='alternate' href='https://tide.example/'/></source></entry></feed>")


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize(("entry", "source", "author"), [
    # An entry copied from another feed credits that feed, as RSS <source> does.
    ("<author><name>Jane Writer</name></author>", "<title>Tidewater Notes</title>",
     "Jane Writer (Tidewater Notes)"),
    # RFC 4287 4.2.1: no author of its own, the source's before the planet's.
    ("", "<title>Tidewater Notes</title><author><name>Jane Writer</name></author>",
     "Jane Writer (Tidewater Notes)"),
    ("", "<author><name>Jane Writer</name></author>", "Jane Writer"),
    ("", "<title type='html'>Ben &amp;amp; Jerry&amp;#8217;s &lt;b&gt;Log&lt;/b&gt;</title>",
     "Planet editors (Ben & Jerry’s Log)"),
    ("", "<title type='text'>&lt;3 Boats</title>", "Planet editors (<3 Boats)"),
    # A blog named after its writer is credited once.
    ("<author><name>Jane Writer</name></author>", "<title>Jane Writer</title>",
     "Jane Writer"),
    ("<author><name>Jane Writer</name></author>", "<title> </title>", "Jane Writer"),
])
def test_an_atom_entry_copied_from_another_feed_credits_it_on_every_path(
        breakage: str, entry: str, source: str, author: str) -> None:
    document = PLANET.format(breakage=breakage, entry=entry, source=source)
    for article in every_path(document, "https://planet.example/atom", broken=bool(breakage)):
        assert (article.title, article.author) == ("Neap tides", author)
        assert article.url == "https://t.example/1"


SIGNED_RSS = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/'><channel>"
              "<title>Gazette</title>{breakage}<item><guid>1</guid><title>Sea wall</title>"
              "<link>https://g.example/1</link><description>Work starts.</description>"
              "{signers}</item></channel></rss>")
SIGNED_RDF = ("<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#' "
              "xmlns='http://purl.org/rss/1.0/' xmlns:dc='http://purl.org/dc/elements/1.1/'>"
              "<channel rdf:about='https://g.example/'><title>Gazette</title></channel>"
              "{breakage}<item rdf:about='https://g.example/1'><title>Sea wall</title>"
              "<link>https://g.example/1</link><description>Work starts.</description>"
              "{signers}</item></rdf:RDF>")
SIGNED_ATOM = ("<feed xmlns='http://www.w3.org/2005/Atom' "
               "xmlns:dc='http://purl.org/dc/elements/1.1/'><title>Gazette</title>"
               "<author><name>Gazette staff</name></author>{breakage}<entry><id>1</id>"
               "<title>Sea wall</title><link href='https://g.example/1'/>"
               "<updated>2026-11-20T10:00:00Z</updated>{signers}</entry></feed>")


def _creators(*names: str) -> str:
    return "".join(f"<dc:creator>{name}</dc:creator>" for name in names)


def _atom_authors(*people: str) -> str:
    return "".join(f"<author>{person}</author>" for person in people)


@pytest.mark.parametrize("breakage", ["", "<br>"])
@pytest.mark.parametrize(("template", "signers", "author"), [
    # WordPress's Co-Authors Plus: one dc:creator per author.
    (SIGNED_RSS, _creators("Priya Shah", "Tom O'Neill"), "Priya Shah and Tom O'Neill"),
    (SIGNED_RSS, _creators("A", "B", "C", "D", "E"), "A, B, C and 2 others"),
    (SIGNED_RSS, _creators("Priya Shah", " ", "priya shah"), "Priya Shah"),
    # Beside a name, an author written with an address (RSS's own <author>) is left out:
    # feedparser cuts "priya@g.example" at a four-letter domain.
    (SIGNED_RSS, _creators("Priya Shah") + "<author>desk@g.example</author>", "Priya Shah"),
    (SIGNED_RSS, "<author>priya@g.example (Priya Shah)</author>" + _creators("Tom Hale"),
     "Tom Hale"),
    (SIGNED_RSS, "<author>Priya Shah</author>" + _creators("Tom Hale"),
     "Priya Shah and Tom Hale"),
    (SIGNED_RDF, _creators("Priya Shah", "Tom O'Neill"), "Priya Shah and Tom O'Neill"),
    (SIGNED_ATOM, _atom_authors("<name>Priya Shah</name>", "<name>Tom O'Neill</name>",
                                "<name>Li Wei</name><uri>https://g.example/li</uri>"),
     "Priya Shah, Tom O'Neill and Li Wei"),
    # An author given by address alone is named only when nobody else is.
    (SIGNED_ATOM, _atom_authors("<name>Priya Shah</name>", "<email>tom@g.example</email>"),
     "Priya Shah"),
    (SIGNED_ATOM, _atom_authors("<email>tom@g.example</email>"), "tom@g.example"),
    (SIGNED_ATOM, _atom_authors("<name>Priya Shah</name>") + _creators("Tom Hale"),
     "Priya Shah and Tom Hale"),
    # RFC 4287 4.2.1: the feed's authors, all of them, sign an entry without its own.
    (SIGNED_ATOM.replace("<author><name>Gazette staff</name></author>", _atom_authors(
        "<name>Priya Shah</name>", "<name>Tom Hale</name>")), "", "Priya Shah and Tom Hale"),
])
def test_every_author_of_an_entry_signs_it_on_every_path(
        breakage: str, template: str, signers: str, author: str) -> None:
    document = template.format(breakage=breakage, signers=signers)
    for article in every_path(document, "https://g.example/feed", broken=bool(breakage)):
        assert (article.title, article.author) == ("Sea wall", author)


def test_html_entities_are_read_on_the_fast_path_with_a_warning() -> None:
    body = (FEEDS / "html-entities.xml").read_text(encoding="utf-8")
    with pytest.raises(NotForFastPath):
        read_xml(_XML_DECLARATION.sub("", body), "https://society.example/feed")
    feed, warning = read_well_formed(_XML_DECLARATION.sub("", body), "https://society.example/")
    assert feed.entries[0].title == "Opening night\xa0– “La Bohème”"
    assert warning is not None and "HTML entities" in warning


def test_unknown_entities_still_go_to_feedparser() -> None:
    body = "<rss version='2.0'><channel><title>&nbsp;&madeup;</title><item><title>x</title>" \
           "</item></channel></rss>"
    feed = parse_feed(body.encode(), {}, "https://x.example/")
    assert feed.warnings and "malformed" in feed.warnings[0]


def test_broken_xml_leaves_the_fast_path_for_feedparser() -> None:
    body = (FEEDS / "malformed.xml").read_text(encoding="utf-8")
    with pytest.raises(NotForFastPath):
        read_xml(_XML_DECLARATION.sub("", body), "https://broken.example/feed")


def test_malformed_feed_that_still_yields_entries_is_accepted_with_a_warning() -> None:
    feed = parse_feed((FEEDS / "malformed.xml").read_bytes(), {}, "https://broken.example/")
    assert [e.title for e in feed.entries] == ["Fish & chips night", "Second item"]
    assert len(feed.warnings) == 1 and "malformed" in feed.warnings[0]


def test_broken_xml_with_no_entries_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_feed(b"<rss version='2.0'><channel><title>x & y</title>", {}, "https://x.example/")


@pytest.mark.parametrize("content", [
    b"", b"   \n", b"just some text", b"{\"not\": \"a feed\"}", b"[1, 2, 3]",
    b"<html><body><p>a page</p></body></html>", b"\x00\x01\x02garbage\xff",
])
def test_documents_that_are_no_feed_raise_parse_error(content: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        parse_feed(content, {"content-type": "text/html"}, "https://x.example/")
    assert isinstance(raised.value, IngestError) and str(raised.value)


def test_empty_but_valid_feed_is_no_error() -> None:
    feed = parse_feed(b"<rss version='2.0'><channel><title>Quiet</title></channel></rss>",
                      {}, "https://quiet.example/feed")
    assert (feed.title, feed.entries, feed.warnings) == ("Quiet", (), ())


def test_json_feed_is_recognised_without_a_json_content_type() -> None:
    content = (FEEDS / "jsonfeed11.json").read_bytes()
    feed = parse_feed(content, {"content-type": "text/plain"}, "https://cinema.example/f")
    assert feed.format == "json11" and len(feed.entries) == 3


def test_a_json_feed_item_with_nothing_of_the_right_type_is_no_item() -> None:
    content = (b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
               b'{"id": "bt2", "url": ["x"], "title": ["list"], "content_html": {"a": 1}},'
               b'{"id": "ok", "title": 42}]}')
    feed = parse_feed(content, {"content-type": "application/feed+json"}, "https://j.example/")
    assert [(entry.guid, entry.title) for entry in feed.entries] == [("ok", "42")]


def test_byte_order_mark_wins_over_a_wrong_http_charset() -> None:
    content = "\ufeff<rss version='2.0'><channel><title>Zoë</title></channel></rss>"
    feed = parse_feed(content.encode("utf-8"), {"content-type": "text/xml; charset=latin-1"},
                      "https://x.example/")
    assert feed.title == "Zoë" and feed.warnings == ()


def test_http_charset_wins_over_the_xml_declaration() -> None:
    content = "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>" \
              "<title>Šťastný</title></channel></rss>"
    feed = parse_feed(content.encode("iso-8859-2"),
                      {"Content-Type": "application/rss+xml; charset=ISO-8859-2"},
                      "https://x.example/")
    assert feed.title == "Šťastný"


# -- entity bombs and external entities ------------------------------------------------------

def test_billion_laughs_is_refused_before_any_parser_sees_it() -> None:
    with pytest.raises(ParseError, match="entities"):
        parse_feed((FEEDS / "billion-laughs.xml").read_bytes(), {}, "https://bomb.example/")


@pytest.mark.slow   # a real interpreter, so that a runaway expansion cannot hang pytest
def test_billion_laughs_is_refused_in_bounded_memory() -> None:
    """In a child process limited to 1 GiB of address space (the bomb expands to ~3 GB),
    every path — parse_feed, and each parser on its own without the refusal in front —
    finishes without expanding the entities."""
    script = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from workers.ingest.errors import ParseError
        from workers.ingest.parsing.fastxml import NotForFastPath, read_xml
        from workers.ingest.parsing.lenient import read_leniently
        from workers.ingest.steps.parse import parse_feed
        content = open(sys.argv[1], "rb").read()
        try:
            parse_feed(content, {}, "https://bomb.example/")
        except ParseError:
            print("parse_feed: refused")
        body = content.decode().split("?>", 1)[1]
        try:
            read_xml(body, "https://bomb.example/")
        except NotForFastPath:
            print("lxml: refused")
        feed, _ = read_leniently(body, "https://bomb.example/")
        print("feedparser: longest text", max(len(e.title) + len(e.content_html)
                                              for e in feed.entries))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script, str(FEEDS / "billion-laughs.xml")],
        capture_output=True, text=True, cwd=REPO, timeout=120,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=False)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:2] == ["parse_feed: refused", "lxml: refused"]
    assert int(lines[2].rsplit(" ", 1)[1]) < 100        # "&lol9;" left as written


def _xxe_document(secret: Path) -> bytes:
    template = (FEEDS / "xxe.xml").read_text(encoding="utf-8")
    return template.replace("SECRET_PATH", str(secret)).encode("utf-8")


def test_external_file_entity_reads_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-8d1f0c")
    document = _xxe_document(secret)
    with pytest.raises(ParseError, match="entities") as raised:
        parse_feed(document, {}, "https://xxe.example/feed")
    assert "TOP-SECRET" not in str(raised.value)


def test_neither_parser_reads_an_external_file_entity_even_without_the_refusal(
        tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-8d1f0c")
    body = _xxe_document(secret).decode().split("?>", 1)[1]
    try:
        fast = repr(read_xml(body, "https://xxe.example/feed"))
    except NotForFastPath as error:
        fast = str(error)
    lenient, _ = read_leniently(body, "https://xxe.example/feed")
    articles = clean_entries(lenient, base_url="https://xxe.example/feed",
                             now=datetime.now(UTC))
    assert "TOP-SECRET" not in fast
    assert "TOP-SECRET" not in repr(lenient) + repr(articles)


def test_a_doctype_without_entities_is_still_read() -> None:
    feed = parse_feed((FEEDS / "rss091.xml").read_bytes(), {}, "http://oldschool.example/")
    assert len(feed.entries) == 2


# -- size -----------------------------------------------------------------------------------

def _big_feed(count: int) -> bytes:
    items = "".join(
        f"<item><title>Story {i} &amp; more</title><link>https://big.example/{i}</link>"
        f"<guid isPermaLink='false'>big-{i}</guid>"
        f"<pubDate>Mon, 23 Nov 2026 {i % 24:02d}:{i % 60:02d}:00 +0000</pubDate>"
        f"<description>&lt;p&gt;Paragraph {i} with &lt;a href='/x/{i}'&gt;a link&lt;/a&gt;"
        f"&lt;/p&gt;</description></item>" for i in range(count))
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
            f"<title>Big</title><link>https://big.example/</link>{items}</channel></rss>"
            ).encode()


def test_a_10000_entry_feed_parses_and_cleans_correctly() -> None:
    feed = parse_feed(_big_feed(10_000), {}, "https://big.example/feed")
    articles = clean_entries(feed, base_url="https://big.example/feed",
                             now=datetime(2026, 11, 24, tzinfo=UTC))
    assert len(articles) == 10_000
    assert len({a.entry_hash for a in articles}) == 10_000
    last = articles[-1]
    assert (last.entry_key, last.title, last.url) == (
        "big-9999", "Story 9999 & more", "https://big.example/9999")
    assert last.published_at == datetime(2026, 11, 23, 15, 39, tzinfo=UTC)
    assert '<a href="https://big.example/x/9999" rel="noopener noreferrer nofollow">' \
        in last.content_html


def test_expected_files_are_valid_json_with_a_source_beside_them() -> None:
    names = {p.name.removesuffix(".expected.json") for p in FEEDS.glob("*.expected.json")}
    sources = {p.stem for p in FEEDS.iterdir() if not p.name.endswith(".expected.json")}
    assert names == sources
    for path in FEEDS.glob("*.expected.json"):
        assert "given" in json.loads(path.read_text(encoding="utf-8"))


def test_a_wrong_http_charset_gives_way_to_the_declaration_that_decodes() -> None:
    content = "<?xml version='1.0' encoding='windows-1251'?><rss version='2.0'><channel>" \
              "<title>Новости</title></channel></rss>"
    feed = parse_feed(content.encode("cp1251"), {"content-type": "text/xml; charset=utf-8"},
                      "https://x.example/")
    assert feed.title == "Новости"
    assert feed.warnings == ("declared UTF-8 but the bytes are not; read as windows-1251",)


@pytest.mark.parametrize("headers", [{"content-type": "application/rss+xml; charset=utf-8"},
                                     {"content-type": "application/rss+xml"}],
                         ids=["declared", "undeclared"])
def test_one_stray_byte_in_a_utf8_feed_costs_that_byte_not_every_character(
        headers: dict[str, str]) -> None:
    """Browsers read such a document as UTF-8 with the bad byte replaced; read as
    windows-1252 instead, every accented letter, CJK character and emoji of every entry
    turned to mojibake ("CafÃ©")."""
    title, text = "Café — Zürich 東京 😀", "Über die Brücke: 北京市政府宣布新的交通政策"
    document = (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel>"
                f"<title>Feed</title><item><guid>1</guid><title>{title}</title>"
                f"<description>{text}</description></item></channel></rss>").encode()
    document = document.replace(b"<guid>1</guid>", b"<guid>1</guid>\xff", 1)
    if "charset" not in headers["content-type"]:
        document = document.replace(b" encoding='utf-8'", b"")
    feed = parse_feed(document, headers, "https://x.example/")
    [article] = clean_entries(feed, base_url="https://x.example/", now=NOW)
    assert (article.title, article.summary) == (title, text)
    assert feed.charset_warning == "1 invalid UTF-8 byte sequence replaced; read as UTF-8"


def test_a_legacy_feed_declared_as_utf8_is_still_read_in_its_own_encoding() -> None:
    """Text in windows-1252 has a valid UTF-8 character only by chance: it is not
    'mostly UTF-8' with stray bytes."""
    title, text = UNDECLARED["cp1252"]
    document = (f"<rss version='2.0'><channel><title>{title}</title><item><guid>1</guid>"
                f"<title>{title}</title><description>{text}</description></item>"
                "</channel></rss>").encode("cp1252")
    feed = parse_feed(document, {"content-type": "text/xml; charset=utf-8"},
                      "https://x.example/")
    [article] = clean_entries(feed, base_url="https://x.example/", now=NOW)
    assert (article.title, article.summary) == (title, text)
    assert feed.charset_warning == "declared UTF-8 but the bytes are not; read as windows-1252"


UNDECLARED = {
    "cp1251": ("Новости Москвы: мэр открыл новый парк",
               "Жители города собрались на открытии парка в воскресенье утром."),
    "gb2312": ("北京市政府宣布新的交通政策",
               "市民对新政策表示欢迎，认为这将改善城市交通状况。"),
    "shift_jis": ("東京で新しい美術館が開館しました",
                  "多くの人々が初日に訪れ、展示を楽しみました。"),
    "cp1252": ("Café société: l’été à Paris", "Les terrasses sont pleines — un été très chaud."),
    # Detection reads Portuguese in windows-1252 as windows-1250 ("ă" for "ã"): a Western
    # text stays windows-1252, as every undeclared document was read before detection.
    "cp1252 ": ("A população está à espera", "São três anos de negociações difíceis."),
    "cp1250": ("Zażółć gęślą jaźń: prezydent ogłosił reformę",
               "Posłowie będą głosować w przyszłym tygodniu."),
}
LABELS = {"cp1251": "windows-1251", "gb2312": "GB18030", "shift_jis": "Shift_JIS",
          "cp1252": "windows-1252", "cp1252 ": "windows-1252", "cp1250": "windows-1250"}


@pytest.mark.parametrize("encoding", list(UNDECLARED))
def test_a_feed_that_declares_no_encoding_is_read_in_the_one_its_bytes_look_like(
        encoding: str) -> None:
    title, text = UNDECLARED[encoding]
    document = (f"<rss version='2.0'><channel><title>{title}</title><item><guid>1</guid>"
                f"<title>{title}</title><description>{text}</description></item>"
                "</channel></rss>").encode(encoding.strip())
    with pytest.raises(UnicodeDecodeError):
        document.decode("utf-8")
    feed = parse_feed(document, {"content-type": "application/rss+xml"}, "https://x.example/")
    [article] = clean_entries(feed, base_url="https://x.example/", now=NOW)
    assert (feed.title, article.title, article.summary) == (title, title, text)
    assert feed.charset_warning == ("no encoding declared and the bytes are not UTF-8; "
                                    f"read as {LABELS[encoding]}")


def test_a_feed_that_declares_no_encoding_and_is_utf8_is_read_without_a_word() -> None:
    title, text = UNDECLARED["cp1251"]
    document = f"<rss version='2.0'><channel><title>{title}</title></channel></rss>"
    feed = parse_feed(document.encode(), {}, "https://x.example/")
    assert (feed.title, feed.charset_warning, feed.warnings) == (title, None, ())


# -- the two paths agree beyond the golden files ---------------------------------------------

def _variant_rss_item(rng, i: int) -> str:
    parts = [f"<title>{rng.choice(['Plain', 'A &amp; B', '&lt;b&gt;Bold&lt;/b&gt;', ''])} {i}"
             "</title>"]
    if rng.random() < 0.7:
        parts.append(f"<link>{rng.choice(['https://v.example/p/', '/rel/', 'rel/'])}{i}</link>")
    guid = rng.choice([None, f"https://v.example/g/{i}", f"tag:v.example,2026:{i}", f"id-{i}"])
    if guid:
        permalink = rng.choice(["", ' isPermaLink="true"', ' isPermaLink="false"'])
        parts.append(f"<guid{permalink}>{guid}</guid>")
    date = rng.choice([f"<pubDate>Mon, 23 Nov 2026 {i % 24:02d}:00:00 +0200</pubDate>",
                       f"<dc:date>2026-11-2{i % 9}T10:00:00Z</dc:date>", "",
                       "<pubDate>23 Nov 2026 10:00 EST</pubDate>"])
    parts.append(date)
    if rng.random() < 0.8:
        parts.append(f"<description><![CDATA[<p>Summary {i} <img src='/s{i}.png'></p>]]>"
                     "</description>")
    if rng.random() < 0.5:
        parts.append(f"<content:encoded><![CDATA[<p>Longer content {i} with "
                     f"<a href='x{i}'>a link</a> and more words.</p>]]></content:encoded>")
    for _ in range(rng.randrange(3)):
        parts.append(f"<category>{rng.choice(['News', 'news ', 'Sport', 'Café'])}</category>")
    if rng.random() < 0.3:
        parts.append(rng.choice([
            f"<enclosure url='/e{i}.mp3' type='audio/mpeg' length='1'/>",
            f"<enclosure url='https://c.example/e{i}.jpg' type='image/jpeg' length='1'/>",
            f"<enclosure url='https://c.example/e{i}.mp4' type='video/mp4' length='1'/>"]))
    if rng.random() < 0.3:
        parts.append(f"<media:thumbnail url='https://c.example/t{i}.jpg' width='9' "
                     "height='9'/>")
    if rng.random() < 0.3:
        parts.append(rng.choice([f"<dc:creator>Writer {i}</dc:creator>",
                                 f"<author>w{i}@v.example (Writer {i})</author>"]))
    return "<item>" + "".join(parts) + "</item>"


def _variant_atom_entry(rng, i: int) -> str:
    kind = rng.choice(["text", "html", "xhtml"])
    title = {"text": f"<title type='text'>T &lt;{i}&gt; &amp; co</title>",
             "html": f"<title type='html'>T &lt;em&gt;{i}&lt;/em&gt;</title>",
             "xhtml": f"<title type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'>T "
                      f"<b>{i}</b></div></title>"}[kind]
    parts = [title, f"<id>urn:v:{i}</id>" if rng.random() < 0.9 else ""]
    if rng.random() < 0.8:
        parts.append(f"<link href='{rng.choice(['p/', '/abs/', 'https://o.example/'])}{i}'/>")
    parts.append(rng.choice([f"<updated>2026-11-2{i % 9}T10:00:00+01:00</updated>",
                             f"<published>2026-11-2{i % 9}T10:00:00Z</published>"
                             f"<updated>2026-11-2{i % 9}T11:00:00Z</updated>"]))
    body = rng.choice([
        f"<content type='html'>&lt;p&gt;Body {i}&lt;br/&gt;more&lt;/p&gt;</content>",
        f"<content type='text'>Body {i} &lt;not a tag&gt;</content>",
        f"<content type='xhtml'><div xmlns='http://www.w3.org/1999/xhtml'><p>Body {i}<br/>"
        f"<img src='i{i}.png' alt='A{i}'/></p><hr/></div></content>",
        f"<summary>Only a summary {i}</summary>",
        f"<summary type='html'>&lt;b&gt;S{i}&lt;/b&gt;</summary>"
        f"<content type='html'>&lt;p&gt;C{i} longer than the summary&lt;/p&gt;</content>"])
    parts.append(body)
    if rng.random() < 0.5:
        parts.append(f"<author><name>N{i}</name><email>n{i}@v.example</email></author>")
    if rng.random() < 0.4:
        parts.append(f"<category term='c{i % 3}'/><category term='C{i % 3}'/>")
    if rng.random() < 0.3:
        parts.append(f"<link rel='enclosure' href='v{i}.webm' type='video/webm'/>")
    return "<entry>" + "".join(parts) + "</entry>"


@pytest.mark.parametrize("seed", range(6))
def test_fast_path_and_feedparser_agree_on_generated_variants(seed: int) -> None:
    import random
    rng = random.Random(seed)
    rss = ("<rss version='2.0' xmlns:dc='http://purl.org/dc/elements/1.1/' "
           "xmlns:content='http://purl.org/rss/1.0/modules/content/' "
           "xmlns:media='http://search.yahoo.com/mrss/'><channel><title>V</title>"
           "<link>https://v.example/</link>"
           + "".join(_variant_rss_item(rng, i) for i in range(40)) + "</channel></rss>")
    atom = ("<feed xmlns='http://www.w3.org/2005/Atom' xml:base='https://a.example/blog/'>"
            "<title>A</title>" + "".join(_variant_atom_entry(rng, i) for i in range(40))
            + "</feed>")
    for document, url in ((rss, "https://v.example/feed"), (atom, "https://a.example/atom")):
        fast, slow = both_paths(document, url)
        assert len(fast) == len(slow) > 0
        for a, b in zip(fast, slow, strict=True):
            assert a == b, f"seed {seed}: {a.entry_key} differs"


# -- ampersands and references the feed got wrong (parsing/references.py) --------------------

def _rss_items(items: str) -> bytes:
    return (f"<rss version='2.0'><channel><title>R</title><link>https://r.example/</link>"
            f"{items}</channel></rss>").encode()


def _repaired_on_both_paths(content: bytes, url: str = "https://r.example/feed"):
    """parse_feed's result, and feedparser's reading of the same repaired document."""
    feed = parse_feed(content, {}, url)
    lenient, _ = read_leniently(repair_references(content.decode()).text, url)
    return (clean_entries(feed, base_url=url, now=datetime(2026, 11, 24, tzinfo=UTC)),
            clean_entries(lenient, base_url=url, now=datetime(2026, 11, 24, tzinfo=UTC)),
            feed.warnings)


@pytest.mark.parametrize("reference", ["&#xD800;", "&#xDFFF;", "&#x110000;",
                                       "&#99999999999;", "&#xFFFE;", "&#" + "9" * 5000 + ";"])
def test_a_reference_to_no_character_is_read_as_the_replacement_character(
        reference: str) -> None:
    content = _rss_items(f"<item><guid>bad</guid><title>Bad {reference} ref</title></item>"
                         "<item><guid>good</guid><title>Good</title></item>")
    fast, lenient, warnings = _repaired_on_both_paths(content)
    assert [a.title for a in fast] == ["Bad \ufffd ref", "Good"]
    assert fast == lenient
    assert warnings == ("references to no character read as U+FFFD",)


def test_feedparser_failing_on_a_document_is_a_parse_failure_of_that_feed() -> None:
    with pytest.raises(NotAFeed, match="feedparser could not read the document"):
        read_leniently("<rss version='2.0'><channel><item><title>Bad &#xD800; ref</title>"
                       "</item></channel></rss>", "https://r.example/feed")


@pytest.mark.parametrize("broken_too", [False, True], ids=["only-ampersands", "unclosed"])
def test_a_bare_ampersand_is_text_on_both_paths(broken_too: bool) -> None:
    content = _rss_items(
        "<item><guid>a</guid><title>AT&T & Verizon</title><link>https://r.example/a?x=1&y=2"
        "</link><description>R&D &copy; 2025 x&y &amp; z</description></item>"
        "<item><guid>b</guid><title>Q&A with M&S boss</title></item>")
    if broken_too:     # a missing end tag as well: only feedparser reads it
        content = content.replace(b"</channel></rss>", b"")
    fast, lenient, warnings = _repaired_on_both_paths(content)
    assert [(a.title, a.url, a.summary) for a in fast] == [
        ("AT&T & Verizon", "https://r.example/a?x=1&y=2", "R&D © 2025 x&y & z"),
        ("Q&A with M&S boss", None, "")]
    assert fast == lenient
    assert (warnings[0].startswith("malformed feed read leniently") if broken_too else
            warnings == ("HTML entities are not defined in XML; read them as HTML does; "
                         "unescaped '&' read as text",))


def test_ampersands_inside_cdata_and_known_references_are_left_as_written() -> None:
    text = ("<t><![CDATA[a & b &#xD800;]]><!-- c & d --> &amp; &#38; &#x1F600; &lt; "
            "&nbsp; &madeup; &#0; e&f</t>")
    repaired = repair_references(text)
    assert repaired.text == ("<t><![CDATA[a & b &#xD800;]]><!-- c & d --> &amp; &#38; "
                             "&#x1F600; &lt; &#160; &madeup;  e&amp;f</t>")
    assert repaired.has_unknown_entities


def test_a_link_with_spaces_is_percent_encoded_on_both_paths() -> None:
    content = _rss_items("<item><guid>a</guid><title>A</title><link>\n   "
                         "https://r.example/relsite/post 3?a=b c\n </link></item>")
    fast, lenient, _ = _repaired_on_both_paths(content)
    assert [a.url for a in fast] == ["https://r.example/relsite/post%203?a=b%20c"]
    assert fast == lenient


def test_a_latin_http_charset_gives_way_to_a_declaration_of_another_encoding() -> None:
    content = "<?xml version='1.0' encoding='windows-1251'?><rss version='2.0'><channel>" \
              "<title>Новости</title></channel></rss>"
    feed = parse_feed(content.encode("cp1251"), {"content-type": "text/xml; charset=ISO-8859-1"},
                      "https://x.example/")
    assert feed.title == "Новости"
    assert feed.warnings == ("the server declared ISO-8859-1 but the document windows-1251; "
                             "read as windows-1251",)
