"""`hopper stories rebuild [--since HOURS]`: re-cluster a window of articles from scratch
(docs/architecture.md, "Command line"); runs the store's own clustering in this process."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext

from hopper import content_version
from models.base import utcnow
from models.db import session_scope
from web.cli.command_app import command_redis, current_database, current_settings
from workers.ingest.stories.maintain_stories import rebuild_stories

MAX_HOURS = 24 * 365


@click.group("stories", help="Stories: the coverage of one event by many sources.")
def stories_group() -> None:
    pass


@stories_group.command("rebuild", help="Re-cluster the articles of the last HOURS "
                                       "(default: the story window) from scratch.")
@click.option("--since", "hours", type=click.IntRange(1, MAX_HOURS), default=None,
              help="Hours back from now (default HOPPER_STORY_WINDOW_HOURS).")
@with_appcontext
def rebuild(hours: int | None) -> None:
    settings, database = current_settings(), current_database()
    window = settings.limits.story_window
    now = utcnow()
    since = now - (timedelta(hours=hours) if hours else window)
    with session_scope(database) as session:
        articles, stories = rebuild_stories(session, since=since, window=window, now=now)
    # The window's stories were replaced: cached pages and the remembered ranking
    # (web/ranking.py) name stories that are gone until the content version turns.
    with command_redis(settings) as client:
        content_version.bump_after_commit(client)
    click.echo(f"re-clustered {articles} articles published since {since.isoformat()} "
               f"into {stories} stories")
