"""The SSRF guard, shared by every outbound HTTP client (feed fetcher, media proxy).

Two defences (docs/architecture.md, "Fetching feeds"):
- the address the socket actually connected to must be allowed — checked on the fresh
  socket, after DNS and before a byte of the request is sent, so a name that resolves to
  127.0.0.1 (or rebinds to it) is refused;
- an address literal or a cloud-metadata host name in a URL is refused before connecting
  (`refuse_before_connecting`), and callers re-check every redirect hop with it and
  `check_url`.

Which addresses are allowed is one decision, `address_check(allow_private_networks=…)`,
that every client (feeds, article pages, images, WebSub hubs) takes from here: public
addresses only, or with HOPPER_ALLOW_PRIVATE_NETWORKS=1 also loopback and private ranges.
Link-local and cloud-metadata addresses are refused either way.

Errors are the caller's own classes (`GuardErrors`): the ingest steps raise their
`Blocked`/`NetworkError`, the media proxy its own, and this module imports neither.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit, urlunsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

ALLOWED_SCHEMES = frozenset({"http", "https"})
PRIVATE_HINT = "set HOPPER_ALLOW_PRIVATE_NETWORKS=1 to allow"
NEVER_HINT = "link-local, metadata and special ranges are never fetched"

# What HOPPER_ALLOW_PRIVATE_NETWORKS=1 opens: loopback, RFC 1918 and unique local
# (RFC 4193) ranges, i.e. a feed on this machine or the operator's own network.
# Link-local (169.254/16, fe80::/10), shared (100.64/10) and the rest stay closed:
# cloud metadata services live there.
PRIVATE_NETWORKS = tuple(ipaddress.ip_network(network) for network in (
    "127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "::1/128", "fc00::/7"))
# Metadata services that sit inside an otherwise allowed range, or are reached by name:
# AWS's IPv6 endpoint is a unique local address (fd00:ec2::254).
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(address) for address in (
    "169.254.169.254", "169.254.170.2", "fd00:ec2::254", "100.100.100.200"))
METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata.goog",
                            "metadata.azure.internal", "instance-data.ec2.internal"})


@dataclass(frozen=True)
class GuardErrors:
    """What to raise: `blocked` for a refused address, `dropped` when the socket died
    before its peer could be read, `invalid` for a URL that can never be fetched."""

    blocked: Callable[[str], Exception]
    dropped: Callable[[str], Exception]
    invalid: Callable[[str], Exception]


# Judgements are remembered per text (bounded): every request judges its URL's host, every
# new connection its peer, and a process polls the same hosts again and again. Each is a
# pure function of the text, so a remembered answer is the answer.
_remembered = functools.lru_cache(maxsize=4096)


def address_check(*, allow_private_networks: bool) -> Callable[[str], bool]:
    """The one judgement of peer addresses every client uses (HOPPER_ALLOW_PRIVATE_NETWORKS)."""
    return is_public_or_private_address if allow_private_networks else is_public_address


@_remembered
def is_public_address(address: str) -> bool:
    """True when `address` (IPv4 or IPv6 text) is a globally routable unicast address.

    Refuses loopback, private (RFC 1918, fc00::/7), link-local (169.254/16, fe80::/10,
    where cloud metadata lives), multicast, reserved, unspecified, shared (100.64/10)
    and documentation ranges; an IPv4-mapped IPv6 address is judged as its IPv4 form.
    """
    ip = _parse_address(address)
    if ip is None or ip in METADATA_ADDRESSES:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_loopback
                                 or ip.is_link_local or ip.is_private)


@_remembered
def is_public_or_private_address(address: str) -> bool:
    """`is_public_address`, or loopback, RFC 1918 or unique local (`PRIVATE_NETWORKS`);
    never link-local, shared, unspecified or a metadata address."""
    ip = _parse_address(address)
    if ip is None or ip in METADATA_ADDRESSES:
        return False
    # Asked by text, as callers ask, so its remembered answer serves: the same `ip`.
    return is_public_address(address) or any(ip in network for network in PRIVATE_NETWORKS)


@_remembered
def _parse_address(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address without its zone; an IPv4-mapped or 6to4 IPv6 address as its IPv4 form;
    None when `address` is not an address (a host name)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address):
        mapped = ip.ipv4_mapped or ip.sixtofour
        if mapped is not None:
            return mapped
    return ip


def _hint(address: str) -> str:
    """What an operator can do about a refused address: only loopback and private ranges
    can be opened."""
    return PRIVATE_HINT if is_public_or_private_address(address) else NEVER_HINT


def is_address_literal(host: str) -> bool:
    return _parse_address(host) is not None


def check_url(url: str, errors: GuardErrors) -> str:
    """Refuse what can never be fetched: a scheme other than http(s), or no host.
    Returns the URL without its fragment and without dot segments in its path, so
    `/./rss.xml` and `/a/../rss.xml` are the `/rss.xml` they mean (one source, one URL)."""
    try:
        parts = urlsplit(url.strip())
        _ = parts.port                      # raises ValueError on a bad port
    except ValueError as error:
        raise errors.invalid(f"invalid URL {url!r}: {error}") from error
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise errors.invalid(f"only http and https URLs can be fetched, not {url!r}")
    if not parts.hostname:
        raise errors.invalid(f"URL has no host: {url!r}")
    return urlunsplit(parts._replace(fragment="", path=remove_dot_segments(parts.path)))


def redirect_target(current: str, location: str, errors: GuardErrors) -> str:
    """Where a redirect's Location leads from `current`, checked as `check_url` checks a
    URL. urljoin itself raises ValueError on a malformed bracketed host (`http://[::1`,
    `//[name]/`): that is a URL that can never be fetched, like any other."""
    try:
        joined = urljoin(current, location.strip())
    except ValueError as error:
        raise errors.invalid(f"invalid redirect target {location[:200]!r}: {error}") from error
    return check_url(joined, errors)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 §5.2.4: `.` and `..` segments resolved (a `..` never climbs above the
    root); the path is otherwise unchanged."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        is_last = index == len(segments) - 1
        if segment == ".":
            if is_last:
                output.append("")
        elif segment == "..":
            if len(output) > 1:
                output.pop()
            if is_last:
                output.append("")
        else:
            output.append(segment)
    return "/".join(output)


def refuse_before_connecting(url: str, check: Callable[[str], bool],
                             errors: GuardErrors) -> None:
    """Refuse a URL whose host is a disallowed address literal or a cloud-metadata name,
    before connecting. Other host names are judged after connecting, by the connection's
    peer check."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    if host in METADATA_HOSTS:
        raise errors.blocked(f"refused to fetch {url}: {host} is a cloud metadata service")
    if is_address_literal(host) and not check(host):
        raise errors.blocked(f"refused to fetch {url}: {host} is not a public address "
                             f"({_hint(host)})")


