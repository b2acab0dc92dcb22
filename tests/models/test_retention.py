"""Retention (models/retention.py): old articles go unless readers kept or discussed
them, orphan tags go, old consent records go — one batch at a time."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from sqlalchemy import func, select

from models import retention
from models.articles import Article
from models.base import utcnow
from models.comments import Comment
from models.consent import ConsentRecord
from models.db import Database, session_scope
from models.playlists import Playlist, PlaylistItem
from models.sources import Source
from models.tags import Tag


def add_articles(database: Database, ages_days: list[int], tags: tuple[str, ...] = ()
                 ) -> list[int]:
    now = utcnow()
    with session_scope(database) as session:
        source = Source(url=f"http://127.0.0.1/feed-{len(ages_days)}.xml", name="Feed")
        tag_rows = [Tag(slug=name, name=name) for name in tags]
        session.add_all([source, *tag_rows])
        session.flush()
        articles = []
        for index, age in enumerate(ages_days):
            key = f"entry-{index}"
            articles.append(Article(
                source_id=source.id, entry_key=key,
                entry_hash=hashlib.sha256(key.encode()).hexdigest(),
                content_hash="0" * 64, title=f"Article {index}",
                published_at=now - timedelta(days=age), tags=list(tag_rows)))
        session.add_all(articles)
        session.flush()
        return [article.id for article in articles]


def count(database: Database, model: type) -> int:
    with database.reader() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_old_articles_go_but_kept_and_discussed_ones_and_recent_ones_stay(
        database: Database, make_user) -> None:
    old_plain, old_in_playlist, old_commented, recent = add_articles(database, [100, 200, 95, 5])
    reader = make_user()
    with session_scope(database) as session:
        playlist = Playlist(user_id=reader.id, name="Later", share_token="t" * 43)
        session.add(playlist)
        session.flush()
        session.add(PlaylistItem(playlist_id=playlist.id, article_id=old_in_playlist))
        session.add(Comment(article_id=old_commented, user_id=reader.id, body="hi",
                            body_html="<p>hi</p>"))
    with session_scope(database) as session:
        deleted = retention.delete_expired_articles(session, utcnow() - timedelta(days=90))
    assert deleted == 1
    with database.reader() as session:
        remaining = set(session.scalars(select(Article.id)))
    assert remaining == {old_in_playlist, old_commented, recent}
    assert old_plain not in remaining


def test_expired_articles_are_deleted_in_batches_of_the_given_size(database: Database) -> None:
    add_articles(database, [100] * 7 + [1], tags=("politics",))
    cutoff = utcnow() - timedelta(days=90)
    batches = []
    while True:
        with session_scope(database) as session:
            deleted = retention.delete_expired_articles(session, cutoff, batch_size=3)
        if not deleted:
            break
        batches.append(deleted)
    assert batches == [3, 3, 1]
    assert count(database, Article) == 1


def test_expired_articles_leave_their_stories_counted_true(database: Database) -> None:
    """A story keeps the counts of the members left (the expired ones no longer count),
    and a story whose every member expired goes."""
    from models.stories import Story

    old, older, recent, alone = add_articles(database, [100, 120, 5, 150])
    now = utcnow()
    with session_scope(database) as session:
        kept = Story(title="Kept", first_published_at=now - timedelta(days=120),
                     last_published_at=now - timedelta(days=5), article_count=3,
                     source_count=1)
        emptied = Story(title="Emptied", first_published_at=now - timedelta(days=150),
                        last_published_at=now - timedelta(days=150), article_count=1,
                        source_count=1)
        session.add_all([kept, emptied])
        session.flush()
        for article_id in (old, older, recent):
            session.get(Article, article_id).story_id = kept.id
        session.get(Article, alone).story_id = emptied.id
        kept_id, emptied_id = kept.id, emptied.id
    with session_scope(database) as session:
        assert retention.delete_expired_articles(session, now - timedelta(days=90)) == 3
    with database.reader() as session:
        story = session.get(Story, kept_id)
        published = session.get(Article, recent).published_at
        assert (story.article_count, story.source_count) == (1, 1)
        assert story.first_published_at == story.last_published_at == published
        assert session.get(Story, emptied_id) is None


def test_tags_no_article_carries_are_deleted_and_used_ones_stay(database: Database) -> None:
    add_articles(database, [1], tags=("kept",))
    with session_scope(database) as session:
        session.add_all([Tag(slug="orphan-a", name="A"), Tag(slug="orphan-b", name="B")])
    with session_scope(database) as session:
        assert retention.delete_orphan_tags(session) == 2
    with database.reader() as session:
        assert list(session.scalars(select(Tag.slug))) == ["kept"]


def test_deleting_an_article_frees_its_tags_for_the_orphan_sweep(database: Database) -> None:
    add_articles(database, [400], tags=("old-news",))
    with session_scope(database) as session:
        retention.delete_expired_articles(session, utcnow() - timedelta(days=90))
    with session_scope(database) as session:
        assert retention.delete_orphan_tags(session) == 1
    assert count(database, Tag) == 0


def test_consent_records_older_than_the_cutoff_are_deleted(database: Database) -> None:
    now = utcnow()
    with session_scope(database) as session:
        for age_days in (500, 400, 30):
            session.add(ConsentRecord(consent_id=f"c{age_days}", choices={"stats": False},
                                      policy_version="1", action="reject_all",
                                      created_at=now - timedelta(days=age_days)))
    with session_scope(database) as session:
        assert retention.delete_expired_consent(session, now - timedelta(days=395)) == 2
    with database.reader() as session:
        assert list(session.scalars(select(ConsentRecord.consent_id))) == ["c30"]
