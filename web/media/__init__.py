"""The media proxy: publishers' images served from this site's origin (/media/…), so a
reader's browser makes no third-party request before consent (Miniflux's "media proxy"),
in phone-sized WebP/JPEG copies (`?w=160|320|640|1280`), and without ever letting a slow
publisher hold a web worker (hopper/image_gate.py).

`init_app` registers the blueprint and builds the links behind the template filters
`media_url`, `media_srcset`, `absolute_media_url` and `proxied_images` and the global
`has_live_image` and `card_picture` (web/media/links.py, registered by web/templating.py).
"""

from __future__ import annotations

from flask import Flask

from hopper.host_slots import HostSlots
from hopper.image_fetch import ImageClient
from hopper.image_gate import FetchGate, GateLimits
from hopper.image_source import ImageSource
from web.media.links import MediaLinks
from web.media.signing import derive_key
from web.media.views import bp

# A reader's request waits at most this long for another request's fetch of the same
# image, or for a free fetch slot, before the placeholder (hopper/image_source.py).
BUSY_WAIT_S = 1.0


def init_app(app: Flask) -> None:
    settings = app.config["HOPPER_SETTINGS"]
    key = derive_key(settings.secret_key)
    links = MediaLinks(key=key, base_url=settings.base_url, is_enabled=settings.media_proxy)
    client = ImageClient.from_settings(settings)
    gate = FetchGate(app.extensions["hopper_redis"], GateLimits(
        slots=settings.media_fetch_slots,
        lease_s=settings.media_limits.total_timeout_s + 5, pool="web"))
    app.extensions["hopper_media_key"] = key
    app.extensions["hopper_media_client"] = client
    # The publisher's host slots, shared with feed polls and full-text pages: a reader
    # waits for one no longer than for a fetch slot.
    host_slots = HostSlots(app.extensions["hopper_redis"], limit=settings.per_host_concurrency,
                           hold_s=settings.media_limits.total_timeout_s + 5,
                           wait_s=BUSY_WAIT_S)
    app.extensions["hopper_media_source"] = ImageSource(
        client=client, gate=gate, root=settings.media_cache_path,
        max_bytes=settings.media_cache_bytes, busy_wait_s=BUSY_WAIT_S, host_slots=host_slots)
    app.extensions["hopper_media_links"] = links   # the template filters (web/templating.py)
    if settings.media_proxy:
        app.register_blueprint(bp)
