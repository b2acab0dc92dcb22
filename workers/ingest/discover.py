"""Feed autodiscovery: from a web page's URL to the feed it advertises.

A page names its feeds with `<link rel="alternate" type="application/rss+xml" href=…>`
(also Atom, RDF and JSON Feed types). The page is fetched through the same guarded
client as feeds, so adding a source cannot reach what polling could not.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from urllib.parse import urljoin

from workers.ingest.errors import ParseError
from workers.ingest.steps.fetch import FeedClient, check_url

FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/feed+json",
              "application/rdf+xml", "application/json")
FEED_CONTENT_HINTS = ("rss", "atom", "rdf", "feed+json", "/xml", "+xml", "json")
FEED_STARTS = (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf", b"{")
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
SNIFF_BYTES = 4096
FEED_ROOTS = frozenset({b"rss", b"feed", b"rdf:rdf"})
JSON_FEED_VERSION = b"jsonfeed.org/version/"
# The prolog (XML declaration, processing instructions, comments, a doctype) and then
# the root element's name, with any namespace prefix other than rdf: dropped.
_XML_ROOT = re.compile(rb"(?:\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>))*\s*"
                       rb"<(?:(?!rdf:)[\w.-]+:)?([\w.:-]+)", re.DOTALL | re.IGNORECASE)


class _AlternateLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[str, str]] = []     # (type, href) in page order

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        values = {name.lower(): (value or "") for name, value in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href", "").strip():
            self.found.append((kind, values["href"].strip()))


def feed_links(html: str, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page advertises, preferred types first."""
    parser = _AlternateLinks()
    parser.feed(html)
    parser.close()
    ranked = sorted(enumerate(parser.found),
                    key=lambda item: (FEED_TYPES.index(item[1][0]), item[0]))
    links: list[str] = []
    for _, (_, href) in ranked:
        try:
            url = urljoin(base_url, href)
        except ValueError:     # a malformed bracketed host ("http://[::1"): no feed there
            continue
        if url not in links:
            links.append(url)
    return links


def looks_like_feed(content: bytes, headers: Mapping[str, str]) -> bool:
    """True for a feed, judged by its body first: many servers (WordPress, S3, nginx
    defaults) label a feed text/html, and polling reads the body whatever the label."""
    if is_feed_document(content):
        return True
    content_type = headers.get("content-type", "").lower().split(";")[0].strip()
    if content_type in HTML_TYPES:
        return False
    if any(hint in content_type for hint in FEED_CONTENT_HINTS):
        return True
    start = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:64].lower()
    return start.startswith(FEED_STARTS)


def is_feed_document(content: bytes) -> bool:
    """The body's root element is <rss>, <feed> or <rdf:RDF> (after any XML declaration,
    comments and doctype), or it is a JSON object naming a JSON Feed version. An XHTML
    page, which also opens with <?xml, is no feed."""
    head = content[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return JSON_FEED_VERSION in head.replace(b"\\/", b"/")
    root = _XML_ROOT.match(head)
    return root is not None and root.group(1).lower() in FEED_ROOTS


class NoFeedHere(ParseError):
    """A page that is no feed and advertises none: polling it again cannot help."""

    is_permanent = True


def discover_feed(http: FeedClient, url: str) -> str:
    """The feed URL to store for `url`: itself when it is a feed (or the target of its
    permanent redirects), else the first feed its page advertises."""
    fetched = http.fetch(url)
    if looks_like_feed(fetched.content, fetched.headers):
        return fetched.permanent_url or check_url(url)
    charset = "utf-8"
    content_type = fetched.headers.get("content-type", "")
    if "charset=" in content_type:
        charset = content_type.split("charset=", 1)[1].split(";")[0].strip().strip('"')
    try:
        html = fetched.content.decode(charset, errors="replace")
    # UnicodeError: 'undefined', 'punycode' and 'idna' are codecs that fail whatever
    # errors= says; a page may name them as its charset.
    except (LookupError, UnicodeError):
        html = fetched.content.decode("utf-8", errors="replace")
    links = feed_links(html, fetched.url)
    if not links:
        raise NoFeedHere(f"{url} is neither a feed nor a page that advertises one "
                         '(no <link rel="alternate" type="application/rss+xml">)')
    return check_url(links[0])
