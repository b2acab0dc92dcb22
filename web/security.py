"""Security headers on every response (OWASP Secure Headers Project).

The Content-Security-Policy allows no inline script or style anywhere, so templates keep
all behaviour in first-party files under /static and never use `style=` attributes.
Frames are limited to the privacy-enhanced video hosts the sanitiser allows, and only
pages that hold media consent render those frames at all.
"""

from __future__ import annotations

from flask import Flask, Response, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https: data:",
    "media-src 'self' https:",
    "frame-src https://www.youtube-nocookie.com https://player.vimeo.com",
    "connect-src 'self'",
    "font-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
))

PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "camera", "geolocation", "gyroscope", "magnetometer", "microphone",
    "payment", "usb", "browsing-topics"))

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}

HSTS = "max-age=31536000"

# With the media proxy on (web/media), every image is first party: the browser itself then
# refuses any image that would reach a publisher before consent.
PROXIED_IMG_SRC = "img-src 'self' data:"


def content_security_policy(*, is_media_proxied: bool) -> str:
    if not is_media_proxied:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace("img-src 'self' https: data:", PROXIED_IMG_SRC)


def init_app(app: Flask) -> None:
    is_https = app.config.get("BASE_URL", "").startswith("https://")
    settings = app.config.get("HOPPER_SETTINGS")
    headers = SECURITY_HEADERS | {"Content-Security-Policy": content_security_policy(
        is_media_proxied=getattr(settings, "media_proxy", False))}

    @app.after_request
    def add_security_headers(response: Response) -> Response:
        for name, value in headers.items():
            response.headers.setdefault(name, value)
        if is_https:   # only a site served over HTTPS may promise to stay on it
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if request.endpoint != "static" and current_user.is_authenticated:
            # A signed-in page names its reader: no shared or browser cache may keep it
            # (RFC 9111 §5.2.2.3, §5.2.2.7); `Vary: Cookie` alone does not say so.
            response.headers["Cache-Control"] = "private, no-store"
        return response
