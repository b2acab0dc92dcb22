"""Real publishers' feeds (tests/data/real-feeds/, trimmed; sources and licences in its
README) and the bytes real publishers write, served from a loopback server with the
headers such feeds come with, polled by the real pipeline, and read back as stored: what
a reader of the site would get."""

from __future__ import annotations

from pathlib import Path

import pytest
import redis
from pytest_httpserver import HTTPServer
from sqlalchemy import select

from models.articles import Article
from models.db import Database
from models.sources import Source
from tests.sources import add_source
from tests.workers.ingest.conftest import TEST_LIMITS
from workers.ingest.pipeline import ingest_source
from workers.ingest.steps.fetch import FeedClient

REAL_FEEDS = Path(__file__).resolve().parents[2] / "data" / "real-feeds"


@pytest.fixture
def poll(httpserver: HTTPServer, database: Database, redis_client: redis.Redis,
         http: FeedClient):  # type: ignore[no-untyped-def]
    """Serve a saved feed (or `content`, bytes as a publisher wrote them) with
    `content_type`, poll it as a new source, return the source and its articles."""
    def poll_feed(name: str, content_type: str,
                  content: bytes | None = None) -> tuple[Source, list[Article]]:
        httpserver.expect_request(f"/{name}").respond_with_data(
            (REAL_FEEDS / name).read_bytes() if content is None else content,
            content_type=content_type)
        source_id = add_source(database, httpserver.url_for(f"/{name}"))
        ingest_source(source_id, database=database, redis_client=redis_client, http=http,
                      limits=TEST_LIMITS)
        with database.reader() as session:
            source = session.get(Source, source_id)
            assert source is not None
            articles = list(session.scalars(select(Article)
                                            .where(Article.source_id == source_id)))
            session.expunge_all()
        return source, articles
    return poll_feed


def test_an_item_whose_author_and_open_graph_block_nest_a_title_and_description_keeps_its_own(
        poll) -> None:
    # Google's Cloud blog nests <author><name/><title>job title</title></author> and an
    # <og> block with its own <title> and <description> inside each item.
    source, articles = poll("google-cloud-blog.rss", "application/rss+xml; charset=utf-8")
    assert sorted(article.title for article in articles) == [
        "Build a dev workflow with Cloud Code on a Pixelbook",
        "Last month today: August on GCP"]
    [pixelbook] = [article for article in articles if "Pixelbook" in article.title]
    assert pixelbook.author == "Simon Zeltser"
    # The body is the item's description, not the Open Graph teaser nested beside it.
    assert "Pixelbooks are slim, light, ergonomic" in pixelbook.content_html
    assert pixelbook.summary.startswith("Can you use a Pixelbook for serious software")


def test_a_cyrillic_feed_served_with_the_servers_latin_default_charset_is_read_as_it_declares(
        poll) -> None:
    # Apache's old `AddDefaultCharset ISO-8859-1` labels every file Latin-1; the feed's
    # own declaration says windows-1251, and its generator knew.
    source, articles = poll("ibash-windows-1251.xml", "text/xml; charset=ISO-8859-1")
    assert sorted(article.title for article in articles) == ["Цитата #17703", "Цитата #17705"]
    assert "кот немного пхп знает?" in " ".join(article.content_html for article in articles)
    # The admin sees which label was wrong (hopper sources list, the sources page).
    assert (source.status, source.last_error) == (
        "ok", "encoding: the server declared ISO-8859-1 but the document windows-1251; "
              "read as windows-1251")


def _rss(declared: str, title: str, description: str) -> str:
    return (f'<?xml version="1.0" encoding="{declared}"?><rss version="2.0"><channel>'
            f"<title>{title}</title><link>https://news.example/</link><item>"
            f"<title>{title}</title><link>https://news.example/1</link>"
            f"<description>{description}</description>"
            "<pubDate>Mon, 02 Nov 2026 10:00:00 GMT</pubDate></item></channel></rss>")


def test_windows_1252_punctuation_in_a_feed_declared_latin_1_is_kept(poll) -> None:
    # Word's curly quotes and dashes in a feed that says ISO-8859-1, written as bytes,
    # as a numeric reference (&#146;) and as a reference inside escaped HTML.
    title = "It’s “quoted” — café"
    content = _rss("ISO-8859-1", title, "don&#146;t &amp;#150; then").encode("cp1252")
    _, [article] = poll("latin-1.xml", "text/xml", content)
    assert article.title == "It’s “quoted” — café"
    assert article.content_html == "don’t – then"


