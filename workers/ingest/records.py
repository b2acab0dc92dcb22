"""Records that flow between ingest steps, named for their direction.

    SourceSnapshot (from storage) → FetchedFeed (from the network) → ParsedFeed with
    ParsedEntry (one model for every format) → CleanArticle → FeedUpdate (to storage)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from workers.ingest.freshness import PublisherHints


@dataclass(frozen=True, slots=True)
class SourceSnapshot:
    """What a poll needs to know about a source, read before any network I/O."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    section_id: int | None
    interval_minutes: int
    interval_override_minutes: int | None
    error_count: int
    last_new_entry_at: datetime | None


@dataclass(frozen=True, slots=True)
class FetchedFeed:
    """A successful HTTP answer (200 or 304), bytes already decompressed and capped."""

    status: int                      # 200 or 304
    url: str                         # the URL finally answered (after redirects)
    permanent_url: str | None        # set when every hop to it was 301/308
    content: bytes                   # empty on 304
    headers: Mapping[str, str]       # lower-cased names
    etag: str | None
    last_modified: str | None


@dataclass(frozen=True, slots=True)
class MediaItem:
    url: str
    kind: str                        # "image" | "video" | "audio" | "other"
    mime_type: str | None = None
    width: int | None = None
    height: int | None = None
    is_thumbnail: bool = False
    # What a media:content says of its own picture (Media RSS), as plain text: its
    # description (Mastodon writes an attachment's alt text there; beside a title, a
    # caption), its title (the alt text) and its credit (who took it).
    description: str | None = None
    title: str | None = None
    credit: str | None = None
    # A caption the item gives its pictures: a plain media:description directly under an
    # RSS item that has a description of its own (the New York Times' feeds). Media RSS
    # lets an item's media:title, media:description and media:credit speak for all its
    # media objects; those it says nothing of take the item's title and credit too.
    caption: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    """One entry as the feed gave it, whatever its format; HTML not yet sanitised."""

    guid: str | None
    link: str | None
    title: str                       # may carry HTML (Atom type="html"); clean makes it text
    author: str | None
    summary_html: str
    content_html: str
    published_at: datetime | None    # aware UTC, not yet clamped
    updated_at: datetime | None
    categories: tuple[str, ...] = ()
    media: tuple[MediaItem, ...] = ()
    # The xml:base in scope of the entry's bodies, absolute, when the document sets one:
    # relative URLs in them resolve against it (XML Base), not the entry's link.
    content_base: str | None = None
    # The outlet an RSS item says it came from (RSS 2.0 <source>), as the feed wrote it,
    # or the title of the feed an Atom entry was copied from (its <source>), as markup:
    # an aggregator's item (Google News, a planet) credits it (cleaning/credits.py).
    source_name: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedFeed:
    title: str
    site_url: str | None
    entries: tuple[ParsedEntry, ...]
    format: str                      # "rss20", "atom10", "rdf", "json11", …
    warnings: tuple[str, ...] = ()   # e.g. a malformed feed that still yielded entries
    # What the feed says about reuse (copyright, dc:rights, Atom rights, Creative Commons
    # license), one readable line each: suggestions for the admin, never applied.
    rights: tuple[str, ...] = ()
    hub_url: str | None = None       # WebSub hub the feed names (hubs.py), absolute
    self_url: str | None = None      # the feed's own canonical URL: the WebSub topic
    # The podcast's artwork (a channel-level itunes:image), absolute: the lead image of an
    # audio entry that names none (clean.py).
    artwork_url: str | None = None
    # Set when the charset the feed declared could not be the right one and the document
    # was read as another (charset.py): also among `warnings`; shown to admins.
    charset_warning: str | None = None


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """An entry ready to store: plain-text title, sanitised HTML, absolute URLs, UTC."""

    entry_key: str                   # guid, else link, else a hash of title and date
    entry_hash: str                  # sha256 hex of entry_key: the unique key per source
    url: str | None
    title: str
    author: str | None
    summary: str                     # plain text, about 300 characters
    content_html: str                # sanitised
    content_hash: str                # sha256 hex of what a reader would see change
    image_url: str | None
    image_alt: str | None            # what the lead image shows, for <img alt>
    image_caption: str | None        # the text printed under it, credit included
    video_url: str | None
    video_embed_url: str | None
    is_video: bool
    published_at: datetime
    updated_at: datetime | None
    tags: tuple[str, ...] = ()       # display names, already normalised
    section_id: int | None = None    # set by classify


@dataclass(frozen=True, slots=True)
class FeedUpdate:
    """Everything one poll decided, written to storage in one transaction."""

    source_id: int
    polled_at: datetime
    outcome: str                     # "ok" | "not_modified" | "failed" | "rate_limited" | "gone"
    articles: tuple[CleanArticle, ...] = ()
    new_url: str | None = None       # after a 301/308
    etag: str | None = None
    last_modified: str | None = None
    error: str | None = None         # readable reason, for admins
    retry_after: datetime | None = None
    feed_title: str | None = None
    site_url: str | None = None
    warnings: tuple[str, ...] = field(default_factory=tuple)
    charset_warning: str | None = None   # ParsedFeed.charset_warning
    is_permanent: bool = False       # a failure never worth retrying (blocked, invalid URL)
    rights_signals: tuple[str, ...] = ()   # ParsedFeed.rights
    fetch_seconds: float | None = None   # the HTTP exchange alone, for the metrics
    hub_url: str | None = None       # a WebSub hub the feed names, and its topic
    topic_url: str | None = None
    is_push: bool = False            # a body a hub delivered (no fetch, no validators)
    hints: PublisherHints | None = None  # how often the publisher asked us to come back
