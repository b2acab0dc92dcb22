"""Source health: how each source's polling is going, for the admins' table.

One aggregate query answers the whole table, whatever the number of sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from models.articles import Article
from models.sources import Source
from models.websub import WebSubSubscription

WINDOW = timedelta(days=7)


@dataclass(frozen=True)
class SourceHealth:
    source: Source
    articles_in_window: int
    push: WebSubSubscription | None = None    # its WebSub subscription, if its feed names a hub

    @property
    def articles_per_day(self) -> float:
        return self.articles_in_window / WINDOW.days


def health_table(session: Session, now: datetime) -> list[SourceHealth]:
    recent = (select(Article.source_id, func.count().label("n"))
              .where(Article.published_at >= now - WINDOW)
              .group_by(Article.source_id).subquery())
    rows = session.execute(
        select(Source, func.coalesce(recent.c.n, 0), WebSubSubscription)
        .outerjoin(recent, recent.c.source_id == Source.id)
        .outerjoin(WebSubSubscription, WebSubSubscription.source_id == Source.id)
        .options(joinedload(Source.section))
        .order_by(Source.name, Source.id))
    return [SourceHealth(source, count, push) for source, count, push in rows]
