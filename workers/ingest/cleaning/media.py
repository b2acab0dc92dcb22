"""Media: what kind a media item is, which video hosts we embed, what a tracker looks like,
and which image leads an article.

Embeds are allow-listed: only YouTube (rewritten to youtube-nocookie.com, which sets no
cookies before play) and Vimeo (player.vimeo.com) become iframes; nothing else does.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from urllib.parse import parse_qs, urlsplit

from hopper.text import may_hold
from hopper.widths import MIN_LEAD_HEIGHT, MIN_LEAD_WIDTH
from workers.ingest.records import MediaItem

_IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif", ".svg")
_VIDEO_EXTENSIONS = (".mp4", ".m4v", ".webm", ".mov", ".ogv")
_AUDIO_EXTENSIONS = (".mp3", ".m4a", ".ogg", ".oga", ".opus", ".wav", ".aac")
_YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com",
                            "youtube-nocookie.com", "www.youtube-nocookie.com"})
_VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com", "player.vimeo.com"})
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^\d{3,12}$")
_LEADING_INTEGER = re.compile(r"\s*([0-9]+)")
# Images that are decoration or counters, never a lead image.
_NOT_LEAD_IMAGE_WORDS = ("feeds.feedburner.com/~", "pixel.wp.com", "stats.wordpress.com",
                         "/smilies/", "s.w.org/images/core/emoji", "gravatar.com/avatar")
_NOT_LEAD_IMAGE = re.compile("|".join(map(re.escape, _NOT_LEAD_IMAGE_WORDS)), re.IGNORECASE)


# Alt text that says nothing about the picture (CMS defaults, placeholders): dropped, so it
# is never read out or printed where the picture should be.
_MEANINGLESS_ALT = frozenset({
    "image", "img", "inline", "inline image", "photo", "picture", "pic", "thumbnail",
    "thumb", "featured", "featured image", "untitled", "alt", "null", "none", "undefined",
    "placeholder", "image description", "banner", "graphic", "default", "no alt",
    "alt text", "header image", "hero image", "lead image", "main image"})
_FILE_NAME = re.compile(
    r"^[\w\-. ()]+\.(?:jpe?g|png|gif|webp|avif|bmp|svg|tiff?|heic)$", re.IGNORECASE)
_CAMERA_NAME = re.compile(r"^(?:img|dsc[nf]?|pxl|photo|image|screenshot|mvimg)[\s_-]?\d+",
                          re.IGNORECASE)


def meaningful_alt(alt: str | None) -> str | None:
    """The alt text, whitespace collapsed, unless it says nothing: a placeholder word
    ("image", "inline", "photo"…), a file name (IMG_1234.jpg) or a URL."""
    text = " ".join((alt or "").split())
    if not text:
        return None
    plain = text.lower().strip(" .:-_")
    if (plain in _MEANINGLESS_ALT or _FILE_NAME.match(text) or _CAMERA_NAME.match(text)
            or plain.startswith(("http://", "https://", "www."))):
        return None
    return text


def is_same_image(a: str, b: str) -> bool:
    """Whether two URLs show the same picture: equal, or the same file on the same host
    asked for at another size (`photo.jpg?w=1200` and `photo.jpg?w=600`)."""
    if a == b:
        return True
    try:
        one, other = urlsplit(a), urlsplit(b)
    except ValueError:
        return False
    path = one.path.lower()
    return (bool(one.netloc) and one.netloc.lower() == other.netloc.lower()
            and one.path == other.path and path.endswith(_IMAGE_EXTENSIONS))


def media_kind(url: str, mime_type: str | None = None, medium: str | None = None) -> str:
    """ "image" | "video" | "audio" | "other", from Media RSS's medium, the MIME type, or
    the file extension, in that order of trust."""
    if medium in {"image", "video", "audio"}:
        return medium
    major = (mime_type or "").split("/", 1)[0].strip().lower()
    if major in {"image", "video", "audio"}:
        return major
    if video_embed_url(url):
        return "video"
    path = urlsplit(url).path.lower() if url else ""
    for kind, extensions in (("image", _IMAGE_EXTENSIONS), ("video", _VIDEO_EXTENSIONS),
                             ("audio", _AUDIO_EXTENSIONS)):
        if path.endswith(extensions):
            return kind
    return "other"


def video_embed_url(url: str | None) -> str | None:
    """The privacy-friendly embed URL for a YouTube or Vimeo video page or player URL:
    https://www.youtube-nocookie.com/embed/ID or https://player.vimeo.com/video/ID."""
    if not url:
        return None
    lowered = url.lower()
    if "youtu" not in lowered and "vimeo" not in lowered:
        return None         # names no host below (most links): nothing to parse
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in {"http", "https", ""}:
        return None
    host = (parts.hostname or "").lower()
    segments = [s for s in parts.path.split("/") if s]
    if host in _YOUTUBE_HOSTS:
        candidate = parse_qs(parts.query).get("v", [""])[0]
        if not candidate and len(segments) >= 2 and segments[0] in {"embed", "v", "shorts",
                                                                     "live"}:
            candidate = segments[1]
        if _YOUTUBE_ID.match(candidate):
            return f"https://www.youtube-nocookie.com/embed/{candidate}"
    elif host == "youtu.be" and segments and _YOUTUBE_ID.match(segments[0]):
        return f"https://www.youtube-nocookie.com/embed/{segments[0]}"
    elif host in _VIMEO_HOSTS:
        candidate = segments[1] if segments[:1] == ["video"] and len(segments) > 1 else (
            segments[0] if segments else "")
        if _VIMEO_ID.match(candidate):
            return f"https://player.vimeo.com/video/{candidate}"
    return None


