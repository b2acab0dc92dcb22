"""WebSub discovery, part of the parse step: which hub a feed names and its topic URL.

W3C WebSub §4: a publisher advertises its hub and the topic's canonical URL with HTTP
`Link: <…>; rel="hub"` and `rel="self"` headers, and may repeat them as feed-level
`atom:link` elements (or JSON Feed `hubs`), which the format readers already put on the
`ParsedFeed`. The headers win: they are what the specification requires.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace

from workers.ingest.parsing.normalise import absolute_url
from workers.ingest.records import ParsedFeed

# RFC 8288 §3: `<target>` followed by `; name=value` parameters, links split by commas.
_LINK = re.compile(r"<([^>]*)>((?:\s*;\s*[^;,\"=]+(?:=\s*(?:\"[^\"]*\"|[^;,\"]*))?)*)")
_PARAM = re.compile(r";\s*([^;,=\s]+)\s*(?:=\s*(?:\"([^\"]*)\"|([^;,\s]*)))?")
MAX_LINK_HEADER_CHARS = 8192


def link_header_targets(value: str) -> Iterator[tuple[str, frozenset[str]]]:
    """(target, relation types) for each link in an RFC 8288 Link header value."""
    for match in _LINK.finditer(value[:MAX_LINK_HEADER_CHARS]):
        rels: frozenset[str] = frozenset()
        for param in _PARAM.finditer(match.group(2)):
            if param.group(1).lower() == "rel":
                rels = frozenset((param.group(2) or param.group(3) or "").lower().split())
                break
        yield match.group(1).strip(), rels


def with_link_headers(feed: ParsedFeed, headers: Mapping[str, str], url: str) -> ParsedFeed:
    """The feed with the hub and self URLs of the response's Link headers, where given."""
    value = next((v for k, v in headers.items() if k.lower() == "link"), "")
    found: dict[str, str] = {}
    for target, rels in link_header_targets(value):
        absolute = absolute_url(target, url)
        for rel in rels & {"hub", "self"}:
            if absolute:
                found.setdefault(rel, absolute)
    if not found:
        return feed
    return replace(feed, hub_url=found.get("hub", feed.hub_url),
                   self_url=found.get("self", feed.self_url))
