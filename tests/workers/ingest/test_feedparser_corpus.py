"""feedparser's own well-formed test feeds, through Hopper's real ingest path.

Each feed in tests/data/feedparser/ (see its README) is served from a loopback HTTP server
and polled with `poll_feed` (fetch, parse, clean, classify); its `Expect:` line is then
evaluated against the articles Hopper would store. Hopper stores titles as plain text, so
an expected title is compared as the text a reader sees: as written when feedparser calls
the title text/plain, else the text of its markup.

Both XML paths are also run on each feed: the fast path and feedparser must agree on
every title and link.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
from pytest_httpserver import HTTPServer

from workers.ingest.parsing.charset import decode_document
from workers.ingest.parsing.fastxml import NotForFastPath
from workers.ingest.parsing.lenient import read_leniently
from workers.ingest.pipeline import poll_feed
from workers.ingest.records import SourceSnapshot
from workers.ingest.steps.clean import clean_entries
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.parse import _XML_DECLARATION, read_well_formed

CORPUS = Path(__file__).resolve().parents[2] / "data" / "feedparser"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
_EXPECT = re.compile(r"Description:\s*(.*?)\s*Expect:\s*(.*)\s*-->")
_HEADER = re.compile(r"^Header:\s+([^:]+):(.*)$", re.MULTILINE)
_FEEDPARSER_DOC_URL = "http://127.0.0.1:8097/"

# Where Hopper reads a feed differently from feedparser on purpose.
_REPEATED_ENTRY = ("two entries with one entry key are one article in Hopper "
                   "(clean.deduplicate)")
DIFFERENCES = {
    "atom/entry_link_no_href_link_priority.xml": _REPEATED_ENTRY,
    "atom/entry_link_rel_enclosure_no_href.xml": _REPEATED_ENTRY,
    "atom10/entry_link_no_href_link_priority.xml": _REPEATED_ENTRY,
    "atom10/entry_link_rel_enclosure_no_href.xml": _REPEATED_ENTRY,
    "node_precedence/atom10_title.xml": _REPEATED_ENTRY,
    "base/http_item_link_base_content_location.xml":
        "links resolve against the URL fetched, never a Content-Location header",
    "sanitize/entry_title_crazy.xml":
        "feedparser's sanitiser keeps a comment's text; a title's text does not",
    "sanitize/entry_title_object.xml":
        "the text of an unclosed <object> is fallback content, dropped with it",
}

# feedparser's sanitiser tests: an entry that is only an <img> in a title, with no text,
# link or media, shows nothing, and is no article in Hopper (clean.headline).
DIFFERENCES.update({
    path.relative_to(CORPUS).as_posix(): "an entry with nothing to show is no article"
    for path in CORPUS.glob("sanitize/entry_title_on*.xml")})


def _cases() -> list[Any]:
    cases = []
    for path in sorted(CORPUS.rglob("*.xml")):
        name = path.relative_to(CORPUS).as_posix()
        marks = [pytest.mark.xfail(strict=True, reason=DIFFERENCES[name])] \
            if name in DIFFERENCES else []
        cases.append(pytest.param(path, id=name, marks=marks))
    return cases


def _expectation(path: Path) -> tuple[str, dict[str, str]]:
    text = path.read_bytes().decode("utf-8", "ignore")
    match = _EXPECT.search(text)
    assert match is not None
    headers = {name.strip(): value.strip() for name, value in _HEADER.findall(text)}
    return match.group(2), headers


def _text_of(markup: str) -> str:
    if not markup.strip():
        return ""
    fragment = lxml.html.fragment_fromstring(markup, create_parent="div")
    return " ".join(fragment.text_content().split())


class _Expected:
    """What feedparser says an entry's title is, as the text Hopper should show."""

    def __init__(self, reference: Any) -> None:
        self.reference = reference

    def title(self, index: int, value: str) -> str:
        detail = self.reference.entries[index].get("title_detail") or {}
        if detail.get("type", "text/plain") == "text/plain":
            return " ".join(value.split())
        return _text_of(value)


class _Field(str):
    """An article's title or link; `==` against an expected string compares what a
    reader sees."""

    expected: _Expected
    index: int
    key: str

    def __eq__(self, other: object) -> bool:
        if isinstance(other, _Field) or not isinstance(other, str):
            return str(self) == str(other)
        if self.key == "title":
            other = self.expected.title(self.index, other)
        return str(self) == other

    __hash__ = str.__hash__


def _entry(expected: _Expected, index: int, title: str, link: str | None) -> dict[str, str]:
    fields = {}
    for key, value in (("title", title), ("link", link or "")):
        field = _Field(value)
        field.expected, field.index, field.key = expected, index, key
        fields[key] = field
    return fields


@pytest.mark.parametrize("path", _cases())
def test_feedparser_expectation_holds_for_what_hopper_stores(
        path: Path, httpserver: HTTPServer, http: FeedClient) -> None:
    expectation, headers = _expectation(path)
    content = path.read_bytes()
    httpserver.expect_request("/feed").respond_with_data(
        content, headers=headers, content_type=headers.get("Content-type", "application/xml"))
    url = httpserver.url_for("/feed")
    update = poll_feed(SourceSnapshot(id=1, url=url, etag=None, last_modified=None,
                                      section_id=None, interval_minutes=30,
                                      interval_override_minutes=None, error_count=0,
                                      last_new_entry_at=None),
                       http=http, rules=(), now=NOW)
    assert update.outcome == "ok", update.error
    reference = feedparser.parse(content, response_headers={"content-location": url})
    expected = _Expected(reference)
    entries = [_entry(expected, i, a.title, a.url) for i, a in enumerate(update.articles)]
    expression = expectation.replace(_FEEDPARSER_DOC_URL, url.removesuffix("feed"))
    assert eval(expression, {}, {"bozo": False, "entries": entries}) is True, (  # noqa: S307
        expectation, [(a.title, a.url) for a in update.articles])


@pytest.mark.parametrize("path", [
    pytest.param(p, id=p.relative_to(CORPUS).as_posix()) for p in sorted(CORPUS.rglob("*.xml"))])
def test_fast_path_and_feedparser_agree_on_titles_and_links(path: Path) -> None:
    body = _XML_DECLARATION.sub("", decode_document(path.read_bytes(), {}).text, count=1)
    url = "http://127.0.0.1:8097/feed"
    try:
        fast, _ = read_well_formed(body, url)
    except NotForFastPath:
        return          # feedparser's alone: nothing to agree with
    lenient, _ = read_leniently(body, url)
    assert [(a.title, a.url) for a in clean_entries(fast, base_url=url, now=NOW)] == \
        [(a.title, a.url) for a in clean_entries(lenient, base_url=url, now=NOW)]
