"""`hopper sources …`: add (with autodiscovery), import and export OPML, list."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from flask.cli import AppGroup
from sqlalchemy.orm import Session

from hopper.settings import Limits, redact_url
from hopper.text import for_terminal
from models import source_health
from models import sources as source_rows
from models.base import utcnow
from models.db import session_scope
from models.sections import Section
from models.sections import by_slug as section_by_slug
from models.sources import DEFAULT_FULL_TEXT, DEFAULT_RIGHTS, FullText, Rights
from web.cli.command_app import current_database, current_settings
from web.params import MAX_ROW_ID

if TYPE_CHECKING:
    from web.cli.opml import OutlineFeed
    from workers.ingest.steps.fetch import FeedClient

# The fetcher (urllib3) and the OPML reader (lxml) are imported by the commands that use
# them: `hopper sources list` starts without them (bench/cli_startup.py).


@click.group("sources", cls=AppGroup, help="The feeds Hopper polls.")
def sources_group() -> None:
    pass


@sources_group.command("add", help="Add a feed, or a web page that advertises its feed.")
@click.argument("url")
@click.option("--name", default="", help="Display name (default: the feed's title).")
@click.option("--section", "section_slug", help="Slug of the section its articles go to.")
@click.option("--interval", metavar="MINUTES",
              type=click.IntRange(Limits.min_interval_minutes, Limits.max_interval_minutes),
              help="Poll every MINUTES instead of adapting to the feed.")
@click.option("--rights", type=click.Choice([r.value for r in Rights]),
              default=DEFAULT_RIGHTS.value, show_default=True,
              help="What may be republished: headline, excerpt (~300 characters) or full.")
@click.option("--full-text", "full_text", type=click.Choice([f.value for f in FullText]),
              default=DEFAULT_FULL_TEXT.value, show_default=True,
              help="Fetch article pages for feeds that carry only summaries.")
def add_source(url: str, name: str, section_slug: str | None, interval: int | None,
               rights: str, full_text: str) -> None:
    with session_scope(current_database(), write=False) as session:
        section = _section(session, section_slug)
        section_id = section.id if section else None
    from models.new_sources import InvalidSource, NewSource
    from workers.adding import add_source as add_source_use_case
    from workers.ingest.errors import IngestError
    from workers.ingest.steps.fetch import FeedClient

    request = NewSource(url=url, name=name, section_id=section_id, interval_minutes=interval,
                        rights=rights, full_text=full_text)
    http = FeedClient.from_settings(current_settings())
    try:
        added = add_source_use_case(current_database(), http, request,
                                    limits=current_settings().limits)
    except IngestError as error:
        raise click.ClickException(f"cannot add {redact_url(url)}: {error.reason}") from error
    except InvalidSource as error:
        raise click.ClickException(error.reason) from error
    finally:
        http.close()
    found = "" if added.url == url else f" (discovered from {redact_url(url)})"
    click.echo(f"added source {added.id}: {redact_url(added.url)}{found}")


def _section(session: Session, slug: str | None) -> Section | None:
    if slug is None:
        return None
    section = section_by_slug(session, slug)
    if section is None:
        raise click.ClickException(f"no section with slug {slug!r}")
    return section


@sources_group.command("import", help="Import an OPML file (path or URL); outline "
                                      "folders and categories become sections.")
@click.argument("file_or_url")
def import_sources(file_or_url: str) -> None:
    from web.cli.opml import OPMLError, read_opml
    from workers.ingest.steps.fetch import FeedClient

    try:
        feeds = read_opml(_read_opml_input(file_or_url))
    except OPMLError as error:
        raise click.ClickException(str(error)) from error
    added = skipped = invalid = 0
    http = FeedClient.from_settings(current_settings())
    try:
        for feed in feeds:
            outcome, reason = _import_feed(http, feed)
            added += outcome == "added"
            skipped += outcome == "present"
            invalid += outcome == "invalid"
            if outcome == "invalid":       # which outline, and why
                click.echo(for_terminal(f"invalid: {feed.title or feed.url} ({feed.url}): "
                                        f"{reason}"),
                           err=True)
    finally:
        http.close()
    click.echo(f"imported {added} sources; {skipped} already present; {invalid} invalid")


def _read_opml_input(file_or_url: str) -> bytes:
    from workers.ingest.errors import IngestError
    from workers.ingest.steps.fetch import FeedClient

    if file_or_url.startswith(("http://", "https://")):
        http = FeedClient.from_settings(current_settings())
        try:
            return http.fetch(file_or_url).content
        except IngestError as error:
            raise click.ClickException(f"cannot fetch {file_or_url}: {error.reason}") \
                from error
        finally:
            http.close()
    try:
        return Path(file_or_url).read_bytes()
    except OSError as error:
        raise click.ClickException(f"cannot read {file_or_url}: {error}") from error


def _import_feed(http: FeedClient, feed: OutlineFeed) -> tuple[str, str]:
    """One outline through the same use case as `sources add`, without discovery: an
    outline's xmlUrl names the feed itself. Its sections are made only for an outline
    that will be added. (outcome, the reason when invalid)"""
    from models.new_sources import InvalidSource, NewSource, SourceExists, check_new_source
    from workers.adding import add_source as add_source_use_case

    try:
        checked = check_new_source(NewSource(url=feed.url), current_settings().limits)
    except InvalidSource as error:
        return "invalid", error.reason
    with session_scope(current_database()) as session:
        if source_rows.url_taken(session, checked.url):
            return "present", ""
        section_id = None
        for name in feed.section_path:
            section_id = source_rows.find_or_create_section(
                session, name, parent_id=section_id).id
    request = NewSource(url=feed.url, name=feed.title, section_id=section_id,
                        site_url=feed.site_url)
    try:
        add_source_use_case(current_database(), http, request, limits=current_settings().limits,
                            discover=False)
    except SourceExists:
        return "present", ""
    except InvalidSource as error:
        return "invalid", error.reason
    return "added", ""


@sources_group.command("pause", help="Stop polling a source until it is resumed.")
@click.argument("source_id", type=int)
def pause_source(source_id: int) -> None:
    with session_scope(current_database()) as session:
        source = source_or_fail(session, source_id)
        source_rows.pause(source)
        click.echo(f"Paused source {source.id}: {for_terminal(source.display_name)}")


@sources_group.command("resume", help="Poll a paused or failing source again, now, with "
                                      "its error count cleared.")
@click.argument("source_id", type=int)
def resume_source(source_id: int) -> None:
    with session_scope(current_database()) as session:
        source = source_or_fail(session, source_id)
        source_rows.resume(source, now=utcnow())
        click.echo(f"Resumed source {source.id}: {for_terminal(source.display_name)} "
                   "(due now; the beat polls it within HOPPER_TICK_SECONDS, or run hopper "
                   "ingest)")


def source_or_fail(session: Session, source_id: int) -> source_rows.Source:
    """The source with this id, or the command's one-line error (`hopper ingest` too)."""
    # An id no id column can hold is no source (the database would refuse to look).
    source = session.get(source_rows.Source, source_id) if 0 < source_id <= MAX_ROW_ID \
        else None
    if source is None:
        raise click.ClickException(f"no source with id {source_id}")
    return source


