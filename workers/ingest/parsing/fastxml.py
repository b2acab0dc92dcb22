"""The fast path: well-formed RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 0.3/1.0 read with lxml.

The parser never expands entities, never loads a DTD and never touches the network
(parse.py has already refused any DOCTYPE that declares entities). Anything this path is
not sure to read exactly as feedparser would raises `NotForFastPath`, and parse.py hands
the document to feedparser instead: broken XML, unknown roots, undefined entities, markup
nested unescaped inside RSS text elements.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from copy import deepcopy
from dataclasses import replace

from lxml import etree

from workers.ingest.cleaning.media import media_kind
from workers.ingest.cleaning.sanitise import markup_from_plain_title, rights_line
from workers.ingest.parsing.bodies import (
    as_html,
    decode_base64,
    make_entry,
    media_description_html,
    media_description_text,
    void_elements_as_html,
)
from workers.ingest.parsing.normalise import (
    absolute_url,
    guid_as_link,
    has_address,
    is_signed_by_several,
    media_url,
    resolve_id,
    signed_by,
)
from workers.ingest.records import MediaItem, ParsedEntry, ParsedFeed

ATOM10 = "http://www.w3.org/2005/Atom"
ATOM03 = "http://purl.org/atom/ns#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RSS10 = "http://purl.org/rss/1.0/"
RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
DCTERMS = "http://purl.org/dc/terms/"
# Media RSS under Yahoo's original namespace, and as the RSS Advisory Board republished it
# (Squarespace and many site generators declare that one).
MEDIA = ("http://search.yahoo.com/mrss/", "http://search.yahoo.com/mrss",
         "http://www.rssboard.org/media-rss", "http://www.rssboard.org/media-rss/")
XHTML = "http://www.w3.org/1999/xhtml"
CREATIVE_COMMONS = "http://backend.userland.com/creativeCommonsRssModule"
ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
# FeedBurner rewrites each item's link to its own click-counting redirect and keeps the
# article's address in feedburner:origLink, which is the link (as Miniflux reads it).
FEEDBURNER_ORIGINAL_LINK = "{http://rssnamespace.org/feedburner/ext/1.0}origLink"


class NotForFastPath(Exception):
    """The document needs feedparser's leniency; not an error of the feed as such."""


def _parser() -> etree.XMLParser:
    # A new parser per document: lxml parsers are not safe to share between threads.
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, remove_comments=True, remove_pis=True,
                           recover=False)


