"""A whole poll of feeds in which one entry (or one character) is odd or broken: the
feed is stored, every good entry with it, and the odd one as a reader would want it.
Served from a loopback HTTP server and stored in the run's real database."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.base import utcnow
from models.db import Database, session_scope
from models.search import SearchQuery, search_articles
from models.tags import Tag
from tests.sources import add_source
from tests.workers.ingest.conftest import TEST_LIMITS
from tests.workers.ingest.test_pipeline import articles_of, source_row
from workers.ingest.parsing.normalise import sha256_hex
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult

GOOD_ITEM = ("<item><guid>good</guid><title>Good</title><link>http://example.test/good</link>"
             "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>")


def rss_with(items: str, *, title: str = "Odd feed") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>http://example.test/</link>{items}"
            f"</channel></rss>").encode()


@pytest.fixture
def ingest(httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
           http: FeedClient):  # type: ignore[no-untyped-def]
    """Serve `body` as a new source's feed and poll it once."""
    def serve_and_poll(body: bytes, content_type: str = "application/rss+xml",
                       ) -> tuple[int, StoreResult]:
        path = f"/feed{len(httpserver.log)}-{id(body)}"
        httpserver.expect_request(path).respond_with_data(body, content_type=content_type)
        source_id = add_source(database, httpserver.url_for(path))
        return source_id, ingest_source(source_id, database=database, redis_client=redis_client,
                                        http=http, limits=TEST_LIMITS)
    return serve_and_poll


# -- 1: dates beyond what a datetime holds ----------------------------------------------------

@pytest.mark.parametrize(("body", "content_type"), [
    (rss_with(GOOD_ITEM + "<item><guid>far</guid><title>Far</title>"
              "<pubDate>Fri, 31 Dec 9999 23:59:59 -0100</pubDate></item>"),
     "application/rss+xml"),
    (b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
     b"<entry><id>good</id><title>Good</title><updated>2026-11-02T10:00:00Z</updated></entry>"
     b"<entry><id>far</id><title>Far</title><updated>9999-12-31T23:59:59-01:00</updated>"
     b"</entry></feed>", "application/atom+xml"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
     b'{"id": "good", "title": "Good", "date_published": "2026-11-02T10:00:00Z"},'
     b'{"id": "far", "title": "Far", "date_published": "0001-01-01T00:00:00+01:00"}]}',
     "application/feed+json"),
], ids=["rss", "atom", "json"])
def test_an_entry_dated_beyond_year_9999_or_before_year_1_is_stored_at_the_poll_time(
        ingest, database: Database, body: bytes, content_type: str) -> None:
    before = utcnow().replace(microsecond=0)
    source_id, result = ingest(body, content_type)
    assert (result.outcome, result.new) == ("ok", 2)
    stored = {a.entry_key: a for a in articles_of(database, source_id)}
    assert sorted(stored) == ["far", "good"]
    assert before <= stored["far"].published_at <= utcnow()       # the poll time
    assert source_row(database, source_id).status == "ok"


# -- 2 and 3: ampersands and references the feed got wrong -----------------------------------

def test_a_reference_to_no_character_costs_one_character_not_the_feed(
        ingest, database: Database) -> None:
    source_id, result = ingest(rss_with(
        GOOD_ITEM + "<item><guid>bad</guid><title>Bad &#xD800; ref &#x110000;</title></item>"))
    assert (result.outcome, result.new) == ("ok", 2)
    assert {a.entry_key: a.title for a in articles_of(database, source_id)} == {
        "bad": "Bad \ufffd ref \ufffd", "good": "Good"}
    assert source_row(database, source_id).status == "ok"


@pytest.mark.parametrize("size", ['width="{n}" height="1"', 'style="width: {n}px" height="1"',
                                  'width="1" height="{n}"'])
def test_an_image_sized_in_thousands_of_digits_costs_nothing_but_its_size(
        ingest, database: Database, size: str) -> None:
    """int() refuses more than 4,300 digits: one such width in one entry's body made the
    tracker-pixel check raise, and every poll of the feed failed as an internal error."""
    image = f'<img src="http://example.test/a.png" {size.format(n="9" * 5000)}>'
    source_id, result = ingest(rss_with(
        GOOD_ITEM + "<item><guid>wide</guid><title>Wide</title><description>"
        + escape(f"<p>Before.</p>{image}<p>After.</p>") + "</description></item>"))
    assert (result.outcome, result.new) == ("ok", 2)
    stored = {a.entry_key: a for a in articles_of(database, source_id)}
    assert "Before." in stored["wide"].content_html and "After." in stored["wide"].content_html


