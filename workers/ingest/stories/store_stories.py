"""Store, stories part: give a poll's new and edited articles their story inside the
poll's own transaction (workers/ingest/steps/store.py calls it around the article upsert).

    plan_stories   — before the upsert: features of each article, candidate stories from
                     the `story_terms` index (a few index range scans per batch), decisions
                     (workers/ingest/stories/story.py), new story rows → a story id per article;
                     or, with `draft`, the same decisions from a read before the write
                     transaction, with no row written (workers/ingest/steps/store.py `prepare`:
                     on SQLite every other poll waits for the write lock, so the costly part
                     runs outside it);
    adopt_draft    — inside the write transaction: lock the stories a draft joined, check they
                     are still open, fold its members again into any another poll changed
                     since, create the stories it started (or say the draft is stale);
    finish_stories — after the upsert, once article ids are known: centroids, leads,
                     index entries and member counts of every story touched.

No story state is kept in process memory between transactions (only parses of stored
documents and the documents this process wrote, keyed by their text: models/stories.py):
`hopper ingest` forks children and Celery runs many workers, so the database is the only
shared state. A story created by a concurrent uncommitted poll is invisible here; the
maintenance task merges the two stories once both have committed (maintain_stories.py,
run by workers/maintenance.py).
On PostgreSQL another poll may also add to a story this one read; finish_stories locks
the touched stories and folds this poll's members into them as the other left them.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Container, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from sqlalchemy.orm import Session

from models import stories as story_rows
from models.base import utcnow
from models.stories import OpenStory
from workers.ingest.stories.story import (
    Features,
    StoryShape,
    add_member,
    choose_story,
    features,
    has_room,
    normalise_title,
    with_rarity,
)

# Index entries read per looked-up term (newest stories first): bounds the cost of a
# common word whatever the size of the open window.
PER_TERM = 16
MAX_CANDIDATES = 12


class Pending(NamedTuple):
    """An article about to be written (new, or edited: then with its current story). A
    named tuple: one is made per article of every poll, and a frozen dataclass's
    constructor costs several times as much."""

    key: Hashable
    title: str
    summary: str
    source_id: int
    section_id: int | None
    published_at: datetime
    current_story_id: int | None = None
    current_title: str | None = None
    features: Features | None = None      # of this title and summary, if worked out already
    outlet: str = ""                      # its source's name (hopper.text.without_outlet)


@dataclass
class StoryPlan:
    story_of: dict[Hashable, int] = field(default_factory=dict)
    shapes: dict[int, StoryShape] = field(default_factory=dict)
    touched: set[int] = field(default_factory=set)
    left: set[int] = field(default_factory=set)        # stories an edited article left
    keys_of: dict[int, set[str]] = field(default_factory=dict)
    created: set[int] = field(default_factory=set)     # started by this batch
    # Of the stories this batch starts: their sources and first publication.
    sources_of: dict[int, set[int]] = field(default_factory=dict)
    first_at: dict[int, datetime] = field(default_factory=dict)
    # Index entries the lookup saw already: not written again.
    indexed: set[tuple[str, int]] = field(default_factory=set)
    # Where concurrent polls' writes interleave (PostgreSQL, or a plan drafted before the
    # write transaction): the stories as read, and the members this batch added to each,
    # to fold again if another poll changed it.
    interleaved: bool = False
    read: dict[int, OpenStory] = field(default_factory=dict)
    joined: dict[int, list[Member]] = field(default_factory=dict)
    # Each story's last publication as planned (new stories are created from it).
    last_at: dict[int, datetime] = field(default_factory=dict)
    # Locked and folded again already (adopt_draft): finish_stories need not.
    settled: bool = False


class Member(NamedTuple):
    """An article this batch added to a story that existed before it (a named tuple, as
    `Pending`)."""

    features: Features
    key: Hashable
    title: str
    section_id: int | None
    is_preferred: bool


def plan_stories(session: Session, pending: Sequence[Pending], *, window: timedelta,
                 preferred: Iterable[int] = (), draft: bool = False) -> StoryPlan:
    """Each pending article's story. With `draft`, from a read outside the write
    transaction: nothing is written, the stories it starts keep temporary (negative) ids,
    and adopt_draft makes it true inside the transaction."""
    plan = StoryPlan(interleaved=draft or story_rows.writes_interleave(session))
    if not pending:
        return plan
    preferred_ids = set(preferred)
    moving = [item for item in pending if item.current_story_id is None
              or normalise_title(item.title) != normalise_title(item.current_title or "")]
    moving_keys = {item.key for item in moving}     # a set: `in moving` compared records
    for item in pending:
        if item.key not in moving_keys and item.current_story_id is not None:
            plan.story_of[item.key] = item.current_story_id
    if not moving:
        return plan
    found = {item.key: item.features or features(item.title, item.summary, item.outlet)
             for item in moving}
    terms = sorted({term for feature in found.values()
                    for term in (*feature.query, *feature.keys)})
    # Oldest first, so the newest stories of a term are at the end (see _make_newest).
    postings: dict[str, dict[int, None]] = {
        term: dict.fromkeys(sorted(ids)) for term, ids in story_rows.stories_with_terms(
            session, terms, per_term=PER_TERM).items()}
    plan.indexed = {(term, story_id) for term, ids in postings.items() for story_id in ids}
    since = min(item.published_at for item in moving) - window
    # Which indexed stories are open (a narrow read), then the documents of only those
    # an article could pick: its twins and the stories sharing most of its terms.
    active = story_rows.open_among(
        session, {story_id for ids in postings.values() for story_id in ids},
        active_since=since)
    wanted = {story_id for feature in found.values()
              for story_id in _candidate_ids(feature, postings, active)}
    last_at = plan.last_at
    for row in story_rows.open_stories(session, wanted, active_since=since):
        plan.shapes[row.id] = shape_of(row)
        last_at[row.id] = row.last_published_at
        if plan.interleaved:
            plan.read[row.id] = row
    temporary = itertools.count(-1, -1)
    for item in sorted(moving, key=lambda pending_item: pending_item.published_at):
        feature = found[item.key]
        story = _decide(plan, feature, postings, last_at, item, window)
        if story is None:
            story = StoryShape(id=next(temporary))
            plan.shapes[story.id] = story
        member = Member(feature, item.key, item.title, item.section_id,
                        item.source_id in preferred_ids)
        _add(story, member)
        if plan.interleaved and story.id > 0:
            plan.joined.setdefault(story.id, []).append(member)
        _make_newest(postings, story.id, (*story.index_terms(), *feature.keys))
        plan.keys_of.setdefault(story.id, set()).update(feature.keys)
        last_at[story.id] = max(last_at.get(story.id, item.published_at), item.published_at)
        plan.story_of[item.key] = story.id
        plan.touched.add(story.id)
        if story.id < 0:
            plan.sources_of.setdefault(story.id, set()).add(item.source_id)
            plan.first_at.setdefault(story.id, item.published_at)
        if item.current_story_id is not None and item.current_story_id != story.id:
            plan.left.add(item.current_story_id)
    if not draft:
        _create_new_stories(session, plan, last_at)
    return plan


def adopt_draft(session: Session, plan: StoryPlan) -> bool:
    """Inside the write transaction, a plan drafted before it (plan_stories with `draft`):
    lock the stories it joined and read them again. If one closed or was merged away
    since, or the draft would take one past its cap (MAX_STORY_ARTICLES), the draft is
    stale: nothing is written and False says to plan again. Else a
    story another poll changed since gets this plan's members folded in again as that
    poll left it, and the stories the draft started are created."""
    joined = {story_id for story_id in plan.touched if story_id > 0}
    fresh = story_rows.lock_stories(session, joined | plan.left)
    if any(story_id not in fresh or not fresh[story_id].is_open for story_id in joined):
        return False
    _fold_again(plan, fresh)
    # Other polls may have filled a story since the read: the draft would take it past
    # its cap (several drafts at once took one to 1,386 members), so plan again.
    if any(not has_room(plan.shapes[story_id], 0) for story_id in joined):
        return False
    _create_new_stories(session, plan, plan.last_at)
    plan.settled = True
    return True


def shape_of(row: OpenStory) -> StoryShape:
    """A stored story as assignment and the merge see it."""
    return StoryShape.from_documents(row.id, row.centroid, row.lead_terms,
                                     lead_id=row.lead_article_id, title=row.title,
                                     section_id=row.section_id)


def _add(story: StoryShape, member: Member) -> None:
    add_member(story, member.features, article_key=member.key, title=member.title,
               section_id=member.section_id, is_preferred=member.is_preferred)


def _make_newest(postings: dict[str, dict[int, None]], story_id: int,
                 terms: Iterable[str]) -> None:
    """The story is the newest of each term (moved to the end of its entries); a term
    keeps its newest PER_TERM stories, the bound the index read keeps
    (models.stories.stories_with_terms), so a word every story of the batch shares does
    not make each later article compare itself with all of them."""
    for term in terms:
        newest = postings.get(term)
        if newest is None:          # (no empty dict made for the terms that have entries)
            newest = postings[term] = {}
        else:
            newest.pop(story_id, None)
        newest[story_id] = None
        if len(newest) > PER_TERM:
            del newest[next(iter(newest))]


# What a term without entries has (never changed: _make_newest makes a dict of its own).
_NO_ENTRIES: dict[int, None] = {}


def _is_copy_key(postings: Mapping[str, Mapping[int, None]], key: str) -> bool:
    """A near-duplicate key that PER_TERM or more open stories hold is a feed's
    boilerplate (a summary every item repeats), not the mark of a copy: each copy of a
    wire text joins its one story, so a real key is held by a story or two."""
    return len(postings.get(key) or ()) < PER_TERM


def _candidate_ids(feature: Features, postings: Mapping[str, dict[int, None]],
                   active: Container[int]) -> set[int]:
    """The open stories `_decide` may compare the article with: its twins' and the
    MAX_CANDIDATES sharing most of its terms (whose documents are then read)."""
    wanted = {story_id for key in feature.keys if _is_copy_key(postings, key)
              for story_id in postings.get(key, ()) if story_id in active}
    # Only open stories counted (filtered in C: most index hits are not), most first.
    shared = Counter(filter(active.__contains__, itertools.chain.from_iterable(
        map(postings.get, feature.query, itertools.repeat(_NO_ENTRIES)))))
    wanted.update(_most_shared(shared)[:MAX_CANDIDATES])
    return wanted


def _most_shared(shared: Counter[int]) -> list[int]:
    """The story ids, those sharing most terms first (ties in the order first met): the
    order of Counter.most_common, without building a pair for each id."""
    return sorted(shared, key=shared.__getitem__, reverse=True)


def _decide(plan: StoryPlan, feature: Features, postings: Mapping[str, dict[int, None]],
            last_at: Mapping[int, datetime], item: Pending,
            window: timedelta) -> StoryShape | None:
    shapes = plan.shapes
    oldest = item.published_at - window
    # (Open: read as open and active within the window; tested inline, as this runs for
    # every story an article's terms point to.)
    twins = [shapes[story_id] for key in feature.keys if _is_copy_key(postings, key)
             for story_id in reversed(postings.get(key, _NO_ENTRIES))
             if story_id in shapes and last_at[story_id] >= oldest]
    # The stories sharing most of the article's terms (counted in C: this runs per
    # article over up to QUERY_TERMS × PER_TERM entries), the open ones of them. Only
    # the stories read or started count (filtered in C: those are all the loop below can
    # take; filtering first keeps the order of ties, and leaves fewer to sort).
    shared = Counter(filter(shapes.__contains__, itertools.chain.from_iterable(
        map(reversed, map(postings.get, feature.query, itertools.repeat(_NO_ENTRIES))))))
    candidates: list[StoryShape] = []
    for story_id in _most_shared(shared):
        if last_at[story_id] >= oldest:
            candidates.append(shapes[story_id])
            if len(candidates) == MAX_CANDIDATES:
                break
    def weigh(article: Features) -> dict[str, float]:
        return with_rarity(article, {term: len(postings.get(term) or ())
                                     for term in article.query}, cap=PER_TERM)

    return choose_story(feature, candidates, duplicates=twins, weigh=weigh)


def _create_new_stories(session: Session, plan: StoryPlan,
                        last_at: Mapping[int, datetime]) -> None:
    """Insert the stories this batch started and swap their temporary ids for real ones."""
    temporary = sorted((story_id for story_id in plan.touched if story_id < 0), reverse=True)
    if not temporary:
        return
    now = utcnow()
    # Everything about a new story is known already, but its lead's article id (in
    # models.stories.NEW_STORY_COLUMNS' order).
    shapes = plan.shapes
    created = story_rows.insert_stories(session, [
        (shapes[story_id].lead_title[:2000], shapes[story_id].section_id,
         plan.first_at[story_id], last_at[story_id], shapes[story_id].count,
         len(plan.sources_of[story_id]), True, now,
         story_rows.document_text(shapes[story_id].centroid_document()),
         story_rows.document_text(shapes[story_id].lead_document()))
        for story_id in temporary])
    real = dict(zip(temporary, created, strict=True))
    for story_id, new_id in real.items():
        shape = plan.shapes.pop(story_id)
        shape.id = new_id
        plan.shapes[new_id] = shape
        plan.keys_of[new_id] = plan.keys_of.pop(story_id, set())
    plan.touched = {real.get(story_id, story_id) for story_id in plan.touched}
    plan.created = set(real.values())
    plan.story_of = {key: real.get(story_id, story_id)
                     for key, story_id in plan.story_of.items()}


def finish_stories(session: Session, plan: StoryPlan,
                   article_ids: Mapping[Any, int]) -> None:
    """After the articles are written: each touched story's centroid, lead, index
    entries and counts."""
    if not plan.touched and not plan.left:
        return
    _refold_what_others_wrote(session, plan)
    shapes = {}
    leads = {}
    for story_id in sorted(plan.touched):
        shape = plan.shapes[story_id]
        lead_id = shape.lead_id if isinstance(shape.lead_id, int) \
            else article_ids.get(shape.lead_id)
        shape.lead_id = lead_id
        if story_id in plan.created:
            leads[story_id] = lead_id
        else:
            shapes[story_id] = (shape.centroid_document(), shape.lead_document(), lead_id,
                                shape.lead_title[:2000], shape.section_id)
    story_rows.save_shapes(session, shapes)
    story_rows.save_leads(session, leads)
    story_rows.add_terms(session, (pair for story_id in plan.touched
                                   for pair in _index_pairs(plan, story_id)
                                   if pair not in plan.indexed))
    # New stories were counted when inserted; others are recounted from their articles.
    story_rows.refresh_counts(session, (plan.touched - plan.created) | plan.left)


def _refold_what_others_wrote(session: Session, plan: StoryPlan) -> None:
    """PostgreSQL: lock the stories this batch changed (each until commit, in id order),
    so that their counts are taken after any other poll's commit, and where another poll
    changed one since it was read, fold this batch's members into it again as that poll
    left it: otherwise the last to write would drop the other's members from the
    centroid and the lead."""
    if not plan.interleaved or plan.settled:
        return
    existing = (plan.touched - plan.created) | plan.left
    if not existing:
        return
    _fold_again(plan, story_rows.lock_stories(session, existing))


def _fold_again(plan: StoryPlan, fresh: Mapping[int, OpenStory]) -> None:
    """Each story this plan joined that changed since it was read: its members folded into
    the story as it is now."""
    for story_id, members in plan.joined.items():
        now, before = fresh.get(story_id), plan.read.get(story_id)
        if now is None or before is None or _documents(now) == _documents(before):
            continue
        shape = shape_of(now)
        for member in members:
            _add(shape, member)
        plan.shapes[story_id] = shape


def _documents(row: OpenStory) -> tuple[object, ...]:
    return row.centroid, row.lead_terms, row.lead_article_id, row.title, row.section_id


def _index_pairs(plan: StoryPlan, story_id: int) -> Iterable[tuple[str, int]]:
    for term in (*plan.shapes[story_id].index_terms(), *plan.keys_of.get(story_id, ())):
        yield term, story_id
