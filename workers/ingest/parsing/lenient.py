"""The fallback: feedparser, for documents the fast path will not read (broken XML, HTML
entities without a DTD, unescaped markup, unusual dialects).

feedparser gets bytes we already decoded and re-encoded as UTF-8 (so both paths agree on
the characters), never a str: `feedparser.parse(str)` treats a string as a URL or a file
name. Its own sanitiser and URI resolver are off: nh3 does both later, for every path.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

import feedparser

from workers.ingest.cleaning.media import media_kind
from workers.ingest.cleaning.sanitise import markup_from_plain_title, rights_line
from workers.ingest.parsing.bodies import (
    as_html,
    make_entry,
    media_description_text,
    void_elements_as_html,
)
from workers.ingest.parsing.normalise import (
    absolute_url,
    guid_as_link,
    has_address,
    is_signed_by_several,
    media_url,
    signed_by,
)
from workers.ingest.records import MediaItem, ParsedEntry, ParsedFeed

_RSS_VERSIONS = {"rss090", "rss091n", "rss091u", "rss092", "rss093", "rss094", "rss20",
                 "rss10", "rss"}
_FORMATS = {"rss091n": "rss091", "rss091u": "rss091", "rss10": "rss10", "rss090": "rss090"}


class NotAFeed(Exception):
    """feedparser found no feed in the document."""


def read_leniently(text: str, url: str) -> tuple[ParsedFeed, str | None]:
    """The feed and, when the XML was broken, a readable warning."""
    try:
        result = feedparser.parse(
            with_item_texts_on_its_media(
                with_texts_on_their_media(with_typed_media_descriptions(text)))
            .encode("utf-8"),
            # No content-location: feedparser resolves ids against the document's URL when
            # it knows it; ours resolve against xml:base only (normalise.resolve_id).
            response_headers={"content-type": "application/xml; charset=utf-8"},
            resolve_relative_uris=False, sanitize_html=False)
    except Exception as error:
        # feedparser reads whatever a publisher wrote, and some of it makes its parsers
        # raise rather than report (a reference to no character did, before
        # references.py): that is this document's failure to parse, not ours.
        raise NotAFeed(f"feedparser could not read the document "
                       f"({type(error).__name__}: {error})") from error
    version = result.get("version") or ""
    if not version and not result.entries:
        reason = result.get("bozo_exception")
        raise NotAFeed(f"not a feed ({reason})" if reason else "not a feed")
    is_rss = version in _RSS_VERSIONS or version.startswith("rss")
    feed = result.get("feed", {})
    # An Atom entry without an author has the feed's (RFC 4287 4.2.1), as on the fast path.
    feed_author = _feed_author(feed) if version.startswith("atom") else None
    # feedparser reads a document that is not well-formed XML with its loose parser,
    # which leaves the XML escapes in the values it does not treat as text constructs.
    is_loose = bool(result.get("bozo")) and not isinstance(
        result.get("bozo_exception"), feedparser.CharacterEncodingOverride)
    entries = tuple(_entry(e, url, is_rss=is_rss, feed_author=feed_author,
                           is_loose=is_loose) for e in result.entries)
    warning = None
    if is_loose:
        warning = f"malformed feed read leniently: {result.get('bozo_exception')}"
        if entries and is_cut_off_in_an_entry(text):
            entries = entries[:-1]
            warning += "; the document stops inside its last entry, which is left out"
    parsed = ParsedFeed(
        title=_title(feed, is_rss=is_rss).strip(),
        site_url=absolute_url(_alternate(feed.get("links", [])), url),
        entries=entries,
        format=_FORMATS.get(version, version or "unknown"),
        rights=_rights(feed),
        hub_url=absolute_url(_link(feed.get("links", []), "hub"), url),
        self_url=absolute_url(_link(feed.get("links", []), "self"), url),
        artwork_url=_artwork(feed, url))
    return parsed, warning


_ENTRY_START = re.compile(r"<(?:[\w.-]+:)?(?:item|entry)[\s/>]")
_ENTRY_END = re.compile(r"</(?:[\w.-]+:)?(?:item|entry)\s*>")
_ROOT_END = re.compile(r"</(?:[\w.-]+:)?(?:rss|feed|rdf)\s*>", re.IGNORECASE)


def is_cut_off_in_an_entry(text: str) -> bool:
    """Whether the document stops inside its last entry: that entry opened after the last
    one closed, and the root element never closes. A download cut short (a server that
    died mid-write, a CMS rewriting its cached feed while serving it) reads that way, and
    feedparser hands back what came before the cut as an entry: a headline cut in two,
    or an article whose body, image or link was never reached. Left out, it is stored as
    it was and comes back whole with the next poll; stored, it would replace the whole
    article (or be stored as a new one under a cut title)."""
    last_start = max((m.start() for m in _ENTRY_START.finditer(text)), default=-1)
    last_end = max((m.start() for m in _ENTRY_END.finditer(text)), default=-1)
    return last_start > last_end and not _ROOT_END.search(text, last_start)


def _artwork(feed: Any, url: str) -> str | None:
    """The channel's itunes:image. feedparser keeps it and the RSS <image> (logo) in one
    `image`; the RSS image always has a title and a link, the iTunes one only an href."""
    image = feed.get("image") or {}
    if "title" in image or "link" in image:
        return None
    return absolute_url(image.get("href"), url)


_MEDIA_RSS_PREFIX = re.compile(
    r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*["']http://search\.yahoo\.com/mrss/?["']""")
