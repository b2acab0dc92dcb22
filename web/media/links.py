"""Where pages point their images: through the proxy, or straight at the publisher.

Template filters (registered in `web.media.init_app`):
- `media_url(url, width=None)` — the first-party `/media/…` path for a publisher's image
  (`?w=` one of hopper.image_variants.VARIANT_WIDTHS: a resized copy);
- `media_srcset(url, max_width=None)` — a `srcset` of every resized copy (`… 320w, …`),
  none wider than the original when its width is known;
- `absolute_media_url(url)` — the same with the site's base URL (og:image must be absolute);
- `proxied_images(html)` — an article body with `<img src|srcset>`, `<source srcset>`
  and `<video poster>` pointed at the proxy.

With `HOPPER_MEDIA_PROXY=0` every filter hands the publisher's URL back unchanged.
The global `has_live_image(article)` says whether a page shows an article's lead image;
`card_picture(card)`, which member's picture a story card shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import nh3
from flask import current_app, has_app_context, has_request_context, request
from markupsafe import Markup

from hopper.html_policy import ARTICLE_ATTRIBUTES, ARTICLE_TAGS, CLEAN_CONTENT_TAGS
from hopper.image_variants import VARIANT_WIDTHS
from hopper.srcset import rewrite_srcset
from models.article_images import IMAGE_DEAD
from web.media.signing import media_path

PROXIED_SCHEMES = ("http://", "https://")


def has_live_image(article: object) -> bool:
    """Whether a page shows the article's lead image: it has one, the background check
    (workers/images.py) did not find it dead, and the browser may load it (with the proxy
    off, the CSP's `img-src 'self' https: data:` refuses a publisher's http: image: it
    would only ever be an empty box). Unchecked images are shown."""
    url = getattr(article, "image_url", None)
    if not url or getattr(article, "image_status", None) == IMAGE_DEAD:
        return False
    links = current_app.extensions.get("hopper_media_links") if has_app_context() else None
    return links is None or links.may_load(url)


def card_picture(card: object) -> object | None:
    """The article whose picture a story card (models.stories.StoryCard) shows: the
    lead's own, else the first of the story's other pictured members a page may load.
    A borrowed picture belongs to its outlet: templates credit it when it is not the
    lead's. None when no member has one."""
    candidates = [getattr(card, "lead", None), *getattr(card, "pictured", ())]
    return next((article for article in candidates if has_live_image(article)), None)

# The article-body rewrite re-runs nh3 over HTML that ingest already sanitised, with the
# same allow-list (hopper/html_policy.py), so it can only keep or drop, never let in more.
BODY_TAGS = set(ARTICLE_TAGS)
BODY_CLEAN_CONTENT_TAGS = set(CLEAN_CONTENT_TAGS)
BODY_ATTRIBUTES = ARTICLE_ATTRIBUTES
# What ingest's cleaner sets on every such tag; set again so the rewrite keeps it.
# `preload="none"` on video and audio is a tightening: their files stay on the
# publisher's host, and nothing may be fetched from there before the reader presses play.
BODY_FIXED_ATTRIBUTES = {
    "a": {"rel": "noopener noreferrer nofollow"},
    "img": {"loading": "lazy"},
    "iframe": {"loading": "lazy", "referrerpolicy": "strict-origin-when-cross-origin",
               "sandbox": "allow-scripts allow-same-origin allow-presentation"},
    "video": {"preload": "none"},
    "audio": {"preload": "none"},
}
IMAGE_MARKERS = ("<img", "<video", "<source", "<audio")


@dataclass(frozen=True)
class MediaLinks:
    key: bytes
    base_url: str
    is_enabled: bool

    def url(self, url: str | None, width: int | None = None) -> str:
        """The path to serve `url` from (resized to `width` when given); unchanged when it
        is already first party (relative, this site, data:) or the proxy is off."""
        if not url:
            return ""
        if not self.is_proxied(url):
            return url
        root = request.script_root if has_request_context() else ""
        query = f"?w={width}" if width in VARIANT_WIDTHS else ""
        return root + media_path(self.key, url) + query

    def may_load(self, url: str) -> bool:
        """Whether the site's CSP lets a browser load the image at `url` as pages link it
        (security.py): through the proxy, or, with it off, https:, data: or this site's."""
        return self.is_proxied(url) or self.may_play(url)

    def may_play(self, url: str) -> bool:
        """Whether the CSP lets a browser fetch `url` straight from where it is (media
        files are never proxied): anything but a plain-http file of another site. A
        player of such a file would show controls that can never play."""
        return not url[:7].lower().startswith("http://") or url.startswith(self.base_url + "/")

    def is_proxied(self, url: str | None) -> bool:
        return bool(url) and self.is_enabled and (url or "")[:8].lower().startswith(
            PROXIED_SCHEMES) and not (url or "").startswith(self.base_url + "/")

    def srcset_widths(self, url: str | None, max_width: int | None = None) -> str:
        """Every resized copy with its width descriptor; "" when the proxy does not serve
        `url` (then the publisher's own file is all there is)."""
        if not url or not self.is_proxied(url):
            return ""
        widths = [w for w in VARIANT_WIDTHS if max_width is None or w <= max_width]
        if max_width is not None and max_width < VARIANT_WIDTHS[-1] and (
                not widths or widths[-1] < max_width):
            # The original's width, served by the next variant up (never enlarged).
            bigger = next(w for w in VARIANT_WIDTHS if w > max_width)
            return ", ".join([f"{self.url(url, w)} {w}w" for w in widths]
                             + [f"{self.url(url, bigger)} {max_width}w"])
        return ", ".join(f"{self.url(url, w)} {w}w" for w in widths)

    def absolute_url(self, url: str | None) -> str:
        proxied = self.url(url)
        if proxied.startswith("/"):
            return self.base_url + media_path(self.key, url or "")
        return proxied

    def srcset(self, value: str) -> str:
        """Each candidate through the proxy (a comma may be part of a URL: hopper/srcset.py)."""
        return rewrite_srcset(value, self.url)

    def _rewrite_attribute(self, element: str, attribute: str, value: str) -> str | None:
        if attribute == "srcset" and element in ("img", "source"):
            return self.srcset(value)
        if (element, attribute) in (("img", "src"), ("video", "poster")):
            return self.url(value)
        return value

    @cached_property
    def _body_cleaner(self) -> nh3.Cleaner:
        return nh3.Cleaner(
            tags=BODY_TAGS, clean_content_tags=BODY_CLEAN_CONTENT_TAGS,
            attributes=BODY_ATTRIBUTES, attribute_filter=self._rewrite_attribute,
            link_rel=BODY_FIXED_ATTRIBUTES["a"]["rel"],
            url_schemes={"http", "https", "mailto"},
            set_tag_attribute_values={tag: values for tag, values
                                      in BODY_FIXED_ATTRIBUTES.items() if tag != "a"})

    def rewrite_body(self, body: str | None) -> Markup:
        """Sanitised article HTML with its images pointed at the proxy; still sanitised:
        nh3 with ingest's allow-list (or narrower) is the last step."""
        if not body:
            return Markup("")
        if not self.is_enabled or not any(marker in body for marker in IMAGE_MARKERS):
            return Markup(body)  # noqa: S704 - sanitised by ingest, see the docstring
        return Markup(self._body_cleaner.clean(body))  # noqa: S704 - nh3's output