@sources_group.command("export", help="Print every source as OPML.")
def export_sources() -> None:
    from web.cli.opml import ExportedSource, write_opml

    with session_scope(current_database(), write=False) as session:
        paths = source_rows.section_paths(session)
        exported = [ExportedSource(url=source.url, name=source.name, site_url=source.site_url,
                                   section_path=paths.get(source.section_id, ())
                                   if source.section_id else ())
                    for source in source_rows.all_with_sections(session)]
    click.echo(write_opml(exported, title=f"{current_settings().site_name} sources", now=utcnow()),
               nl=False)


@sources_group.command("list", help="Every source with its health.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_sources(as_json: bool) -> None:
    with session_scope(current_database(), write=False) as session:
        rows = [_listing_row(item) for item in source_health.listing(session)]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not rows:
        click.echo("no sources yet: hopper sources add URL")
        return
    for row in rows:
        # Names, URLs and errors come from feeds: shown, never obeyed (escape sequences).
        error = f"  ({for_terminal(row['last_error'])})" if row["last_error"] else ""
        click.echo(f"{row['id']:>5}  {row['status']:<8} {row['article_count']:>6} articles  "
                   f"{for_terminal(row['name'] or '-')}  {for_terminal(row['url'])}{error}")


def _listing_row(item: source_health.SourceListing) -> dict[str, Any]:
    source = item.source
    return {
        "id": source.id,
        "url": redact_url(source.url),     # the feed's password stays in the database
        "name": source.name,
        "section": item.section_slug,
        "status": source.status,
        "last_error": source.last_error,
        "last_polled_at": _iso(source.last_polled_at),
        "next_poll_at": _iso(source.next_poll_at),
        "article_count": item.article_count,
        "rights": source.rights,
        "full_text": source.full_text,
    }


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.isoformat().replace("+00:00", "Z")
