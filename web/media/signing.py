"""Proxied image addresses: `/media/<signature>/<base64url of the URL>`.

The signature is an HMAC-SHA256 of the URL under a key derived from the secret key for
this one purpose, so only URLs Hopper itself wrote into a page can be fetched: the proxy
is no open relay. Base64url (RFC 4648 §5) without padding keeps the path one segment.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

PURPOSE = b"hopper media proxy v1"
SIGNATURE_BYTES = 16


def derive_key(secret_key: str) -> bytes:
    return hmac.new(secret_key.encode(), PURPOSE, hashlib.sha256).digest()


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign(key: bytes, url: str) -> str:
    return _b64encode(hmac.new(key, url.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES])


def media_path(key: bytes, url: str) -> str:
    return f"/media/{sign(key, url)}/{_b64encode(url.encode())}"


def verified_url(key: bytes, signature: str, encoded_url: str) -> str | None:
    """The URL when `signature` matches it, else None (compared in constant time)."""
    try:
        url = _b64decode(encoded_url).decode()
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(sign(key, url), signature):
        return None
    return url
