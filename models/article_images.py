"""Lead-image bookkeeping: which articles' images still need the background check
(workers/images.py) and what it found.

An article's `image_status` is None until checked, then "ok" or "dead"; ingest resets
it to None whenever the article's image URL changes (models/article_writes.py). An article
that came without an image has its page looked at once for an og:image
(workers/page_images.py): `image_checked_at` then records that look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from models.articles import Article
from models.sources import FullText, Rights, Source

IMAGE_OK = "ok"
IMAGE_DEAD = "dead"


@dataclass(frozen=True)
class LeadImage:
    article_id: int
    image_url: str


@dataclass(frozen=True)
class ImageCheck:
    article_id: int
    image_url: str
    status: str                  # IMAGE_OK | IMAGE_DEAD
    checked_at: datetime
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class PageToLook:
    article_id: int
    url: str


@dataclass(frozen=True)
class FoundImage:
    article_id: int
    image_url: str | None        # None: the page had none (or could not be read)
    checked_at: datetime


def without_image(session: Session, *, source_id: int | None = None,
                  limit: int) -> list[PageToLook]:
    """Articles with a page, no image and no video, whose page was never looked at —
    of sources whose pages Hopper may fetch at all (rights `full`, full text not `off`:
    DESIGN, "Stories and rights"), like the full-text fetcher's."""
    query = (select(Article.id, Article.url)
             .join(Source, Source.id == Article.source_id)
             .where(Article.image_url.is_(None), Article.url.is_not(None),
                    Article.is_video.is_(False), Article.image_checked_at.is_(None),
                    Source.rights == Rights.FULL.value,
                    Source.full_text != FullText.OFF.value)
             .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    if source_id is not None:
        query = query.where(Article.source_id == source_id)
    return [PageToLook(article_id, url) for article_id, url in session.execute(query) if url]


def record_found_images(session: Session, found: Sequence[FoundImage]) -> None:
    """Give each article the image its page named (still unchecked), or only the time
    its page was looked at; never over an image the feed has given it meanwhile."""
    if not found:
        return
    table = cast(Table, Article.__table__)
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("article_id"), table.c.image_url.is_(None))
        .values(image_url=bindparam("found_url"), image_status=None,
                image_checked_at=bindparam("checked_at")),
        [{"article_id": item.article_id, "found_url": item.image_url,
          "checked_at": item.checked_at} for item in found])


def unchecked(session: Session, *, source_id: int | None = None,
              limit: int) -> list[LeadImage]:
    """Lead images never checked, newest articles first (those are on the front page)."""
    query = (select(Article.id, Article.image_url)
             .where(Article.image_url.is_not(None), Article.image_status.is_(None))
             .order_by(Article.published_at.desc(), Article.id.desc()).limit(limit))
    if source_id is not None:
        query = query.where(Article.source_id == source_id)
    return [LeadImage(article_id, url) for article_id, url in session.execute(query) if url]


def record_checks(session: Session, checks: Sequence[ImageCheck]) -> None:
    """Write what the checks found, in one executemany. A row whose image URL changed
    since the check began keeps its (reset) status: the new image gets its own check."""
    if not checks:
        return
    table = cast(Table, Article.__table__)
    session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("article_id"),
               table.c.image_url == bindparam("checked_url"))
        .values(image_status=bindparam("status"), image_checked_at=bindparam("checked_at"),
                image_width=bindparam("width"), image_height=bindparam("height")),
        [{"article_id": check.article_id, "checked_url": check.image_url,
          "status": check.status, "checked_at": check.checked_at, "width": check.width,
          "height": check.height} for check in checks])
