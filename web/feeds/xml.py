"""XML documents Hopper publishes — RSS 2.0 and sitemaps — built with ElementTree (a
real serialiser escapes every value; text is never concatenated into markup).

Characters XML 1.0 forbids (most C0 controls) would make the whole document unreadable,
so they are dropped from every value first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime

ATOM_NS = "http://www.w3.org/2005/Atom"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
NEWS_NS = "http://www.google.com/schemas/sitemap-news/0.9"
ET.register_namespace("atom", ATOM_NS)
ET.register_namespace("", SITEMAP_NS)
ET.register_namespace("news", NEWS_NS)

# XML 1.0 §2.2 Char: tab, newline, carriage return and everything from U+0020 except
# surrogates and U+FFFE/U+FFFF.
_NOT_XML_CHAR = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str | None) -> str:
    return _NOT_XML_CHAR.sub("", value or "")


@dataclass(frozen=True)
class FeedChannel:
    title: str
    link: str           # the site (or section) page, absolute
    self_url: str       # this feed, absolute
    description: str
    built_at: datetime


@dataclass(frozen=True)
class FeedItem:
    title: str
    link: str           # the article's page on this site, absolute
    description: str
    published_at: datetime
    category: str | None
    source_name: str
    source_url: str


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: datetime | None = None
    news_title: str | None = None           # set for the news extension
    news_published_at: datetime | None = None


def render_rss(channel: FeedChannel, items: list[FeedItem]) -> bytes:
    """An RSS 2.0 document (RSS Advisory Board profile: atom:link rel="self")."""
    rss = ET.Element("rss", {"version": "2.0"})
    head = ET.SubElement(rss, "channel")
    _text(head, "title", channel.title)
    _text(head, "link", channel.link)
    _text(head, "description", channel.description)
    _text(head, "language", "en")
    _text(head, "lastBuildDate", format_datetime(channel.built_at, usegmt=True))
    ET.SubElement(head, f"{{{ATOM_NS}}}link", {
        "href": xml_text(channel.self_url), "rel": "self", "type": "application/rss+xml"})
    for item in items:
        entry = ET.SubElement(head, "item")
        _text(entry, "title", item.title)
        _text(entry, "link", item.link)
        _text(entry, "guid", item.link).set("isPermaLink", "true")
        if item.description:
            _text(entry, "description", item.description)
        _text(entry, "pubDate", format_datetime(item.published_at, usegmt=True))
        if item.category:
            _text(entry, "category", item.category)
        _text(entry, "source", item.source_name).set("url", xml_text(item.source_url))
    return _document(rss)


def render_sitemap(site_name: str, urls: list[SitemapUrl]) -> bytes:
    """A sitemap (sitemaps.org 0.9) with Google's news extension where asked."""
    urlset = ET.Element(f"{{{SITEMAP_NS}}}urlset")
    for url in urls:
        element = ET.SubElement(urlset, f"{{{SITEMAP_NS}}}url")
        _text(element, f"{{{SITEMAP_NS}}}loc", url.loc)
        if url.lastmod is not None:
            _text(element, f"{{{SITEMAP_NS}}}lastmod", w3c_datetime(url.lastmod))
        if url.news_title is not None and url.news_published_at is not None:
            news = ET.SubElement(element, f"{{{NEWS_NS}}}news")
            publication = ET.SubElement(news, f"{{{NEWS_NS}}}publication")
            _text(publication, f"{{{NEWS_NS}}}name", site_name)
            _text(publication, f"{{{NEWS_NS}}}language", "en")
            _text(news, f"{{{NEWS_NS}}}publication_date", w3c_datetime(url.news_published_at))
            _text(news, f"{{{NEWS_NS}}}title", url.news_title)
    return _document(urlset)


def render_sitemap_index(locations: list[str]) -> bytes:
    """A sitemap index (sitemaps.org 0.9): the address of each child sitemap."""
    index = ET.Element(f"{{{SITEMAP_NS}}}sitemapindex")
    for location in locations:
        _text(ET.SubElement(index, f"{{{SITEMAP_NS}}}sitemap"), f"{{{SITEMAP_NS}}}loc", location)
    return _document(index)


def w3c_datetime(moment: datetime) -> str:
    """W3C Datetime (what sitemaps ask for), to the second."""
    return moment.replace(microsecond=0).isoformat()


def _text(parent: ET.Element, tag: str, value: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = xml_text(value)
    return element


def _document(root: ET.Element) -> bytes:
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
