"""The one use case for adding a source: validate | discover the feed | insert.

    add_source:      check_new_source | discover_feed | insert_source
    resolve_source:  (a row the web stored as typed) discover_feed | move, or say why not

`hopper sources add` and `hopper sources import` (the CLI may call workers directly) run
`add_source`. The admin form runs in a web request, which never waits on a third party
and reaches workers only by task name: it checks the request with the same
`check_new_source`, stores it with the same `insert_source` (so a duplicate or a bad URL
is refused on the spot), and enqueues `workers.resolve_source`, which runs the same
`discover_feed` here and then the first poll. A page URL thus becomes its feed's URL
whichever way it came in; a page without a feed says so on the source's health row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from hopper.settings import Limits
from models import sources as source_rows
from models.db import Database, session_scope
from models.new_sources import NewSource, SourceExists, check_new_source, insert_source
from models.sources import SourceStatus
from workers.ingest.discover import discover_feed
from workers.ingest.errors import IngestError
from workers.ingest.steps.fetch import FeedClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AddedSource:
    id: int
    url: str                     # the feed's URL
    requested_url: str           # what was given (a page, or the feed itself)


def add_source(database: Database, http: FeedClient, new: NewSource, *, limits: Limits,
               discover: bool = True) -> AddedSource:
    """Raises InvalidSource (models.new_sources) for a request that cannot be a source,
    SourceExists for a feed already polled, IngestError when discovery fails.

    `discover=False` stores the URL as given: an OPML outline's xmlUrl names the feed
    itself, and its first poll reports a URL that is not one."""
    checked = check_new_source(new, limits)
    feed_url = discover_feed(http, checked.url) if discover else checked.url
    with session_scope(database) as session:
        # The discovered URL passes the same checks as a typed one.
        source = insert_source(session, check_new_source(replace(checked, url=feed_url),
                                                         limits))
        return AddedSource(source.id, source.url, new.url)


def resolve_source(database: Database, http: FeedClient, source_id: int) -> str | None:
    """Give a source stored with the URL a person typed the URL of the feed that URL is
    or advertises. Returns the feed URL, or None (the reason is on the source's row:
    status failing, last_error). No transaction is open during the fetch."""
    with session_scope(database, write=False) as session:
        source = session.get(source_rows.Source, source_id)
        if source is None:
            return None
        url = source.url
    try:
        feed_url = discover_feed(http, url)
    except IngestError as error:
        if error.is_permanent:     # no feed there, a refused address: retrying cannot help
            _refuse(database, source_id, f"cannot add {url}: {error.reason}; paused: "
                    "correct the address (or give the feed's own) and resume it",
                    status=SourceStatus.PAUSED)
        else:
            _refuse(database, source_id, f"cannot add {url}: {error.reason}")
        return None
    if feed_url == url:
        return url
    with session_scope(database) as session:
        other = source_rows.by_url(session, feed_url)
        if other is not None and other.id != source_id:
            # Paused: polling the page as a feed cannot help, and each failed poll would
            # replace the reason with a bare "not a feed".
            error_text = (f"{SourceExists(feed_url, other.id)} (source {other.id}); paused: "
                          "remove the duplicate or give this one another address")
            source_rows.update_fields(session, source_id, {
                "status": SourceStatus.PAUSED.value, "last_error": error_text})
            log.info("source %s: %s", source_id, error_text)
            return None
        source_rows.move(session, source_id, feed_url)
    log.info("source %s: %s advertises %s", source_id, url, feed_url)
    return feed_url


def _refuse(database: Database, source_id: int, reason: str, *,
            status: SourceStatus = SourceStatus.FAILING) -> None:
    """Failing: the polls retry it with backoff (a network error); paused: polled no more
    until an admin resumes it, the reason kept on its row (no feed at that page)."""
    with session_scope(database) as session:
        source_rows.update_fields(session, source_id, {
            "status": status.value, "last_error": reason})
    log.info("source %s: %s", source_id, reason)
