"""Poll bookkeeping read and written as plain values (models/sources.py `PollState`): the
rows come back locked and complete, and only what changed is written back."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import text, update

from models import sources as source_rows
from models.base import utcnow
from models.db import Database, session_scope
from models.sources import Source


def add(database: Database, url: str, **fields: object) -> int:
    with session_scope(database) as session:
        source = source_rows.add(session, url)
        for name, value in fields.items():
            setattr(source, name, value)
        session.flush()
        return source.id


def test_states_hold_the_rows_values_in_id_order_and_skip_missing_ids(
        database: Database) -> None:
    later = utcnow() + timedelta(hours=2)
    second = add(database, "https://b.example.test/feed", etag='"b"', next_poll_at=later)
    first = add(database, "https://a.example.test/feed", interval_override_minutes=90)
    with session_scope(database) as session:
        states = source_rows.poll_states_for_update(session, [second, 999_999, first, first])
    assert [state.id for state in states] == sorted([first, second])
    by_id = {state.id: state for state in states}
    assert (by_id[second].etag, by_id[second].next_poll_at) == ('"b"', later)
    assert by_id[first].interval_override_minutes == 90
    assert by_id[first].url == "https://a.example.test/feed"


def test_saving_writes_only_the_columns_that_changed(database: Database) -> None:
    one = add(database, "https://one.example.test/feed")
    two = add(database, "https://two.example.test/feed")
    polled = utcnow()
    with session_scope(database) as session:
        states = source_rows.poll_states_for_update(session, [one, two])
        states[0].status, states[0].last_error, states[0].error_count = "failing", "HTTP 500", 1
        states[1].last_polled_at = polled
        # Changed after the read by someone else in this transaction: not ours to undo.
        session.execute(update(Source).values(name="Renamed by an admin"))
        source_rows.save_poll_states(session, states)
    with database.reader() as session:
        rows = {row.id: row for row in session.execute(text(
            "SELECT id, name, status, last_error, error_count FROM sources"))}
        assert tuple(rows[one])[1:] == ("Renamed by an admin", "failing", "HTTP 500", 1)
        assert tuple(rows[two])[1:] == ("Renamed by an admin", "ok", None, 0)
        assert session.get(Source, two).last_polled_at == polled
