"""Sources: the feeds Hopper polls, their HTTP validators, health and schedule."""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

from sqlalchemy import (
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    bindparam,
    false,
    func,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from hopper.widths import NAME_MAX, SECTION_NAME_MAX, URL_MAX
from models.base import NEVER_REUSE_IDS, Base, utcnow
from models.sections import Section


class SourceStatus(enum.StrEnum):
    OK = "ok"
    FAILING = "failing"
    GONE = "gone"
    PAUSED = "paused"


class Rights(enum.StrEnum):
    """What a publisher lets Hopper republish (DESIGN: stories and rights)."""

    HEADLINE = "headline"    # title, link and image
    EXCERPT = "excerpt"      # plus a summary of at most about 300 characters
    FULL = "full"            # plus the sanitised body


class FullText(enum.StrEnum):
    """Whether to fetch the article page for a feed that carries only summaries."""

    OFF = "off"
    AUTO = "auto"            # when the feed's bodies are short summaries
    ON = "on"


DEFAULT_RIGHTS = Rights.EXCERPT
DEFAULT_FULL_TEXT = FullText.AUTO


# Statuses the scheduler polls; gone and paused sources wait for an admin.
POLLABLE_STATUSES = (SourceStatus.OK.value, SourceStatus.FAILING.value)


class Source(Base):
    __tablename__ = "sources"
    __table_args__ = (
        # The beat tick asks "which sources are due?": answered from this index alone.
        Index("ix_sources_due", "status", "next_poll_at"),
        NEVER_REUSE_IDS,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(URL_MAX), unique=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    site_url: Mapped[str | None] = mapped_column(String(URL_MAX))
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("sections.id", ondelete="SET NULL"), index=True)
    status: Mapped[str] = mapped_column(String(16), default=SourceStatus.OK.value)
    last_error: Mapped[str | None] = mapped_column(Text)
    error_count: Mapped[int] = mapped_column(default=0)
    # Polls started but never finished (a worker killed mid-poll): quarantine past a limit.
    unfinished_polls: Mapped[int] = mapped_column(default=0)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    interval_override_minutes: Mapped[int | None]
    interval_minutes: Mapped[int] = mapped_column(default=30)
    last_polled_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_entry_at: Mapped[datetime | None]
    next_poll_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Republishing rights and full-text fetching (DESIGN: stories and rights).
    rights: Mapped[str] = mapped_column(String(16), default=DEFAULT_RIGHTS.value,
                                        server_default=DEFAULT_RIGHTS.value)
    full_text: Mapped[str] = mapped_column(String(8), default=DEFAULT_FULL_TEXT.value,
                                           server_default=DEFAULT_FULL_TEXT.value)
    # The last full-text fetch that failed (the feed's summary is kept), for the health row.
    full_text_error: Mapped[str | None] = mapped_column(Text)
    # What the feed and its pages say about reuse (dc:rights, copyright, Creative Commons,
    # robots noarchive/nosnippet/max-snippet, robots.txt License:): suggestions shown to
    # admins, never applied on their own. One line per signal.
    rights_signals: Mapped[str | None] = mapped_column(Text)
    # The operator's preferred outlets lead the stories they cover (models/stories.py).
    is_preferred: Mapped[bool] = mapped_column(default=False, server_default=false())

    section: Mapped[Section | None] = relationship()

    @property
    def may_show_summary(self) -> bool:
        return self.rights != Rights.HEADLINE.value

    @property
    def may_show_body(self) -> bool:
        return self.rights == Rights.FULL.value

    @property
    def public_url(self) -> str:
        return public_url(self.url)

    @property
    def public_site_url(self) -> str | None:
        """The publisher's site as the public may see it (a channel link can carry the
        same token as the feed URL)."""
        return public_url(self.site_url) or None if self.site_url else None

    @property
    def display_name(self) -> str:
        """What readers and admins see: its name, else its feed URL as the public may
        see it (public_url)."""
        return self.name or self.public_url


def public_url(url: str) -> str:
    """A source URL as the public may see it (API, RSS out, pages): without `user:pw@`,
    query string or fragment, where feed URLs carry their credentials and tokens
    (`?api_key=…`). Only admins see `Source.url` whole."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:   # not a URL we could show safely
        return ""
    host = parts.hostname or ""
    if ":" in host:      # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))



def by_url(session: Session, url: str) -> Source | None:
    return session.scalar(select(Source).where(Source.url == url))


def display_names(session: Session, source_ids: Iterable[int]) -> dict[int, str]:
    """{id: display name} of the given sources that exist."""
    rows = session.execute(select(Source.id, Source.name, Source.url)
                           .where(Source.id.in_(list(source_ids))))
    return {source_id: name or public_url(url) for source_id, name, url in rows}


@dataclass(frozen=True, slots=True)
class StoringFacts:
    """What storing articles and filing them under stories reads of their source, in one
    SELECT: before a poll's write transaction (workers/ingest/steps/store.py `prepare`),
    inside it when the stories are planned again, and when they are rebuilt
    (workers/ingest/stories/maintain_stories.py `rebuild_stories`)."""

    section_id: int | None
    name: str
    is_preferred: bool
    has_stored: bool              # it stored an entry once (`last_new_entry_at` is set)


def storing_facts(session: Session, source_ids: Iterable[int]) -> dict[int, StoringFacts]:
    """{source id: its StoringFacts} of the given sources that exist."""
    ids = sorted(set(source_ids))
    found: dict[int, StoringFacts] = {}
    for start in range(0, len(ids), 500):
        found.update((row.id, StoringFacts(row.section_id, row.name or "",
                                           bool(row.is_preferred),
                                           row.last_new_entry_at is not None))
                     for row in session.execute(
                         select(Source.id, Source.section_id, Source.name, Source.is_preferred,
                                Source.last_new_entry_at)
                         .where(Source.id.in_(ids[start:start + 500]))))
    return found


def preferred_among(facts: Mapping[int, StoringFacts]) -> set[int]:
    """The ids among `facts` of the sources the operator marked as preferred (they lead
    the stories they cover)."""
    return {source_id for source_id, fact in facts.items() if fact.is_preferred}


def pause(source: Source) -> None:
    """Never polled until resumed (Admin › Sources, `hopper sources pause`)."""
    source.status = SourceStatus.PAUSED.value


def resume(source: Source, *, now: datetime) -> None:
    """Back to polling, due now, with a clean error slate (a source the fetcher paused,
    say after HOPPER_ALLOW_PRIVATE_NETWORKS changed, or one an admin paused)."""
    source.status = SourceStatus.OK.value
    source.error_count = 0
    source.last_error = None
    source.next_poll_at = now


def url_taken(session: Session, url: str, *, other_than: int | None = None) -> bool:
    return id_with_url(session, url, other_than=other_than) is not None


def id_with_url(session: Session, url: str, *, other_than: int | None = None) -> int | None:
    """The id of the source that polls `url` (other than `other_than`), if any."""
    query = select(Source.id).where(Source.url == url)
    if other_than is not None:
        query = query.where(Source.id != other_than)
    return session.scalar(query.limit(1))


def add(session: Session, url: str, *, name: str = "", section_id: int | None = None,
        interval_override_minutes: int | None = None, rights: str = DEFAULT_RIGHTS.value,
        full_text: str = DEFAULT_FULL_TEXT.value, site_url: str | None = None,
        now: datetime | None = None) -> Source:
    """A new source, due at once. The caller checks `url_taken` first; the unique
    constraint on `url` still refuses a duplicate added concurrently."""
    source = Source(url=url, name=name, section_id=section_id,
                    interval_override_minutes=interval_override_minutes,
                    rights=rights, full_text=full_text, site_url=site_url,
                    next_poll_at=now or utcnow())
    session.add(source)
    session.flush()
    return source


# --- scheduling -----------------------------------------------------------------------

def claim_due(session: Session, *, now: datetime, lease_until: datetime,
              limit: int) -> list[int]:
    """Ids of sources due at `now` (at most `limit`, most overdue first), pushed forward
    to `lease_until` in the same statement so a duplicated tick does not take them again.

    Answered from `ix_sources_due` (status, next_poll_at): the cost follows the number of
    due sources, not the number of sources. On PostgreSQL, `SKIP LOCKED` lets a
    concurrent tick pass over the rows this one is claiming instead of waiting for them.
    """
    due = (select(Source.id)
           .where(Source.status.in_(POLLABLE_STATUSES), Source.next_poll_at <= now)
           .order_by(Source.next_poll_at).limit(limit))
    if session.get_bind().dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    claim = (update(Source)
             .where(Source.id.in_(due.scalar_subquery()),
                    Source.status.in_(POLLABLE_STATUSES), Source.next_poll_at <= now)
             .values(next_poll_at=lease_until)
             .returning(Source.id)
             .execution_options(synchronize_session=False))
    return sorted(session.scalars(claim))


def due_ids(session: Session, *, now: datetime) -> list[int]:
    """Every pollable source due at `now`, without claiming them (the CLI's run)."""
    return list(session.scalars(
        select(Source.id).where(Source.status.in_(POLLABLE_STATUSES),
                                Source.next_poll_at <= now)
        .order_by(Source.next_poll_at)))


def pollable_ids(session: Session) -> list[int]:
    return list(session.scalars(select(Source.id)
                                .where(Source.status.in_(POLLABLE_STATUSES))
                                .order_by(Source.id)))


def skip_durable_commit(session: Session) -> None:
    """Let this transaction commit without waiting for the disk (PostgreSQL
    `synchronous_commit = off`, for this transaction only).

    For bookkeeping a re-poll rebuilds (a poll started, a 304, a failure): a server crash
    may forget the last fraction of a second of such commits, never corrupts anything,
    and each poll stops paying a WAL flush. SQLite in WAL mode with synchronous=NORMAL
    already commits without a flush.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


@dataclass(slots=True)
class PollState:
    """A source's poll bookkeeping as plain values: read with one SELECT and written back
    with one executemany UPDATE per shape of change (`save_poll_states`). The CLI stores
    thousands of polls a minute, and ORM objects cost more than the SQL they send."""

    id: int
    url: str
    name: str
    site_url: str | None
    section_id: int | None
    status: str
    last_error: str | None
    error_count: int
    unfinished_polls: int
    etag: str | None
    last_modified: str | None
    interval_override_minutes: int | None
    interval_minutes: int
    last_polled_at: datetime | None
    last_success_at: datetime | None
    last_new_entry_at: datetime | None
    next_poll_at: datetime
    rights_signals: str | None
    loaded: tuple[Any, ...] = field(default=(), repr=False, compare=False)


_STATE_FIELDS = tuple(name for name in PollState.__dataclass_fields__ if name != "loaded")


def poll_states_for_update(session: Session, source_ids: Sequence[int]) -> list[PollState]:
    """The given sources' bookkeeping (those that still exist), their rows locked for
    this transaction in id order: two transactions locking overlapping sets never
    deadlock."""
    rows = session.execute(select(*(getattr(Source, name) for name in _STATE_FIELDS))
                           .where(Source.id.in_(sorted(set(source_ids))))
                           .order_by(Source.id).with_for_update())
    return [PollState(**dict(zip(_STATE_FIELDS, row, strict=True)), loaded=tuple(row))
            for row in rows]


def save_poll_states(session: Session, states: Iterable[PollState]) -> None:
    """Write what changed in each state since it was read: one executemany UPDATE per set
    of changed columns (most polls change the same ones)."""
    table = cast(Table, Source.__table__)
    shapes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for state in states:
        values = {name: getattr(state, name) for name, old in zip(_STATE_FIELDS, state.loaded,
                                                                  strict=True)
                  if getattr(state, name) != old}
        if values:
            shapes.setdefault(tuple(values), []).append({"_id": state.id, **values})
    for rows in shapes.values():
        # No .values(): the SET clause is the rows' keys; "_id" is the WHERE's own name.
        session.execute(update(table).where(table.c.id == bindparam("_id")), rows)


SIGNAL_LINES_MAX = 20


def merge_signals(current: str | None, new: Iterable[str]) -> str | None:
    """Reuse signals (Source.rights_signals): one line per distinct signal, oldest first,
    at most SIGNAL_LINES_MAX."""
    lines = [line for line in (current or "").splitlines() if line.strip()]
    for line in new:
        if line and line not in lines:
            lines.append(line)
    return "\n".join(lines[-SIGNAL_LINES_MAX:]) or None


def move(session: Session, source_id: int, url: str) -> None:
    """Give a source its new URL now (a unique-constraint clash raises here, where the
    caller's savepoint can catch it)."""
    session.execute(update(Source).where(Source.id == source_id).values(url=url)
                    .execution_options(synchronize_session=False))


def count_polls_started(session: Session, source_ids: Sequence[int]) -> None:
    """One more unfinished poll for each given source, in one statement."""
    if source_ids:
        session.execute(update(Source).where(Source.id.in_(sorted(source_ids)))
                        .values(unfinished_polls=Source.unfinished_polls + 1)
                        .execution_options(synchronize_session=False))


def count_polls_abandoned(session: Session, source_ids: Sequence[int]) -> None:
    """Take back `count_polls_started` for polls stopped on purpose (Ctrl-C): they were
    not killed by their feed and must not count towards its quarantine."""
    if source_ids:
        session.execute(update(Source).where(Source.id.in_(sorted(source_ids)),
                                             Source.unfinished_polls > 0)
                        .values(unfinished_polls=Source.unfinished_polls - 1)
                        .execution_options(synchronize_session=False))


def poll_no_later_than(session: Session, due_at: Mapping[int, datetime]) -> None:
    """Bring each given source's next poll forward to its time, never push it back."""
    for source_id, at in due_at.items():
        session.execute(update(Source).where(Source.id == source_id, Source.next_poll_at > at)
                        .values(next_poll_at=at)
                        .execution_options(synchronize_session=False))


def all_with_sections(session: Session) -> Sequence[Source]:
    return session.scalars(select(Source).options(selectinload(Source.section))
                           .order_by(Source.id)).all()


# --- sections created by an OPML import -----------------------------------------------

def section_slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower()) or re.findall(r"\w+", name.lower())
    return "-".join(words)[:80].strip("-") or "section"


def find_or_create_section(session: Session, name: str, *,
                           parent_id: int | None = None) -> Section:
    """The section called `name` under `parent_id` (names match in any case), created
    when missing with a free slug ("world", else "news-world", else "world-2"…)."""
    name = name.strip()[:SECTION_NAME_MAX]
    same_parent = (Section.parent_id.is_(None) if parent_id is None
                   else Section.parent_id == parent_id)
    section = session.scalar(select(Section).where(func.lower(Section.name) == name.lower(),
                                                   same_parent).limit(1))
    if section is not None:
        return section
    section = Section(slug=_free_section_slug(session, name, parent_id), name=name or "section",
                      parent_id=parent_id)
    session.add(section)
    session.flush()
    return section


def _free_section_slug(session: Session, name: str, parent_id: int | None) -> str:
    base = section_slug(name)
    candidates = [base]
    if parent_id is not None:
        parent = session.get(Section, parent_id)
        if parent is not None:
            candidates.append(f"{parent.slug}-{base}"[:80])
    candidates += [f"{base}-{n}"[:80] for n in range(2, 100)]
    taken = set(session.scalars(select(Section.slug).where(Section.slug.in_(candidates))))
    return next(slug for slug in candidates if slug not in taken)


def section_paths(session: Session) -> dict[int, tuple[str, ...]]:
    """{section id: names from the top section down to it}, from one query."""
    rows = {section.id: (section.name, section.parent_id)
            for section in session.scalars(select(Section))}

    def path(section_id: int, seen: frozenset[int] = frozenset()) -> tuple[str, ...]:
        name, parent_id = rows[section_id]
        if parent_id is None or parent_id not in rows or parent_id in seen:
            return (name,)
        return (*path(parent_id, seen | {section_id}), name)

    return {section_id: path(section_id) for section_id in rows}


def update_fields(session: Session, source_id: int, values: dict[str, Any]) -> None:
    session.execute(update(Source).where(Source.id == source_id).values(**values)
                    .execution_options(synchronize_session=False))
