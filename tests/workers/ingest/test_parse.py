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
from workers.ingest.charset import decode_document
from workers.ingest.clean import clean_entries
from workers.ingest.errors import IngestError, ParseError
from workers.ingest.fastxml import NotForFastPath, read_xml
from workers.ingest.lenient import read_leniently
from workers.ingest.parse import _XML_DECLARATION, parse_feed

GOLDEN = golden_feeds()
REPO = Path(__file__).resolve().parents[3]


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


def _both_paths(golden: GoldenFeed):
    text = decode_document(golden.content, golden.headers).text
    body = _XML_DECLARATION.sub("", text, count=1)
    fast = read_xml(body, golden.url)
    lenient, warning = read_leniently(body, golden.url)
    return fast, lenient, warning


@pytest.mark.parametrize("golden", WELL_FORMED, ids=_ids(WELL_FORMED))
def test_fast_path_and_feedparser_give_the_same_articles(golden: GoldenFeed) -> None:
    fast, lenient, warning = _both_paths(golden)
    assert warning is None
    assert (fast.title, fast.site_url) == (lenient.title, lenient.site_url)
    assert fast.format.rstrip("0123456789") == lenient.format.rstrip("0123456789")
    fast_articles = clean_entries(fast, base_url=golden.url, now=golden.now)
    lenient_articles = clean_entries(lenient, base_url=golden.url, now=golden.now)
    assert len(fast_articles) == len(lenient_articles) > 0
    for from_fast, from_feedparser in zip(fast_articles, lenient_articles, strict=True):
        for field in dataclasses.fields(from_fast):
            assert getattr(from_fast, field.name) == getattr(from_feedparser, field.name), (
                f"{golden.name}: {field.name} differs")


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
    assert feed.format == "json11" and len(feed.entries) == 2


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


def test_billion_laughs_is_refused_in_bounded_memory() -> None:
    """In a child process limited to 1 GiB of address space (the bomb expands to ~3 GB),
    every path — parse_feed, and each parser on its own without the refusal in front —
    finishes without expanding the entities."""
    script = textwrap.dedent("""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))
        from workers.ingest.errors import ParseError
        from workers.ingest.fastxml import NotForFastPath, read_xml
        from workers.ingest.lenient import read_leniently
        from workers.ingest.parse import parse_feed
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
