"""The pipeline: one poll of one source, start to finish.

    lock | begin_poll (db) | fetch | parse | clean | classify | store_update (db)

A document a WebSub hub pushes takes the same road without the fetch (`ingest_delivery`).

`poll_feed` decides nothing about storage and never touches the database; `ingest_source`
only calls the parts in order. Both the Celery task and `hopper ingest` run
`ingest_source`, so a feed is polled the same way wherever it is polled.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import replace
from datetime import datetime

import redis

from hopper.settings import Limits
from models.base import utcnow
from models.db import Database
from workers.ingest.errors import IngestError, RateLimited, SourceGone
from workers.ingest.freshness import read_hints
from workers.ingest.records import CleanArticle, FeedUpdate, ParsedFeed, SourceSnapshot
from workers.ingest.steps.classify import SectionRule, classify
from workers.ingest.steps.clean import clean_entries, newest_entries, with_tag_cap_warning
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.locks import locks_expire_in_s, source_lock
from workers.ingest.steps.parse import parse_feed
from workers.ingest.steps.store import (
    StoreResult,
    begin_poll,
    begin_push,
    reschedule_locked,
    store_update,
)

log = logging.getLogger(__name__)


def ingest_source(source_id: int, *, database: Database, redis_client: redis.Redis,
                  http: FeedClient, limits: Limits, force: bool = False) -> StoreResult:
    """Poll one source unless another worker is polling it now. Safe to run twice."""
    with source_lock(redis_client, source_id, limits) as is_held:
        if not is_held:
            reschedule_locked(database, locks_expire_in_s(redis_client, [source_id]),
                              now=utcnow())
            return StoreResult(source_id, "locked")
        plan = begin_poll(database, source_id, now=utcnow(), limits=limits, force=force)
        if plan is None:
            return StoreResult(source_id, "skipped")
        update = poll_feed(plan.snapshot, http=http, rules=plan.rules, now=utcnow())
        result = store_update(database, redis_client, update, limits=limits)
    if result.error:
        log.info("source %s: %s (%s)", source_id, result.outcome, result.error)
    return result


def poll_feed(snapshot: SourceSnapshot, *, http: FeedClient, rules: Sequence[SectionRule],
              now: datetime,
              cpu_slot: AbstractContextManager[object] | None = None) -> FeedUpdate:
    """Fetch, parse, clean and classify: what storage should record for this poll.

    Every failure becomes a `FeedUpdate` with a readable reason; nothing escapes except
    the process being stopped, so one hostile feed never takes a worker down.

    `cpu_slot` is held around the CPU-bound steps (parse, clean, classify) and not the
    fetch: threads polling many feeds at once share one (see batch.py).
    """
    started = time.perf_counter()
    update = _poll_feed(snapshot, http=http, rules=rules, now=now,
                        cpu_slot=cpu_slot or nullcontext())
    # A failure has no separate fetch time: the time until it failed stands in for it.
    return replace(update, fetch_seconds=update.fetch_seconds or time.perf_counter() - started)


def _poll_feed(snapshot: SourceSnapshot, *, http: FeedClient, rules: Sequence[SectionRule],
               now: datetime, cpu_slot: AbstractContextManager[object]) -> FeedUpdate:
    try:
        started = time.perf_counter()
        fetched = http.fetch(snapshot.url, etag=snapshot.etag,
                             last_modified=snapshot.last_modified)
        fetch_seconds = time.perf_counter() - started
        if fetched.status == 304:
            # A feed that moved (301/308) and is unchanged at its new address moves too:
            # else every poll would go through the redirect until the feed changed.
            return FeedUpdate(source_id=snapshot.id, polled_at=now, outcome="not_modified",
                              new_url=fetched.permanent_url,
                              etag=fetched.etag, last_modified=fetched.last_modified,
                              fetch_seconds=fetch_seconds, hints=read_hints(fetched.headers))
        with cpu_slot:
            feed, articles = read_articles(fetched.content, fetched.headers, fetched.url,
                                           snapshot=snapshot, rules=rules, now=now)
    except IngestError as error:
        return failed_update(snapshot.id, now, error)
    except Exception as error:   # a bug or a feed no step foresaw: record it, carry on
        log.exception("polling source %s failed unexpectedly", snapshot.id)
        return FeedUpdate(source_id=snapshot.id, polled_at=now, outcome="failed",
                          error=f"internal error: {type(error).__name__}: {error}")
    return FeedUpdate(
        source_id=snapshot.id, polled_at=now, outcome="ok", articles=tuple(articles),
        new_url=fetched.permanent_url, etag=fetched.etag,
        last_modified=fetched.last_modified, feed_title=feed.title or None,
        site_url=feed.site_url, warnings=feed.warnings, charset_warning=feed.charset_warning,
        fetch_seconds=fetch_seconds,
        rights_signals=feed.rights,
        hub_url=feed.hub_url, topic_url=(feed.self_url or fetched.url) if feed.hub_url else None,
        hints=read_hints(fetched.headers, fetched.content))


def read_articles(content: bytes, headers: Mapping[str, str], url: str, *,
                  snapshot: SourceSnapshot, rules: Sequence[SectionRule],
                  now: datetime) -> tuple[ParsedFeed, list[CleanArticle]]:
    """parse | clean | classify: a feed document to the articles to store."""
    parsed = parse_feed(content, headers, url)
    feed = with_tag_cap_warning(newest_entries(parsed))
    for warning in feed.warnings[len(parsed.warnings):]:     # what the feed lost to limits
        log.warning("source %s: %s", snapshot.id, warning)
    articles = clean_entries(feed, base_url=url, now=now)
    return feed, classify(articles, section_id=snapshot.section_id, rules=rules)


def ingest_delivery(source_id: int, content: bytes, content_type: str, *, database: Database,
                    redis_client: redis.Redis, limits: Limits) -> StoreResult:
    """Store a feed document a WebSub hub delivered, as a poll would store it (no fetch):

        lock | begin_push (db) | parse | clean | classify | store_update (db)

    A body that does not parse is reported and stored nowhere: polling, which still runs
    as a fallback, stays the judge of the source's health."""
    with source_lock(redis_client, source_id, limits) as is_held:
        if not is_held:
            return StoreResult(source_id, "locked")
        plan = begin_push(database, source_id)
        if plan is None:
            return StoreResult(source_id, "skipped")
        now = utcnow()
        try:
            feed, articles = read_articles(content, {"content-type": content_type},
                                           plan.snapshot.url, snapshot=plan.snapshot,
                                           rules=plan.rules, now=now)
        except IngestError as error:
            return StoreResult(source_id, "failed", error=f"pushed body: {error.reason}")
        update = FeedUpdate(source_id=source_id, polled_at=now, outcome="ok",
                            articles=tuple(articles), feed_title=feed.title or None,
                            site_url=feed.site_url, warnings=feed.warnings, is_push=True,
                            charset_warning=feed.charset_warning,
                            rights_signals=feed.rights)
        return store_update(database, redis_client, update, limits=limits)


def failed_update(source_id: int, now: datetime, error: IngestError) -> FeedUpdate:
    """Map an ingest error to what storage records (the one place that does)."""
    if isinstance(error, SourceGone):
        outcome = "gone"
    elif isinstance(error, RateLimited):
        outcome = "rate_limited"
    else:
        outcome = "failed"
    return FeedUpdate(source_id=source_id, polled_at=now, outcome=outcome,
                      error=error.reason,
                      retry_after=error.retry_after if isinstance(error, RateLimited) else None,
                      is_permanent=error.is_permanent)
