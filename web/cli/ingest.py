"""`hopper ingest`: run the ingest pipeline now, from this command (docs/architecture.md allows the
CLI to call the pipeline directly). Polls run on a thread pool — fetching is I/O — in one
process per core when there are many sources (workers/ingest/cli/fanout.py), each under the
same per-source lock a worker takes, so running this beside workers is safe; their
bookkeeping is written in batches (workers/ingest/cli/batch.py).

A run that stored articles ends with one pass of the stories' maintenance merge: polls in
different processes cannot see each other's uncommitted stories and may each start one for
the same event, and coverage that grew apart converges; the periodic task would merge them
within minutes, but an operator who ingests from cron has no such task, and a front page
read right after the command should show each event once.

Ctrl-C stops the run at once: the polls that finished are stored and summed up, those
still fetching are abandoned (polled again at their next turn), and the command exits
130 without waiting for their fetches to time out (workers/ingest/cli/batch.py)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click
import redis
from flask.cli import with_appcontext
from sqlalchemy.exc import OperationalError

from hopper.collector import collector_tuned
from hopper.settings import Settings
from hopper.text import for_terminal
from models import sources as source_rows
from models.base import utcnow
from models.db import Database, session_scope
from web.cli.command_app import command_redis, current_database, current_settings
from web.cli.sources import source_or_fail
from workers.ingest.cli.batch import IngestInterrupted, ingest_many
from workers.ingest.cli.fanout import MAX_PROCESSES, default_processes, ingest_in_processes
from workers.ingest.steps.fetch import FeedClient
from workers.ingest.steps.store import StoreResult
from workers.ingest.stories.maintain_stories import merge_open_stories

DEFAULT_THREADS = 8
REASON_WIDTH = 70
# The shell's status for a command stopped by Ctrl-C (128 + SIGINT).
INTERRUPTED_EXIT = 130


@click.command("ingest", help="Poll due sources now (or all, or one) and print a summary.")
@click.option("--all", "all_sources", is_flag=True, help="Every active source, due or not.")
@click.option("--source", "source_id", type=int, help="Only this source (even if paused).")
@click.option("--threads", type=click.IntRange(1, 64), default=DEFAULT_THREADS,
              show_default=True, help="Polls fetched at once, per process.")
@click.option("--processes", type=click.IntRange(1, MAX_PROCESSES), default=None,
              help="Processes polling at once [default: one per CPU core when there are "
                   "enough sources to share, else 1].")
@with_appcontext
def ingest_command(all_sources: bool, source_id: int | None, threads: int,
                   processes: int | None) -> None:
    if all_sources and source_id is not None:
        raise click.UsageError("--all and --source say different things: give one")
    settings, database = current_settings(), current_database()
    ids = _source_ids(database, all_sources=all_sources, source_id=source_id)
    if not ids:
        click.echo("no sources due")
        return
    interrupted: IngestInterrupted | None = None
    with command_redis(settings) as client:
        try:
            results = run_polls(ids, database=database, redis_client=client,
                                settings=settings, threads=threads,
                                force=source_id is not None,
                                processes=processes or default_processes(len(ids)))
        except IngestInterrupted as stop:
            interrupted, results = stop, sorted(stop.results, key=lambda r: r.source_id)
        if interrupted is None and any(result.new or result.updated for result in results):
            _merge_converged_stories(database, settings, client)
    if interrupted is not None:
        _print_summary(database, results)
        click.echo(f"stopped: {len(results)} polls finished and were stored; "
                   f"{len(interrupted.abandoned)} in flight were abandoned and will be "
                   "polled at their next turn", err=True)
        sys.stdout.flush()
        sys.stderr.flush()
        # Abandoned fetches still hold pool threads until their timeout; the interpreter
        # would join them on exit. Nothing of theirs is stored, so do not wait.
        os._exit(INTERRUPTED_EXIT)
    _print_summary(database, results)


def _merge_converged_stories(database: Database, settings: Settings,
                             client: redis.Redis) -> None:
    """The polls are stored: a merge that cannot run now (the database went away, or
    stayed locked) is left to the periodic task and does not fail the command."""
    try:
        merged = merge_open_stories(database, window=settings.limits.story_window,
                                    client=client)
    except OperationalError as error:
        click.echo(f"stories: not merged this time ({type(error.orig).__name__}: "
                   f"{str(error.orig).strip()[:REASON_WIDTH]}); the maintenance task will",
                   err=True)
        return
    if merged:
        click.echo(f"stories: {merged} merged into the coverage of the same event", err=True)


def _source_ids(database: Database, *, all_sources: bool, source_id: int | None) -> list[int]:
    with session_scope(database, write=False) as session:
        if source_id is not None:
            return [source_or_fail(session, source_id).id]
        if all_sources:
            return source_rows.pollable_ids(session)
        return source_rows.due_ids(session, now=utcnow())


def run_polls(ids: Sequence[int], *, database: Database, redis_client: redis.Redis,
              settings: Settings, threads: int, force: bool = False,
              processes: int = 1) -> list[StoreResult]:
    processes = min(processes, len(ids))
    with click.progressbar(length=len(ids), label="Polling sources", file=sys.stderr) as bar:
        def done(group: list[StoreResult]) -> None:
            bar.update(len(group))

        if processes > 1:
            results = ingest_in_processes(ids, settings=settings, database=database,
                                          processes=processes, threads=threads,
                                          force=force, on_done=done)
        else:
            http = FeedClient.from_settings(settings, pool_size=threads,
                                            redis_client=redis_client)
            try:
                # The collector tuned as ingest_in_processes' children tune theirs.
                with collector_tuned():
                    results = ingest_many(ids, database=database, redis_client=redis_client,
                                          http=http, limits=settings.limits, threads=threads,
                                          force=force, on_done=done)
            finally:
                http.close()
    return sorted(results, key=lambda result: result.source_id)


def _print_summary(database: Database, results: Sequence[StoreResult]) -> None:
    with session_scope(database, write=False) as session:
        names = source_rows.display_names(session, [result.source_id for result in results])
    header = f"{'id':>5}  {'source':<40} {'outcome':<13} {'new':>5} {'updated':>7} " \
             f"{'unchanged':>9} {'too old':>7} {'failed':>6}  reason"
    click.echo(header)
    click.echo("-" * len(header))
    for result in results:
        name = for_terminal(names.get(result.source_id, "?"))
        failed = 1 if result.is_failure else 0
        click.echo(f"{result.source_id:>5}  {name[:40]:<40} {result.outcome:<13} "
                   f"{result.new:>5} {result.updated:>7} {result.unchanged:>9} "
                   f"{result.skipped_old:>7} {failed:>6}  "
                   f"{for_terminal(result.error or '')[:REASON_WIDTH]}")
    click.echo("-" * len(header))
    click.echo(f"{'':>5}  {'total (' + str(len(results)) + ' sources)':<40} {'':<13} "
               f"{sum(r.new for r in results):>5} {sum(r.updated for r in results):>7} "
               f"{sum(r.unchanged for r in results):>9} "
               f"{sum(r.skipped_old for r in results):>7} "
               f"{sum(1 for r in results if r.is_failure):>6}")
