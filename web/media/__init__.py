"""The media proxy: publishers' images served from this site's origin (/media/…), so a
reader's browser makes no third-party request before consent (Miniflux's "media proxy").

`init_app` registers the blueprint and builds the links behind the template filters
`media_url`, `absolute_media_url` and `proxied_images` (web/media/links.py,
registered by web/templating.py).
"""

from __future__ import annotations

from flask import Flask

from web.media.links import MediaLinks
from web.media.signing import derive_key
from web.media.upstream import ImageClient
from web.media.views import bp


def init_app(app: Flask) -> None:
    settings = app.config["HOPPER_SETTINGS"]
    key = derive_key(settings.secret_key)
    links = MediaLinks(key=key, base_url=settings.base_url, is_enabled=settings.media_proxy)
    app.extensions["hopper_media_key"] = key
    app.extensions["hopper_media_client"] = ImageClient.from_settings(settings)
    app.extensions["hopper_media_links"] = links   # the template filters (web/templating.py)
    if settings.media_proxy:
        app.register_blueprint(bp)
