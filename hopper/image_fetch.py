"""Fetching a publisher's image for the media proxy, with the shared SSRF guard.

`ImageClient.fetch(url)` returns the image bytes and their type, or raises an
`UpstreamError` that says which answer the reader gets (404: gone or refused; 502: the
publisher misbehaved). Defences: only http(s); every redirect hop re-checked; the peer
address checked on every connection (hopper.guarded_http); connect and total deadlines
that keep a web worker's wait short; a streamed size cap; only raster images (sniffed
from the bytes, whatever the Content-Type says). No cookie, no Referer is ever sent.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import urllib3
from urllib3 import exceptions as urllib3_errors
from urllib3.response import BaseHTTPResponse

from hopper import guarded_http
from hopper.guarded_http import GuardErrors, address_check, is_public_address
from hopper.http_numbers import declared_length
from hopper.media_cache import SNIFF_BYTES, image_type
from hopper.settings import MediaLimits, Settings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
NOT_FOUND = frozenset({404, 410})
ACCEPT = "image/avif,image/webp,image/png,image/jpeg,image/gif,image/*;q=0.8"
CHUNK_BYTES = 64 * 1024


class UpstreamError(Exception):
    """The image cannot be served; `status` is what the reader gets."""

    status = 502


class NotFound(UpstreamError):
    status = 404


class Refused(UpstreamError):
    """A blocked address or an invalid URL: answered like a missing image."""

    status = 404


class BadGateway(UpstreamError):
    status = 502


GUARD_ERRORS = GuardErrors(blocked=Refused, dropped=BadGateway, invalid=Refused)


def user_agent(base_url: str) -> str:
    return f"Hopper/0.1 (news aggregator media proxy; +{base_url})"


class ImageClient:
    """One pooled, guarded client per web process; thread-safe like urllib3's pools."""

    def __init__(self, limits: MediaLimits, *, user_agent: str,
                 is_allowed_address: Callable[[str], bool] = is_public_address,
                 pool_size: int = 10) -> None:
        self.limits = limits
        self.user_agent = user_agent
        self.address_check = is_allowed_address
        self._manager = guarded_http.guarded_pool_manager(
            is_allowed_address=is_allowed_address, errors=GUARD_ERRORS, pool_size=pool_size)

    @classmethod
    def from_settings(cls, settings: Settings) -> ImageClient:
        return cls(settings.media_limits, user_agent=user_agent(settings.base_url),
                   is_allowed_address=address_check(
                       allow_private_networks=settings.allow_private_networks))

    def fetch(self, url: str) -> tuple[bytes, str]:
        """GET `url`, following redirects by hand; (image bytes, MIME type)."""
        deadline = time.monotonic() + self.limits.total_timeout_s
        current = self._check(url)
        for _hop in range(self.limits.max_redirects + 1):
            response = self._request(current, deadline)
            if response.status in REDIRECTS:
                location = response.headers.get("location")
                response.close()
                if not location:
                    raise BadGateway(f"HTTP {response.status} without a Location")
                current = self._check(guarded_http.redirect_target(current, location,
                                                                   GUARD_ERRORS))
                continue
            if response.status in NOT_FOUND:
                response.close()
                raise NotFound(f"HTTP {response.status} from {current}")
            if response.status != 200:
                response.close()
                raise BadGateway(f"HTTP {response.status} from {current}")
            return self._read_image(current, response, deadline)
        raise BadGateway(f"more than {self.limits.max_redirects} redirects")

    def _check(self, url: str) -> str:
        url = guarded_http.check_url(url, GUARD_ERRORS)
        guarded_http.refuse_before_connecting(url, self.address_check, GUARD_ERRORS)
        return url

    def _request(self, url: str, deadline: float) -> BaseHTTPResponse:
        remaining = _remaining(deadline, url)
        timeout = urllib3.Timeout(connect=min(self.limits.connect_timeout_s, remaining),
                                  read=remaining)
        # Only these headers leave: no cookie, no Referer, nothing about the reader.
        headers = {"User-Agent": self.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": "identity"}
        try:
            return self._manager.request("GET", url, headers=headers, timeout=timeout,
                                         redirect=False, retries=False,
                                         preload_content=False, decode_content=False)
        except urllib3_errors.HTTPError as error:
            raise BadGateway(f"cannot fetch {url}: {error}") from error

    def _read_image(self, url: str, response: BaseHTTPResponse,
                    deadline: float) -> tuple[bytes, str]:
        limit = self.limits.max_image_bytes
        try:
            try:
                declared = declared_length(response.headers.get("content-length"))
            except ValueError as error:
                raise BadGateway(f"{error} from {url}") from error
            if declared is not None and declared > limit:
                raise BadGateway(f"image of {declared} bytes is larger than {limit}")
            encoding = response.headers.get("content-encoding", "identity").strip().lower()
            if encoding not in ("", "identity"):
                raise BadGateway(f"unexpected Content-Encoding {encoding!r}")
            declared_type = response.headers.get("content-type", "").split(";")[0].strip()
            if not declared_type.lower().startswith("image/"):
                raise BadGateway(f"{url} is {declared_type or 'untyped'}, not an image")
            pieces, received = [], 0
            while chunk := response.read1(CHUNK_BYTES, decode_content=False):
                received += len(chunk)
                if received > limit:
                    raise BadGateway(f"image larger than {limit} bytes")
                _remaining(deadline, url)
                pieces.append(chunk)
        except urllib3_errors.HTTPError as error:
            response.close()
            raise BadGateway(f"reading {url} failed: {error}") from error
        except BaseException:
            response.close()
            raise
        response.release_conn()
        content = b"".join(pieces)
        content_type = image_type(content[:SNIFF_BYTES])
        if content_type is None:      # SVG, HTML dressed as image/png, truncated bytes…
            raise BadGateway(f"{url} is not a raster image Hopper serves")
        return content, content_type


def _remaining(deadline: float, url: str) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise BadGateway(f"fetching {url} took longer than the total time limit")
    return remaining
