"""The one model every parser fills: which text is the summary, which the content, and
how feed text constructs (RFC 4287 §3.1: text, html, xhtml) become HTML.

Both XML paths and JSON Feed call these, so they agree on what an entry says.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterable

from workers.ingest.cleaning.sanitise import escape_text
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
    """(summary_html, content_html): the content is the fuller of all bodies; the summary is
    kept only when it says something the content does not repeat word for word."""
    bodies = [b for b in [*contents, summary] if b and b.strip()]
    content = max(bodies, key=len) if bodies else ""    # the first of equals: a content
    if summary.strip() == content.strip():
        summary = ""
    return summary, content


def make_entry(*, guid: str | None, link: str | None, title: str, author: str | None,
               summary: str, contents: Iterable[str], published: str | None,
               updated: str | None, categories: Iterable[str],
               media: Iterable[MediaItem], content_base: str | None = None) -> ParsedEntry:
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
    )

