"""Reader counts: views and shares (cookie-free, once per visitor per hour, bots
excluded) and the Redis buffer that carries views to the database.

A view is counted when the article is served, cached or not. A cache hit must not touch
the database, so views land in a Redis hash first and `flush_views` adds them to
`articles.view_count` in one statement, at most every few seconds.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

import redis

from models import articles
from models.db import Database, session_scope
from web.proxy import client_network

VIEWED_PREFIX = "hopper:viewed:"
SHARED_PREFIX = "hopper:shared:"
PENDING_VIEWS_KEY = "hopper:views:pending"
FLUSH_LOCK_KEY = "hopper:views:flush-lock"
FLUSH_EVERY_S = 5
VIEW_WINDOW_S = 3600

# Crawlers, link unfurlers, monitors, HTTP libraries and headless browsers.
BOT_USER_AGENT = re.compile(
    r"bot|crawl|spider|slurp|archiver|fetch|scrape|preview|monitor|facebookexternalhit"
    r"|embedly|whatsapp|telegram|skype|bitly|lighthouse|headless|phantom|selenium"
    r"|python|curl|wget|httpx|aiohttp|go-http|java/|okhttp|libwww|node-fetch|axios|feed",
    re.IGNORECASE)


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def visitor_hour_key(kind: str, article_id: int, remote_addr: str, now: datetime) -> str:
    """One key per client (its address, an IPv6 client's /64: web/proxy.py), article and
    hour. The user agent is left out on purpose: a script rotating it would otherwise
    count as a new visitor each time, as one rotating its IPv6 address would. Only a hash
    is kept: the address never reaches Redis."""
    hour = now.strftime("%Y%m%d%H")
    client = client_network(remote_addr)
    digest = hashlib.sha256(f"{kind}\0{client}\0{article_id}\0{hour}".encode())
    prefix = VIEWED_PREFIX if kind == "view" else SHARED_PREFIX
    return prefix + digest.hexdigest()


def is_first_this_hour(client: redis.Redis, kind: str, article_id: int, *, remote_addr: str,
                       user_agent: str | None, now: datetime) -> bool:
    """True once per visitor (client address, web/proxy.py), article and hour; never
    for bots."""
    if is_bot(user_agent):
        return False
    key = visitor_hour_key(kind, article_id, remote_addr, now)
    return bool(client.set(key, 1, nx=True, ex=VIEW_WINDOW_S))


def count_view(client: redis.Redis, article_id: int, *, remote_addr: str,
               user_agent: str | None, now: datetime) -> bool:
    """Count one view unless this visitor was counted for the article this hour."""
    if not is_first_this_hour(client, "view", article_id, remote_addr=remote_addr,
                              user_agent=user_agent, now=now):
        return False
    client.hincrby(PENDING_VIEWS_KEY, str(article_id), 1)
    return True


def flush_views(client: redis.Redis, database: Database, *, force: bool = False) -> int:
    """Move buffered views into the database; returns how many were written."""
    if not force and not client.set(FLUSH_LOCK_KEY, 1, nx=True, ex=FLUSH_EVERY_S):
        return 0
    batch_key = f"{PENDING_VIEWS_KEY}:flushing:{secrets.token_hex(8)}"
    try:
        client.rename(PENDING_VIEWS_KEY, batch_key)   # atomic: new views go to a new hash
    except redis.ResponseError:                        # nothing pending
        return 0
    pending: dict[bytes, bytes] = client.hgetall(batch_key)  # type: ignore[assignment]
    counts = {int(key): int(value) for key, value in pending.items()}
    try:
        with session_scope(database) as session:
            articles.add_views(session, counts)
    except Exception:
        for article_id, views in counts.items():       # keep them for the next flush
            client.hincrby(PENDING_VIEWS_KEY, str(article_id), views)
        raise
    finally:
        client.delete(batch_key)
    return sum(counts.values())