_RSS_BOARD_MEDIA = re.compile(
    r"""(xmlns:[A-Za-z_][\w.-]*\s*=\s*["'])http://www\.rssboard\.org/media-rss/?(["'])""")


def with_typed_media_descriptions(text: str) -> str:
    """The document with type="plain" written on every media:description that names no
    type: Media RSS makes plain text the default, feedparser assumes HTML (and there is no
    telling its result apart from an RSS description's afterwards). The fast path reads
    them the same way (bodies.media_description_html). Media RSS declared under the RSS
    Advisory Board's namespace is declared under Yahoo's, the only one feedparser knows
    (fastxml.MEDIA reads both)."""
    if "rssboard.org/media-rss" in text:
        text = _RSS_BOARD_MEDIA.sub(r"\1http://search.yahoo.com/mrss/\2", text)
    if "search.yahoo.com/mrss" not in text:
        return text
    for prefix in set(_MEDIA_RSS_PREFIX.findall(text)):
        untyped = re.compile(rf"<{re.escape(prefix)}:description(?=[\s/>])(?![^>]*\stype\s*=)")
        text = untyped.sub(f'<{prefix}:description type="plain"', text)
    return text


# feedparser files a media:description as the entry's content and a media:title as the
# entry's title, whichever media:content they sit in, and a media:credit with the entry:
# the picture each belongs to is lost. Copied into attributes of that media:content,
# which feedparser keeps, they stay with their picture.
OWN_ELEMENTS = ("description", "title", "credit")
ATTRIBUTE_PREFIX = "data-hopper-"
_CDATA = re.compile(r"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)
_TYPE = re.compile(r"""\stype\s*=\s*["']([^"']*)["']""")


def own_attribute(element: str) -> str:
    """The attribute of a media:content that holds the text of its `element`."""
    return f"{ATTRIBUTE_PREFIX}{element}"


def own_type_attribute(element: str) -> str:
    """The attribute of a media:content that holds the type its `element` declared."""
    return f"{ATTRIBUTE_PREFIX}{element}-type"


def with_texts_on_their_media(text: str) -> str:
    """The document with each media:content that holds a media:description, media:title
    or media:credit carrying their texts and types in attributes (`own_attribute`):
    Mastodon's alt text for each attachment, a picture's caption, alt text and credit,
    as the fast path reads them (fastxml._own_text)."""
    if "search.yahoo.com/mrss" not in text or not any(f":{element}" in text
                                                       for element in OWN_ELEMENTS):
        return text
    for prefix in set(_MEDIA_RSS_PREFIX.findall(text)):
        name = re.escape(prefix)
        content = re.compile(rf"<{name}:content\b([^<>]*?)(?<!/)>"
                             rf"((?:(?!</?{name}:content\b).)*?)</{name}:content\s*>", re.DOTALL)
        bounds = {element: (re.compile(rf"<{name}:{element}\b([^<>]*?)(?<!/)>"),
                            re.compile(rf"</{name}:{element}\s*>"))
                  for element in OWN_ELEMENTS}
        text = content.sub(partial(_described, bounds=bounds, prefix=prefix), text)
    return text


def _described(content: re.Match[str], *,
               bounds: dict[str, tuple[re.Pattern[str], re.Pattern[str]]],
               prefix: str) -> str:
    """One media:content with its own elements' texts in attributes (a feed that writes
    such attributes itself is left as it is)."""
    if ATTRIBUTE_PREFIX in content.group(1):
        return content.group(0)
    attributes = "".join(_as_attributes(element, content.group(2), start, end)
                         for element, (start, end) in bounds.items())
    if not attributes:
        return content.group(0)
    return (f"<{prefix}:content{content.group(1)}{attributes}>{content.group(2)}"
            f"</{prefix}:content>")


def _as_attributes(element: str, inner: str, start: re.Pattern[str],
                   end: re.Pattern[str]) -> str:
    """The first `element` of a media:content's `inner` text as attributes, "" when it
    holds none. Its end is looked for once, after its start (linear on hostile input)."""
    opened = start.search(inner)
    closed = end.search(inner, opened.end()) if opened else None
    if opened is None or closed is None:
        return ""
    # As an attribute value: CDATA escaped as text would be, no bare double quote, and no
    # "<" (markup nested unescaped in the element would break the attribute).
    value = _CDATA.sub(lambda cdata: html.escape(cdata.group(1), quote=False),
                       inner[opened.end():closed.start()])
    value = value.replace('"', "&quot;").replace("<", "&lt;")
    kind = _TYPE.search(opened.group(1))
    type_attribute = f' {own_type_attribute(element)}="{html.escape(kind.group(1))}"' \
        if kind else ""
    return f' {own_attribute(element)}="{value}"{type_attribute}'


def item_attribute(element: str) -> str:
    """The attribute of a media:content or media:thumbnail that holds the text of its
    item's own `element` (`with_item_texts_on_its_media`)."""
    return own_attribute(f"item-{element}")


_ITEM_START = re.compile(r"<item\b[^<>]*(?<!/)>")
_ITEM_END = re.compile(r"</item\s*>")


def with_item_texts_on_its_media(text: str) -> str:
    """The document with the media:title, media:description and media:credit written
    directly under an RSS item copied into attributes (`item_attribute`) of each of its
    media:content and media:thumbnail elements: feedparser files them with the entry,
    where they cannot be told from those of its media; the fast path reads them from
    the item (fastxml._with_item_texts)."""
    if "search.yahoo.com/mrss" not in text or "<item" not in text \
            or not any(f":{element}" in text for element in OWN_ELEMENTS):
        return text
    for prefix in set(_MEDIA_RSS_PREFIX.findall(text)):
        name = re.escape(prefix)
        # Whole media:content, then media:group elements: what is inside them is theirs.
        # (Each scan stops at the next start of its kind: linear on hostile input.)
        theirs = [re.compile(rf"<{name}:{element}\b[^<>]*?(?<!/)>"
                             rf"(?:(?!</?{name}:{element}\b).)*?</{name}:{element}\s*>",
                             re.DOTALL) for element in ("content", "group")]
        objects = re.compile(rf"<{name}:(?:content|thumbnail)\b")
        bounds = {element: (re.compile(rf"<{name}:{element}\b([^<>]*?)(?<!/)>"),
                            re.compile(rf"</{name}:{element}\s*>"))
                  for element in OWN_ELEMENTS}
        pieces: list[str] = []
        done = 0
        for start, end in _items(text):
            inner = text[start:end]
            own = theirs[1].sub("", theirs[0].sub("", inner))
            # The description is a caption only beside the item's own (feedparser makes
            # it the summary of an item without one): fastxml._with_item_texts.
            attributes = "".join(_as_attributes(f"item-{element}", own, *bounds[element])
                                 for element in OWN_ELEMENTS
                                 if element != "description" or _is_described(own))
            if not attributes or ATTRIBUTE_PREFIX + "item-" in inner:
                continue
            pieces += [text[done:start],
                       objects.sub(partial(_followed_by, extra=attributes), inner)]
            done = end
        text = "".join(pieces) + text[done:]
    return text


def _followed_by(tag: re.Match[str], *, extra: str) -> str:
    return tag.group(0) + extra


_DESCRIPTION_START = {name: re.compile(rf"<{name}\b[^<>]*?(?<!/)>")
                      for name in ("description", "itunes:summary")}


def _is_described(item: str) -> bool:
    """Whether an item's text (its media elements taken out) has a description of its
    own that says something, else an itunes:summary (fastxml._rss_description)."""
    for name, start in _DESCRIPTION_START.items():
        opened = start.search(item)
        closed = item.find(f"</{name}", opened.end()) if opened else -1
        if opened is not None and closed >= 0:
            inner = item[opened.end():closed].replace("<![CDATA[", "").replace("]]>", "")
            if inner.strip():
                return True
    return False


def _items(text: str) -> Iterator[tuple[int, int]]:
    """Where the inside of each RSS item starts and ends: from the last item start before
    each item end (items do not nest), in one pass over each, so a document of unclosed
    items costs no more than a well-formed one."""
    starts = [match.end() for match in _ITEM_START.finditer(text)]
    following = 0
    for end in (match.start() for match in _ITEM_END.finditer(text)):
        latest = None
        while following < len(starts) and starts[following] <= end:
            latest = starts[following]
            following += 1
        if latest is not None:
            yield latest, end


def _link(links: list[Any], rel: str) -> str | None:
    """The first feed-level link with `rel` (WebSub's hub and self, W3C WebSub §4)."""
    for link in links:
        if rel in (link.get("rel") or "").lower().split() and link.get("href"):
            return str(link["href"]).strip()
    return None


def _detail(element: Any, key: str) -> Any:
    """feedparser's `<key>_detail` (the type of `key`), when it belongs to `key`.

    feedparser keeps an entry's outermost `title` or `summary` but lets every nested
    element of the same name overwrite the detail: Google's Cloud blog nests `<author>
    <name/><title>job title</title></author>` in each item, and that job title would
    become the headline. A detail whose value is not the entry's is nobody's."""
    detail = element.get(f"{key}_detail") or {}
    return detail if key not in element or detail.get("value") == element[key] else {}


def _title(element: Any, *, is_rss: bool) -> str:
    title_detail = _detail(element, "title")
    title = element.get("title", title_detail.get("value", "")) or ""
    if is_rss:      # RSS never says whether a title is HTML: see fastxml._rss_title
        return markup_from_plain_title(title)
    if title_detail.get("type") == "application/xhtml+xml":
        return void_elements_as_html(title)
    if title_detail.get("type") == "text/plain" and not is_rss:
        return html.escape(title, quote=False)    # Atom type="text": see fastxml._atom_title
    return title


def _rights(feed: Any) -> tuple[str, ...]:
    """feedparser keeps one `rights` (copyright, dc:rights, Atom rights) and one
    Creative Commons `license`: see fastxml._rights for the fast path's lines."""
    lines = []
    rights = feed.get("rights_detail") or {}
    if rights.get("value"):
        lines.append(rights_line("rights", rights["value"]))
    if feed.get("license"):
        lines.append(rights_line("license", feed["license"]))
    return tuple(line for line in lines if line)


def _alternate(links: list[Any]) -> str | None:
    for link in links:
        if (link.get("rel") or "alternate") == "alternate" and link.get("href"):
            return str(link["href"])
    return None


def _text_construct(detail: Any, fallback: str) -> str:
    """feedparser's value for a text construct, made HTML the way the fast path does."""
    if not detail:
        return as_html(fallback, "html") if fallback else ""
    value = detail.get("value") or ""
    kind = detail.get("type") or "text/html"
    if kind == "application/xhtml+xml":
        return void_elements_as_html(value)
    return as_html(value, kind)


def _summary(entry: Any) -> str:
    """feedparser copies the content into `summary` when there is none: that is no
    summary (and its copy may carry a different type)."""
    summary = entry.get("summary", "")
    if any(summary == c.get("value") for c in entry.get("content", [])):
        return ""
    return _text_construct(_detail(entry, "summary"), summary)


def _contents(entry: Any, *, is_rss: bool) -> list[str]:
    """The entry's declared contents. feedparser files a second `<description>` of an RSS
    item as content, typed text/plain (the type RSS's own content, content:encoded, never
    has): a teaser nested in the item (Google's `<og><description>`) or a repeat, never
    the article, so it is no content."""
    contents = entry.get("content", [])
    if is_rss and entry.get("summary"):
        contents = [c for c in contents if c.get("type") != "text/plain"]
    return [_text_construct(c, c.get("value", "")) for c in contents]


def _media(entry: Any, base: str, *, is_loose: bool) -> list[MediaItem]:
    items: list[MediaItem] = []
    for content in entry.get("media_content", []):
        url = media_url(content.get("url"), base)
        if url:
            items.append(MediaItem(url=url, kind=media_kind(url, content.get("type"),
                                                            content.get("medium")),
                                   mime_type=content.get("type"),
                                   width=_int(content.get("width")),
                                   height=_int(content.get("height")),
                                   description=_own_text(content, "description",
                                                         is_loose=is_loose),
                                   title=_own_text(content, "title", is_loose=is_loose),
                                   credit=_own_text(content, "credit", is_loose=is_loose)))
            items[-1] = _with_item_texts(items[-1], content, is_loose=is_loose)
    for thumbnail in entry.get("media_thumbnail", []):
        url = media_url(thumbnail.get("url"), base)
        if url:
            items.append(_with_item_texts(
                MediaItem(url=url, kind="image", width=_int(thumbnail.get("width")),
                          height=_int(thumbnail.get("height")), is_thumbnail=True),
                thumbnail, is_loose=is_loose))
    for link in entry.get("links", []):
        if (link.get("rel") or "").strip() == "enclosure":   # as fastxml reads rel
            url = media_url(link.get("href"), base)
            if url:
                items.append(MediaItem(url=url, kind=media_kind(url, link.get("type")),
                                       mime_type=link.get("type")))
    artwork = absolute_url((entry.get("image") or {}).get("href"), base)   # itunes:image
    if artwork:
        items.append(MediaItem(url=artwork, kind="image", is_thumbnail=True))
    return items


def _with_item_texts(item: MediaItem, attributes: Any, *, is_loose: bool) -> MediaItem:
    """A media object with the title, credit and caption its RSS item gives it
    (`with_item_texts_on_its_media`), as the fast path reads them."""
    title, description, credit = (_own_text(attributes, f"item-{element}", is_loose=is_loose)
                                  for element in ("title", "description", "credit"))
    kind = (attributes.get(own_type_attribute("item-description")) or "").strip().lower()
    if kind == "html":      # the item's body, perhaps: fastxml._with_item_texts
        description = None
    if title is None and description is None and credit is None:
        return item
    return replace(item, title=item.title or title, credit=item.credit or credit,
                   caption=description)


def _own_text(content: Any, element: str, *, is_loose: bool) -> str | None:
    """The media:description, media:title or media:credit (`element`) a media:content
    held (`with_texts_on_their_media`), as plain text."""
    value = content.get(own_attribute(element))
    if not value:
        return None
    return media_description_text(html.unescape(value) if is_loose else value,
                                  content.get(own_type_attribute(element)))


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _feed_author(feed: Any) -> str | None:
    detail = feed.get("author_detail") or {}
    return _several_authors(feed) or detail.get("name") or detail.get("email") or None


def _several_authors(element: Any, *, is_rss: bool = False) -> str | None:
    """Everyone who signs a feed, entry or source when several do (feedparser's `authors`:
    atom:author, dc:creator, RSS author), as the fast path reads them
    (normalise.signed_by; an RSS item's as fastxml._item_signature); None for one author
    or none."""
    authors = element.get("authors") or []
    if is_rss:
        names = [author.get("name") or "" for author in authors if not author.get("email")
                 and not has_address(author.get("name") or "")]
        named = [name for name in names if name.strip()]
        return signed_by(named) if named and len(authors) > 1 else None
    written = [author.get("name") or author.get("email") or "" for author in authors]
    return signed_by(written) if is_signed_by_several(written) else None


def _entry(entry: Any, url: str, *, is_rss: bool, feed_author: str | None,
           is_loose: bool) -> ParsedEntry:
    guid = entry.get("id") or None
    # feedburner:origLink before FeedBurner's redirect (fastxml.FEEDBURNER_ORIGINAL_LINK).
    link = absolute_url((entry.get("feedburner_origlink") or "").strip(), url) or next(
        (absolute_url(link.get("href"), url) for link in entry.get("links", [])
         if (link.get("rel") or "").strip() == "alternate" and link.get("href")), None)
    if link is None and is_rss and entry.get("guidislink"):
        link = guid_as_link(guid, is_permalink=True)
    detail = entry.get("author_detail") or {}
    # RFC 4287 4.2.1: an Atom entry without an author has its source's, then the feed's.
    source_author = None if is_rss else _feed_author(entry.get("source") or {})
    return make_entry(
        guid=guid, link=link, title=_title(entry, is_rss=is_rss),
        # The raw string, not author_detail: feedparser's e-mail pattern stops at four-letter
        # top-level domains and cuts "w@v.example (Name)" into the name "ple (Name".
        author=_several_authors(entry, is_rss=is_rss) or entry.get("author") or detail.get("name")
        or detail.get("email") or source_author or feed_author,
        summary=_summary(entry),
        contents=_contents(entry, is_rss=is_rss),
        # dict.get: FeedParserDict would answer "updated" with the published date.
        published=dict.get(entry, "published"), updated=dict.get(entry, "updated"),
        categories=[t.get("term") or "" for t in entry.get("tags", [])],
        media=_media(entry, url, is_loose=is_loose), content_base=_body_base(entry, url),
        source_name=_source_name(entry, is_rss=is_rss, is_loose=is_loose))


def _source_name(entry: Any, *, is_rss: bool, is_loose: bool) -> str | None:
    """The outlet an RSS item names in <source>, as the fast path reads it (unescaped
    once by an XML parser); the title of the feed an Atom entry was copied from (its
    <source>), a text construct like any Atom title."""
    source = entry.get("source") or {}
    if not is_rss:
        return _title(source, is_rss=False) or None if "title" in source else None
    name = source.get("title")
    return html.unescape(name) if name and is_loose else name


def _body_base(entry: Any, url: str) -> str | None:
    """The xml:base feedparser saw around the entry's content (else its summary), when
    the document sets one (feedparser's own resolver is off, see read_leniently)."""
    contents = entry.get("content") or []
    holder = contents[0] if contents else (entry.get("summary_detail") or {})
    base = holder.get("base") or ""
    return absolute_url(base, url) or None if base else None
