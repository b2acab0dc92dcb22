"""Fetch: the only ingest step that touches the network.

`FeedClient.fetch(url, etag=…, last_modified=…)` returns a `FetchedFeed` (200 or 304) or
raises an `IngestError` that says what went wrong. It owns every defence a feed fetcher
needs (docs/architecture.md, "Fetching feeds"):

- one pooled urllib3 client per process, connect / read timeouts and a total deadline;
- redirects followed by hand, at most `limits.max_redirects`, each hop re-checked;
- the SSRF guard (`hopper.guarded_http`): only http and https, and the address the
  socket actually connected to must be public (checked on every hop, after DNS, before a
  byte of the request is sent), or loopback/private when `allow_private_networks` is
  set — never link-local or a cloud metadata service;
- a body cap counted on the wire *and* after decompression, while streaming, so a small
  gzip bomb is refused after `max_body_bytes` of output, not after it filled the memory;
- politeness: each request (each redirect hop) holds one of its host's slots
  (`hopper.host_slots`, at most `HOPPER_PER_HOST_CONCURRENCY` at once across every
  process) from the request until its body is read.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import redis
import urllib3
from urllib3 import exceptions as urllib3_errors
from urllib3.response import BaseHTTPResponse

from hopper import guarded_http
from hopper.guarded_http import GuardErrors, address_check, guarded_pool_manager
from hopper.host_slots import HostBusy, HostSlots
from hopper.http_numbers import declared_length, header_number
from hopper.settings import Limits, Settings
from workers.ingest.errors import (
    Blocked,
    HTTPStatusError,
    InvalidURL,
    NetworkError,
    RateLimited,
    SourceGone,
    Timeout,
    TooLarge,
)
from workers.ingest.records import FetchedFeed

ALLOWED_SCHEMES = guarded_http.ALLOWED_SCHEMES
# RFC 9110 §15.4: 301/308 are permanent, 302/303/307 temporary.
PERMANENT_REDIRECTS = frozenset({301, 308})
TEMPORARY_REDIRECTS = frozenset({302, 303, 307})
REDIRECTS = PERMANENT_REDIRECTS | TEMPORARY_REDIRECTS
ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
          "application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, "
          "application/json;q=0.8, text/html;q=0.5, */*;q=0.1")
CHUNK_BYTES = 64 * 1024
DRAIN_BYTES = 64 * 1024
RETRY_AFTER_MAX_S = 365 * 24 * 3600


# --- the SSRF guard (hopper.guarded_http, shared with the media proxy) ---------------

GUARD_ERRORS = GuardErrors(blocked=Blocked, dropped=NetworkError, invalid=InvalidURL)


def check_url(url: str) -> str:
    """Refuse what can never be fetched: a scheme other than http(s), or no host."""
    return guarded_http.check_url(url, GUARD_ERRORS)


def _pool_manager(*, is_allowed_address: Callable[[str], bool],
                  pool_size: int) -> urllib3.PoolManager:
    return guarded_pool_manager(is_allowed_address=is_allowed_address,
                                errors=GUARD_ERRORS, pool_size=pool_size)


# --- decompression with a cap -------------------------------------------------------

class CappedDecoder:
    """Decodes a Content-Encoding chunk by chunk and refuses output past `limit` bytes.

    zlib's `max_length` bounds each step's output, so a bomb never allocates more than
    `limit` bytes however well it compresses.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding
        self.limit = limit
        self.size = 0
        self._is_gzip = encoding in {"gzip", "x-gzip"}
        self._is_identity = encoding in {"", "identity"}
        if not (self._is_gzip or self._is_identity or encoding == "deflate"):
            raise HTTPStatusError(f"unsupported Content-Encoding {encoding!r}")
        self._zlib = self._new_zlib()
        self._is_first_chunk = True

    def _new_zlib(self) -> Any:
        return zlib.decompressobj(16 + zlib.MAX_WBITS if self._is_gzip else zlib.MAX_WBITS)

    def decode(self, data: bytes) -> bytes:
        if self._is_identity:
            return self._count(data)
        try:
            return self._inflate(data)
        except zlib.error as error:
            if self.encoding == "deflate" and self._is_first_chunk:
                # Some servers send raw deflate (RFC 1951) instead of zlib (RFC 1950).
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                self._is_first_chunk = False
                return self.decode(data)
            raise HTTPStatusError(f"body is not valid {self.encoding}: {error}") from error
        finally:
            self._is_first_chunk = False

    def _inflate(self, data: bytes) -> bytes:
        pieces = []
        while data:
            piece = self._zlib.decompress(data, self.limit - self.size + 1)
            pieces.append(self._count(piece))
            if not self._zlib.eof:
                break                            # all input consumed, more to come
            data = self._zlib.unused_data
            if data and self._is_gzip and data.lstrip(b"\0"):
                self._zlib = self._new_zlib()    # a further gzip member (RFC 1952 §2.2)
                data = data.lstrip(b"\0")
            else:
                break
        return b"".join(pieces)

    def finish(self) -> bytes:
        if self._is_identity:
            return b""
        return self._count(self._zlib.flush())

    def _count(self, piece: bytes) -> bytes:
        self.size += len(piece)
        if self.size > self.limit:
            raise TooLarge(f"body larger than {self.limit} bytes after decompression")
        return piece


