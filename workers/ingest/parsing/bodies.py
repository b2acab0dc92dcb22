"""The one model every parser fills: which text is the summary, which the content, and
how feed text constructs (RFC 4287 §3.1: text, html, xhtml) become HTML.

Both XML paths and JSON Feed call these, so they agree on what an entry says.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
from collections.abc import Iterable

from workers.ingest.cleaning.sanitise import escape_text, sub_tags, text_from_markup
from workers.ingest.parsing.normalise import author_name, collapse_whitespace, parse_date
from workers.ingest.records import MediaItem, ParsedEntry

_VOID_CLOSERS = re.compile(r"<(area|br|col|hr|img|input|source|track|wbr)\b([^>]*?)\s*/?>\s*</\1>",
                           re.IGNORECASE)
_SELF_CLOSED_VOID = re.compile(r"<(area|br|col|hr|img|input|source|track|wbr)\b([^>]*?)\s*/>",
                               re.IGNORECASE)


def as_html(value: str, content_type: str | None) -> str:
    """A text construct as HTML. Plain text is escaped, never trusted as markup."""
    kind = (content_type or "text").strip().lower()
    if kind in {"html", "text/html", "xhtml", "application/xhtml+xml"} or kind.endswith("+xml") \
            or kind.endswith("/xml"):
        return value
    if kind == "base64":  # Atom 0.3 mode="base64": decoded, then read as HTML
        return decode_base64(value)
    return escape_text(value)


def media_description_html(value: str, media_type: str | None) -> str:
    """A Media RSS description as HTML: plain text (escaped, line breaks kept) unless its
    type says html (Media RSS 1.5.1, "media:description": type defaults to "plain")."""
    return as_html(value, "html" if (media_type or "").strip().lower() == "html" else "text")


def media_description_text(value: str, media_type: str | None) -> str | None:
    """A Media RSS description as plain text (a picture's alt text), None when blank."""
    return text_from_markup(media_description_html(value, media_type)) or None


def decode_base64(value: str) -> str:
    """A base64 text construct (Atom 0.3 mode="base64"; Atom 1.0 with a type that is
    neither text nor XML, RFC 4287 §4.1.3.3) decoded as UTF-8; "" when it is not base64."""
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return ""


def void_elements_as_html(xhtml: str) -> str:
    """XHTML serialisations (`<br/>`, `<br></br>`) of void elements in HTML form (`<br>`):
    an HTML parser reads `</br>` as a second line break."""
    return _SELF_CLOSED_VOID.sub(r"<\1\2>", _VOID_CLOSERS.sub(r"<\1\2>", xhtml))


def choose_bodies(summary: str, contents: Iterable[str]) -> tuple[str, str]:
    """(summary_html, content_html): the content is what the feed declares to be the
    content (content:encoded, Atom content, JSON Feed content_html/content_text; the
    longest when there are several) whenever it holds any text or embedded media, however
    short: a two-line body around a video is the article, a longer description its teaser.
    The summary stands in only for a content that is empty, or that is merely the opening
    of the summary cut short (`is_cut_from`). The summary is kept only when it says
    something the content does not repeat word for word."""
    declared = [c for c in contents if has_substance(c)]
    content = max(declared, key=len) if declared else ""   # the first of equals
    if not content or is_cut_from(content, summary):
        content = summary if has_substance(summary) else content
    if summary.strip() == content.strip():
        summary = ""
    return summary, content


_TAG = re.compile(r"<[^>]*>")
_EMBEDDED_MEDIA = re.compile(r"<(?:img|iframe|video|audio|picture|source)\b", re.IGNORECASE)
# What ends a teaser: an ellipsis ("…", "...", "[…]", "[...]") or a "read more" link's text.
_TEASER_END = re.compile(r"(?:\s*(?:\[\s*(?:…|\.\.\.)\s*\]|…|\.\.\.|read more|continue reading)"
                         r"[\s.:»→>]*)+$", re.IGNORECASE)


def has_substance(markup: str) -> bool:
    """Whether HTML holds any text or embedded media (`<p>&nbsp;</p>` holds neither)."""
    return bool(markup) and (bool(_EMBEDDED_MEDIA.search(markup))
                             or bool(_markup_words(markup)))


def is_cut_from(content: str, summary: str) -> bool:
    """Whether `content` adds nothing to `summary`: its text is the summary's text cut
    short (an ellipsis or "read more" at the end allowed) and it embeds no media the
    summary lacks. Some CMSes put the excerpt in content:encoded and the whole article in
    description; length alone would misread a short real body as such a teaser."""
    if len(summary) <= len(content) or (_EMBEDDED_MEDIA.search(content)
                                        and not _EMBEDDED_MEDIA.search(summary)):
        return False
    opening = _TEASER_END.sub("", _markup_words(content))
    whole = _markup_words(summary)
    return bool(opening) and len(opening) < len(whole) and whole.startswith(opening)


def _markup_words(markup: str) -> str:
    """The text of HTML, whitespace collapsed: tags dropped, entities decoded (cheap; for
    comparing bodies, never for showing them)."""
    return collapse_whitespace(html.unescape(sub_tags(_TAG, " ", markup)))


def make_entry(*, guid: str | None, link: str | None, title: str, author: str | None,
               summary: str, contents: Iterable[str], published: str | None,
               updated: str | None, categories: Iterable[str],
               media: Iterable[MediaItem], content_base: str | None = None,
               source_name: str | None = None) -> ParsedEntry:
    summary_html, content_html = choose_bodies(summary, contents)
    return ParsedEntry(
        guid=collapse_whitespace(guid) or None if guid else None,
        link=link,
        title=title.strip(),
        author=author_name(author),
        summary_html=summary_html,
        content_html=content_html,
        published_at=parse_date(published),
        updated_at=parse_date(updated),
        categories=tuple(c.strip() for c in categories if c and c.strip()),
        media=tuple(media),
        content_base=content_base,
        source_name=collapse_whitespace(source_name) or None if source_name else None,
    )

