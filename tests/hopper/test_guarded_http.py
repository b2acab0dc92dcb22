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
        guarded_http.refuse_address_literal("http://[::1]:80/x", guarded_http.is_public_address,
                                            ERRORS)
    guarded_http.refuse_address_literal("http://127.0.0.1/x", None, ERRORS)   # guard off


@pytest.mark.parametrize("url", ["ftp://a.example/", "file:///etc/passwd", "http:///nohost",
                                 "http://a.example:99999/"])
def test_only_http_urls_with_a_host_pass(url: str) -> None:
    with pytest.raises(ValueError):
        guarded_http.check_url(url, ERRORS)
