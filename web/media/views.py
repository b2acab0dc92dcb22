"""GET /media/<signature>/<encoded URL>: a publisher's image, served first party.

Cached images are answered from disk; others are fetched once (short deadlines, the SSRF
guard), stored and served. Failures get a tiny body and a 404 or 502, never a 500. Every
answer forbids sniffing and carries `default-src 'none'`, so even a file that slipped
through could not run as a document.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, send_file

from hopper import media_cache
from web.extensions import settings
from web.media.signing import verified_url
from web.media.upstream import ImageClient, UpstreamError

bp = Blueprint("media", __name__)
log = logging.getLogger(__name__)

MAX_AGE_S = 7 * 24 * 3600
FAILURE_MAX_AGE_S = 300
PROXIED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def image_client() -> ImageClient:
    client: ImageClient = current_app.extensions["hopper_media_client"]
    return client


@bp.get("/media/<signature>/<encoded_url>")
def image(signature: str, encoded_url: str) -> Response:
    url = verified_url(current_app.extensions["hopper_media_key"], signature, encoded_url)
    if url is None:
        return failure(404)
    root = settings().media_cache_path
    cached = media_cache.find(root, url)
    if cached is None:
        try:
            content, _type = image_client().fetch(url)
        except UpstreamError as error:
            log.info("media proxy: %s", error)
            return failure(error.status)
        cached = media_cache.store(root, url, content)
        media_cache.trim_if_due(settings())
    response = send_file(cached.path, mimetype=cached.content_type, etag=cached.etag,
                         max_age=MAX_AGE_S, conditional=True)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers.update(PROXIED_HEADERS)
    return response


def failure(status: int) -> Response:
    body = "image not found\n" if status == 404 else "image unavailable\n"
    response = Response(body, status=status, mimetype="text/plain")
    response.cache_control.public = True
    response.cache_control.max_age = FAILURE_MAX_AGE_S
    response.headers.update(PROXIED_HEADERS)
    return response