# --- the client ---------------------------------------------------------------------

def user_agent(base_url: str) -> str:
    return f"Hopper/0.1 (news aggregator; +{base_url})"


def parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """RFC 9110 §10.2.3: seconds, or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        # Bounded so an absurd number cannot overflow a datetime; the schedule caps it.
        # More digits than header_number reads are as long as allowed.
        seconds = header_number(value)
        return now + timedelta(seconds=RETRY_AFTER_MAX_S if seconds is None
                               else min(seconds, RETRY_AFTER_MAX_S))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    try:
        return max(when.astimezone(UTC), now)
    except OverflowError:   # beyond datetime.max (or min) once in UTC
        return now + timedelta(seconds=RETRY_AFTER_MAX_S) if when.year > 1 else now


@dataclass(frozen=True)
class FetchOptions:
    limits: Limits
    allow_private_networks: bool
    user_agent: str
    pool_size: int = 10
    # Which peer addresses the guard lets through when private networks are not
    # allowed; tests swap in their own judgement to treat one loopback address as
    # "public" and prove the guard on the next hop.
    is_allowed_address: Callable[[str], bool] | None = None

    @property
    def address_check(self) -> Callable[[str], bool]:
        if self.is_allowed_address is not None and not self.allow_private_networks:
            return self.is_allowed_address
        return address_check(allow_private_networks=self.allow_private_networks)


class FeedClient:
    """A pooled, guarded HTTP client for feeds and the pages that advertise them.

    Thread-safe (urllib3 pools are): one per process, shared by every poll.
    """

    def __init__(self, options: FetchOptions, slots: HostSlots | None = None) -> None:
        self.options = options
        self.limits = options.limits
        self.slots = slots
        self._manager = _pool_manager(is_allowed_address=options.address_check,
                                      pool_size=options.pool_size)

    @classmethod
    def from_settings(cls, settings: Settings, *, pool_size: int = 10,
                      redis_client: redis.Redis | None = None) -> FeedClient:
        """With `redis_client`, every request waits for a slot of its host (polls and
        batches; a one-off fetch typed by an admin needs none)."""
        slots = None if redis_client is None else host_slots(settings, redis_client)
        return cls(FetchOptions(limits=settings.limits,
                                allow_private_networks=settings.allow_private_networks,
                                user_agent=user_agent(settings.base_url),
                                pool_size=pool_size), slots)

    def close(self) -> None:
        self._manager.clear()

    def fetch(self, url: str, *, etag: str | None = None,
              last_modified: str | None = None) -> FetchedFeed:
        """GET `url`, following redirects by hand; conditional when validators are given."""
        deadline = time.monotonic() + self.limits.total_timeout_s
        headers = self._request_headers(etag, last_modified)
        current = self.check_destination(url)
        is_permanent = True
        for _hop in range(self.limits.max_redirects + 1):
            with self._host_slot(current):
                response = self._request(current, headers, deadline)
                if response.status not in REDIRECTS:
                    return self._answer(url, current, is_permanent, response, deadline)
                location = response.headers.get("location")
                _discard(response)
            if not location:
                raise HTTPStatusError(f"HTTP {response.status} without a Location",
                                      response.status)
            is_permanent = is_permanent and response.status in PERMANENT_REDIRECTS
            current = self.check_destination(
                guarded_http.redirect_target(current, location, GUARD_ERRORS))
        raise HTTPStatusError(f"more than {self.limits.max_redirects} redirects "
                              f"(last to {current})")

    @contextmanager
    def _host_slot(self, url: str) -> Iterator[None]:
        if self.slots is None:
            yield
            return
        try:
            with self.slots.hold(urlsplit(url).hostname or ""):
                yield
        except HostBusy as busy:
            raise Timeout(f"{busy} (HOPPER_PER_HOST_CONCURRENCY)") from busy

    def check_destination(self, url: str) -> str:
        """`check_url`, and refuse an address literal or a metadata host name in the URL
        before connecting.

        Host names are judged after connecting, by the connection's peer check.
        """
        url = check_url(url)
        guarded_http.refuse_before_connecting(url, self.options.address_check,
                                              GUARD_ERRORS)
        return url

    def _request_headers(self, etag: str | None, last_modified: str | None) -> dict[str, str]:
        headers = {"User-Agent": self.options.user_agent, "Accept": ACCEPT,
                   "Accept-Encoding": "gzip, deflate"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return headers

    def _request(self, url: str, headers: Mapping[str, str],
                 deadline: float) -> BaseHTTPResponse:
        remaining = _remaining(deadline, url)
        timeout = urllib3.Timeout(connect=min(self.limits.connect_timeout_s, remaining),
                                  read=min(self.limits.read_timeout_s, remaining))
        try:
            # urlopen, not request: a GET without fields is what request would pass on.
            return self._manager.urlopen("GET", url, headers=dict(headers), timeout=timeout,
                                         redirect=False, retries=False,
                                         preload_content=False, decode_content=False)
        except urllib3_errors.HTTPError as error:
            raise _network_error(url, error) from error

    def _answer(self, requested: str, url: str, is_permanent: bool,
                response: BaseHTTPResponse, deadline: float) -> FetchedFeed:
        status = response.status
        # One value per name, repeated headers joined with ", " (RFC 9110 §5.3): a feed
        # names its WebSub hub and topic in two separate Link headers.
        headers = {name.lower(): value for name, value in response.headers.itermerged()}
        content = b""
        if status == 304:
            _discard(response)
        elif status in (200, 203):
            content = self._read_body(url, response, headers, deadline)
        else:
            _discard(response)
            raise _status_error(url, status, headers)
        return FetchedFeed(
            status=304 if status == 304 else 200,
            url=url,
            permanent_url=url if is_permanent and url != requested else None,
            content=content,
            headers=headers,
            etag=headers.get("etag"),
            last_modified=headers.get("last-modified"),
        )

    def _read_body(self, url: str, response: BaseHTTPResponse, headers: Mapping[str, str],
                   deadline: float) -> bytes:
        """The body, capped; `headers` are the response's, lower-cased by `_answer`."""
        limit = self.limits.max_body_bytes
        try:
            declared = declared_length(headers.get("content-length"))
        except ValueError as error:
            response.close()
            raise HTTPStatusError(f"{error} from {url}") from error
        if declared is not None and declared > limit:
            response.close()
            raise TooLarge(f"body of {declared} bytes is larger than {limit}")
        encoding = headers.get("content-encoding", "").strip().lower()
        try:
            decoder = CappedDecoder(encoding, limit)
            received = 0
            pieces = []
            # read1 returns whatever arrived, so the deadline is checked as bytes trickle in.
            while chunk := response.read1(CHUNK_BYTES, decode_content=False):
                received += len(chunk)
                if received > limit:
                    raise TooLarge(f"body larger than {limit} bytes")
                _remaining(deadline, url)
                pieces.append(decoder.decode(chunk))
            pieces.append(decoder.finish())
        except urllib3_errors.HTTPError as error:
            response.close()
            raise _network_error(url, error) from error
        except BaseException:
            response.close()
            raise
        response.release_conn()
        return b"".join(pieces)