def read_xml(text: str, url: str) -> ParsedFeed:
    """`text` is the decoded document without its XML declaration."""
    try:
        # No base_url: element.base is then the document's own xml:base only, which is
        # what ids resolve against (normalise.resolve_id); links use `_base`.
        root = etree.fromstring(text, _parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise NotForFastPath(str(error)) from error
    return with_hub_links(_read_root(root, url), root, url)


def _read_root(root: etree._Element, url: str) -> ParsedFeed:
    tag = root.tag if isinstance(root.tag, str) else ""
    if tag == "rss":
        return _read_rss(root, url)
    if tag == f"{{{RDF}}}RDF":
        return _read_rdf(root, url)
    if tag in {f"{{{ATOM10}}}feed", f"{{{ATOM03}}}feed"}:
        return _read_atom(root, url, tag.startswith(f"{{{ATOM10}}}"))
    raise NotForFastPath(f"unknown root element {tag!r}")


def with_hub_links(feed: ParsedFeed, root: etree._Element, url: str) -> ParsedFeed:
    """The feed with the WebSub hub and self links of its feed-level `atom:link`s
    (W3C WebSub §4), in an Atom feed or an RSS/RDF channel."""
    head = next((element for element in (root.find("channel"), root.find(f"{{{RSS10}}}channel"))
                 if element is not None), root)
    links: dict[str, str] = {}
    for link in head.iterfind(f"{{{ATOM10}}}link"):
        href = absolute_url((link.get("href") or "").strip(), _base(link, url))
        for rel in (link.get("rel") or "").lower().split():
            if href and rel in {"hub", "self"}:
                links.setdefault(rel, href)
    if not links:
        return feed
    return replace(feed, hub_url=links.get("hub"), self_url=links.get("self"))


# -- shared element readers -----------------------------------------------------------------

def _text(element: etree._Element) -> str:
    """An element's text; nested markup means someone forgot to escape HTML (feedparser
    copes with that, so it gets the document)."""
    if len(element):
        raise NotForFastPath(f"markup inside <{etree.QName(element).localname}>")
    return element.text or ""


def _name(tag: str) -> tuple[str | None, str]:
    """An element's namespace (None without one) and local name from its tag, as
    etree.QName reads them, without building one: two QNames for each child of every
    entry were a good part of the cost of reading it."""
    if tag[:1] == "{":
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _is_media(tag: str, local: str) -> bool:
    """Whether `tag` names the Media RSS element `local` (media:title, media:description…)."""
    namespace, name = _name(tag)
    return namespace in MEDIA and name == local


def _base(element: etree._Element, url: str) -> str:
    """The base for links in `element`: its xml:base (itself relative to the document's
    URL), else the document's URL."""
    xml_base = element.base
    return absolute_url(xml_base, url) or url if xml_base else url


def _body_base(entry: etree._Element, ns: str, url: str) -> str | None:
    """The xml:base in scope of an Atom entry's content (else its summary), absolute, if
    the document sets one (Atom puts it on the content element itself, often)."""
    body = entry.find(f"{{{ns}}}content")
    if body is None:
        body = entry.find(f"{{{ns}}}summary")
    holder = entry if body is None else body
    return _base(holder, url) if holder.base else None


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _media_item(element: etree._Element, local: str, base: str) -> Iterator[MediaItem]:
    url = media_url(element.get("url"), base)
    if not url:
        return
    if local == "thumbnail":
        yield MediaItem(url=url, kind="image", width=_int(element.get("width")),
                        height=_int(element.get("height")), is_thumbnail=True)
    elif local == "content":
        mime = element.get("type")
        yield MediaItem(url=url, kind=media_kind(url, mime, element.get("medium")),
                        mime_type=mime, width=_int(element.get("width")),
                        height=_int(element.get("height")),
                        description=_own_text(element, "description"),
                        title=_own_text(element, "title"),
                        credit=_own_text(element, "credit"))


def _own_text(content: etree._Element, local: str) -> str | None:
    """The first media:description, media:title or media:credit inside a media:content
    (`local` names which), as plain text: what it says of its own picture (records.MediaItem).
    """
    element = next((child for child in content if isinstance(child.tag, str)
                    and _is_media(child.tag, local)), None)
    if element is None:
        return None
    return media_description_text(element.text or "", element.get("type"))


def _with_item_texts(media: list[MediaItem], item: etree._Element, *,
                     has_description: bool) -> list[MediaItem]:
    """The item's Media RSS objects with what the item says of them itself: a
    media:title, media:credit or media:description directly under the item (Media RSS
    1.5.1: item-level elements apply to all its media objects; an object's own win).
    The description is a caption only beside the item's own description, and as plain
    text: otherwise it is the item's body (`_with_media_description`). Enclosures are no
    Media RSS objects and are left as they are."""
    if not media:
        return media        # nothing to give the texts to: no need to look for them
    title, description, credit = (_own_text(item, local)
                                  for local in ("title", "description", "credit"))
    if description is not None and (not has_description or _is_html_typed(item)):
        description = None
    if title is None and description is None and credit is None:
        return media
    return [replace(m, title=m.title or title, credit=m.credit or credit,
                    caption=description) for m in media]


def _is_html_typed(item: etree._Element) -> bool:
    """Whether the item's own media:description (the first) says type="html"."""
    described = next((child for child in item if isinstance(child.tag, str)
                      and _is_media(child.tag, "description")), None)
    return described is not None and (described.get("type") or "").strip().lower() == "html"


def _media(element: etree._Element, base: str) -> Iterator[MediaItem]:
    """media:content and media:thumbnail, also inside media:group and media:content."""
    for child in element.iter(*(f"{{{ns}}}content" for ns in MEDIA),
                              *(f"{{{ns}}}thumbnail" for ns in MEDIA)):
        yield from _media_item(child, _name(child.tag)[1], base)


def _media_descriptions(element: etree._Element, *, only_html: bool = False) -> list[str]:
    """media:description, on its own or inside media:group / media:content, as HTML.
    feedparser reads it as one more description, so the fast path does too; Media RSS
    says it is plain text unless type="html" (YouTube's carry "<3" and line breaks).
    only_html: those typed html alone (see _rss_item)."""
    return [media_description_html(d.text or "", d.get("type"))
            for d in element.iter(*(f"{{{ns}}}description" for ns in MEDIA))
            if not only_html or (d.get("type") or "").strip().lower() == "html"]


def _with_media_description(summary: str, contents: list[str],
                            descriptions: list[str]) -> tuple[str, list[str]]:
    described = next((d for d in descriptions if d.strip()), "")
    if not described:
        return summary, contents
    if not summary:
        return described, contents
    return summary, contents if any(c.strip() for c in contents) else [described]


def _enclosure(url: str | None, mime: str | None, base: str) -> MediaItem | None:
    absolute = media_url(url, base)
    if not absolute:
        return None
    return MediaItem(url=absolute, kind=media_kind(absolute, mime), mime_type=mime)


def _ordered_media(media: list[MediaItem], enclosures: list[MediaItem]) -> list[MediaItem]:
    """Media RSS first (content, then thumbnails), then enclosures: lead_image's order."""
    return [*media, *enclosures]


# -- RSS 0.9x / 2.0 -------------------------------------------------------------------------

def _read_rss(root: etree._Element, url: str) -> ParsedFeed:
    channel = root.find("channel")
    if channel is None:
        raise NotForFastPath("rss without channel")
    version = (root.get("version") or "").strip()
    fmt = {"2.0": "rss20", "0.91": "rss091", "0.92": "rss092", "0.93": "rss093",
           "0.94": "rss094"}.get(version, "rss")
    title = markup_from_plain_title(channel.findtext("title") or "")
    site = absolute_url(channel.findtext("link"), _base(channel, url))
    entries = tuple(_rss_item(item, url) for item in channel.iterfind("item"))
    artwork = channel.find(f"{{{ITUNES}}}image")
    return ParsedFeed(title=title.strip(), site_url=site, entries=entries, format=fmt,
                      rights=_rights(channel, ("copyright", f"{{{DC}}}rights"),
                                     f"{{{CREATIVE_COMMONS}}}license"),
                      artwork_url=absolute_url(artwork.get("href"), _base(channel, url))
                      if artwork is not None else None)


def _rights(parent: etree._Element | None, rights_tags: tuple[str, ...],
            license_tag: str | None = None) -> tuple[str, ...]:
    """The feed's reuse statements, one line each (see records.ParsedFeed.rights)."""
    if parent is None:
        return ()
    # One statement, as feedparser keeps one: the first of copyright / dc:rights / rights.
    lines = [next((rights_line("rights", child.text) for child in parent
                   if child.tag in rights_tags and (child.text or "").strip()), "")]
    if license_tag is not None:
        lines.extend(rights_line("license", child.text)
                     for child in parent.iterfind(license_tag))
    return tuple(line for line in lines if line)


# Extension elements RSS 2.0 and RDF items share, and the field each fills (first wins).
ITEM_EXTENSION_FIELDS = {
    f"{{{CONTENT}}}encoded": "content",
    FEEDBURNER_ORIGINAL_LINK: "original_link",
    f"{{{DC}}}creator": "creator",
    f"{{{DC}}}title": "dc_title",
}
# Elements that date an item or entry, as feedparser files them: the last one of each
# kind wins, as it does in feedparser (each overwrites its `published` or `updated`).
# An RSS item's Atom or Dublin Core dates are its only dates in some feeds.
EXTENSION_DATES = {
    f"{{{DC}}}date": "updated",
    f"{{{DCTERMS}}}modified": "updated",
    f"{{{DCTERMS}}}issued": "published",
    f"{{{ATOM10}}}updated": "updated",
    f"{{{ATOM10}}}published": "published",
}
RSS_ITEM_DATES = {"pubDate": "published", "lastBuildDate": "updated", **EXTENSION_DATES}
# The elements that sign an RSS or RDF item, each one author (feedparser reads both alike).
SIGNING_TAGS = frozenset({"author", f"{{{DC}}}creator"})


def _signature(signers: list[str], single: str | None) -> str | None:
    """Everyone who signs an entry when several do (normalise.signed_by), else the one
    author as it is read alone (`single`)."""
    return signed_by(signers) if is_signed_by_several(signers) else single


def _item_signature(signers: list[str], single: str | None) -> str | None:
    """An RSS or RDF item's byline: the names of those who sign it without an e-mail
    address, all of them (several dc:creator: WordPress's Co-Authors Plus), else the one
    author as it is read alone. An address next to a name is left to `single`: feedparser
    cuts it at a four-letter domain ("ple (Name"), so only a lone one is read whole."""
    names = [signer for signer in signers if signer.strip() and not has_address(signer)]
    return signed_by(names) if names and len(signers) > 1 else single


def _rss_item(item: etree._Element, url: str) -> ParsedEntry:
    base = _base(item, url)
    fields: dict[str, str] = {}
    categories: list[str] = []
    media: list[MediaItem] = []
    enclosures: list[MediaItem] = []
    media_elements: list[etree._Element] = []
    guid: str | None = None
    guid_is_permalink = False
    dates: dict[str, str] = {}
    signers: list[str] = []
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in SIGNING_TAGS:
            signers.append(_text(child))
        if tag in RSS_ITEM_DATES:
            dates[RSS_ITEM_DATES[tag]] = _text(child)
        elif tag == "guid":
            guid_is_permalink = (child.get("isPermaLink") or "true").strip().lower() == "true"
            guid = resolve_id(_text(child), child.base) if guid_is_permalink else _text(child)
        elif tag in {"title", "link", "description", "author", "comments", "source"}:
            fields.setdefault(tag, _text(child))
        elif tag == "category" or tag == f"{{{DC}}}subject":
            categories.append(_text(child))
        elif tag == "enclosure":
            # `href` as feedparser reads it too, when there is no `url`.
            enclosure = _enclosure(child.get("url") or child.get("href"), child.get("type"),
                                   base)
            if enclosure:
                enclosures.append(enclosure)
        elif tag in ITEM_EXTENSION_FIELDS:
            fields.setdefault(ITEM_EXTENSION_FIELDS[tag], _text(child))
        elif tag == f"{{{ITUNES}}}summary":
            fields.setdefault("itunes_summary", _text(child))
        elif tag == f"{{{ITUNES}}}image":
            # An episode's own artwork: after the Media RSS thumbnails (lead_image's order).
            artwork = absolute_url(child.get("href"), base)
            if artwork:
                enclosures.append(MediaItem(url=artwork, kind="image", is_thumbnail=True))
        elif tag == f"{{{ATOM10}}}link" and (child.get("rel") or "").strip() == "enclosure":
            enclosure = _enclosure(child.get("href"), child.get("type"), base)
            if enclosure:
                enclosures.append(enclosure)
        elif (name := _name(tag))[0] in MEDIA:
            if name[1] == "title":
                fields.setdefault("media_title", _text(child))
            media.extend(_media(child, base) if name[1] == "group"
                         else _media_item(child, name[1], base))
            media_elements.append(child)
    # Beside the item's own description, a plain media:description is what feedparser
    # files as text/plain content, which lenient._contents drops: a picture's alt text
    # (Mastodon's attachments) or a caption, never the article the description is.
    description = _rss_description(fields)
    descriptions = [text for element in media_elements
                    for text in _media_descriptions(element, only_html=bool(description))]
    summary, contents = _with_media_description(
        description, [fields.get("content", "")], descriptions)
    media = _with_item_texts(media, item, has_description=bool(description.strip()))
    link = absolute_url(fields.get("original_link"), base) or (
        absolute_url(fields.get("link"), base) if fields.get("link", "").strip() else
        guid_as_link(guid, is_permalink=guid_is_permalink))
    return make_entry(
        # An item titled only by dc:title (or, as feedparser falls back, media:title).
        guid=guid, link=link, title=_rss_title(fields),
        author=_item_signature(signers, fields.get("creator") or fields.get("author")),
        summary=summary, contents=contents,
        published=dates.get("published"), updated=dates.get("updated"),
        categories=categories, media=_ordered_media(media, enclosures),
        content_base=base if item.base else None, source_name=fields.get("source"))


def _rss_description(fields: dict[str, str]) -> str:
    """The item's description, else its itunes:summary (plain text, as feedparser reads
    it): the only text many podcast hosts give an episode."""
    if fields.get("description", "").strip():
        return fields["description"]
    return as_html(fields.get("itunes_summary", ""), "text")


def _rss_title(fields: dict[str, str]) -> str:
    """The item's title, else its dc:title, else its media:title (feedparser's order)."""
    title = next((fields[key] for key in ("title", "dc_title", "media_title")
                  if fields.get(key, "").strip()), "")
    return markup_from_plain_title(title)


# -- RSS 1.0 (RDF) --------------------------------------------------------------------------

def _read_rdf(root: etree._Element, url: str) -> ParsedFeed:
    namespace = next((ns for ns in (RSS10, RSS090) if root.find(f"{{{ns}}}channel")
                      is not None or root.find(f"{{{ns}}}item") is not None), None)
    if namespace is None:
        raise NotForFastPath("RDF without an RSS 1.0 / 0.90 channel")
    channel = root.find(f"{{{namespace}}}channel")
    title = channel.findtext(f"{{{namespace}}}title") if channel is not None else ""
    site = absolute_url(channel.findtext(f"{{{namespace}}}link"), url) if channel is not None \
        else None
    entries = tuple(_rdf_item(item, namespace, url)
                    for item in root.iterfind(f"{{{namespace}}}item"))
    return ParsedFeed(title=markup_from_plain_title(title or "").strip(), site_url=site,
                      entries=entries, format="rss10" if namespace == RSS10 else "rss090",
                      rights=_rights(channel, (f"{{{DC}}}rights",)))


def _rdf_item(item: etree._Element, ns: str, url: str) -> ParsedEntry:
    base = _base(item, url)
    fields: dict[str, str] = {}
    categories: list[str] = []
    media: list[MediaItem] = []
    dates: dict[str, str] = {}
    signers: list[str] = []
    own_fields = {f"{{{ns}}}title", f"{{{ns}}}link", f"{{{ns}}}description"}
    for child in item:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        if tag in SIGNING_TAGS:
            signers.append(_text(child))
        if tag in EXTENSION_DATES:
            dates[EXTENSION_DATES[tag]] = _text(child)
        elif tag in own_fields:
            fields.setdefault(_name(tag)[1], _text(child))
        elif tag in ITEM_EXTENSION_FIELDS:
            fields.setdefault(ITEM_EXTENSION_FIELDS[tag], _text(child))
        elif tag == f"{{{DC}}}subject":
            categories.append(_text(child))
        elif (name := _name(tag))[0] in MEDIA:
            media.extend(_media(child, base) if name[1] == "group"
                         else _media_item(child, name[1], base))
    media = _with_item_texts(media, item,
                             has_description=bool(fields.get("description", "").strip()))
    return make_entry(
        guid=item.get(f"{{{RDF}}}about"),
        link=absolute_url(fields.get("original_link"), base) or absolute_url(fields.get("link"),
                                                                              base),
        title=_rss_title(fields), author=_item_signature(signers, fields.get("creator")),
        summary=fields.get("description", ""), contents=[fields.get("content", "")],
        published=dates.get("published"), updated=dates.get("updated"),
        categories=categories, media=media,
        content_base=base if item.base else None)


# -- Atom 1.0 (RFC 4287) and 0.3 ------------------------------------------------------------

def _atom_text(element: etree._Element, is_atom10: bool) -> str:
    """A text construct as feedparser reports it: text, html (escaped), or xhtml (the
    children of the wrapping div, serialised)."""
    kind = (element.get("type") or "text").strip().lower()
    mode = (element.get("mode") or "").strip().lower()
    if kind in {"xhtml", "application/xhtml+xml"} or mode == "xml":
        children = list(element)
        # RFC 4287 §3.1.1.3: the div wraps the content and is not part of it (Atom 1.0
        # only; feedparser keeps an Atom 0.3 div, and so do we).
        if is_atom10 and len(children) == 1 and children[0].tag == f"{{{XHTML}}}div" \
                and not (element.text or "").strip():
            holder = children[0]
        else:
            holder = element
        return void_elements_as_html(_serialise_children(holder))
    if len(element):
        raise NotForFastPath(f"markup inside a {kind} text construct")
    return element.text or ""


def _serialise_children(holder: etree._Element) -> str:
    copy = deepcopy(holder)
    for node in copy.iter():
        if isinstance(node.tag, str) and node.tag.startswith("{"):
            node.tag = etree.QName(node).localname
    etree.cleanup_namespaces(copy)
    # The holder's leading text is escaped as tostring escapes every tail: "&lt;blink&gt;"
    # inside an xhtml title is text, not a tag to drop.
    inner = html.escape(copy.text or "", quote=False) + "".join(
        etree.tostring(child, encoding="unicode", with_tail=True) for child in copy)
    return inner


def _atom_title(element: etree._Element, is_atom10: bool) -> str:
    """Titles stay markup for clean to turn into text; a type="text" title is escaped
    first, so "<3 & more" survives as written. A base64 title is decoded first, then read
    as its declared type (as feedparser reads it)."""
    title = _atom_text(element, is_atom10)
    if _atom_type(element, is_atom10) == "base64":
        title = decode_base64(title)
    kind = _declared_type(element, is_atom10)
    return html.escape(title, quote=False) if kind in {"text", "text/plain"} else title


def _declared_type(element: etree._Element, is_atom10: bool) -> str:
    return (element.get("type") or ("text" if is_atom10 else "text/plain")).strip().lower()


def _atom_type(element: etree._Element, is_atom10: bool) -> str:
    kind = _declared_type(element, is_atom10)
    mode = (element.get("mode") or "").strip().lower()
    if not is_atom10 and mode == "base64":
        return "base64"
    if not is_atom10 and mode == "xml":
        return "xhtml"
    if is_atom10 and not _is_text_or_xml(kind):
        return "base64"             # RFC 4287 §4.1.3.3: any other media type is base64
    return kind


def _is_text_or_xml(kind: str) -> bool:
    return kind in {"text", "html", "xhtml"} or kind.startswith("text/") \
        or kind.endswith(("+xml", "/xml"))


def _read_atom(root: etree._Element, url: str, is_atom10: bool) -> ParsedFeed:
    ns = ATOM10 if is_atom10 else ATOM03
    title_element = root.find(f"{{{ns}}}title")
    title = _atom_title(title_element, is_atom10) if title_element is not None else ""
    site = _alternate_link(root, ns, url)
    # RFC 4287 4.2.1: an entry without an author has the feed's (a one-writer blog names
    # its writer once, at the top).
    feed_author = _atom_authors(root, ns)
    entries = tuple(_atom_entry(entry, ns, is_atom10, url, feed_author)
                    for entry in root.iterfind(f"{{{ns}}}entry"))
    return ParsedFeed(title=title.strip(), site_url=site, entries=entries,
                      format="atom10" if is_atom10 else "atom03",
                      rights=_rights(root, (f"{{{ns}}}rights", f"{{{ns}}}copyright",
                                            f"{{{DC}}}rights")))


def _alternate_link(parent: etree._Element, ns: str, url: str) -> str | None:
    for link in parent.iterfind(f"{{{ns}}}link"):
        # An href, or (as feedparser reads it) the URL written as the element's text.
        href = link.get("href") or (link.text or "").strip()
        if (link.get("rel") or "alternate").strip() == "alternate" and href:
            return absolute_url(href, _base(link, url))
    return None


def _atom_author(author: etree._Element | None, ns: str) -> str | None:
    if author is None:
        return None
    name: str | None = author.findtext(f"{{{ns}}}name") or author.findtext(f"{{{ns}}}email")
    return name


def _atom_authors(parent: etree._Element | None, ns: str) -> str | None:
    """The authors of a feed or of an entry's source: all of them when there are several
    (normalise.signed_by), else the one."""
    if parent is None:
        return None
    authors = [_atom_author(author, ns) for author in parent.iterfind(f"{{{ns}}}author")]
    return _signature([a or "" for a in authors], authors[0] if authors else None)


def _atom_entry(entry: etree._Element, ns: str, is_atom10: bool, url: str,
                feed_author: str | None) -> ParsedEntry:
    base = _base(entry, url)
    guid: str | None = None
    title = ""
    author: str | None = None
    summary = ""
    contents: list[str] = []
    dates: dict[str, str] = {}
    categories: list[str] = []
    media: list[MediaItem] = []
    enclosures: list[MediaItem] = []
    descriptions: list[str] = []
    original_link: str | None = None
    outlet: etree._Element | None = None
    signers: list[str] = []
    for child in entry:
        tag = child.tag
        if not isinstance(tag, str):
            continue
        namespace, local = _name(tag)
        if namespace == ns:
            if local == "id":
                guid = guid or resolve_id(_text(child), child.base)
            elif local == "title":
                title = _atom_title(child, is_atom10)
            elif local == "summary":
                summary = as_html(_atom_text(child, is_atom10), _atom_type(child, is_atom10))
            elif local == "content" and not child.get("src"):
                contents.append(as_html(_atom_text(child, is_atom10),
                                        _atom_type(child, is_atom10)))
            elif local in {"published", "issued", "updated", "modified"}:
                dates["published" if local in {"published", "issued"} else "updated"] = \
                    _text(child)
            elif local == "author":
                signers.append(_atom_author(child, ns) or "")
                author = author or _atom_author(child, ns)
            elif local == "source" and outlet is None:
                outlet = child
            elif local == "category":
                term = child.get("term") if is_atom10 else (child.get("term") or child.text)
                if term:
                    categories.append(term)
            elif local == "link" and (child.get("rel") or "").strip() == "enclosure":
                enclosure = _enclosure(child.get("href"), child.get("type"), _base(child, url))
                if enclosure:
                    enclosures.append(enclosure)
        elif tag == f"{{{DC}}}subject":
            categories.append(_text(child))
        elif tag in EXTENSION_DATES and namespace != ns:
            dates[EXTENSION_DATES[tag]] = _text(child)
        elif tag == f"{{{DC}}}creator":
            signers.append(_text(child))
            author = author or _text(child)
        elif tag == FEEDBURNER_ORIGINAL_LINK:
            original_link = original_link or absolute_url(_text(child).strip(), base)
        elif namespace in MEDIA:
            media.extend(_media(child, base) if local == "group"
                         else _media_item(child, local, base))
            descriptions.extend(_media_descriptions(child))
    summary, contents = _with_media_description(summary, contents, descriptions)
    source_title = outlet.find(f"{{{ns}}}title") if outlet is not None else None
    return make_entry(
        guid=guid, link=original_link or _alternate_link(entry, ns, base), title=title,
        # RFC 4287 4.2.1: no author of its own, the source's (the feed it was copied
        # from), else the feed's.
        author=_signature(signers, author) or _atom_authors(outlet, ns) or feed_author,
        summary=summary, contents=contents, published=dates.get("published"),
        updated=dates.get("updated"), categories=categories,
        media=_ordered_media(media, enclosures), content_base=_body_base(entry, ns, url),
        # An entry copied from another feed (a planet, a reading list) credits the feed
        # it came from, as an RSS item's <source> does (RFC 4287 4.2.11).
        source_name=_atom_title(source_title, is_atom10) if source_title is not None
        else None)