class _GuardedConnectionMixin:
    """Checks the peer address of the freshly connected socket, before any byte is sent.

    Checking the socket rather than a DNS answer closes the rebinding gap: whatever the
    name resolved to, this is the address we are talking to.
    """

    host: str
    is_allowed_address: Callable[[str], bool]
    guard_errors: GuardErrors

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        try:
            peer = sock.getpeername()[0]
        except OSError as error:
            sock.close()
            raise self.guard_errors.dropped(
                f"connection to {self.host} dropped: {error}") from error
        if not self.is_allowed_address(peer):
            sock.close()
            raise self.guard_errors.blocked(
                f"refused to connect to {self.host} at {peer}: not a public address "
                f"({_hint(peer)})")
        return sock


def guarded_pool_manager(*, is_allowed_address: Callable[[str], bool],
                         errors: GuardErrors, pool_size: int) -> urllib3.PoolManager:
    """A urllib3 PoolManager whose every new connection passes `is_allowed_address`
    (there is no unchecked mode). Redirects and retries are off: callers follow
    redirects by hand and re-check each hop."""
    attributes = {"is_allowed_address": staticmethod(is_allowed_address),
                  "guard_errors": errors}
    http_connection = type("GuardedHTTPConnection",
                           (_GuardedConnectionMixin, HTTPConnection), attributes)
    https_connection = type("GuardedHTTPSConnection",
                            (_GuardedConnectionMixin, HTTPSConnection), attributes)
    http_pool = type("GuardedHTTPConnectionPool", (HTTPConnectionPool,),
                     {"ConnectionCls": http_connection})
    https_pool = type("GuardedHTTPSConnectionPool", (HTTPSConnectionPool,),
                      {"ConnectionCls": https_connection})
    manager = urllib3.PoolManager(num_pools=max(pool_size, 10), maxsize=pool_size,
                                  block=False, retries=False)
    manager.pool_classes_by_scheme = {"http": http_pool, "https": https_pool}
    return manager
