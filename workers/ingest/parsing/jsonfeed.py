"""JSON Feed 1.0 and 1.1 (https://jsonfeed.org/version/1.1), which feedparser does not read.

1.1 renamed `author` to `authors` (a list); both are read, and every name of the list
signs the item. Types are checked, not trusted: a feed whose `id` is a number still
works, one whose `items` is not a list is no feed.
"""

from __future__ import annotations

import html
import json
from typing import Any

from workers.ingest.cleaning.media import media_kind
from workers.ingest.parsing.bodies import as_html, make_entry
from workers.ingest.parsing.normalise import absolute_url, byline, media_url
from workers.ingest.records import MediaItem, ParsedEntry, ParsedFeed


class NotAJsonFeed(Exception):
    pass


def looks_like_json(text: str, headers_content_type: str) -> bool:
    content_type = headers_content_type.lower()
    return "json" in content_type or text.lstrip()[:1] == "{"


def read_json_feed(text: str, url: str) -> ParsedFeed:
    try:
        document = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise NotAJsonFeed(f"invalid JSON: {error}") from error
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        raise NotAJsonFeed("JSON without an items list is not a JSON Feed")
    version = _str(document.get("version"))
    fmt = "json11" if version.rstrip("/").endswith("1.1") else "json10"
    feed_url = absolute_url(_str(document.get("feed_url")), url) or url
    # "If not specified in an item, then the top-level authors, if present, are the
    # authors of the item" (JSON Feed 1.1; 1.0 says the same of `author`).
    feed_author = _author(document)
    entries = tuple(entry for entry in (_item(item, feed_url, feed_author)
                                        for item in document["items"]
                                        if isinstance(item, dict)) if _has_content(entry))
    return ParsedFeed(title=_str(document.get("title")).strip(),
                      site_url=absolute_url(_str(document.get("home_page_url")), url),
                      entries=entries, format=fmt,
                      hub_url=_websub_hub(document.get("hubs"), url),
                      self_url=absolute_url(_str(document.get("feed_url")), url))


def _has_content(entry: ParsedEntry) -> bool:
    """An item whose title, link, texts and media were all missing or of the wrong type
    ({"title": ["list"], "url": ["x"], "content_html": {…}}) is no item (JSON Feed asks
    for content at least); stored, it would be an "Untitled" page leading nowhere."""
    return bool(entry.title.strip() or entry.link or entry.summary_html.strip()
                or entry.content_html.strip() or entry.media)


def _websub_hub(hubs: Any, url: str) -> str | None:
    """JSON Feed 1.1 `hubs`: the first of type WebSub."""
    for hub in hubs if isinstance(hubs, list) else []:
        if isinstance(hub, dict) and _str(hub.get("type")).strip().lower() == "websub":
            found = absolute_url(_str(hub.get("url")).strip(), url)
            if found:
                return found
    return None


def _str(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return ""


def _author(item: dict[str, Any]) -> str | None:
    """The named authors of an item or of the feed (`authors`, 1.0's `author`) as one
    byline ("Jo Park and Eli Stone"; normalise.byline caps how many are named)."""
    authors = item.get("authors")
    candidates = authors if isinstance(authors, list) else [item.get("author")]
    return byline(_str(author.get("name")) for author in candidates
                  if isinstance(author, dict))


def _media(item: dict[str, Any], base: str) -> list[MediaItem]:
    media: list[MediaItem] = []
    for key in ("image", "banner_image"):
        url = media_url(_str(item.get(key)), base)
        if url:
            media.append(MediaItem(url=url, kind="image"))
    attachments = item.get("attachments")
    for attachment in attachments if isinstance(attachments, list) else []:
        if not isinstance(attachment, dict):
            continue
        url = media_url(_str(attachment.get("url")), base)
        if url:
            mime = _str(attachment.get("mime_type")) or None
            media.append(MediaItem(url=url, kind=media_kind(url, mime), mime_type=mime,
                                   description=_str(attachment.get("title")) or None))
    return media


def _item(item: dict[str, Any], base: str, feed_author: str | None) -> ParsedEntry:
    link = absolute_url(_str(item.get("url")), base) or absolute_url(
        _str(item.get("external_url")), base)
    contents = [_str(item.get("content_html"))]
    if not contents[0] and _str(item.get("content_text")):
        contents = [as_html(_str(item.get("content_text")), "text")]
    tags = item.get("tags")
    return make_entry(
        guid=_str(item.get("id")) or None, link=link,
        title=html.escape(_str(item.get("title")), quote=False),   # plain text, by the spec
        author=_author(item) or feed_author, summary=as_html(_str(item.get("summary")), "text"),
        contents=contents, published=_str(item.get("date_published")) or None,
        updated=_str(item.get("date_modified")) or None,
        categories=[t for t in tags if isinstance(t, str)] if isinstance(tags, list) else [],
        media=_media(item, base))
