"""The fetcher against a real HTTP server on loopback: statuses, validators, limits,
decompression and the SSRF guard."""

from __future__ import annotations

import gzip
import socket
import time
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from hopper.guarded_http import is_public_address
from hopper.settings import Limits
from tests.hanging import raw_host
from tests.workers.ingest.conftest import TEST_LIMITS, rss
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
from workers.ingest.steps.fetch import (
    CappedDecoder,
    FeedClient,
    FetchOptions,
    parse_retry_after,
    user_agent,
)

FEED = rss(("a", "First"), ("b", "Second"))


def gzip_bomb(inflated_bytes: int) -> bytes:
    """A gzip body of a few hundred KB that inflates to `inflated_bytes` of zeros."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    parts = [compressor.compress(block) for _ in range(inflated_bytes // len(block))]
    parts.append(compressor.flush())
    return b"".join(parts)


# --- success, validators, redirects ---------------------------------------------------

def test_200_returns_the_body_and_the_validators(httpserver: HTTPServer,
                                                 http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        FEED, content_type="application/rss+xml",
        headers={"ETag": '"v1"', "Last-Modified": "Mon, 02 Nov 2026 10:00:00 GMT"})
    fetched = http.fetch(httpserver.url_for("/feed"))
    assert fetched.status == 200
    assert fetched.content == FEED
    assert fetched.etag == '"v1"'
    assert fetched.last_modified == "Mon, 02 Nov 2026 10:00:00 GMT"
    assert fetched.headers["content-type"] == "application/rss+xml"
    assert fetched.permanent_url is None


def test_user_agent_names_hopper_and_the_site(httpserver: HTTPServer,
                                              http: FeedClient) -> None:
    seen: list[str] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("User-Agent", ""))
        return Response(FEED)

    httpserver.expect_request("/feed").respond_with_handler(handler)
    http.fetch(httpserver.url_for("/feed"))
    assert "Hopper" in seen[0] and "http://hopper.test" in seen[0]


def test_conditional_get_sends_validators_and_304_returns_no_body(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request(
        "/feed", headers={"If-None-Match": '"v1"',
                          "If-Modified-Since": "Mon, 02 Nov 2026 10:00:00 GMT"},
    ).respond_with_data("", status=304, headers={"ETag": '"v1"'})
    fetched = http.fetch(httpserver.url_for("/feed"), etag='"v1"',
                         last_modified="Mon, 02 Nov 2026 10:00:00 GMT")
    assert fetched.status == 304
    assert fetched.content == b""
    assert fetched.etag == '"v1"'


def test_gzip_body_is_decompressed(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        gzip.compress(FEED), headers={"Content-Encoding": "gzip"})
    assert http.fetch(httpserver.url_for("/feed")).content == FEED


@pytest.mark.parametrize("body", [zlib.compress(FEED), zlib.compress(FEED)[2:-4]],
                         ids=["zlib", "raw-deflate"])
def test_deflate_body_is_decompressed_in_both_spellings(
        httpserver: HTTPServer, http: FeedClient, body: bytes) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        body, headers={"Content-Encoding": "deflate"})
    assert http.fetch(httpserver.url_for("/feed")).content == FEED


def test_301_and_308_report_a_permanent_url(httpserver: HTTPServer,
                                           http: FeedClient) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/older"})
    httpserver.expect_request("/older").respond_with_data(
        "", status=308, headers={"Location": httpserver.url_for("/new")})
    httpserver.expect_request("/new").respond_with_data(FEED)
    fetched = http.fetch(httpserver.url_for("/old"))
    assert fetched.content == FEED
    assert fetched.url == httpserver.url_for("/new")
    assert fetched.permanent_url == httpserver.url_for("/new")


@pytest.mark.parametrize("temporary", [302, 303, 307])
def test_a_temporary_hop_anywhere_keeps_the_stored_url(
        httpserver: HTTPServer, http: FeedClient, temporary: int) -> None:
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/middle"})
    httpserver.expect_request("/middle").respond_with_data(
        "", status=temporary, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data(FEED)
    fetched = http.fetch(httpserver.url_for("/old"))
    assert fetched.content == FEED
    assert fetched.permanent_url is None


def test_a_redirect_loop_stops_after_five_hops(httpserver: HTTPServer,
                                               http: FeedClient) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(HTTPStatusError, match="more than 5 redirects"):
        http.fetch(httpserver.url_for("/a"))
    assert len(httpserver.log) == 6


def test_a_redirect_to_another_scheme_is_refused(httpserver: HTTPServer,
                                                 http: FeedClient) -> None:
    httpserver.expect_request("/a").respond_with_data(
        "", status=302, headers={"Location": "file:///etc/passwd"})
    with pytest.raises(InvalidURL) as caught:
        http.fetch(httpserver.url_for("/a"))
    assert caught.value.is_permanent



@pytest.mark.parametrize("location", [b"http://[::1", b"//[not-an-address]/feed"])
def test_a_redirect_to_a_malformed_host_is_an_invalid_url(http: FeedClient,
                                                          location: bytes) -> None:
    """urljoin itself raises ValueError on an unclosed or non-address bracketed host:
    the poll ended as 'internal error' instead of the refusal any unusable target gets."""
    answer = b"HTTP/1.1 302 Found\r\nLocation: " + location + \
        b"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    with raw_host(answer) as (base, _requests), pytest.raises(InvalidURL) as caught:
        http.fetch(base + "/a")
    assert caught.value.is_permanent


# --- statuses -------------------------------------------------------------------------

def test_410_is_a_permanent_source_gone(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data("gone", status=410)
    with pytest.raises(SourceGone) as caught:
        http.fetch(httpserver.url_for("/feed"))
    assert caught.value.is_permanent
    assert "410" in caught.value.reason


@pytest.mark.parametrize("status", [404, 500, 502, 503])
def test_404_and_5xx_are_transient_status_errors(httpserver: HTTPServer, http: FeedClient,
                                                 status: int) -> None:
    httpserver.expect_request("/feed").respond_with_data("no", status=status)
    with pytest.raises(HTTPStatusError) as caught:
        http.fetch(httpserver.url_for("/feed"))
    assert not caught.value.is_permanent
    assert caught.value.status == status
    assert f"HTTP {status}" in caught.value.reason


def test_429_carries_retry_after_seconds(httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "120"})
    before = datetime.now(UTC)
    with pytest.raises(RateLimited) as caught:
        http.fetch(httpserver.url_for("/feed"))
    assert not caught.value.is_permanent
    assert caught.value.retry_after is not None
    assert timedelta(seconds=119) <= caught.value.retry_after - before <= timedelta(seconds=125)


def test_503_with_an_http_date_retry_after_is_rate_limited(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "busy", status=503, headers={"Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"})
    with pytest.raises(RateLimited) as caught:
        http.fetch(httpserver.url_for("/feed"))
    assert caught.value.retry_after == datetime(2099, 10, 21, 7, 28, tzinfo=UTC)


def test_retry_after_in_the_past_or_garbage() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now) == now
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after("9" * 30, now) == now + timedelta(days=365)
    assert parse_retry_after(None, now) is None


# --- numbers in headers that str.isdigit() takes and int() does not -------------------
# '²' (one Latin-1 byte on the wire) is a digit to str.isdigit() and no number to int();
# 5,000 digits are beyond what int() converts (Python's 4,300-digit limit). Both used to
# end a poll as "internal error: ValueError".

def raw_answer(head: bytes, body: bytes = b"") -> bytes:
    return head + b"Connection: close\r\n\r\n" + body


@pytest.mark.parametrize("length", [b"\xb2", b"9" * 5000])
def test_a_content_length_that_is_no_number_is_a_transient_failure(http: FeedClient,
                                                                  length: bytes) -> None:
    answer = raw_answer(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\n"
                        b"Content-Length: " + length + b"\r\n", FEED)
    with raw_host(answer) as (base, _requests), pytest.raises(HTTPStatusError) as caught:
        http.fetch(base + "/feed")
    assert "Content-Length" in caught.value.reason and not caught.value.is_permanent


@pytest.mark.parametrize("value", [b"\xb2", b"9" * 5000])
def test_a_retry_after_of_odd_digits_is_still_rate_limited(http: FeedClient,
                                                           value: bytes) -> None:
    answer = raw_answer(b"HTTP/1.1 503 Busy\r\nContent-Length: 0\r\nRetry-After: " + value
                        + b"\r\n")
    with raw_host(answer) as (base, _requests), pytest.raises(RateLimited):
        http.fetch(base + "/feed")


def test_a_redirect_with_an_odd_content_length_is_still_followed(
        httpserver: HTTPServer, http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED, content_type="application/rss+xml")
    answer = raw_answer(b"HTTP/1.1 302 Found\r\nLocation: " + httpserver.url_for("/feed")
                        .encode() + b"\r\nContent-Length: \xb2\r\n")
    with raw_host(answer) as (base, _requests):
        assert http.fetch(base + "/old").content == FEED


# --- limits ---------------------------------------------------------------------------

def test_a_body_declared_larger_than_the_cap_is_refused(httpserver: HTTPServer,
                                                        http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(b"x" * (TEST_LIMITS.max_body_bytes + 1))
    with pytest.raises(TooLarge):
        http.fetch(httpserver.url_for("/feed"))


def test_a_streamed_body_without_length_is_cut_at_the_cap(httpserver: HTTPServer,
                                                          http: FeedClient) -> None:
    sent: list[int] = []

    def endless() -> Iterator[bytes]:
        for _ in range(10_000):                     # 640 MB if nobody stopped reading
            sent.append(1)
            yield b"x" * 65536

    httpserver.expect_request("/feed").respond_with_response(Response(endless()))
    with pytest.raises(TooLarge):
        http.fetch(httpserver.url_for("/feed"))
    assert len(sent) < 100


def test_a_gzip_bomb_is_refused_after_the_cap_not_after_inflating(
        httpserver: HTTPServer, http: FeedClient) -> None:
    bomb = gzip_bomb(300 * 1024 * 1024)
    assert len(bomb) < 400 * 1024                 # 300 KB on the wire, 300 MB inflated
    httpserver.expect_request("/feed").respond_with_data(
        bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(TooLarge, match="after decompression"):
        http.fetch(httpserver.url_for("/feed"))


def test_the_decoder_never_produces_more_than_its_limit() -> None:
    decoder = CappedDecoder("gzip", limit=1000)
    with pytest.raises(TooLarge):
        decoder.decode(gzip_bomb(10 * 1024 * 1024))
    assert decoder.size <= 1001


def test_concatenated_gzip_members_are_all_decoded() -> None:
    decoder = CappedDecoder("gzip", limit=1000)
    body = gzip.compress(b"hello ") + gzip.compress(b"world")
    assert decoder.decode(body) + decoder.finish() == b"hello world"


def test_a_server_that_never_answers_times_out(http: FeedClient) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)                      # accepts the TCP handshake, says nothing
        port = listener.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(Timeout):
            http.fetch(f"http://127.0.0.1:{port}/feed")
    assert time.monotonic() - started < TEST_LIMITS.total_timeout_s + 1


def test_a_slow_drip_is_cut_by_the_total_deadline(httpserver: HTTPServer) -> None:
    limits = Limits(connect_timeout_s=1, read_timeout_s=1, total_timeout_s=1.5)
    client = FeedClient(FetchOptions(limits=limits, allow_private_networks=True,
                                     user_agent="t"))

    def drip() -> Iterator[bytes]:
        for _ in range(20):
            time.sleep(0.3)
            yield b"<"

    httpserver.expect_request("/feed").respond_with_response(Response(drip()))
    started = time.monotonic()
    with pytest.raises(Timeout, match="total time limit"):
        client.fetch(httpserver.url_for("/feed"))
    assert time.monotonic() - started < 3


def test_a_refused_connection_is_a_transient_network_error(http: FeedClient) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]           # bound, not listening: refused
        with pytest.raises(NetworkError) as caught:
            http.fetch(f"http://127.0.0.1:{port}/feed")
    assert not caught.value.is_permanent


@pytest.mark.parametrize("url", ["ftp://example.test/feed", "file:///etc/passwd",
                                 "javascript:alert(1)", "http:///nohost", "http://a:99999/"])
def test_urls_that_cannot_be_fetched_are_permanently_invalid(http: FeedClient,
                                                             url: str) -> None:
    with pytest.raises(InvalidURL) as caught:
        http.fetch(url)
    assert caught.value.is_permanent


# --- the SSRF guard -------------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "0.0.0.0",  # noqa: S104
    "100.64.0.1", "224.0.0.1", "240.0.0.1", "255.255.255.255", "::1", "::", "fe80::1",
    "fc00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1", "2002:7f00:1::",
])
def test_the_guard_refuses_non_public_addresses(address: str) -> None:
    assert not is_public_address(address)


@pytest.mark.parametrize("address", ["93.184.216.34", "8.8.8.8", "2606:4700:4700::1111",
                                     "::ffff:8.8.8.8"])
def test_the_guard_lets_public_addresses_through(address: str) -> None:
    assert is_public_address(address)


@pytest.mark.parametrize("url", ["http://127.0.0.1:1/feed", "http://10.0.0.1/feed",
                                 "http://169.254.169.254/latest/meta-data/",
                                 "http://[::1]:1/feed", "https://[::ffff:192.168.0.1]/"])
def test_address_literals_are_blocked_before_connecting(guarded_http: FeedClient,
                                                        url: str) -> None:
    started = time.monotonic()
    with pytest.raises(Blocked) as caught:
        guarded_http.fetch(url)
    assert caught.value.is_permanent
    assert time.monotonic() - started < 0.5      # never waited on a connect timeout


def test_a_host_name_resolving_to_loopback_is_blocked_after_connecting(
        httpserver: HTTPServer, guarded_http: FeedClient) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    url = f"http://localhost:{httpserver.port}/feed"
    with pytest.raises(Blocked, match="at 127.0.0.1"):
        guarded_http.fetch(url)
    assert httpserver.log == []                  # not one byte of the request was sent


def test_a_public_looking_first_hop_cannot_redirect_into_a_private_name() -> None:
    """127.0.0.2 plays "the public internet"; its redirect to a name that resolves to
    127.0.0.1 must be refused by the peer check on the second hop."""
    public = HTTPServer(host="127.0.0.2", port=0)
    private = HTTPServer(host="127.0.0.1", port=0)
    public.start()
    private.start()
    try:
        public.expect_request("/feed").respond_with_data(
            "", status=302, headers={"Location": f"http://localhost:{private.port}/secret"})
        private.expect_request("/secret").respond_with_data("metadata")
        client = FeedClient(FetchOptions(
            limits=TEST_LIMITS, allow_private_networks=False, user_agent="t",
            is_allowed_address=lambda address: address == "127.0.0.2"))
        with pytest.raises(Blocked, match="localhost at 127.0.0.1"):
            client.fetch(public.url_for("/feed"))
        assert len(public.log) == 1
        assert private.log == []
    finally:
        public.stop()
        private.stop()


def test_a_redirect_to_the_metadata_address_is_blocked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"})
    client = FeedClient(FetchOptions(
        limits=TEST_LIMITS, allow_private_networks=False, user_agent="t",
        is_allowed_address=lambda address: address == "127.0.0.1"))
    with pytest.raises(Blocked, match="169.254.169.254"):
        client.fetch(httpserver.url_for("/feed"))


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/",
                                    "http://[fd00:ec2::254]/latest/meta-data/",
                                    "http://metadata.google.internal/computeMetadata/v1/"])
def test_allowing_private_networks_still_refuses_a_redirect_to_metadata(
        httpserver: HTTPServer, http: FeedClient, target: str) -> None:
    """HOPPER_ALLOW_PRIVATE_NETWORKS=1 opens loopback and private ranges, never the cloud
    metadata service: the hop is refused before any connection is attempted."""
    assert http.options.allow_private_networks
    httpserver.expect_request("/feed").respond_with_data(
        "", status=301, headers={"Location": target})
    started = time.monotonic()
    with pytest.raises(Blocked, match="metadata|never fetched") as caught:
        http.fetch(httpserver.url_for("/feed"))
    assert caught.value.is_permanent
    assert time.monotonic() - started < 0.5      # no connect attempt, no timeout waited
    assert len(httpserver.log) == 1


def test_allow_private_networks_lets_loopback_through(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/feed").respond_with_data(FEED)
    client = FeedClient(FetchOptions(limits=TEST_LIMITS, allow_private_networks=True,
                                     user_agent=user_agent("http://x.test")))
    assert client.fetch(f"http://localhost:{httpserver.port}/feed").content == FEED
