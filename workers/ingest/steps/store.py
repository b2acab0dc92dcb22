"""Store: the only ingest step that touches the database.

Two short write transactions frame every poll, a read comes before the second, and
none stays open during HTTP:

    begin_poll   — lock the source row, count an unfinished poll (or quarantine a source
                   that keeps killing workers), read a `SourceSnapshot` and section rules;
    prepare      — (a read, no lock) which fetched articles are new or changed, their
                   story features, and a draft of their stories: the costly part of
                   storing, worked out before the write transaction below (on SQLite
                   every other poll waits for that one write lock); then, with no
                   database at all, the rows of the articles to write and the values
                   the upsert sends for them (`_rows_ahead`: inside, only each row's
                   section and story are filled in);
    store_update — in ONE transaction: upsert the articles (only new or changed ones are
                   written), each article's story (store_stories.py), tags and links,
                   and the source's bookkeeping (status, error,
                   validators, URL after 301/308 — or a pause, without storing the
                   body, when another source already polls that URL — schedule).
                   After commit, if anything
                   new or changed, bump the content version so the site's caches turn.

What an outcome does to a source (status, strikes, backoff, quarantine) is decided in
bookkeeping.py, without a database; this module reads the row and writes the answer.

A crash anywhere rolls back the whole update; re-running the poll writes the same rows
once, because the unique constraint decides what is new, not Python.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, NamedTuple

import redis
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hopper import content_version
from hopper.settings import Limits
from hopper.widths import NAME_MAX, URL_MAX
from models import article_writes, sections
from models import sources as source_rows
from models import websub as websub_rows
from models.db import Database, session_scope
from models.sources import POLLABLE_STATUSES, PollState, SourceStatus
from workers.ingest.parsing.normalise import tag_slug
from workers.ingest.records import CleanArticle, FeedUpdate, SourceSnapshot
from workers.ingest.steps import bookkeeping, schedule
from workers.ingest.steps.classify import SectionRule
from workers.ingest.stories.store_stories import (
    Pending,
    StoryPlan,
    adopt_draft,
    finish_stories,
    plan_stories,
)
from workers.ingest.stories.story import Features, features, repeated_summaries

log = logging.getLogger(__name__)
_rng = random.Random()
RULES_TTL_S = 60.0
_rules_cache: dict[int, tuple[float, tuple[SectionRule, ...]]] = {}


@dataclass
class Prepared:
    """What storing a group of polls works out before its write transaction (which, on
    SQLite, holds the one write lock every other poll waits for)."""

    # Story features of the new and changed articles (workers/ingest/stories/story.py).
    features: dict[tuple[int, str], Features] = field(default_factory=dict)
    # The content hash of each article stored exactly as the poll has it, as read then:
    # not read again inside.
    unchanged: dict[tuple[int, str], str] = field(default_factory=dict)
    # Every article of these polls stored already (changed or not), as read then.
    stored: set[tuple[int, str]] = field(default_factory=set)
    # Their stories, planned from that read (store_stories.plan_stories with `draft`):
    # adopted inside the transaction when it writes exactly the articles planned here,
    # with the same inputs; otherwise planned again there.
    draft: StoryDraft | None = None


@dataclass(frozen=True)
class StoryDraft:
    plan: StoryPlan
    inputs: dict[tuple[int, str], StoryInputs]


@dataclass(frozen=True)
class PollPlan:
    snapshot: SourceSnapshot
    rules: tuple[SectionRule, ...]


@dataclass(frozen=True)
class StoreResult:
    """What one poll did, for the CLI's summary and the logs."""

    source_id: int
    outcome: str             # FeedUpdate outcomes, or "skipped" / "locked" / "missing"
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    error: str | None = None
    # New entries published before the retention window (HOPPER_RETENTION_DAYS): not
    # stored, and not "unchanged" either.
    skipped_old: int = 0
    fetch_seconds: float | None = None
    # False when the poll ran but storing it failed (the database was unreachable or
    # locked): nothing of it was written, so it is worth running again soon.
    is_stored: bool = True

    @property
    def is_failure(self) -> bool:
        return self.outcome in {"failed", "rate_limited", "gone"}


@dataclass(frozen=True)
class ArticleCounts:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped_old: int = 0


# --- before the network ---------------------------------------------------------------

def claim_due_sources(database: Database, *, now: datetime, limits: Limits,
                      limit: int) -> list[int]:
    with session_scope(database) as session:
        return source_rows.claim_due(session, now=now, limit=limit,
                                     lease_until=now + schedule.enqueue_lease(limits))