def is_tracker_size(width: str | None, height: str | None) -> bool:
    """1×1 (or 0×0) images are counters, as is one 1px wide or high with the other
    side unset."""
    def tiny(value: str | None) -> bool:
        digits = _LEADING_INTEGER.match(value) if value else None
        # Compared as text: int() refuses more than 4,300 digits, and a feed may send them.
        return digits is not None and digits.group(1).lstrip("0") in ("", "1")
    return tiny(width) and tiny(height) or (tiny(width) and height is None) or (
        tiny(height) and width is None)


def is_lead_image_candidate(url: str | None) -> bool:
    # may_hold first: the case-insensitive search costs tens of thousands of instructions
    # for a URL.
    return bool(url) and not (may_hold(url or "", *_NOT_LEAD_IMAGE_WORDS)
                              and _NOT_LEAD_IMAGE.search(url or ""))


UNKNOWN_WIDTH = 600


def _declared_too_small(item: MediaItem) -> bool:
    """Both sides declared, and one below what a lead image must measure (trackers too)."""
    return item.width is not None and item.height is not None and (
        item.width < MIN_LEAD_WIDTH or item.height < MIN_LEAD_HEIGHT)


def lead_image(media: Iterable[MediaItem]) -> MediaItem | None:
    """The image a feed names for the entry: media:content first, then media:thumbnail,
    then an image enclosure (the order MediaItems arrive in). Neither trackers nor an
    image the feed says is smaller than a lead image may be lead: Blogger's 72×72
    thumbnail of the post's picture, a GitHub release's 30×30 avatar of its author
    (the image check would find it too small and drop it; the body's own picture leads
    instead)."""
    items = [m for m in media if m.kind == "image" and not _declared_too_small(m)
             and is_lead_image_candidate(m.url)]
    for wanted_thumbnail in (False, True):
        kind = [item for item in items if item.is_thumbnail == wanted_thumbnail]
        if kind:
            # A media:group lists sizes of one picture: the widest, where widths are
            # given (a width not given counts as a middling one; ties keep feed order).
            return max(kind, key=lambda item: item.width or UNKNOWN_WIDTH)
    return None


def audio_player(media: Iterable[MediaItem], body: str) -> str:
    """An <audio controls> for the entry's first audio enclosure, unless the body already
    names its file: a podcast episode often has nothing else to offer (no link, no text).
    HTML to sanitise with the body; the page adds preload="none" (web/media/links.py), so
    nothing is fetched from the publisher before "play"."""
    audio = next((item for item in media if item.kind == "audio"), None)
    if audio is None or audio.url in body or html.escape(audio.url) in body:
        return ""
    return f'<p><audio controls src="{html.escape(audio.url)}"></audio></p>'


def has_audio(media: Iterable[MediaItem]) -> bool:
    return any(item.kind == "audio" for item in media)


def feed_video(media: Iterable[MediaItem]) -> tuple[str | None, str | None]:
    """(video_url, embed_url) from the entry's media: a video file, or a YouTube/Vimeo
    page or player URL that we can embed."""
    for item in media:
        if item.kind != "video":
            continue
        embed = video_embed_url(item.url)
        return (None, embed) if embed else (item.url, None)
    return None, None
