"""WebSub (W3C Recommendation, 23 January 2018): the protocol rules that the web (which
answers hubs) and the workers (which ask hubs) share. Pure functions, no I/O.

- A subscription's callback is `<base URL>/websub/<token>`: the random token is the only
  thing that names it, so nobody can guess another subscription's callback (§5.1).
- A delivery is authentic when `X-Hub-Signature: <method>=<hex HMAC of the body>` matches
  the subscription's secret (§8); compared in constant time.
- Leases: a hub grants what it likes; we keep it within bounds and renew well before it
  ends (§5.1.2, "hub.lease_seconds").
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

CALLBACK_PATH = "/websub/"
# §8: sha1, sha256, sha384 and sha512 are the methods a hub may sign with.
SIGNATURE_METHODS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256,
                     "sha384": hashlib.sha384, "sha512": hashlib.sha512}
# A lease shorter than this would be renewed on every sweep; longer than this is
# nonsense (and far in the future is where an unbounded integer would overflow a date).
MIN_LEASE_SECONDS = 60
MAX_LEASE_SECONDS = 365 * 24 * 3600
# Renew when at most this much of a lease is left (half of a short lease).
RENEW_BEFORE = timedelta(days=1)
# A hub that accepted a request but never verified it is asked again after this.
VERIFY_WAIT = timedelta(hours=1)
# After the hub refuses (hub.mode=denied), ask again this much later.
DENIED_RETRY = timedelta(days=1)
# A failed subscription request is retried after 5 min, 10 min, 20 min… up to a day.
REQUEST_RETRY_FIRST = timedelta(minutes=5)
REQUEST_RETRY_MAX = timedelta(days=1)
MAX_CHALLENGE_CHARS = 1024
TOKEN_BYTES = 32
SECRET_BYTES = 32       # 64 hex characters: §5.1 asks for fewer than 200 bytes


def callback_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{CALLBACK_PATH}{token}"


def signature_matches(secret: str, header: str | None, body: bytes) -> bool:
    """Whether `header` (`sha256=<hex>`) is the HMAC of `body` under `secret`."""
    method, _, given = (header or "").strip().partition("=")
    digest = SIGNATURE_METHODS.get(method.strip().lower())
    if digest is None or not given:
        return False
    expected = hmac.new(secret.encode(), body, digest).hexdigest()
    # As bytes: compare_digest refuses non-ASCII text, and a header can carry any byte.
    return hmac.compare_digest(expected.encode(), given.strip().lower().encode())


def bounded_lease_seconds(value: str | int | None, default: int) -> int:
    """The hub's `hub.lease_seconds`, within bounds; `default` when absent or not a
    number (a hub must send it, yet the verification is still worth accepting)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()):
        seconds = default
    else:   # a number too long to be a lease is read as "as long as you allow"
        seconds = int(text) if len(text) <= 12 else MAX_LEASE_SECONDS
    return min(max(seconds, MIN_LEASE_SECONDS), MAX_LEASE_SECONDS)


def renewal_at(verified_at: datetime, lease_seconds: int) -> datetime:
    """When to ask the hub again: a day before the lease ends, or halfway through a
    lease shorter than two days."""
    lease = timedelta(seconds=lease_seconds)
    return verified_at + lease - min(RENEW_BEFORE, lease / 2)


def retry_delay(failures: int) -> timedelta:
    """Exponential from REQUEST_RETRY_FIRST for the 1st, 2nd… failure in a row, capped."""
    return min(REQUEST_RETRY_FIRST * (1 << min(max(failures - 1, 0), 20)), REQUEST_RETRY_MAX)