def begin_poll(database: Database, source_id: int, *, now: datetime, limits: Limits,
               force: bool = False) -> PollPlan | None:
    """Count the poll as started and read what it needs; None when it must not run
    (source deleted, gone or paused unless `force`, or just quarantined)."""
    return begin_polls(database, [source_id], now=now, limits=limits,
                       force=force).get(source_id)


def begin_polls(database: Database, source_ids: Sequence[int], *, now: datetime,
                limits: Limits, force: bool = False) -> dict[int, PollPlan]:
    """`begin_poll` for many sources in ONE short transaction (the CLI's batches): one
    read, one UPDATE and one commit, however many sources; a source that keeps killing
    its polls is quarantined instead of started."""
    if not source_ids:
        return {}
    with session_scope(database) as session:
        rules = _section_rules(session, database)
        states = [state for state in source_rows.poll_states_for_update(session, source_ids)
                  if force or state.status in POLLABLE_STATUSES]
        started = [state for state in states
                   if not bookkeeping.must_quarantine(state.unfinished_polls)]
        for state in states:
            if bookkeeping.must_quarantine(state.unfinished_polls):
                _quarantine(state, now, limits)
        source_rows.save_poll_states(session, states)
        source_rows.count_polls_started(session, [state.id for state in started])
        source_rows.skip_durable_commit(session)
    return {state.id: PollPlan(snapshot=_snapshot(state), rules=rules) for state in started}


def abandon_polls(database: Database, source_ids: Sequence[int]) -> None:
    """Polls begun and then stopped by the operator (Ctrl-C on `hopper ingest`): nothing
    is stored, and they do not count as polls that died (`count_polls_abandoned`)."""
    if source_ids:
        with session_scope(database) as session:
            source_rows.count_polls_abandoned(session, source_ids)


def begin_push(database: Database, source_id: int) -> PollPlan | None:
    """What storing a body a hub delivered needs; None for a source deleted, gone or
    paused. No poll is counted as started: nothing is fetched."""
    with session_scope(database) as session:
        rules = _section_rules(session, database)
        states = source_rows.poll_states_for_update(session, [source_id])
    return next((PollPlan(snapshot=_snapshot(state), rules=rules) for state in states
                 if state.status in POLLABLE_STATUSES), None)


def reschedule_locked(database: Database, expires_in_s: Mapping[int, float], *,
                      now: datetime) -> None:
    """Sources another poll holds locked: due again when that lock lapses (at the latest).

    The tick's claim pushed them a whole lease ahead; if the lock's holder is gone (killed,
    or a Redis restart ate its release), nobody else would bring them back sooner. A live
    holder sets the real next time when it stores its poll.
    """
    if not expires_in_s:
        return
    with session_scope(database) as session:
        source_rows.poll_no_later_than(session, {
            source_id: now + timedelta(seconds=seconds)
            for source_id, seconds in expires_in_s.items()})
        source_rows.skip_durable_commit(session)


def _quarantine(source: PollState, now: datetime, limits: Limits) -> None:
    verdict = bookkeeping.quarantine(unfinished_polls=source.unfinished_polls,
                                     error_count=source.error_count, now=now, limits=limits)
    _apply(source, verdict)
    source.unfinished_polls = 0
    log.warning("source %s quarantined after %s unfinished polls", source.id,
                schedule.QUARANTINE_AFTER_UNFINISHED)


def _snapshot(source: PollState) -> SourceSnapshot:
    return SourceSnapshot(
        id=source.id, url=source.url, etag=source.etag, last_modified=source.last_modified,
        section_id=source.section_id, interval_minutes=source.interval_minutes,
        interval_override_minutes=source.interval_override_minutes,
        error_count=source.error_count, last_new_entry_at=source.last_new_entry_at)


def _section_rules(session: Session, database: Database) -> tuple[SectionRule, ...]:
    """Every section's keyword rules, read at most once per RULES_TTL_S per process: a
    rule edited by an admin applies within a minute, and a poll saves a query."""
    now = time.monotonic()
    cached = _rules_cache.get(id(database))
    if cached is not None and cached[0] > now:
        return cached[1]
    rules = tuple(SectionRule(section.id, tuple(section.keyword_list))
                  for section in sections.with_keyword_rules(session) if section.keyword_list)
    _rules_cache[id(database)] = (now + RULES_TTL_S, rules)
    return rules


def forget_section_rules() -> None:
    _rules_cache.clear()


# --- after the network ----------------------------------------------------------------

