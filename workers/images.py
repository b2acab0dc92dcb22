"""Lead images, checked in the background after ingest and fetched ahead of readers.

    unchecked (db) | fetch through the media proxy's path (network) | judge | record (db)

`workers.images.check_lead_images(source_id)` is sent once a poll that stored new or
changed articles has committed (articles without an image first get their page's
og:image, workers/page_images.py) (workers/tasks.py); the beat also runs it for every
source every few minutes, for what `hopper ingest` stored and any send that was lost.
Both run on the maintenance queue, apart from polls.

Every fetch goes through hopper/image_source.py — the proxy's SSRF guard, deadlines,
failure cache, one-fetch-per-URL lock and disk cache — so the picture a worker fetched is
the one the proxy serves (when the worker shares the web host's instance folder), and a
failure either met is remembered for both. A lead image that fails, is not an image or is
tiny is marked dead: cards render text-first and no broken-image icon reaches a reader.
No transaction stays open during a fetch.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import cache

import redis

from hopper import content_version
from hopper.host_slots import HostSlots
from hopper.image_fetch import ImageClient, UpstreamError
from hopper.image_gate import FetchGate, GateLimits
from hopper.image_source import Busy, ImageSource
from hopper.image_variants import VARIANT_WIDTHS, NotAnImage, inspect_image
from models import article_images
from models.article_images import IMAGE_DEAD, IMAGE_OK, ImageCheck, LeadImage
from models.base import utcnow
from models.db import Database, session_scope
from workers.celery_app import app
from workers.ingest.fulltext.pages import RobotsCache
from workers.ingest.steps.fetch import FeedClient
from workers.page_images import find_page_images
from workers.retries import RETRY_TRANSIENT_ERRORS
from workers.runtime import runtime

log = logging.getLogger(__name__)

# Images checked per run, one after another: at most CHECKS_PER_RUN × the fetch deadline
# (15 s) inside the task's time limit, and never more than one fetch at a time per task,
# which keeps us polite to a publisher's image host.
CHECKS_PER_RUN = 16
# Fetches at once across all workers' image checks; each also holds one of its host's
# slots (HOPPER_PER_HOST_CONCURRENCY, shared with feed polls and full-text pages),
# waiting at most HOST_SLOT_WAIT_S for one (then a later run checks the image).
WORKER_FETCH_SLOTS = 2
HOST_SLOT_WAIT_S = 5.0
# What workers prepare ahead of readers: the WebP copies browsers ask for.
PREFETCH_FORMAT = "webp"


@cache
def image_source() -> ImageSource:
    """One per worker process, built after the fork."""
    rt = runtime()
    settings = rt.settings
    gate = FetchGate(rt.redis, GateLimits(
        slots=WORKER_FETCH_SLOTS, lease_s=settings.media_limits.total_timeout_s + 5,
        pool="workers"))
    host_slots = HostSlots(rt.redis, limit=settings.per_host_concurrency,
                           hold_s=settings.media_limits.total_timeout_s + 5,
                           wait_s=HOST_SLOT_WAIT_S)
    return ImageSource(client=ImageClient.from_settings(settings), gate=gate,
                       root=settings.media_cache_path, max_bytes=settings.media_cache_bytes,
                       host_slots=host_slots)


def check_image(source: ImageSource, lead: LeadImage, now: datetime) -> ImageCheck | None:
    """What the lead image is: ok (with its size, its copies prepared) or dead; None
    when it cannot be told now (another process is fetching it: a later run will)."""
    def dead(reason: str) -> ImageCheck:
        log.info("article %s: lead image %s is dead: %s", lead.article_id, lead.image_url,
                 reason)
        return ImageCheck(lead.article_id, lead.image_url, IMAGE_DEAD, now)

    try:
        original = source.original(lead.image_url)
        info = inspect_image(original.path.read_bytes())
    except Busy:
        return None
    except (UpstreamError, NotAnImage) as error:
        return dead(str(error))
    except FileNotFoundError:            # trimmed a moment after it was stored
        return None
    if info.is_tiny:
        return dead(f"{info.width}×{info.height} is too small to lead an article")
    for width in VARIANT_WIDTHS:
        try:
            source.variant(lead.image_url, width, PREFETCH_FORMAT)
        except (UpstreamError, FileNotFoundError) as error:
            log.info("copy %s px of %s not prepared: %s", width, lead.image_url, error)
            break
        if width >= info.width:
            break
    return ImageCheck(lead.article_id, lead.image_url, IMAGE_OK, now,
                      width=info.width, height=info.height)


def check_lead_images_of(database: Database, source: ImageSource,
                         client: redis.Redis | None, *, source_id: int | None = None,
                         limit: int = CHECKS_PER_RUN) -> list[ImageCheck]:
    """Check the newest unchecked lead images (of one source, or of all) and record what
    was found. Safe to run twice: a checked image is not checked again, and a record
    only lands on a row whose image URL is still the one checked."""
    with session_scope(database) as session:
        leads = article_images.unchecked(session, source_id=source_id, limit=limit)
    checks = [check for lead in leads                       # network, no transaction
              if (check := check_image(source, lead, utcnow())) is not None]
    with session_scope(database) as session:
        article_images.record_checks(session, checks)
    if client is not None and any(check.status == IMAGE_DEAD for check in checks):
        try:                     # cached pages still show the dead image: let them turn
            content_version.bump(client)
        except redis.RedisError as error:
            log.warning("content version not bumped: %s", error)
    return checks


@cache
def page_client() -> FeedClient:
    """The feeds' guarded client, for article pages and robots.txt (one per process),
    holding the publisher's host slot around each request as feed fetches do."""
    rt = runtime()
    return FeedClient.from_settings(rt.settings, pool_size=2, redis_client=rt.redis)


@cache
def page_robots() -> RobotsCache:
    return RobotsCache()


@app.task(name="workers.images.check_lead_images", ignore_result=True, acks_late=True,
          soft_time_limit=420, time_limit=480, **RETRY_TRANSIENT_ERRORS)
def check_lead_images(source_id: int | None = None) -> int:
    """Articles without an image first look for their page's og:image
    (workers/page_images.py); then every unchecked lead image is checked."""
    rt = runtime()
    find_page_images(rt.database, page_client(), robots=page_robots(), source_id=source_id)
    return len(check_lead_images_of(rt.database, image_source(), rt.redis,
                                    source_id=source_id))
