"""Extract: an article page's HTML in, its main text as sanitised HTML out, plus what the
page says about reuse (robots meta: noarchive, nosnippet, max-snippet).

trafilatura finds the main text in precision mode (it prefers dropping a doubtful block
to keeping navigation or comments); the result is sanitised like any feed body, nh3 last.
A pure step: no network, no database.
"""

from __future__ import annotations

import re

import trafilatura
from lxml import html as lxml_html

from workers.ingest.cleaning.sanitise import plain_text, sanitise_html

_ROBOTS_DIRECTIVES = re.compile(r"\b(noarchive|nosnippet|max-snippet\s*:\s*-?\d+|noindex)\b",
                                re.IGNORECASE)


def extract_main_text(page_html: str, url: str) -> str:
    """The page's main text as sanitised HTML with absolute URLs; "" when none is found."""
    extracted = trafilatura.extract(
        page_html, url=url, output_format="html", favor_precision=True,
        include_comments=False, include_tables=True, include_images=True,
        include_links=True, with_metadata=False)
    if not extracted:
        return ""
    cleaned = sanitise_html(extracted, base_url=url)
    return cleaned if plain_text(cleaned) else ""


def page_reuse_signals(page_html: str, headers: dict[str, str] | None = None) -> list[str]:
    """What the page tells robots about reuse: `<meta name="robots">` (or one naming
    Hopper) and the X-Robots-Tag header, as readable lines for the admin."""
    signals: list[str] = []
    header = (headers or {}).get("x-robots-tag", "")
    for directive in _ROBOTS_DIRECTIVES.findall(header):
        signals.append(f"page header X-Robots-Tag: {_tidy(directive)}")
    try:
        document = lxml_html.document_fromstring(page_html[:200_000] or "<html></html>")
    except (ValueError, lxml_html.etree.ParserError):
        return signals
    for meta in document.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        if name not in {"robots", "hopper"}:
            continue
        for directive in _ROBOTS_DIRECTIVES.findall(meta.get("content") or ""):
            signals.append(f'page <meta name="{name}">: {_tidy(directive)}')
    return list(dict.fromkeys(signals))


def _tidy(directive: str) -> str:
    return re.sub(r"\s+", "", directive.lower())