def store_update(database: Database, client: redis.Redis | None, update: FeedUpdate, *,
                 limits: Limits) -> StoreResult:
    """Write one poll's update in one transaction, then bump the content version."""
    prepared = prepare(database, [update], limits=limits)
    ahead = _rows_ahead(database, [update], prepared)
    with session_scope(database) as session:
        sources = source_rows.poll_states_for_update(session, [update.source_id])
        result = _store_group(session, {source.id: source for source in sources}, [update],
                              limits=limits, prepared=prepared, ahead=ahead)[0]
        source_rows.save_poll_states(session, sources)
        if not _wrote_articles([result]):
            source_rows.skip_durable_commit(session)   # bookkeeping only: a re-poll redoes it
    if client is not None and _wrote_articles([result]):
        content_version.bump_after_commit(client)
    return replace(result, fetch_seconds=update.fetch_seconds)


def store_updates(database: Database, client: redis.Redis | None,
                  updates: Sequence[FeedUpdate], *, limits: Limits) -> list[StoreResult]:
    """Write many polls' updates in ONE transaction (the CLI's batches), then bump the
    content version once. All-or-nothing like `store_update`: each source's bookkeeping
    commits together with its articles, so a crash leaves no poll half-written. Source
    rows are locked in id order, so two batches never deadlock. If the batch fails, each
    update is retried in its own transaction: one bad poll never sinks the others."""
    if not updates:
        return []
    prepared = prepare(database, updates, limits=limits)
    ahead = _rows_ahead(database, updates, prepared)
    try:
        with session_scope(database) as session:
            sources = {source.id: source for source in source_rows.poll_states_for_update(
                session, [update.source_id for update in updates])}
            results = _store_group(session, sources, updates, limits=limits,
                                   prepared=prepared, ahead=ahead)
            source_rows.save_poll_states(session, sources.values())
            if not _wrote_articles(results):
                source_rows.skip_durable_commit(session)
    except Exception:
        if len(updates) == 1:
            raise
        log.warning("storing %s polls together failed; storing them one by one",
                    len(updates), exc_info=True)
        return [_store_alone(database, client, update, limits) for update in updates]
    if client is not None and _wrote_articles(results):
        content_version.bump_after_commit(client)
    return [replace(result, fetch_seconds=update.fetch_seconds)
            for result, update in zip(results, updates, strict=True)]


def prepare(database: Database, updates: Sequence[FeedUpdate], *,
            limits: Limits) -> Prepared | None:
    """One read, outside any write transaction: the stored content hashes, then the
    story features of the articles to write and a draft of their stories (from the same
    read). Inside the transaction only the articles this read found new
    or changed are read again (a poll of the same source running at once could have
    written them: polls hold a per-source lock, but a lock can lapse); if what is to be
    written differs from what was drafted, the stories are planned again there."""
    entries = {update.source_id: update for update in updates
               if update.outcome == "ok" and update.articles}
    if not entries:
        return None
    with session_scope(database, write=False) as session:
        facts = source_rows.storing_facts(session, entries)
        # A source that never stored an entry has none to look up (its first poll: every
        # entry is new). Were one stored since, the transaction's own read finds it.
        known = article_writes.content_hashes(session, {
            source_id: [article.entry_hash for article in update.articles]
            for source_id, update in entries.items()
            if source_id in facts and facts[source_id].has_stored})
        prepared = Prepared(stored=set(known))
        for source_id, update in entries.items():
            for article in update.articles:
                key = (source_id, article.entry_hash)
                if known.get(key) == article.content_hash:
                    prepared.unchanged[key] = article.content_hash
        writes = _writes([(source_id, facts[source_id].section_id if source_id in facts
                           else None, update.polled_at, _unique(update))
                          for source_id, update in entries.items()],
                         known, limits.retention)
        outlets = {source_id: fact.name for source_id, fact in facts.items()}
        boilerplate = _boilerplate({source_id: _unique(update)
                                    for source_id, update in entries.items()})
        inputs = _story_inputs(session, writes.rows, stored=known.keys(), outlets=outlets,
                               boilerplate=boilerplate)
        for key, read in inputs.items():
            prepared.features[key] = features(read.title, read.summary, read.outlet)
        plan = plan_stories(session, _pending(inputs, prepared.features),
                            window=limits.story_window, draft=True,
                            preferred=source_rows.preferred_among(facts))
        prepared.draft = StoryDraft(plan, inputs)
    return prepared


class _Ahead(NamedTuple):
    """An article's row and the values the upsert sends for it, made before the write
    transaction (`_rows_ahead`); inside it, only its section (when the article has none
    of its own, its source's as read there) and its story are filled in."""

    article: CleanArticle
    row: dict[str, Any]
    bound: article_writes.Bound | None


