"""The page cache: whole anonymous responses in Redis, keyed by the content version.

A page opts in with `@cached_page`. On a hit the `before_request` hook answers with the
stored bytes, so neither the view, the templates nor the database run. Keys carry
`hopper.content_version.current(redis)`: when ingest stores new articles it bumps the
version and every cached page is stale at once; a short TTL covers what moves without
new articles ("Most read"). A page is never cached for a signed-in reader, nor when it
sets a cookie, changes the session, renders a CSRF token, or calls `keep_private()`.
Only requests for the site's own host (`HOPPER_BASE_URL`, `cacheable_hosts`) use the
cache: the host is part of the key, and any Host header would otherwise store a copy.

A view that must still do something on a hit (count a view) records it with
`on_hit(name, **data)`; the data is stored with the page and `hit_handlers[name]` is
called with it each time the cached page is served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request, session
from flask_login import current_user

from hopper import content_version
from web.consent.choices import cache_key as consent_cache_key
from web.extensions import redis_client, redis_outage_tolerated, settings

PAGE_PREFIX = "hopper:page:"
DEFAULT_TTL_S = 60
# The only query strings whose pages are stored: none, or one page number as the site's
# own links write it. The raw query is part of the key, so `?page=01`, `?page=1&page=1`
# or `?pag%65=1` would each store another copy of the same page, without bound. Listings
# redirect any other query to this form (web/site/views.py `one_url_per_listing_page`).
CACHEABLE_QUERY = re.compile(rb"(?:page=[1-9][0-9]{0,5})?")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

cacheable_endpoints: set[str] = set()
hit_handlers: dict[str, Callable[..., None]] = {}


def cached_page(endpoint: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Mark `endpoint` (blueprint.view) as an anonymous page worth caching."""
    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        cacheable_endpoints.add(endpoint)
        return view
    return mark


def content_changed() -> None:
    """Something readers see changed outside ingest (a comment written, edited, hidden or
    deleted): every cached page is stale at once, as when ingest stores articles. A
    hidden comment must not stay on cached pages until their TTL runs out."""
    with redis_outage_tolerated("page cache turn"):
        content_version.bump(redis_client())


def on_hit(name: str, **data: Any) -> None:
    g.setdefault("page_cache_hooks", []).append([name, data])


def init_app(app: Flask) -> None:
    app.config.setdefault("PAGE_CACHE_ENABLED", True)
    app.config.setdefault("PAGE_CACHE_TTL_S", DEFAULT_TTL_S)
    app.before_request(serve_cached_page)
    app.after_request(store_page)


def _looks_signed_in() -> bool:
    """Decided from cookies alone, without loading the user (no database on a hit)."""
    remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if remember in request.cookies:
        return True
    raw = request.cookies.get(current_app.config.get("SESSION_COOKIE_NAME", "session"))
    if not raw:
        return False
    serializer = current_app.session_interface.get_signing_serializer(  # type: ignore[attr-defined]
        current_app)
    try:
        data = serializer.loads(raw)
    except Exception:   # a bad signature is an anonymous visitor
        return False
    return "_user_id" in data


# One round trip on a hit: read the content version and the page stored under it.
LOOKUP_SCRIPT = """
local version = redis.call('GET', KEYS[1]) or '0'
return {version, redis.call('GET', ARGV[1] .. version .. ARGV[2])}
"""


def page_key_parts() -> tuple[str, str]:
    """The key is PREFIX + content version + suffix: the consent state (it decides the
    banner and held-back embeds), then everything a page's links are built from — scheme,
    host and script root (every `url_for` starts with it) — then the path and the query.
    Leave one out and a single odd request poisons the page for every visitor."""
    origin = f"{request.scheme}://{request.host}{request.script_root}"
    return PAGE_PREFIX, f":{consent_cache_key(request)}:{origin}:{request.full_path}"


@lru_cache(maxsize=8)
def cacheable_hosts(base_url: str) -> frozenset[str]:
    """The Host header values whose pages are cached: the base URL's host, with its port
    or, on the scheme's default port, without. A loopback base URL (a development or test
    instance) also takes the other loopback names, with its port or none, so that
    127.0.0.1 and localhost both work. A bounded set either way: Hosts outside it are
    served uncached, never stored."""
    parts = urlsplit(base_url)
    hostname = (parts.hostname or "").lower()
    name = f"[{hostname}]" if ":" in hostname else hostname
    default_port = 443 if parts.scheme == "https" else 80
    port = parts.port or default_port
    is_loopback = name in LOOPBACK_NAMES
    hosts: set[str] = set()
    for each in LOOPBACK_NAMES if is_loopback else (name,):
        hosts.add(f"{each}:{port}")
        if is_loopback or port == default_port:
            hosts.add(each)
    return frozenset(hosts)


def serve_cached_page() -> Response | None:
    if (request.method not in ("GET", "HEAD") or request.endpoint not in cacheable_endpoints
            or not current_app.config["PAGE_CACHE_ENABLED"] or _looks_signed_in()):
        return None
    if not CACHEABLE_QUERY.fullmatch(request.query_string):   # random queries must not fill Redis
        return None
    if request.host.lower() not in cacheable_hosts(settings().base_url):   # nor random Hosts
        return None
    client = redis_client()
    prefix, suffix = page_key_parts()
    lookup = current_app.extensions.get("hopper_page_lookup")
    if lookup is None:
        lookup = current_app.extensions["hopper_page_lookup"] = client.register_script(
            LOOKUP_SCRIPT)
    found = None
    with redis_outage_tolerated("page cache lookup"):
        found = lookup(keys=[content_version.CONTENT_VERSION_KEY], args=[prefix, suffix])
    if found is None:                 # Redis is down: render, and store nothing
        return None
    version, stored = found
    if stored is None:
        g.page_cache_key = f"{prefix}{int(version)}{suffix}"
        return None
    header, _, body = stored.partition(b"\n")
    meta = json.loads(header)
    for name, data in meta["hooks"]:
        hit_handlers[name](**data)
    response = Response(body, status=200, content_type=meta["content_type"])
    response.headers["X-Cache"] = "hit"
    return response


def keep_private() -> None:
    """Call from a view or template helper whose output belongs to one visitor."""
    g.page_cache_private = True


def _is_shareable(response: Response) -> bool:
    if response.status_code != 200 or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers or session.modified or g.get("page_cache_private"):
        return False
    # Flask-WTF keeps the token it rendered on `g`: a page with a CSRF token is private.
    if current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token") in g:
        return False
    return not current_user.is_authenticated


def store_page(response: Response) -> Response:
    key = g.pop("page_cache_key", None)
    if key is None:
        return response
    response.headers["X-Cache"] = "miss"
    if _is_shareable(response):
        header = json.dumps({"content_type": response.content_type,
                             "hooks": g.get("page_cache_hooks", [])}).encode()
        with redis_outage_tolerated("page cache store"):
            redis_client().set(key, header + b"\n" + response.get_data(),
                               ex=current_app.config["PAGE_CACHE_TTL_S"])
    return response
