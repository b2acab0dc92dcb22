"""Stories, maintenance part: what the periodic task and `hopper stories rebuild` do to
stories already written (workers/maintenance.py and web/cli/stories.py call these).

    merge_converged — open stories that converged (twins two concurrent polls started,
                      fragments of one coverage, peers that grew apart) become one;
                      merge_open_stories runs it in a transaction of its own (the
                      periodic task, and `hopper ingest` after a run that stored articles);
    rebuild_stories — re-cluster a window from scratch through the same assignment code
                      the store step uses (store_stories.py).
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from datetime import datetime, timedelta

import redis
from sqlalchemy.orm import Session

from hopper import content_version
from models import sources as source_rows
from models import stories as story_rows
from models.base import utcnow
from models.db import Database, session_scope
from workers.ingest.stories.store_stories import (
    MAX_CANDIDATES,
    Pending,
    finish_stories,
    plan_stories,
    shape_of,
)
from workers.ingest.stories.story import (
    fold_story,
    has_room,
    repeated_summaries,
    should_merge,
)

MERGE_SIZE_RATIO = 3
MERGE_ALWAYS_UP_TO = 1        # twins started by two concurrent polls are this small
MERGE_PER_TERM = 200          # the merge pass skips terms more open stories than this hold
# Two stories whose first articles are this far apart are not one coverage that started
# twice: the later is a new development (a day-later probe of a recall, the next day's
# market report), and readers get it as news of its own. On the labelled sample, merges
# of stories begun 12 h or more apart added more wrong pairs than right ones (docs/
# stories.md, "Fifteenth pass"). Assignment is not bound by it: an article still joins
# a story of the window that it reports on.
MERGE_BEGUN_WITHIN = timedelta(hours=12)
REBUILD_BATCH = 500


def merge_open_stories(database: Database, *, window: timedelta,
                       client: redis.Redis | None = None) -> int:
    """One merge pass over the open window, committed on its own: the number of stories
    absorbed. A pass that merged turns the content version (`client`): cached pages and
    the remembered ranking (web/ranking.py) would otherwise list the absorbed stories,
    or leave them out and show fewer, until their TTL ran out."""
    with session_scope(database) as session:
        merged = merge_converged(session, now=utcnow(), window=window)
    if merged and client is not None:
        content_version.bump_after_commit(client)
    return merged


def merge_converged(session: Session, *, now: datetime, window: timedelta,
                    limit: int = 5000) -> int:
    """Merge open stories that converged (two polls that started the same event at once,
    or coverage that grew together): the smaller joins the larger. Articles a poll put
    into a story while an earlier pass merged it away go where its coverage went first.
    Returns the number of stories absorbed."""
    story_rows.move_strays(session, merged_since=now - window)
    # PostgreSQL: lock what this pass may rewrite, so that a poll adding to one of these
    # stories waits for the merge to commit (then folds its article into what the merge
    # left, store_stories.finish_stories) instead of being overwritten by it.
    rows = story_rows.recent_open(session, active_since=now - window, limit=limit,
                                  lock=story_rows.writes_interleave(session))
    shapes = {row.id: shape_of(row) for row in rows}
    began = story_rows.first_published(session, list(shapes))
    postings: dict[str, set[int]] = {}
    for shape in shapes.values():
        for term in shape.index_terms():
            postings.setdefault(term, set()).add(shape.id)
    rarity = {term: math.log((len(shapes) + 1) / (len(ids) + 1)) + 1.0
              for term, ids in postings.items()}
    absorbed: set[int] = set()
    changed: set[int] = set()
    for shape in sorted(shapes.values(), key=lambda item: (-item.count, item.id)):
        if shape.id in absorbed:
            continue
        # Counted in C, over the terms few stories share: a word hundreds of open stories
        # carry says little about which of them match, and counting its postings for
        # every story made this pass quadratic in the window.
        looked_up = (postings.get(term, set()) for term in shape.index_terms())
        shared = Counter(itertools.chain.from_iterable(
            ids for ids in looked_up if len(ids) <= MERGE_PER_TERM))
        shared.pop(shape.id, None)
        for other_id, _ in shared.most_common(MAX_CANDIDATES):
            other = shapes[other_id]
            # Fragments join the main coverage. Two well-covered stories (peers) merge
            # only when their coverage is clearly one event, at stricter thresholds:
            # mixing two well-covered events is the costly mistake.
            is_fragment = other.count <= MERGE_ALWAYS_UP_TO or \
                other.count * MERGE_SIZE_RATIO <= shape.count
            if other_id in absorbed or other.count > shape.count or \
                    not has_room(shape, other.count) or \
                    abs(began[shape.id] - began[other_id]) >= MERGE_BEGUN_WITHIN or \
                    not should_merge(shape, other, rarity, peers=not is_fragment):
                continue
            story_rows.merge_into(session, other_id, shape.id, now=now)
            fold_story(shape, other)
            absorbed.add(other_id)
            began[shape.id] = min(began[shape.id], began[other_id])
            changed.add(shape.id)
    changed -= absorbed
    story_rows.save_shapes(session, {
        story_id: (shapes[story_id].centroid_document(), shapes[story_id].lead_document(),
                   shapes[story_id].lead_id, shapes[story_id].lead_title[:2000],
                   shapes[story_id].section_id) for story_id in sorted(changed)})
    story_rows.add_terms(session, ((term, story_id) for story_id in changed
                                   for term in shapes[story_id].index_terms()))
    story_rows.refresh_counts(session, changed)
    return len(absorbed)


def rebuild_stories(session: Session, *, since: datetime, window: timedelta,
                    now: datetime) -> tuple[int, int]:
    """Re-cluster every article published since `since` from scratch (after tuning, or
    after an upgrade): their old stories leave the index, the articles are assigned
    again in publication order, converged stories are merged, emptied stories deleted.
    Returns (articles, stories they now form)."""
    articles = story_rows.articles_published_since(session, since)
    old = {article.story_id for article in articles if article.story_id is not None}
    story_rows.forget_terms(session, old)
    facts = source_rows.storing_facts(session, {article.source_id for article in articles})
    preferred = source_rows.preferred_among(facts)
    outlets = {source_id: fact.name for source_id, fact in facts.items()}
    # Summaries several articles of one source carry: its boilerplate (as at ingest).
    by_source: dict[int, list[str]] = {}
    for article in articles:
        by_source.setdefault(article.source_id, []).append(article.summary or "")
    boilerplate = {source_id: repeated_summaries(summaries)
                   for source_id, summaries in by_source.items()}
    formed: set[int] = set()
    for start in range(0, len(articles), REBUILD_BATCH):
        batch = articles[start:start + REBUILD_BATCH]
        plan = plan_stories(session, [
            Pending(key=article.id, title=article.title,
                    summary="" if (article.summary or "").strip()
                    in boilerplate[article.source_id] else article.summary,
                    source_id=article.source_id, section_id=article.section_id,
                    published_at=article.published_at,
                    outlet=outlets.get(article.source_id, "")) for article in batch],
            window=window, preferred=preferred)
        story_rows.move_articles(session, {article.id: plan.story_of[article.id]
                                           for article in batch})
        finish_stories(session, plan, {article.id: article.id for article in batch})
        formed |= set(plan.story_of.values())
    story_rows.refresh_counts(session, old - formed)
    merge_converged(session, now=now, window=window)
    # Counted after the merge: it may join them to a story that also holds older articles,
    # and "formed less merged" then said 0 stories for articles that are in one.
    return len(articles), story_rows.count_stories_since(session, since)