def _rows_ahead(database: Database, updates: Sequence[FeedUpdate],
                prepared: Prepared | None) -> dict[tuple[int, str], _Ahead]:
    """The rows of the articles these polls may write, and their values as the upsert
    sends them (article_writes.bind_articles), worked out before the write transaction,
    in which every other poll waits on SQLite: for every article but those `prepare`
    read as stored exactly so. An article re-keyed inside (`_rekey_by_stored_links`)
    has its row made there."""
    unchanged = prepared.unchanged if prepared is not None else {}
    keys: list[tuple[int, str]] = []
    articles: list[CleanArticle] = []
    rows: list[dict[str, Any]] = []
    for update in updates:
        if update.outcome != "ok":
            continue
        for article in _unique(update):
            key = (update.source_id, article.entry_hash)
            if key not in unchanged:
                row = _article_row(update.source_id, None, article, update.polled_at)
                row["story_id"] = None        # as it will be: decided inside
                keys.append(key)
                articles.append(article)
                rows.append(row)
    bound = article_writes.bind_articles(database.engine.dialect, rows)
    return {key: _Ahead(article, row, values)
            for key, article, row, values in zip(keys, articles, rows, bound, strict=True)}


def _store_alone(database: Database, client: redis.Redis | None, update: FeedUpdate,
                 limits: Limits) -> StoreResult:
    try:
        return store_update(database, client, update, limits=limits)
    except Exception as error:   # a database error for one source must not stop the rest
        return StoreResult(update.source_id, "failed", error=f"{type(error).__name__}: {error}",
                           is_stored=False)


def _wrote_articles(results: Sequence[StoreResult]) -> bool:
    return any(result.new or result.updated for result in results)


def _store_group(session: Session, sources: Mapping[int, PollState],
                 updates: Sequence[FeedUpdate], *, limits: Limits,
                 prepared: Prepared | None = None,
                 ahead: Mapping[tuple[int, str], _Ahead] | None = None) -> list[StoreResult]:
    """Every update's articles written together (one SELECT, one upsert, one tag pass for
    the group), then each source's bookkeeping; one result per update, in order."""
    duplicates = _duplicates(session, sources, updates)
    polls = [(sources[update.source_id], update) for update in updates
             if update.outcome == "ok" and update.source_id in sources
             and update.source_id not in duplicates]
    counts = store_articles(session, polls,
                            story_window=limits.story_window,
                            retention=limits.retention, prepared=prepared, ahead=ahead)
    results = []
    for update in updates:
        source = sources.get(update.source_id)
        if source is None:
            results.append(StoreResult(update.source_id, "missing"))
            continue
        done = counts.get(source.id, ArticleCounts())
        if source.id in duplicates:
            results.append(StoreResult(update.source_id, "failed", error=record_duplicate(
                source, update, duplicates[source.id])))
            continue
        error = record_outcome(session, source, update, done, limits=limits)
        results.append(StoreResult(update.source_id, update.outcome, done.new, done.updated,
                                   done.unchanged, error, skipped_old=done.skipped_old))
    record_push(session, sources, [update for update in updates
                                   if update.source_id not in duplicates], limits=limits)
    return results


def _duplicates(session: Session, sources: Mapping[int, PollState],
                updates: Sequence[FeedUpdate]) -> dict[int, int]:
    """Sources whose feed moved permanently to a URL another source polls: {its id: the
    other's id}. Their bodies are that source's feed, so they are not stored here."""
    found = {}
    for update in updates:
        source = sources.get(update.source_id)
        if (source is None or update.outcome != "ok" or not update.new_url
                or update.new_url == source.url):
            continue
        other_id = source_rows.id_with_url(session, update.new_url, other_than=source.id)
        if other_id is not None:
            found[source.id] = other_id
    return found


def record_push(session: Session, sources: Mapping[int, PollState],
                updates: Sequence[FeedUpdate], *, limits: Limits) -> None:
    """WebSub: note the hub each fetched feed names (the workers' sweep subscribes), or
    forget it when the feed stopped naming one; poll a source whose hub pushes only as a
    slow fallback. One query when nothing changed."""
    polled = [update for update in updates if update.source_id in sources
              and update.outcome in {"ok", "not_modified"}]
    if not polled:
        return
    now = max(update.polled_at for update in polled)
    known = websub_rows.hubs_of(session, [update.source_id for update in polled], now)
    fetched = [update for update in polled if update.outcome == "ok" and not update.is_push]
    websub_rows.note_hubs(session, [
        (update.source_id, update.hub_url, update.topic_url) for update in fetched
        if update.hub_url and update.topic_url and (update.source_id not in known or (
            known[update.source_id].hub_url, known[update.source_id].topic_url)
            != (update.hub_url, update.topic_url))], now)
    forgotten = {update.source_id for update in fetched
                 if not update.hub_url and update.source_id in known}
    websub_rows.forget_hubs(session, sorted(forgotten))
    for update in polled:
        hub = known.get(update.source_id)
        if hub is not None and hub.is_pushing and update.source_id not in forgotten:
            source = sources[update.source_id]
            source.next_poll_at = bookkeeping.next_poll_with_push(
                source.next_poll_at, update.polled_at, limits)


