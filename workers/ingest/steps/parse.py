"""Parse: feed bytes and response headers in, one ParsedFeed out, whatever the format.

    decode (charset.py) | refuse entity declarations | JSON Feed, or
    lxml fast path (fastxml.py), again with its `&`s repaired (references.py: bare
    ampersands, HTML entities, references to no character) if they were its only
    problem | on failure: feedparser (lenient.py), given the repaired document too

The fast path reads well-formed RSS/RDF/Atom about thirty times faster than feedparser;
feedparser keeps its leniency for everything else. Both produce the same entries
(tests/workers/ingest/steps/test_parse.py runs every golden feed through both).

XXE and entity bombs: a DOCTYPE that declares entities is refused before any parser sees
the document, so nothing is expanded and no file or URL is ever read; the lxml parser
additionally never resolves entities, loads DTDs or uses the network, and feedparser's
expat never fetches external entities.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace

from hopper.text import shorten
from workers.ingest.cleaning.sanitise import text_from_markup
from workers.ingest.errors import ParseError
from workers.ingest.parsing.charset import decode_document
from workers.ingest.parsing.fastxml import NotForFastPath, read_xml
from workers.ingest.parsing.jsonfeed import NotAJsonFeed, looks_like_json, read_json_feed
from workers.ingest.parsing.lenient import NotAFeed, read_leniently
from workers.ingest.parsing.references import repair_references
from workers.ingest.push.hubs import with_link_headers
from workers.ingest.records import ParsedFeed

_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_ENTITY = re.compile(r"<!ENTITY", re.IGNORECASE)


def parse_feed(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """Raises ParseError when nothing usable comes out; a broken feed that still yields
    entries is accepted with a warning. The feed carries the WebSub hub and topic it
    names, in its Link headers or its body (hubs.py)."""
    return with_link_headers(_parse_document(content, headers, url), headers, url)


def _parse_document(content: bytes, headers: Mapping[str, str], url: str) -> ParsedFeed:
    if not content.strip():
        raise ParseError("empty document")
    document = decode_document(content, headers)
    feed = _parse_text(document.text, headers, url, document.warning)
    return replace(feed, charset_warning=document.warning) if document.warning else feed


def _parse_text(text: str, headers: Mapping[str, str], url: str,
                charset_warning: str | None) -> ParsedFeed:
    warnings = [charset_warning] if charset_warning else []
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if looks_like_json(text, content_type or ""):
        try:
            return _with_warnings(read_json_feed(text, url), warnings)
        except NotAJsonFeed as error:
            if text.lstrip()[:1] == "{":
                raise ParseError(str(error)) from error
    refuse_entity_declarations(text)
    body = _XML_DECLARATION.sub("", text, count=1)
    try:
        feed, warning = read_well_formed(body, url)
        if warning:
            warnings.append(warning)
    except NotForFastPath as reason:
        try:
            feed, warning = read_leniently(repair_references(body).text, url)
        except NotAFeed as error:
            raise ParseError(not_a_feed_reason(body, str(error))) from error
        if warning:
            warnings.append(warning)
        if warning and not feed.entries:
            raise ParseError(f"{warning}; no entries") from reason
    return _with_warnings(feed, warnings)


def read_well_formed(body: str, url: str) -> tuple[ParsedFeed, str | None]:
    """The lxml path; a document whose only faults are its `&`s (a bare "AT&T", HTML
    entities such as `&nbsp;`, a reference to no character: all common, all refused by
    XML) is read again with them repaired (references.py), and a warning saying so."""
    try:
        return read_xml(body, url), None
    except NotForFastPath:
        repaired = repair_references(body)
        if not repaired.repairs or repaired.has_unknown_entities:
            raise
        return read_xml(repaired.text, url), "; ".join(repaired.repairs)


_HTML_PAGE = re.compile(r"\A\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)[\s>]",
                        re.IGNORECASE | re.DOTALL)
_HTML_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.IGNORECASE | re.DOTALL)
# Where a page's <title> is looked for: its head, not a 20 MB body.
HTML_HEAD_CHARS = 16_384
PAGE_TITLE_LENGTH = 80


def not_a_feed_reason(text: str, reason: str) -> str:
    """The reason a document is no feed, as an admin can act on it: a feed URL that now
    answers 200 with a web page (a maintenance or error page, a bot check such as "Just a
    moment...", a login wall) is named as one, with the page's title."""
    if not _HTML_PAGE.match(text):
        return reason
    title = _HTML_TITLE.search(text[:HTML_HEAD_CHARS])
    name = shorten(text_from_markup(title.group(1)), PAGE_TITLE_LENGTH) if title else ""
    return "not a feed: the server sent a web page" + (f" titled “{name}”" if name else "")


def refuse_entity_declarations(text: str) -> None:
    """Refuse a document with a DOCTYPE that declares entities: the shape of
    billion-laughs bombs and XXE file/URL reads. Feeds have no use for them.

    Deliberately coarse: any `<!ENTITY` anywhere in a document that has a DOCTYPE. Finding
    the exact end of an internal subset can be fooled (comments, quoted "]>"); a coarse
    check cannot, and only a post quoting both keywords in CDATA would be refused with it.
    """
    if _DOCTYPE.search(text) and _ENTITY.search(text):
        raise ParseError("refused: the document declares XML entities (possible entity "
                         "expansion or external entity attack)")


def _with_warnings(feed: ParsedFeed, warnings: list[str]) -> ParsedFeed:
    """The feed with its title as plain text (it is shown as the source's name) and the
    warnings collected on the way."""
    return replace(feed, title=text_from_markup(feed.title),
                   warnings=(*feed.warnings, *warnings))
