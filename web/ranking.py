"""The ranking of stories (the home page's order), remembered in Redis per content version.

Ranking reads RANK_CANDIDATES stories with up to MEMBERS_READ members each
(models/stories.py `ranked_cards`): about a tenth of a second of a web worker with a few
hundred stories. The anonymous front page is cached (web/cache.py), but a signed-in
reader's page 1 and every GET /api/v1/stories (any `page`, `per_page` or `section`)
would rank again for each request: cheap requests that anyone can send by the hundred.
The order is remembered per content version and section filter for the page cache's TTL,
the age an anonymous reader's page may have, so a request then reads only the cards it
shows. Without Redis, or with the page cache switched off, every request ranks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from hopper import content_version
from models import stories
from models.base import utcnow
from models.stories import StoryCard
from web.extensions import redis_client, redis_outage_tolerated

KEY_PREFIX = "hopper:ranked-stories:"


@dataclass(frozen=True)
class RankedWindow:
    cards: list[StoryCard]          # the ranked stories asked for, in order
    total: int                      # how many stories are ranked in all
    read: list[StoryCard]           # every card read: the whole ranking when it was worked out


def ranked_window(session: Session, *, start: int, stop: int,
                  section_ids: Sequence[int] | None = None) -> RankedWindow:
    """The ranked stories [start:stop] (within `section_ids`' stories, if given)."""
    if not current_app.config["PAGE_CACHE_ENABLED"]:   # tests counting a page's own reads
        ranked = stories.ranked_cards(session, now=utcnow(), section_ids=section_ids)
        return RankedWindow(cards=ranked[start:stop], total=len(ranked), read=ranked)
    client = redis_client()
    scope = "all" if section_ids is None else ",".join(map(str, sorted(section_ids)))
    key: str | None = None
    stored: Any = None   # redis-py types sync and async alike
    with redis_outage_tolerated("ranked stories lookup"):
        key = f"{KEY_PREFIX}{content_version.current(client)}:{scope or 'none'}"
        stored = client.get(key)
    if stored is not None:
        ids = [int(value) for value in stored.split()]
        cards = _still_shown(stories.cards_for(session, ids[start:stop]))
        return RankedWindow(cards=cards, total=len(ids), read=cards)
    ranked = stories.ranked_cards(session, now=utcnow(), section_ids=section_ids)
    if key is not None:
        with redis_outage_tolerated("ranked stories store"):
            client.set(key, " ".join(str(card.story.id) for card in ranked),
                       ex=current_app.config["PAGE_CACHE_TTL_S"])
    return RankedWindow(cards=ranked[start:stop], total=len(ranked), read=ranked)


def _still_shown(cards: list[StoryCard]) -> list[StoryCard]:
    """A story merged into another since it was ranked is left out rather than shown
    empty (a merge turns the content version after its commit, so this covers the moment
    between the two, or a bump that Redis missed)."""
    return [card for card in cards
            if card.story.merged_into_id is None and card.story.article_count > 0]
