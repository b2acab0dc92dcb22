"""Who the client is, behind reverse proxies (docs/operations.md, "Behind a reverse proxy").

Rate limits, view and share counters key on `client_network(request.remote_addr)`, and
/metrics checks `request.remote_addr`. Behind a
proxy that is the proxy's address, so every visitor would share one bucket. This WSGI
middleware rewrites `REMOTE_ADDR` from `X-Forwarded-For`, but only when the peer is a
trusted proxy (`FORWARDED_ALLOW_IPS`) and only as far as the configured number of hops
(`HOPPER_PROXY_HOPS`): each proxy appends the address it saw, so the right-most entries
are the only ones no client can forge. Nothing else is taken from forwarding headers
here: the scheme comes from gunicorn's own `forwarded_allow_ips` check, and the script
root is `HOPPER_SCRIPT_NAME`, never a request's `SCRIPT_NAME` or `X-Forwarded-Prefix`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import TYPE_CHECKING

from werkzeug.middleware.proxy_fix import ProxyFix

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
# An IPv6 client is usually given a whole /64 (RFC 6177; RFC 4291 §2.5.4: interface ids
# are 64 bits), so any address in it is the same client for limits and counters.
IPV6_CLIENT_PREFIX = 64


def client_network(address: str | None) -> str:
    """What limits and counters key on: an IPv4 address as it is (an IPv4-mapped IPv6
    address as its IPv4 address), an IPv6 address as its /64. Anything else (a unix
    socket peer, no address at all) is taken as it comes."""
    text = (address or "127.0.0.1").strip()
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return text
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, IPV6_CLIENT_PREFIX), strict=False))
    return str(ip)



class AddressList:
    """IP addresses and CIDR networks from a setting; `*` matches every address."""

    def __init__(self, items: Iterable[str]) -> None:
        self.items = tuple(items)
        self.is_everyone = "*" in self.items
        self.networks: tuple[Network, ...] = tuple(
            ipaddress.ip_network(item, strict=False) for item in self.items if item != "*")

    def __contains__(self, address: object) -> bool:
        if self.is_everyone:
            return True
        try:
            ip = ipaddress.ip_address(str(address).strip())
        except ValueError:   # a unix socket peer, or garbage: never trusted
            return False
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        return any(ip.version == network.version and ip in network
                   for network in self.networks)


class TrustedProxies:
    """Take the client address from `X-Forwarded-For` when, and only when, a trusted
    proxy sent the request; and mount the app at the configured script root whatever
    the server took from the request (`SCRIPT_NAME` headers included)."""

    def __init__(self, app: WSGIApplication, *, trusted: Iterable[str], hops: int,
                 script_name: str = "") -> None:
        self.app = app
        self.trusted = AddressList(trusted)
        self.script_name = script_name
        self.fixed = ProxyFix(app, x_for=hops, x_proto=0, x_host=0, x_port=0, x_prefix=0)

    def __call__(self, environ: WSGIEnvironment,
                 start_response: StartResponse) -> Iterable[bytes]:
        self.mount(environ)
        if environ.get("REMOTE_ADDR", "") in self.trusted:
            return self.fixed(environ, start_response)
        return self.app(environ, start_response)

    def mount(self, environ: WSGIEnvironment) -> None:
        """SCRIPT_NAME becomes the configured prefix; PATH_INFO the rest of the path."""
        if environ.get("SCRIPT_NAME", "") == self.script_name:
            return
        path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
        prefix = self.script_name
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = path[len(prefix):]
        environ["SCRIPT_NAME"], environ["PATH_INFO"] = prefix, path