def store_articles(session: Session, polls: Sequence[tuple[PollState, FeedUpdate]], *,
                   story_window: timedelta = timedelta(hours=48),
                   retention: timedelta | None = None,
                   prepared: Prepared | None = None,
                   ahead: Mapping[tuple[int, str], _Ahead] | None = None,
                   ) -> dict[int, ArticleCounts]:
    """Upsert the polls' articles; only new ones and those whose content hash changed
    are sent to the database, each with its story (store_stories.py), in this same
    transaction. A new entry published longer than `retention` before the poll is not
    stored: retention would delete it, and the next poll store it again, its address
    answering 410 in between. `prepared` is what `prepare` read and worked out before it; its
    features are dropped once the stories are planned (a 10,000-entry feed's weigh tens
    of MB, and the upsert that follows needs its own memory). `ahead`: the rows
    `_rows_ahead` made before the transaction. Returns the counts per source id."""
    if not polls:
        return {}
    unique = {source.id: _unique(update) for source, update in polls}
    unique = _rekey_by_stored_links(session, polls, unique, prepared)
    unchanged = prepared.unchanged if prepared is not None else {}
    known = {(source_id, article.entry_hash): unchanged[(source_id, article.entry_hash)]
             for source_id, articles in unique.items() for article in articles
             if (source_id, article.entry_hash) in unchanged}
    known.update(article_writes.content_hashes(
        session, {source_id: [article.entry_hash for article in articles
                              if (source_id, article.entry_hash) not in unchanged]
                  for source_id, articles in unique.items()}))
    writes = _writes([(source.id, source.section_id, update.polled_at, unique[source.id])
                      for source, update in polls], known, retention, ahead)
    rows = writes.rows
    plan = _plan_stories(session, rows, window=story_window, prepared=prepared,
                         stored={(source_id, article.entry_hash)
                                 for source_id, article in writes.changed},
                         outlets={source.id: source.name or "" for source, _ in polls},
                         boilerplate=_boilerplate(unique))
    if prepared is not None:
        prepared.features.clear()
        prepared.draft = None
    for row in rows:
        row["story_id"] = plan.story_of[(row["source_id"], row["entry_hash"])]
    written = article_writes.upsert_articles(session, rows, bound=writes.bound)
    finish_stories(session, plan, written)
    _link_tags(session, written, writes.fresh, writes.changed)
    return writes.counts


def _unique(update: FeedUpdate) -> list[CleanArticle]:
    """The poll's articles, one per entry hash (the first of a feed's repeats)."""
    return list({article.entry_hash: article for article in reversed(update.articles)}.values())


@dataclass
class _Writes:
    rows: list[dict[str, Any]] = field(default_factory=list)
    bound: list[article_writes.Bound | None] = field(default_factory=list)   # one per row
    counts: dict[int, ArticleCounts] = field(default_factory=dict)
    fresh: list[tuple[int, CleanArticle]] = field(default_factory=list)
    changed: list[tuple[int, CleanArticle]] = field(default_factory=list)


def _writes(polls: Sequence[tuple[int, int | None, datetime, list[CleanArticle]]],
            known: Mapping[tuple[int, str], str],
            retention: timedelta | None,
            ahead: Mapping[tuple[int, str], _Ahead] | None = None) -> _Writes:
    """What to write of each poll ((source id, its section id, polled at, its unique
    articles)), given the stored content hashes: the rows of new and changed articles
    (those made `ahead` where they are the same article of the same poll), and the
    counts. A new entry published longer than `retention` before the poll is not
    written."""
    found = _Writes()
    for source_id, section_id, polled_at, articles in polls:
        oldest = polled_at - retention if retention is not None else None
        unknown = [a for a in articles if (source_id, a.entry_hash) not in known]
        new = [a for a in unknown if oldest is None or a.published_at >= oldest]
        rewritten = [a for a in articles if (source_id, a.entry_hash) in known
                     and known[(source_id, a.entry_hash)] != a.content_hash]
        found.fresh += [(source_id, article) for article in new]
        found.changed += [(source_id, article) for article in rewritten]
        for article in new + rewritten:
            made = ahead.get((source_id, article.entry_hash)) if ahead else None
            if made is not None and made.article is article \
                    and made.row["created_at"] is polled_at:
                if article.section_id is None:
                    made.row["section_id"] = section_id
                found.rows.append(made.row)
                found.bound.append(made.bound)
            else:
                found.rows.append(_article_row(source_id, section_id, article, polled_at))
                found.bound.append(None)
        found.counts[source_id] = ArticleCounts(
            new=len(new), updated=len(rewritten),
            unchanged=len(articles) - len(unknown) - len(rewritten),
            skipped_old=len(unknown) - len(new))
    return found


