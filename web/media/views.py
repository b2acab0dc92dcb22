"""GET /media/<signature>/<encoded URL>[?w=160|320|640|1280]: a publisher's image, served
first party — the original, or a copy at most `w` pixels wide in WebP (JPEG for a client
whose Accept header does not name WebP).

Cached images are answered from disk; others are fetched once (hopper/image_source.py:
short deadlines, the SSRF guard, one fetch per URL, a cap on fetches at once, failures
remembered for minutes), stored and served. A request that would have to wait on a
publisher, or whose image failed, gets a tiny transparent placeholder image at once, and
never a 500: the browser shows nothing rather than a broken-image icon. The status says
why (404, 502, 503) — except to a browser loading an <img> (`Sec-Fetch-Dest: image`),
which gets 200 so that a publisher's failure is no error in the reader's console. Every
answer forbids sniffing and carries `default-src 'none'`, so even a file that slipped
through could not run as a document.
"""

from __future__ import annotations

import base64
import logging

from flask import Blueprint, Response, abort, current_app, request, send_file

from hopper.image_fetch import UpstreamError
from hopper.image_source import Busy, ImageSource
from hopper.image_variants import VARIANT_WIDTHS, negotiated_format
from hopper.media_cache import CachedImage
from web.media.signing import verified_url

bp = Blueprint("media", __name__)
log = logging.getLogger(__name__)

MAX_AGE_S = 7 * 24 * 3600
FAILURE_MAX_AGE_S = 300
BUSY_RETRY_AFTER_S = 5
PROXIED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
}
# A transparent 32 × 18 GIF (88 bytes): what an <img> shows when its picture cannot be
# had. Not 1 × 1: a browser divides the pixels by the density a `srcset` width descriptor
# implies (640w drawn 112 px wide is 5.7×), and a 1 px image would read as 0 px, the mark of a
# broken one. web/static/js/images.js hides images this small.
PLACEHOLDER_GIF = base64.b64decode(
    "R0lGODlhIAASAIEAAP///wAAAAAAAAAAACH5BAEAAAAALAAAAAAgABIAQAgpAAEIHEiwoMGDCBMqXMiwocOH"
    "ECNKnEixosWLGDNq3Mixo8ePIEM+DAgAOw==")
# The same on its side (18 × 32), for "busy, ask again in a moment" (every fetch slot
# taken): images.js tells it by its shape, taller than wide (an <img> sees no status, and
# a srcset's density scales its pixels), and asks again a few seconds later instead of
# hiding the picture as dead.
BUSY_GIF = base64.b64decode(
    "R0lGODlhEgAgAIAAAAAAAAAAACH5BAEAAAAALAAAAAASACAAQAgpAAEIHEiwoMGDCBMqXMiwocOHECNKnEix"
    "osWLGDNq3Mixo8ePIEM+DAgAOw==")


def image_source() -> ImageSource:
    source: ImageSource = current_app.extensions["hopper_media_source"]
    return source


def requested_width() -> int | None:
    raw = request.args.get("w")
    if raw is None:
        return None
    # isascii: str.isdigit() also takes '²' (which int() refuses) and other scripts' digits.
    if not (raw.isascii() and raw.isdigit()) or int(raw) not in VARIANT_WIDTHS:
        abort(404)
    return int(raw)


@bp.get("/media/<signature>/<encoded_url>")
def image(signature: str, encoded_url: str) -> Response:
    url = verified_url(current_app.extensions["hopper_media_key"], signature, encoded_url)
    if url is None:
        return failure(404)
    width = requested_width()
    source = image_source()
    try:
        if width is None:
            cached = source.original(url)
        else:
            cached = source.variant(url, width, negotiated_format(
                request.headers.get("Accept", "")))
    except UpstreamError as error:
        log.info("media proxy: %s: %s", url, error)
        return failure(error.status)
    response = serve(cached)
    if width is not None:
        response.vary.add("Accept")
    return response


def serve(cached: CachedImage) -> Response:
    try:
        response = send_file(cached.path, mimetype=cached.content_type, etag=cached.etag,
                             max_age=MAX_AGE_S, conditional=True)
    except FileNotFoundError:               # trimmed a moment ago, by another process
        return failure(Busy.status)
    response.cache_control.public = True
    response.cache_control.immutable = True
    response.headers.update(PROXIED_HEADERS)
    return response


def failure(status: int) -> Response:
    """The placeholder image with the failure's status: remembered failures may be cached
    by the browser for a few minutes, a busy answer not at all."""
    is_for_img = request.headers.get("Sec-Fetch-Dest") == "image"
    response = Response(BUSY_GIF if status == Busy.status else PLACEHOLDER_GIF,
                        status=200 if is_for_img else status, mimetype="image/gif")
    response.headers["X-Hopper-Media"] = f"placeholder; status={status}"
    response.vary.add("Sec-Fetch-Dest")
    if status == Busy.status:
        response.cache_control.no_store = True
        response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    else:
        response.cache_control.public = True
        response.cache_control.max_age = FAILURE_MAX_AGE_S
    response.headers.update(PROXIED_HEADERS)
    return response