@pytest.mark.parametrize(("declared", "where"), [
    ("undefined", "header"), ("punycode", "header"), ("undefined", "declaration"),
    ("punycode", "declaration")])
def test_a_feed_declaring_a_codec_that_is_no_text_encoding_is_read_as_browsers_read_it(
        ingest, database: Database, declared: str, where: str) -> None:
    """Python knows 'undefined' and 'punycode' as codecs; decoding with them raises
    UnicodeError, not the UnicodeDecodeError the charset step caught, so every poll of
    such a feed ended as 'internal error' although its bytes are plain ASCII (bytes
    that are UTF-8 beyond ASCII were read as UTF-8 already)."""
    body = rss_with(GOOD_ITEM + "<item><guid>cafe</guid><title>Cafe opens</title></item>")
    content_type = "application/rss+xml"
    if where == "header":
        content_type += f"; charset={declared}"
    else:
        body = body.replace(b'encoding="utf-8"', f'encoding="{declared}"'.encode())
    source_id, result = ingest(body, content_type=content_type)
    assert (result.outcome, result.new) == ("ok", 2)
    assert {a.entry_key: a.title for a in articles_of(database, source_id)}["cafe"] == \
        "Cafe opens"


def test_a_bare_ampersand_is_stored_as_written(ingest, database: Database) -> None:
    source_id, result = ingest(rss_with(
        "<item><guid>a</guid><title>AT&T & Verizon</title>"
        "<description>R&D &copy; 2025 x&y</description></item>"
        "<item><guid>b</guid><title>Q&A with M&S boss</title></item>"))
    assert result.outcome == "ok"
    assert [(a.title, a.summary) for a in articles_of(database, source_id)] == [
        ("AT&T & Verizon", "R&D © 2025 x&y"), ("Q&A with M&S boss", "")]


# -- 17 and 18: control characters and terminal escapes --------------------------------------

CONTROLLED_JSON_FEED = (
    b'{"version": "https://jsonfeed.org/version/1.1",'
    b' "title": "Nice\\u001b]0;pwned\\u0007 Feed",'
    b' "items": [{"id": "a\\u0000b", "title": "Bad \\u0000 ref \\u001b[31mred\\u001b[0m",'
    b' "authors": [{"name": "A\\u0000B"}], "tags": ["t\\u0000g"],'
    b' "content_html": "<p>x\\u0000\\u001b[2Jy</p>"}]}')


@pytest.mark.parametrize(("body", "content_type"), [
    (CONTROLLED_JSON_FEED, "application/feed+json"),
    # Written raw, not as references: XML forbids them, so feedparser reads this one.
    (rss_with("<item><guid>a\x00b</guid><title>Bad \x00 ref \x1b[31mred\x1b[0m</title>"
              "<dc:creator xmlns:dc='http://purl.org/dc/elements/1.1/'>A\x00B</dc:creator>"
              "<category>t\x00g</category><description>x\x00\x1b[2Jy</description></item>",
              title="Nice\x1b]0;pwned\x07 Feed"), "application/rss+xml"),
], ids=["json", "rss-read-by-feedparser"])
def test_control_characters_and_terminal_escapes_are_never_stored(
        ingest, database: Database, body: bytes, content_type: str) -> None:
    source_id, result = ingest(body, content_type)
    assert (result.outcome, result.new) == ("ok", 1)
    [article] = articles_of(database, source_id)
    with database.reader() as session:
        tags = list(session.scalars(select(Tag.name)))
    assert (article.entry_key, article.title, article.author, tags) == (
        "ab", "Bad ref red", "AB", ["tg"])
    assert article.content_html.removeprefix("<p>").removesuffix("</p>") == "xy"
    assert source_row(database, source_id).name == "Nice Feed"


# -- 16: categories escaped inside CDATA ---------------------------------------------------

def test_an_escaped_category_is_the_same_tag_as_the_one_written_plainly(
        ingest, database: Database) -> None:
    ingest(rss_with("<item><guid>wp</guid><title>WordPress</title>"
                    "<category><![CDATA[Food &amp; Drink]]></category></item>"))
    ingest(b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
           b'{"id": "j", "title": "Json", "tags": ["Food &amp; Drink"]}]}',
           "application/feed+json")
    ingest(rss_with("<item><guid>plain</guid><title>Plain</title>"
                    "<category>Food &amp; Drink</category></item>"))
    with database.reader() as session:
        assert [(tag.name, tag.slug) for tag in session.scalars(select(Tag))] == [
            ("Food & Drink", "food-drink")]


