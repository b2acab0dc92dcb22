"""The shared SSRF guard, as the media proxy uses it (the feed fetcher's own tests in
tests/workers/ingest/steps/test_fetch.py cover the same guard through FeedClient)."""

from __future__ import annotations

import pytest
from pytest_httpserver import HTTPServer

from hopper import guarded_http
from hopper.guarded_http import GuardErrors


class Refused(Exception):
    pass


class Dropped(Exception):
    pass


ERRORS = GuardErrors(blocked=Refused, dropped=Dropped, invalid=ValueError)


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "192.168.0.1", "169.254.169.254",
                                     "::1", "fe80::1", "::ffff:127.0.0.1", "100.64.0.1",
                                     "0.0.0.0", "224.0.0.1", "not an address"])  # noqa: S104
def test_non_public_addresses_are_not_public(address: str) -> None:
    assert not guarded_http.is_public_address(address)


def test_a_public_address_is_public() -> None:
    assert guarded_http.is_public_address("93.184.216.34")


def test_the_pool_refuses_a_peer_the_check_refuses_before_sending(
        httpserver: HTTPServer) -> None:
    manager = guarded_http.guarded_pool_manager(
        is_allowed_address=guarded_http.is_public_address, errors=ERRORS, pool_size=1)
    with pytest.raises(Refused):
        manager.request("GET", httpserver.url_for("/"), retries=False)
    assert httpserver.log == []


def test_address_literals_are_refused_before_connecting() -> None:
    with pytest.raises(Refused):
        guarded_http.refuse_before_connecting("http://[::1]:80/x",
                                              guarded_http.is_public_address, ERRORS)
    guarded_http.refuse_before_connecting(   # loopback allowed
        "http://127.0.0.1/x", guarded_http.address_check(allow_private_networks=True), ERRORS)


@pytest.mark.parametrize("url", ["ftp://a.example/", "file:///etc/passwd", "http:///nohost",
                                 "http://a.example:99999/"])
def test_only_http_urls_with_a_host_pass(url: str) -> None:
    with pytest.raises(ValueError):
        guarded_http.check_url(url, ERRORS)


ALLOWING_PRIVATE = guarded_http.address_check(allow_private_networks=True)


@pytest.mark.parametrize("address", ["127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.5.4",
                                     "192.168.0.1", "::1", "fd12:3456::1", "::ffff:10.0.0.1",
                                     "93.184.216.34"])
def test_allowing_private_networks_opens_loopback_and_private_ranges(address: str) -> None:
    assert ALLOWING_PRIVATE(address)


@pytest.mark.parametrize("address", ["169.254.169.254", "169.254.170.2", "169.254.0.1",
                                     "fe80::1", "fe80::a9fe:a9fe%eth0", "fd00:ec2::254",
                                     "100.100.100.200", "100.64.0.1", "::ffff:169.254.169.254",
                                     "0.0.0.0", "::", "224.0.0.1", "255.255.255.255",  # noqa: S104
                                     "not an address"])
def test_allowing_private_networks_never_opens_link_local_or_metadata(address: str) -> None:
    assert not ALLOWING_PRIVATE(address)
    assert not guarded_http.is_public_address(address)


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/",
                                 "http://[fd00:ec2::254]/latest/meta-data/",
                                 "http://[::ffff:a9fe:a9fe]/", "http://100.100.100.200/",
                                 "http://metadata.google.internal/computeMetadata/v1/",
                                 "http://METADATA.google.internal./"])
def test_metadata_destinations_are_refused_before_connecting_whatever_the_flag(
        url: str) -> None:
    with pytest.raises(Refused, match="metadata|never fetched"):
        guarded_http.refuse_before_connecting(url, ALLOWING_PRIVATE, ERRORS)


def test_the_pool_refuses_a_link_local_peer_even_allowing_private_networks() -> None:
    """The peer check (names that resolve to a metadata address) uses the same judgement:
    a listener on loopback plays the metadata service, judged as if it were link-local."""
    manager = guarded_http.guarded_pool_manager(
        is_allowed_address=lambda peer: ALLOWING_PRIVATE("169.254.169.254"),
        errors=ERRORS, pool_size=1)
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    try:
        with pytest.raises(Refused):
            manager.request("GET", server.url_for("/"), retries=False)
        assert server.log == []
    finally:
        server.stop()
