"""Clean: parsed entries in, articles ready to store out.

Per entry: identity (entry key and hash), sanitised HTML with absolute URLs, a plain-text
title and summary, the author (and the outlet an aggregator's item credits), the lead
image, the video, UTC dates clamped to the poll time, tags.
Each HTML body goes through nh3 once; everything else reads nh3's output.
"""

from __future__ import annotations

import heapq
import html
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from hopper.text import is_visible, without_controls, without_invisibles
from hopper.widths import NAME_MAX, URL_MAX
from workers.ingest.cleaning.credits import credited, is_the_feed_itself, without_outlet
from workers.ingest.cleaning.media import (
    audio_player,
    feed_video,
    has_audio,
    lead_image,
    meaningful_alt,
    video_embed_url,
)
from workers.ingest.cleaning.sanitise import (
    figure_caption,
    first_image,
    leading_embed,
    leading_text,
    markup_from_plain_title,
    sanitise_html,
    summarise,
    text_from_markup,
    without_image,
)
from workers.ingest.parsing.normalise import (
    MAX_TAGS_PER_ENTRY,
    entry_key,
    is_web_url,
    link_identity,
    normalise_tags,
    sha256_hex,
)
from workers.ingest.records import CleanArticle, MediaItem, ParsedEntry, ParsedFeed

# A poll stores at most this many entries, the newest: a 20 MB archive of 75,000 items
# would otherwise take a worker past 850 MB (the 10,000-entry feed stays whole).
MAX_ENTRIES_PER_POLL = 10_000
IMAGE_ALT_MAX = 500
IMAGE_CAPTION_MAX = 500
UNTITLED_LENGTH = 100
# A headline, not a document: a hostile or broken feed's 4 MB "title" would otherwise be
# on every page, feed and API answer that lists it. Cut at a word, like a summary.
TITLE_MAX = 400
# Between a shared guid and the link that tells its entries apart: a space, which
# neither a URL nor a sane guid contains.
SHARED_KEY_SEPARATOR = " "


def newest_entries(feed: ParsedFeed, limit: int = MAX_ENTRIES_PER_POLL) -> ParsedFeed:
    """The feed with at most `limit` entries: the newest (an undated entry counts as new),
    in feed order, and a warning saying how many were left out."""
    if len(feed.entries) <= limit:
        return feed
    latest = datetime.max.replace(tzinfo=UTC)
    kept = set(heapq.nlargest(limit, range(len(feed.entries)), key=lambda index: (
        feed.entries[index].published_at or feed.entries[index].updated_at or latest)))
    entries = tuple(entry for index, entry in enumerate(feed.entries) if index in kept)
    warning = (f"the feed holds {len(feed.entries):,} entries; "
               f"only the newest {limit:,} were read")
    return replace(feed, entries=entries, warnings=(*feed.warnings, warning))


def with_tag_cap_warning(feed: ParsedFeed) -> ParsedFeed:
    """The feed with a warning when an entry names more tags than it keeps
    (MAX_TAGS_PER_ENTRY: the first ones stay), saying how many entries and how many tags
    the largest named; unchanged when none does."""
    counts = [len(normalise_tags(tag_names(entry), limit=None)) for entry in feed.entries
              if len(entry.categories) > MAX_TAGS_PER_ENTRY]
    over = [count for count in counts if count > MAX_TAGS_PER_ENTRY]
    if not over:
        return feed
    warning = (f"an entry names {over[0]:,} tags; only its first {MAX_TAGS_PER_ENTRY} were "
               "kept" if len(over) == 1 else
               f"{len(over):,} entries name more than {MAX_TAGS_PER_ENTRY} tags (up to "
               f"{max(over):,}); only the first {MAX_TAGS_PER_ENTRY} of each were kept")
    return replace(feed, warnings=(*feed.warnings, warning))


def tag_names(entry: ParsedEntry) -> Iterator[str]:
    """The entry's categories as tag names to normalise: text that may carry HTML, as an
    RSS title is (WordPress writes "Food &amp; Drink" inside CDATA, and "C++ <templates>"
    stays as written)."""
    return (text_from_markup(markup_from_plain_title(name)) for name in entry.categories)