# -- 21: links with spaces ------------------------------------------------------------------

def test_a_link_with_spaces_is_stored_percent_encoded(ingest, database: Database) -> None:
    source_id, _ = ingest(rss_with("<item><guid>s</guid><title>Spaces</title><link>\n   "
                                   "http://example.test/relsite/post 3?a=b c\n </link></item>"))
    [article] = articles_of(database, source_id)
    assert article.url == "http://example.test/relsite/post%203?a=b%20c"


# -- 13: named zones ------------------------------------------------------------------------

def test_a_named_zone_is_read_as_its_offset_and_an_unknown_one_as_no_date(
        ingest, database: Database) -> None:
    before = utcnow().replace(microsecond=0)
    source_id, _ = ingest(rss_with(
        "<item><guid>tokyo</guid><title>Tokyo</title>"
        "<pubDate>Mon, 02 Nov 2026 09:00:00 JST</pubDate></item>"
        "<item><guid>paris</guid><title>Paris</title>"
        "<pubDate>Mon, 02 Nov 2026 09:00:00 CET</pubDate></item>"
        "<item><guid>nowhere</guid><title>Nowhere</title>"
        "<pubDate>Mon, 02 Nov 2026 09:00:00 XYZ</pubDate></item>"))
    stored = {a.entry_key: a.published_at for a in articles_of(database, source_id)}
    assert stored["tokyo"] == datetime(2026, 11, 2, 0, tzinfo=UTC)
    assert stored["paris"] == datetime(2026, 11, 2, 8, tzinfo=UTC)
    assert before <= stored["nowhere"] <= utcnow()          # the poll time, not 09:00 UTC


# -- 10: titles that show nothing -----------------------------------------------------------

def test_no_article_is_stored_with_a_blank_headline(ingest, database: Database) -> None:
    source_id, result = ingest(rss_with(
        '<item><guid>pod</guid><enclosure url="http://example.test/ep2.mp3" '
        'type="audio/mpeg" length="1"/></item>'
        '<item><guid>img</guid><title><![CDATA[<img src="https://cdn.example/a.jpg">]]>'
        "</title><link>http://example.test/posts/harbour-reopens/</link></item>"
        "<item><guid>zw</guid><title>&#8203;&#x200B; &#160;</title>"
        "<description>The harbour reopens on Monday.</description></item>"
        "<item><guid>nothing</guid><title>&#8203;</title></item>"))
    assert (result.outcome, result.new) == ("ok", 3)
    assert {a.entry_key: a.title for a in articles_of(database, source_id)} == {
        "pod": "ep2.mp3", "img": "harbour-reopens", "zw": "The harbour reopens on Monday."}


# -- hostile sizes: markup that makes a regular expression rescan it from every character --

HOSTILE_SECONDS = 10    # each takes well under a second now; minutes before the fix


@pytest.mark.parametrize("entry", [
    # An author that is one long word: the e-mail pattern rescanned it from each letter.
    "<title>Long author</title><author>" + "a" * 50_000 + "</author>",
    # Long tags before nh3: the attribute pattern rescanned a run of name characters.
    "<title>Long iframe</title><description>" + escape(
        "<p>Body</p><iframe " + "-" * 25_000 + "></iframe>") + "</description>",
    "<title>Long lazy image</title><description>" + escape(
        "<p>Body</p><img data-src=x " + "-" * 20_000 + ">") + "</description>",
    # Many a `<` with no `>` after it: every tag pattern scanned to the end from each one.
    "<title>Unclosed</title><description>" + escape("<" * 120_000) + "</description>",
    "<title>Unclosed images</title><description>" + escape("<img" * 60_000)
    + "</description>",
    # An RSS title of unclosed comments: the title's markup scan did the same.
    "<title>" + escape("<!--" * 15_000) + "</title>",
])
def test_hostile_markup_costs_the_poll_linear_time(ingest, database: Database,
                                                   entry: str) -> None:
    started = time.monotonic()
    source_id, result = ingest(rss_with(GOOD_ITEM + f"<item><guid>odd</guid>{entry}"
                                        "<pubDate>Mon, 02 Nov 2026 11:00:00 GMT</pubDate></item>"))
    assert time.monotonic() - started < HOSTILE_SECONDS
    assert (result.outcome, result.new) == ("ok", 2)
    assert [a.entry_key for a in articles_of(database, source_id)] == ["good", "odd"]