def _rekey_by_stored_links(session: Session, polls: Sequence[tuple[PollState, FeedUpdate]],
                           unique: Mapping[int, list[CleanArticle]],
                           prepared: Prepared | None) -> dict[int, list[CleanArticle]]:
    """An entry whose key is new, but whose link and title are those of exactly one stored
    article of its source, is that article under a new key (guids that change at every
    poll; a shared guid keyed apart by its link): it takes the stored key, so it updates
    the article instead of adding a copy. Only when the match is unambiguous: one stored
    article with that link, one new entry claiming it, the stored key absent from this
    poll, the titles equal; a homepage link shared by different headlines never merges.
    """
    sources = {source.id: source for source, _ in polls}
    # A source that never stored an entry has nothing to match (its first poll).
    polled_before = [source_id for source_id in unique
                     if sources[source_id].last_new_entry_at is not None]
    if not polled_before:
        return dict(unique)
    # Which entries are stored already: `prepare` read it before the transaction, so it
    # is not read twice (an entry another poll stored since then meets its own row by
    # its link, whose key is in this poll: it is not re-keyed); without it, read here.
    known: Collection[tuple[int, str]] = prepared.stored if prepared is not None else \
        article_writes.content_hashes(session, {
            source_id: sorted({article.entry_hash for article in unique[source_id]})
            for source_id in polled_before})
    candidates = {source_id: [article.url for article in unique[source_id] if article.url
                              and (source_id, article.entry_hash) not in known]
                  for source_id in polled_before}
    stored: dict[tuple[int, str], list[tuple[str, str, str]]] = {}
    for source_id, url, key, entry_hash, title in article_writes.stored_with_urls(
            session, {source_id: urls for source_id, urls in candidates.items() if urls}):
        stored.setdefault((source_id, url), []).append((key, entry_hash, title))
    rekeyed = dict(unique)
    # Only a source with a stored article at one of its new entries' links can re-key.
    for source_id in sorted({source_id for source_id, _ in stored}):
        articles = unique[source_id]
        keys = {article.entry_hash for article in articles}
        claims: dict[str, int] = {}
        for article in articles:
            if (source_id, article.entry_hash) not in known and article.url:
                claims[article.url] = claims.get(article.url, 0) + 1
        result = []
        for article in articles:
            match = stored.get((source_id, article.url or ""), [])
            if ((source_id, article.entry_hash) not in known and len(match) == 1
                    and claims[article.url or ""] == 1
                    and match[0][1] not in keys
                    and match[0][2] == article.title):
                article = replace(article, entry_key=match[0][0], entry_hash=match[0][1])
            result.append(article)
        rekeyed[source_id] = result
    return rekeyed


def _plan_stories(session: Session, rows: Sequence[dict[str, Any]], *,
                  window: timedelta, prepared: Prepared | None,
                  stored: Collection[tuple[int, str]],
                  outlets: Mapping[int, str],
                  boilerplate: Mapping[int, frozenset[str]]) -> StoryPlan:
    """The rows' stories (`stored`: the keys of those stored already): the draft
    `prepare` made, when these rows are the ones it planned and it is still true of the
    stories (store_stories.adopt_draft); else planned here."""
    inputs = _story_inputs(session, rows, stored=stored, outlets=outlets,
                           boilerplate=boilerplate)
    draft = prepared.draft if prepared is not None else None
    if draft is not None and draft.inputs == inputs and adopt_draft(session, draft.plan):
        return draft.plan
    facts = source_rows.storing_facts(session, {row["source_id"] for row in rows})
    return plan_stories(session,
                        _pending(inputs, prepared.features if prepared is not None else {}),
                        window=window, preferred=source_rows.preferred_among(facts))


class StoryInputs(NamedTuple):
    """What a story decision reads of an article about to be written (its features
    follow from its title, summary and outlet)."""

    title: str
    summary: str                  # none where it is its feed's boilerplate
    source_id: int
    section_id: int | None
    published_at: datetime
    current_story_id: int | None  # if stored already: an edited article may move
    current_title: str | None
    outlet: str                   # its source's name