def host_slots(settings: Settings, client: redis.Redis) -> HostSlots:
    """The per-host limit for feed fetches: a holder's slot lapses a little after the
    longest a request may take; a caller waits at most half that for one."""
    limits = settings.limits
    return HostSlots(client, limit=settings.per_host_concurrency,
                     hold_s=limits.total_timeout_s + 15, wait_s=limits.total_timeout_s / 2)


def _remaining(deadline: float, url: str) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise Timeout(f"fetching {url} took longer than the total time limit")
    return remaining


def _discard(response: BaseHTTPResponse) -> None:
    """Read a small leftover body so the connection can be reused; else drop it."""
    try:
        declared = header_number(response.headers.get("content-length"))
        if declared is not None and declared <= DRAIN_BYTES:
            response.read(DRAIN_BYTES, decode_content=False)
            response.release_conn()
            return
    except (urllib3_errors.HTTPError, OSError):
        pass
    response.close()


def _status_error(url: str, status: int, headers: Mapping[str, str]) -> Exception:
    if status == 410:
        return SourceGone(f"HTTP 410 Gone from {url}: the feed was removed")
    if status == 429 or (status == 503 and headers.get("retry-after")):
        retry_after = parse_retry_after(headers.get("retry-after"), datetime.now(UTC))
        wait = f"; retry after {retry_after:%Y-%m-%d %H:%M:%S} UTC" if retry_after else ""
        return RateLimited(f"HTTP {status} from {url}: rate limited{wait}", retry_after)
    return HTTPStatusError(f"HTTP {status} from {url}", status)


def _network_error(url: str, error: Exception) -> Exception:
    # Most specific first: in urllib3 NameResolutionError < NewConnectionError
    # < ConnectTimeoutError.
    if isinstance(error, urllib3_errors.NameResolutionError):
        return NetworkError(f"cannot resolve the host of {url}")
    if isinstance(error, urllib3_errors.NewConnectionError):
        return NetworkError(f"cannot connect to {url}: connection refused or unreachable")
    if isinstance(error, urllib3_errors.ConnectTimeoutError):
        return Timeout(f"connecting to {url} timed out")
    if isinstance(error, urllib3_errors.ReadTimeoutError):
        return Timeout(f"{url} did not answer in time")
    if isinstance(error, urllib3_errors.LocationValueError):
        return InvalidURL(f"invalid URL {url!r}: {error}")
    if isinstance(error, urllib3_errors.SSLError):
        return NetworkError(f"TLS error with {url}: {error}")
    return NetworkError(f"network error with {url}: {error}")