# -- dates written as publishers write them, not as RFC 822 does ----------------------------

# Minimal items mimicking what real feeds write (no saved copies: the pattern, not the
# publisher): a CMS that stores a Unix time, "UTC+01:00" zones, 12-hour clocks (US local
# news sites), French, German and Spanish day and month names (WordPress and Joomla with
# a localised date format), the German "25. November", dates in digits.
WRITTEN_DATES = {
    "epoch": ("1795600800", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    "utc-plus": ("Wed, 25 Nov 2026 10:00:00 UTC+01:00", datetime(2026, 11, 25, 9, tzinfo=UTC)),
    "gmt-plus": ("Wed, 25 Nov 2026 10:00:00 GMT+0100", datetime(2026, 11, 25, 9, tzinfo=UTC)),
    "pm": ("Wed, 25 Nov 2026 10:00 PM +0100", datetime(2026, 11, 25, 21, tzinfo=UTC)),
    "am-est": ("25 Nov 2026 02:30 AM EST", datetime(2026, 11, 25, 7, 30, tzinfo=UTC)),
    "us-order": ("Nov 25, 2026 10:00 PM", datetime(2026, 11, 25, 22, tzinfo=UTC)),
    "french": ("mer., 25 nov. 2026 10:00:00 +0100", datetime(2026, 11, 25, 9, tzinfo=UTC)),
    "french-dec": ("jeu., 5 déc. 2025 10:00:00 +0100", datetime(2025, 12, 5, 9, tzinfo=UTC)),
    "german": ("Mi, 25 März 2026 10:00:00 +0100", datetime(2026, 3, 25, 9, tzinfo=UTC)),
    "german-day-stop": ("25. November 2026", datetime(2026, 11, 25, tzinfo=UTC)),
    "spanish": ("miércoles, 25 noviembre 2026 10:00:00 +0100",
                datetime(2026, 11, 25, 9, tzinfo=UTC)),
    "spanish-pm": ("mié, 25 nov 2026 10:00 p. m. +0100", datetime(2026, 11, 25, 21, tzinfo=UTC)),
    "no-zone": ("Wed, 25 Nov 2026 10:00:00", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    # Milliseconds (feeds built in JavaScript), "2026/11/25" and Java's Date.toString():
    # feedparser read them as 1795, November the 1st and UTC.
    "epoch-ms": ("1795600800000", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    "slashed": ("2026/11/25 10:00:00", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    "java": ("Wed Nov 25 10:00:00 CET 2026", datetime(2026, 11, 25, 9, tzinfo=UTC)),
    "dotted": ("Mi, 25.11.2026 - 10:00", datetime(2026, 11, 25, 10, tzinfo=UTC)),
    # An IANA zone, which feedparser read as UTC.
    "iana": ("2026-11-25 10:00:00 Europe/Paris", datetime(2026, 11, 25, 9, tzinfo=UTC)),
}


@pytest.mark.parametrize("road", ["fast-path", "feedparser"])
def test_dates_as_publishers_write_them_are_read_on_both_roads(
        ingest, database: Database, road: str) -> None:
    items = "".join(f"<item><guid>{key}</guid><title>{key}</title><pubDate>{written}"
                    f"</pubDate></item>" for key, (written, _) in WRITTEN_DATES.items())
    if road == "feedparser":     # markup inside a title: the fast path hands it over
        items += "<item><guid>zz</guid><title>Odd <b>bold</b></title></item>"
    source_id, result = ingest(rss_with(items))
    assert result.outcome == "ok"
    stored = {a.entry_key: a.published_at for a in articles_of(database, source_id)}
    assert {key: stored.get(key) for key in WRITTEN_DATES} == {
        key: when for key, (_, when) in WRITTEN_DATES.items()}


# -- links that change from poll to poll only in tracking or session parameters ------------

def _linked_items(*links: str) -> bytes:
    return rss_with("".join(
        f"<item><title>Harbour {index}</title><link>{escape(link)}</link>"
        f"<description>The harbour reopens.</description></item>"
        for index, link in enumerate(links)))


def test_a_guidless_entry_seen_with_other_tracking_or_session_parameters_is_one_article(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    """Minimal items mimicking real guid-less feeds (no saved copy): WordPress plugins and
    newsletters tag each link with utm_* campaign parameters that change with the
    campaign, Java and PHP sites put the fetching session's id in every link, some add a
    fragment. `?id=` and `?p=` name the page and keep two pages apart."""
    first = _linked_items(
        "http://example.test/story?utm_source=rss&utm_medium=feed",
        "http://example.test/news.jsp;jsessionid=0A1B2C?id=1",
        "http://example.test/forum.php?PHPSESSID=aaa&t=7",
        "http://example.test/page#top",
        "http://example.test/?p=42&utm_campaign=monday")
    second = _linked_items(
        "http://example.test/story?utm_source=feedly&utm_campaign=tuesday",
        "http://example.test/news.jsp;jsessionid=9Z8Y7X?id=1",
        "http://example.test/forum.php?t=7&PHPSESSID=bbb",
        "http://example.test/page#comments",
        "http://example.test/?p=42&utm_campaign=tuesday",
        "http://example.test/?p=43&utm_campaign=tuesday",
        "http://example.test/news.jsp;jsessionid=9Z8Y7X?id=2")
    httpserver.expect_ordered_request("/tracked").respond_with_data(
        first, content_type="application/rss+xml")
    httpserver.expect_ordered_request("/tracked").respond_with_data(
        second, content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/tracked"))
    results = [ingest_source(source_id, database=database, redis_client=redis_client,
                             http=http, limits=TEST_LIMITS) for _ in range(2)]
    assert [(r.outcome, r.new) for r in results] == [("ok", 5), ("ok", 2)]
    assert [a.entry_key for a in articles_of(database, source_id)] == [
        "http://example.test/?p=42", "http://example.test/?p=43",
        "http://example.test/forum.php?t=7", "http://example.test/news.jsp?id=1",
        "http://example.test/news.jsp?id=2", "http://example.test/page",
        "http://example.test/story"]


def test_pages_told_apart_only_by_their_fragment_stay_apart(ingest, database: Database) -> None:
    """A changelog feed without guids whose entries link to anchors of one page."""
    source_id, result = ingest(_linked_items("http://example.test/changes#v2",
                                             "http://example.test/changes#v1"))
    assert (result.outcome, result.new) == ("ok", 2)
    assert sorted(a.url for a in articles_of(database, source_id)) == [
        "http://example.test/changes#v1", "http://example.test/changes#v2"]


def test_an_article_keyed_by_its_tracked_link_before_the_upgrade_is_not_stored_again(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    """Articles stored before links lost their tracking parameters in keys keep their
    old key: the next poll finds them by their link and title (no copy)."""
    link = "http://example.test/story?utm_source=rss"
    httpserver.expect_request("/legacy").respond_with_data(
        _linked_items(link), content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/legacy"))
    first = ingest_source(source_id, database=database, redis_client=redis_client,
                          http=http, limits=TEST_LIMITS)
    with session_scope(database) as session:        # as the code before stored it
        article = session.scalars(select(Article).where(Article.source_id == source_id)).one()
        article.entry_key, article.entry_hash = link, sha256_hex(link)
    again = ingest_source(source_id, database=database, redis_client=redis_client,
                          http=http, limits=TEST_LIMITS)
    assert (first.new, again.new) == (1, 0)
    assert [a.entry_key for a in articles_of(database, source_id)] == [link]


# -- a source named by a garbled title ------------------------------------------------------

@pytest.mark.parametrize(("first_title", "operator_name", "expected"), [
    # A title written in UTF-8 and read as Windows-1252 once ("CafÃ©"), and one escaped
    # twice by the publisher's template (stored as "Caf&eacute;"): feeds fixed since.
    ("CafÃ© du Port", "", "Café du Port"),
    ("Caf&amp;amp;eacute; du Port", "", "Café du Port"),
    # A name that is not the title garbled stays: the operator's, or an older title.
    ("Café du Port", "Le Café", "Le Café"),
    ("Harbour News", "", "Harbour News"),
    # Named, before titles lost their invisible characters, with a zero-width space.
    ("Café du Port", "\u200bCafé du Port\ufeff", "Café du Port"),
], ids=["mojibake", "escaped-twice", "operator", "retitled", "stored-with-invisibles"])
def test_a_name_garbled_at_the_first_poll_follows_the_title_read_properly_later(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient, first_title: str, operator_name: str, expected: str) -> None:
    """Minimal feeds mimicking the pattern (no saved copy): a feed whose title arrived
    garbled once and reads properly afterwards."""
    for title in (first_title, "Café du Port"):
        httpserver.expect_ordered_request("/named").respond_with_data(
            rss_with(GOOD_ITEM, title=title), content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/named"), name=operator_name)
    for _ in range(2):
        ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                      limits=TEST_LIMITS)
    assert source_row(database, source_id).name == expected


# -- enclosures without a usable address ------------------------------------------------------

def _atom_with_enclosures(extra: str = "") -> bytes:
    entries = {
        "no-href": '<link rel="enclosure" type="image/jpeg" length="0"/>',
        "empty-href": '<link rel="enclosure" href="" type="image/jpeg"/>',
        "blank-href": '<link rel="enclosure" href="  " type="image/jpeg"/>',
        "fragment-href": '<link rel="enclosure" href="#" type="image/jpeg"/>',
        "no-host": '<link rel="enclosure" href="http://" type="image/jpeg"/>',
        "padded-rel": '<link rel=" enclosure " href="/p.jpg" type="image/jpeg"/>',
    }
    return ('<feed xmlns="http://www.w3.org/2005/Atom"><title>Enclosures</title>' + "".join(
        f'<entry><id>{key}</id><title>{key}</title><link href="http://example.test/{key}"/>'
        f"{enclosure}<updated>2026-11-02T10:00:00Z</updated></entry>"
        for key, enclosure in entries.items()) + extra + "</feed>").encode()


@pytest.mark.parametrize(("body", "content_type"), [
    (_atom_with_enclosures(), "application/atom+xml"),
    # Markup inside a text title: the fast path hands the document to feedparser.
    (_atom_with_enclosures('<entry><id>zz</id><title type="text">Odd <b>x</b></title>'
                           "</entry>"), "application/atom+xml"),
    (rss_with("".join(
        f"<item><guid>{key}</guid><title>{key}</title><link>http://example.test/{key}</link>"
        f"{enclosure}</item>" for key, enclosure in {
            "no-href": '<enclosure type="image/jpeg" length="0"/>',
            "empty-href": '<enclosure url="" type="image/jpeg"/>',
            "blank-href": '<enclosure url="  " type="image/jpeg"/>',
            "fragment-href": '<enclosure url="#" type="image/jpeg"/>',
            "no-host": '<enclosure url="https://" type="image/jpeg"/>',
            # `href` instead of `url`: feedparser reads it, so the fast path does too.
            "padded-rel": '<enclosure href="/p.jpg" type="image/jpeg"/>'}.items())),
     "application/rss+xml"),
], ids=["atom-fast-path", "atom-feedparser", "rss-fast-path"])
def test_an_enclosure_without_a_usable_address_is_none_on_both_roads(
        ingest, database: Database, body: bytes, content_type: str) -> None:
    """Minimal entries mimicking what CMS templates write when a post has no file (no
    saved copy): no href, an empty or blank one, a "#" placeholder, "http://" with the
    file's address left out. None of them may
    make the feed's own address the lead image."""
    source_id, result = ingest(body, content_type)
    assert result.outcome == "ok"
    images = {a.entry_key: a.image_url for a in articles_of(database, source_id)}
    images.pop("zz", None)
    wanted = images.pop("padded-rel")
    assert images == dict.fromkeys(["blank-href", "empty-href", "fragment-href", "no-host",
                                    "no-href"])
    assert wanted is not None and wanted.endswith("/p.jpg")


# -- invisible characters inside words -------------------------------------------------------

def test_soft_hyphens_and_zero_width_spaces_split_no_word_for_search_tags_or_stories(
        ingest, database: Database) -> None:
    """Minimal items mimicking real ones (no saved copy): German and Dutch CMSes put
    `&shy;` in long headline words for hyphenation, copy-pasted headlines carry a
    zero-width space or a byte order mark, and a feed title starts with one."""
    invisible, _ = ingest(rss_with(
        "<item><guid>h</guid><title>Har&#173;bour re&#8203;opens after the storm</title>"
        "<link>http://example.test/harbour</link><category>Har&#173;bour</category>"
        "<description>The har&#173;bour&#65279; reopens on Monday after the storm."
        "</description><pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>",
        title="&#8203;Daily&#65279; News&#8203;"))
    plain, _ = ingest(rss_with(
        "<item><guid>h</guid><title>Harbour reopens after the storm</title>"
        "<link>http://example.test/other/harbour</link><category>Harbour</category>"
        "<description>The harbour reopens on Monday after the storm.</description>"
        "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item>", title="Other"))
    [article] = articles_of(database, invisible)
    [twin] = articles_of(database, plain)
    assert (article.title, article.summary) == (
        "Harbour reopens after the storm", "The harbour reopens on Monday after the storm.")
    assert source_row(database, invisible).name == "Daily News"
    assert article.story_id == twin.story_id
    with database.reader() as session:
        assert [tag.slug for tag in session.scalars(select(Tag))] == ["harbour"]
        found = search_articles(session, SearchQuery(text="harbour reopens"))
    assert sorted(a.id for a in found.articles) == sorted([article.id, twin.id])


# -- items dated only by Atom or Dublin Core elements --------------------------------------

def test_an_item_dated_only_by_an_atom_or_dublin_core_element_keeps_that_date(
        ingest, database: Database) -> None:
    """Minimal items mimicking real feeds (no saved copy): RSS items dated only by
    `atom:updated` or `dcterms:issued`, Atom entries only by `dc:date`. feedparser read
    those dates; the fast path gave such items the poll time."""
    namespaces = ('xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:dcterms="http://purl.org/dc/terms/" '
                  'xmlns:atom="http://www.w3.org/2005/Atom"')
    rss_id, _ = ingest(
        f'<rss version="2.0" {namespaces}><channel><title>R</title>'
        "<item><guid>updated</guid><title>U</title>"
        "<atom:updated>2026-11-02T10:00:00Z</atom:updated></item>"
        "<item><guid>published</guid><title>P</title>"
        "<atom:published>2026-11-03T10:00:00Z</atom:published></item>"
        "<item><guid>issued</guid><title>I</title>"
        "<dcterms:issued>2026-11-04T10:00:00Z</dcterms:issued></item>"
        "</channel></rss>".encode())
    atom_id, _ = ingest(
        f'<feed xmlns="http://www.w3.org/2005/Atom" {namespaces.split(" xmlns:atom")[0]}>'
        "<title>A</title><entry><id>dc</id><title>D</title>"
        "<dc:date>2026-11-05T10:00:00Z</dc:date></entry></feed>".encode(),
        "application/atom+xml")
    dates = {a.entry_key: a.published_at.day for a in articles_of(database, rss_id)}
    dates |= {a.entry_key: a.published_at.day for a in articles_of(database, atom_id)}
    assert dates == {"updated": 2, "published": 3, "issued": 4, "dc": 5}


def test_a_guid_that_is_an_address_with_a_session_id_is_one_entry_across_polls(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient) -> None:
    """Minimal items mimicking Java and PHP portals (no saved copy) whose permalink
    guids carry the fetching session's id, and a changelog whose guids differ only by
    their anchor on one page: those stay two entries."""
    def poll_body(session: str) -> bytes:
        return rss_with(
            f"<item><guid>http://example.test/story.jsp;jsessionid={session}?id=7</guid>"
            f"<title>Story</title></item>"
            f"<item><guid>http://example.test/post?PHPSESSID={session}&amp;p=8</guid>"
            f"<title>Post</title></item>"
            "<item><guid isPermaLink='false'>http://example.test/changes#v1</guid>"
            "<title>v1</title><link>http://example.test/changes</link></item>"
            "<item><guid isPermaLink='false'>http://example.test/changes#v2</guid>"
            "<title>v2</title><link>http://example.test/changes</link></item>")
    for session in ("AAA", "BBB"):
        httpserver.expect_ordered_request("/sessions").respond_with_data(
            poll_body(session), content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/sessions"))
    results = [ingest_source(source_id, database=database, redis_client=redis_client,
                             http=http, limits=TEST_LIMITS) for _ in range(2)]
    assert [(r.outcome, r.new) for r in results] == [("ok", 4), ("ok", 0)]
    assert [a.entry_key for a in articles_of(database, source_id)] == [
        "http://example.test/changes#v1", "http://example.test/changes#v2",
        "http://example.test/post?p=8", "http://example.test/story.jsp?id=7"]


# -- references escaped twice in RSS titles ----------------------------------------------------

@pytest.mark.parametrize("road", ["fast-path", "feedparser"])
def test_a_reference_escaped_twice_in_an_rss_title_shows_its_character(
        ingest, database: Database, road: str) -> None:
    """Minimal items mimicking WordPress feeds (no saved copy) whose plugins escape the
    title again inside CDATA: "It&amp;#8217;s" was shown as "It&#8217;s"."""
    odd = "<item><guid>zz</guid><title>Odd <b>bold</b></title></item>" \
        if road == "feedparser" else ""
    source_id, _ = ingest(rss_with(
        "<item><guid>a</guid><title><![CDATA[It&amp;#8217;s the Caf&amp;eacute;]]></title>"
        "<category><![CDATA[Caf&amp;eacute;s]]></category></item>"
        "<item><guid>b</guid><title><![CDATA[Ben &amp; Jerry &amp;amp; AT&T]]></title></item>"
        + odd, title="<![CDATA[Caf&amp;eacute; du Port]]>"))
    titles = {a.entry_key: a.title for a in articles_of(database, source_id)}
    assert (titles["a"], titles["b"]) == ("It’s the Café", "Ben & Jerry &amp; AT&T")
    assert source_row(database, source_id).name == "Café du Port"
    with database.reader() as session:
        assert [tag.name for tag in session.scalars(select(Tag))] == ["Cafés"]


# -- a download cut short -------------------------------------------------------------------

REPORT_ITEM = ("<item><guid>report</guid><title>Harbour report</title>"
               "<link>http://example.test/report</link>"
               "<pubDate>Mon, 02 Nov 2026 11:00:00 GMT</pubDate>"
               "<description>A teaser.</description><content:encoded><![CDATA["
               "<p>The whole report, three paragraphs long.</p>]]></content:encoded>"
               '<media:content url="http://example.test/harbour.jpg" medium="image"/></item>')
NAMESPACES = ('<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
              'xmlns:media="http://search.yahoo.com/mrss/">')


@pytest.mark.parametrize("cut", ["<description>A teaser.</description><content:enc",
                                 "<link>http://example.test/report</link>"])
def test_a_feed_cut_short_inside_an_entry_leaves_that_article_as_it_was(
        httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
        http: FeedClient, cut: str) -> None:
    """A download that stops mid-entry (a server that died mid-write, a cached feed
    rewritten while served) is broken XML that feedparser still reads: the entry it was
    cut in must not replace the article with what arrived before the cut."""
    whole = rss_with(GOOD_ITEM + REPORT_ITEM).replace(b"<rss version=\"2.0\">",
                                                      NAMESPACES.encode())
    httpserver.expect_request("/cut").respond_with_data(whole,
                                                        content_type="application/rss+xml")
    source_id = add_source(database, httpserver.url_for("/cut"))
    ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                  limits=TEST_LIMITS)
    stored_before = {a.entry_key: (a.title, a.content_html, a.image_url)
                     for a in articles_of(database, source_id)}
    httpserver.clear()
    start = whole.index(b"<item><guid>report</guid>")
    cut_at = whole.index(cut.encode(), start) + len(cut)
    httpserver.expect_request("/cut").respond_with_data(whole[:cut_at],
                                                        content_type="application/rss+xml")
    again = ingest_source(source_id, database=database, redis_client=redis_client,
                          http=http, limits=TEST_LIMITS)
    assert (again.new, again.updated) == (0, 0)
    assert {a.entry_key: (a.title, a.content_html, a.image_url)
            for a in articles_of(database, source_id)} == stored_before
    assert stored_before["report"] == ("Harbour report",
                                       "<p>The whole report, three paragraphs long.</p>",
                                       "http://example.test/harbour.jpg")


# -- a feed URL that answers with a web page -------------------------------------------------

@pytest.mark.parametrize(("page", "reason"), [
    (b"<!DOCTYPE html>\n<html><head><title>503 Service Unavailable</title></head><body>"
     b"<h1>Service temporarily unavailable</h1></body></html>",
     "not a feed: the server sent a web page titled “503 Service Unavailable”"),
    (b"<!-- cf --><html lang='en'><head><title>Just a moment...</title></head><body><div>"
     b"Checking your browser</div></body></html>",
     "not a feed: the server sent a web page titled “Just a moment...”"),
    (b"<html><body><p>Maintenance</p></body></html>",
     "not a feed: the server sent a web page"),
])
def test_a_feed_answering_with_a_web_page_names_the_page_in_its_error(
        ingest, database: Database, page: bytes, reason: str) -> None:
    """Status 200 and an error, maintenance or bot-check page where the feed was: the
    admin reads which page, not a bare "not a feed"."""
    source_id, result = ingest(page, "text/html; charset=utf-8")
    assert (result.outcome, result.error) == ("failed", reason)
    source = source_row(database, source_id)
    assert (source.status, source.last_error) == ("failing", reason)