def _story_inputs(session: Session, rows: Sequence[dict[str, Any]], *,
                  stored: Collection[tuple[int, str]], outlets: Mapping[int, str],
                  boilerplate: Mapping[int, frozenset[str]],
                  ) -> dict[tuple[int, str], StoryInputs]:
    """{key: StoryInputs} of the rows, each with the story and title it has now if it is
    stored already (`stored`), its source's name (`outlets`), and no summary where it
    is its feed's boilerplate."""
    keys = [(row["source_id"], row["entry_hash"]) for row in rows]
    edited = [key for key in keys if key in stored]
    current = article_writes.current_stories(session, edited) if edited else {}
    nowhere: tuple[int | None, str | None] = (None, None)
    return {key: StoryInputs(row["title"], _story_summary(row, boilerplate), row["source_id"],
                             row["section_id"], row["published_at"],
                             *current.get(key, nowhere), outlets.get(key[0], ""))
            for key, row in zip(keys, rows, strict=True)}


def _pending(inputs: Mapping[tuple[int, str], StoryInputs],
             prepared: Mapping[tuple[int, str], Features]) -> list[Pending]:
    """The articles as story assignment takes them (with their features, where
    `prepared` has them)."""
    # (Positional: a named tuple made with keywords costs twice as much, once per article.)
    return [Pending(key, read.title, read.summary, read.source_id, read.section_id,
                    read.published_at, read.current_story_id, read.current_title,
                    prepared.get(key), read.outlet)
            for key, read in inputs.items()]


def _boilerplate(articles: Mapping[int, Sequence[CleanArticle]]) -> dict[int, frozenset[str]]:
    """{source id: the summaries several of its feed's entries carry} (story.py
    `repeated_summaries`): read from the whole feed, so that a poll bringing one new
    item still knows its outlet's boilerplate."""
    return {source_id: repeated_summaries(article.summary for article in feed)
            for source_id, feed in articles.items()}


def _story_summary(row: Mapping[str, Any], boilerplate: Mapping[int, frozenset[str]]) -> str:
    """The summary story assignment reads: none where it is the feed's boilerplate."""
    summary: str = row["summary"] or ""
    return "" if summary.strip() in boilerplate.get(row["source_id"], ()) else summary


def _article_row(source_id: int, source_section_id: int | None, article: CleanArticle,
                 now: datetime) -> dict[str, Any]:
    return {
        "source_id": source_id,
        "entry_key": article.entry_key,
        "entry_hash": article.entry_hash,
        "url": article.url,
        "title": article.title,
        "author": article.author,
        "summary": article.summary,
        "content_html": article.content_html,
        "content_hash": article.content_hash,
        "image_url": article.image_url,
        "image_alt": article.image_alt,
        "image_caption": article.image_caption,
        "video_url": article.video_url,
        "video_embed_url": article.video_embed_url,
        "is_video": article.is_video,
        "section_id": article.section_id if article.section_id is not None
        else source_section_id,
        "published_at": article.published_at,
        "updated_at": article.updated_at,
        "created_at": now,
        "modified_at": now,
    }


def _link_tags(session: Session, article_ids: Mapping[tuple[int, str], int],
               fresh: Sequence[tuple[int, CleanArticle]],
               changed: Sequence[tuple[int, CleanArticle]]) -> None:
    # New articles without tags need no links; changed ones may have lost theirs.
    relinked = [(source_id, article) for source_id, article in fresh if article.tags] \
        + list(changed)
    if not relinked:
        return
    names = {tag_slug(name): name for _, article in relinked for name in article.tags}
    tag_ids = article_writes.ensure_tags(session, names)
    links = {article_ids[(source_id, article.entry_hash)]:
             [tag_ids[slug] for slug in (tag_slug(name) for name in article.tags)
              if slug in tag_ids]
             for source_id, article in relinked
             if (source_id, article.entry_hash) in article_ids}
    # Only rewritten articles can have old links; new ones start with none.
    stale = [article_ids[(source_id, article.entry_hash)] for source_id, article in changed
             if (source_id, article.entry_hash) in article_ids]
    article_writes.replace_tag_links(session, links, clear=stale)


def record_outcome(session: Session, source: PollState, update: FeedUpdate,
                   counts: ArticleCounts, *, limits: Limits) -> str | None:
    """The source's bookkeeping for this poll; returns the error recorded, if any.

    A paused source stays paused whatever its poll found, since only resuming it may
    poll it again: an admin may pause it while the poll runs (the poll would otherwise
    undo the pause), and `hopper ingest --source` polls a paused one on purpose."""
    paused = source.status == SourceStatus.PAUSED.value
    error = _record_poll(session, source, update, counts, limits)
    if paused:
        source.status = SourceStatus.PAUSED.value
    return error


