"""New story rows (models/stories.py `insert_stories`): each row gets its own id back, in
the rows' order, also after a gap in the ids and on top of what another batch wrote."""

from __future__ import annotations

from sqlalchemy import delete, select

from models import stories as story_rows
from models.base import utcnow
from models.db import Database, session_scope
from models.stories import Story


def _rows(prefix: str, count: int) -> list[tuple[object, ...]]:
    now = utcnow()
    return [(f"{prefix} {number}", None, now, now, number + 1, 1, True, now,
             f'{{"n":{number + 1}}}', "{}") for number in range(count)]


def _stored(database: Database, ids: list[int]) -> dict[int, tuple[str, int, str]]:
    with session_scope(database, write=False) as session:
        return {row.id: (row.title, row.article_count, row.centroid)
                for row in session.scalars(select(Story).where(Story.id.in_(ids)))}


def test_each_new_story_gets_its_own_id_in_order(database: Database) -> None:
    with session_scope(database) as session:
        first = story_rows.insert_stories(session, _rows("first", 3))
    # The newest story deleted: AUTOINCREMENT never hands its id out again, so the
    # next run starts after it.
    with session_scope(database) as session:
        session.execute(delete(Story).where(Story.id == first[-1]))
    with session_scope(database) as session:
        second = story_rows.insert_stories(session, _rows("second", 4))
        assert story_rows.insert_stories(session, []) == []

    assert len(set(first + second)) == 7
    assert min(second) > max(first)
    stored = _stored(database, second)
    assert [stored[story_id] for story_id in second] == [
        (f"second {number}", number + 1, f'{{"n":{number + 1}}}') for number in range(4)]
    assert sorted(title for title, _, _ in _stored(database, first).values()) == [
        "first 0", "first 1"]
