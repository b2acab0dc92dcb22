"""Shared web resources: the database session per request, Redis, CSRF, login, limits.

A request's database session is opened on first use. Requests with an unsafe method
(POST, PUT, PATCH, DELETE) get a write session, which on SQLite takes the write lock up
front; GET and HEAD read without blocking anyone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from flask import Flask, current_app, g, has_request_context, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import Session

from hopper.redis_client import WEB, connect
from hopper.settings import Settings
from models.db import Database
from web.proxy import client_network

log = logging.getLogger(__name__)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

csrf = CSRFProtect()
login_manager = LoginManager()


def client_key() -> str:
    """Whom a per-client limit counts: the address (an IPv6 client's /64), web/proxy.py."""
    return client_network(request.remote_addr)


limiter = Limiter(key_func=client_key, default_limits=[])
# Per client, on reads that run queries per request and that no cache answers: the JSON
# API and search (the app's API_RATE_LIMIT and SEARCH_RATE_LIMIT override it).
READ_RATE_LIMIT = "300 per minute"


def limiter_storage_uri(settings: Settings) -> str:
    if settings.redis_url.startswith("unix://"):
        return "redis+unix://" + settings.redis_url[len("unix://"):]
    return settings.redis_url


def init_app(app: Flask, settings: Settings) -> None:
    app.extensions["hopper_redis"] = connect(settings.redis_url, WEB)
    app.config.setdefault("RATELIMIT_STORAGE_URI", limiter_storage_uri(settings))
    app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", {"socket_timeout": WEB.socket_s})
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A Redis outage must not turn every rate-limited form into a 500.
    app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    csrf.init_app(app)
    login_manager.init_app(app)
    limiter.init_app(app)
    app.teardown_appcontext(close_session)


@contextmanager
def redis_outage_tolerated(what: str) -> Iterator[None]:
    """For Redis work a reader's page can do without (page cache, view counts): when
    Redis is down the page is served uncached and uncounted rather than failing."""
    try:
        yield
    except redis.RedisError as error:
        log.warning("Redis unavailable, %s skipped: %s", what, error)


def database() -> Database:
    db: Database = current_app.extensions["hopper_database"]
    return db


def redis_client() -> redis.Redis:
    client: redis.Redis = current_app.extensions["hopper_redis"]
    return client


def settings() -> Settings:
    value: Settings = current_app.config["HOPPER_SETTINGS"]
    return value


def db_session() -> Session:
    """This request's session (created on first use)."""
    if "db_session" not in g:
        db = database()
        is_write = not has_request_context() or request.method not in SAFE_METHODS
        g.db_session = (db.writer if is_write else db.reader)()
    session: Session = g.db_session
    return session


def close_session(_exc: Any = None) -> None:
    session = g.pop("db_session", None)
    if session is not None:
        session.close()   # anything not committed by the view is rolled back