def _record_poll(session: Session, source: PollState, update: FeedUpdate,
                 counts: ArticleCounts, limits: Limits) -> str | None:
    now = update.polled_at
    source.last_polled_at = now
    source.unfinished_polls = 0
    if update.outcome in {"ok", "not_modified"}:
        return _record_success(session, source, update, counts, limits)
    verdict = bookkeeping.after_failure(
        outcome=update.outcome, error=update.error, is_permanent=update.is_permanent,
        retry_after=update.retry_after, error_count=source.error_count,
        interval_minutes=source.interval_minutes, now=now, limits=limits, rng=_rng)
    _apply(source, verdict)
    return verdict.error


def record_duplicate(source: PollState, update: FeedUpdate, other_id: int) -> str:
    """The bookkeeping of a poll whose feed turned out to be another source's."""
    source.last_polled_at = update.polled_at
    source.unfinished_polls = 0
    verdict = bookkeeping.duplicate_of(other_id=other_id, new_url=update.new_url or "",
                                       kept_url=source.url, error_count=source.error_count)
    _apply(source, verdict)
    return verdict.error


def _apply(source: PollState, verdict: bookkeeping.Verdict) -> None:
    source.status = SourceStatus(verdict.status).value
    source.last_error = verdict.error
    source.error_count = verdict.error_count
    if verdict.next_poll_at is not None:
        source.next_poll_at = verdict.next_poll_at


def _record_success(session: Session, source: PollState, update: FeedUpdate,
                    counts: ArticleCounts, limits: Limits) -> str | None:
    now = update.polled_at
    # A healthy source's last_error is a note for admins; an unchanged feed (304) keeps it.
    if update.outcome == "ok" or source.status != SourceStatus.OK.value:
        source.last_error = bookkeeping.success_note(
            skipped_old=counts.skipped_old,
            stored=counts.new + counts.updated + counts.unchanged,
            retention_days=limits.retention_days, charset_warning=update.charset_warning)
    note = source.last_error if update.outcome == "ok" else None
    source.status = SourceStatus.OK.value
    source.error_count = 0
    source.last_success_at = now
    if update.outcome == "ok" and not update.is_push:
        source.etag = bookkeeping.whole_validator(update.etag, 512)
        source.last_modified = bookkeeping.whole_validator(update.last_modified, 128)
    else:   # a 304 may omit the validators (a push has none): keep those that earned it
        source.etag = bookkeeping.whole_validator(update.etag, 512) or source.etag
        source.last_modified = (bookkeeping.whole_validator(update.last_modified, 128)
                                or source.last_modified)
    if counts.new:
        source.last_new_entry_at = now
    source.name = bookkeeping.name_after_poll(source.name, update.feed_title)[:NAME_MAX]
    if update.site_url:
        source.site_url = update.site_url[:URL_MAX]
    if update.rights_signals:            # suggestions for the admin, never applied
        source.rights_signals = source_rows.merge_signals(source.rights_signals,
                                                          update.rights_signals)
    publisher_wait = schedule.publisher_wait(update.hints)
    source.interval_minutes = schedule.adapt_interval(
        current_minutes=source.interval_minutes,
        override_minutes=source.interval_override_minutes,
        published_at=[article.published_at for article in update.articles],
        last_new_entry_at=source.last_new_entry_at, now=now, limits=limits,
        publisher_wait=publisher_wait)
    source.next_poll_at = schedule.next_poll_after_success(now, source.interval_minutes, _rng,
                                                           publisher_wait)
    if update.new_url and update.new_url != source.url:
        return _move_source(session, source, update.new_url)
    return note


def _move_source(session: Session, source: PollState, new_url: str) -> str | None:
    """Follow a 301/308 by storing the new URL, unless another source already has it
    (then the old URL stays and the reason is recorded for an admin). A source that
    already had the URL when the poll was stored is a duplicate (`_duplicates`); here
    are an overlong URL and a source added concurrently."""
    refusal = (f"the feed moved permanently to {new_url}, which another source already "
               f"polls; kept {source.url}")
    if len(new_url) > URL_MAX or source_rows.url_taken(session, new_url,
                                                       other_than=source.id):
        source.last_error = refusal
        return refusal
    try:
        with session.begin_nested():          # a concurrent add of the same URL loses here
            source_rows.move(session, source.id, new_url)
    except IntegrityError:
        source.last_error = refusal
        return refusal
    source.url = new_url
    return None