@pytest.mark.parametrize(("declared", "codec", "title"), [
    ("GB2312", "gbk", "朱镕基访问上海"),           # 镕 is GBK, not GB2312
    ("Shift_JIS", "cp932", "①番目の記事～"),        # NEC and IBM extensions of Windows-31J
    ("EUC-KR", "cp949", "똠방각하"),               # 똠 is Windows-949 (UHC) only
    ("x-sjis", "cp932", "ニュース"),               # a label Python does not know
])
def test_a_legacy_encoding_is_read_as_the_superset_publishers_write(
        poll, declared: str, codec: str, title: str) -> None:
    _, [article] = poll(f"{codec}.xml", "text/xml", _rss(declared, title, "x").encode(codec))
    assert article.title == title


def test_a_utf_8_byte_order_mark_before_a_feed_in_another_encoding_gives_way_to_it(
        poll) -> None:
    # A PHP include saved as "UTF-8 with BOM" prints the mark before the feed it includes.
    content = b"\xef\xbb\xbf" + (REAL_FEEDS / "ibash-windows-1251.xml").read_bytes()
    _, articles = poll("ibash-bom.xml", "text/xml", content)
    assert sorted(article.title for article in articles) == ["Цитата #17703", "Цитата #17705"]


def test_a_windows_1251_feed_that_declares_no_encoding_is_read_as_windows_1251(poll) -> None:
    # The same feed from a generator that writes no encoding in its XML declaration, on a
    # server that sends none: the bytes are the only witness.
    content = (REAL_FEEDS / "ibash-windows-1251.xml").read_bytes().replace(
        b' encoding="windows-1251"', b"", 1)
    source, articles = poll("ibash-undeclared.xml", "text/xml", content)
    assert sorted(article.title for article in articles) == ["Цитата #17703", "Цитата #17705"]
    assert "кот немного пхп знает?" in " ".join(article.content_html for article in articles)
    assert (source.status, source.last_error) == (
        "ok", "encoding: no encoding declared and the bytes are not UTF-8; read as "
              "windows-1251")


def test_mathml_in_a_body_is_read_as_text_instead_of_leaving_holes(poll) -> None:
    # Pandoc's MathML (yakubin's notes): the formulas are words of the sentences.
    _, [article] = poll("yakubin-mathml.atom", "application/atom+xml")
    body = " ".join(article.content_html.split())
    assert "When you request <span>n</span> bytes from" in body
    assert "starts at <span>N×M</span> bytes after the start of" in body
    assert "<span>𝐿𝑒𝑛𝑔𝑡h≤𝐶𝑎𝑝𝑎𝑐𝑖𝑡𝑦</span>." in body
    assert "\\times" not in body and "<math" not in body   # TeX annotations are no text


def test_a_utf_8_feed_served_with_the_servers_central_european_default_stays_utf_8(
        poll) -> None:
    # A Slovak UTF-8 feed on a server whose default is `charset=ISO-8859-2` (or a
    # Russian one's windows-1251): the bytes can only be UTF-8.
    source, articles = poll("aktuality-sk.rss", "text/xml; charset=ISO-8859-2")
    assert (source.status, source.last_error) == (
        "ok", "encoding: declared ISO-8859-2 but the bytes are UTF-8; read as UTF-8")
    assert sorted(article.title for article in articles) == [
        "Analytici Goldman Sachs zvýšili odhad rastu ekonomiky USA",
        "Koronavírus: Cielené testovanie zachytilo v Banskej Bystrici desiatky pozitívnych"]
    assert any("plán fiškálnych stimulov" in article.content_html for article in articles)


@pytest.mark.parametrize("content_type", ["text/xml", "text/xml; charset=utf-16"])
@pytest.mark.parametrize("padding", ["", " "])      # UTF-16 decodes an even length
def test_a_feed_declaring_utf_16_over_bytes_that_start_as_ascii_is_read_as_utf_8(
        poll, content_type: str, padding: str) -> None:
    # .NET's XmlWriter over a StringWriter declares encoding="utf-16"; the page then sends
    # UTF-8. A document whose first bytes hold no NUL is no UTF-16 (XML 1.0, Appendix F).
    content = (_rss("utf-16", "Café news", "Zoë") + padding).encode("utf-8")
    _, [article] = poll("dotnet.xml", content_type, content)
    assert article.title == "Café news"
    assert article.content_html == "Zoë"
