"""Embedded video held back until the reader consents to embedded media.

Only allow-listed hosts are ever embedded (youtube-nocookie, Vimeo). Without consent an
embed is a placeholder carrying the player's URL in `data-embed-src`; the first-party
`static/js/embeds.js` inserts the iframe when the reader asks for it, so no request
reaches the host before a click (EDPB: no third-party requests before consent).
"""

from __future__ import annotations

import html
import re
from urllib.parse import parse_qs, urlsplit

from markupsafe import Markup

# Kept equal to the CSP's frame-src (web/security.py in the accounts area).
EMBED_HOSTS = {
    "www.youtube-nocookie.com": "YouTube",
    "player.vimeo.com": "Vimeo",
}
# A player's path → the host's own page for the video, which a phone hands to the app.
WATCH_PAGES = {
    "www.youtube-nocookie.com": (re.compile(r"/embed/(?!videoseries\b)([\w-]{6,20})/?"),
                                 "https://www.youtube.com/watch?v={}"),
    "player.vimeo.com": (re.compile(r"/video/(\d{1,12})/?"), "https://vimeo.com/{}"),
}
IFRAME = re.compile(r"<iframe\b([^>]*)>.*?</iframe>", re.IGNORECASE | re.DOTALL)
SRC_ATTRIBUTE = re.compile(r"""\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)


def embed_host(url: str | None) -> str | None:
    """The player's host when `url` is an https URL on the allow-list, else None."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme != "https" or parts.hostname not in EMBED_HOSTS:
        return None
    return parts.hostname


def watch_url(url: str) -> str | None:
    """The host's watch page for an allow-listed player URL, if its path names a video."""
    host = embed_host(url)
    if host is None:
        return None
    pattern, page = WATCH_PAGES[host]
    parts = urlsplit(url)
    found = pattern.fullmatch(parts.path)
    if found is None:
        return None
    # An unlisted Vimeo video plays only with its hash (?h=…), which its page takes as a path.
    unlisted = parse_qs(parts.query).get("h", [""])[0] if host == "player.vimeo.com" else ""
    watch = page.format(found.group(1))
    return f"{watch}/{unlisted}" if re.fullmatch(r"[0-9a-f]{6,20}", unlisted) else watch


def render_embed(url: str, *, title: str, may_embed: bool) -> Markup:
    host = embed_host(url)
    if host is None:
        return Markup("")
    if may_embed:
        return Markup(
            '<div class="embed"><iframe src="{0}" title="{1}" loading="lazy" '
            'allow="fullscreen; picture-in-picture" allowfullscreen '
            'referrerpolicy="strict-origin-when-cross-origin"></iframe></div>'
        ).format(url, title)
    return Markup(
        '<div class="embed embed-held" data-embed-src="{0}" data-embed-title="{1}">'
        '<p class="embed-notice">This video is played by {2} ({3}). Loading it lets {2} '
        'see your IP address and set cookies.</p>'
        '<p class="embed-actions"><button type="button" class="button embed-load">'
        'Load video<span class="visually-hidden">: {1}</span></button> '
        '<a href="{3}" rel="noopener noreferrer" target="_blank">Watch on {2}</a></p></div>'
    ).format(url, title, EMBED_HOSTS[host], watch_url(url) or url)


def hold_back_iframes(body: str, *, title: str, may_embed: bool,
                      played: str | None = None) -> Markup:
    """Replace the body's iframes with consent-aware embeds; drop any other iframe, and
    the body's copy of the video the page's own player (`played`) shows already."""
    shown = _player_key(played)

    def replace(match: re.Match[str]) -> str:
        src = SRC_ATTRIBUTE.search(match.group(1))
        url = html.unescape(src.group(1) or src.group(2)) if src else ""
        if shown is not None and _player_key(url) == shown:
            return ""
        return str(render_embed(url, title=title, may_embed=may_embed))
    return Markup(IFRAME.sub(replace, body))  # noqa: S704 - html was sanitised by ingest


def _player_key(url: str | None) -> tuple[str, str] | None:
    """Which video a player URL plays (host and path; the query holds only options)."""
    host = embed_host(url)
    return (host, urlsplit(url or "").path.rstrip("/")) if host else None
