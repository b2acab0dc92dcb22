"""WebSub's shared rules: signatures, leases, retries, and when push is on."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hopper import websub
from hopper.settings import is_public_base_url, load_settings

BODY = b"<rss version='2.0'/>"


@pytest.mark.parametrize("method", ["sha1", "sha256", "sha384", "sha512"])
def test_a_signature_by_any_websub_method_matches_only_its_secret_and_body(
        method: str) -> None:
    signature = hmac.new(b"s3cret", BODY, getattr(hashlib, method)).hexdigest()
    assert websub.signature_matches("s3cret", f"{method}={signature}", BODY)
    assert websub.signature_matches("s3cret", f"{method.upper()}={signature.upper()}", BODY)
    assert not websub.signature_matches("other", f"{method}={signature}", BODY)
    assert not websub.signature_matches("s3cret", f"{method}={signature}", BODY + b" ")


@pytest.mark.parametrize("header", [None, "", "sha256", "sha256=", "md5=abc", "abc",
                                    "sha256=not-hex", "=abc", "sha256=é"])
def test_a_missing_or_malformed_signature_never_matches(header: str | None) -> None:
    assert not websub.signature_matches("s3cret", header, BODY)


def test_leases_are_bounded_and_renewed_before_they_end() -> None:
    assert websub.bounded_lease_seconds("86400", 7) == 86400
    assert websub.bounded_lease_seconds(None, 3600) == 3600
    assert websub.bounded_lease_seconds("soon", 3600) == 3600
    assert websub.bounded_lease_seconds("-5", 3600) == 3600
    assert websub.bounded_lease_seconds("1", 3600) == websub.MIN_LEASE_SECONDS
    assert websub.bounded_lease_seconds("9" * 40, 3600) == websub.MAX_LEASE_SECONDS
    now = datetime(2026, 11, 28, tzinfo=UTC)
    assert websub.renewal_at(now, 7 * 86400) == now + timedelta(days=6)
    assert websub.renewal_at(now, 600) == now + timedelta(minutes=5)


def test_failed_requests_back_off_exponentially_up_to_a_day() -> None:
    delays = [websub.retry_delay(n) for n in (1, 2, 3, 50)]
    assert delays[:3] == [timedelta(minutes=5), timedelta(minutes=10), timedelta(minutes=20)]
    assert delays[3] == timedelta(days=1)


@pytest.mark.parametrize(("url", "is_public"), [
    ("https://news.example.com", True),
    ("http://203.0.113.9.nip.io", True),
    ("http://8.8.8.8:8000", True),
    ("http://127.0.0.1:5000", False),
    ("http://localhost:5000", False),
    ("http://[::1]:5000", False),
    ("http://10.0.0.5", False),
    ("http://192.168.1.20", False),
    ("http://169.254.169.254", False),
    ("http://hopper.local", False),
    ("http://hopper.internal", False),
    ("http://intranet", False),
])
def test_only_a_public_base_url_counts_as_public(url: str, is_public: bool) -> None:
    assert is_public_base_url(url) is is_public


def test_push_follows_the_base_url_unless_hopper_websub_says(tmp_path: Path) -> None:
    def push(**env: str) -> bool:
        return load_settings({"HOPPER_INSTANCE": str(tmp_path), **env}).websub.is_enabled

    assert push() is False                                  # http://127.0.0.1:5000
    assert push(HOPPER_BASE_URL="https://news.example.com") is True
    assert push(HOPPER_BASE_URL="https://news.example.com", HOPPER_WEBSUB="0") is False
    assert push(HOPPER_WEBSUB="1") is True                  # a hub on the same network
    assert push(HOPPER_WEBSUB="auto", HOPPER_BASE_URL="http://10.1.2.3") is False