def clean_entries(feed: ParsedFeed, *, base_url: str, now: datetime) -> list[CleanArticle]:
    """Every entry cleaned, in feed order, each entry key once (see `deduplicate`), after
    entries that only share a guid were keyed apart (`key_shared_guids_apart`); an entry
    with nothing to show (no title, text, media nor link: see `headline`) is none."""
    feed_title = text_from_markup(feed.title)
    cleaned = (clean_entry(entry, base_url=base_url, now=now, artwork_url=feed.artwork_url,
                           feed_title=feed_title)
               for entry in feed.entries)
    return deduplicate(key_shared_guids_apart([article for article in cleaned
                                               if article.title]))


def key_shared_guids_apart(articles: list[CleanArticle]) -> list[CleanArticle]:
    """Some CMSes put one id (the site's URL) in every item's guid: entries that share a
    key but link to different pages are different articles, so each is keyed by its
    key and its link. Only those groups change; a key carried by one link (an entry
    repeated or edited in place) stays as it is, as do the keys of every other feed."""
    links: dict[str, set[str]] = {}
    for article in articles:
        if article.url is not None:
            links.setdefault(article.entry_key, set()).add(article.url)
    return [_keyed(article, f"{article.entry_key}{SHARED_KEY_SEPARATOR}{article.url}")
            if article.url is not None and len(links[article.entry_key]) > 1 else article
            for article in articles]


def _keyed(article: CleanArticle, key: str) -> CleanArticle:
    return replace(article, entry_key=key, entry_hash=sha256_hex(key))


def clean_entry(entry: ParsedEntry, *, base_url: str, now: datetime,
                artwork_url: str | None = None, feed_title: str = "") -> CleanArticle:
    """`artwork_url` is the podcast's own (ParsedFeed.artwork_url); `feed_title` the
    feed's title as plain text (an outlet of that name is no other outlet)."""
    url = _capped_url(entry.link)
    # Relative URLs in an entry's HTML resolve against the xml:base the document sets
    # around it (XML Base, as feedparser does), else against the article page it was
    # copied from (as Miniflux does); the feed URL only when the entry has no link.
    content_base = entry.content_base or url or base_url
    content_html = sanitise_html(entry.content_html + audio_player(entry.media,
                                                                   entry.content_html),
                                 base_url=content_base)
    lead = _lead_image(entry, content_html, base_url=content_base)
    image_url = lead.url
    if image_url is None and has_audio(entry.media) and _capped_url(artwork_url):
        # An episode without art of its own shows the podcast's (never a blog post of
        # a feed that happens to carry podcast tags: only an entry with audio).
        image_url = artwork_url
    # The page shows the lead image above the body: never a second time inside it. Its
    # figcaption goes with it from the body, so it stays with the image as its caption.
    caption = _with_credit(figure_caption(content_html, image_url) or lead.caption,
                           lead.credit)
    content_html = without_image(content_html, image_url)
    summary = summarise(text_from_markup(entry.summary_html)
                        or without_invisibles(leading_text(content_html)))
    if not is_visible(summary):
        summary = ""
    outlet = _outlet(entry, feed_title)
    title = headline(entry, summary, [url, image_url], outlet=outlet)
    image_alt, image_caption = _said_once(lead.alt, caption, title)
    video_url, embed_url = feed_video(entry.media)
    embed_url = embed_url or video_embed_url(url) or leading_embed(content_html)
    published_at = min(entry.published_at or entry.updated_at or now, now)
    updated_at = min(entry.updated_at, now) if entry.updated_at else None
    # No control character in any stored text (PostgreSQL refuses NUL; ESC drives
    # terminals): titles, summaries, tags and bodies lose them in sanitise.py.
    key = without_controls(entry_key(entry))
    author = credited(without_controls(entry.author).strip() if entry.author else None,
                      outlet)
    return CleanArticle(
        entry_key=key,
        entry_hash=sha256_hex(key),
        url=url,
        title=title,
        author=author[:NAME_MAX] if author else None,
        summary=summary,
        content_html=content_html,
        content_hash=content_hash(title, content_html, summary, image_url, url,
                                  picture_words=(image_alt, image_caption)),
        image_url=image_url,
        image_alt=image_alt,
        image_caption=image_caption,
        video_url=_capped_url(video_url),
        video_embed_url=embed_url,
        is_video=bool(video_url or embed_url),
        published_at=published_at,
        updated_at=updated_at,
        tags=normalise_tags(tag_names(entry)),
    )


def headline(entry: ParsedEntry, summary: str, urls: list[str | None], *,
             outlet: str | None = None) -> str:
    """The entry's title as plain text, without the `outlet` it credits repeated at its
    end (credits.py); when it shows nothing (no title, only an <img>, only zero-width
    characters), the first words of its summary, else the last part of its link
    ("/2026/11/harbour-reopens/"), or the file name of its media (an untitled podcast
    episode without a page: "episode-12.mp3"), else a host. "" only for an entry with
    none of these, which is no article."""
    title = without_outlet(text_from_markup(entry.title), outlet)
    if is_visible(title):
        return summarise(title, TITLE_MAX)
    if summary:
        return summarise(summary, UNTITLED_LENGTH)
    link, *others = urls
    for url in [link, *(item.url for item in entry.media), *others]:
        name = _name_in_url(url)
        if name:
            return summarise(name, UNTITLED_LENGTH)
    return ""


def _outlet(entry: ParsedEntry, feed_title: str) -> str | None:
    """The outlet the entry credits (RSS or Atom <source>) as plain text: written like a
    title; none when it is the feed that carries the entry (credits.is_the_feed_itself)."""
    if not entry.source_name:
        return None
    name = text_from_markup(markup_from_plain_title(entry.source_name))
    if not is_visible(name) or is_the_feed_itself(name, feed_title):
        return None
    return name[:NAME_MAX]


def _name_in_url(url: str | None) -> str:
    """The last segment of the URL's path, decoded, else its host."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return ""
    segment = next((s for s in reversed(parts.path.split("/")) if s), "")
    name = text_from_markup(html.escape(unquote(segment), quote=False))
    return name if is_visible(name) else parts.hostname or ""


def content_hash(title: str, content_html: str, summary: str, image_url: str | None,
                 url: str | None, *,
                 picture_words: tuple[str | None, str | None] = (None, None)) -> str:
    """What a reader would see change; never dates or counters, which move on their own,
    nor a link's tracking or session parameters (normalise.link_identity), which may
    change at every poll. `picture_words` are the lead image's alt text and caption: a
    publisher who corrects only a caption or a credit changes the article too. An article
    whose picture has neither hashes as it did before they counted, so upgrading rewrites
    only the articles whose pictures have words, once (and without calling them updated:
    models/article_writes.py)."""
    link = link_identity(url) if url else ""
    fields = [title, content_html, summary, image_url or "", link]
    if any(picture_words):
        fields.extend(words or "" for words in picture_words)
    return sha256_hex("\x1f".join(fields))


def deduplicate(articles: list[CleanArticle]) -> list[CleanArticle]:
    """One article per entry key: feeds repeat entries (pagination glitches, edits
    appended). The most complete copy wins, in the place of the first; ties keep the
    first."""
    kept: dict[str, CleanArticle] = {}
    for article in articles:
        current = kept.get(article.entry_hash)
        if current is None or _completeness(article) > _completeness(current):
            kept[article.entry_hash] = article
    return list(kept.values())


def _completeness(article: CleanArticle) -> tuple[int, int, int]:
    return (len(article.content_html) + len(article.summary), int(article.url is not None),
            int(article.image_url is not None))


class LeadImage(NamedTuple):
    """The lead image and what its feed says of it, as plain text: what it shows (alt),
    the caption printed under it, and who took it (credit)."""

    url: str | None
    alt: str | None = None
    caption: str | None = None
    credit: str | None = None


def _lead_image(entry: ParsedEntry, content_html: str, *, base_url: str) -> LeadImage:
    """The feed's own image (media, enclosure), else the first real <img> of the content,
    else of the summary (sanitised only in that rare case: it is not stored as HTML)."""
    named = lead_image(entry.media)
    if named is not None and len(named.url) <= URL_MAX:
        return _named_lead(named)
    image = first_image(content_html)
    if image is None and "<img" in entry.summary_html.lower():
        image = first_image(sanitise_html(entry.summary_html, base_url=base_url))
    if image is not None and len(image.url) <= URL_MAX:
        # Already meaningful: the sanitiser's attribute filter kept no other alt text.
        return LeadImage(image.url, image.alt[:IMAGE_ALT_MAX] if image.alt else None)
    return LeadImage(None)


def _named_lead(item: MediaItem) -> LeadImage:
    """A media:content's texts: its title is the alt text and its description then the
    caption; without a title, its description is the alt text (Mastodon's attachments).
    A caption its item gives it (MediaItem.caption) is the caption it has not."""
    title, description, given = (meaningful_alt(without_controls(text or ""))
                                 for text in (item.title, item.description, item.caption))
    alt, caption = (title, description) if title else (description, None)
    caption = caption or given
    credit = " ".join(without_controls(item.credit or "").split())
    return LeadImage(item.url, alt[:IMAGE_ALT_MAX] if alt else None, caption,
                     credit[:NAME_MAX] or None)


# A credit that already says what it credits ("Photograph: AP", "© Reuters").
_NAMED_CREDIT = re.compile(r"^(?:photo|foto|image|picture|illustration|graphic|video|"
                           r"credit|courtesy|copyright|©|\(c\))", re.IGNORECASE)
_SENTENCE_END = (".", "!", "?", "…")


def _with_credit(caption: str | None, credit: str | None) -> str | None:
    """The caption with the picture's credit after it ("Firefighters at dawn. Photo:
    AP"), unless it already names it; the credit alone without a caption; at most
    IMAGE_CAPTION_MAX characters, the credit (at most NAME_MAX) whole."""
    if not credit or (caption and _says(caption, credit)):
        return caption[:IMAGE_CAPTION_MAX] if caption else None
    line = credit if _NAMED_CREDIT.match(credit) else f"Photo: {credit}"
    if not caption:
        return line[:IMAGE_CAPTION_MAX]
    joint = " " if caption.endswith(_SENTENCE_END) else ". "
    return f"{caption[:IMAGE_CAPTION_MAX - len(joint) - len(line)]}{joint}{line}"


def _said_once(alt: str | None, caption: str | None,
               title: str) -> tuple[str | None, str | None]:
    """The lead image's alt text and caption, each only where it says something new: the
    page reads the alt text out and prints the caption under the picture, after the
    headline. Neither repeats the headline (themes set a featured image's alt to the
    post's title); the alt text is left out when the caption already says it, and the
    caption when the alt text says all of it, whatever the case, spacing or closing
    full stop ("A cat on a sofa" and "A cat on a sofa.")."""
    alt, caption = (text if text and _folded(text) != _folded(title) else None
                    for text in (alt, caption))
    if alt and caption and _says(caption, alt):
        return None, caption
    if alt and caption and _says(alt, caption):
        return alt, None
    return alt, caption


_EDGE_PUNCTUATION = " .,:;!?-–—\"'“”‘’«»()"


def _says(text: str, words: str) -> bool:
    """Whether `text` says `words` whole (folded alike): "Photo: AP" names the credit
    "AP", "Flooding in Japan" does not."""
    return re.search(rf"(?<!\w){re.escape(_folded(words))}(?!\w)", _folded(text)) is not None


def _folded(text: str) -> str:
    """Text as a reader compares it: case, runs of spaces and the punctuation around it
    ignored."""
    return " ".join(text.casefold().split()).strip(_EDGE_PUNCTUATION)


def _capped_url(url: str | None) -> str | None:
    return url if url and len(url) <= URL_MAX and is_web_url(url) else None
